"""Entry point of the ``paiban`` console script and its exit statuses.

0 done (``plan``: every hard rule holds); 1 ``plan``/``check``: a hard rule cannot hold or is broken; 2 bad input
or a command line to fix — one line naming what to fix, nothing written; 3 an unexpected error — one line and a
log file with the traceback; 130 / 143 stopped by Ctrl-C / SIGTERM, nothing written.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer
from typer.exceptions import TyperException

from constraints.errors import InputError
from scheduler.app.cli.app import app
from scheduler.app.cli.guard import Interrupted, interruptible, log_internal_error

# Each subcommand module registers itself on `app` when imported.
COMMAND_MODULES: tuple[str, ...] = (
    "inputs",
    "plan",
    "check",
    "forecast",
    "simulate",
    "region",
    "now",
    "replan",
)

INTERNAL_ERROR = 3
"""Exit status of an unexpected error (a bug, or memory running out): not the user's input, not the week."""
STOPPED = (130, 143)
"""Exit statuses after Ctrl-C (SIGINT) and SIGTERM: 128 + the signal number."""


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"scheduler.app.cli.{name}")


def _fail(message: str) -> None:
    print(f"错误 (error): {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return its exit status (see the module docstring)."""
    _register()
    try:
        with interruptible():
            rv = app(args=argv, standalone_mode=False)
    except Interrupted as exc:
        print("已中断, 未写入任何文件 (interrupted: nothing written)", file=sys.stderr)
        return exc.exit_status
    except InputError as exc:
        _fail(exc.describe())
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except SystemExit as exc:  # typer.Exit inside commands
        return int(exc.code or 0)
    except (KeyboardInterrupt, typer.Abort):
        print("已中断, 未写入任何文件 (interrupted: nothing written)", file=sys.stderr)
        return STOPPED[0]
    except TyperException as exc:  # usage errors: one line naming the option (or the help, asked for)
        message = exc.format_message().strip()
        show = getattr(exc, "show", None)
        if (not message or "\n" in message) and show is not None:
            show()  # the help, printed by typer (``paiban`` with no command)
        else:
            _fail(f"{message} (paiban --help)")
        return int(exc.exit_code)
    except OSError as exc:  # a file the system refuses (permission, disk full): the user can fix it
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}{exc.strerror or exc}")
        return 2
    except MemoryError as exc:
        log = log_internal_error(exc, argv)
        _fail(f"内存不足 (out of memory); 详情见 (details in) {log}")
        return INTERNAL_ERROR
    except Exception as exc:
        log = log_internal_error(exc, argv)
        _fail(f"内部错误 (internal error) {type(exc).__name__}: {exc}; 详情见 (details in) {log}")
        return INTERNAL_ERROR
    return rv if isinstance(rv, int) else 0


def console() -> NoReturn:
    """The ``paiban`` console script: :func:`main`, then exit with its status — at once after Ctrl-C or SIGTERM
    (the interpreter's clean-up of a large run takes seconds, and nothing is left to clean: the run's
    temporary files are gone already)."""
    code = main()
    if code in STOPPED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    console()
