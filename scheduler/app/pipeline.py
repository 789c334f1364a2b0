"""The weekly run: branch files → forecast → required windows → roster → simulation → outputs.

``load_branch`` reads a branch's exports once; ``plan_week`` runs the pipeline for one week and returns a
:class:`WeekPlan` holding every intermediate result (a notebook can look at any of them); ``write_plan``
writes the stable output files (roster.csv, requirements.csv, summary.json, roster.xlsx, forecast.csv,
simulation.csv) as one set, all or nothing (:mod:`scheduler.report.outputs`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar, Day
from constraints.carry import carried_staff
from constraints.config import BranchConfig, load_config
from constraints.errors import InputError
from constraints.problem import CounterDemand, Problem
from constraints.roster import Roster
from constraints.staff import Absence, Staff, read_absences, read_staff
from forecasts.arrivals import count_arrivals
from forecasts.service import ServiceProfile, estimate_profiles
from forecasts.staffing import build_demand, requirements_frame, served_forecast
from forecasts.tickets import read_tickets
from forecasts.weekly import HistoryCheck, HistoryNote, check_history, forecast_csv, forecast_week
from scheduler.report.duties import DutyPlan, plan_duties
from scheduler.report.kpis import WeekKpis, week_kpis
from scheduler.report.outputs import holds_good_roster, write_outputs
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook.changes import ChangeNotice
from scheduler.report.workbook.kpi_sheet import InputFile
from scheduler.simulation.simulate import SIMULATION_COLUMNS, SimulationResult, simulate_week
from scheduler.solver.result import Progress, RosterResult, SolveParams
from scheduler.solver.solve import solve


@dataclass(frozen=True)
class Branch:
    """A branch's inputs, read and validated once; what-ifs are copies (:meth:`replace`)."""

    config: BranchConfig
    staff: Staff
    tickets: pd.DataFrame
    absences: tuple[Absence, ...] = ()
    files: Mapping[str, Path | InputFile] = field(default_factory=dict)

    @property
    def calendar(self) -> BranchCalendar:
        """The branch's calendar (config + overrides)."""
        return BranchCalendar(self.config)

    def replace(self, **changes: Any) -> Branch:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def next_monday(self) -> dt.date:
        """The Monday after the last ticket: the natural week to plan."""
        last = pd.Timestamp(self.tickets["issued_at"].max()).date()
        return last + dt.timedelta(days=7 - last.weekday())


def read_people(
    staff: str | Path, leave: str | Path | None = None, events: str | Path | None = None
) -> tuple[Staff, tuple[Absence, ...]]:
    """The staff list and everyone's leave and events."""
    people = read_staff(staff)
    away: list[Absence] = []
    if leave:
        away += read_absences(leave, people, kind="leave")
    if events:
        away += read_absences(events, people, kind="event")
    return people, tuple(away)


def load_branch(
    tickets: str | Path | Sequence[str | Path],
    staff: str | Path,
    config: str | Path | None = None,
    leave: str | Path | None = None,
    events: str | Path | None = None,
) -> Branch:
    """Read a branch's files: queue tickets, staff list, branch.toml, and optional leave and events."""
    cfg = load_config(config)
    people, away = read_people(staff, leave, events)
    tk = read_tickets(tickets, cfg, BranchCalendar(cfg))
    if tk.empty:
        raise InputError("排队数据为空 (no tickets in the export)", argument="--tickets")
    ticket_paths = [tickets] if isinstance(tickets, (str, Path)) else list(tickets)
    files: dict[str, Path] = {f"tickets{i or ''}": Path(t) for i, t in enumerate(ticket_paths)}
    for name, p in (("staff", staff), ("config", config), ("leave", leave), ("events", events)):
        if p:
            files[name] = Path(p)
    return Branch(config=cfg, staff=people, tickets=tk, absences=away, files=files)


def carry_comp_days(branch: Branch, previous: str | Path) -> Branch:
    """``branch`` with each person's 补休 owed taken from the last plan's summary.json (``comp_days_owed``; a
    folder means its summary.json): it replaces staff.csv's 补休天数 for the people it lists; a file that is not
    such a summary raises ``InputError`` naming it."""
    path = Path(previous)
    path = path / "summary.json" if path.is_dir() else path
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"无法读取上周的 summary.json (cannot read last week's summary.json): {exc}", file=path
        ) from None
    owed = doc.get("comp_days_owed") if isinstance(doc, dict) else None
    if not isinstance(owed, dict):
        raise InputError("缺少 comp_days_owed (no comp_days_owed in it)", file=path, column="comp_days_owed")
    people = []
    for person in branch.staff:
        value = owed.get(person.staff_id, person.comp_days_owed)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 31:
            raise InputError(
                "补休天数应为 0–31 的整数 (comp days owed must be a whole number 0–31)",
                file=path,
                column=f"comp_days_owed.{person.staff_id}",
                value=value,
            )
        people.append(person.model_copy(update={"comp_days_owed": value}))
    return branch.replace(staff=Staff(people=tuple(people)))


def with_previous_roster(branch: Branch, monday: dt.date, path: str | Path) -> Branch:
    """The branch with what last week's roster (roster.csv or roster.xlsx, the week before ``monday``) carries
    into each person: days worked in a row, when Sunday's shift ended, weekend/holiday/late days
    (:mod:`constraints.carry`; the staff file's 上周末连续工作天数 is replaced)."""
    days = branch.calendar.week(monday - dt.timedelta(days=7))
    previous = read_roster(path, branch.staff, days)
    return branch.replace(
        staff=carried_staff(branch.staff, previous, days),
        files={**branch.files, "previous_roster": Path(path)},
    )


@dataclass(frozen=True)
class WeekPlan:
    """Every step of one week's run, for a notebook to look at, and the figures (``kpis``) every output shows."""

    branch: Branch
    monday: dt.date
    forecast: pd.DataFrame
    profiles: Mapping[str, ServiceProfile]
    problem: Problem
    result: RosterResult
    requirements: pd.DataFrame
    kpis: WeekKpis
    simulation: SimulationResult | None = None
    notes: tuple[HistoryNote, ...] = ()  # what is thin or odd in the ticket history (summary.json warnings)
    duties: DutyPlan | None = (
        None  # 季度谈话 / 经营分析会 due this week, the talks scheduled (written roster)
    )

    @property
    def roster(self) -> Roster | None:
        """The roster (None when the week could not be staffed)."""
        return self.result.roster

    @property
    def days(self) -> list[Day]:
        """The seven days of the week."""
        return list(self.problem.days)


def week_history(branch: Branch, monday: dt.date) -> HistoryCheck:
    """The arrivals history the week's forecast learns from, with the notes on what is thin or odd in it
    (:func:`forecasts.weekly.check_history`: gaps in the export are left out)."""
    if not (branch.tickets["issued_at"] < pd.Timestamp(monday)).any():
        raise InputError(
            f"{monday} 之前没有取号历史, 无法预测 (no ticket history before {monday} to forecast from)",
            argument="--week",
            value=monday.isoformat(),
        )
    return check_history(count_arrivals(branch.tickets, branch.calendar), monday)


def forecast_demand(
    branch: Branch,
    monday: dt.date,
    demand_scale: float = 1.0,
    history: HistoryCheck | None = None,
    weeks: int = 1,
) -> tuple[pd.DataFrame, dict[str, ServiceProfile], dict[tuple[dt.date, str], CounterDemand]]:
    """Forecast the week's arrivals (fitted on the tickets before ``monday``) and the windows they need — or
    those of ``weeks`` weeks from ``monday`` (a horizon: every week fitted on the same tickets before it)."""
    cal = branch.calendar
    history = history or week_history(branch, monday)
    past = branch.tickets[branch.tickets["issued_at"] < pd.Timestamp(monday)]
    forecast = forecast_week(history.history, cal, monday, weeks=weeks)
    if demand_scale != 1.0:
        forecast = forecast.copy()
        for col in ("mean", "q10", "q50", "q80", "q90", "q95"):
            if col in forecast:
                forecast[col] = forecast[col] * demand_scale
    profiles = estimate_profiles(past, branch.config)
    days = [d for k in range(weeks) for d in cal.week(monday + dt.timedelta(days=7 * k))]
    demand = build_demand(
        forecast, days, branch.config, profiles, statistic=branch.config.rules.demand.quantile
    )
    return forecast, profiles, demand


def week_problem(
    branch: Branch,
    monday: dt.date,
    demand_scale: float = 1.0,
    history: HistoryCheck | None = None,
    weeks: int = 1,
) -> tuple[pd.DataFrame, dict[str, ServiceProfile], Problem]:
    """The week's forecast, service profiles and problem (staff, leave and events, the windows each slot needs);
    ``weeks`` > 1: those of the horizon of that many weeks, one problem (:meth:`Problem.for_horizon`)."""
    forecast, profiles, demand = forecast_demand(branch, monday, demand_scale, history, weeks)
    problem = Problem.for_horizon(
        branch.config, branch.staff, monday, weeks, branch.absences, demand, branch.calendar
    )
    return forecast, profiles, problem


def solve_params(
    branch: Branch, params: SolveParams | None, on_progress: Callable[[Progress], None] | None
) -> SolveParams:
    """``params`` (the branch's defaults when None) reporting to ``on_progress`` when given."""
    params = params or SolveParams.from_config(branch.config)
    if on_progress is not None:
        params = dataclasses.replace(params, progress_callback=on_progress)
    return params


def plan_week(
    branch: Branch,
    monday: dt.date,
    params: SolveParams | None = None,
    *,
    demand_scale: float = 1.0,
    replications: int = 20,
    on_progress: Callable[[Progress], None] | None = None,
    history: HistoryCheck | None = None,
) -> WeekPlan:
    """Forecast → requirement → roster → simulation for the week starting ``monday`` (``history``: the
    :func:`week_history` already computed, e.g. to warn before the solve)."""
    history = history or week_history(branch, monday)
    forecast, profiles, problem = week_problem(branch, monday, demand_scale, history)
    result = solve(problem, solve_params(branch, params, on_progress))
    return finish_week(branch, monday, forecast, profiles, problem, result, replications, history)


def finish_week(
    branch: Branch,
    monday: dt.date,
    forecast: pd.DataFrame,
    profiles: Mapping[str, ServiceProfile],
    problem: Problem,
    result: RosterResult,
    replications: int = 20,
    history: HistoryCheck | None = None,
    duties: DutyPlan | None = None,
) -> WeekPlan:
    """The week's plan from a solve's result: the simulation of its roster, the requirements and the KPIs;
    ``duties`` the periodic duties with the talks scheduled (planned on the roster when not given)."""
    params = result.params
    open_windows: dict[tuple[dt.date, str], np.ndarray] | None = None
    simulation = None
    if result.roster is not None:
        ids = branch.staff.ids()
        open_windows = {
            (day.date, counter): arr
            for day in problem.open_days
            for counter, arr in result.roster.open_windows(day, ids).items()
        }
        if replications > 0:
            simulation = simulate_week(
                result.roster,
                list(problem.days),
                branch.config,
                profiles,
                forecast=served_forecast(forecast, problem.days, branch.config),
                replications=replications,
                seed=params.seed,
            )
    requirements = requirements_frame(problem.demand, problem.days, open_windows)
    roster = result.roster if result.roster is not None else Roster(())
    kpis = week_kpis(problem, roster, result=result, simulation=simulation, tickets=branch.tickets)
    notes = history.notes if history is not None else ()
    if duties is None:
        duties = plan_duties(problem, result.roster, branch.absences)
    return WeekPlan(
        branch,
        monday,
        forecast,
        profiles,
        problem,
        result,
        requirements,
        kpis,
        simulation,
        notes,
        duties,
    )


def default_time_limit() -> float | None:
    """``PAIBAN_TIME_LIMIT`` (seconds) when set: tests and notebooks run with a short budget. It stands in for
    ``[solver] time_limit_seconds`` wherever no limit is given (``paiban plan``, scenarios, ``compare``)."""
    raw = os.environ.get("PAIBAN_TIME_LIMIT")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise InputError(
            "必须是大于 0 的有限秒数 (must be a finite number of seconds greater than 0)",
            argument="PAIBAN_TIME_LIMIT",
            value=raw,
        )
    return value


def write_plan(
    plan: WeekPlan,
    out_dir: str | Path,
    lang: str = "zh",
    notice: ChangeNotice | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write roster.csv, requirements.csv, summary.json, roster.xlsx, forecast.csv and simulation.csv as one set
    (and a re-plan's changes.csv, with its 变更通知 sheet in roster.xlsx, when given its ``notice``); ``extra``
    adds keys to summary.json (a horizon's week: which horizon it is part of).

    A week that cannot be staffed (no roster, or one breaking a hard rule) writes its set — summary.json and
    the workbook say why — only into a folder that does not hold a good roster already: a good roster from an
    earlier run is never replaced by a failed one, and then nothing is written ({} is returned).
    """
    out = Path(out_dir)
    if not plan.result.ok and holds_good_roster(out):
        return {}
    tables = {"forecast.csv": forecast_csv(plan.forecast, lang)}
    if plan.simulation is not None:
        tables["simulation.csv"] = plan.simulation.slots[list(SIMULATION_COLUMNS)]
    return write_outputs(
        out,
        roster=plan.roster,
        problem=plan.problem,
        result=plan.result,
        requirements=plan.requirements,
        forecast=plan.forecast,
        summary={
            **plan.result.summary(lang),
            "warnings": [n.as_dict(lang) for n in plan.notes],
            **(extra or {}),
        },
        lang=lang,
        inputs=dict(plan.branch.files),
        kpis=plan.kpis,
        notice=notice,
        tables=tables,
        duties=plan.duties,
    )
