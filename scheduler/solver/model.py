"""Build the CP-SAT model of a week from a Problem by letting every enabled rule encode itself.

The objective is in CNY-equivalents, integer-scaled to fen (``OBJ_SCALE``): salary and pay premiums (labour),
expected customer-waiting minutes × ``costs.customer_wait_minute`` and window-hours (demand), and the sized soft
penalties (switches, fairness, relaxed rules). Parts no roster can avoid — the contract salary, the waiting
left with every window open — are kept out of the model as constants, so the solver's gap is a gap on the
avoidable cost; ``BuiltModel.objective_cny`` adds them back. ``BuiltModel.lower_bound`` is what every roster
pays at least on top of them (:mod:`scheduler.solver.bound`): the search's certified bound.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from constraints.problem import Problem
from constraints.rules import enabled_rules, get_rule
from constraints.rules.base import PenaltyTerm, Rule
from scheduler.solver.bound import CapacityBound, forced_days_bound
from scheduler.solver.variables import RosterVars


@dataclass
class BuiltModel:
    """A model ready to solve: the CpModel, its variables, the rules in it and the objective terms."""

    model: cp_model.CpModel
    vars: RosterVars
    rules: list[Rule]
    terms: list[PenaltyTerm] = field(default_factory=list)

    @property
    def constant_cny(self) -> float:
        """The unavoidable part of the objective (outside the model)."""
        return sum(t.constant_cny for t in self.terms)

    def objective_cny(self, model_value: float) -> float:
        """CNY of a model objective value (adds the constants back)."""
        return model_value / self.vars.scale + self.constant_cny

    @property
    def objective(self) -> Any:
        """The objective expression (model units)."""
        return sum(t.expr for t in self.terms)

    def lower_bound(self) -> int:
        """A bound no roster's objective can go below, in model units: the larger of the rules' own bounds
        (:meth:`Rule.lower_bound`; the demand rule prices each slot at its cheapest window count), the
        capacity relaxation of :mod:`scheduler.solver.bound`, with the counter minimums of the rules not
        relaxed, and the rules' own bounds plus the labour costs of the days the rules force people to work
        (:func:`scheduler.solver.bound.forced_days_bound`: the rules' bounds leave labour out)."""
        problem = self.vars.problem
        active = [r for r in self.rules if r.name not in self.vars.relax]
        least = least_on_counters(problem, active)
        per_slot = sum(rule.lower_bound(problem, self.vars.scale, least) for rule in self.rules)
        names = [r.name for r in active]
        capacity = CapacityBound(problem, self.vars.scale, names, least).value()
        forced = forced_days_bound(problem, names, self.vars.scale)
        return max(per_slot, capacity or 0, per_slot + forced)

    def term_values(self, solver: Any) -> dict[str, float]:
        """Each named term in CNY in a solution (a CpSolver or an Assignment; constants included)."""
        out: dict[str, float] = {}
        for t in self.terms:
            value = solver.value(t.expr) if not isinstance(t.expr, int) else t.expr
            out[t.name] = out.get(t.name, 0.0) + value / t.scale + t.constant_cny
        return out


def least_on_counters(problem: Problem, rules: Iterable[Rule]) -> dict[tuple[dt.date, str, int], int]:
    """(date, counter, slot) → the fewest people the rules allow at that counter type (their
    :meth:`Rule.least_on_counter`, the largest where several speak)."""
    least: dict[tuple[dt.date, str, int], int] = {}
    for rule in rules:
        for day in problem.days:
            for (c, s), k in rule.least_on_counter(problem, day).items():
                key = (day.date, c, s)
                least[key] = max(least.get(key, 0), k)
    return least


def build_model(
    problem: Problem,
    *,
    rules: Iterable[str] | None = None,
    relax: Iterable[str] = (),
    assumptions: bool = False,
    relax_penalty_cny: float = 10_000.0,
    symmetry_breaking: bool = True,
    shifts: str | None = None,
) -> BuiltModel:
    """The CP-SAT model of the problem with the enabled rules (or only ``rules``).

    ``relax`` names hard rules to turn into penalised soft ones; ``assumptions`` guards every hard-rule
    constraint by an assumption literal per rule × day (for explaining infeasibility). ``shifts``: the
    formulation of :class:`RosterVars` — by default the posted shifts when the shifts rule is in the model in
    ``posted`` mode, neither relaxed nor explained (it then holds by construction), else free shifts.
    """
    relax = tuple(relax)
    for name in relax:
        get_rule(name)  # unknown names fail loudly
    chosen = enabled_rules(problem.config, rules)
    if shifts is None:
        posted = problem.config.rules.shifts.mode == "posted" and any(r.name == "shifts" for r in chosen)
        shifts = "posted" if posted and "shifts" not in relax and not assumptions else "free"
    rv = RosterVars(
        problem,
        assumptions=assumptions,
        relax=relax,
        relax_penalty_cny=relax_penalty_cny,
        symmetry_breaking=symmetry_breaking,
        shifts=shifts,
    )
    terms: list[PenaltyTerm] = []
    for rule in chosen:
        terms.extend(rule.encode(rv, problem))
    terms.extend(rv.relax_terms())
    labour = problem.config.rules.labour
    if labour.enabled and len(problem.days) >= 7:
        rv.add_shape(labour.standard_days_per_week)
    built = BuiltModel(rv.model, rv, chosen, terms)
    rv.model.minimize(built.objective)
    return built
