"""请假与活动: the week's leave and events, written with the roster and read back by ``paiban check``.

The roster was planned around them, so the workbook carries them: checking an edited workbook needs no
``--leave``. One row per person, date and absence: 工号, 姓名, 日期, 开始, 结束 (both empty = the whole day),
类型 (请假 leave / 活动 event), 事由. A person may add or delete rows; a bad cell is an ``InputError`` naming
the sheet, row, column and value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from constraints.calendar import Day
from constraints.config import TimeRange, fmt_hhmm, parse_hhmm
from constraints.errors import InputError
from constraints.i18n import tr
from constraints.io import restore
from constraints.problem import Problem
from constraints.staff import Absence, Staff, parse_date
from scheduler.report.workbook.style import (
    BORDER,
    CENTER,
    LEFT,
    font,
    header_cell,
    print_setup,
    set_widths,
    title,
)

LEAVE_SHEET_NAMES: tuple[str, str] = ("请假与活动", "Leave and events")
"""The sheet's name in Chinese and English (either is read back)."""

HEADER_ROW = 3
_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("staff_id", "工号", "Staff ID"),
    ("name", "姓名", "Name"),
    ("date", "日期", "Date"),
    ("start", "开始", "Start"),
    ("end", "结束", "End"),
    ("kind", "类型", "Kind"),
    ("reason", "事由", "Reason"),
)
_KINDS: dict[str, str] = {"请假": "leave", "leave": "leave", "活动": "event", "event": "event"}


def write_leave_sheet(wb: Workbook, problem: Problem, *, lang: str) -> Worksheet:
    """Add the 请假与活动 sheet (a header and no rows when nobody is away)."""
    ws = wb.create_sheet(tr(*LEAVE_SHEET_NAMES, lang))
    span = f"{problem.days[0].date} – {problem.days[-1].date}" if problem.days else ""
    title(ws, f"{problem.config.branch.name}  {tr('请假与活动', 'Leave and events', lang)}  {span}")
    ws.cell(
        row=2,
        column=1,
        value=tr(
            "排班按这些请假与活动排定; paiban check 读取本表 (开始、结束都空 = 全天)",
            "The roster was planned around these; paiban check reads this sheet (no start and end = all day)",
            lang,
        ),
    ).font = font(8, color="595959")
    for col, (_, zh, en) in enumerate(_COLUMNS, start=1):
        header_cell(ws, HEADER_ROW, col, tr(zh, en, lang))
    names = {p.staff_id: p.name for p in problem.staff}
    rows = sorted(problem.absences, key=lambda a: (a.date, a.staff_id, a.hours.start if a.hours else -1))
    for r, a in enumerate(rows, start=HEADER_ROW + 1):
        kind = tr("请假", "leave", lang) if a.kind == "leave" else tr("活动", "event", lang)
        values = (
            a.staff_id,
            names.get(a.staff_id, ""),
            a.date.isoformat(),
            fmt_hhmm(a.hours.start) if a.hours else None,
            fmt_hhmm(a.hours.end) if a.hours else None,
            kind,
            a.reason or None,
        )
        for col, v in enumerate(values, start=1):
            c = ws.cell(row=r, column=col, value=v)
            c.font, c.border, c.alignment = font(10), BORDER, LEFT if col == 7 else CENTER
    set_widths(ws, {1: 9, 2: 10, 3: 12, 4: 8, 5: 8, 6: 8, 7: 30})
    print_setup(ws, header=f"{problem.config.branch.name} {tr(*LEAVE_SHEET_NAMES, lang)}", landscape=False)
    return ws


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if (value.hour, value.minute) == (0, 0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    return restore(str(value).strip())  # a neutralised reason or id reads back as written


def read_leave_sheet(ws: Worksheet, staff: Staff, days: Sequence[Day], source: str | Path) -> list[Absence]:
    """The absences of the sheet within ``days``; bad cells raise ``InputError`` naming them."""
    where = f"{Path(source).name} [{ws.title}]"
    header = [_text(c.value) for c in ws[HEADER_ROW]]
    col: dict[str, int] = {}
    for key, zh, en in _COLUMNS:
        hit = next((i for i, h in enumerate(header) if h in (zh, en, key)), None)
        if hit is None and key in ("staff_id", "date", "start", "end", "kind"):
            raise InputError(f"缺少列 (missing column) {zh}", file=where, row=HEADER_ROW, value=zh)
        if hit is not None:
            col[key] = hit
    names = {p.staff_id: p.name for p in staff}
    dates = {d.date for d in days}
    out: list[Absence] = []
    for r, row in enumerate(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True), start=HEADER_ROW + 1):
        cell = {k: _text(row[i]) if i < len(row) else "" for k, i in col.items()}
        if not any(cell.values()):
            continue

        def bad(key: str, message: str, r: int = r, cell: dict[str, str] = cell) -> InputError:
            letter = chr(ord("A") + col[key])
            return InputError(message, file=where, row=r, column=letter, value=cell[key])

        sid = cell["staff_id"]
        if sid not in names:
            raise bad("staff_id", "员工名单中没有这个工号 (no such staff id in the staff list)")
        if cell.get("name") and cell["name"] != names[sid]:
            raise bad(
                "name", f"姓名与工号 {sid} 不符, 名单上是 {names[sid]} (name does not match the staff id)"
            )
        try:
            date = parse_date(cell["date"])
        except ValueError:
            raise bad("date", "无法识别的日期 (unparsable date); 应为 YYYY-MM-DD") from None
        kind = _KINDS.get(cell["kind"].lower())
        if kind is None:
            raise bad("kind", "类型应为 请假 或 活动 (kind must be leave or event)")
        hours = None
        if cell["start"] or cell["end"]:
            try:
                hours = TimeRange(
                    start=parse_hhmm(cell["start"] or "00:00"), end=parse_hhmm(cell["end"] or "24:00")
                )
            except (ValueError, ValidationError):
                raise bad(
                    "start", "时间应为 HH:MM, 结束晚于开始 (times must be HH:MM, end after start)"
                ) from None
        if date in dates:
            out.append(
                Absence(staff_id=sid, date=date, hours=hours, reason=cell.get("reason", ""), kind=kind)
            )
    return out
