"""Tests of scheduler.search: the budget's safety caps and the neighbourhoods of the day-by-day search."""

from __future__ import annotations

import time

from factories import MONDAY, SATURDAY, tiny_problem

from scheduler.model import build_model
from scheduler.search import DTIME_PER_SECOND, Budget, DaySearch


def test_budget_gives_a_loaded_machine_longer_until_the_first_roster() -> None:
    """Deterministic mode: 10 × limit + 60 s of wall before a first roster, 3 × limit + 5 s after it."""
    t0 = time.perf_counter()
    b = Budget(5.0, True, t0)
    assert b.total == 5.0 * DTIME_PER_SECOND
    assert 100.0 < b.wall_left() <= 110.0
    b.found = True
    assert 10.0 < b.wall_left() <= 20.0


def test_wall_clock_budget_honours_the_limit_exactly() -> None:
    """Wall-clock mode: the cap is the limit itself, with or without a roster."""
    b = Budget(5.0, False, time.perf_counter())
    assert b.wall_left() <= 5.0
    b.found = True
    assert b.wall_left() <= 5.0


def test_neighbourhoods_are_single_days_then_pairs() -> None:
    """The LNS visits every single day, then every pair of days (so days off can move)."""
    built = build_model(tiny_problem([MONDAY, MONDAY.replace(day=1), SATURDAY]))
    search = DaySearch(built, seed=0, workers=1, time_limit_seconds=1.0, deterministic=True)
    hoods = search.neighbourhoods()
    assert [len(h) for h in hoods] == [1, 1, 1, 2, 2, 2]
    assert {d for h in hoods[:3] for d in h} == set(search.day_vars)
