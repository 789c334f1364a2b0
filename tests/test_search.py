"""Tests of scheduler.search: the budget's safety caps, the neighbourhoods, and two side by side."""

from __future__ import annotations

import itertools
import time

from factories import MONDAY, SATURDAY, tiny_problem

from scheduler.model import build_model
from scheduler.search import DTIME_PER_SECOND, Budget, DaySearch, Hood, _pair_rounds
from scheduler.variables import Assignment


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


def test_pair_rounds_hold_every_pair_once_in_rounds_of_disjoint_pairs() -> None:
    """The circle method: every pair of days once; within a round (n // 2 pairs) no day twice."""
    for n in (2, 3, 4, 7):
        days = list(range(n))
        pairs = _pair_rounds(days)
        assert sorted(pairs) == list(itertools.combinations(days, 2))
        per_round = n // 2 if n % 2 == 0 else (n - 1) // 2
        for r in range(0, len(pairs), per_round):
            chunk = pairs[r : r + per_round]
            assert len({d for p in chunk for d in p}) == 2 * len(chunk)


def test_two_neighbourhoods_side_by_side_merge_into_a_feasible_roster_and_repeat() -> None:
    """With two workers the search runs two days at once from the same roster and merges them; the roster
    it keeps breaks no hard rule and is the same on a second run."""
    prob = tiny_problem([MONDAY, MONDAY.replace(day=1), SATURDAY])

    def run() -> tuple[list[int], list[str]]:
        built = build_model(prob)
        search = DaySearch(built, seed=0, workers=2, time_limit_seconds=4.0, deterministic=True)
        status, values = search.construct()
        assert status == "FEASIBLE" and values is not None
        values, _ = search.improve(values, 0.0)
        return values, search.log

    first, log = run()
    assert any("merge ok" in line for line in log)
    second, _ = run()
    assert first == second
    built = build_model(prob)
    roster = built.vars.roster(Assignment(first))
    for rule in built.rules:
        assert not [v for v in rule.check(prob, roster) if v.hard], rule.name
