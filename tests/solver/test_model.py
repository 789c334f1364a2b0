"""Tests of scheduler.solver.model: the rules encode into one model with a CNY objective of named terms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from factories import MONDAY, SATURDAY, TINY_WEEK_STAFF, tiny_config, tiny_problem
from ortools.sat.python import cp_model

from constraints.problem import Problem
from constraints.rules import get_rule
from scheduler.solver.model import BuiltModel, build_model
from scheduler.solver.variables import OBJ_SCALE


def test_every_enabled_rule_is_encoded_with_named_cost_terms() -> None:
    """The built model lists the enabled rules and the expected named terms (wait, salary, switches…)."""
    b = build_model(tiny_problem([MONDAY]))
    assert b.rules[0].name == "demand"
    names = {t.name for t in b.terms}
    assert {
        "demand.wait",
        "demand.open_windows",
        "labour.salary",
        "skills.switches",
        "fairness.spread",
    } <= names
    assert all(t.scale == OBJ_SCALE for t in b.terms)


def test_rules_subset_and_disabled_rules() -> None:
    """build_model(rules=…) encodes only those; a disabled rule is never encoded."""
    b = build_model(tiny_problem([MONDAY]), rules=["labour"])
    assert [r.name for r in b.rules] == ["labour"]
    cfg = tiny_config(**{"rules.fairness.enabled": False})
    b2 = build_model(tiny_problem([MONDAY], config=cfg))
    assert "fairness" not in [r.name for r in b2.rules]


def test_objective_adds_the_unavoidable_constants_back() -> None:
    """objective_cny(model value) = value / scale + the constants (contract salary, waiting floor)."""
    b = build_model(tiny_problem([MONDAY]))
    salary = next(t for t in b.terms if t.name == "labour.salary")
    assert salary.constant_cny == 6 * 8 * 60.0  # six people, a fifth of 40 h, 60 CNY an hour
    assert b.objective_cny(0) == b.constant_cny
    assert b.objective_cny(250) == b.constant_cny + 2.5


def test_solved_term_values_sum_to_the_objective() -> None:
    """The named terms of a solution add up to the objective in CNY."""
    b = build_model(tiny_problem([MONDAY]))
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = 5
    s.parameters.num_workers = 2
    assert s.solve(b.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    values = b.term_values(s)
    assert abs(sum(values.values()) - b.objective_cny(s.objective_value)) < 1e-6 * max(
        1.0, sum(values.values())
    )


def test_assumption_literals_exist_per_rule_and_day() -> None:
    """With assumptions, every hard rule's constraints sit under a (rule, day) literal; labour also per week."""
    b = build_model(tiny_problem([MONDAY]), assumptions=True)
    keys = set(b.vars.assumption_literals)
    assert ("noon_two_at_high_counter", MONDAY) in keys
    assert ("labour", None) in keys
    assert not any(r == "fairness" for r, _ in keys)


def test_relaxed_rule_becomes_a_penalty_term() -> None:
    """relax=(rule,) adds a relax.<rule> term priced per broken constraint."""
    b = build_model(tiny_problem([MONDAY]), relax=("noon_two_at_high_counter",), relax_penalty_cny=5000)
    term = next(t for t in b.terms if t.name == "relax.noon_two_at_high_counter")
    assert term.rule == "noon_two_at_high_counter"


@pytest.mark.parametrize(
    ("dates", "level"), [([MONDAY], 1.0), ([MONDAY], 2.0), ([SATURDAY], 1.0), ([MONDAY, SATURDAY], 0.5)]
)
def test_lower_bound_never_exceeds_the_optimum(dates: list, level: float) -> None:
    """The model's lower bound is at most the proven optimum of small plans, and above zero with demand."""
    b = build_model(tiny_problem(dates, level=level))
    s = cp_model.CpSolver()  # CP-SAT's own proof, independent of the bound under test
    s.parameters.max_time_in_seconds = 60
    s.parameters.num_workers = 1
    s.parameters.linearization_level = 2
    assert s.solve(b.model) == cp_model.OPTIMAL
    assert 0 < b.lower_bound() <= s.objective_value


def test_lower_bound_prices_what_the_noon_rule_forces() -> None:
    """Without customers the bound is the window-hours the noon rule forces (two high windows at noon)."""
    prob = tiny_problem([MONDAY], demand=False)
    cfg = prob.config
    per_slot = round(cfg.rules.demand.open_window_cny_per_hour * cfg.grid.slot_minutes / 60 * OBJ_SCALE)
    day = prob.days[0]
    noon = get_rule("noon_two_at_high_counter").least_on_counter(prob, day)
    assert noon and set(noon.values()) == {2}
    assert build_model(prob).lower_bound() == 2 * per_slot * len(noon)
    off = prob.replace(config=tiny_config(**{"rules.noon_two_at_high_counter.enabled": False}))
    assert build_model(off).lower_bound() == 0
    assert build_model(prob, relax=["noon_two_at_high_counter"]).lower_bound() == 0


def _labour_model_solves(problem: Problem, add: Callable[[BuiltModel], None]) -> bool:
    """True when the labour rule's model of ``problem`` with ``add``'s constraints has a solution."""
    b = build_model(problem, rules=["labour"], symmetry_breaking=False)
    add(b)
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = 20
    st = s.solve(b.model)
    assert st in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE), s.status_name(st)
    return st != cp_model.INFEASIBLE


def _two_weeks(**config: object) -> Problem:
    return Problem.for_horizon(tiny_config(**config), TINY_WEEK_STAFF, MONDAY, 2)


def _day(k: int) -> dt.date:
    return MONDAY + dt.timedelta(days=k)


def test_a_horizon_model_keeps_the_days_in_a_row_across_the_week_boundary() -> None:
    """One model over two weeks: C at work Thursday to the next Wednesday (seven in a row, each week with a
    rest day) has no solution; Friday to Wednesday (six) has."""
    prob = _two_weeks()

    def works(days: range, off: tuple[int, ...] = ()) -> Callable[[BuiltModel], None]:
        def add(b: BuiltModel) -> None:
            for k in days:
                b.model.add(b.vars.works("C", _day(k)) == 1)
            for k in off:
                b.model.add(b.vars.works("C", _day(k)) == 0)

        return add

    assert not _labour_model_solves(prob, works(range(3, 10)))
    assert _labour_model_solves(prob, works(range(4, 10), off=(3, 10)))


def test_a_horizon_model_keeps_the_rest_from_sunday_night_to_monday() -> None:
    """With 17 h of rest between shifts, C leaving at 16:30 on Sunday cannot start at 08:30 on Monday in the
    one model over two weeks; at 09:30 they can."""
    prob = _two_weeks(**{"labor.min_rest_hours": 17})
    sunday, monday = _day(6), _day(7)

    def start_at(minute: int) -> Callable[[BuiltModel], None]:
        def add(b: BuiltModel) -> None:
            rv = b.vars
            b.model.add(rv.works("C", sunday) == 1)
            b.model.add(rv.works("C", monday) == 1)
            b.model.add(rv.shift_end("C", sunday) == 16 * 60 + 30)
            b.model.add(rv.shift_start("C", monday) == minute)

        return add

    assert not _labour_model_solves(prob, start_at(8 * 60 + 30))
    assert _labour_model_solves(prob, start_at(9 * 60 + 30))


def test_a_horizon_model_holds_the_weekly_hours_in_each_week() -> None:
    """C cannot work 41 h in week one and make up with fewer in week two (the cap is per week); 40 and 36 h
    hold; and 34 h in week two is under its floor even after 40 in week one."""
    prob = _two_weeks()

    def hours(first: tuple[int, int], second: tuple[int, int]) -> Callable[[BuiltModel], None]:
        def add(b: BuiltModel) -> None:
            rv = b.vars
            for k, (lo, hi) in enumerate((first, second)):
                paid = sum(rv.paid_minutes("C", _day(7 * k + i)) for i in range(7))
                b.model.add(paid >= lo * 60)
                b.model.add(paid <= hi * 60)

        return add

    assert not _labour_model_solves(prob, hours((41, 48), (0, 39)))
    assert _labour_model_solves(prob, hours((40, 40), (36, 36)))
    assert not _labour_model_solves(prob, hours((40, 40), (0, 34)))
