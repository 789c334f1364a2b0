"""roster.xlsx: the roster as a branch prints, posts and edits it — and reads it back for ``paiban check``.

Sheets: 周排班 (week), one per open day (people × slots), 窗口计划 (windows with charts), 大堂经理工作日志
(lobby log), 指标 (KPIs), 请假与活动 (the week's leave and events); a re-plan's workbook opens on 变更通知
(what changed for whom, :mod:`.changes_sheet`). Written with openpyxl, atomically, formula
cells with their values; read back (:mod:`.read_back`) from the day sheets, checked against the week sheet,
with the leave and events of the last sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES, parse_hhmm
from constraints.handovers import Handover, derive_handovers
from constraints.io import atomic_write
from constraints.problem import Problem
from constraints.roster import Roster, with_outreach
from constraints.rules import check_roster
from constraints.staff import Staff
from scheduler.report.day_marks import day_marks
from scheduler.report.duties import DutyPlan, plan_duties
from scheduler.report.gaps import ServiceGap, TurnedAway, service_gaps, turned_away
from scheduler.report.kpis import WeekKpis, week_kpis
from scheduler.report.workbook.cached import FormulaValues, save_with_values
from scheduler.report.workbook.changes import ChangeNotice
from scheduler.report.workbook.changes_sheet import write_changes_sheet
from scheduler.report.workbook.day_sheet import write_day_sheet
from scheduler.report.workbook.kpi_sheet import InputRef, write_kpi_sheet
from scheduler.report.workbook.leave_sheet import write_leave_sheet
from scheduler.report.workbook.lobby_sheet import write_lobby_sheet
from scheduler.report.workbook.read_back import WorkbookRoster, read_back
from scheduler.report.workbook.style import fit_row_heights, neutralise_cells
from scheduler.report.workbook.tables import peak_labels, requirements_table
from scheduler.report.workbook.week_sheet import write_duties_block, write_week_sheet
from scheduler.report.workbook.windows_sheet import write_windows_sheet
from scheduler.solver.result import RosterResult


def _required_by_slot(req: pd.DataFrame, date: str) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    d = req[req["date"] == date]
    for counter, start, need in zip(d["counter"], d["start"], d["required_windows"], strict=True):
        out.setdefault(str(counter), {})[parse_hhmm(str(start))] = int(need)
    return {c: out[c] for c in COUNTER_TYPES if c in out}


def write_day_sheets(
    wb: Workbook,
    roster: Roster,
    problem: Problem,
    req: pd.DataFrame,
    duties: DutyPlan | None,
    *,
    lang: str,
    values: FormulaValues,
    gaps: Sequence[ServiceGap] | None = None,
    away: Sequence[TurnedAway] | None = None,
) -> None:
    """A sheet per open day of ``problem`` (``roster`` with its talks; ``req`` the requirements table with
    open windows; the day's service gaps and turned-away customers computed when not given)."""
    gaps = service_gaps(problem, roster) if gaps is None else gaps
    away = turned_away(problem) if away is None else away
    marks = day_marks(problem)
    for day in problem.open_days:
        write_day_sheet(
            wb,
            roster,
            problem,
            day,
            lang=lang,
            required=_required_by_slot(req, day.date.isoformat()),
            gaps=[g for g in gaps if g.date == day.date],
            away=[t for t in away if t.date == day.date],
            values=values,
            marks=marks.get(day.date),
            notes=duties.notes(problem, day.date, lang) if duties is not None else None,
        )


def build_workbook(
    roster: Roster,
    problem: Problem,
    *,
    result: RosterResult | None = None,
    requirements: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    kpis: WeekKpis | None = None,
    handovers: Sequence[Handover] | None = None,
    inputs: Mapping[str, InputRef] | None = None,
    lang: str = "zh",
    values: FormulaValues | None = None,
    notice: ChangeNotice | None = None,
    lobby_log: Sequence[Handover] = (),
    duties: DutyPlan | None = None,
) -> Workbook:
    """The workbook in memory (see :func:`write_workbook`); ``values`` collects its formula cells' results."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    figures = kpis or week_kpis(problem, roster, result=result)
    roster = with_outreach(roster, problem.staff)  # 营销外拓, not 后台, for the sales posts
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    values = values if values is not None else FormulaValues()
    req = requirements_table(problem, roster, requirements)
    staffed = result is None or result.roster is not None
    gaps = service_gaps(problem, roster) if staffed else []
    away = turned_away(problem)
    if duties is None:
        duties = plan_duties(problem, roster if staffed else None)
    roster = duties.roster_with_talks(problem, roster)  # the 季度谈话 scheduled: 谈话 on both people's rows
    week = write_week_sheet(wb, roster, problem, lang=lang)
    fit_row_heights(week)
    write_duties_block(week, duties, problem, lang)
    write_day_sheets(wb, roster, problem, req, duties, lang=lang, values=values, gaps=gaps, away=away)
    write_windows_sheet(wb, problem, req, peak_labels(forecast), figures, lang=lang)
    if handovers is None:
        handovers = result.handovers if result is not None else derive_handovers(roster, problem)
    write_lobby_sheet(wb, roster, problem, handovers, lang=lang, log=lobby_log)
    violations = result.violations if result is not None else check_roster(problem, roster)
    write_kpi_sheet(
        wb,
        problem,
        figures,
        result=result,
        violations=violations,
        inputs=inputs,
        gaps=gaps,
        away=away,
        lang=lang,
    )
    write_leave_sheet(wb, problem, lang=lang)
    if notice is not None:
        write_changes_sheet(wb, problem, notice, lang=lang)
    neutralise_cells(wb)  # input text (names, reasons, …) is never a live formula
    wb.active = 0
    return wb


def write_workbook(
    path: str | Path,
    roster: Roster,
    problem: Problem,
    *,
    result: RosterResult | None = None,
    requirements: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    kpis: WeekKpis | None = None,
    handovers: Sequence[Handover] | None = None,
    inputs: Mapping[str, InputRef] | None = None,
    lang: str = "zh",
    notice: ChangeNotice | None = None,
    lobby_log: Sequence[Handover] = (),
    duties: DutyPlan | None = None,
) -> None:
    """Write roster.xlsx atomically (temporary file, then ``os.replace``).

    ``result`` is the solve's (status, gap, violations, handovers, params, seed, versions); without it the
    rules are checked here and the handovers derived from the roster. ``requirements`` is the
    requirements.csv frame; ``forecast`` a forecast frame with a peak label (高峰/平峰/低谷); ``kpis`` the
    week's figures (:func:`scheduler.report.kpis.week_kpis`; computed from the roster and result when not
    given, so without the simulation's); ``inputs`` names the input files whose sha256 the KPI sheet records;
    ``lobby_log`` the handovers recorded live (:func:`~scheduler.report.workbook.lobby_sheet.read_lobby_log`),
    listed in the lobby-manager log; ``duties`` the week's periodic duties (:func:`scheduler.report.duties.
    plan_duties`, from this week's events when not given), in a 周期工作 block under the week sheet; ``notice``
    (a re-plan's changes) adds the 变更通知 sheet, first.
    """
    values = FormulaValues()
    wb = build_workbook(
        roster,
        problem,
        result=result,
        requirements=requirements,
        forecast=forecast,
        kpis=kpis,
        handovers=handovers,
        inputs=inputs,
        lang=lang,
        values=values,
        notice=notice,
        lobby_log=lobby_log,
        duties=duties,
    )
    with atomic_write(path, "wb") as fh:
        save_with_values(wb, fh, values)


def read_workbook(path: str | Path, staff: Staff, days: Sequence[Day]) -> Roster:
    """The roster of an (edited) roster.xlsx: its day sheets, checked against the 周排班 sheet.

    Every open day in ``days`` needs its sheet (named ``MM-DD …``); a bad cell, a merged roster area or a
    week-sheet cell that disagrees with the day sheets raises ``InputError`` naming ``roster.xlsx [sheet]``,
    the row, the column and the value (:func:`scheduler.report.workbook.read_back.read_back`).
    """
    return read_back(path, staff, days).roster


__all__ = ["WorkbookRoster", "build_workbook", "read_back", "read_workbook", "write_workbook"]
