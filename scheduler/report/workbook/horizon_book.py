"""The horizon's roster.xlsx (``paiban plan --weeks N``): one 周排班 sheet per week, titled by its Monday.

Each week's own folder holds its full workbook (day sheets, windows, KPIs, leave); this one is the overview
a branch prints for the weeks ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from constraints.io import atomic_write
from constraints.problem import Problem
from constraints.roster import Roster
from scheduler.report.workbook.style import neutralise_cells, sheet_name
from scheduler.report.workbook.week_sheet import write_week_sheet


def week_title(problem: Problem, lang: str) -> str:
    """A week sheet's name: 周排班 (Week) and the Monday's month and day."""
    return f"{sheet_name('week', lang)} {problem.days[0].date:%m-%d}"


def build_horizon_workbook(weeks: Sequence[tuple[Problem, Roster]], lang: str = "zh") -> Workbook:
    """A workbook with the week sheet of each (problem, roster), in order."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for problem, roster in weeks:
        ws = write_week_sheet(wb, roster, problem, lang=lang)
        ws.title = week_title(problem, lang)
    neutralise_cells(wb)
    return wb


def write_horizon_workbook(
    path: str | Path, weeks: Sequence[tuple[Problem, Roster]], lang: str = "zh"
) -> None:
    """Write :func:`build_horizon_workbook` atomically."""
    wb = build_horizon_workbook(weeks, lang)
    with atomic_write(path, "wb", encoding=None) as fh:
        wb.save(fh)
