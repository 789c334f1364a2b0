"""One sheet per open day: people × 15-minute slots, coloured and labelled by activity — and read back.

The sheet is made to be printed (one A4 landscape page) and edited by hand. Reading it back needs only two
things a person is told not to touch: the staff id in column A and the slot times (``08:30``) in the key row.
Everything else — colours, the hours column, the window counts — follows from the cell texts; conditional
formatting recolours a cell when its text is edited and marks an unknown text red.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES, fmt_hhmm, parse_hhmm
from constraints.errors import InputError
from constraints.i18n import tr
from constraints.io import restore
from constraints.problem import Problem
from constraints.roster import ACTIVITIES, OFF, Roster
from constraints.staff import Staff
from scheduler.report.workbook.style import (
    ACTIVITY_BY_TEXT,
    ACTIVITY_COLOURS,
    BORDER,
    CENTER,
    HOUR,
    LEFT,
    OFF_FILL,
    SUBHEADER_FILL,
    WARN_FILL,
    StyleCache,
    activity_aliases,
    activity_fill,
    activity_label,
    day_title,
    day_type_label,
    font,
    formula_cell,
    header_cell,
    people_by_post,
    post_label,
    print_setup,
    set_widths,
    short_activity_label,
)

FIRST_SLOT_COL = 5  # A staff_id, B name, C post, D hours, E… slots
KEY_ROW = 4  # slot times HH:MM
FIRST_PERSON_ROW = KEY_ROW + 1
RUN_START = Alignment(horizontal="left", vertical="center", wrap_text=False)
_SHEET_DATE = re.compile(r"^\s*(\d{1,2})-(\d{1,2})")


def write_day_sheet(
    wb: Workbook,
    roster: Roster,
    problem: Problem,
    day: Day,
    *,
    lang: str,
    required: dict[str, dict[int, int]] | None = None,
) -> Worksheet:
    """Add the sheet of one open day; ``required`` maps counter → {slot start minute: required windows}."""
    ws = wb.create_sheet(day_title(day.date, lang))
    people = people_by_post(problem.staff)
    ids = [p.staff_id for p in people]
    grid = roster.grid(day, ids)
    n = len(day.slot_starts)
    last_col = FIRST_SLOT_COL + n - 1
    slot_cols = range(FIRST_SLOT_COL, last_col + 1)
    last_person_row = FIRST_PERSON_ROW + len(people) - 1
    branch = problem.config.branch.name
    oh = day.open_hours
    hours_text = f"{fmt_hhmm(oh.start)}–{fmt_hhmm(oh.end)}" if oh else ""

    # title, legend, hour band, key row
    head = (
        f"{branch}  {day.date.isoformat()} {day_title(day.date, lang).split()[1]}  "
        f"{day_type_label(day, lang)}  {tr('营业', 'open', lang)} {hours_text}  {tr('排班表', 'roster', lang)}"
    )
    c = ws.cell(row=1, column=1, value=head)  # overflows to the right: no merge needed
    c.font = font(14, bold=True)
    ws.row_dimensions[1].height = 26
    ws.cell(row=2, column=2, value=tr("图例", "Legend", lang)).font = font(9, bold=True)
    for k, act in enumerate(ACTIVITIES):
        col = FIRST_SLOT_COL + 3 * k
        if col + 2 > last_col:
            break
        for k2 in range(3):  # the label overflows into the two empty coloured cells beside it
            cell = ws.cell(row=2, column=col + k2, value=activity_label(act, lang) if k2 == 0 else None)
            cell.fill, cell.font = activity_fill(act), font(9)
    off_col = FIRST_SLOT_COL + 3 * len(ACTIVITIES)
    if off_col + 2 <= last_col:
        ws.cell(row=2, column=off_col, value=tr("空白 = 不在岗", "blank = off", lang)).font = font(9)

    for col, text in zip(
        range(1, FIRST_SLOT_COL),
        (
            tr("工号", "Staff ID", lang),
            tr("姓名", "Name", lang),
            tr("岗位", "Post", lang),
            tr("工时", "Hours", lang),
        ),
        strict=True,
    ):
        header_cell(ws, 3, col, text)
        ws.merge_cells(start_row=3, start_column=col, end_row=KEY_ROW, end_column=col)
    s = 0
    while s < n:
        hour = day.slot_starts[s] // 60
        e = s
        while e + 1 < n and day.slot_starts[e + 1] // 60 == hour:
            e += 1
        header_cell(ws, 3, FIRST_SLOT_COL + s, day.slot_label(s))
        if e > s:
            ws.merge_cells(
                start_row=3, start_column=FIRST_SLOT_COL + s, end_row=3, end_column=FIRST_SLOT_COL + e
            )
        s = e + 1
    open_set = set(day.open_slots)
    for s, col in enumerate(slot_cols):
        c = ws.cell(row=KEY_ROW, column=col, value=day.slot_label(s))
        c.font = font(7, color="1F4E78" if s in open_set else "7F7F7F")
        c.fill = SUBHEADER_FILL if s in open_set else OFF_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", text_rotation=90)
        c.border = BORDER
    ws.row_dimensions[KEY_ROW].height = 30

    # people × slots
    styles = StyleCache()
    for r, (p, row) in enumerate(zip(people, grid, strict=True), start=FIRST_PERSON_ROW):
        for col, val, align in (
            (1, p.staff_id, CENTER),
            (2, p.name, CENTER),
            (3, post_label(p.post, lang), LEFT),
        ):
            c = ws.cell(row=r, column=col, value=val)
            styles.apply(c, ("info", col), font=font(9), alignment=align, border=BORDER)
        rng = f"{get_column_letter(FIRST_SLOT_COL)}{r}:{get_column_letter(last_col)}{r}"
        lunch = "".join(f'-COUNTIF({rng},"{a}")' for a in activity_aliases("break")[:3])
        c = formula_cell(ws, r, 4, f"=(COUNTA({rng}){lunch})*{day.slot_minutes}/60")
        styles.apply(c, "hours", font=font(9), alignment=CENTER, border=BORDER, number_format="0.0")
        for s, col in enumerate(slot_cols):
            act = str(row[s])
            c = ws.cell(row=r, column=col)
            if act == OFF:
                styles.apply(c, "off", border=BORDER, alignment=CENTER)
                continue
            head_of_run = s == 0 or row[s - 1] != act
            c.value = short_activity_label(act, lang)
            styles.apply(
                c,
                ("act", act, head_of_run),
                border=BORDER,
                fill=activity_fill(act),
                font=font(8, color="000000" if head_of_run else ACTIVITY_COLOURS[act]),
                alignment=RUN_START,
            )
        ws.row_dimensions[r].height = 18

    area = f"{get_column_letter(FIRST_SLOT_COL)}{FIRST_PERSON_ROW}:{get_column_letter(last_col)}{last_person_row}"
    _recolour_rules(ws, area)
    _hour_borders(ws, day, 3, last_person_row)

    # window counts (formulas, so they follow edits) and the requirement when known
    r = last_person_row + 2
    summary_rows = [
        (c, tr(f"{activity_label(c, 'zh')}窗口", f"{activity_label(c, 'en')} windows", lang))
        for c in COUNTER_TYPES
    ]
    summary_rows.append(("lobby", tr("大堂经理", "Lobby manager", lang)))
    first_summary = r
    for act, text in summary_rows:
        ws.cell(row=r, column=2, value=text).font = font(9, bold=True)
        cond = " + ".join(
            f'COUNTIF({{col}}{FIRST_PERSON_ROW}:{{col}}{last_person_row},"{a}")'
            for a in activity_aliases(act)[:3]
        )
        for col in slot_cols:
            letter = get_column_letter(col)
            cell = formula_cell(ws, r, col, "=" + cond.format(col=letter))
            styles.apply(cell, "count", font=font(8), alignment=CENTER, border=BORDER)
        r += 1
        if required and act in required:
            text = tr(
                f"  需要{activity_label(act, 'zh')}窗口", f"  {activity_label(act, 'en')} required", lang
            )
            ws.cell(row=r, column=2, value=text).font = font(9, color="7F7F7F")
            for s, col in enumerate(slot_cols):
                need = required[act].get(day.slot_starts[s])
                cell = ws.cell(row=r, column=col, value=need)
                styles.apply(cell, "need", font=font(8, color="7F7F7F"), alignment=CENTER, border=BORDER)
            letter0 = get_column_letter(FIRST_SLOT_COL)
            ws.conditional_formatting.add(
                f"{letter0}{r - 1}:{get_column_letter(last_col)}{r - 1}",
                FormulaRule(
                    formula=[f"AND(ISNUMBER({letter0}{r}),{letter0}{r - 1}<{letter0}{r})"], fill=WARN_FILL
                ),
            )
            r += 1
    _hour_borders(ws, day, first_summary, r - 1)

    notes = (
        tr(
            "修改方法: 在格子里输入 高柜/低柜/对公/大堂/后台/晨会/午餐 (也可输入英文或 high_counter 等代码); 清空格子 = 不在岗; 红色格子 = 无法识别。",
            "To edit: type High/Low/Corp/Lobby/Back/Meet/Lunch (or 高柜 …, or high_counter …) in a cell; "
            "an empty cell = off; red = not recognised.",
            lang,
        ),
        tr(
            "A 列工号和第 4 行时间用于读回, 请勿修改。改完后运行 paiban check 检查规则。",
            "Keep the staff IDs in column A and the times in row 4: they are read back. Run `paiban check` afterwards.",
            lang,
        ),
    )
    for k, note in enumerate(notes, start=1):
        ws.cell(row=r + k, column=2, value=note).font = font(8, color="595959")

    set_widths(ws, {1: 6.5, 2: 7.5, 3: 12 if lang == "zh" else 16, 4: 5 if lang == "zh" else 6.5})
    for col in slot_cols:
        ws.column_dimensions[get_column_letter(col)].width = 3.4 if lang == "zh" else 4.2
    ws.freeze_panes = ws.cell(row=FIRST_PERSON_ROW, column=FIRST_SLOT_COL)
    print_setup(
        ws, header=f"{branch} {day.date.isoformat()} {day_type_label(day, lang)}", title_rows=f"3:{KEY_ROW}"
    )
    ws.sheet_view.zoomScale = 90
    return ws


def _is(ref: str, act: str) -> str:
    return "OR(" + ",".join(f'{ref}="{a}"' for a in activity_aliases(act)) + ")"


def _recolour_rules(ws: Worksheet, area: str) -> None:
    """Conditional formats so an edited cell takes its activity's colour (continuations hide their text)."""
    top_left = area.split(":")[0]
    m = re.match(r"([A-Z]+)(\d+)", top_left)
    assert m is not None
    col_letter, row = m.group(1), m.group(2)
    from openpyxl.utils import column_index_from_string

    prev = f"{get_column_letter(column_index_from_string(col_letter) - 1)}{row}"
    for act in ACTIVITIES:
        fill = PatternFill("solid", fgColor=ACTIVITY_COLOURS[act], bgColor=ACTIVITY_COLOURS[act])
        ws.conditional_formatting.add(
            area,
            FormulaRule(
                formula=[f"AND({_is(top_left, act)},{_is(prev, act)})"],
                fill=fill,
                font=Font(color=ACTIVITY_COLOURS[act]),
                stopIfTrue=True,
            ),
        )
        ws.conditional_formatting.add(
            area,
            FormulaRule(formula=[_is(top_left, act)], fill=fill, font=Font(color="000000"), stopIfTrue=True),
        )
    white = PatternFill("solid", fgColor="FFFFFF", bgColor="FFFFFF")
    ws.conditional_formatting.add(
        area, FormulaRule(formula=[f"LEN(TRIM({top_left}))=0"], fill=white, stopIfTrue=True)
    )
    ws.conditional_formatting.add(
        area, FormulaRule(formula=[f"LEN(TRIM({top_left}))>0"], fill=WARN_FILL, stopIfTrue=True)
    )


def _hour_borders(ws: Worksheet, day: Day, top: int, bottom: int) -> None:
    """A darker line at each full hour so times can be read across the page."""
    for s, start in enumerate(day.slot_starts):
        if start % 60 or s == 0:
            continue
        col = FIRST_SLOT_COL + s
        for r in range(top, bottom + 1):
            c = ws.cell(row=r, column=col)
            b = c.border
            c.border = Border(left=HOUR, right=b.right, top=b.top, bottom=b.bottom)


# ---- reading back -------------------------------------------------------------------------------------------


def sheet_date(name: str, days: Sequence[Day]) -> Day | None:
    """The day a sheet is named after (``11-30 周一`` / ``11-30 Mon``), or None."""
    m = _SHEET_DATE.match(name)
    if not m:
        return None
    month, dom = int(m.group(1)), int(m.group(2))
    for d in days:
        if d.date.month == month and d.date.day == dom:
            return d
    return None


def _cell_time(value: object) -> int | None:
    if isinstance(value, dt.datetime | dt.time):
        return value.hour * 60 + value.minute
    if isinstance(value, str):
        try:
            return parse_hhmm(value)
        except ValueError:
            return None
    return None


def read_day_sheet(ws: Worksheet, day: Day, staff: Staff, source: str | Path) -> Roster:
    """The roster of one day sheet; unknown staff or activity texts raise ``InputError`` naming the cell."""
    where = f"{Path(source).name} [{ws.title}]"
    rows = list(ws.iter_rows(min_row=1, max_row=ws.max_row, values_only=True))
    key_row: int | None = None
    times: dict[int, int] = {}
    for r, values in enumerate(
        rows[:12], start=1
    ):  # the key row has the most HH:MM cells (not the hour band)
        found = {
            col: t for col, v in enumerate(values, start=1) if col > 1 and (t := _cell_time(v)) is not None
        }
        if len(found) >= 2 and len(found) >= len(times):
            key_row, times = r, found
    if key_row is None:
        raise InputError(
            "找不到时间行 (no row of slot times such as 08:30 in the first rows)", file=where, row=1
        )
    slot_of: dict[int, int] = {}
    for col, minute in times.items():
        s = day.slot_of(minute) if day.slot_starts else -1
        if not 0 <= s < len(day.slot_starts) or day.slot_starts[s] != minute:
            raise InputError(
                f"时间不在当天的时段网格上 (time not on the day's slot grid "
                f"{day.slot_label(0) if day.slot_starts else ''}…, every {day.slot_minutes} min)",
                file=where,
                row=key_row,
                column=get_column_letter(col),
                value=fmt_hhmm(minute),
            )
        slot_of[col] = s
    known = set(staff.ids())
    by_name = {p.name: p.staff_id for p in staff}
    ids: list[str] = []
    grid_rows: list[np.ndarray] = []
    seen: dict[str, int] = {}
    for r, values in enumerate(rows[key_row:], start=key_row + 1):
        first = values[0] if values else None
        sid = "" if first is None else restore(str(first).strip())
        if not sid:
            name = restore(str(values[1]).strip()) if len(values) > 1 and values[1] is not None else ""
            if name not in by_name:
                continue  # titles, window counts and notes have no staff id
            sid = by_name[name]
        if sid not in known:
            raise InputError(
                "员工名单中没有这个工号 (no such staff id in the staff list)",
                file=where,
                row=r,
                column="A",
                value=sid,
            )
        if sid in seen:
            raise InputError(
                f"工号重复, 已在第 {seen[sid]} 行 (staff id repeated; first on row {seen[sid]})",
                file=where,
                row=r,
                column="A",
                value=sid,
            )
        seen[sid] = r
        row = np.full(len(day.slot_starts), OFF, dtype=object)
        for col, s in slot_of.items():
            v = values[col - 1] if col - 1 < len(values) else None
            act = _cell_activity(v)
            if act is None:
                raise InputError(
                    f"无法识别的活动 (unknown activity); 可选 (choose from) 高柜/低柜/对公/大堂/后台/晨会/午餐 "
                    f"或 (or) {list(ACTIVITIES)}; 空白 = 休息 (blank = off)",
                    file=where,
                    row=r,
                    column=f"{get_column_letter(col)} ({fmt_hhmm(day.slot_starts[s])})",
                    value=v,
                )
            row[s] = act
        ids.append(sid)
        grid_rows.append(row)
    if not ids:
        return Roster(())
    return Roster.from_grid(day, ids, np.vstack(grid_rows))


def _cell_activity(value: object) -> str | None:
    """Activity id of a cell text; ``OFF`` for an empty cell; None when not recognised."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return OFF
    text = str(value).strip()
    if not text:
        return OFF
    return ACTIVITY_BY_TEXT.get(text.lower())
