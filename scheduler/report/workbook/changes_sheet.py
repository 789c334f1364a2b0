"""变更通知: what a re-plan changed, for a supervisor to read out at the morning meeting.

The first sheet of a re-planned roster.xlsx. A title with the branch and the cut, one line saying how many
people and person-days changed, then one row per person affected — 序号, 工号, 姓名, 岗位 and the notice
itself (each changed day: before → after, and why) — and below, the same changes one per person-day (the rows of
changes.csv). Read-only: ``paiban check`` and ``paiban replan`` skip it.
"""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from constraints.i18n import tr
from constraints.problem import Problem
from constraints.rules.base import day_label
from scheduler.report.workbook.changes import ChangeNotice
from scheduler.report.workbook.style import (
    BORDER,
    CENTER,
    LEFT,
    SUBHEADER_FILL,
    fit_row_heights,
    font,
    header_cell,
    post_label,
    print_setup,
    set_widths,
    title,
)

CHANGES_SHEET_NAMES: tuple[str, str] = ("变更通知", "Changes")
"""The sheet's name in Chinese and English."""


def _row(ws: Worksheet, r: int, values: tuple[object, ...], wide: int) -> None:
    for col, v in enumerate(values, start=1):
        c = ws.cell(row=r, column=col, value=v)
        c.font, c.border = font(11 if col == wide else 10), BORDER
        c.alignment = LEFT if col >= wide else CENTER


def headline(notice: ChangeNotice, lang: str) -> str:
    """The sheet's first line: how many people and person-days changed (or why nothing did)."""
    cut = notice.cut_text(lang)
    if not notice.staffed:
        return tr(
            f"未能排出 {cut} 起的班 (原因见指标表与 summary.json); 排班未改.",
            f"The week from {cut} could not be staffed (see the KPI sheet and summary.json); nothing changed.",
            lang,
        )
    if not notice.changes:
        return tr(f"自 {cut} 起重排, 无人需要变更.", f"Re-planned from {cut}: nobody's roster changes.", lang)
    people, days = len(notice.people()), len(notice.changes)
    return tr(
        f"自 {cut} 起重排, 之前的排班不变. 共 {people} 人、{days} 个人日变更:",
        f"Re-planned from {cut}; everything before stays. {people} people, {days} person-days changed:",
        lang,
    )


def write_changes_sheet(wb: Workbook, problem: Problem, notice: ChangeNotice, *, lang: str) -> Worksheet:
    """Insert the 变更通知 sheet first: one row per person affected, then one per person-day changed."""
    ws = wb.create_sheet(tr(*CHANGES_SHEET_NAMES, lang), 0)
    cut = notice.cut_text(lang)
    title(ws, f"{problem.config.branch.name}  {tr('排班变更通知', 'Roster changes', lang)}  {cut}")
    people = notice.by_person()
    line = headline(notice, lang)
    ws.cell(row=2, column=1, value=line).font = font(11, bold=True)
    r = 4
    for col, (zh, en) in enumerate((("序号", "No."), ("工号", "ID"), ("姓名", "Name"), ("岗位", "Post")), 1):
        header_cell(ws, r, col, tr(zh, en, lang))
    header_cell(ws, r, 5, tr("通知内容", "What changes", lang))
    staff = {p.staff_id: p for p in problem.staff}
    for k, (sid, changes) in enumerate(people.items(), start=1):
        r += 1
        text = "\n".join(c.sentence(lang) for c in changes)
        post = post_label(staff[sid].post, lang) if sid in staff else ""
        _row(ws, r, (k, sid, changes[0].name, post, text), wide=5)
    r += 2
    c = ws.cell(row=r, column=1, value=tr("明细 (与 changes.csv 相同)", "Detail (as changes.csv)", lang))
    c.font, c.fill = font(11, bold=True), SUBHEADER_FILL
    r += 1
    heads = (("日期", "Date"), ("工号", "ID"), ("姓名", "Name"), ("原安排", "Before"), ("新安排", "After"))
    for col, (zh, en) in enumerate(heads, 1):
        header_cell(ws, r, col, tr(zh, en, lang))
    header_cell(ws, r, 6, tr("原因", "Reason", lang))
    for ch in notice.changes:
        r += 1
        before, after = ch.texts(lang)
        values = (day_label(ch.date, lang), ch.staff_id, ch.name, before, after, ch.reason(lang))
        _row(ws, r, values, wide=4)
    set_widths(ws, {1: 12, 2: 8, 3: 10, 4: 30, 5: 60, 6: 30})
    fit_row_heights(ws, first_row=5)
    print_setup(ws, header=f"{problem.config.branch.name} {tr(*CHANGES_SHEET_NAMES, lang)}", landscape=False)
    return ws
