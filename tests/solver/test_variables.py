"""Tests of scheduler.solver.variables: the container's structure and its answers to the rules' questions."""

from __future__ import annotations

import numpy as np
import pytest
from factories import MONDAY, TINY_STAFF, tiny_config, tiny_problem
from ortools.sat.python import cp_model

from constraints.rules.base import ModelVars
from scheduler.solver.variables import Assignment, RosterVars, shift_templates


def _solve(rv: RosterVars) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = 5
    assert s.solve(rv.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return s


def test_container_implements_the_protocol() -> None:
    """RosterVars is a ModelVars (the protocol the rules are written against)."""
    rv = RosterVars(tiny_problem([MONDAY]))
    assert isinstance(rv, ModelVars)


@pytest.mark.parametrize("shifts", ["free", "templates"])
def test_a_forced_person_works_one_piece_with_lunch_inside(shifts: str) -> None:
    """Forcing a long day: presence is one run, lunch lies strictly inside it, paid minutes exclude lunch."""
    prob = tiny_problem([MONDAY])
    rv = RosterVars(prob, shifts=shifts)
    d = MONDAY
    n = len(prob.days[0].slot_starts)
    rv.model.add(rv.present("C", d, 0) == 1)
    rv.model.add(rv.present("C", d, n - 1) == 1)
    rv.model.add(sum(rv.lunch_starts("C", d).values()) == 1)
    s = _solve(rv)
    row = [s.value(rv.present("C", d, k)) for k in range(n)]
    assert row == [1] * n
    brk = [s.value(rv.at_lunch("C", d, k)) for k in range(n)]
    assert sum(brk) == 2 and brk[0] == 0 and brk[-1] == 0
    assert s.value(rv.paid_minutes("C", d)) == n * 30 - 60
    assert s.value(rv.long_shift("C", d)) == 1


def test_activities_only_for_skills_and_open_hours() -> None:
    """No counter variable without the skill or outside opening hours; the meeting only before opening."""
    prob = tiny_problem([MONDAY])
    rv = RosterVars(prob)
    day = prob.days[0]
    first_open = day.open_slots[0]
    assert not rv.can("A", MONDAY, first_open, "high_counter")  # the president has no cash skill
    assert rv.can("C", MONDAY, first_open, "high_counter")
    assert not rv.can("C", MONDAY, 0, "high_counter")  # before opening
    assert rv.can("C", MONDAY, 0, "meeting") and not rv.can("C", MONDAY, first_open, "meeting")
    assert isinstance(rv.doing("A", MONDAY, first_open, "high_counter"), int)


def test_presence_is_contiguous_whatever_the_solver_chooses() -> None:
    """In any solution every person's day is one run of present slots."""
    prob = tiny_problem([MONDAY])
    rv = RosterVars(prob)
    s = _solve(rv)
    n = len(prob.days[0].slot_starts)
    for p in TINY_STAFF.ids():
        row = np.array([s.value(rv.present(p, MONDAY, k)) for k in range(n)])
        assert np.count_nonzero(np.diff(np.concatenate([[0], row, [0]])) == 1) <= 1


def test_on_counter_and_holders_sum_people() -> None:
    """on_counter counts the people at a counter; holders_present counts holders not at lunch."""
    prob = tiny_problem([MONDAY])
    rv = RosterVars(prob)
    s0 = prob.days[0].open_slots[0]
    rv.model.add(rv.doing("C", MONDAY, s0, "high_counter") == 1)
    rv.model.add(rv.doing("D", MONDAY, s0, "high_counter") == 1)
    rv.model.add(rv.present("A", MONDAY, s0) == 1)
    rv.model.add(rv.present("B", MONDAY, s0) == 0)
    s = _solve(rv)
    assert s.value(rv.on_counter("high_counter", MONDAY, s0)) == 2
    assert s.value(rv.holders_present("operations", MONDAY, s0)) == 1


def test_identical_people_are_grouped_for_symmetry_breaking() -> None:
    """The two tellers and the two wealth managers are interchangeable; the president is not."""
    rv = RosterVars(tiny_problem([MONDAY]))
    groups = sorted(sorted(g) for g in rv.identical_groups())
    assert groups == [["C", "D"], ["E", "F"]]


def test_assignment_reads_a_solution_like_a_solver() -> None:
    """Assignment evaluates expressions and literals from a value vector, and rebuilds the same roster."""
    rv = RosterVars(tiny_problem([MONDAY]))
    s = _solve(rv)
    a = Assignment(list(s.response_proto.solution))
    assert a.value(rv.paid_minutes("C", MONDAY)) == s.value(rv.paid_minutes("C", MONDAY))
    assert rv.roster(a) == rv.roster(s)


def test_add_with_a_rule_uses_assumptions_or_relaxation() -> None:
    """Rule constraints get an assumption literal per rule × day, or a relaxation literal when relaxed."""
    prob = tiny_problem([MONDAY])
    rv = RosterVars(prob, assumptions=True)
    rv.add(rv.works("C", MONDAY) == 1, "labour", MONDAY)
    assert ("labour", MONDAY) in rv.assumption_literals
    rv2 = RosterVars(prob, relax=("labour",))
    rv2.add(rv2.works("C", MONDAY) == 1, "labour", MONDAY)
    assert len(rv2.relax_literals) == 1 and rv2.relax_terms()[0].name == "relax.labour"


def test_false_constant_constraint_makes_the_model_infeasible() -> None:
    """add(False) (a rule asking the impossible) is kept as an infeasible constraint, not dropped."""
    rv = RosterVars(tiny_problem([MONDAY]))
    rv.add(False, "labour", MONDAY)
    s = cp_model.CpSolver()
    assert s.solve(rv.model) == cp_model.INFEASIBLE


def test_shift_templates_cover_the_day_in_hour_steps() -> None:
    """Templates start on every slot and last from the shortest shift up to the whole day."""
    cfg = tiny_config()
    day = tiny_problem([MONDAY], config=cfg).days[0]
    temps = shift_templates(tiny_problem([MONDAY]), day)
    lengths = sorted({t.length for t in temps})
    assert lengths[0] == 8 and lengths[-1] == len(day.slot_starts)
