"""Entry point of the ``paiban`` console script: bad input → one message on stderr, exit status 2."""

from __future__ import annotations

import sys

from constraints.errors import InputError
from scheduler.app.cli.app import app

# Each subcommand module registers itself on `app` when imported.
COMMAND_MODULES: tuple[str, ...] = ("inputs", "plan", "check", "forecast", "simulate", "replan")


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"scheduler.app.cli.{name}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return its exit status (0 ok, 1 a hard rule cannot hold, 2 bad input)."""
    _register()
    try:
        rv = app(args=argv, standalone_mode=False)
    except InputError as exc:
        print(f"错误 (error): {exc.describe()}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # typer.Exit inside commands
        return int(exc.code or 0)
    except KeyboardInterrupt:
        print("已中断 (interrupted)", file=sys.stderr)
        return 130
    except Exception as exc:  # click usage errors carry their own exit code
        code = getattr(exc, "exit_code", None)
        if code is not None and hasattr(exc, "show"):
            exc.show()
            return int(code)
        raise
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
