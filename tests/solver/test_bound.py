"""Tests of scheduler.solver.bound: the capacity relaxation and the forced-days bound never exceed a real roster's
cost; they see lunch, the days the rules force and holiday pay."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from factories import MONDAY, SATURDAY, TINY_WEEK_STAFF, synthetic_demand, tiny_config, tiny_problem
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

import scheduler.solver.bound as bound_module
from constraints.problem import Problem
from constraints.rules.labour import plan_weeks, weekly_hours
from constraints.rules.noon_two_at_high_counter import NoonTwoAtHighCounter
from scheduler.solver.bound import (
    INF,
    CapacityBound,
    _min_plus,
    capacity_bound,
    forced_days_bound,
    noon_in_waves,
    people_needed,
    staffing_conflict,
)
from scheduler.solver.model import build_model, least_on_counters
from scheduler.solver.result import SolveParams
from scheduler.solver.solve import solve
from scheduler.solver.variables import OBJ_SCALE


def capacity(prob: Problem, off: tuple[str, ...] = ()) -> int | None:
    """The capacity bound with the enabled rules less ``off``."""
    built = build_model(prob)
    return CapacityBound(
        prob, built.vars.scale, [r.name for r in built.rules if r.name not in off], {}
    ).value()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 50), st.just(INF)), min_size=1, max_size=6),
    st.lists(st.one_of(st.integers(0, 50), st.just(INF)), min_size=1, max_size=9),
)
def test_min_plus_is_the_brute_force_convolution(a: list[int], b: list[int]) -> None:
    """_min_plus(a, b)[t] = min over i of a[i] + b[t − i], infinities staying infinite."""
    want = [INF] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            want[i + j] = min(want[i + j], min(x + y, INF))
    got = _min_plus(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))
    assert got.tolist() == want


@pytest.mark.parametrize("off", [(), ("lunch",), ("daily_routine",), ("labour",)])
@pytest.mark.parametrize("dates", [[MONDAY], [SATURDAY], [MONDAY, SATURDAY]])
def test_capacity_bound_never_exceeds_the_proven_optimum(dates: list, off: tuple[str, ...]) -> None:
    """Whatever rules it keeps, the relaxation's value is at most CP-SAT's proven optimum of the plan."""
    prob = tiny_problem(dates)
    built = build_model(prob)
    s = cp_model.CpSolver()  # CP-SAT's own proof, independent of the bound
    s.parameters.max_time_in_seconds = 60
    s.parameters.num_workers = 1
    s.parameters.linearization_level = 2
    assert s.solve(built.model) == cp_model.OPTIMAL
    value = capacity(prob, off)
    assert value is not None and 0 < value <= s.objective_value


def test_capacity_bound_on_a_week_is_below_the_solved_roster_and_above_the_per_slot_bound() -> None:
    """On a full week it lies between the per-slot bound and a solved roster, and the solve reports it."""
    prob = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob))
    built = build_model(prob)
    per_slot = sum(r.lower_bound(prob, built.vars.scale, {}) for r in built.rules)
    value = capacity(prob)
    r = solve(prob, SolveParams(time_limit_seconds=6.0))
    assert r.objective is not None and value is not None
    assert per_slot < value <= (r.objective - built.constant_cny) * built.vars.scale
    assert r.best_bound is not None  # the solve reports it as its certified bound (or a better one it proved)
    assert r.best_bound >= built.objective_cny(value) - 1e-6


def test_lunch_and_the_weekly_rules_raise_the_bound() -> None:
    """Dropping the lunch or the labour rule from the relaxation can only lower it, and here it does."""
    prob = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob, level=1.5))
    full = capacity(prob)
    assert full is not None
    for off in ("lunch", "labour"):
        lower = capacity(prob, (off,))
        assert lower is not None and lower < full, off


def test_day_costs_stay_infinite_where_the_noon_rule_cannot_hold() -> None:
    """On a weekend (two at the high counter all day) fewer than two people cost INF, never a wrapped sum."""
    prob = tiny_problem([SATURDAY])
    built = build_model(prob)
    least = least_on_counters(prob, built.rules)
    bound = CapacityBound(prob, built.vars.scale, [r.name for r in built.rules], least)
    costs = bound.day_costs(prob.days[0])  # [people of the key pool, of the other, on short shifts]
    assert (costs >= 0).all() and (costs <= INF).all()
    na, nb, _ = costs.shape
    by_people = [
        min(int(costs[a, h - a].min()) for a in range(max(0, h - nb + 1), min(h, na - 1) + 1))
        for h in range(na + nb - 1)
    ]
    assert by_people[0] >= INF and by_people[1] >= INF
    assert by_people[-1] < INF


def _week(level: float) -> tuple[Problem, list[str], dict]:
    prob = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob, level=level))
    built = build_model(prob)
    return prob, [r.name for r in built.rules], least_on_counters(prob, built.rules)


def test_two_pools_count_the_high_counter_staff_apart_and_only_tighten_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the noon rule the counter people split into those able to staff the high counter and the others;
    pooling them all is a looser relaxation, and on the tiny week a strictly looser one."""
    prob, names, least = _week(1.0)
    two = CapacityBound(prob, OBJ_SCALE, names, least)
    assert two.key == "high_counter"
    assert [sorted(p.staff_id for p in pool) for pool in two.pools] == [
        ["B", "C", "D", "G", "I"],
        ["E", "F", "H"],
    ]
    monkeypatch.setattr(bound_module, "MAX_POOL_PAIRS", 0)
    one = CapacityBound(prob, OBJ_SCALE, names, least)
    assert one.key is None and len(one.pools[0]) == 8 and one.pools[1] == []
    v_one, v_two = one.value(), two.value()
    assert v_one is not None and v_two is not None and v_one < v_two


@pytest.mark.parametrize("level", [1.0, 2.0])
def test_pricing_short_shifts_raises_the_bound_and_stays_below_a_roster(level: float) -> None:
    """The Lagrangian price on short shifts lifts the bound above its value at price 0, and the bound
    still lies below the cost of a solved roster."""
    prob, names, least = _week(level)
    cb = CapacityBound(prob, OBJ_SCALE, names, least)
    value = cb.value()
    at_zero = cb._value_at([0] * len(cb.kinds))
    assert value is not None and at_zero is not None and value > at_zero
    assert cb.prices[0] > 0  # the weekdays' short shifts carry a price
    r = solve(prob, SolveParams(time_limit_seconds=6.0))
    built = build_model(prob)
    assert r.objective is not None
    assert value <= (r.objective - built.constant_cny) * built.vars.scale


def test_person_costs_pay_the_minutes_a_short_day_loses() -> None:
    """A five-day week with a short weekday costs the unused hours of the minutes it loses."""
    prob, names, least = _week(1.0)
    cb = CapacityBound(prob, OBJ_SCALE, names, least)
    table = cb.person_costs(prob.staff.people[2])  # C: a 40-hour teller, no leave
    assert cb.kinds == [480, 390]
    per_minute = round(prob.config.rules.labour.unused_hour_cny / 60 * OBJ_SCALE)  # as the model rounds it
    assert table[5, 0, 0, 0] == 0  # five long weekdays: the whole contract
    assert table[5, 0, 1, 0] == (480 - cb.short_paid[480]) * per_minute
    assert table[5, 0, 5, 0] >= INF  # five short days fall below the contract floor


def forced(prob: Problem, off: tuple[str, ...] = ()) -> int:
    """The forced-days bound with the enabled rules less ``off``."""
    built = build_model(prob)
    return forced_days_bound(prob, [r.name for r in built.rules if r.name not in off], built.vars.scale)


@pytest.mark.parametrize("off", [(), ("lunch",), ("lobby_manager",)])
@pytest.mark.parametrize("dates", [[MONDAY], [SATURDAY], [MONDAY, SATURDAY]])
def test_forced_days_bound_never_exceeds_the_proven_optimum(dates: list, off: tuple[str, ...]) -> None:
    """Whatever rules it keeps, the labour costs of the days the rules force, plus the rules' own bounds,
    stay at most CP-SAT's proven optimum of the plan."""
    prob = tiny_problem(dates)
    built = build_model(prob)
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = 60
    s.parameters.num_workers = 1
    s.parameters.linearization_level = 2
    assert s.solve(built.model) == cp_model.OPTIMAL
    per_slot = sum(r.lower_bound(prob, built.vars.scale, {}) for r in built.rules)
    assert 0 <= per_slot + forced(prob, off) <= s.objective_value


def test_a_week_whose_lobby_needs_more_days_than_five_each_is_priced_its_rest_day() -> None:
    """Nine people, four of them lobby-capable: a floor, a backup and a relief every day take 21 of their
    person-days, one more than five days each — the rest-day premium of one day, and the bound the solve
    reports is above the capacity relaxation alone and below the roster."""
    prob = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob))
    lobby = [p.staff_id for p in TINY_WEEK_STAFF if p.can("lobby")]
    assert len(lobby) == 4
    built = build_model(prob)
    costs = prob.config.costs
    rest_day = round((costs.rest_day_multiplier - 1) * costs.staff_hour / 60 * 480 * built.vars.scale)
    value = forced(prob)
    assert rest_day <= value < 2 * rest_day
    assert forced(prob, ("lobby_manager",)) < rest_day  # the lobby's days are what it prices
    needs = people_needed(prob, prob.days[0], {r.name for r in built.rules})
    assert (frozenset(lobby), 3) in needs


def test_holiday_premium_raises_the_bound_of_an_open_holiday() -> None:
    """A statutory holiday opened for business: whoever staffs a window or the lobby floor is paid the
    holiday premium, so the capacity bound of the day rises by at least the floor's premium."""
    holiday = MONDAY.replace(day=1)  # not a holiday in the calendar: make it one by override of the day
    prob = tiny_problem([holiday], staff=TINY_WEEK_STAFF)
    day = prob.days[0]
    opened = dataclasses.replace(day, day_type="holiday")
    as_holiday = prob.replace(days=(opened,))
    built = build_model(as_holiday)
    names = [r.name for r in built.rules]
    least = least_on_counters(as_holiday, built.rules)
    plain = CapacityBound(prob, OBJ_SCALE, names, least_on_counters(prob, built.rules)).value()
    premium = CapacityBound(as_holiday, OBJ_SCALE, names, least)
    value = premium.value()
    assert plain is not None and value is not None
    assert value - plain >= premium.lobby_floor(opened) > 0


@pytest.mark.parametrize("shifts", ["posted", "free"])
def test_the_noon_counter_in_two_lunch_waves_needs_twice_its_count(shifts: str) -> None:
    """Posted shifts lunching in two waves, counter staff to the close (轧账): each wave leaves the noon counter
    ``count`` of the others, so 2 × count people work it — the solved roster has at least that many there at
    noon; with free shifts the wave argument does not hold and gives nothing."""
    cfg = tiny_config(**{"rules.daily_routine.late_meeting": None})
    if shifts == "free":
        cfg = cfg.copy_with(**{"rules.shifts.enabled": False})
    prob = tiny_problem([MONDAY], config=cfg, staff=TINY_WEEK_STAFF)
    built = build_model(prob)
    on = {r.name for r in built.rules}
    day = prob.days[0]
    noon = NoonTwoAtHighCounter().slots(prob, day)
    high = frozenset(p.staff_id for p in prob.staff if p.can("high_counter"))
    need = noon_in_waves(prob, day, noon, on, high, 2)
    if shifts == "free":
        assert need == 0
        return
    assert need == 4
    r = solve(prob, SolveParams(time_limit_seconds=10))
    assert r.roster is not None and r.ok
    grid = r.roster.grid(day, prob.staff.ids())
    at_noon = {
        prob.staff.ids()[i] for i in range(grid.shape[0]) for s in noon if grid[i, s] == "high_counter"
    }
    assert len(at_noon) >= need


def test_hours_the_noon_counter_forces_beyond_the_contract_are_priced_and_stay_below_a_roster() -> None:
    """Five cash-capable people, seven open days, two lunch waves: four a day at the noon counter, each on a
    shift to the close — 28 such days, more than five days each, so some work a sixth 8-h day beyond their
    40 h (overtime allowed). The forced-days bound prices those hours (salary and premium) on top of the
    rest-day premium, and stays below the labour cost of a solved roster."""
    cfg = tiny_config(**{"rules.daily_routine.late_meeting": None, "labor.max_weekly_overtime_hours": 8})
    prob = Problem.for_week(cfg, TINY_WEEK_STAFF, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob))
    built = build_model(prob)
    names = [r.name for r in built.rules]
    high = frozenset(p.staff_id for p in prob.staff if p.can("high_counter"))
    assert all((high, 4) in people_needed(prob, d, set(names)) for d in prob.days)
    value = forced_days_bound(prob, names, built.vars.scale) / built.vars.scale
    costs = cfg.costs
    rest_day = (costs.rest_day_multiplier - 1) * costs.staff_hour * 8
    assert value >= 3 * rest_day + 3 * 4 * costs.staff_hour  # three sixth days, each ≥ 4 h beyond 40
    r = solve(prob, SolveParams(time_limit_seconds=20))
    assert r.roster is not None and r.ok
    labour = sum(v for k, v in r.penalties.items() if k.startswith("labour.") and k != "labour.salary")
    contract = sum(weekly_hours(prob, p).expected for p in prob.staff) * costs.staff_hour / 60
    assert value <= labour + r.penalties["labour.salary"] - contract  # salary beyond the expected hours


@pytest.mark.parametrize("overtime", [0, 8])
def test_a_week_the_days_cannot_staff_is_explained_by_its_needs(overtime: int) -> None:
    """Five cash-capable people, seven open days, four a day at the noon counter in two lunch waves: 28 days
    at 8 h, more than five people's 40 h give. Without overtime solve() says so before any search — the
    noon need, its days and people, and the labour limits; with 8 h of overtime the days allow it."""
    cfg = tiny_config(
        **{"rules.daily_routine.late_meeting": None, "labor.max_weekly_overtime_hours": overtime}
    )
    prob = Problem.for_week(cfg, TINY_WEEK_STAFF, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob))
    active = [r.name for r in build_model(prob).rules]
    found = staffing_conflict(prob, active)
    if overtime:
        assert found == []
        return
    high = sorted(p.staff_id for p in prob.staff if p.can("high_counter"))
    noon = [v for v in found if v.rule == "noon_two_at_high_counter"]
    assert noon and noon[0].staff_ids == tuple(high) and "4 名午间高柜人员" in noon[0].message_zh
    assert found[-1].rule == "labour"
    r = solve(prob, SolveParams(time_limit_seconds=30))
    assert r.status == "INFEASIBLE" and r.roster is None
    assert [v.rule for v in r.explanation] == [v.rule for v in found]
    assert not r.search_log and not r.progress  # no search ran: the days alone told


def test_a_horizon_bound_is_its_weeks_bounds_summed_and_below_its_roster() -> None:
    """Two weeks as one model: the capacity bound is each calendar week's, summed (so twice one week's when the
    weeks are alike), and the certified bound stays below the cost of a roster the search finds."""
    prob = Problem.for_horizon(tiny_config(), TINY_WEEK_STAFF, MONDAY, 2)
    prob = prob.replace(demand=synthetic_demand(prob))
    week = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    week = week.replace(demand=synthetic_demand(week))
    built = build_model(prob)
    names = [r.name for r in built.rules]
    least = least_on_counters(prob, built.rules)
    weeks = [CapacityBound(w, OBJ_SCALE, names, least).value() for w in plan_weeks(prob)]
    one = CapacityBound(week, OBJ_SCALE, names, least_on_counters(week, built.rules)).value()
    assert one is not None and weeks == [one, one]
    assert capacity_bound(prob, OBJ_SCALE, names, least) == 2 * one
    result = solve(prob, SolveParams(time_limit_seconds=10, seed=0))
    assert result.objective is not None
    assert built.objective_cny(built.lower_bound()) <= result.objective + 1e-6
