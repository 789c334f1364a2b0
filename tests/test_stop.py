"""scheduler.solver.stop: a running CP-SAT solve stops when asked from another thread, and later ones too."""

from __future__ import annotations

import threading
import time

import factories as f
import pytest
from ortools.sat.python import cp_model

from scheduler.solver import stop

LIMIT = 120.0
"""Time limit of the solves that must be stopped (they would run that long)."""


@pytest.fixture(autouse=True)
def _reset() -> object:
    yield
    stop.reset()


def _long_solver() -> stop.CpSolver:
    s = stop.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = LIMIT
    return s


def test_request_stop_ends_a_running_solve() -> None:
    """A solve running in a thread ends (before its limit) once request_stop is called from another."""
    solver = _long_solver()
    status: list[int] = []
    th = threading.Thread(target=lambda: status.append(solver.solve(f.hard_model())))
    th.start()
    time.sleep(0.5)  # the solve is under way
    stop.request_stop()  # returns once no solve is running
    th.join(timeout=30)
    assert not th.is_alive() and status
    assert solver.wall_time < LIMIT  # stopped, not timed out
    assert stop.stop_requested()


def test_solves_after_a_stop_return_at_once_until_reset() -> None:
    """After request_stop a new solve returns without searching; after reset it solves again."""
    stop.request_stop()
    solver = _long_solver()
    assert solver.solve(f.hard_model()) in (cp_model.UNKNOWN, cp_model.FEASIBLE)
    assert solver.wall_time < LIMIT
    stop.reset()
    m = cp_model.CpModel()
    x = m.new_int_var(0, 5, "x")
    m.maximize(x)
    small = stop.CpSolver()
    assert small.solve(m) == cp_model.OPTIMAL and small.value(x) == 5


def test_cp_sat_does_not_catch_sigint() -> None:
    """CP-SAT's own SIGINT handler is off in paiban's solves (it would swallow Ctrl-C sub-solve by sub-solve)."""
    m = cp_model.CpModel()
    m.new_int_var(0, 1, "x")
    s = stop.CpSolver()
    s.solve(m)
    assert s.parameters.catch_sigint_signal is False
