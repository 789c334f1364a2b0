"""Tests of scheduler.solver.solve: rosters that hold every rule, reproducibility, progress, limits and infeasibility."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from factories import (
    MONDAY,
    SATURDAY,
    TINY_STAFF,
    TINY_WEEK_STAFF,
    leave,
    person,
    synthetic_demand,
    tiny_config,
    tiny_problem,
    tiny_week,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constraints.problem import Problem
from constraints.rules import check_roster, labour
from constraints.staff import Staff
from scheduler.solver.model import build_model
from scheduler.solver.result import Progress, SolveParams
from scheduler.solver.search import days_pattern, grace_seconds
from scheduler.solver.solve import relative_gap, solve

FAST = SolveParams(time_limit_seconds=3.0, seed=0, workers=2)


def test_tiny_day_is_solved_to_optimality_and_passes_every_check() -> None:
    """One day of the tiny branch: optimal, with every hard rule holding in the returned roster."""
    prob = tiny_problem([MONDAY])
    r = solve(prob, FAST)
    assert r.status == "OPTIMAL"
    assert r.roster is not None and r.ok
    assert not [v for v in check_roster(prob, r.roster) if v.hard]
    assert r.gap == 0.0
    assert r.objective is not None and r.best_bound is not None and r.best_bound <= r.objective + 1e-6


def test_same_seed_gives_the_same_roster() -> None:
    """Two solves with the same seed and work budget return identical rosters (deterministic mode; a budget
    sized from the measured pace differs from run to run, see the work-units tests below)."""
    prob = tiny_problem([MONDAY, SATURDAY])
    params = SolveParams(time_limit_seconds=300.0, seed=0, workers=2, work_units=0.3)
    a = solve(prob, params)
    b = solve(prob, params)
    assert a.reproducible and b.reproducible
    assert a.roster is not None and b.roster is not None
    assert a.to_frame().equals(b.to_frame())
    assert a.objective == b.objective


def test_progress_callback_sees_improving_objectives() -> None:
    """The progress hook sees a falling objective, seconds since the start, and last the result's figures."""
    seen: list[Progress] = []
    prob = tiny_problem([MONDAY, SATURDAY])
    r = solve(prob, SolveParams(time_limit_seconds=3.0, progress_callback=seen.append))
    objs = [p.objective for p in seen if p.objective is not None]
    assert objs and objs == sorted(objs, reverse=True)
    assert all(p.seconds >= 0 for p in seen)
    last = seen[-1]
    assert (last.objective, last.bound, last.gap) == (r.objective, r.best_bound, r.gap)
    assert list(r.progress) == seen


def test_precheck_failure_returns_at_once_with_reasons() -> None:
    """A week no roster can staff is INFEASIBLE without a roster, with the reason by rule, day and people."""
    prob = tiny_problem([SATURDAY], absences=[leave("C", SATURDAY), leave("D", SATURDAY)])
    r = solve(prob, FAST)
    assert r.status == "INFEASIBLE" and r.roster is None and not r.ok
    assert r.explanation and r.explanation[0].rule == "noon_two_at_high_counter"
    assert r.explanation[0].date == SATURDAY


def test_non_deterministic_mode_also_returns_a_valid_roster() -> None:
    """The wall-clock mode (parallel portfolio in sub-solves) gives a roster holding every rule."""
    prob = tiny_problem([MONDAY, SATURDAY])
    r = solve(prob, SolveParams(time_limit_seconds=3.0, deterministic=False))
    assert r.roster is not None and r.ok


def test_relative_gap() -> None:
    """The gap is (objective − bound) / objective, 0 when both are 0, never negative."""
    assert relative_gap(100.0, 90.0) == pytest.approx(0.1)
    assert relative_gap(0.0, 0.0) == 0.0
    assert relative_gap(100.0, 120.0) == 0.0


def test_days_pattern_respects_leave_and_works_a_rest_day_only_where_staff_is_short() -> None:
    """The starting days-off pattern keeps people on leave home and everyone between the standard five days
    and the week less its rest day; a sixth day only where five each cannot meet the rules' headcount
    estimates — a branch twice the size works five days each."""
    cfg = tiny_config()
    away = MONDAY + dt.timedelta(days=2)
    prob = Problem.for_week(cfg, TINY_STAFF, MONDAY, absences=[leave("C", away)])
    prob = prob.replace(demand=synthetic_demand(prob))
    pat = days_pattern(prob)
    assert pat is not None and pat[("C", away)] == 0
    worked = {sid: sum(pat[(sid, d.date)] for d in prob.days) for sid in TINY_STAFF.ids()}
    assert all(5 <= n <= 6 for n in worked.values())
    assert max(worked.values()) == 6  # three cash tellers cannot give four a day in five days each
    twice = Staff(
        people=TINY_STAFF.people
        + tuple(p.model_copy(update={"staff_id": p.staff_id + "2"}) for p in TINY_STAFF.people)
    )
    big = Problem.for_week(cfg, twice, MONDAY)
    big = big.replace(demand=synthetic_demand(big))
    pat2 = days_pattern(big)
    assert pat2 is not None
    assert all(sum(pat2[(sid, d.date)] for d in big.days) == 5 for sid in twice.ids())


def test_week_of_tiny_branch_holds_every_rule() -> None:
    """A full week of a nine-person branch: a roster holding every hard rule, with each labour term priced."""
    prob = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob))
    r = solve(prob, SolveParams(time_limit_seconds=6.0))
    assert r.roster is not None and r.ok, r.explanation
    for sid in TINY_WEEK_STAFF.ids():
        assert sum(r.roster.works(d.date, sid) for d in prob.days) <= 6
    assert {"labour.salary", "labour.rest_day_pay", "demand.wait"} <= set(r.penalties)
    paid = labour.pay(prob, r.roster).terms()
    for name in labour.PAY_TERMS:  # the roster's pay, solver-free, is what the objective charged for it
        assert paid[name] == pytest.approx(r.penalties[name], abs=0.01), name


# ---- every roster the solver returns passes every check -------------------------------------------------

EXTRA_SKILLS = st.sampled_from(
    [("high_counter", "low_counter"), ("lobby", "low_counter"), ("corporate_counter",), (), ("lobby",)]
)


@st.composite
def small_branches(draw: st.DrawFn) -> Problem:
    """The tiny branch plus 0–2 random people, random leave, 1–2 days and a few rule settings."""
    extra = draw(st.lists(EXTRA_SKILLS, min_size=0, max_size=2))
    people = list(TINY_STAFF.people) + [
        person(f"X{i}", "personal_teller" if "high_counter" in sk else "wealth_manager", sk)
        for i, sk in enumerate(extra)
    ]
    staff = Staff(people=tuple(people))
    dates = draw(
        st.sampled_from([[MONDAY], [SATURDAY], [MONDAY, MONDAY + dt.timedelta(days=1)], [MONDAY, SATURDAY]])
    )
    away = []
    for sid in draw(st.lists(st.sampled_from(staff.ids()), max_size=2, unique=True)):
        hours = draw(st.sampled_from([None, "09:00-11:00", "14:00-17:30"]))
        away.append(leave(sid, dates[0], hours))
    cfg = tiny_config(
        **{
            "rules.noon_two_at_high_counter.count": draw(st.sampled_from([1, 2])),
            "rules.lobby_manager.backup": draw(st.booleans()),
            "rules.demand.min_open_minutes": draw(st.sampled_from([30, 60])),
            "rules.skills.max_switches_per_day": draw(st.sampled_from([3, 6])),
        }
    )
    return tiny_problem(
        dates, config=cfg, staff=staff, absences=away, level=draw(st.sampled_from([0.5, 1.0, 1.5]))
    )


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_branches())
def test_every_returned_roster_passes_every_check(prob: Problem) -> None:
    """Whatever small branch: a roster the solver returns never breaks a hard rule's check."""
    r = solve(prob, SolveParams(time_limit_seconds=2.0, workers=2))
    if r.roster is None:
        assert r.status in ("INFEASIBLE", "UNKNOWN")
        if r.status == "INFEASIBLE":
            assert r.explanation
        return
    hard = [v for v in check_roster(prob, r.roster) if v.hard]
    assert not hard, [v.message_en for v in hard]
    built = build_model(prob)
    assert r.objective is not None and built.objective_cny(built.lower_bound()) <= r.objective + 1e-6


@pytest.mark.slow
def test_sample_week_holds_every_hard_rule(examples: object) -> None:
    """The sample branch's week (14 staff, 15-minute slots) solves with every hard rule holding."""
    from pathlib import Path

    from constraints.config import load_config
    from constraints.staff import read_staff

    folder = Path(str(examples))
    cfg = load_config(folder / "branch.toml")
    staff = read_staff(folder / "staff.csv")
    prob = Problem.for_week(cfg, staff, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob))
    r = solve(prob, SolveParams(time_limit_seconds=20.0))
    assert r.roster is not None and r.ok, [v.message_en for v in r.hard_violations]


def test_warm_start_from_a_roster_keeps_it_when_it_still_holds() -> None:
    """SolveParams(start=roster) starts from that roster; the result is at least as good and holds every rule."""
    prob = tiny_problem([MONDAY, SATURDAY])
    first = solve(prob, SolveParams(time_limit_seconds=2.0))
    assert first.roster is not None and first.objective is not None
    again = solve(prob, SolveParams(time_limit_seconds=2.0, start=first.roster))
    assert again.roster is not None and again.ok
    assert again.objective is not None and again.objective <= first.objective + 1e-6
    assert any("start roster as given: OPTIMAL" in line or "FEASIBLE" in line for line in again.search_log)


def test_warm_start_from_a_broken_roster_is_repaired() -> None:
    """A start roster that breaks rules after a what-if (someone now on leave) is repaired, not returned."""
    prob = tiny_problem([MONDAY])
    first = solve(prob, SolveParams(time_limit_seconds=2.0))
    assert first.roster is not None
    worker = next(sid for sid in ("E", "F") if first.roster.works(MONDAY, sid))
    changed = prob.replace(absences=(leave(worker, MONDAY, "14:00-17:30"),))
    again = solve(changed, SolveParams(time_limit_seconds=3.0, start=first.roster))
    assert again.roster is not None and again.ok


def test_the_time_limit_is_kept_when_the_work_budget_is_not() -> None:
    """Asked for far more work than the limit holds, a week returns within the limit and its grace (with a
    generous margin: this is no speed test), says the clock cut it (not reproducible), keeps its roster and
    reports the budget it had."""
    prob = tiny_week()
    started = time.perf_counter()
    r = solve(prob, SolveParams(time_limit_seconds=4.0, work_units=1000.0))
    wall = time.perf_counter() - started
    assert wall <= 4.0 + grace_seconds(4.0) + 5.0
    assert r.solve_seconds <= wall
    assert not r.reproducible and r.work_units == 1000.0
    assert r.summary()["reproducible"] is False and r.summary()["parameters"]["work_units"] == 1000.0
    assert r.roster is not None and r.ok


def test_a_budget_spent_within_the_limit_is_reproducible_from_its_work_units() -> None:
    """A work budget the limit holds is spent to the end: reproducible, and the same seed with the same
    units gives the same roster (the limit is only a safety net then)."""
    prob = tiny_week()
    first = solve(prob, SolveParams(time_limit_seconds=300.0, work_units=0.6))
    assert first.reproducible and first.work_units == 0.6 and first.roster is not None
    again = solve(prob, SolveParams(time_limit_seconds=300.0, work_units=first.work_units))
    assert again.to_frame().equals(first.to_frame()) and again.objective == first.objective


@pytest.mark.parametrize("days", [7, 2])
def test_a_budget_sized_from_the_pace_replays_from_the_units_it_reports(days: int) -> None:
    """Without given units the budget is sized from the pace the run measured; its report replays it: the
    same roster from the same seed and those units — also on a two-day plan, which keeps a share of the
    budget for its polish (a replay keeps it from the first step)."""
    prob = tiny_week(days)
    sized = solve(prob, SolveParams(time_limit_seconds=8.0))
    assert sized.work_units is not None and sized.work_units > 0 and sized.roster is not None
    if not sized.reproducible:  # the machine too loaded to spend even the budget it sized
        pytest.skip("the clock cut the sized run short on this machine")
    replay = solve(prob, SolveParams(time_limit_seconds=300.0, work_units=sized.work_units))
    assert replay.reproducible
    assert replay.to_frame().equals(sized.to_frame())


def test_the_last_progress_event_shows_the_result() -> None:
    """The progress hook's last event carries the result's own objective and bound (what the progress bar
    ends on is what summary.json says)."""
    seen: list[Progress] = []
    prob = tiny_problem([MONDAY, SATURDAY])
    r = solve(prob, SolveParams(time_limit_seconds=30.0, work_units=0.3, progress_callback=seen.append))
    assert seen and r.objective is not None
    assert seen[-1].objective == pytest.approx(r.objective)
    assert r.best_bound is not None and seen[-1].bound is not None and seen[-1].bound >= r.best_bound - 1e-6
