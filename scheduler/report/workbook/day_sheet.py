"""One sheet per open day: people × 15-minute slots, coloured and labelled by activity — and read back.

The sheet is made to be printed (one A4 landscape page) and edited by hand. Reading it back needs only two
things a person is told not to touch: the staff id in column A and the slot times (``08:30``) in the key row.
Everything else — colours, the hours column, the window counts — follows from the cell texts; conditional
formatting recolours a cell when its text is edited and marks an unknown text red.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
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
from constraints.staff import Person, Staff
from scheduler.report.day_marks import DayMarks
from scheduler.report.gaps import ServiceGap, TurnedAway
from scheduler.report.window_numbers import assign_windows, seats, seats_text
from scheduler.report.workbook.cached import FormulaValues
from scheduler.report.workbook.style import (
    ACTIVITY_BY_TEXT,
    ACTIVITY_COLOURS,
    BORDER,
    CENTER,
    HOUR,
    LEAVE_FILL,
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
    header_cell,
    people_by_post,
    post_label,
    print_setup,
    reject_merged,
    set_widths,
    short_activity_label,
    sign_footer,
)

FIRST_SLOT_COL = 5  # A staff_id, B name, C post, D hours, E… slots, then 窗口 and 休假与活动
KEY_ROW = 4  # slot times HH:MM
FIRST_PERSON_ROW = KEY_ROW + 1
RUN_START = Alignment(horizontal="left", vertical="center", wrap_text=False)
NOTE = Alignment(horizontal="left", vertical="center", wrap_text=False, shrink_to_fit=True)
_SHEET_DATE = re.compile(r"^\s*(\d{1,2})-(\d{1,2})")


def write_day_sheet(
    wb: Workbook,
    roster: Roster,
    problem: Problem,
    day: Day,
    *,
    lang: str,
    required: dict[str, dict[int, int]] | None = None,
    gaps: Sequence[ServiceGap] = (),
    away: Sequence[TurnedAway] = (),
    values: FormulaValues | None = None,
    marks: DayMarks | None = None,
    notes: Mapping[str, str] | None = None,
) -> Worksheet:
    """Add the sheet of one open day; ``required`` maps counter → {slot start minute: required windows};
    ``gaps`` and ``away`` are the day's service gaps and turned-away customers (:mod:`scheduler.report.gaps`);
    ``values`` records the formula cells' results; ``marks`` (holiday, 补班, pension/payroll day) go into the
    title and the printed page header; ``notes`` (by staff id) join the last column (the talks scheduled)."""
    ws = wb.create_sheet(day_title(day.date, lang))
    values = values if values is not None else FormulaValues()
    people = people_by_post(problem.staff)
    grid = roster.grid(day, [p.staff_id for p in people])
    last_col = FIRST_SLOT_COL + len(day.slot_starts) - 1
    mark_text = marks.text(lang) if marks is not None else ""
    _write_head(ws, problem, day, lang, last_col, mark_text)
    styles = StyleCache()
    windows = assign_windows(grid, problem.config.window_numbers())
    _write_people(ws, problem, day, people, grid, windows, lang, styles, values, notes or {})
    last_person_row = FIRST_PERSON_ROW + len(people) - 1
    area = f"{get_column_letter(FIRST_SLOT_COL)}{FIRST_PERSON_ROW}:{get_column_letter(last_col)}{last_person_row}"
    _recolour_rules(ws, area)
    _hour_borders(ws, day, 3, last_person_row)
    r = _write_counts(ws, day, grid, lang, styles, values, last_person_row + 2, required)
    r = _write_service(ws, gaps, away, lang, r + 1)
    ws.print_area = f"A1:{get_column_letter(last_col + 2)}{max(r - 1, last_person_row)}"
    _write_edit_notes(ws, lang, r + 1)

    set_widths(ws, {1: 6.5, 2: 7.5, 3: 12 if lang == "zh" else 16, 4: 5 if lang == "zh" else 6.5})
    for col in range(FIRST_SLOT_COL, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 3.4 if lang == "zh" else 4.2
    ws.column_dimensions[get_column_letter(last_col + 1)].width = 13 if lang == "zh" else 15
    ws.column_dimensions[get_column_letter(last_col + 2)].width = 22 if lang == "zh" else 26
    ws.freeze_panes = ws.cell(row=FIRST_PERSON_ROW, column=FIRST_SLOT_COL)
    branch = problem.config.branch.name
    print_setup(
        ws,
        header=f"{branch} {day.date.isoformat()} {day_type_label(day, lang)} {mark_text}".strip(),
        title_rows=f"3:{KEY_ROW}",
    )
    sign_footer(ws, lang)
    ws.sheet_view.zoomScale = 90
    return ws


def _write_head(
    ws: Worksheet, problem: Problem, day: Day, lang: str, last_col: int, mark_text: str = ""
) -> None:
    """Title (with the day's marks: holiday, 补班, pension/payroll day), legend, hour band and the key row of
    slot times (read back: do not edit)."""
    oh = day.open_hours
    hours_text = f"{fmt_hhmm(oh.start)}–{fmt_hhmm(oh.end)}" if oh else ""
    marked = f"【{mark_text}】  " if mark_text else ""
    head = (
        f"{problem.config.branch.name}  {day.date.isoformat()} {day_title(day.date, lang).split()[1]}  "
        f"{day_type_label(day, lang)}  {marked}{tr('营业', 'open', lang)} {hours_text}  "
        f"{tr('排班表', 'roster', lang)}"
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

    heads = (
        (1, tr("工号", "Staff ID", lang)),
        (2, tr("姓名", "Name", lang)),
        (3, tr("岗位", "Post", lang)),
        (4, tr("工时", "Hours", lang)),
        (last_col + 1, tr("窗口", "Window", lang)),
        (last_col + 2, tr("休假与活动", "Off, leave, events", lang)),
    )
    for col, text in heads:
        header_cell(ws, 3, col, text)
        ws.merge_cells(start_row=3, start_column=col, end_row=KEY_ROW, end_column=col)
    n = len(day.slot_starts)
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
    for s in range(n):
        c = ws.cell(row=KEY_ROW, column=FIRST_SLOT_COL + s, value=day.slot_label(s))
        c.font = font(7, color="1F4E78" if s in open_set else "7F7F7F")
        c.fill = SUBHEADER_FILL if s in open_set else OFF_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", text_rotation=90)
        c.border = BORDER
    ws.row_dimensions[KEY_ROW].height = 30


def absence_text(problem: Problem, day: Day, staff_id: str, works: bool, lang: str) -> str:
    """What the day sheet's last column says of a person: 休, 请假 (reason), 活动 09:00–12:00 (reason)."""
    parts = []
    for a in problem.absences_of(staff_id, day.date):
        what = tr("请假", "leave", lang) if a.kind == "leave" else tr("活动", "event", lang)
        when = f" {fmt_hhmm(a.hours.start)}–{fmt_hhmm(a.hours.end)}" if a.hours is not None else ""
        parts.append(f"{what}{when}{' ' + a.reason if a.reason else ''}")
    if not parts and not works:
        parts.append(tr("休", "off", lang))
    return "; ".join(parts)


def _write_people(
    ws: Worksheet,
    problem: Problem,
    day: Day,
    people: Sequence[Person],
    grid: np.ndarray,
    windows: np.ndarray,
    lang: str,
    styles: StyleCache,
    values: FormulaValues,
    notes: Mapping[str, str],
) -> None:
    """One row per person: id, name, post, hours (a formula), the slots, their windows (``windows``: people ×
    slots window numbers), then 休/请假/活动 and ``notes``."""
    n = len(day.slot_starts)
    last_col = FIRST_SLOT_COL + n - 1
    lunch_aliases = _aliases("break")
    for r, (p, row, seat_row) in enumerate(zip(people, grid, windows, strict=True), start=FIRST_PERSON_ROW):
        for col, val, align in (
            (1, p.staff_id, CENTER),
            (2, p.name, CENTER),
            (3, post_label(p.post, lang), LEFT),
        ):
            c = ws.cell(row=r, column=col, value=val)
            styles.apply(c, ("info", col), font=font(9), alignment=align, border=BORDER)
        rng = f"{get_column_letter(FIRST_SLOT_COL)}{r}:{get_column_letter(last_col)}{r}"
        lunch = "".join(f'-COUNTIF({rng},"{a}")' for a in lunch_aliases)
        worked = sum(1 for a in row if a not in (OFF, "break"))
        c = values.set(
            ws, r, 4, f"=(COUNTA({rng}){lunch})*{day.slot_minutes}/60", worked * day.slot_minutes / 60
        )
        styles.apply(c, "hours", font=font(9), alignment=CENTER, border=BORDER, number_format="0.0")
        for s in range(n):
            act = str(row[s])
            c = ws.cell(row=r, column=FIRST_SLOT_COL + s)
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
        note = "; ".join(
            t for t in (absence_text(problem, day, p.staff_id, worked > 0, lang), notes.get(p.staff_id)) if t
        )
        c = ws.cell(row=r, column=last_col + 1, value=seats_text(seats(seat_row, day), lang) or None)
        styles.apply(c, "seat", font=font(8), alignment=NOTE, border=BORDER)
        c = ws.cell(row=r, column=last_col + 2, value=note or None)
        styles.apply(c, "note", font=font(8), alignment=NOTE, border=BORDER)
        if note and worked == 0:
            c.fill = LEAVE_FILL if problem.absences_of(p.staff_id, day.date) else OFF_FILL
        ws.row_dimensions[r].height = 18


def _aliases(activity: str) -> list[str]:
    """Every distinct text a cell may hold for an activity (COUNTIF ignores case)."""
    return list(dict.fromkeys(a.lower() for a in activity_aliases(activity)))


def _write_counts(
    ws: Worksheet,
    day: Day,
    grid: np.ndarray,
    lang: str,
    styles: StyleCache,
    values: FormulaValues,
    r: int,
    required: dict[str, dict[int, int]] | None,
) -> int:
    """Window counts per slot (formulas, so they follow edits) and the requirement when known; next free row."""
    n = len(day.slot_starts)
    last_col = FIRST_SLOT_COL + n - 1
    first_person, last_person = FIRST_PERSON_ROW, FIRST_PERSON_ROW + len(grid) - 1
    summary_rows = [
        (c, tr(f"{activity_label(c, 'zh')}窗口", f"{activity_label(c, 'en')} windows", lang))
        for c in COUNTER_TYPES
    ]
    summary_rows.append(("lobby", tr("大堂经理", "Lobby manager", lang)))
    first_summary = r
    for act, text in summary_rows:
        ws.cell(row=r, column=2, value=text).font = font(9, bold=True)
        cond = " + ".join(f'COUNTIF({{col}}{first_person}:{{col}}{last_person},"{a}")' for a in _aliases(act))
        for s in range(n):
            letter = get_column_letter(FIRST_SLOT_COL + s)
            count = int((grid[:, s] == act).sum()) if len(grid) else 0
            cell = values.set(ws, r, FIRST_SLOT_COL + s, "=" + cond.format(col=letter), count)
            styles.apply(cell, "count", font=font(8), alignment=CENTER, border=BORDER)
        r += 1
        if required and act in required:
            text = tr(
                f"  需要{activity_label(act, 'zh')}窗口", f"  {activity_label(act, 'en')} required", lang
            )
            ws.cell(row=r, column=2, value=text).font = font(9, color="7F7F7F")
            for s in range(n):
                need = required[act].get(day.slot_starts[s])
                cell = ws.cell(row=r, column=FIRST_SLOT_COL + s, value=need)
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
    return r


def _write_service(
    ws: Worksheet, gaps: Sequence[ServiceGap], away: Sequence[TurnedAway], lang: str, r: int
) -> int:
    """The day's service gaps and turned-away customers, one line each (printed); the next free row."""
    if gaps:
        head = tr("服务缺口 (开窗少于需要)", "Service gaps (fewer windows open than required)", lang)
        ws.cell(row=r, column=2, value=head).font = font(9, bold=True, color="9C0006")
        r += 1
    for text in [g.text(lang) for g in gaps] + [t.text(lang) for t in away]:
        ws.cell(row=r, column=2, value=text).font = font(9, color="9C0006")
        r += 1
    return r


def _write_edit_notes(ws: Worksheet, lang: str, r: int) -> None:
    """How to edit the sheet — below the print area, so the posted sheet does not carry it."""
    notes = (
        tr(
            "修改方法: 在格子里输入 高柜/低柜/对公/大堂/后台/营销/晨会/午餐 (也可输入英文或 high_counter 等代码); "
            "清空格子 = 不在岗; 红色格子 = 无法识别。",
            "To edit: type High/Low/Corp/Lobby/Back/Sales/Meet/Lunch (or 高柜 …, or high_counter …) in a cell; "
            "an empty cell = off; red = not recognised.",
            lang,
        ),
        tr(
            "A 列工号、B 列姓名和第 4 行时间用于读回, 请勿修改; 周排班上的班次请一并改好。"
            "改完后运行 paiban check 检查规则。",
            "Keep the staff IDs in column A, the names in column B and the times in row 4: they are read back; "
            "change the week sheet to match. Run `paiban check` afterwards.",
            lang,
        ),
    )
    for k, note in enumerate(notes):
        ws.cell(row=r + k, column=2, value=note).font = font(8, color="595959")


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
    reject_merged(ws, where, lambda m: m.max_row <= key_row)
    ids: list[str] = []
    grid_rows: list[np.ndarray] = []
    seen: dict[str, int] = {}
    for r, values in enumerate(rows[key_row:], start=key_row + 1):
        sid = person_of_row(values, slot_of, staff, where, r, seen)
        if sid is None:
            continue
        row = np.full(len(day.slot_starts), OFF, dtype=object)
        for col, s in slot_of.items():
            v = values[col - 1] if col - 1 < len(values) else None
            act = _cell_activity(v)
            if act is None:
                raise InputError(
                    f"无法识别的活动 (unknown activity); 可选 (choose from) 高柜/低柜/对公/大堂/后台/营销/晨会/午餐 "
                    f"或 (or) {list(ACTIVITIES)}; 空白 = 休息 (blank = off)",
                    file=where,
                    row=r,
                    column=f"{get_column_letter(col)} ({fmt_hhmm(day.slot_starts[s])})",
                    value=v,
                )
            row[s] = act
        ids.append(sid)
        grid_rows.append(row)
    missing = [p for p in staff if p.staff_id not in seen]
    if missing:
        raise InputError(
            f"缺少 {missing[0].staff_id} {missing[0].name} 的一行 (no row for this person; every person of the "
            f"staff list has a row, blank cells = off)",
            file=where,
            value=missing[0].staff_id,
        )
    if not ids:
        return Roster(())
    return Roster.from_grid(day, ids, np.vstack(grid_rows))


def person_of_row(
    values: Sequence[object], slot_of: dict[int, int], staff: Staff, where: str, r: int, seen: dict[str, int]
) -> str | None:
    """The staff id of sheet row ``r`` (column A id, column B name), recorded in ``seen`` (id → row); None for
    rows that hold no person (titles, window counts, notes). A row with a person's name or activities but no
    id, an unknown or repeated id, or a name that is not the id's raises ``InputError`` naming the cell."""
    names = {p.staff_id: p.name for p in staff}
    sid = "" if not values or values[0] is None else restore(str(values[0]).strip())
    name = restore(str(values[1]).strip()) if len(values) > 1 and values[1] is not None else ""
    if not sid:
        owner = next((p for p in staff if p.name == name), None) if name else None
        if owner is not None:
            raise InputError(
                f"A 列工号为空, 这一行是 {owner.name} (工号 {owner.staff_id}); 请填回工号 "
                f"(the staff id in column A is empty: this row is {owner.name}'s, id {owner.staff_id})",
                file=where,
                row=r,
                column="A",
                value=name,
            )
        texts = [
            v for c in slot_of if c - 1 < len(values) and isinstance(v := values[c - 1], str) and v.strip()
        ]
        if texts:
            raise InputError(
                "这一行有排班, 但 A 列没有工号、B 列没有名单上的姓名, 无法读取 "
                "(this row has activities but no staff id in column A and no known name in column B)",
                file=where,
                row=r,
                column="A",
                value=f"{name} {texts[0]}".strip(),
            )
        return None
    if sid not in names:
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
    if name and name != names[sid]:
        raise InputError(
            f"姓名与工号不符: 工号 {sid} 在名单上是 {names[sid]}, 这一行写的是 {name} "
            f"(name does not match the staff id {sid}, which is {names[sid]})",
            file=where,
            row=r,
            column="B",
            value=name,
        )
    seen[sid] = r
    return sid


def _cell_activity(value: object) -> str | None:
    """Activity id of a cell text; ``OFF`` for an empty cell; None when not recognised."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return OFF
    text = str(value).strip()
    if not text:
        return OFF
    return ACTIVITY_BY_TEXT.get(text.lower())
