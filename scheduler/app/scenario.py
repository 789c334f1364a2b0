"""What-if scenarios: a frozen value that derives variants without mutation, and a side-by-side comparison.

A :class:`Scenario` is a branch, a week and the knobs a branch president turns: demand scaling, leave,
windows, rule parameters, service targets, slot length, solver budget. Every helper returns a new scenario;
:func:`compare` plans each one and returns their KPIs in one table.

    base = Scenario.from_files(tickets=..., staff=..., config=..., leave=...)
    variants = [base, base.with_demand(1.2, "春节前 +20%"), base.with_leave("S08", "2026-12-04")]
    table = compare(variants)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from constraints.config import TimeRange
from constraints.roster import Roster
from constraints.staff import Absence
from scheduler.app.pipeline import Branch, WeekPlan, load_branch, plan_week
from scheduler.app.replan import Replan, given_absences, given_roster, merged_absences, parse_cut, replan_week
from scheduler.solver.result import SolveParams


@dataclass(frozen=True)
class Scenario:
    """One what-if: the branch, the week, and how the plan is made."""

    branch: Branch
    monday: dt.date
    name: str = "基准 (baseline)"
    demand_scale: float = 1.0
    time_limit_seconds: float | None = None
    seed: int | None = None
    relax: tuple[str, ...] = ()
    replications: int = 20
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def from_files(
        cls,
        tickets: str | Path | Sequence[str | Path],
        staff: str | Path,
        config: str | Path | None = None,
        leave: str | Path | None = None,
        events: str | Path | None = None,
        week: str | dt.date | None = None,
        name: str = "基准 (baseline)",
    ) -> Scenario:
        """Read a branch's files; the week defaults to the Monday after the last ticket."""
        branch = load_branch(tickets, staff, config, leave, events)
        monday = dt.date.fromisoformat(week) if isinstance(week, str) else week
        return cls(branch=branch, monday=monday or branch.next_monday(), name=name)

    # ---- deriving variants (never mutate) ------------------------------------------------------------------

    def replace(self, **changes: Any) -> Scenario:
        """A copy with fields changed."""
        return dataclasses.replace(self, **changes)

    def with_config(self, name: str, **updates: Any) -> Scenario:
        """Change branch.toml values by dotted key, e.g. ``{"windows.high_counter": 5}``."""
        config = self.branch.config.copy_with(**updates)
        return self.replace(name=name, branch=self.branch.replace(config=config))

    def with_demand(self, factor: float, name: str | None = None) -> Scenario:
        """Scale the forecast arrivals (e.g. 1.2 before Spring Festival)."""
        return self.replace(name=name or f"客流 ×{factor:g} (demand ×{factor:g})", demand_scale=factor)

    def with_leave(
        self,
        staff_id: str,
        date: str | dt.date,
        hours: str | None = None,
        name: str | None = None,
        reason: str = "请假",
    ) -> Scenario:
        """Someone on leave for a day (or ``hours`` like ``"09:00-12:00"``)."""
        self.branch.staff.by_id(staff_id)  # KeyError for an unknown person
        day = dt.date.fromisoformat(date) if isinstance(date, str) else date
        absence = Absence(
            staff_id=staff_id, date=day, hours=TimeRange.parse(hours) if hours else None, reason=reason
        )
        who = self.branch.staff.by_id(staff_id).name
        return self.replace(
            name=name or f"{who} {day:%m-%d} 请假 (on leave)",
            branch=self.branch.replace(absences=(*self.branch.absences, absence)),
        )

    def with_windows(self, counter: str, count: int, name: str | None = None) -> Scenario:
        """Change the physical windows of a counter type."""
        return self.with_config(name or f"{counter} 窗口 {count} (windows)", **{f"windows.{counter}": count})

    def with_rule(self, rule: str, name: str | None = None, **params: Any) -> Scenario:
        """Tune a rule's parameters, e.g. ``with_rule("noon_two_at_high_counter", window="09:00-17:00")``."""
        return self.with_config(name or f"{rule} {params}", **{f"rules.{rule}": params})

    def with_service_level(self, name: str | None = None, **targets: Any) -> Scenario:
        """Change the waiting-time promise, e.g. ``max_mean_wait_minutes=10``."""
        return self.with_config(name or f"服务目标 {targets} (service level)", service_level=targets)

    def with_slot_minutes(self, minutes: int, name: str | None = None) -> Scenario:
        """Plan on a coarser or finer grid (15 or 30 minutes)."""
        return self.with_config(
            name or f"{minutes} 分钟时段 ({minutes}-min slots)", **{"grid.slot_minutes": minutes}
        )

    def with_pension_days(self, days: Iterable[int], name: str | None = None) -> Scenario:
        """Move the pension payout day(s) of the month."""
        ds = tuple(days)
        return self.with_config(name or f"养老金发放日 {ds} (pension days)", **{"calendar.pension_days": ds})

    # ---- running -------------------------------------------------------------------------------------------

    def params(self) -> SolveParams:
        """Solver parameters of this scenario."""
        return SolveParams.from_config(
            self.branch.config, time_limit_seconds=self.time_limit_seconds, seed=self.seed, relax=self.relax
        )

    def run(self) -> WeekPlan:
        """Forecast, requirement, roster and simulation for this scenario."""
        return plan_week(
            self.branch,
            self.monday,
            self.params(),
            demand_scale=self.demand_scale,
            replications=self.replications,
        )

    def replan(
        self,
        roster: Roster | WeekPlan | str | Path,
        from_: str | dt.date | dt.datetime,
        leave: Iterable[Absence] | str | Path = (),
    ) -> Replan:
        """Repair this scenario's week from ``from_`` (a date, or ``"2026-12-03 12:00"``) with few changes:
        ``roster`` (a plan, a Roster, or roster.csv/.xlsx) is kept before it, the rest re-planned under the
        scenario's leave plus ``leave`` (Absences or a leave.csv) and its demand (``with_demand`` for a surprise).
        See :mod:`scheduler.app.replan`; the result has the week's plan, the changes and their reasons."""
        days = self.branch.calendar.week(self.monday)
        cut = parse_cut(from_, days, argument="from_")
        before, in_book = given_roster(roster, self.branch.staff, days)
        away = merged_absences(in_book, self.branch.absences, given_absences(leave, self.branch.staff))
        return replan_week(
            self.branch.replace(absences=away),
            self.monday,
            before,
            cut,
            self.params(),
            demand_scale=self.demand_scale,
            replications=self.replications,
        )


KPI_COLUMNS: tuple[str, ...] = (
    "scenario",
    "status",
    "gap",
    "objective",
    "staff_hours",
    "cost_cny",
    "forecast_arrivals",
    "expected_wait_min",
    "simulated_arrivals",
    "mean_wait_min",
    "share_within_target",
    "p90_wait_min",
    "abandoned",
    "hard_violations",
    "soft_violations",
    "solve_seconds",
)
"""The columns of :func:`compare`: the week's figures keep their names from :mod:`scheduler.report.kpis`."""


def kpis(plan: WeekPlan, name: str = "") -> dict[str, Any]:
    """One row of :func:`compare`: the plan's week figures (:class:`~scheduler.report.kpis.WeekKpis`), its
    status, gap, rule breaks and solve time (NaN where a figure does not exist, e.g. waits without a roster)."""
    r, k = plan.result, plan.kpis
    solved = r.roster is not None

    def figure(value: float | None) -> float:
        return float(value) if value is not None and solved else np.nan

    return {
        "scenario": name,
        "status": r.status,
        "gap": r.gap,
        "objective": k.objective,
        "staff_hours": figure(k.staff_hours),
        "cost_cny": figure(k.cost_cny),
        "forecast_arrivals": k.forecast_arrivals,
        "expected_wait_min": figure(k.expected_wait_min),
        "simulated_arrivals": figure(k.simulated_arrivals),
        "mean_wait_min": figure(k.mean_wait_min),
        "share_within_target": figure(k.share_within_target),
        "p90_wait_min": figure(k.p90_wait_min),
        "abandoned": figure(k.abandoned),
        "hard_violations": len(r.hard_violations) if solved else len(r.explanation),
        "soft_violations": len([v for v in r.violations if not v.hard]),
        "solve_seconds": r.solve_seconds,
    }


def compare(scenarios: Sequence[Scenario], plans: Sequence[WeekPlan] | None = None) -> pd.DataFrame:
    """Plan every scenario (or take the given plans) and return their KPIs side by side, one row each."""
    plans = list(plans) if plans is not None else [s.run() for s in scenarios]
    return pd.DataFrame(
        [kpis(p, s.name) for s, p in zip(scenarios, plans, strict=True)], columns=list(KPI_COLUMNS)
    )
