"""The capacity bound in a Python process of its own (:func:`capacity_in_process`): a horizon's bound — a
week's each, tens of seconds of pure Python on a big branch — runs on another core than the search's, which
starts at once instead of waiting for it (:mod:`scheduler.solver.search`)."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence

from constraints.problem import Problem
from scheduler.solver.bound import capacity_bound


def _capacity_main() -> None:
    """The body of :func:`capacity_in_process`'s process: (parent pid, problem, scale, active, least) pickled
    on stdin, the bound pickled on stdout; it ends when its parent does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends this process
    parent, problem, scale, active, least = pickle.load(sys.stdin.buffer)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    pickle.dump(capacity_bound(problem, scale, active, least), sys.stdout.buffer)
    sys.stdout.buffer.flush()


def capacity_in_process(
    problem: Problem,
    scale: int,
    active: Sequence[str],
    least: dict,
    started: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> int | None:
    """:func:`capacity_bound` computed in a Python process of its own, so that tens of seconds of pure Python —
    a horizon's bound, a week's each — run on another core than the search's. Blocks until it is done;
    ``started`` is given the process (to stop it when the bound is no longer wanted: then None is returned,
    as when it fails). The process ends with this one."""
    payload = pickle.dumps((os.getpid(), problem, scale, list(active), least))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    code = "from scheduler.solver.bound_process import _capacity_main; _capacity_main()"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    except OSError:
        return None
    if started is not None:
        started(proc)
    try:
        out, _ = proc.communicate(payload)
        value = pickle.loads(out) if proc.returncode == 0 and out else None
    except (OSError, ValueError, EOFError, pickle.UnpicklingError):
        value = None
    return value if isinstance(value, int) else None
