"""Stopping a running search from outside: Ctrl-C and SIGTERM reach CP-SAT within milliseconds.

Every CP-SAT solve paiban runs goes through :class:`CpSolver`, which registers itself while it solves.
:func:`request_stop` (called by the CLI's signal watcher, from any thread) calls ``stop_search`` on each of
them, and any solve started afterwards returns at once, until :func:`reset`. CP-SAT's own SIGINT handler is
switched off: it would swallow Ctrl-C (stopping one sub-solve of many) before the caller could see it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ortools.sat.python import cp_model

STOP_POLL_SECONDS = 0.02
"""How often :func:`request_stop` repeats ``stop_search`` while solves are still registered (a solve that
registered but had not yet started when it was first called does not see the first one)."""

_lock = threading.Lock()
_active: set[cp_model.CpSolver] = set()
_stopped = threading.Event()


class CpSolver(cp_model.CpSolver):
    """CP-SAT's solver, stoppable by :func:`request_stop`."""

    def solve(self, model: cp_model.CpModel, solution_callback: Any = None) -> Any:
        """Solve as CP-SAT does; at once (status UNKNOWN) when a stop was requested."""
        self.parameters.catch_sigint_signal = False
        with _lock:
            if _stopped.is_set():
                self.parameters.max_time_in_seconds = 0.0
            _active.add(self)
        try:
            return super().solve(model, solution_callback)
        finally:
            with _lock:
                _active.discard(self)


def request_stop() -> None:
    """Stop every running solve and make later ones return at once; returns when none is running."""
    _stopped.set()
    while True:
        with _lock:
            running = list(_active)
        if not running:
            return
        for solver in running:
            solver.stop_search()
        time.sleep(STOP_POLL_SECONDS)


def stop_requested() -> bool:
    """True after :func:`request_stop`, until :func:`reset`."""
    return _stopped.is_set()


def reset() -> None:
    """Allow solves again (a new run in the same process)."""
    _stopped.clear()
