"""The horizon's roster.xlsx (``paiban plan --weeks N``): per week a 周排班 sheet titled by its Monday
followed by the week's day sheets, then one 请假与活动 sheet over the horizon.

It reads back as a week's workbook does (:func:`scheduler.report.workbook.read_back.read_back` with the
horizon's days, ``paiban check --weeks N``): the day sheets give the roster, each week sheet must agree
with its week's days. Each week's own folder holds its full workbook (windows, KPIs, lobby log).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from constraints.io import atomic_write
from constraints.problem import Problem
from constraints.roster import Roster, with_outreach
from scheduler.report.duties import DutyPlan
from scheduler.report.workbook import write_day_sheets
from scheduler.report.workbook.cached import FormulaValues, save_with_values
from scheduler.report.workbook.leave_sheet import write_leave_sheet
from scheduler.report.workbook.style import fit_row_heights, neutralise_cells, sheet_name
from scheduler.report.workbook.tables import requirements_table
from scheduler.report.workbook.week_sheet import write_duties_block, write_week_sheet


@dataclass(frozen=True)
class BookWeek:
    """One week of the horizon's workbook: its problem, its roster (with the talks scheduled), and, when
    known, its requirements.csv frame and periodic duties."""

    problem: Problem
    roster: Roster
    requirements: pd.DataFrame | None = None
    duties: DutyPlan | None = None


def week_title(problem: Problem, lang: str) -> str:
    """A week sheet's name: 周排班 (Week) and the Monday's month and day."""
    return f"{sheet_name('week', lang)} {problem.days[0].date:%m-%d}"


def build_horizon_workbook(
    weeks: Sequence[BookWeek], lang: str = "zh", values: FormulaValues | None = None
) -> Workbook:
    """A workbook with each week's sheet and its day sheets, in order, and the horizon's leave sheet;
    ``values`` collects the formula cells' results."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    values = values if values is not None else FormulaValues()
    for w in weeks:
        problem = w.problem
        roster = with_outreach(w.roster, problem.staff)
        ws = write_week_sheet(wb, roster, problem, lang=lang)
        ws.title = week_title(problem, lang)
        fit_row_heights(ws)
        if w.duties is not None:
            write_duties_block(ws, w.duties, problem, lang)
        req = requirements_table(problem, roster, w.requirements)
        write_day_sheets(wb, roster, problem, req, w.duties, lang=lang, values=values)
    if weeks:
        first = weeks[0].problem
        whole = first.replace(
            days=tuple(d for w in weeks for d in w.problem.days),
            absences=tuple(a for w in weeks for a in w.problem.absences),
        )
        write_leave_sheet(wb, whole, lang=lang)
    neutralise_cells(wb)
    return wb


def write_horizon_workbook(path: str | Path, weeks: Sequence[BookWeek], lang: str = "zh") -> None:
    """Write :func:`build_horizon_workbook` atomically, its formula cells with their values."""
    values = FormulaValues()
    wb = build_horizon_workbook(weeks, lang, values)
    with atomic_write(path, "wb", encoding=None) as fh:
        save_with_values(wb, fh, values)
