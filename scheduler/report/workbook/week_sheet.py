"""The week at a glance (周排班): people grouped by post × days, with shift, lunch and main activity."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from constraints.calendar import Day
from constraints.config import fmt_hhmm, parse_hhmm
from constraints.errors import InputError
from constraints.i18n import tr
from constraints.problem import Problem
from constraints.roster import Roster
from constraints.rules.shifts import shift_label
from constraints.staff import POSTS, Person, Staff
from scheduler.report.day_marks import DayMarks, day_marks
from scheduler.report.duties import DutyPlan
from scheduler.report.workbook.day_sheet import person_of_row
from scheduler.report.workbook.style import (
    ACTIVITY_BY_TEXT,
    ACTIVITY_COLOURS,
    BORDER,
    CENTER,
    HOLIDAY_FILL,
    LEAVE_FILL,
    LEFT,
    OFF_FILL,
    SUBHEADER_FILL,
    activity_label,
    day_header,
    day_title,
    font,
    header_cell,
    people_by_post,
    post_label,
    print_setup,
    reject_merged,
    set_widths,
    sheet_name,
    sign_footer,
    title,
)


@dataclass(frozen=True)
class WeekCell:
    """What a week-sheet cell says of one person's day: the shift, its lunches and main activities.

    ``span`` None means off (休, 请假, 休业 or blank). Read back, ``activities`` are those the cell names.
    """

    span: tuple[int, int] | None
    lunches: tuple[tuple[int, int], ...] = ()
    activities: tuple[str, ...] = ()
    name: str = field(default="", compare=False)  # the posted shift (正常班 …), "" when none
    talks: tuple[tuple[int, int], ...] = ()  # 季度谈话 scheduled that day

    def text(self, lang: str) -> str:
        """The cell text: ``正常班 08:30–17:30`` / ``午餐 11:30–12:30`` / ``高柜/低柜`` on three lines (empty when
        off; the shift's name only when it is a posted shift)."""
        if self.span is None:
            return ""
        hours = f"{fmt_hhmm(self.span[0])}–{fmt_hhmm(self.span[1])}"
        lines = [f"{self.name} {hours}" if self.name else hours]
        if self.lunches:
            lines.append(
                tr("午餐 ", "lunch ", lang)
                + ", ".join(f"{fmt_hhmm(a)}–{fmt_hhmm(b)}" for a, b in self.lunches)
            )
        if self.activities:
            lines.append("/".join(activity_label(a, lang) for a in self.activities))
        if self.talks:
            lines.append(
                tr("谈话 ", "talk ", lang) + ", ".join(f"{fmt_hhmm(a)}–{fmt_hhmm(b)}" for a, b in self.talks)
            )
        return "\n".join(lines)


def week_cell(roster: Roster, date: dt.date, staff_id: str, problem: Problem | None = None) -> WeekCell:
    """The week-sheet cell of a person's day in ``roster``: shift (named when ``problem`` posts it), lunches,
    the (at most two) main activities."""
    blocks = roster.blocks_of(date, staff_id)
    if not blocks:
        return WeekCell(None)
    lunches = tuple((b.start, b.end) for b in blocks if b.activity == "break")
    talks = tuple((b.start, b.end) for b in blocks if b.activity == "talk")
    minutes: Counter[str] = Counter()
    for b in blocks:
        if b.activity not in ("break", "meeting", "talk"):
            minutes[b.activity] += b.end - b.start
    ranked = [a for a, m in minutes.most_common() if m >= 60] or [a for a, _ in minutes.most_common(1)]
    span = (blocks[0].start, max(b.end for b in blocks))
    day = next((d for d in problem.days if d.date == date), None) if problem is not None else None
    name = shift_label(problem, day, *span, staff_id) if problem is not None and day is not None else ""
    return WeekCell(span, lunches, tuple(ranked[:2]), name, talks)


OFF_WORDS: frozenset[str] = frozenset(
    {"休", "休息", "请假", "活动", "休业", "off", "leave", "event", "closed"}
)
"""First lines of a week-sheet cell that mean the person is not at work that day."""
_RANGE = re.compile(r"^(\d{1,2}:\d{2})\s*[-–—~至]\s*(\d{1,2}:\d{2})$")


def _range(text: str) -> tuple[int, int] | None:
    m = _RANGE.match(text.strip())
    if not m:
        return None
    try:
        return parse_hhmm(m.group(1)), parse_hhmm(m.group(2))
    except ValueError:
        return None


def parse_week_cell(value: object) -> WeekCell | None:
    """A week-sheet cell read back; None when its text cannot be read."""
    lines = [ln.strip() for ln in str(value if value is not None else "").splitlines() if ln.strip()]
    if not lines or lines[0].lower() in OFF_WORDS:
        return WeekCell(None)
    name, _, rest = lines[0].partition(" ")
    span = _range(lines[0]) or (_range(rest) if rest else None)  # 正常班 08:30–17:30, or the hours alone
    if span is None:
        return None
    lunches: list[tuple[int, int]] = []
    talks: list[tuple[int, int]] = []
    activities: list[str] = []
    for line in lines[1:]:
        head, _, rest = line.partition(" ")
        if head in ("离岗", "away"):
            continue
        if head.lower() in ("午餐", "lunch", "谈话", "talk"):
            for part in rest.split(","):
                rng = _range(part)
                if rng is None:
                    return None
                (lunches if head.lower() in ("午餐", "lunch") else talks).append(rng)
            continue
        for word in line.split("/"):
            act = ACTIVITY_BY_TEXT.get(word.strip().lower())
            if act is None:
                return None
            activities.append(act)
    return WeekCell(
        span, tuple(lunches), tuple(activities), name if _range(lines[0]) is None else "", tuple(talks)
    )


def shift_text(
    roster: Roster, problem: Problem, date: object, staff_id: str, lang: str
) -> tuple[str, str | None]:
    """Cell text ``08:30–17:30 / 午餐 11:30–12:30 / 高柜`` and the main activity (None when off)."""
    cell = week_cell(roster, date, staff_id, problem)  # type: ignore[arg-type]
    return cell.text(lang), (cell.activities[0] if cell.activities else None)


_FIRST_DAY_COL = 3
"""The week sheet's first day column (after 工号 and 姓名); the weekly hours and rest days follow the days."""


def _write_week_header(
    ws: Worksheet, days: Sequence[Day], marks: Mapping[dt.date, DayMarks], lang: str
) -> None:
    """Rows 2–3: id and name, each day (weekday and date over its kind, opening hours and marks such as
    养老金发放日), hours, rest days."""
    hours_col = _FIRST_DAY_COL + len(days)
    rest_col = hours_col + 1
    header_cell(ws, 2, 1, tr("工号", "Staff ID", lang))
    header_cell(ws, 2, 2, tr("姓名", "Name", lang))
    for col in (1, 2):
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    for k, day in enumerate(days):
        col = _FIRST_DAY_COL + k
        header_cell(ws, 2, col, f"{day_title(day.date, lang)}\n{day.date.isoformat()}")
        text, fill = day_header(day, marks.get(day.date), lang)
        header_cell(ws, 3, col, text, fill=fill or SUBHEADER_FILL)
    header_cell(ws, 2, hours_col, tr("周工时", "Weekly hours", lang))
    header_cell(ws, 2, rest_col, tr("休息天数", "Rest days", lang))
    for col in (hours_col, rest_col):
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws.row_dimensions[2].height = 30
    ws.row_dimensions[3].height = 30 if any(m.labels(lang) for m in marks.values()) else 18


def _day_text(
    roster: Roster, problem: Problem, staff_id: str, day: Day, lang: str
) -> tuple[str, PatternFill, bool]:
    """A person's day cell: its text (the shift, or 请假/活动, 休业, 休; then any hours away), its fill, and
    whether the person works that day."""
    text, main = shift_text(roster, problem, day.date, staff_id, lang)
    away = problem.absences_of(staff_id, day.date)
    whole_day = [a for a in away if a.hours is None]
    worked = bool(text)
    if text:
        fill = PatternFill("solid", fgColor=ACTIVITY_COLOURS[main]) if main else OFF_FILL
    elif whole_day:
        kind = tr("请假", "leave", lang) if whole_day[0].kind == "leave" else tr("活动", "event", lang)
        text = kind + (f"\n{whole_day[0].reason}" if whole_day[0].reason else "")
        fill = LEAVE_FILL
    elif not day.is_open:
        text = tr("休业", "closed", lang)
        fill = HOLIDAY_FILL
    else:
        text = tr("休", "off", lang)
        fill = OFF_FILL
    for a in away:
        if a.hours is not None:
            text += f"\n{tr('离岗', 'away', lang)} {a.hours}{' ' + a.reason if a.reason else ''}"
    return text, fill, worked


def _write_person_row(
    ws: Worksheet, r: int, person: Person, roster: Roster, problem: Problem, days: Sequence[Day], lang: str
) -> None:
    """Row ``r``: id, name, a cell per day, the week's hours and rest days."""
    hours_col = _FIRST_DAY_COL + len(days)
    for col, val in ((1, person.staff_id), (2, person.name)):
        c = ws.cell(row=r, column=col, value=val)
        c.font, c.alignment, c.border = font(10), CENTER, BORDER
    worked = 0
    for k, day in enumerate(days):
        c = ws.cell(row=r, column=_FIRST_DAY_COL + k)
        c.border, c.alignment, c.font = BORDER, CENTER, font(9)
        text, fill, works = _day_text(roster, problem, person.staff_id, day, lang)
        c.value, c.fill = text, fill
        worked += int(works)
    dates = [d.date for d in days]
    c = ws.cell(row=r, column=hours_col, value=round(roster.hours(person.staff_id, dates), 2))
    c.font, c.alignment, c.border, c.number_format = font(10, bold=True), CENTER, BORDER, "0.0"
    c = ws.cell(row=r, column=hours_col + 1, value=len(days) - worked)
    c.font, c.alignment, c.border = font(10), CENTER, BORDER
    ws.row_dimensions[r].height = 38


def _write_week_totals(
    ws: Worksheet, r: int, roster: Roster, problem: Problem, days: Sequence[Day], lang: str
) -> None:
    """Row ``r``: people at work and their hours per day, and the week's hours."""
    c = ws.cell(row=r, column=1, value=tr("在岗人数 / 工时", "People / hours", lang))
    c.font, c.alignment = font(10, bold=True), LEFT
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    for k, day in enumerate(days):
        ids = [p.staff_id for p in problem.staff if roster.works(day.date, p.staff_id)]
        day_hours = sum(roster.hours(i, [day.date]) for i in ids)
        c = ws.cell(
            row=r,
            column=_FIRST_DAY_COL + k,
            value=f"{len(ids)} {tr('人', 'people', lang)} / {day_hours:.1f} h",
        )
        c.font, c.alignment, c.border = font(9, bold=True), CENTER, BORDER
    dates = [d.date for d in days]
    c = ws.cell(
        row=r,
        column=_FIRST_DAY_COL + len(days),
        value=round(sum(roster.hours(i, dates) for i in problem.staff.ids()), 2),
    )
    c.font, c.alignment, c.border, c.number_format = font(10, bold=True), CENTER, BORDER, "0.0"


def write_week_sheet(wb: Workbook, roster: Roster, problem: Problem, *, lang: str) -> Worksheet:
    """Add the 周排班 sheet."""
    ws = wb.create_sheet(sheet_name("week", lang))
    days = list(problem.days)
    hours_col = _FIRST_DAY_COL + len(days)
    rest_col = hours_col + 1
    span = f"{days[0].date.isoformat()} – {days[-1].date.isoformat()}" if days else ""
    title(ws, f"{problem.config.branch.name}  {tr('周排班', 'weekly roster', lang)}  {span}")
    _write_week_header(ws, days, day_marks(problem), lang)
    r = 4
    current_post = None
    for p in people_by_post(problem.staff):
        if p.post != current_post:  # a heading row per post
            current_post = p.post
            c = ws.cell(row=r, column=1, value=post_label(p.post, lang))
            c.font, c.fill, c.alignment = font(10, bold=True), SUBHEADER_FILL, LEFT
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=rest_col)
            r += 1
        _write_person_row(ws, r, p, roster, problem, days, lang)
        r += 1
    _write_week_totals(ws, r, roster, problem, days, lang)
    set_widths(ws, {1: 8, 2: 9, hours_col: 8, rest_col: 8})
    for k in range(len(days)):
        ws.column_dimensions[get_column_letter(_FIRST_DAY_COL + k)].width = 17 if lang == "zh" else 20
    ws.freeze_panes = "C4"
    fit_tall = 1 if len(problem.staff) <= 24 else 0  # a small branch's week on one page
    print_setup(ws, header=f"{problem.config.branch.name} {span}", title_rows="2:3", fit_tall=fit_tall)
    sign_footer(ws, lang)
    return ws


DUTIES_HEADS: tuple[str, str] = ("周期工作", "Periodic duties")
"""Column A of the 周期工作 block, the last thing on the week sheet (read back: everything from it on is notes)."""


def write_duties_block(ws: Worksheet, duties: DutyPlan, problem: Problem, lang: str) -> None:
    """The 周期工作 block two rows under the week sheet's totals: the 经营分析会 and 季度谈话 due this week, the
    talks scheduled into the roster and who is still due (nothing when the week lies in no window)."""
    lines = duties.lines(problem, lang)
    if not lines:
        return
    first = ws.max_row + 2
    last_col = ws.max_column
    head = ws.cell(row=first, column=1, value=tr(*DUTIES_HEADS, lang))
    head.font, head.fill, head.alignment = font(10, bold=True), SUBHEADER_FILL, CENTER
    ws.merge_cells(start_row=first, start_column=1, end_row=first + len(lines) - 1, end_column=1)
    for k, line in enumerate(lines):
        r = first + k
        c = ws.cell(row=r, column=2, value=line.strip())
        c.font = font(9, bold=not line.startswith(" "))
        c.alignment = LEFT
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=last_col)
        ws.row_dimensions[r].height = 30 if len(line) > 90 else 16


# ---- reading back -------------------------------------------------------------------------------------------

WEEK_SHEET_NAMES: tuple[str, str] = ("周排班", "Week")
_TOTALS = ("在岗人数 / 工时", "People / hours")


@dataclass(frozen=True)
class WeekSheetCell:
    """One person-day cell of the week sheet as read back: where it is, what it says, what that means."""

    coordinate: str
    text: str
    cell: WeekCell


def _day_columns(rows: list[tuple[object, ...]], days: Sequence[Day], where: str) -> dict[int, Day]:
    """Column (1-based) → day, from the header row: the (last) row whose cells name the most of the week's
    dates."""
    found: dict[int, Day] = {}
    for values in rows[:5]:
        here = {}
        for col, v in enumerate(values, start=1):
            hits = [d for d in days if v is not None and d.date.isoformat() in str(v)]
            if len(hits) == 1:
                here[col] = hits[0]
        if len(here) >= len(found):  # a tie (a one-day plan): the header row, not the title above it
            found = here
    missing = [d for d in days if d not in found.values()]
    if missing:
        raise InputError(
            "周排班表头缺少这一天 (the week sheet has no column headed with this date)",
            file=where,
            row=2,
            value=missing[0].date.isoformat(),
        )
    return found


def read_week_sheet(
    ws: Worksheet, staff: Staff, days: Sequence[Day], source: str | Path
) -> dict[tuple[str, dt.date], WeekSheetCell]:
    """Every person-day cell of the 周排班 sheet; a merged, unreadable or unknown cell raises ``InputError``."""
    where = f"{Path(source).name} [{ws.title}]"
    rows = list(ws.iter_rows(min_row=1, max_row=ws.max_row, values_only=True))
    columns = _day_columns(rows, days, where)
    posts = {post_label(p, lang) for p in POSTS for lang in ("zh", "en")}

    duties_row = next(
        (r for r, values in enumerate(rows, start=1) if values and str(values[0]) in DUTIES_HEADS), None
    )

    def heading(rng: CellRange) -> bool:
        first = ws.cell(rng.min_row, 1).value
        return (
            rng.min_row <= 3
            or (duties_row is not None and rng.min_row >= duties_row)
            or (rng.min_col == 1 and rng.size["rows"] == 1 and str(first) in (*posts, *_TOTALS))
        )

    reject_merged(ws, where, heading)
    by_col = {col: col for col in columns}  # slot_of stand-in: the day columns hold a person's texts
    out: dict[tuple[str, dt.date], WeekSheetCell] = {}
    seen: dict[str, int] = {}
    for r, values in enumerate(rows[3:], start=4):
        if duties_row is not None and r >= duties_row:
            break
        first = values[0] if values else None
        if first is not None and str(first).strip() in (*posts, *_TOTALS):
            continue
        sid = person_of_row(values, by_col, staff, where, r, seen)
        if sid is None:
            continue
        for col, day in columns.items():
            raw = values[col - 1] if col - 1 < len(values) else None
            text = "" if raw is None else str(raw)
            cell = parse_week_cell(raw)
            coordinate = f"{get_column_letter(col)}{r}"
            if cell is None:
                raise InputError(
                    "无法读取这一格: 第一行应为 08:30–17:30 这样的班次, 或 休/请假; 午餐一行写 午餐 11:30–12:30 "
                    "(cannot read this cell: a shift such as 08:30–17:30 or 休/请假 first, then 午餐 HH:MM–HH:MM)",
                    file=where,
                    row=r,
                    column=get_column_letter(col),
                    value=text,
                )
            out[(sid, day.date)] = WeekSheetCell(coordinate, text, cell)
    missing = [p for p in staff if p.staff_id not in seen]
    if missing:
        raise InputError(
            f"缺少 {missing[0].staff_id} {missing[0].name} 的一行 (no row for this person)",
            file=where,
            value=missing[0].staff_id,
        )
    return out
