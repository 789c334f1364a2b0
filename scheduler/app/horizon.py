"""Weeks that follow each other: ``paiban plan --weeks N`` and :meth:`Scenario.horizon`.

The horizon is planned as **rolling weeks**, not as one model: each week is a plan of its own
(:func:`scheduler.app.pipeline.plan_week`: its weekly contract hours, rest days and costs), and what the weeks
before it in the horizon carry into it is given to its people (:mod:`constraints.carry`): the days they worked
in a row up to its Monday (the consecutive-days limit holds across the boundary), when their Sunday shift ended
(the rest between shifts holds from Sunday night to Monday), and the weekend, holiday and late days they worked
so far in the horizon (added to what the weeks before the horizon carried in), which the fairness rule spreads
among peers. So every rule holds over the horizon, but the fairness is greedy — a week cannot leave a duty to a
later one — and the total is not optimised across weeks (a single N-week model would be; see README).

Every week is forecast from the ticket history before the horizon (the calendar model forecasts further
weeks by their day types), and gets ``time_limit_seconds / N`` of the time limit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constraints.calendar import Day
from constraints.carry import carried_person
from constraints.errors import InputError
from constraints.i18n import language
from constraints.io import atomic_write, write_csv
from constraints.roster import Roster, with_outreach
from constraints.staff import Person, Staff
from forecasts.weekly import HistoryCheck
from scheduler.app.pipeline import Branch, WeekPlan, plan_week, week_history, write_plan
from scheduler.report.workbook.horizon_book import write_horizon_workbook
from scheduler.solver.result import Progress, SolveParams

MAX_WEEKS = 6
"""The longest horizon ``--weeks`` plans."""


def check_weeks(weeks: int, argument: str = "--weeks") -> int:
    """``weeks`` when it is 1 … :data:`MAX_WEEKS`; ``InputError`` naming ``argument`` otherwise."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InputError(
            f"应为 1 到 {MAX_WEEKS} 周 (must be 1 … {MAX_WEEKS} weeks)", argument=argument, value=weeks
        )
    return weeks


def horizon_person(person: Person, roster: Roster, days: Sequence[Day]) -> Person:
    """The person with what the horizon so far (``roster`` over ``days``, in order, ending the day before the
    week) carries into the next week: the run of working days and the last shift's end from it, and the
    weekend/holiday/late days worked in it added to those carried into the horizon."""
    c = carried_person(person, roster, days)
    run = c.prev_consecutive_days
    if len(days) and run == len(days):  # worked every day so far: the run goes on from before the horizon
        run += person.prev_consecutive_days
    return c.model_copy(
        update={
            "prev_consecutive_days": min(run, 31),
            "prev_weekend_days": person.prev_weekend_days + c.prev_weekend_days,
            "prev_holiday_days": person.prev_holiday_days + c.prev_holiday_days,
            "prev_late_days": person.prev_late_days + c.prev_late_days,
        }
    )


def horizon_staff(staff: Staff, roster: Roster, days: Sequence[Day]) -> Staff:
    """Everyone with :func:`horizon_person`."""
    ordered = sorted(days, key=lambda d: d.date)
    return Staff(people=tuple(horizon_person(p, roster, ordered) for p in staff))


@dataclass(frozen=True)
class HorizonPlan:
    """The plans of consecutive weeks (fewer than asked when a week could not be staffed: the weeks after
    it cannot be carried on from it)."""

    weeks: tuple[WeekPlan, ...]
    asked: int

    @property
    def monday(self) -> dt.date:
        """The first week's Monday."""
        return self.weeks[0].monday

    @property
    def days(self) -> list[Day]:
        """Every day of the weeks planned."""
        return [d for w in self.weeks for d in w.days]

    @property
    def ok(self) -> bool:
        """True when every week asked for was planned and holds every hard rule."""
        return len(self.weeks) == self.asked and all(w.result.ok for w in self.weeks)

    @property
    def roster(self) -> Roster | None:
        """The roster of every day of the horizon (None when a week has none)."""
        if any(w.roster is None for w in self.weeks):
            return None
        return Roster.concat([w.roster for w in self.weeks if w.roster is not None])

    def summary(self, lang: str = "zh") -> dict[str, Any]:
        """summary.json of the horizon: its days, how it was planned, and each week's status and figures."""
        last = self.weeks[-1].days[-1].date
        weeks = []
        for w in self.weeks:
            r, k = w.result, w.kpis
            weeks.append(
                {
                    "monday": w.monday.isoformat(),
                    "folder": week_folder(w.monday),
                    "status": r.status,
                    "ok": r.ok,
                    "objective": r.objective,
                    "gap": r.gap,
                    "cost_cny": k.cost_cny,
                    "staff_hours": k.staff_hours,
                    "hard_violations": len(r.hard_violations),
                    "solve_seconds": r.solve_seconds,
                }
            )
        objectives = [w.result.objective for w in self.weeks]
        return {
            "horizon": {
                "first_day": self.monday.isoformat(),
                "last_day": last.isoformat(),
                "weeks_asked": self.asked,
                "weeks_planned": len(self.weeks),
                "method": "rolling_weeks",
                "method_text": "逐周滚动排班, 上一周的班延续到下一周"
                if lang == "zh"
                else "rolling weeks, each carried into the next",
            },
            "ok": self.ok,
            "objective": sum(o for o in objectives if o is not None) if None not in objectives else None,
            "weeks": weeks,
        }


def week_folder(monday: dt.date) -> str:
    """The sub-folder of a horizon's week: ``week-2026-11-30``."""
    return f"week-{monday.isoformat()}"


def plan_horizon(
    branch: Branch,
    monday: dt.date,
    weeks: int,
    params: SolveParams | None = None,
    *,
    demand_scale: float = 1.0,
    replications: int = 20,
    on_progress: Callable[[int, Progress], None] | None = None,
    history: HistoryCheck | None = None,
) -> HorizonPlan:
    """Plan ``weeks`` consecutive weeks from ``monday`` as rolling weeks (see the module docstring);
    ``on_progress(k, event)`` reports week ``k``'s solve (0-based)."""
    check_weeks(weeks, "weeks")
    params = params or SolveParams.from_config(branch.config)
    per_week = dataclasses.replace(
        params,
        time_limit_seconds=params.time_limit_seconds / weeks,
        after_seconds=params.after_seconds / weeks,
    )
    history = history or week_history(branch, monday)
    plans: list[WeekPlan] = []
    for k in range(weeks):
        week_branch = branch
        if plans:
            done = [w.roster for w in plans if w.roster is not None]
            days = [d for w in plans for d in w.days]
            week_branch = branch.replace(staff=horizon_staff(branch.staff, Roster.concat(done), days))

        def report(event: Progress, k: int = k) -> None:
            if on_progress is not None:
                on_progress(k, event)

        plan = plan_week(
            week_branch,
            monday + dt.timedelta(days=7 * k),
            per_week,
            demand_scale=demand_scale,
            replications=replications,
            on_progress=report,
            history=history,
        )
        plans.append(plan)
        if plan.roster is None:  # nothing to carry on from
            break
    return HorizonPlan(tuple(plans), weeks)


def write_horizon(hp: HorizonPlan, out_dir: str | Path, lang: str | None = None) -> dict[str, Path]:
    """Each week's files in its folder (:func:`week_folder`, as ``paiban plan`` writes a week), and in
    ``out_dir`` the horizon's roster.csv (every day), roster.xlsx (a week sheet per week) and summary.json."""
    lang = lang or language()
    out = Path(out_dir)
    written: dict[str, Path] = {}
    for w in hp.weeks:
        folder = week_folder(w.monday)
        for name, path in write_plan(w, out / folder, lang=lang).items():
            written[f"{folder}/{name}"] = path
    staff = hp.weeks[0].branch.staff
    staffed = [  # each week's roster as its folder has it: the 季度谈话 scheduled into it
        (w.problem, w.duties.roster_with_talks(w.problem, w.roster) if w.duties is not None else w.roster)
        for w in hp.weeks
        if w.roster is not None
    ]
    roster = with_outreach(Roster.concat(r for _, r in staffed), staff)
    write_csv(roster.to_frame(staff), out / "roster.csv")
    written["roster.csv"] = out / "roster.csv"
    if staffed:
        write_horizon_workbook(out / "roster.xlsx", staffed, lang)
        written["roster.xlsx"] = out / "roster.xlsx"
    with atomic_write(out / "summary.json") as fh:
        json.dump(hp.summary(lang), fh, ensure_ascii=False, indent=2, allow_nan=False)
        fh.write("\n")
    written["summary.json"] = out / "summary.json"
    return written
