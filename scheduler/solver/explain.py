"""Why a week cannot be staffed, in plain Chinese and English.

Two steps, cheapest first:

1. :func:`prechecks` — each hard rule's necessary conditions from the problem alone (e.g. "周六 11:30–13:30:
   午间高柜两人规则需要 2 名高柜人员, 只有 1 名可用: 赵敏; 黄丽 年休假; 周杰 年休假"), by rule, day, time and people.
2. :func:`find_conflict` — when the prechecks pass but the model is still infeasible: every hard-rule
   constraint is guarded by an assumption literal per rule × day; CP-SAT returns a set of them sufficient for
   infeasibility, which is shrunk by deletion (drop a literal, re-solve, keep it out if still infeasible) to a
   small conflict and explained rule by rule with the day, what the rule asks and who could do it.

``solve(problem, SolveParams(relax=("noon_two_at_high_counter",)))`` is the way out: the named rules become
heavily penalised soft constraints and each break is listed among the result's violations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ortools.sat.python import cp_model

from constraints.problem import Problem
from constraints.roster import Violation
from constraints.rules import get_rule, precheck
from constraints.rules.base import day_label
from scheduler.solver import stop
from scheduler.solver.model import Keep, build_model


def prechecks(problem: Problem, relax: Iterable[str] = ()) -> list[Violation]:
    """The cheap necessary conditions of every enabled hard rule not relaxed."""
    return precheck(problem, skip=relax)


def _solve_with(model: cp_model.CpModel, lits: list[Any], seconds: float) -> int:
    model.clear_assumptions()
    model.add_assumptions(lits)
    solver = stop.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.5, seconds)
    solver.parameters.random_seed = 0
    return int(solver.solve(model))


def find_conflict(
    problem: Problem,
    relax: Iterable[str] = (),
    time_limit_seconds: float = 20.0,
    minimize: bool = True,
    keep: Keep | None = None,
) -> list[Violation]:
    """A small set of rule × day that cannot hold together, explained; [] when the model is feasible.

    With ``keep`` (a re-plan) the kept part of the roster is fixed, so the conflict is the rules × days that
    cannot hold together *given* what is kept."""
    built = build_model(problem, relax=tuple(relax), assumptions=True, symmetry_breaking=False, keep=keep)
    model = built.model
    model.clear_objective()
    keys = list(built.vars.assumption_literals)
    lits = [built.vars.assumption_literals[k] for k in keys]
    model.add_assumptions(lits)
    solver = stop.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit_seconds / 2
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return []
    if status != cp_model.INFEASIBLE:
        return [
            Violation(
                "solver",
                None,
                None,
                None,
                "求解器未能在时限内判断冲突的规则; 请放宽规则或延长时限",
                "the solver could not find the conflicting rules in time; relax a rule or allow more time",
            )
        ]
    index = {lit.index: k for k, lit in zip(keys, lits, strict=True)}
    core = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
    core = sorted(set(core), key=keys.index)
    if minimize and 1 < len(core) <= 24:
        budget = time_limit_seconds / 2 / len(core)
        kept = list(core)
        for k in list(core):
            trial = [x for x in kept if x != k]
            if (
                _solve_with(model, [built.vars.assumption_literals[x] for x in trial], budget)
                == cp_model.INFEASIBLE
            ):
                kept = trial
        core = kept
    return explain_core(problem, core)


def explain_core(problem: Problem, core: list[tuple[str, dt.date | None]]) -> list[Violation]:
    """Plain messages for a conflicting set of rule × day."""
    if not core:
        return [
            Violation(
                "structure",
                None,
                None,
                None,
                "按员工技能和班次结构无法排出任何班表 (请检查技能、窗口数与营业时间)",
                "no roster fits the staff's skills and the shift structure (check skills, windows and hours)",
            )
        ]
    together_zh = "、".join(f"{get_rule(r).label_zh}({day_label(d) if d else '全周'})" for r, d in core)
    together_en = ", ".join(
        f"{get_rule(r).label_en} ({day_label(d, 'en') if d else 'week'})" for r, d in core
    )
    out = [
        Violation(
            "conflict",
            None,
            None,
            None,
            f"以下规则无法同时满足 (去掉任何一条即可排班): {together_zh}",
            f"these rules cannot all hold (dropping any one of them makes the week feasible): {together_en}",
        )
    ]
    for rule_name, date in core:
        rule = get_rule(rule_name)
        day = problem.day(date) if date is not None else None
        zh, en = rule.describe(problem, day)
        where_zh = day_label(date) if date else "本周"
        where_en = day_label(date, "en") if date else "this week"
        out.append(
            Violation(
                rule_name,
                date,
                None,
                None,
                f"{where_zh}: 「{rule.label_zh}」— {zh}",
                f"{where_en}: “{rule.label_en}” — {en}",
            )
        )
    return out
