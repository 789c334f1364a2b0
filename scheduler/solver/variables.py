"""The one variables container of the roster model: it implements ``constraints.rules.base.ModelVars``.

Structure per person and working day:

* **shifts**, in one of three formulations: *posted* (the default, ``rules.shifts`` in ``posted`` mode): one
  template ``x[t]`` per posted shift of the day (:func:`constraints.rules.shifts.posted_shifts`), lunch only at
  its waves; *templates*: a shift starts on any slot of the staff-time grid and lasts a length from a set
  (``rules.labour.min_shift_hours`` up to the whole staff day in ``shift_step_minutes`` steps, plus the whole
  day); either way at most one template a day, so every shift is one piece by construction and
  ``works = Σ x``; *free*: any run of present slots (start/end indicators, a minimum length);
* **presence** ``present[s] = Σ x[t] over the templates covering s`` (Booleans, channelled);
* **lunch** ``lunch[k]``: a lunch of ``lunch.minutes`` may start at k inside the lunch window, only strictly
  inside a chosen shift; ``break[s] = Σ lunch[k] covering s``;
* **activities** ``a[s, act]`` for the activities the person can do in that slot (counters and the lobby
  only with the skill and only when the doors are open; the meeting only before opening; back office
  always); exactly one per present slot: ``Σ_act a[s, act] + break[s] = present[s]``.

A re-plan names person-days already under way at its cut (``leave_early``): their shift may end before
``rules.labour.min_shift_hours`` (someone sent home sick), the ``free`` shifts only.

Rules add constraints through :meth:`RosterVars.add`, which also makes them *explainable* (an assumption
literal per rule × day, when built for explanation) or *relaxable* (a literal per constraint whose breach
costs ``relax_penalty_cny``). Identical people (same post, skills, authorities, hours, preferences and
absences) are ordered by their weekly pattern of working days to break symmetry.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model
from ortools.sat.python import cp_model_helper as cmh

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES
from constraints.problem import Problem
from constraints.roster import OFF, Roster
from constraints.rules.base import PenaltyTerm
from constraints.rules.daily_routine import meeting_slots
from constraints.rules.lunch import lunch_slots, lunch_starts, slots_without_lunch
from constraints.rules.shifts import person_shifts

OBJ_SCALE = 100
"""Objective units per CNY (fen)."""


class Assignment:
    """Values of every model variable (by proto index), answering like a solver: ``value``, ``boolean_value``."""

    def __init__(self, values: Sequence[int]) -> None:
        self._response = cmh.CpSolverResponse()
        self._response.solution.extend(int(v) for v in values)

    def value(self, expr: Any) -> int:
        """Value of a linear expression."""
        if isinstance(expr, int | float):
            return int(expr)
        return int(cmh.ResponseHelper.value(self._response, expr))

    def boolean_value(self, lit: Any) -> bool:
        """Value of a literal."""
        if isinstance(lit, int | bool):
            return bool(lit)
        return bool(cmh.ResponseHelper.boolean_value(self._response, lit))


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift of slots [start, end) of a day's staff-time grid; ``lunch``: the slots its lunch may start at
    (None: any, strictly inside the shift)."""

    start: int
    end: int
    lunch: tuple[int, ...] | None = None

    @property
    def length(self) -> int:
        """Slots long."""
        return self.end - self.start

    def covers(self, s: int) -> bool:
        """True when slot s is inside the shift."""
        return self.start <= s < self.end


def shift_templates(problem: Problem, day: Day) -> list[ShiftTemplate]:
    """Every shift a person may work that day (start on the grid, length from the template set)."""
    n = len(day.slot_starts)
    if n == 0:
        return []
    prm = problem.config.rules.labour
    slot = day.slot_minutes
    lo = max(1, math.ceil(prm.min_shift_hours * 60 / slot))
    step = max(1, prm.shift_step_minutes // slot)
    lengths = sorted({*range(lo, n + 1, step), n} if lo <= n else {n})
    return [ShiftTemplate(a, a + length) for length in lengths for a in range(0, n - length + 1)]


class RosterVars:
    """CP-SAT variables of one week's roster, and the answers to the rules' questions."""

    def __init__(
        self,
        problem: Problem,
        model: cp_model.CpModel | None = None,
        *,
        assumptions: bool = False,
        relax: Iterable[str] = (),
        relax_penalty_cny: float = 10_000.0,
        symmetry_breaking: bool = True,
        shifts: str = "free",
        leave_early: Iterable[tuple[str, dt.date]] = (),
    ) -> None:
        if shifts not in ("free", "templates", "posted"):
            raise ValueError(f"shifts must be 'free', 'templates' or 'posted', not {shifts!r}")
        self.shifts = shifts
        self.problem = problem
        self.model = model or cp_model.CpModel()
        self.scale = OBJ_SCALE
        self.use_assumptions = assumptions
        self.relax = frozenset(relax)
        self.relax_penalty_cny = relax_penalty_cny
        self.leave_early = frozenset(leave_early)
        self.ids = problem.staff.ids()
        self._people = {p.staff_id: p for p in problem.staff}
        self._days = [d for d in problem.days if d.slot_starts]
        self._by_date = {d.date: d for d in self._days}
        self.assumption_literals: dict[tuple[str, dt.date | None], Any] = {}
        self.relax_literals: list[tuple[str, dt.date | None, Any]] = []
        self.shape_literal: Any = None
        self.symmetry_groups: list[list[str]] = []
        self._false = self.model.new_constant(0)
        self._x: dict[tuple[str, dt.date], list[tuple[ShiftTemplate, Any]]] = {}
        self._start: dict[tuple[str, dt.date], list[Any]] = {}
        self._end: dict[tuple[str, dt.date], list[Any]] = {}
        self._long: dict[tuple[str, dt.date], Any] = {}
        self._works: dict[tuple[str, dt.date], Any] = {}
        self._present: dict[tuple[str, dt.date], list[Any]] = {}
        self._act: dict[tuple[str, dt.date, int], dict[str, Any]] = {}
        self._lunch: dict[tuple[str, dt.date], dict[int, Any]] = {}
        self._break: dict[tuple[str, dt.date], list[Any]] = {}
        for day in self._days:
            for p in self.ids:
                self._build(p, day)
        if symmetry_breaking:
            self._break_symmetry()

    # ---- structure -----------------------------------------------------------------------------------------

    def _build_templates(self, p: str, day: Day, tag: str) -> None:
        """Shift = one template of the day (a posted shift; or start on the grid, length from the set)."""
        m, d, n = self.model, day.date, len(day.slot_starts)
        key = (p, d)
        chosen = (
            [ShiftTemplate(s.start, s.end, s.lunch) for s in person_shifts(self.problem, day, p)]
            if self.shifts == "posted"
            else shift_templates(self.problem, day)
        )
        temps = [(t, m.new_bool_var(f"x_{tag}_{t.start}_{t.end}")) for t in chosen]
        self._x[key] = temps
        works = m.new_bool_var(f"works_{tag}")
        m.add(sum(v for _, v in temps) == works)
        self._works[key] = works
        present = []
        for s in range(n):
            v = m.new_bool_var(f"present_{tag}_{s}")
            m.add(sum(x for t, x in temps if t.covers(s)) == v)
            present.append(v)
        self._present[key] = present
        self._start[key] = [sum(x for t, x in temps if t.start == s) for s in range(n)]
        self._end[key] = [sum(x for t, x in temps if t.end == s + 1) for s in range(n)]
        limit = self.problem.config.lunch.min_shift_hours * 60
        self._long[key] = sum(x for t, x in temps if t.length * day.slot_minutes > limit)

    def _build_free(self, p: str, day: Day, tag: str) -> None:
        """Shift = one run of present slots: start/end indicators, a minimum length, sparse constraints."""
        m, d, n = self.model, day.date, len(day.slot_starts)
        key = (p, d)
        prm = self.problem.config.rules.labour
        min_len = min(n, max(1, math.ceil(prm.min_shift_hours * 60 / day.slot_minutes)))
        if key in self.leave_early:  # already at work when a re-plan starts: may go home at any time
            min_len = 1
        works = m.new_bool_var(f"works_{tag}")
        present = [m.new_bool_var(f"present_{tag}_{s}") for s in range(n)]
        start = [m.new_bool_var(f"start_{tag}_{s}") for s in range(n)]
        end = [m.new_bool_var(f"end_{tag}_{s}") for s in range(n)]
        for s in range(n):
            before = present[s - 1] if s > 0 else 0
            after = present[s + 1] if s + 1 < n else 0
            m.add(start[s] >= present[s] - before)
            m.add(start[s] <= present[s])
            m.add(end[s] >= present[s] - after)
            m.add(end[s] <= present[s])
            if s > 0:
                m.add(start[s] + present[s - 1] <= 1)
            if s + 1 < n:
                m.add(end[s] + present[s + 1] <= 1)
            m.add(works >= present[s])
            if s + min_len > n:
                m.add(start[s] == 0)
            else:
                for j in range(1, min_len):
                    m.add_implication(start[s], present[s + j])
        m.add(sum(start) == works)
        m.add(sum(end) == works)
        self._works[key] = works
        self._present[key] = present
        self._start[key] = start
        self._end[key] = end
        limit = slots_without_lunch(self.problem, day)
        long = m.new_bool_var(f"long_{tag}")
        m.add(sum(present) >= limit + 1).only_enforce_if(long)
        m.add(sum(present) <= limit).only_enforce_if(long.Not())
        self._long[key] = long

    def _build(self, p: str, day: Day) -> None:
        m, d, n = self.model, day.date, len(day.slot_starts)
        key = (p, d)
        tag = f"{p}_{d:%m%d}"
        if self.shifts in ("templates", "posted"):
            self._build_templates(p, day, tag)
        else:
            self._build_free(p, day, tag)
        present = self._present[key]
        works = self._works[key]
        # lunch: a start k whose whole lunch lies in the window, strictly inside the shift
        length = lunch_slots(self.problem, day)
        lunch: dict[int, Any] = {}
        if length > 0:
            for k in lunch_starts(self.problem, day):
                if self.shifts in ("templates", "posted"):
                    inside = [
                        x
                        for t, x in self._x[key]
                        if (
                            k in t.lunch
                            if t.lunch is not None
                            else t.start <= k - 1 and t.end >= k + length + 1
                        )
                    ]
                    if not inside:
                        continue
                    v = m.new_bool_var(f"lunch_{tag}_{k}")
                    m.add(v <= sum(inside))
                else:
                    v = m.new_bool_var(f"lunch_{tag}_{k}")
                    m.add_implication(v, present[k - 1])
                    m.add_implication(v, present[k + length])
                lunch[k] = v
            if lunch:
                m.add(sum(lunch.values()) <= works)
        self._lunch[key] = lunch
        breaks: list[Any] = []
        for s in range(n):
            cover = [v for k, v in lunch.items() if k <= s < k + length]
            if cover:
                brk = m.new_bool_var(f"break_{tag}_{s}")
                m.add(sum(cover) == brk)
                breaks.append(brk)
            else:
                breaks.append(0)
        self._break[key] = breaks
        person = self._people[p]
        meet = set(meeting_slots(self.problem, day))
        open_set = set(day.open_slots)
        for s in range(n):
            acts: dict[str, Any] = {}
            allowed = ["back_office"]
            if s in open_set:
                allowed += [c for c in COUNTER_TYPES if person.can(c) and self.problem.windows(c) > 0]
                if person.can("lobby"):
                    allowed.append("lobby")
            if s in meet:
                allowed.append("meeting")
            for act in allowed:
                acts[act] = m.new_bool_var(f"{act}_{tag}_{s}")
            m.add(sum(acts.values()) + breaks[s] == present[s])
            self._act[(p, d, s)] = acts

    def identical_groups(self) -> list[list[str]]:
        """Groups (2+) of interchangeable people: same post, skills, authorities, hours, preferences, absences."""
        groups: dict[tuple[Any, ...], list[str]] = {}
        for person in self.problem.staff:
            away = tuple(
                sorted(
                    (a.date, a.hours.start if a.hours else -1, a.hours.end if a.hours else -1)
                    for a in self.problem.absences
                    if a.staff_id == person.staff_id
                )
            )
            key = (
                person.post,
                tuple(sorted(person.skills)),
                tuple(sorted(person.authorities)),
                person.weekly_hours,
                person.max_daily_hours,
                tuple(sorted(person.prefer_off)),
                person.avoid_late,
                person.prev_consecutive_days,
                person.comp_days_owed,
                person.prev_shift_end,
                person.prev_weekend_days,
                person.prev_holiday_days,
                person.prev_late_days,
                away,
            )
            groups.setdefault(key, []).append(person.staff_id)
        return [g for g in groups.values() if len(g) > 1]

    def _break_symmetry(self) -> None:
        """Order identical people by their working-day pattern (lexicographic leader)."""
        n = len(self._days)
        self.symmetry_groups = self.identical_groups()
        for members in self.symmetry_groups:
            for a, b in itertools.pairwise(members):
                pattern_a = sum(
                    (1 << (n - 1 - i)) * self._works[(a, d.date)] for i, d in enumerate(self._days)
                )
                pattern_b = sum(
                    (1 << (n - 1 - i)) * self._works[(b, d.date)] for i, d in enumerate(self._days)
                )
                self.model.add(pattern_a >= pattern_b)

    # ---- the ModelVars questions -----------------------------------------------------------------------------

    def days(self) -> Sequence[Day]:
        """Days with a staff-time grid."""
        return self._days

    def works(self, p: str, d: dt.date) -> Any:
        """1 when the person works that day."""
        return self._works.get((p, d), 0)

    def present(self, p: str, d: dt.date, s: int) -> Any:
        """1 when at work in the slot (lunch included)."""
        row = self._present.get((p, d))
        return row[s] if row is not None and 0 <= s < len(row) else 0

    def doing(self, p: str, d: dt.date, s: int, activity: str) -> Any:
        """1 when doing the activity in the slot."""
        if activity == "break":
            return self.at_lunch(p, d, s)
        return self._act.get((p, d, s), {}).get(activity, 0)

    def can(self, p: str, d: dt.date, s: int, activity: str) -> bool:
        """True when the model has a variable for it."""
        if activity == "break":
            row = self._break.get((p, d))
            return row is not None and 0 <= s < len(row) and not isinstance(row[s], int)
        return activity in self._act.get((p, d, s), {})

    def at_lunch(self, p: str, d: dt.date, s: int) -> Any:
        """1 when at lunch."""
        row = self._break.get((p, d))
        return row[s] if row is not None and 0 <= s < len(row) else 0

    def lunch_starts(self, p: str, d: dt.date) -> dict[int, Any]:
        """Possible lunch starts."""
        return self._lunch.get((p, d), {})

    def long_shift(self, p: str, d: dt.date) -> Any:
        """1 when the shift spans more than lunch.min_shift_hours."""
        return self._long.get((p, d), 0)

    def paid_minutes(self, p: str, d: dt.date) -> Any:
        """Shift minutes less lunch."""
        day = self._by_date.get(d)
        if day is None:
            return 0
        span = day.slot_minutes * sum(self._present[(p, d)])
        lunch = self.problem.config.lunch.minutes * sum(self._lunch[(p, d)].values())
        return span - lunch

    def present_indexes(self, p: str, d: dt.date) -> list[int]:
        """Proto indexes of a person-day's presence Booleans, slot by slot."""
        return [v.index for v in self._present[(p, d)]]

    def paid_terms(self, p: str, d: dt.date) -> tuple[list[int], list[int]]:
        """:meth:`paid_minutes` as proto indexes and coefficients (minutes of each present slot, less each
        lunch start's minutes)."""
        day = self._by_date[d]
        lunch = self.problem.config.lunch.minutes
        idx = [v.index for v in self._present[(p, d)]] + [v.index for v in self._lunch[(p, d)].values()]
        coeffs = [day.slot_minutes] * len(self._present[(p, d)]) + [-lunch] * len(self._lunch[(p, d)])
        return idx, coeffs

    def shift_start(self, p: str, d: dt.date) -> Any:
        """Start minute (0 when off)."""
        day = self._by_date.get(d)
        if day is None:
            return 0
        return sum(day.slot_starts[s] * v for s, v in enumerate(self._start[(p, d)]))

    def shift_end(self, p: str, d: dt.date) -> Any:
        """End minute (0 when off)."""
        day = self._by_date.get(d)
        if day is None:
            return 0
        return sum((day.slot_starts[s] + day.slot_minutes) * v for s, v in enumerate(self._end[(p, d)]))

    def on_counter(self, counter: str, d: dt.date, s: int) -> Any:
        """People at that counter type in the slot."""
        return sum(self.doing(p, d, s, counter) for p in self.ids)

    def holders_present(self, authority: str, d: dt.date, s: int) -> Any:
        """Holders present and not at lunch."""
        return sum(
            self.present(p.staff_id, d, s) - self.at_lunch(p.staff_id, d, s)
            for p in self.problem.staff
            if p.holds(authority)
        )

    def new_bool(self, name: str) -> Any:
        """A fresh Boolean."""
        return self.model.new_bool_var(name)

    def new_int(self, lb: int, ub: int, name: str) -> Any:
        """A fresh integer in [lb, ub]."""
        return self.model.new_int_var(lb, ub, name)

    def assumption(self, rule: str, day: dt.date | None) -> Any:
        """The literal under which a rule holds on a day (``None``: week-level)."""
        key = (rule, day)
        if key not in self.assumption_literals:
            tag = day.isoformat() if day else "week"
            self.assumption_literals[key] = self.model.new_bool_var(f"assume_{rule}_{tag}")
        return self.assumption_literals[key]

    def add(
        self, ct: Any, rule: str | None = None, day: dt.date | None = None, enforce: Sequence[Any] = ()
    ) -> None:
        """Add a constraint; rule constraints are explainable (assumptions) or relaxable (penalised)."""
        lits = [*enforce, *self._rule_literals(rule, day)]
        if isinstance(ct, bool | np.bool_):
            if ct:
                return
            ct = self._false >= 1
        c = self.model.add(ct)
        if lits:
            c.only_enforce_if(lits)

    def _rule_literals(self, rule: str | None, day: dt.date | None) -> list[Any]:
        """The literal a rule's constraint is enforced by: its relaxation's, or its assumption (none plain)."""
        if rule is None:
            return []
        if rule in self.relax:
            lit = self.model.new_bool_var(f"keep_{rule}_{len(self.relax_literals)}")
            self.relax_literals.append((rule, day, lit))
            return [lit]
        return [self.assumption(rule, day)] if self.use_assumptions else []

    def add_clause(
        self,
        true: Sequence[Any],
        false: Sequence[Any] = (),
        rule: str | None = None,
        day: dt.date | None = None,
    ) -> None:
        """A clause: one of ``true`` holds or one of ``false`` does not (0/1 constants folded)."""
        lits: list[Any] = []
        for x in true:
            if isinstance(x, int):
                if x:
                    return
            else:
                lits.append(x)
        for x in false:
            if isinstance(x, int):
                if not x:
                    return
            else:
                lits.append(x.Not())
        enforce = self._rule_literals(rule, day)
        c = self.model.add_bool_or(lits) if lits else self.model.add(self._false >= 1)
        if enforce:
            c.only_enforce_if(enforce)

    def cost(
        self,
        name: str,
        rule: str,
        terms: Iterable[tuple[float, Any]],
        constant_cny: float = 0.0,
        label: tuple[str, str] = ("", ""),
    ) -> PenaltyTerm:
        """A named objective term; coefficients rounded to 1/OBJ_SCALE CNY."""
        expr = sum(round(c * self.scale) * e for c, e in terms if round(c * self.scale) != 0)
        return PenaltyTerm(name, rule, expr, self.scale, constant_cny, label[0], label[1])

    def relax_terms(self) -> list[PenaltyTerm]:
        """One term per relaxed rule: ``relax_penalty_cny`` for every constraint it breaks."""
        out = []
        for rule in sorted(self.relax):
            lits = [lit for r, _, lit in self.relax_literals if r == rule]
            if lits:
                out.append(
                    self.cost(
                        f"relax.{rule}",
                        rule,
                        [(self.relax_penalty_cny, 1 - lit) for lit in lits],
                        0.0,
                        ("放宽规则", "Relaxed rule"),
                    )
                )
        return out

    # ---- reading a solution ------------------------------------------------------------------------------

    def roster(self, solver: Any) -> Roster:
        """The roster of a solution (a CpSolver after a solve, or an :class:`Assignment`)."""
        rosters = []
        for day in self._days:
            n = len(day.slot_starts)
            grid = np.full((len(self.ids), n), OFF, dtype=object)
            for i, p in enumerate(self.ids):
                d = day.date
                if not solver.boolean_value(self._works[(p, d)]):
                    continue
                for s in range(n):
                    if not solver.boolean_value(self._present[(p, d)][s]):
                        continue
                    b = self._break[(p, d)][s]
                    if not isinstance(b, int) and solver.boolean_value(b):
                        grid[i, s] = "break"
                        continue
                    for a, v in self._act[(p, d, s)].items():
                        if solver.boolean_value(v):
                            grid[i, s] = a
                            break
            rosters.append(Roster.from_grid(day, self.ids, grid))
        return Roster.concat(rosters)

    def roster_values(self, roster: Roster) -> dict[int, int]:
        """Proto index → value of the person-day variables that reproduce ``roster`` (for hints and warm starts).

        Activities the model has no variable for (an unskilled person at a counter, a meeting after opening)
        are left out: the solver then sees the roster as infeasible and repairs it.
        """
        out: dict[int, int] = {}

        def put(var: Any, value: bool) -> None:
            if not isinstance(var, int):
                out[var.index] = int(value)

        for day in self._days:
            grid = roster.grid(day, self.ids)
            n = len(day.slot_starts)
            for i, p in enumerate(self.ids):
                d = day.date
                key = (p, d)
                row = [grid[i, s] != OFF for s in range(n)]
                put(self._works[key], any(row))
                shift = roster.shift(d, p)
                for t, x in self._x.get(key, []):
                    span = (day.slot_starts[t.start], day.slot_starts[t.start] + t.length * day.slot_minutes)
                    put(x, shift is not None and span == shift)
                for s in range(n):
                    put(self._present[key][s], row[s])
                    if self.shifts == "free":
                        put(self._start[key][s], row[s] and (s == 0 or not row[s - 1]))
                        put(self._end[key][s], row[s] and (s == n - 1 or not row[s + 1]))
                    put(self._break[key][s], grid[i, s] == "break")
                    for a, v in self._act[(p, d, s)].items():
                        put(v, grid[i, s] == a)
                for k, v in self._lunch[key].items():
                    put(v, grid[i, k] == "break" and (k == 0 or grid[i, k - 1] != "break"))
        return out

    def hint(self, roster: Roster) -> None:
        """Hint the solver with a roster."""
        for index, value in self.roster_values(roster).items():
            self.model.add_hint(self.model.get_bool_var_from_proto_index(index), value)

    def kept_values(self, roster: Roster, kept: Mapping[dt.date, int]) -> dict[int, int]:
        """Proto index → value of the variables that hold ``roster`` in the first ``kept[d]`` slots of each date.

        A whole day kept fixes every person-day variable of it; part of a day fixes presence, activity and
        lunch up to the cut, and the shift starts and ends decided by those slots (whether a shift ends at the
        cut is left open). Activities the model has no variable for are left out, as in :meth:`roster_values`.
        """
        every = self.roster_values(roster)
        out: dict[int, int] = {}
        for day in self._days:
            d, n = day.date, len(day.slot_starts)
            cut = min(kept.get(d, 0), n)
            if cut <= 0:
                continue
            if cut == n:
                out.update((i, every[i]) for i in self.primary_indexes(d) if i in every)
                continue
            chosen: list[Any] = []
            for p in self.ids:
                key = (p, d)
                for s in range(cut):
                    chosen += [self._present[key][s], self._break[key][s], *self._act[(p, d, s)].values()]
                    if self.shifts == "free":
                        chosen.append(self._start[key][s])
                        if s + 1 < cut:
                            chosen.append(self._end[key][s])
                chosen += [v for k, v in self._lunch[key].items() if k < cut]
            out.update(
                (v.index, every[v.index]) for v in chosen if not isinstance(v, int) and v.index in every
            )
        return out

    def fix(self, values: Mapping[int, int]) -> None:
        """Fix variables (proto index → value) through their domains: presolve removes them, and the search
        (which restores domains to the model's) keeps them fixed."""
        variables = self.model.proto.variables
        for i, v in values.items():
            dom = variables[i].domain
            dom.clear()
            dom.extend([v, v])

    def changed(self, p: str, d: dt.date, s: int, before: str) -> Any:
        """1 when the person's slot differs from ``before`` (an activity, or ``OFF``): at work where they were
        off, or not doing what they did (off, at lunch or at another activity)."""
        if before == OFF:
            return self.present(p, d, s)
        return 1 - self.doing(p, d, s, before)

    def primary_indexes(self, d: dt.date) -> list[int]:
        """Proto indexes of the person-day variables of a date (shifts, presence, lunch, activities)."""
        out: list[Any] = []
        for p in self.ids:
            key = (p, d)
            if key not in self._works:
                continue
            out.append(self._works[key])
            out.extend(x for _, x in self._x.get(key, []))
            tables = (self._present, self._start, self._end) if self.shifts == "free" else (self._present,)
            for table in (*tables, self._break):
                out.extend(v for v in table.get(key, []) if not isinstance(v, int))
            out.extend(self._lunch.get(key, {}).values())
            day = self._by_date[d]
            for s in range(len(day.slot_starts)):
                out.extend(self._act[(p, d, s)].values())
        return [v.index for v in out if not isinstance(v, int)]

    def works_indexes(self) -> dict[tuple[str, dt.date], int]:
        """Proto index of each person-day ``works`` variable."""
        return {k: v.index for k, v in self._works.items()}

    def add_shape(self, max_days: int, weeks: Sequence[Sequence[dt.date]] | None = None) -> Any:
        """A literal that, when fixed to 1, keeps everyone to ``max_days`` working days in each of ``weeks``
        (dates; default: the plan's days as one week) — a search heuristic."""
        lit = self.model.new_bool_var("shape")
        grid = [d.date for d in self._days]
        groups = [grid] if weeks is None else [[d for d in grid if d in set(w)] for w in weeks]
        for p in self.ids:
            for dates in groups:
                self.model.add(sum(self.works(p, d) for d in dates) <= max_days).only_enforce_if(lit)
        self.shape_literal = lit
        return lit

    def count(self) -> dict[str, int]:
        """Sizes, for benchmarks: people × days, templates, activity Booleans."""
        return {
            "person_days": len(self._x),
            "templates": sum(len(v) for v in self._x.values()),
            "activity_vars": sum(len(v) for v in self._act.values()),
            "lunch_vars": sum(len(v) for v in self._lunch.values()),
        }
