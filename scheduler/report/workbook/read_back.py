"""Reading roster.xlsx back after a person edited it: every sheet paiban wrote that carries the roster.

* the day sheets give the roster (people × slots);
* the 周排班 week sheet must say the same: each person-day cell's shift, lunch and on/off must match the day
  sheet, and the activities it names must be worked that day — where they differ, one ``InputError`` lists
  every differing cell (exit status 2: which sheet is right is the person's call, not paiban's);
* the 请假与活动 sheet gives the week's leave and events (None for a workbook written before it existed).

Merged cells in the roster areas, rows with activities but no staff id, names that are not the id's and
missing people are ``InputError`` naming the cell — never skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from constraints.calendar import Day
from constraints.errors import InputError
from constraints.i18n import language, tr
from constraints.roster import Roster
from constraints.staff import Absence, Staff
from scheduler.report.workbook.day_sheet import read_day_sheet, sheet_date
from scheduler.report.workbook.leave_sheet import LEAVE_SHEET_NAMES, read_leave_sheet
from scheduler.report.workbook.style import day_title
from scheduler.report.workbook.week_sheet import (
    WEEK_SHEET_NAMES,
    WeekCell,
    WeekSheetCell,
    read_week_sheet,
    week_cell,
)

MAX_LISTED = 20
"""Differing week-sheet cells listed in one message (the count says how many more)."""


@dataclass(frozen=True)
class WorkbookRoster:
    """What an edited roster.xlsx holds: the roster, the week's leave and events, the week cells marked 请假."""

    roster: Roster
    absences: tuple[Absence, ...] | None
    """From the 请假与活动 sheet; None when the workbook has no such sheet (written by an older paiban)."""
    leave_marked: tuple[tuple[str, dt.date], ...] = ()
    """(staff id, date) of week-sheet cells that say 请假 / 活动 (whole-day leave or event)."""


def _open(path: Path) -> Any:
    if not path.exists():
        raise InputError("文件不存在 (file not found)", file=path)
    try:
        return load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(f"无法读取 Excel 文件 (cannot read the Excel file): {exc}", file=path) from None


def read_back(path: str | Path, staff: Staff, days: Sequence[Day]) -> WorkbookRoster:
    """Read an edited roster.xlsx (see the module docstring); ``InputError`` names what to fix."""
    p = Path(path)
    wb = _open(p)
    sheets: dict[dt.date, Any] = {}
    for ws in wb.worksheets:
        day = sheet_date(ws.title, days)
        if day is not None and day.is_open and day.date not in sheets:
            sheets[day.date] = ws
    parts = []
    for day in days:
        if not day.is_open:
            continue
        if day.date not in sheets:
            raise InputError(
                f"缺少当天的排班表 (no sheet for this day; expected a sheet named like '{day_title(day.date, 'zh')}')",
                file=p,
                value=day.date.isoformat(),
            )
        parts.append(read_day_sheet(sheets[day.date], day, staff, p))
    roster = Roster.concat(parts)
    week = next((wb[n] for n in WEEK_SHEET_NAMES if n in wb.sheetnames), None)
    if week is None:
        raise InputError(
            f"缺少周排班表 (no week sheet named {' / '.join(WEEK_SHEET_NAMES)})",
            file=p,
            value=WEEK_SHEET_NAMES[0],
        )
    cells = read_week_sheet(week, staff, days, p)
    differ = week_differences(roster, staff, days, cells, {d: ws.title for d, ws in sheets.items()})
    if differ:
        raise InputError(disagreement_message(differ, week.title), file=p)
    leave_ws = next((wb[n] for n in LEAVE_SHEET_NAMES if n in wb.sheetnames), None)
    absences = tuple(read_leave_sheet(leave_ws, staff, days, p)) if leave_ws is not None else None
    marked = tuple(
        key
        for key, c in cells.items()
        if c.cell.span is None and (c.text.strip().splitlines() or [""])[0].strip().lower() in _AWAY_WORDS
    )
    return WorkbookRoster(roster, absences, marked)


_AWAY_WORDS = frozenset({"请假", "活动", "leave", "event"})


@dataclass(frozen=True)
class Difference:
    """A week-sheet cell that does not say what the day sheet holds."""

    coordinate: str
    staff_id: str
    name: str
    date: dt.date
    week_text: str
    day_sheet: str  # the day sheet's name ("" for a day without one: closed)
    expected: WeekCell

    def line(self, lang: str = "zh") -> str:
        """``E7 (S08 黄丽, 11-30 周一): 周排班写 '休'; 日表 [11-30 周一] 是 '08:30–17:30 …'``."""
        said = self.week_text.replace("\n", " / ") or tr("空白", "blank", lang)
        holds = self.expected.text(lang).replace("\n", " / ") or tr("休", "off", lang)
        sheet = self.day_sheet or tr("休业", "closed", lang)
        return tr(
            f"{self.coordinate} ({self.staff_id} {self.name}, {day_title(self.date, 'zh')}): "
            f"周排班写 '{said}'; 日表 [{sheet}] 是 '{holds}'",
            f"{self.coordinate} ({self.staff_id} {self.name}, {day_title(self.date, 'en')}): "
            f"the week sheet says '{said}'; the day sheet [{sheet}] holds '{holds}'",
            lang,
        )


def _agrees(said: WeekCell, held: WeekCell, worked: set[str]) -> bool:
    if (said.span is None) != (held.span is None):
        return False
    if said.span is None:
        return True
    return said.span == held.span and said.lunches == held.lunches and set(said.activities) <= worked


def week_differences(
    roster: Roster,
    staff: Staff,
    days: Sequence[Day],
    cells: dict[tuple[str, dt.date], WeekSheetCell],
    day_sheets: dict[dt.date, str],
) -> list[Difference]:
    """Every week-sheet cell whose shift, lunch or on/off differs from the day sheets (or that names an
    activity the person does not do that day), in the week sheet's row and day order."""
    out: list[Difference] = []
    for person in staff:
        for day in days:
            c = cells[(person.staff_id, day.date)]
            held = week_cell(roster, day.date, person.staff_id)
            worked = {b.activity for b in roster.blocks_of(day.date, person.staff_id)}
            if not _agrees(c.cell, held, worked):
                sheet = day_sheets.get(day.date, "")
                out.append(
                    Difference(c.coordinate, person.staff_id, person.name, day.date, c.text, sheet, held)
                )
    return out


def disagreement_message(differ: Sequence[Difference], week_sheet: str) -> str:
    """One message listing the differing cells (at most :data:`MAX_LISTED`), both languages."""
    head = (
        f"[{week_sheet}] 与日排班表有 {len(differ)} 处不一致, 请改成一致后再检查 "
        f"(the week sheet and the day sheets disagree in {len(differ)} cells: make them agree and check again):"
    )
    lines = [f"  {d.line(language())}" for d in differ[:MAX_LISTED]]
    if len(differ) > MAX_LISTED:
        lines.append(f"  … 另有 {len(differ) - MAX_LISTED} 处 ({len(differ) - MAX_LISTED} more)")
    return "\n".join([head, *lines])
