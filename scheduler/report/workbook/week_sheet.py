"""The week at a glance (周排班): people grouped by post × days, with shift, lunch and main activity."""

from __future__ import annotations

from collections import Counter

from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from constraints.config import fmt_hhmm
from constraints.i18n import tr
from constraints.problem import Problem
from constraints.roster import Roster
from scheduler.report.workbook.style import (
    ACTIVITY_COLOURS,
    BORDER,
    CENTER,
    HOLIDAY_FILL,
    LEFT,
    OFF_FILL,
    SUBHEADER_FILL,
    activity_label,
    day_fill,
    day_title,
    day_type_label,
    font,
    header_cell,
    people_by_post,
    post_label,
    print_setup,
    set_widths,
    sheet_name,
    title,
)

LEAVE_FILL = PatternFill("solid", fgColor="FFD966")


def shift_text(
    roster: Roster, problem: Problem, date: object, staff_id: str, lang: str
) -> tuple[str, str | None]:
    """Cell text ``08:30–17:30 / 午餐 11:30–12:30 / 高柜`` and the main activity (None when off)."""
    blocks = roster.blocks_of(date, staff_id)  # type: ignore[arg-type]
    if not blocks:
        return "", None
    start, end = blocks[0].start, max(b.end for b in blocks)
    lines = [f"{fmt_hhmm(start)}–{fmt_hhmm(end)}"]
    lunch = [b for b in blocks if b.activity == "break"]
    if lunch:
        lines.append(
            tr("午餐 ", "lunch ", lang) + ", ".join(f"{fmt_hhmm(b.start)}–{fmt_hhmm(b.end)}" for b in lunch)
        )
    minutes: Counter[str] = Counter()
    for b in blocks:
        if b.activity not in ("break", "meeting"):
            minutes[b.activity] += b.end - b.start
    ranked = [a for a, m in minutes.most_common() if m >= 60] or [a for a, _ in minutes.most_common(1)]
    main = ranked[0] if ranked else None
    if ranked:
        lines.append("/".join(activity_label(a, lang) for a in ranked[:2]))
    return "\n".join(lines), main


def write_week_sheet(wb: Workbook, roster: Roster, problem: Problem, *, lang: str) -> Worksheet:
    """Add the 周排班 sheet."""
    ws = wb.create_sheet(sheet_name("week", lang))
    days = list(problem.days)
    first_day_col = 3
    hours_col = first_day_col + len(days)
    rest_col = hours_col + 1
    span = f"{days[0].date.isoformat()} – {days[-1].date.isoformat()}" if days else ""
    title(ws, f"{problem.config.branch.name}  {tr('周排班', 'weekly roster', lang)}  {span}")

    header_cell(ws, 2, 1, tr("工号", "Staff ID", lang))
    header_cell(ws, 2, 2, tr("姓名", "Name", lang))
    for col in (1, 2):
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    for k, day in enumerate(days):
        col = first_day_col + k
        header_cell(ws, 2, col, f"{day_title(day.date, lang)}\n{day.date.isoformat()}")
        oh = day.open_hours
        hours = f"{fmt_hhmm(oh.start)}–{fmt_hhmm(oh.end)}" if oh else ""
        header_cell(
            ws, 3, col, f"{day_type_label(day, lang)} {hours}".strip(), fill=day_fill(day) or SUBHEADER_FILL
        )
    header_cell(ws, 2, hours_col, tr("周工时", "Weekly hours", lang))
    header_cell(ws, 2, rest_col, tr("休息天数", "Rest days", lang))
    for col in (hours_col, rest_col):
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws.row_dimensions[2].height = 30
    ws.row_dimensions[3].height = 18

    r = 4
    dates = [d.date for d in days]
    current_post = None
    for p in people_by_post(problem.staff):
        if p.post != current_post:
            current_post = p.post
            c = ws.cell(row=r, column=1, value=post_label(p.post, lang))
            c.font, c.fill, c.alignment = font(10, bold=True), SUBHEADER_FILL, LEFT
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=rest_col)
            r += 1
        for col, val in ((1, p.staff_id), (2, p.name)):
            c = ws.cell(row=r, column=col, value=val)
            c.font, c.alignment, c.border = font(10), CENTER, BORDER
        worked = 0
        for k, day in enumerate(days):
            c = ws.cell(row=r, column=first_day_col + k)
            c.border, c.alignment, c.font = BORDER, CENTER, font(9)
            text, main = shift_text(roster, problem, day.date, p.staff_id, lang)
            away = problem.absences_of(p.staff_id, day.date)
            whole_day = [a for a in away if a.hours is None]
            if text:
                worked += 1
                c.fill = PatternFill("solid", fgColor=ACTIVITY_COLOURS[main]) if main else OFF_FILL
            elif whole_day:
                text = tr("请假", "leave", lang) + (f"\n{whole_day[0].reason}" if whole_day[0].reason else "")
                c.fill = LEAVE_FILL
            elif not day.is_open:
                text = tr("休业", "closed", lang)
                c.fill = HOLIDAY_FILL
            else:
                text = tr("休", "off", lang)
                c.fill = OFF_FILL
            for a in away:
                if a.hours is not None:
                    text += f"\n{tr('离岗', 'away', lang)} {a.hours}{' ' + a.reason if a.reason else ''}"
            c.value = text
        c = ws.cell(row=r, column=hours_col, value=round(roster.hours(p.staff_id, dates), 2))
        c.font, c.alignment, c.border, c.number_format = font(10, bold=True), CENTER, BORDER, "0.0"
        c = ws.cell(row=r, column=rest_col, value=len(days) - worked)
        c.font, c.alignment, c.border = font(10), CENTER, BORDER
        ws.row_dimensions[r].height = 38
        r += 1

    # totals per day
    c = ws.cell(row=r, column=1, value=tr("在岗人数 / 工时", "People / hours", lang))
    c.font, c.alignment = font(10, bold=True), LEFT
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    for k, day in enumerate(days):
        ids = [p.staff_id for p in problem.staff if roster.works(day.date, p.staff_id)]
        day_hours = sum(roster.hours(i, [day.date]) for i in ids)
        c = ws.cell(
            row=r,
            column=first_day_col + k,
            value=f"{len(ids)} {tr('人', 'people', lang)} / {day_hours:.1f} h",
        )
        c.font, c.alignment, c.border = font(9, bold=True), CENTER, BORDER
    c = ws.cell(
        row=r, column=hours_col, value=round(sum(roster.hours(i, dates) for i in problem.staff.ids()), 2)
    )
    c.font, c.alignment, c.border, c.number_format = font(10, bold=True), CENTER, BORDER, "0.0"

    set_widths(ws, {1: 8, 2: 9, hours_col: 8, rest_col: 8})
    for k in range(len(days)):
        ws.column_dimensions[get_column_letter(first_day_col + k)].width = 17 if lang == "zh" else 20
    ws.freeze_panes = "C4"
    fit_tall = 1 if len(problem.staff) <= 24 else 0  # a small branch's week on one page
    print_setup(ws, header=f"{problem.config.branch.name} {span}", title_rows="2:3", fit_tall=fit_tall)
    return ws
