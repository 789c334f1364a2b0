"""Tests of scheduler.solver.explain: prechecks in plain words, the conflicting rule × day set, and relaxation."""

from __future__ import annotations

from factories import MONDAY, SATURDAY, leave, tiny_config, tiny_problem

from scheduler.solver.explain import explain_core, find_conflict, prechecks
from scheduler.solver.result import SolveParams
from scheduler.solver.solve import solve


def _noon_vs_lunch():  # type: ignore[no-untyped-def]
    """Three people must be at the high counter all Saturday, and each of them needs an hour's lunch."""
    cfg = tiny_config(
        **{
            "rules.noon_two_at_high_counter.count": 3,
            "windows": {"high_counter": 3, "low_counter": 1, "corporate_counter": 0},
        }
    )
    return tiny_problem([SATURDAY], config=cfg)


def test_prechecks_catch_missing_people_with_names_and_reasons() -> None:
    """Leave of two of three tellers on a Saturday: the noon precheck names who is left and why."""
    prob = tiny_problem([SATURDAY], absences=[leave("C", SATURDAY), leave("D", SATURDAY, reason="病假")])
    found = prechecks(prob)
    assert [v.rule for v in found] == ["noon_two_at_high_counter"]
    assert "PD 病假" in found[0].message_zh and "PD away (病假)" in found[0].message_en


def test_prechecks_cover_lobby_permission_and_dual_control() -> None:
    """With nearly everyone away, lobby, authority and dual-control prechecks speak too."""
    away = [leave(s, MONDAY) for s in ("A", "B", "E", "F")]
    rules = {v.rule for v in prechecks(tiny_problem([MONDAY], absences=away))}
    assert {"lobby_manager", "permission_holder", "daily_routine"} <= rules


def test_prechecks_skip_relaxed_rules() -> None:
    """A relaxed rule's precheck is not run."""
    prob = tiny_problem([SATURDAY], absences=[leave("C", SATURDAY), leave("D", SATURDAY)])
    assert not prechecks(prob, relax=("noon_two_at_high_counter",))


def test_find_conflict_names_noon_and_lunch_on_the_day() -> None:
    """The model-level conflict is the noon rule and lunch on that Saturday, in both languages."""
    found = find_conflict(_noon_vs_lunch(), time_limit_seconds=10)
    rules = {(v.rule, v.date) for v in found}
    assert ("noon_two_at_high_counter", SATURDAY) in rules and ("lunch", SATURDAY) in rules
    assert found[0].rule == "conflict" and "无法同时满足" in found[0].message_zh
    assert all(v.message_en for v in found)


def test_find_conflict_is_empty_for_a_feasible_week() -> None:
    """No conflict is reported when the rules can hold."""
    assert find_conflict(tiny_problem([MONDAY]), time_limit_seconds=10) == []


def test_explain_core_without_rules_blames_the_structure() -> None:
    """An empty core means the skills and shift structure alone admit no roster."""
    found = explain_core(tiny_problem([MONDAY]), [])
    assert found[0].rule == "structure"


def test_relax_returns_a_roster_breaking_only_the_named_rule() -> None:
    """relax=("noon_two_at_high_counter",) gives a roster; its only hard breaks are of that rule, listed."""
    r = solve(_noon_vs_lunch(), SolveParams(time_limit_seconds=4, relax=("noon_two_at_high_counter",)))
    assert r.roster is not None
    assert r.hard_violations
    assert {v.rule for v in r.hard_violations} == {"noon_two_at_high_counter"}
    assert r.penalties["relax.noon_two_at_high_counter"] > 0


def test_infeasible_solve_carries_the_explanation() -> None:
    """solve() on an infeasible week returns INFEASIBLE with the conflict explained."""
    r = solve(_noon_vs_lunch(), SolveParams(time_limit_seconds=4, explain_seconds=10))
    assert r.status == "INFEASIBLE" and r.roster is None
    assert {"noon_two_at_high_counter", "lunch"} <= {v.rule for v in r.explanation}
