"""Build the CP-SAT model of a week from a Problem by letting every enabled rule encode itself.

The objective is in CNY-equivalents, integer-scaled to fen (``OBJ_SCALE``): salary and pay premiums (labour),
expected customer-waiting minutes × ``costs.customer_wait_minute`` and window-hours (demand), and the sized soft
penalties (switches, fairness, relaxed rules). Parts no roster can avoid — the contract salary, the waiting
left with every window open — are kept out of the model as constants, so the solver's gap is a gap on the
avoidable cost; ``BuiltModel.objective_cny`` adds them back. ``BuiltModel.lower_bound`` is what every roster
pays at least on top of them (:mod:`scheduler.solver.bound`): the search's certified bound.

A re-plan (:class:`Keep`) fixes the roster before a cut and prices every slot after it that differs from the
roster (``[replan] change_cost_per_hour``). The bound stays valid: fixing variables only removes rosters, and
it leaves out the change cost, which is never negative (so the gap of a re-plan is looser, never wrong).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from constraints.calendar import Day
from constraints.problem import Problem
from constraints.roster import Roster
from constraints.rules import enabled_rules, get_rule
from constraints.rules.base import PenaltyTerm, Rule
from scheduler.solver.bound import capacity_bound, forced_days_bound
from scheduler.solver.variables import RosterVars

CapacityFn = Callable[[Problem, int, list[str], dict], int | None]
"""How :meth:`BuiltModel.lower_bound` computes the capacity relaxation (problem, scale, active rules, least)."""

CHANGES = "replan.changes"
"""Name of the objective term that prices a re-plan's changes (:class:`Keep`)."""


@dataclass(frozen=True)
class Keep:
    """A roster to keep exactly before ``cut`` and to change as little as possible from it on.

    Every slot after the cut whose activity differs from ``roster`` (at work where the person was off, off or
    at lunch where they worked, another activity) costs ``change_cost_per_hour`` × its length in hours.
    ``fixed_dates`` are days after the cut kept whole as well (a repair that first tries fewer days).
    """

    roster: Roster
    cut: dt.datetime
    change_cost_per_hour: float
    fixed_dates: frozenset[dt.date] = frozenset()

    def kept_slots(self, day: Day) -> int:
        """Slots of the day kept as they are: all before the cut's date (and on a fixed date), none after
        it, those starting before its time on its date."""
        n = len(day.slot_starts)
        if day.date < self.cut.date() or day.date in self.fixed_dates:
            return n
        if day.date > self.cut.date():
            return 0
        minute = self.cut.hour * 60 + self.cut.minute
        return sum(1 for start in day.slot_starts if start < minute)

    def under_way(self, days: Iterable[Day]) -> frozenset[tuple[str, dt.date]]:
        """(staff id, date) of the shifts that started before the cut and may go on after it: these may end
        at any time (someone sent home), however short that leaves them."""
        out: set[tuple[str, dt.date]] = set()
        for day in days:
            kept = self.kept_slots(day)
            if 0 < kept < len(day.slot_starts):
                minute = day.slot_starts[kept]
                out.update(
                    (b.staff_id, day.date)
                    for b in self.roster.blocks
                    if b.date == day.date and b.start < minute
                )
        return frozenset(out)

    def kept_dates(self, days: Iterable[Day]) -> frozenset[dt.date]:
        """Dates kept whole."""
        return frozenset(d.date for d in days if self.kept_slots(d) == len(d.slot_starts))

    def kept_works(self, days: Iterable[Day], ids: Iterable[str]) -> dict[tuple[str, dt.date], int]:
        """(staff id, date) → 1/0 whether the person works that day, where the kept part decides it: every
        person on a date kept whole, and those at work before the cut on its date (they work that day)."""
        out: dict[tuple[str, dt.date], int] = {}
        people = list(ids)
        for day in days:
            kept = self.kept_slots(day)
            if kept == len(day.slot_starts):
                out.update(((p, day.date), int(self.roster.works(day.date, p))) for p in people)
            elif kept > 0:
                minute = day.slot_starts[kept]
                out.update(
                    ((b.staff_id, day.date), 1)
                    for b in self.roster.blocks
                    if b.date == day.date and b.start < minute
                )
        return out


def keep_roster(rv: RosterVars, keep: Keep) -> PenaltyTerm:
    """Fix the kept slots to ``keep.roster`` and return the term pricing every other slot that differs."""
    days = rv.days()
    rv.fix(rv.kept_values(keep.roster, {d.date: keep.kept_slots(d) for d in days}))
    terms: list[tuple[float, object]] = []
    for day in days:
        price = keep.change_cost_per_hour * day.slot_minutes / 60.0
        grid = keep.roster.grid(day, rv.ids)
        for i, p in enumerate(rv.ids):
            for s in range(keep.kept_slots(day), len(day.slot_starts)):
                terms.append((price, rv.changed(p, day.date, s, grid[i, s])))
    return rv.cost(CHANGES, "replan", terms, 0.0, ("排班变更", "Roster changes"))


@dataclass
class BuiltModel:
    """A model ready to solve: the CpModel, its variables, the rules in it and the objective terms."""

    model: cp_model.CpModel
    vars: RosterVars
    rules: list[Rule]
    terms: list[PenaltyTerm] = field(default_factory=list)
    kept_dates: frozenset[dt.date] = frozenset()
    """Days a re-plan keeps whole (:class:`Keep`): their variables are fixed, the search leaves them alone."""
    keep: Keep | None = None
    """The re-plan this model is (None for a plan)."""

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

    def lower_bound(self, capacity: CapacityFn = capacity_bound) -> int:
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
        value = capacity(problem, self.vars.scale, names, least)
        forced = forced_days_bound(problem, names, self.vars.scale, units=len(problem.week_dates()))
        return max(per_slot, value or 0, per_slot + forced)

    def quick_bound(self) -> int:
        """The part of :meth:`lower_bound` that takes no time: the rules' own bounds plus the labour costs of
        the days the rules force (a horizon reports it while its capacity bound, a week's each, is computed)."""
        problem = self.vars.problem
        active = [r for r in self.rules if r.name not in self.vars.relax]
        least = least_on_counters(problem, active)
        per_slot = sum(rule.lower_bound(problem, self.vars.scale, least) for rule in self.rules)
        names = [r.name for r in active]
        return per_slot + forced_days_bound(problem, names, self.vars.scale, units=len(problem.week_dates()))

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
    keep: Keep | None = None,
) -> BuiltModel:
    """The CP-SAT model of the problem with the enabled rules (or only ``rules``).

    ``relax`` names hard rules to turn into penalised soft ones; ``assumptions`` guards every hard-rule
    constraint by an assumption literal per rule × day (for explaining infeasibility). ``shifts``: the
    formulation of :class:`RosterVars` — by default the posted shifts when the shifts rule is in the model in
    ``posted`` mode, neither relaxed nor explained (it then holds by construction), else free shifts.
    ``keep`` makes it a re-plan (:class:`Keep`; symmetry breaking should then be off, the kept roster need
    not follow it).
    """
    relax = tuple(relax)
    for name in relax:
        get_rule(name)  # unknown names fail loudly
    chosen = enabled_rules(problem.config, rules)
    if shifts is None:
        posted = problem.config.rules.shifts.mode == "posted" and any(r.name == "shifts" for r in chosen)
        # a re-plan keeps a roster as it is (perhaps edited by hand): its free shifts carry the kept part
        shifts = "posted" if posted and "shifts" not in relax and not assumptions else "free"
    rv = RosterVars(
        problem,
        assumptions=assumptions,
        relax=relax,
        relax_penalty_cny=relax_penalty_cny,
        symmetry_breaking=symmetry_breaking,
        shifts=shifts,
        leave_early=keep.under_way(problem.days) if keep is not None else (),
    )
    terms: list[PenaltyTerm] = []
    for rule in chosen:
        terms.extend(rule.encode(rv, problem))
    terms.extend(rv.relax_terms())
    kept: frozenset[dt.date] = frozenset()
    if keep is not None:
        terms.append(keep_roster(rv, keep))
        kept = keep.kept_dates(rv.days())
    labour = problem.config.rules.labour
    weeks = [w for w in problem.week_dates() if len(w) >= 7]  # each full calendar week of the plan
    if labour.enabled and weeks:
        rv.add_shape(labour.standard_days_per_week, weeks if len(weeks) > 1 else None)
    built = BuiltModel(rv.model, rv, chosen, terms, kept, keep)
    rv.model.minimize(built.objective)
    return built
