"""Shared look of roster.xlsx: activity colours, fonts, borders, sheet names and print setup."""

from __future__ import annotations

import copy
import datetime as dt
import weakref
from collections.abc import Callable
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from constraints.calendar import Day
from constraints.config import fmt_hhmm
from constraints.errors import InputError
from constraints.i18n import ACTIVITY_LABELS, DAY_TYPE_LABELS, label, tr, weekday_label
from constraints.io import neutralise
from constraints.roster import ACTIVITIES
from constraints.staff import POSTS, Person, Staff
from scheduler.report.day_marks import DayMarks

FONT_NAME = "Microsoft YaHei"
"""Excel on Chinese Windows has it; LibreOffice substitutes a CJK font (Noto Sans CJK) when rendering."""

ACTIVITY_COLOURS: dict[str, str] = {
    "high_counter": "F4B183",  # 高柜: orange (cash)
    "low_counter": "FFE699",  # 低柜: yellow
    "corporate_counter": "9DC3E6",  # 对公: blue
    "lobby": "A9D18E",  # 大堂: green
    "back_office": "D9D9D9",  # 后台: grey
    "outreach": "9FD8CB",  # 营销外拓: teal
    "talk": "F8CBAD",  # 谈话 (季度谈话): rose
    "meeting": "C5A3E0",  # 晨会: purple
    "break": "DDEBF7",  # 午餐: pale blue
}
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
SUBHEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
OFF_FILL = PatternFill("solid", fgColor="F2F2F2")
WEEKEND_FILL = PatternFill("solid", fgColor="FCE4D6")
HOLIDAY_FILL = PatternFill("solid", fgColor="F8CBAD")
WARN_FILL = PatternFill("solid", fgColor="FFC7CE")
OK_FILL = PatternFill("solid", fgColor="C6EFCE")
LEAVE_FILL = PatternFill("solid", fgColor="FFD966")
PAYDAY_FILL = PatternFill("solid", fgColor="FFF2CC")

THIN = Side(style="thin", color="A6A6A6")
HOUR = Side(style="medium", color="595959")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def font(size: float = 10, bold: bool = False, color: str = "000000") -> Font:
    """The workbook font."""
    return Font(name=FONT_NAME, size=size, bold=bold, color=color)


def activity_fill(activity: str) -> PatternFill:
    """Solid fill of an activity cell."""
    return PatternFill("solid", fgColor=ACTIVITY_COLOURS[activity])


def activity_label(activity: str, lang: str) -> str:
    """高柜 / High counter …"""
    return label(ACTIVITY_LABELS, activity, lang)


def short_activity_label(activity: str, lang: str) -> str:
    """Label short enough for a 15-minute cell: the Chinese label, or a short English word."""
    if lang == "zh" and activity == "outreach":
        return "营销"  # two characters fit a 15-minute cell
    short_en = {
        "high_counter": "High",
        "low_counter": "Low",
        "corporate_counter": "Corp",
        "lobby": "Lobby",
        "back_office": "Back",
        "outreach": "Sales",
        "talk": "Talk",
        "meeting": "Meet",
        "break": "Lunch",
    }
    return tr(ACTIVITY_LABELS[activity][0], short_en[activity], lang)


def activity_aliases(activity: str) -> tuple[str, ...]:
    """Every text that names an activity in a cell: id, Chinese and English labels, short English."""
    zh, en = ACTIVITY_LABELS[activity]
    return tuple(
        dict.fromkeys(
            (activity, zh, en, short_activity_label(activity, "zh"), short_activity_label(activity, "en"))
        )
    )


ACTIVITY_BY_TEXT: dict[str, str] = {
    alias.strip().lower(): act for act in ACTIVITIES for alias in activity_aliases(act)
} | {
    "会议": "meeting",
    "午休": "break",
    "休息": "break",
    "晨会/meeting": "meeting",
    "break": "break",
    "外拓": "outreach",
    "季度谈话": "talk",
}
"""Lower-cased cell text → activity id (zh and en labels, ids)."""


def day_type_label(day: Day, lang: str) -> str:
    """工作日 / 周末 / 节假日 / 调休 / 休业."""
    return label(DAY_TYPE_LABELS, day.day_type, lang)


def day_title(date: dt.date, lang: str) -> str:
    """``11-30 周一`` — also the name of the day's sheet."""
    return f"{date:%m-%d} {weekday_label(date.weekday(), lang)}"


def day_fill(day: Day) -> PatternFill | None:
    """Header fill that marks weekends, holidays and closed days."""
    if day.day_type in ("holiday", "closed"):
        return HOLIDAY_FILL
    if day.day_type == "weekend":
        return WEEKEND_FILL
    return None


def day_header(day: Day, marks: DayMarks | None, lang: str) -> tuple[str, PatternFill | None]:
    """A day's header text and fill: ``工作日 09:00–17:00`` and, on a second line, its marks (``国庆节``,
    ``国庆节补班``, ``养老金发放日`` …); holidays and weekends keep their fill, pension and payroll days get theirs."""
    oh = day.open_hours
    hours = f"{fmt_hhmm(oh.start)}–{fmt_hhmm(oh.end)}" if oh else ""
    text = f"{day_type_label(day, lang)} {hours}".strip()
    extra = marks.text(lang) if marks is not None else ""
    fill = day_fill(day) or (PAYDAY_FILL if marks is not None and marks.payday else None)
    return (f"{text}\n{extra}" if extra else text), fill


SHEET_NAMES: dict[str, tuple[str, str]] = {
    "week": ("周排班", "Week"),
    "windows": ("窗口计划", "Windows"),
    "lobby": ("大堂经理工作日志", "Lobby log"),
    "kpis": ("指标", "KPIs"),
}


def sheet_name(key: str, lang: str) -> str:
    """Name of one of the fixed sheets in the chosen language."""
    return label(SHEET_NAMES, key, lang)


def header_cell(ws: Worksheet, row: int, col: int, text: object, *, fill: PatternFill | None = None) -> None:
    """A dark header cell with white bold text."""
    c = ws.cell(row=row, column=col, value=text)
    c.font = font(10, bold=True, color="FFFFFF" if fill is None else "000000")
    c.fill = fill or HEADER_FILL
    c.alignment = CENTER
    c.border = BORDER


def title(ws: Worksheet, text: str, row: int = 1, size: float = 14) -> None:
    """A bold title on ``row``."""
    c = ws.cell(row=row, column=1, value=text)  # overflows into the empty cells to its right
    c.font = font(size, bold=True)
    c.alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[row].height = size * 1.9


def set_widths(ws: Worksheet, widths: dict[int, float]) -> None:
    """Column widths by 1-based index."""
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def print_setup(
    ws: Worksheet,
    *,
    header: str,
    title_rows: str | None = None,
    landscape: bool = True,
    fit_tall: int = 1,
) -> None:
    """A4, one page wide (and ``fit_tall`` pages tall; 0 = as many as needed), narrow margins, header text."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = fit_tall
    ws.page_margins.left = ws.page_margins.right = 0.25
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    ws.oddHeader.center.text = header
    ws.oddHeader.center.size = 10
    ws.oddFooter.right.text = "&P / &N"
    if title_rows:
        ws.print_title_rows = title_rows


def sign_footer(ws: Worksheet, lang: str) -> None:
    """The signature line a posted roster carries: 制表 / 审核 / 审批 / 日期, in the printed footer."""
    blank = "________"
    parts = (("制表", "Prepared by"), ("审核", "Checked by"), ("审批", "Approved by"), ("日期", "Date"))
    ws.oddFooter.left.text = "   ".join(f"{tr(zh, en, lang)}: {blank}" for zh, en in parts)
    ws.oddFooter.left.size = 10


def people_by_post(staff: Staff) -> list[Person]:
    """People grouped by post (支行长 first … 信贷员 last), file order within a post."""
    order = {post: k for k, post in enumerate(POSTS)}
    return sorted(staff.people, key=lambda p: order.get(p.post, len(order)))


def post_label(post: str, lang: str) -> str:
    """支行长 / Branch president …"""
    return label(POSTS, post, lang)


def reject_merged(ws: Worksheet, where: str, allowed: Callable[[CellRange], bool]) -> None:
    """``InputError`` naming the first merged range that is not ``allowed``: a merge hides every cell but its
    first, so a merged roster area cannot be read back."""
    for rng in sorted(ws.merged_cells.ranges, key=lambda m: (m.min_row, m.min_col)):
        if not allowed(rng):
            raise InputError(
                f"合并单元格 {rng.coord} 无法读回, 请取消合并并逐格填写 "
                f"(merged cells cannot be read back: unmerge them and fill each cell)",
                file=where,
                row=rng.min_row,
                column=get_column_letter(rng.min_col),
                value=rng.coord,
            )


class StyleCache:
    """Reuse cell styles by key: openpyxl re-hashes every font/fill/border assigned, which dominates write time."""

    def __init__(self) -> None:
        self._arrays: dict[object, Any] = {}

    def apply(self, cell: Any, key: object, **attrs: Any) -> None:
        """Give ``cell`` the style named ``key`` (``attrs`` — font, fill, border, … — are used the first time)."""
        arr = self._arrays.get(key)
        if arr is None:
            for name, value in attrs.items():
                setattr(cell, name, value)
            self._arrays[key] = copy.copy(cell._style)
        else:
            cell._style = copy.copy(arr)


# ---- formulas: only paiban's own ---------------------------------------------------------------------------

_OWN_FORMULAS: weakref.WeakKeyDictionary[Worksheet, set[str]] = weakref.WeakKeyDictionary()


def formula_cell(ws: Worksheet, row: int, col: int, formula: str) -> Any:
    """A formula paiban writes itself (hours, window counts): the only kind of cell
    :func:`neutralise_cells` leaves a formula. Returns the cell."""
    c = ws.cell(row=row, column=col, value=formula)
    _OWN_FORMULAS.setdefault(ws, set()).add(c.coordinate)
    return c


def neutralise_cells(wb: Workbook) -> None:
    """Make every text cell of ``wb`` that Excel could run as a formula plain text (OWASP: a leading ``'``,
    :func:`constraints.io.neutralise`), unless :func:`formula_cell` wrote it.

    Names, staff ids, the branch name, leave reasons, file names: whatever a sheet took from the input files is
    stored as a string, never as a live formula, whichever sheet wrote it.
    """
    for ws in wb.worksheets:
        own = _OWN_FORMULAS.get(ws, set())
        for cell in ws._cells.values():  # the cells written (iter_rows would create the empty ones)
            value = cell.value
            if not isinstance(value, str):
                continue
            if cell.data_type == "f" and cell.coordinate in own:
                continue
            safe = neutralise(value)
            if safe != value or cell.data_type == "f":
                cell.value = safe
                cell.data_type = "s"


LINE_POINTS = 12.5
"""Height of one wrapped line of a 9-point cell, in points."""


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell text takes in a column ``width`` characters wide (a CJK character counts two)."""
    per_line = max(1.0, width * 1.15)
    total = 0
    for line in text.splitlines() or [""]:
        units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line)
        total += max(1, -(-units // int(per_line)))
    return total


def fit_row_heights(ws: Worksheet, first_row: int = 4) -> None:
    """Raise the rows from ``first_row`` on whose text needs more lines than they show (a long 离岗 reason, a
    re-plan's notice): a posted sheet never cuts a cell's text."""
    for row in ws.iter_rows(min_row=first_row, max_row=ws.max_row):
        need = 0
        for c in row:
            if isinstance(c.value, str):
                width = ws.column_dimensions[get_column_letter(c.column)].width or 8.43
                need = max(need, _lines(c.value, width))
        if need > 1:
            r = row[0].row
            ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, LINE_POINTS * need + 3)
