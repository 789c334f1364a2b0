"""Tests of scheduler.solver.search: the work budget and its clocks, and the neighbourhoods of the LNS."""

from __future__ import annotations

import random
import threading
import time

import pytest
from factories import MONDAY, SATURDAY, tiny_problem, tiny_week
from ortools.sat.python import cp_model

from scheduler.solver import search as search_module
from scheduler.solver.model import build_model
from scheduler.solver.search import Background, Budget, DaySearch, round_down
from scheduler.solver.variables import Assignment


class Clock:
    """A stand-in for ``time.perf_counter`` that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The search module's clock, frozen and moved by hand."""
    c = Clock()
    monkeypatch.setattr(search_module.time, "perf_counter", c)
    return c


def test_budget_is_sized_from_the_pace_measured_since_the_mark(clock: Clock) -> None:
    """Units used plus what the pace measured since the mark fits before the target, two significant
    digits, rounded down — again as the pace changes, while no solve can be cut by it; a given budget
    stays; unsized the budget is unlimited in units and the search stops at the target."""
    b = Budget(target=clock.now + 10.0, deadline=clock.now + 11.0, deterministic=True)
    assert b.left() == float("inf") and b.running()
    b.used = 0.4  # the construct, at another pace
    clock.now += 1.0
    b.mark()
    clock.now += 2.0
    b.used += 1.0  # 0.5 units a second since the mark
    b.size()
    assert b.total == pytest.approx(round_down(1.4 + 0.5 * 7.0)) == pytest.approx(4.9)
    b.mark()
    clock.now += 2.0
    b.used += 2.0  # faster now: 1 unit a second since the last mark
    assert b.resizable(0.0, widest=0.3)
    b.size()
    assert b.total == pytest.approx(round_down(3.4 + 1.0 * 5.0)) == pytest.approx(8.4)
    assert not b.resizable(0.0, widest=5.1)  # a solve could be cut by it: no longer
    given = Budget(target=clock.now + 10.0, deadline=clock.now + 11.0, deterministic=True, units=2.0)
    given.size()
    assert given.total == 2.0 and not given.resizable(0.0, widest=0.1)
    assert round_down(23.47) == pytest.approx(23.0) and round_down(0.01234) == pytest.approx(0.012)


def test_the_clock_cuts_an_unfinished_deterministic_budget(clock: Clock) -> None:
    """Past the hard deadline with work left, the search stops and the run is marked cut; a budget spent
    stops it without a cut; before sizing, the target stops it (and cuts)."""
    b = Budget(target=clock.now + 5.0, deadline=clock.now + 6.0, deterministic=True, units=3.0)
    clock.now += 5.5
    assert b.running() and not b.cut  # sized: the deadline, not the target, stops it
    clock.now += 1.0
    assert not b.running() and b.cut
    done = Budget(target=clock.now + 5.0, deadline=clock.now + 6.0, deterministic=True, units=3.0)
    done.used = 3.0
    assert not done.running() and not done.cut
    unsized = Budget(target=clock.now + 5.0, deadline=clock.now + 6.0, deterministic=True)
    clock.now += 5.0
    assert not unsized.running() and unsized.cut
    wall = Budget(target=clock.now + 5.0, deadline=clock.now + 6.0, deterministic=False)
    clock.now += 5.0
    assert not wall.running() and not wall.cut  # wall-clock mode never claims reproducibility anyway


def test_sub_solves_do_the_same_work_in_both_modes(clock: Clock) -> None:
    """A solve gets its deterministic units in either mode; deterministic mode caps them by the units left
    less the reserve (never below the floor) and the seconds by the deadline, wall-clock mode the seconds
    by the target less the reserve."""
    wall = Budget(target=clock.now + 5.0, deadline=clock.now + 6.0, deterministic=False)
    det = Budget(target=clock.now + 5.0, deadline=clock.now + 6.0, deterministic=True, units=2.0)
    s = cp_model.CpSolver()
    wall.limit(s, 0.05, reserve=1.0)
    assert s.parameters.max_deterministic_time == pytest.approx(0.05)
    assert s.parameters.max_time_in_seconds == pytest.approx(4.0)
    det.used = det.total - 0.03
    det.limit(s, 0.3)
    assert s.parameters.max_deterministic_time == pytest.approx(0.05)  # the floor: never a zero limit
    assert s.parameters.max_time_in_seconds == pytest.approx(6.0)
    det.used = 0.0
    det.limit(s, 0.3, reserve=1.9)
    assert s.parameters.max_deterministic_time == pytest.approx(0.1)
    det.limit(s, 0.3, seconds=2.0)
    assert s.parameters.max_time_in_seconds == pytest.approx(2.0)


def test_background_work_returns_its_result_or_raises_its_error() -> None:
    """``Background`` hands back what the thread computed, or raises what it raised, in the caller; waited
    for until a moment that has passed, unfinished work gives None."""
    assert Background(lambda: 6 * 7).result() == 42

    def broken() -> int:
        raise ValueError("no bound")

    with pytest.raises(ValueError, match="no bound"):
        Background(broken).result()
    release = threading.Event()
    slow = Background(release.wait)
    assert slow.result(time.perf_counter() + 0.01) is None and not slow.done()
    release.set()
    assert slow.result() is True


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
        search = DaySearch(
            built, seed=0, workers=2, time_limit_seconds=30.0, deterministic=True, work_units=1.5
        )
        status, values = search.construct()
        assert status == "FEASIBLE" and values is not None
        values, _ = search.improve(values)
        return values, search.log

    first, log = run()
    assert any("side by side" in line for line in log)
    second, _ = run()
    assert first == second
    built = build_model(prob)
    roster = built.vars.roster(Assignment(first))
    for rule in built.rules:
        assert not [v for v in rule.check(prob, roster) if v.hard], rule.name


def test_the_polish_sizes_the_budget_again_from_its_probe_and_replays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A polish with room for it probes first, sizes the budget from the probe's pace and spends the rest in
    one more solve; a search given the final budget takes the same two steps to the same roster."""
    monkeypatch.setattr(search_module, "POLISH_PROBE_UNITS", 0.2)
    prob = tiny_week()

    def run(units: float | None) -> tuple[list[int], DaySearch]:
        search = DaySearch(
            build_model(prob), seed=0, workers=1, time_limit_seconds=4.0, deterministic=True, work_units=units
        )
        status, values = search.construct()
        assert status == "FEASIBLE" and values is not None
        if units is None:
            search.budget.total = search.budget.used + 0.5  # as the moves before sized it
        values, _ = search.polish(values, room=0.0)
        return values, search

    first, search = run(None)
    assert len([line for line in search.log if "polish step" in line]) == 2
    assert any("budget sized" in line for line in search.log)
    if search.budget.cut:
        pytest.skip("the clock cut the polish on this machine")
    assert search.budget.total is not None
    second, replay = run(search.budget.total)
    assert len([line for line in replay.log if "polish step" in line]) == 2
    assert second == first


def test_the_prover_beside_the_polish_proves_the_optimum_as_a_bound() -> None:
    """CP-SAT's lower-bound tree search on a copy of the model reports its bounds to the search: on a small
    plan it reaches the optimum the whole-model polish proves (far above the capacity relaxation)."""
    prob = tiny_problem([MONDAY, SATURDAY])
    proved = DaySearch(
        build_model(prob), seed=0, workers=1, time_limit_seconds=60.0, deterministic=True, work_units=30.0
    )
    _, values = proved.construct()
    assert values is not None
    values, status = proved.polish(values)  # one worker: no prover
    assert status == "OPTIMAL"
    built = build_model(prob)
    search = DaySearch(built, seed=0, workers=2, time_limit_seconds=60.0, deterministic=True)
    search.construct()  # sets the objective
    prover = search_module._Prover(search)
    finished = prover._work.result(time.perf_counter() + 30.0)
    prover.stop()
    if finished is None:
        pytest.skip("the prover did not finish in 30 s on this machine")
    assert search.bound == pytest.approx(proved._eval(values))
    assert search.bound is not None and search.bound > built.lower_bound()


def test_a_small_plans_polish_keeps_the_budget_its_moves_reserved() -> None:
    """A plan of one or two days (or a re-plan) reserved its polish's share from the start: the polish does
    not size the budget again (a replay given it reserves the same share)."""
    search = DaySearch(
        build_model(tiny_problem([MONDAY, SATURDAY])),
        seed=0,
        workers=1,
        time_limit_seconds=4.0,
        deterministic=True,
    )
    _, values = search.construct()
    assert values is not None
    total = search.budget.total = search.budget.used + 2 * search_module.POLISH_PROBE_UNITS + 1.0
    search.polish(values)
    assert search.budget.total == total
    assert not any("budget sized" in line for line in search.log)
