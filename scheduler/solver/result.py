"""The result of a solve: a roster (or the reason there is none) that explains itself.

:class:`RosterResult` carries the status, the roster, the objective and its named terms in CNY, the bound
and gap, timings, the violations every rule's ``check`` finds in the roster (soft notes included), the
explanation when the week cannot be staffed, the lobby handovers, and the parameters and versions that
produced it. ``summary()`` is the summary.json shape; ``to_frame()`` the roster.csv shape.
"""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from constraints.config import BranchConfig
from constraints.handovers import Handover
from constraints.problem import Problem
from constraints.roster import ROSTER_COLUMNS, Roster, Violation
from constraints.rules.labour import comp_days_after
from scheduler.solver.model import Keep

STATUSES: tuple[str, ...] = ("OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN", "MODEL_INVALID")


@dataclass(frozen=True)
class Progress:
    """One moment of a solve: best objective and bound so far (CNY), their gap, seconds since the start."""

    seconds: float
    objective: float | None
    bound: float | None
    gap: float | None
    solutions: int


@dataclass(frozen=True)
class SolveParams:
    """How to solve. Defaults come from ``config.solver`` (see :meth:`from_config`).

    ``time_limit_seconds`` is a promise: ``solve`` returns within it plus max(1 s, 2.5 %), model building and
    reading the roster back included (less ``after_seconds``, which a caller keeps for its own work after
    the solve), with or without a roster; a week proved infeasible is explained in the time left (at most
    ``explain_seconds``, at least a second: ``scheduler.solver.solve.MIN_EXPLAIN_SECONDS``). ``deterministic`` (default) limits every CP-SAT call of the search
    (:mod:`scheduler.solver.search`) by *deterministic* time, single-threaded with a fixed seed: the work
    budget is ``work_units`` when given, else sized during the run from the pace the search measured on
    this instance, so that it ends at the limit. The roster is then a function of the seed and the budget
    (``RosterResult.work_units``; pass it as ``work_units`` to get the same roster on any machine) unless
    the clock cut the budget short (``reproducible`` False). Otherwise the same search is limited by
    wall-clock seconds (never reproducible). ``workers`` local searches with consecutive seeds race for
    the first roster (the lowest seed that finds one wins, so this stays deterministic).
    """

    time_limit_seconds: float = 30.0
    seed: int = 0
    workers: int = 2
    relax: tuple[str, ...] = ()
    log_progress: bool = False
    progress_callback: Callable[[Progress], None] | None = None
    deterministic: bool = True
    relax_penalty_cny: float = 10_000.0
    explain_seconds: float = 20.0
    symmetry_breaking: bool = True
    start: Roster | None = None
    """A roster to start from (last week's, or the one before a what-if change): kept where it still holds."""
    work_units: float | None = None
    """A fixed deterministic work budget (a reproducible run's ``RosterResult.work_units``)."""
    after_seconds: float = 0.0
    """Seconds of the time limit the caller keeps for its work after the solve (simulating, writing)."""
    keep: Keep | None = None
    """A re-plan: the roster before a cut fixed, changes after it priced (:class:`~scheduler.solver.model.Keep`)."""

    @classmethod
    def from_config(cls, config: BranchConfig, **changes: Any) -> SolveParams:
        """Params from ``config.solver`` with changes (``None`` values are ignored)."""
        base: dict[str, Any] = {
            "time_limit_seconds": config.solver.time_limit_seconds,
            "seed": config.solver.seed,
            "workers": config.solver.workers,
        }
        base.update({k: v for k, v in changes.items() if v is not None})
        if "relax" in base:
            base["relax"] = tuple(base["relax"])
        return cls(**base)

    def as_dict(self) -> dict[str, Any]:
        """The parameters for summary.json (no callback)."""
        return {
            "time_limit_seconds": self.time_limit_seconds,
            "seed": self.seed,
            "workers": self.workers,
            "relax": list(self.relax),
            "deterministic": self.deterministic,
            "relax_penalty_cny": self.relax_penalty_cny,
            "warm_start": self.start is not None,
            "work_units": self.work_units,
            **(
                {
                    "replan_from": self.keep.cut.isoformat(timespec="minutes"),
                    "change_cost_per_hour": self.keep.change_cost_per_hour,
                }
                if self.keep is not None
                else {}
            ),
        }


def versions() -> dict[str, str]:
    """python, ortools and paiban versions."""

    def v(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "unknown"

    return {"python": platform.python_version(), "ortools": v("ortools"), "paiban": v("paiban")}


@dataclass(frozen=True)
class RosterResult:
    """What a solve returns: built once, never changed."""

    status: str
    problem: Problem
    params: SolveParams
    roster: Roster | None = None
    objective: float | None = None
    best_bound: float | None = None
    gap: float | None = None
    avoidable_gap: float | None = None
    solve_seconds: float = 0.0
    first_feasible_seconds: float | None = None
    penalties: Mapping[str, float] = field(default_factory=dict)
    violations: tuple[Violation, ...] = ()
    explanation: tuple[Violation, ...] = ()
    handovers: tuple[Handover, ...] = ()
    progress: tuple[Progress, ...] = ()
    reproducible: bool = True
    work_units: float | None = None
    """The deterministic work budget the search spent or was given (rerun with it to reproduce the roster)."""
    search_log: tuple[str, ...] = ()
    versions: Mapping[str, str] = field(default_factory=versions)

    @property
    def seed(self) -> int:
        """The seed that produced it."""
        return self.params.seed

    @property
    def has_roster(self) -> bool:
        """True when a roster was found."""
        return self.roster is not None

    @property
    def hard_violations(self) -> list[Violation]:
        """Violations of hard rules in the roster (relaxed rules' breaks, or none)."""
        return [v for v in self.violations if v.hard]

    @property
    def ok(self) -> bool:
        """True when there is a roster and it holds every hard rule (exit status 0)."""
        return self.roster is not None and not self.hard_violations

    def staff_hours(self) -> dict[str, float]:
        """Paid hours of each person over the plan (0 for those off all week)."""
        if self.roster is None:
            return {}
        dates = [d.date for d in self.problem.days]
        return {sid: round(self.roster.hours(sid, dates), 2) for sid in self.problem.staff.ids()}

    def time_to_gap(self, gap: float) -> float | None:
        """Seconds until the gap first fell to ``gap`` or below (None if never)."""
        for p in self.progress:
            if p.gap is not None and p.gap <= gap + 1e-12:
                return p.seconds
        return None

    def summary(self, lang: str = "zh") -> dict[str, Any]:
        """summary.json: status, objective, bound, gap, timings, staff hours, 补休 owed, violations, parameters,
        versions."""
        return {
            "status": self.status,
            "ok": self.ok,
            "objective": _round(self.objective),
            "best_bound": _round(self.best_bound),
            "gap": _round(self.gap, 6),
            "avoidable_gap": _round(self.avoidable_gap, 6),
            "solve_seconds": round(self.solve_seconds, 3),
            "first_feasible_seconds": _round(self.first_feasible_seconds, 3),
            "reproducible": self.reproducible,
            "staff_hours": self.staff_hours(),
            "comp_days_owed": comp_days_after(self.problem, self.roster) if self.roster is not None else {},
            "penalties": {k: round(v, 2) for k, v in self.penalties.items()},
            "violations": [v.as_dict(lang) for v in self.violations],
            "explanation": [v.as_dict(lang) for v in self.explanation],
            "handovers": [
                {
                    "date": h.date.isoformat(),
                    "time": f"{h.time // 60:02d}:{h.time % 60:02d}",
                    "from": h.from_staff,
                    "to": h.to_staff,
                    "reason": h.reason,
                    "president": h.president,
                }
                for h in self.handovers
            ],
            "parameters": {**self.params.as_dict(), "work_units": self.work_units},
            "seed": self.seed,
            "versions": dict(self.versions),
        }

    def to_frame(self) -> pd.DataFrame:
        """roster.csv rows (empty with the columns when there is no roster)."""
        if self.roster is None:
            return pd.DataFrame(columns=list(ROSTER_COLUMNS))
        return self.roster.to_frame(self.problem.staff)

    def __repr__(self) -> str:
        obj = f"{self.objective:,.0f} CNY" if self.objective is not None else "—"
        gap = f"{self.gap:.2%}" if self.gap is not None else "—"
        return (
            f"<RosterResult {self.status} objective={obj} gap={gap} {self.solve_seconds:.1f}s "
            f"violations={len(self.hard_violations)} hard/{len(self.violations)}>"
        )


def _round(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(float(x), nd)
