"""Tests of scheduler.search: the budget's safety caps and the neighbourhoods of the day-by-day search."""

from __future__ import annotations

import time

from factories import MONDAY, SATURDAY, tiny_problem

from scheduler.model import build_model
from scheduler.search import DTIME_PER_SECOND, Budget, DaySearch, Hood


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


def test_neighbourhoods_are_single_days_then_their_activities_then_pairs() -> None:
    """The LNS visits every single day, then who does what on each day, then every pair of days."""
    built = build_model(tiny_problem([MONDAY, MONDAY.replace(day=1), SATURDAY]))
    search = DaySearch(built, seed=0, workers=1, time_limit_seconds=1.0, deterministic=True)
    hoods = search.neighbourhoods()
    assert [(len(h.days), h.activities) for h in hoods] == [(1, False)] * 3 + [(1, True)] * 3 + [
        (2, False)
    ] * 3
    assert {d for h in hoods[:3] for d in h.days} == set(search.day_vars)


def test_an_activities_neighbourhood_keeps_every_shift_and_lunch() -> None:
    """It fixes the other days and the day's shifts, presence and lunches, and frees exactly its activities."""
    built = build_model(tiny_problem([MONDAY, SATURDAY]))
    search = DaySearch(built, seed=0, workers=1, time_limit_seconds=1.0, deterministic=True)
    fixed = set(search._fixed(Hood((MONDAY,), activities=True)))
    acts = set(built.vars.activity_indexes(MONDAY))
    assert acts and not acts & fixed
    assert set(search.day_vars[SATURDAY]) <= fixed
    assert set(search.day_vars[MONDAY]) - acts <= fixed
    assert {built.vars.works(p, MONDAY).index for p in built.vars.ids} <= fixed
    assert set(search._fixed(Hood((MONDAY,)))) == set(search.day_vars[SATURDAY])
