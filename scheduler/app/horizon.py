"""Weeks that follow each other: ``paiban plan --weeks N`` and :meth:`Scenario.horizon`.

The horizon is planned as **one model** over its N × 7 days (:meth:`constraints.problem.Problem.for_horizon`),
solved once with the whole time limit: the labour rule holds its weekly limits — contract hours, rest days
(做五休二), rest-day work and its pay, 补休 — in each calendar week of it
(:func:`constraints.rules.labour.person_weeks`), the consecutive-days limit and the rest between shifts hold
inside the model across every Sunday night, and the fairness rule spreads weekend, holiday and late days
among peers over the whole horizon (with what the weeks before it carry in); the certified bound is summed
per week (:func:`scheduler.solver.bound.capacity_bound`). The demand of every day is forecast from the ticket
history before the horizon (the calendar model forecasts further weeks by their day types and weekdays).

After the solve the horizon is cut into its weeks for the files a week has (``week-2026-11-30/`` …): each
week's people carry in what the horizon's roster before it says (:func:`horizon_staff`: days in a row, the
last shift's end, duties so far, the 补休 not yet granted), so each week's roster passes that week's check on
its own. The objective, bound and gap of a week's summary.json are the horizon's (one model).

``rolling=True`` (``--rolling``) keeps the earlier way: **rolling weeks**, each a plan of its own
(:func:`scheduler.app.pipeline.plan_week`) with ``time_limit / N``, what the weeks before carry given to its
people (:mod:`constraints.carry`) — every rule still holds over the horizon, but fairness is greedy (a week
cannot leave a duty to a later one) and the cost is not optimised across weeks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from constraints.calendar import Day
from constraints.carry import carried_person
from constraints.errors import InputError
from constraints.handovers import derive_handovers
from constraints.i18n import language
from constraints.io import atomic_write, write_csv
from constraints.problem import Problem
from constraints.roster import Roster, with_outreach
from constraints.rules import check_roster
from constraints.rules.labour import person_weeks
from constraints.staff import Person, Staff
from forecasts.weekly import HistoryCheck, forecast_csv
from scheduler.app.pipeline import (
    Branch,
    WeekPlan,
    finish_week,
    plan_week,
    solve_params,
    week_history,
    week_problem,
    write_plan,
)
from scheduler.report.outputs import holds_good_roster, write_outputs
from scheduler.report.workbook.horizon_book import BookWeek, write_horizon_workbook
from scheduler.simulation.simulate import SIMULATION_COLUMNS
from scheduler.solver.result import Progress, SolveParams
from scheduler.solver.solve import solve

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
    """The plan of consecutive weeks: ``whole``, the one model's plan over every day of the horizon (None for
    rolling weeks), and ``weeks``, each week's plan (cut from it; for rolling weeks, fewer than asked when a
    week could not be staffed: the weeks after it cannot be carried on from it)."""

    weeks: tuple[WeekPlan, ...]
    asked: int
    whole: WeekPlan | None = None

    @property
    def method(self) -> str:
        """``one_model`` or ``rolling_weeks``."""
        return "rolling_weeks" if self.whole is None else "one_model"

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
        whole = self.whole is None or self.whole.result.ok
        return whole and len(self.weeks) == self.asked and all(w.result.ok for w in self.weeks)

    @property
    def roster(self) -> Roster | None:
        """The roster of every day of the horizon (None when a week has none)."""
        if self.whole is not None:
            return self.whole.roster
        if any(w.roster is None for w in self.weeks):
            return None
        return Roster.concat([w.roster for w in self.weeks if w.roster is not None])

    def summary(self, lang: str = "zh") -> dict[str, Any]:
        """summary.json's horizon part: its days, how it was planned, and each week's status and figures."""
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
                    "objective": r.objective if self.whole is None else None,
                    "gap": r.gap if self.whole is None else None,
                    "cost_cny": k.cost_cny,
                    "staff_hours": k.staff_hours,
                    "hard_violations": len(r.hard_violations),
                    "solve_seconds": r.solve_seconds if self.whole is None else None,
                }
            )
        if self.whole is None:
            objectives = [w.result.objective for w in self.weeks]
            objective = sum(o for o in objectives if o is not None) if None not in objectives else None
            text = ("逐周滚动排班, 上一周的班延续到下一周", "rolling weeks, each carried into the next")
        else:
            objective = self.whole.result.objective
            text = (
                f"{self.asked} 周一个模型统一排班 (每周工时与休息按周, 公平按全程)",
                f"one model over {self.asked} weeks (hours and rest per week, fairness over the horizon)",
            )
        return {
            "horizon": {
                "first_day": self.monday.isoformat(),
                "last_day": last.isoformat(),
                "weeks_asked": self.asked,
                "weeks_planned": len(self.weeks) if self.roster is not None or self.whole is None else 0,
                "method": self.method,
                "method_text": text[0] if lang == "zh" else text[1],
            },
            "ok": self.ok,
            "objective": objective,
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
    rolling: bool = False,
) -> HorizonPlan:
    """Plan ``weeks`` consecutive weeks from ``monday`` as one model (see the module docstring) with the whole
    time limit, or as rolling weeks (``rolling``); ``on_progress(k, event)`` reports the solve of week ``k``
    (0-based; always 0 for the one model)."""
    check_weeks(weeks, "weeks")
    params = params or SolveParams.from_config(branch.config)
    history = history or week_history(branch, monday)
    if rolling:
        return _rolling(branch, monday, weeks, params, demand_scale, replications, on_progress, history)

    def report(event: Progress) -> None:
        if on_progress is not None:
            on_progress(0, event)

    forecast, profiles, problem = week_problem(branch, monday, demand_scale, history, weeks)
    result = solve(problem, solve_params(branch, params, report))
    # the horizon as one plan (no simulation: each week simulates its own); its requirements are the weeks'
    whole = finish_week(branch, monday, forecast, profiles, problem, result, replications=0, history=history)
    plans = []
    for k, dates in enumerate(problem.week_dates()):
        plans.append(_week_of(whole, k, dates, replications, history))
    requirements = pd.concat([w.requirements for w in plans], ignore_index=True)
    return HorizonPlan(tuple(plans), weeks, dataclasses.replace(whole, requirements=requirements))


def _week_of(
    whole: WeekPlan, k: int, dates: Sequence[dt.date], replications: int, history: HistoryCheck
) -> WeekPlan:
    """Week ``k`` of the one model's plan as a plan of its own: its days, leave and demand; its people with what
    the horizon's roster before it carries in (and the 补休 the weeks before did not grant); its part of the
    roster, checked by every rule as that week; its simulation and figures."""
    problem, result, branch = whole.problem, whole.result, whole.branch
    chosen = set(dates)
    days = [d for d in problem.days if d.date in chosen]
    before = [d for d in problem.days if d.date < dates[0]]
    staff = branch.staff
    if k and result.roster is not None:
        staff = horizon_staff(branch.staff, result.roster, before)
        owed = {p.staff_id: person_weeks(problem, p)[k].person.comp_days_owed for p in problem.staff}
        staff = Staff(people=tuple(p.model_copy(update={"comp_days_owed": owed[p.staff_id]}) for p in staff))
    week = Problem(
        config=problem.config,
        staff=staff,
        days=tuple(days),
        absences=tuple(a for a in problem.absences if a.date in chosen),
        demand={key: v for key, v in problem.demand.items() if key[0] in chosen},
    )
    roster = None
    if result.roster is not None:
        roster = Roster(tuple(b for b in result.roster.blocks if b.date in chosen))
    own = dataclasses.replace(
        result,
        problem=week,
        roster=roster,
        violations=tuple(check_roster(week, roster)) if roster is not None else (),
        handovers=tuple(derive_handovers(roster, week)) if roster is not None else (),
    )
    forecast = whole.forecast[[d in chosen for d in pd.to_datetime(whole.forecast["date"]).dt.date]]
    branch_k = branch.replace(staff=staff)
    return finish_week(branch_k, dates[0], forecast, whole.profiles, week, own, replications, history)


def _rolling(
    branch: Branch,
    monday: dt.date,
    weeks: int,
    params: SolveParams,
    demand_scale: float,
    replications: int,
    on_progress: Callable[[int, Progress], None] | None,
    history: HistoryCheck,
) -> HorizonPlan:
    """Rolling weeks: each planned on its own with ``time_limit / weeks``, carried into the next."""
    per_week = dataclasses.replace(
        params,
        time_limit_seconds=params.time_limit_seconds / weeks,
        after_seconds=params.after_seconds / weeks,
    )
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
    ``out_dir`` the horizon's roster.csv (every day), roster.xlsx (per week a week sheet and its day sheets,
    and the leave sheet) and summary.json — for the one model also requirements.csv, forecast.csv and
    simulation.csv over the horizon, written as one set like a week's (:func:`scheduler.report.outputs.write_outputs`; a failed horizon never replaces
    a good one)."""
    lang = lang or language()
    out = Path(out_dir)
    if hp.whole is not None and not hp.ok and holds_good_roster(out):
        return {}
    written: dict[str, Path] = {}
    for k, w in enumerate(hp.weeks):
        folder = week_folder(w.monday)
        extra = None
        if hp.whole is not None:
            part = hp.summary(lang)["horizon"]
            extra = {
                "horizon": {
                    **{key: part[key] for key in ("first_day", "last_day", "method")},
                    "week": k + 1,
                    "note": "objective, best_bound, gap 与求解时间为整个多周模型的"
                    if lang == "zh"
                    else "objective, best_bound, gap and the solve's timings are the horizon's (one model)",
                }
            }
        for name, path in write_plan(w, out / folder, lang=lang, extra=extra).items():
            written[f"{folder}/{name}"] = path
    staffed = [  # each week's roster as its folder has it: the 季度谈话 scheduled into it
        BookWeek(
            w.problem,
            w.duties.roster_with_talks(w.problem, w.roster) if w.duties is not None else w.roster,
            w.requirements,
            w.duties,
        )
        for w in hp.weeks
        if w.roster is not None
    ]
    if hp.whole is not None:
        whole = hp.whole
        tables = {"forecast.csv": forecast_csv(whole.forecast, lang)}
        sims = [w.simulation.slots[list(SIMULATION_COLUMNS)] for w in hp.weeks if w.simulation is not None]
        if sims and len(sims) == len(hp.weeks):
            tables["simulation.csv"] = pd.concat(sims, ignore_index=True)
        summary = {
            **whole.result.summary(lang),
            "warnings": [n.as_dict(lang) for n in whole.notes],
            **hp.summary(lang),
        }
        files = write_outputs(
            out,
            roster=whole.roster,
            problem=whole.problem,
            result=whole.result,
            requirements=whole.requirements,
            forecast=whole.forecast,
            summary=summary,
            lang=lang,
            inputs=dict(whole.branch.files),
            kpis=whole.kpis,
            tables=tables,
            duties=whole.duties,
            workbook=(lambda path: write_horizon_workbook(path, staffed, lang)) if staffed else None,
        )
        return {**written, **files}
    staff = hp.weeks[0].branch.staff
    roster = with_outreach(Roster.concat(w.roster for w in staffed), staff)
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
