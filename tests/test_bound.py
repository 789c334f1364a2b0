"""Tests of scheduler.bound: the capacity relaxation never exceeds a real roster's cost, and sees lunch."""

from __future__ import annotations

import numpy as np
import pytest
from factories import MONDAY, SATURDAY, TINY_WEEK_STAFF, synthetic_demand, tiny_config, tiny_problem
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from constraints.problem import Problem
from scheduler.bound import INF, CapacityBound, _min_plus
from scheduler.model import build_model, least_on_counters
from scheduler.result import SolveParams
from scheduler.solve import solve


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
    costs = bound.day_costs(prob.days[0])
    assert (costs >= 0).all()
    assert costs[0] >= INF and costs[1] >= INF
    assert costs[-1] < INF
