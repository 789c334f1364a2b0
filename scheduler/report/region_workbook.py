"""A region's run in one table: region_summary.csv's rows and region.xlsx, the overview a regional office prints.

:class:`RegionRow` is one branch folder's line; ``scheduler.app.region`` fills it from the branch's summary.json
(or from the reason the branch could not be planned) and both outputs read the same rows. region.xlsx has two
sheets: 区域概览 (one printable row per branch, failures and service gaps coloured by conditional formats, a
chart of staff hours against mean waits) and 汇总表 (every column of region_summary.csv).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from constraints.i18n import label, tr
from constraints.io import atomic_write
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

BAD_INPUT = "BAD_INPUT"
"""Status of a branch whose files paiban cannot read (exit status 2)."""
ERROR = "ERROR"
"""Status of a branch the engine could not finish: its worker died twice, or an unexpected error (exit status 3)."""

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "OPTIMAL": ("最优", "optimal"),
    "FEASIBLE": ("可行", "feasible"),
    "INFEASIBLE": ("无解", "infeasible"),
    "UNKNOWN": ("未找到排班", "no roster found"),
    "MODEL_INVALID": ("模型错误", "model invalid"),
    BAD_INPUT: ("输入错误", "bad input"),
    ERROR: ("运行错误", "run error"),
}


@dataclass(frozen=True)
class RegionRow:
    """One branch folder of a region run: how it went and the week's headline figures (None: no roster)."""

    folder: str
    branch_id: str
    branch_name: str
    status: str
    exit_status: int
    objective: float | None = None
    gap: float | None = None
    staff_hours: float | None = None
    mean_wait_minutes: float | None = None
    share_within_target: float | None = None
    hard_violations: int = 0
    service_gaps: int = 0
    seconds: float = 0.0
    message: str = ""


REGION_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(RegionRow))
"""region_summary.csv's columns, in order."""

HEADERS: dict[str, tuple[str, str]] = {
    "folder": ("网点文件夹", "Branch folder"),
    "branch_id": ("网点号", "Branch id"),
    "branch_name": ("网点名称", "Branch name"),
    "status": ("状态", "Status"),
    "exit_status": ("退出码", "Exit status"),
    "objective": ("目标值 (元)", "Objective (CNY)"),
    "gap": ("间隙", "Gap"),
    "staff_hours": ("员工工时", "Staff hours"),
    "mean_wait_minutes": ("平均等候 (分)", "Mean wait (min)"),
    "share_within_target": ("目标内占比", "Share within target"),
    "hard_violations": ("硬性违规", "Hard violations"),
    "service_gaps": ("服务缺口", "Service gaps"),
    "seconds": ("用时 (秒)", "Seconds"),
    "message": ("说明", "Message"),
}
NUMBER_FORMATS: dict[str, str] = {
    "objective": "#,##0",
    "gap": "0.0%",
    "staff_hours": "#,##0.0",
    "mean_wait_minutes": "0.0",
    "share_within_target": "0%",
    "seconds": "0.0",
}
WIDTHS: dict[str, float] = {"folder": 14, "branch_id": 12, "branch_name": 16, "status": 10, "message": 60}
OVERVIEW_COLUMNS: tuple[str, ...] = (
    "folder",
    "branch_id",
    "branch_name",
    "status",
    "exit_status",
    "staff_hours",
    "mean_wait_minutes",
    "share_within_target",
    "hard_violations",
    "service_gaps",
    "gap",
    "message",
)
"""What the printed overview shows (the 汇总表 sheet has every column)."""

FAILED_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")  # exit status 1 or 3: no usable roster
BAD_INPUT_FILL = PatternFill("solid", fgColor="F8CBAD", bgColor="F8CBAD")  # exit status 2: fix the files
GAPS_FILL = PatternFill(
    "solid", fgColor="FFEB9C", bgColor="FFEB9C"
)  # service gaps: short of windows somewhere
MARKER_COLOUR = "1F4E78"
HEADER_ROW = 4


def status_label(status: str, lang: str) -> str:
    """最优 / 可行 / 无解 / 输入错误 … (the status itself when it has no label)."""
    return label(STATUS_LABELS, status, lang) if status in STATUS_LABELS else status


def region_frame(rows: Sequence[RegionRow]) -> pd.DataFrame:
    """region_summary.csv as a frame: one row per branch folder, :data:`REGION_COLUMNS`."""
    return pd.DataFrame([dataclasses.astuple(r) for r in rows], columns=list(REGION_COLUMNS))


def status_counts(rows: Sequence[RegionRow]) -> dict[str, int]:
    """How many branches ended in each status, in :data:`STATUS_LABELS` order (others after)."""
    counts = Counter(r.status for r in rows)
    order = [s for s in STATUS_LABELS if s in counts] + sorted(set(counts) - set(STATUS_LABELS))
    return {s: counts[s] for s in order}


def counts_line(rows: Sequence[RegionRow], lang: str) -> str:
    """``网点 24 个: 可行 22, 无解 1, 输入错误 1; 有服务缺口 3 个`` — the run in one line."""
    parts = ", ".join(f"{status_label(s, lang)} {n}" for s, n in status_counts(rows).items())
    gaps = sum(1 for r in rows if r.service_gaps > 0)
    return tr(
        f"网点 {len(rows)} 个: {parts}; 有服务缺口 {gaps} 个",
        f"{len(rows)} branches: {parts}; {gaps} with service gaps",
        lang,
    )


def write_region_workbook(
    path: str | Path, rows: Sequence[RegionRow], *, week: dt.date, lang: str = "zh"
) -> None:
    """Write region.xlsx (区域概览 and 汇总表) atomically."""
    wb = Workbook()
    overview = wb.active
    assert overview is not None
    overview.title = tr("区域概览", "Overview", lang)
    heading = tr(f"区域排班概览: {week} 起一周", f"Region rosters, week of {week}", lang)
    title(overview, heading)
    overview.cell(row=2, column=1, value=counts_line(rows, lang)).font = font(10)
    _table(overview, rows, OVERVIEW_COLUMNS, lang)
    _colour_rows(overview, len(rows), OVERVIEW_COLUMNS)
    if rows:
        _chart(overview, len(rows), lang)
    print_setup(overview, header=heading, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", fit_tall=0)
    table = wb.create_sheet(tr("汇总表", "Summary", lang))
    title(table, tr("区域汇总 (同 region_summary.csv)", "Region summary (as region_summary.csv)", lang))
    _table(table, rows, REGION_COLUMNS, lang)
    _colour_rows(table, len(rows), REGION_COLUMNS)
    print_setup(table, header=heading, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", fit_tall=0)
    with atomic_write(path, "wb") as fh:
        wb.save(fh)


def _table(ws: Worksheet, rows: Sequence[RegionRow], columns: Sequence[str], lang: str) -> None:
    """Header on :data:`HEADER_ROW`, one row per branch below it, filter and frozen header."""
    for j, name in enumerate(columns, start=1):
        header_cell(ws, HEADER_ROW, j, label(HEADERS, name, lang))
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        for j, name in enumerate(columns, start=1):
            value = getattr(row, name)
            cell = ws.cell(row=i, column=j, value=status_label(value, lang) if name == "status" else value)
            cell.font = font(10)
            cell.border = BORDER
            cell.alignment = LEFT if name in ("message", "branch_name", "folder") else CENTER
            if name in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[name]
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    set_widths(ws, {j: WIDTHS.get(name, 11) for j, name in enumerate(columns, start=1)})


def _colour_rows(ws: Worksheet, n: int, columns: Sequence[str]) -> None:
    """Conditional formats, so the colours follow an edited value: failed rows red, bad input orange, gaps amber."""
    if n == 0:
        return
    first, last = HEADER_ROW + 1, HEADER_ROW + n
    exit_col = get_column_letter(columns.index("exit_status") + 1)
    rows_range = f"A{first}:{get_column_letter(len(columns))}{last}"
    ws.conditional_formatting.add(
        rows_range, FormulaRule(formula=[f"${exit_col}{first}=2"], fill=BAD_INPUT_FILL, stopIfTrue=True)
    )
    ws.conditional_formatting.add(
        rows_range,
        FormulaRule(
            formula=[f"OR(${exit_col}{first}=1,${exit_col}{first}>=3)"], fill=FAILED_FILL, stopIfTrue=True
        ),
    )
    gaps_col = get_column_letter(columns.index("service_gaps") + 1)
    ws.conditional_formatting.add(
        f"{gaps_col}{first}:{gaps_col}{last}",
        CellIsRule(operator="greaterThan", formula=["0"], fill=GAPS_FILL),
    )


def _chart(ws: Worksheet, n: int, lang: str) -> None:
    """Scatter of each branch's staff hours (x) against its mean wait (y), below the table."""
    first, last = HEADER_ROW + 1, HEADER_ROW + n
    x_col = OVERVIEW_COLUMNS.index("staff_hours") + 1
    y_col = OVERVIEW_COLUMNS.index("mean_wait_minutes") + 1
    chart = ScatterChart()
    chart.title = tr("员工工时与平均等候", "Staff hours against mean wait", lang)
    chart.style = 13
    chart.x_axis.title = label(HEADERS, "staff_hours", lang)
    chart.y_axis.title = label(HEADERS, "mean_wait_minutes", lang)
    chart.legend = None
    xs = Reference(ws, min_col=x_col, min_row=first, max_row=last)
    ys = Reference(ws, min_col=y_col, min_row=first, max_row=last)
    series = Series(ys, xs, title=tr("网点", "branches", lang))
    series.marker.symbol = "circle"
    series.marker.size = 7
    series.marker.graphicalProperties.solidFill = MARKER_COLOUR
    series.marker.graphicalProperties.line.solidFill = MARKER_COLOUR
    series.graphicalProperties.line.noFill = True  # points only: branches are not a sequence
    chart.series.append(series)
    chart.height, chart.width = 9, 18
    ws.add_chart(chart, f"A{last + 3}")
