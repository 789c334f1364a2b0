"""What every command shares around its work: checks made before any work, Ctrl-C/SIGTERM, unexpected errors.

* :func:`check_out_dir` and :func:`check_seconds` run before anything is read or solved, so a mistake in the
  command line costs no solve and is exit status 2 with one line naming the option.
* :func:`interruptible`: Ctrl-C (SIGINT) and SIGTERM raise :class:`Interrupted` in the main thread, and a
  watcher thread stops the running CP-SAT solves (:mod:`scheduler.solver.stop`) — CP-SAT holds the main thread
  inside C++ while it solves, where no Python signal handler runs, so the C-level handler's wakeup byte is what
  reaches the watcher. The run then unwinds (every output is written to a temporary folder first, removed on the
  way out) and exits 130 (SIGINT) or 143 (SIGTERM).
* :func:`log_internal_error`: an unexpected error becomes one line and a log file holding the traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import signal
import socket
import tempfile
import threading
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path

from constraints.calendar import BranchCalendar
from constraints.errors import InputError
from scheduler.solver import stop

STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM: the run stops where it is and writes nothing (a BaseException, like
    KeyboardInterrupt, so no ``except Exception`` on the way swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """128 + the signal number: 130 for Ctrl-C, 143 for SIGTERM (the shell's convention)."""
        return 128 + self.signum


def _on_signal(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def _watch(sock: socket.socket) -> None:
    """Stop the solves at each stop signal's wakeup byte; return at the byte 0 (the block has ended)."""
    while True:
        data = sock.recv(64)
        if not data or 0 in data:
            return
        if any(b in STOP_SIGNALS for b in data):
            stop.request_stop()


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` and stop CP-SAT at once.

    Outside the main thread (where Python cannot install signal handlers) the block runs unguarded. The wakeup
    channel is a socket pair, which ``signal.set_wakeup_fd`` takes on Windows too.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stop.reset()
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous = {s: signal.signal(s, _on_signal) for s in STOP_SIGNALS}
    old_wakeup = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    watcher = threading.Thread(target=_watch, args=(reader,), daemon=True, name="paiban-stop")
    watcher.start()
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(old_wakeup)
        writer.send(b"\0")
        watcher.join(timeout=5.0)
        writer.close()
        reader.close()
        stop.reset()


def check_out_dir(path: Path, argument: str = "--out") -> Path:
    """``path`` can be the output folder: a folder (or not there yet) under folders paiban may write in.

    Nothing is created here; ``InputError`` names the option and the path otherwise.
    """
    if path.exists() and not path.is_dir():
        raise InputError(
            "是一个文件, 不是文件夹 (is a file, not a folder)", argument=argument, value=str(path)
        )
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(
            f"路径中的 {probe} 是文件, 无法在其下建立文件夹 (a file on the way; cannot make a folder under it)",
            argument=argument,
            value=str(path),
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise InputError(
            f"没有写入 {probe} 的权限 (no permission to write in that folder)",
            argument=argument,
            value=str(path),
        )
    return path


def check_week(calendar: BranchCalendar, monday: dt.date, argument: str = "--week") -> dt.date:
    """``monday`` when the calendar knows its seven days (the package or the overrides); ``InputError`` naming
    ``argument`` otherwise (a year out of range, a year needing overrides)."""
    try:
        calendar.week(monday)
    except InputError as exc:
        raise exc.at(argument=argument) from None
    return monday


def check_seconds(value: float | None, argument: str) -> float | None:
    """A time limit: None, or a finite number of seconds > 0; ``InputError`` naming ``argument`` otherwise."""
    if value is None:
        return None
    if not math.isfinite(value) or value <= 0:
        raise InputError(
            "必须是大于 0 的有限秒数 (must be a finite number of seconds greater than 0)",
            argument=argument,
            value=value,
        )
    return value


def log_dir() -> Path:
    """Where tracebacks go: ``$XDG_CACHE_HOME/paiban`` (``~/.cache/paiban``), else the temporary folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (Path(base) / "paiban", Path(tempfile.gettempdir()) / "paiban"):
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
    return Path(tempfile.gettempdir())


def log_internal_error(exc: BaseException, argv: Sequence[str] | None) -> Path:
    """Write the traceback of ``exc`` (and the command line) to a new log file; return its path."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = log_dir() / f"paiban-error-{stamp}-{os.getpid()}.log"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"paiban {' '.join(argv or [])}\n\n")
        fh.write("".join(traceback.format_exception(exc)))
    return path
