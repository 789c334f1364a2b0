"""Tests of scheduler.solver.search: the budget's safety caps and the neighbourhoods of the LNS."""

from __future__ import annotations

import random
import time

import pytest
from factories import MONDAY, SATURDAY, tiny_problem
from ortools.sat.python import cp_model

from scheduler.solver.model import build_model
from scheduler.solver.search import DTIME_PER_SECOND, Budget, DaySearch, in_background
from scheduler.solver.variables import Assignment


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


def test_sub_solves_do_the_same_work_in_both_modes() -> None:
    """An LNS sub-solve gets its deterministic units in either mode; wall-clock mode caps it by the seconds
    left less the reserve, deterministic mode by the units left less the reserve."""
    wall, det = Budget(5.0, False, time.perf_counter()), Budget(5.0, True, time.perf_counter())
    s = cp_model.CpSolver()
    wall.limit_work(s, 0.05, 1.0)
    assert s.parameters.max_deterministic_time == pytest.approx(0.05)
    assert 3.5 < s.parameters.max_time_in_seconds <= 4.0
    det.used = det.total - 0.03
    det.limit_work(s, 0.3, 0.0)
    assert s.parameters.max_deterministic_time == pytest.approx(0.05)  # the floor: never a zero limit
    det.used = 0.0
    det.limit_work(s, 0.3, det.total - 0.1)
    assert s.parameters.max_deterministic_time == pytest.approx(0.1)


def test_background_work_returns_its_result_or_raises_its_error() -> None:
    """``in_background`` hands back what the thread computed, or raises what it raised, in the caller."""
    assert in_background(lambda: 6 * 7)() == 42

    def broken() -> int:
        raise ValueError("no bound")

    with pytest.raises(ValueError, match="no bound"):
        in_background(broken)()


def test_neighbourhoods_are_whole_days_then_a_few_people_on_a_day() -> None:
    """The LNS visits every whole day once, then ``size`` people of one day, the first of them working it."""
    built = build_model(tiny_problem([MONDAY, MONDAY.replace(day=1), SATURDAY]))
    search = DaySearch(built, seed=0, workers=1, time_limit_seconds=1.0, deterministic=True)
    people = built.vars.ids
    works = built.vars.works_indexes()
    values = [0] * search.n
    for (p, _d), i in works.items():
        values[i] = int(p == people[-1])
    rng = random.Random(0)
    first = [search.neighbourhood(k, values, 2, rng) for k in range(3)]
    assert [d for days, _ in first for d in days] == list(search.day_vars)
    assert all(who == list(people) for _, who in first)
    for k in range(3, 10):
        days, who = search.neighbourhood(k, values, 2, rng)
        assert len(days) == 1 and len(who) == min(2, len(people)) and len(set(who)) == len(who)
        assert who[0] == people[-1]  # the only one working


def test_a_few_peoples_day_takes_those_who_work_it_first_on_a_busier_day() -> None:
    """Those who work the drawn day come before those off it, and a day is drawn in proportion to the
    people who work it (a day nobody works still can be)."""
    built = build_model(tiny_problem([MONDAY, MONDAY.replace(day=1), SATURDAY]))
    search = DaySearch(built, seed=0, workers=1, time_limit_seconds=1.0, deterministic=True)
    people = built.vars.ids
    assert len(people) >= 3
    works = built.vars.works_indexes()
    days = list(search.day_vars)
    on = {days[0]: set(people), days[1]: set(people[:2]), days[2]: set()}
    values = [0] * search.n
    for (p, d), i in works.items():
        values[i] = int(p in on[d])
    rng = random.Random(0)
    drawn = {d: 0 for d in days}
    for k in range(len(days), len(days) + 600):
        (d,), who = search.neighbourhood(k, values, len(people), rng)
        drawn[d] += 1
        working = [p for p in who if p in on[d]]
        assert who[: len(working)] == working  # those at work first, then those off
        assert sorted(who) == sorted(people)
    assert drawn[days[0]] > drawn[days[1]] > drawn[days[2]] > 0


def test_person_day_blocks_split_each_day_by_person() -> None:
    """Every person-day's block starts with its works variable; the blocks partition each day's variables."""
    built = build_model(tiny_problem([MONDAY, MONDAY.replace(day=1)]))
    search = DaySearch(built, seed=0, workers=1, time_limit_seconds=1.0, deterministic=True)
    blocks = search._blocks()
    works = built.vars.works_indexes()
    assert set(blocks) == set(works)
    for key, idx in blocks.items():
        assert idx[0] == works[key]
    for d, idx in search.day_vars.items():
        assert sorted(i for (_, dd), b in blocks.items() if dd == d for i in b) == sorted(idx)


def test_two_workers_run_neighbourhoods_side_by_side_and_repeat_the_roster() -> None:
    """With two workers the small neighbourhoods run two at a time (different days) and are merged; the
    roster kept breaks no hard rule and is the same on a second run."""
    prob = tiny_problem([MONDAY, MONDAY.replace(day=1), SATURDAY])

    def run() -> tuple[list[int], list[str]]:
        built = build_model(prob)
        search = DaySearch(built, seed=0, workers=2, time_limit_seconds=6.0, deterministic=True)
        status, values = search.construct()
        assert status == "FEASIBLE" and values is not None
        values, _ = search.improve(values, 0.0)
        return values, search.log

    first, log = run()
    assert any("side by side" in line for line in log)
    second, _ = run()
    assert first == second
    built = build_model(prob)
    roster = built.vars.roster(Assignment(first))
    for rule in built.rules:
        assert not [v for v in rule.check(prob, roster) if v.hard], rule.name
