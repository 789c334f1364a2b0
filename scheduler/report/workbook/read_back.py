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
    cells: dict[tuple[str, dt.date], WeekSheetCell] = {}
    messages = []
    for week, week_days in week_sheets(wb, days, p):
        here = read_week_sheet(week, staff, week_days, p)
        cells.update(here)
        differ = week_differences(roster, staff, week_days, here, {d: ws.title for d, ws in sheets.items()})
        if differ:
            messages.append(disagreement_message(differ, week.title))
    if messages:
        raise InputError("\n".join(messages), file=p)
    leave_ws = next((wb[n] for n in LEAVE_SHEET_NAMES if n in wb.sheetnames), None)
    absences = tuple(read_leave_sheet(leave_ws, staff, days, p)) if leave_ws is not None else None
    marked = tuple(
        key
        for key, c in cells.items()
        if c.cell.span is None and (c.text.strip().splitlines() or [""])[0].strip().lower() in _AWAY_WORDS
    )
    return WorkbookRoster(roster, absences, marked)


def _calendar_weeks(days: Sequence[Day]) -> dict[dt.date, list[Day]]:
    """``days`` grouped by the Monday of their calendar week, in order."""
    out: dict[dt.date, list[Day]] = {}
    for d in sorted(days, key=lambda d: d.date):
        out.setdefault(d.date - dt.timedelta(days=d.date.weekday()), []).append(d)
    return out


def _week_sheet_monday(title: str) -> str | None:
    """What a sheet's title says it is: ``""`` for a week's workbook's 周排班 sheet, the ``MM-DD`` of a
    horizon's ``周排班 MM-DD`` (as text), None for any other sheet."""
    for name in WEEK_SHEET_NAMES:
        if title == name:
            return ""
        if title.startswith(name + " "):
            return title[len(name) + 1 :].strip()
    return None


def week_sheets(wb: Any, days: Sequence[Day], source: Path) -> list[tuple[Any, list[Day]]]:
    """The week sheet of each calendar week of ``days`` with that week's days: ``周排班`` for a week's
    workbook, ``周排班 MM-DD`` (its Monday) for each week of a horizon's (``paiban plan --weeks N``). A week
    without its sheet, or a week sheet of a week outside ``days`` (a horizon checked as one week), is an
    ``InputError`` — the latter saying how many weeks the workbook holds (``--weeks``)."""
    weeks = _calendar_weeks(days)
    titled: dict[str, Any] = {}
    for ws in wb.worksheets:
        said = _week_sheet_monday(ws.title)
        if isinstance(said, str):
            titled.setdefault(said, ws)
    out = []
    for monday, week_days in weeks.items():
        ws = titled.pop(f"{monday:%m-%d}", None)
        if ws is None and len(weeks) == 1:
            ws = titled.pop("", None)
        if ws is None:
            expected = f"{WEEK_SHEET_NAMES[0]} {monday:%m-%d}" if len(weeks) > 1 else WEEK_SHEET_NAMES[0]
            raise InputError(
                f"缺少 {monday} 这一周的周排班表 (no week sheet for the week of {monday}; expected a sheet "
                f"named '{expected}')",
                file=source,
                value=expected,
            )
        out.append((ws, week_days))
    if titled:
        extra = next(iter(titled.values())).title
        held = len(weeks) + len(titled)
        raise InputError(
            f"工作簿还有所查日期 ({days[0].date} – {days[-1].date}) 之外的周排班表: 这是 {held} 周的排班, "
            f"请用 --weeks {held} 检查 (the workbook holds week sheets outside the days checked: a roster of "
            f"{held} weeks is checked with --weeks {held})",
            file=source,
            value=extra,
        )
    return out


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
