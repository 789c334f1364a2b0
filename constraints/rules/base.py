"""What a rule is, and the questions a rule may ask the model's variables.

A rule has two halves that live together in one module: ``encode`` adds it to a CP-SAT model through a
:class:`ModelVars` container (the protocol is defined here; ``scheduler.solver.variables`` implements it, so this
package never imports a solver), and ``check`` audits any finished :class:`~constraints.roster.Roster` without
a solver — one the solver returned or one a person edited in Excel. ``precheck`` finds, from the problem alone,
slots where the rule cannot hold whatever the roster (used to explain an infeasible week quickly).

Expressions handed around are CP-SAT linear expressions (ints, Boolean variables, sums); rules combine them
with ``+``, ``-``, ``*`` and comparisons and hand the comparison to :meth:`ModelVars.add`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np

from constraints.calendar import Day
from constraints.config import BranchConfig, RuleParams, fmt_hhmm
from constraints.i18n import weekday_label
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.staff import Absence

Expr = Any
"""A CP-SAT linear expression (int, Boolean or integer variable, weighted sum)."""

Lit = Any
"""A CP-SAT Boolean literal."""

WORK_ACTIVITIES: tuple[str, ...] = (
    "high_counter",
    "low_counter",
    "corporate_counter",
    "lobby",
    "back_office",
    "outreach",
)
"""Activities that are work proper (not the meeting, not lunch)."""


@dataclass(frozen=True)
class PenaltyTerm:
    """One named part of the objective, in CNY.

    ``expr`` is an integer expression in units of ``1/scale`` CNY (the container scales the coefficients);
    ``constant_cny`` is a part of the cost no roster can avoid (e.g. the waiting left with every window open),
    kept out of the model so the reported gap is a gap on the avoidable cost.
    """

    name: str
    rule: str
    expr: Expr
    scale: int
    constant_cny: float = 0.0
    label_zh: str = ""
    label_en: str = ""


@runtime_checkable
class ModelVars(Protocol):
    """The questions a rule asks the variables of a roster model (implemented in ``scheduler.solver.variables``).

    ``p`` is a staff id, ``d`` a date, ``s`` a slot index into that day's ``slot_starts``. Every answer is an
    expression that is 0 where the thing cannot happen (e.g. ``doing`` a counter the person has no skill for).
    """

    problem: Problem
    shifts: str
    """The shift formulation: "posted" (only the posted shifts exist: the shifts rule holds by construction),
    "templates" or "free"."""

    def days(self) -> Sequence[Day]:
        """Days on which people can work (days with a staff-time grid)."""
        ...

    def works(self, p: str, d: dt.date) -> Expr:
        """1 when the person works that day."""
        ...

    def present(self, p: str, d: dt.date, s: int) -> Expr:
        """1 when the person is at work in the slot (lunch included)."""
        ...

    def doing(self, p: str, d: dt.date, s: int, activity: str) -> Expr:
        """1 when the person does the activity in the slot."""
        ...

    def can(self, p: str, d: dt.date, s: int, activity: str) -> bool:
        """True when the model lets the person do the activity in the slot at all."""
        ...

    def at_lunch(self, p: str, d: dt.date, s: int) -> Expr:
        """1 when the person is at lunch in the slot."""
        ...

    def lunch_starts(self, p: str, d: dt.date) -> dict[int, Lit]:
        """Slot → literal "lunch starts here" for every possible lunch start of the person that day."""
        ...

    def long_shift(self, p: str, d: dt.date) -> Expr:
        """1 when the person's shift spans more than ``lunch.min_shift_hours`` (lunch required)."""
        ...

    def paid_minutes(self, p: str, d: dt.date) -> Expr:
        """Minutes at work that day, lunch excluded."""
        ...

    def shift_start(self, p: str, d: dt.date) -> Expr:
        """Minute the shift starts (0 when off)."""
        ...

    def shift_end(self, p: str, d: dt.date) -> Expr:
        """Minute the shift ends (0 when off)."""
        ...

    def on_counter(self, counter: str, d: dt.date, s: int) -> Expr:
        """Windows of that counter type open in the slot (people at it)."""
        ...

    def holders_present(self, authority: str, d: dt.date, s: int) -> Expr:
        """Holders of the authority present and not at lunch in the slot."""
        ...

    def new_bool(self, name: str) -> Lit:
        """A fresh Boolean variable."""
        ...

    def new_int(self, lb: int, ub: int, name: str) -> Expr:
        """A fresh integer variable in [lb, ub]."""
        ...

    def add(
        self, ct: Any, rule: str | None = None, day: dt.date | None = None, enforce: Sequence[Lit] = ()
    ) -> None:
        """Add a linear (in)equality; ``rule`` marks it as part of a rule (assumptions, relaxation),
        ``rule=None`` as a definition of auxiliary variables; ``enforce`` literals make it conditional."""
        ...

    def add_clause(
        self,
        true: Sequence[Lit],
        false: Sequence[Lit] = (),
        rule: str | None = None,
        day: dt.date | None = None,
    ) -> None:
        """Add a clause: one of ``true`` holds or one of ``false`` does not (Booleans; 0/1 constants allowed);
        ``rule`` as for :meth:`add`. Far cheaper than the linear form for the solver's presolve."""
        ...

    def cost(
        self,
        name: str,
        rule: str,
        terms: Iterable[tuple[float, Expr]],
        constant_cny: float = 0.0,
        label: tuple[str, str] = ("", ""),
    ) -> PenaltyTerm:
        """A named objective term: the sum of ``cny × expr`` over ``terms`` (+ an unavoidable constant)."""
        ...


class Rule:
    """Base of every rule: identity, parameters and the halves each rule module fills in."""

    name: ClassVar[str]
    label_zh: ClassVar[str]
    label_en: ClassVar[str]
    kind: ClassVar[Literal["hard", "soft"]]
    summary_zh: ClassVar[str] = ""
    summary_en: ClassVar[str] = ""

    def params(self, config: BranchConfig) -> Any:
        """This rule's parameter model, ``config.rules.<name>``."""
        prm: RuleParams = getattr(config.rules, self.name)
        return prm

    def enabled(self, config: BranchConfig) -> bool:
        """True unless ``[rules.<name>] enabled = false``."""
        return bool(self.params(config).enabled)

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Add the rule to the model; return its cost terms (hard rules mostly return [])."""
        raise NotImplementedError

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Every place the roster breaks the rule (solver-free)."""
        raise NotImplementedError

    def precheck(self, problem: Problem) -> list[Violation]:
        """Slots where the rule cannot hold whatever the roster (necessary conditions only)."""
        return []

    def headcount(self, problem: Problem, day: Day) -> dict[str, int]:
        """People with a skill or authority the rule wants at work that day, as a rough estimate.

        A search heuristic only (the week's first days-off pattern is sized with it), never a constraint;
        keys are skills (``high_counter``, ``lobby``, …), authorities (``branch``, ``operations``), or
        ``"any:a|b"`` for holders of any of several authorities, or ``"*"`` for everybody.
        """
        return {}

    def least_on_counter(self, problem: Problem, day: Day) -> dict[tuple[str, int], int]:
        """(counter, slot) → the fewest people the rule allows at that counter type in that slot.

        What the rule forces by itself (the noon rule's two at the high counter); other rules' lower bounds
        use it. Empty when the rule forces nothing.
        """
        return {}

    def lower_bound(self, problem: Problem, scale: int, least: dict[tuple[dt.date, str, int], int]) -> int:
        """The least value any roster can give the rule's cost terms, in objective units (``scale`` per CNY).

        Computed as the model prices it (each coefficient rounded to ``1/scale`` CNY), without their
        constant parts; ``least`` holds the other rules' :meth:`least_on_counter` by (date, counter, slot).
        0 by default: every cost term is non-negative.
        """
        return 0

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """Plain Chinese and English of what the rule demands on that day (for infeasibility reports)."""
        return (self.summary_zh or self.label_zh, self.summary_en or self.label_en)

    def violation(
        self,
        day: dt.date | None,
        start: int | None,
        end: int | None,
        zh: str,
        en: str,
        staff_ids: Iterable[str] = (),
        hard: bool | None = None,
    ) -> Violation:
        """A violation of this rule (hard by the rule's kind unless told)."""
        return Violation(
            rule=self.name,
            date=day,
            start=start,
            end=end,
            message_zh=zh,
            message_en=en,
            staff_ids=tuple(staff_ids),
            hard=self.kind == "hard" if hard is None else hard,
        )

    def __repr__(self) -> str:
        return f"<rule {self.name} ({self.kind}): {self.label_zh} / {self.label_en}>"


# ---- helpers shared by the rules' check and precheck halves ----------------------------------------------


def slot_overlaps(day: Day, s: int, absence: Absence) -> bool:
    """True when the absence overlaps slot ``s`` at all (whole-day absences overlap every slot)."""
    if absence.hours is None:
        return True
    start = day.slot_starts[s]
    return absence.hours.start < start + day.slot_minutes and start < absence.hours.end


def away_reason(problem: Problem, staff_id: str, day: Day, s: int) -> str | None:
    """The reason the person is away in the slot (``"leave"`` when unnamed), or None when free (always None
    when the ``availability`` rule is switched off: then leave does not bind)."""
    if not problem.config.rules.availability.enabled:
        return None
    for a in problem.absences_of(staff_id, day.date):
        if slot_overlaps(day, s, a):
            return a.reason or a.kind
    return None


def is_free(problem: Problem, staff_id: str, day: Day, s: int) -> bool:
    """True when no leave or event of the person overlaps the slot."""
    return away_reason(problem, staff_id, day, s) is None


def runs(mask: Sequence[bool] | np.ndarray, slots: Sequence[int]) -> list[list[int]]:
    """Maximal runs of consecutive slot indexes (from ``slots``) where ``mask[slot]`` holds."""
    out: list[list[int]] = []
    prev: int | None = None
    for s in slots:
        if mask[s]:
            if out and prev is not None and s == prev + 1 and mask[prev]:
                out[-1].append(s)
            else:
                out.append([s])
        prev = s
    return out


def span(day: Day, run: Sequence[int]) -> tuple[int, int]:
    """(start, end) minutes of a run of slots."""
    return day.slot_starts[run[0]], day.slot_starts[run[-1]] + day.slot_minutes


def day_label(day: Day | dt.date, lang: str = "zh") -> str:
    """``11-30 周一`` / ``Mon 11-30``."""
    date = day.date if isinstance(day, Day) else day
    wd = weekday_label(date.weekday(), lang)
    return f"{date:%m-%d} {wd}" if lang == "zh" else f"{wd} {date:%m-%d}"


def when(day: Day | dt.date, start: int | None = None, end: int | None = None, lang: str = "zh") -> str:
    """``11-30 周一 11:30–13:30`` for messages."""
    text = day_label(day, lang)
    if start is not None and end is not None:
        text += f" {fmt_hhmm(start)}–{fmt_hhmm(end)}"
    return text


def names(problem: Problem, ids: Iterable[str]) -> str:
    """``赵敏, 黄丽`` (unknown ids as they are)."""
    known = {p.staff_id: p.name for p in problem.staff}
    out = [known.get(i, i) for i in ids]
    return ", ".join(out) if out else "—"


def grid_of(problem: Problem, roster: Roster, day: Day) -> np.ndarray:
    """People × slots activity matrix of the day (``OFF`` where not at work), in staff order."""
    return roster.grid(day, problem.staff.ids())


def encode_min_run(
    vars: ModelVars, p: str, day: Day, activity: str, run: int, rule: str, to_closing: bool = True
) -> None:
    """Every run of ``activity`` in the person's open slots lasts at least ``run`` slots: a run starting at a
    slot carries on through the next ``run - 1`` — or, with ``to_closing``, to closing when the doors shut
    sooner; without it a run cannot start within ``run`` slots of closing."""
    d = day.date
    if run <= 1 or not any(vars.can(p, d, s, activity) for s in day.open_slots):
        return
    open_set = set(day.open_slots)
    for s in day.open_slots:
        x = vars.doing(p, d, s, activity)
        before = vars.doing(p, d, s - 1, activity) if s - 1 in open_set else 0
        for j in range(1, run):
            if s + j in open_set:
                vars.add(vars.doing(p, d, s + j, activity) >= x - before, rule, d)
            elif not to_closing:
                vars.add(x - before <= 0, rule, d)
                break


def short_runs(
    row: np.ndarray, activity: str, run: int, day: Day, to_closing: bool = True
) -> list[list[int]]:
    """Runs of ``activity`` in one person's open slots shorter than ``run`` slots (with ``to_closing``, a run
    reaching closing is long enough)."""
    last = day.open_slots[-1] if day.open_slots else -1
    return [
        r
        for r in runs(row == activity, day.open_slots)
        if len(r) < run and not (to_closing and r[-1] == last)
    ]


def slots_in(day: Day, start: int, end: int, within: Sequence[int] | None = None) -> list[int]:
    """Slots of the day starting in [start, end), optionally only those in ``within``."""
    pool = range(len(day.slot_starts)) if within is None else within
    return [s for s in pool if start <= day.slot_starts[s] < end]
