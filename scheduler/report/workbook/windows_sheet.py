"""窗口计划: per day and slot the forecast arrivals, required vs open windows per counter, peak labels, charts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.drawing.text import CharacterProperties, ParagraphProperties
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from constraints.config import COUNTER_TYPES
from constraints.i18n import tr
from constraints.problem import Problem
from scheduler.report.kpis import WeekKpis
from scheduler.report.workbook.style import (
    BORDER,
    CENTER,
    OK_FILL,
    SUBHEADER_FILL,
    WARN_FILL,
    StyleCache,
    activity_label,
    day_title,
    day_type_label,
    font,
    header_cell,
    print_setup,
    set_widths,
    sheet_name,
    title,
)
from scheduler.report.workbook.tables import peak_text

PEAK_FILLS = {"peak": WARN_FILL, "trough": OK_FILL}
CHART_ROWS = 16


def write_windows_sheet(
    wb: Workbook,
    problem: Problem,
    req: pd.DataFrame,
    peaks: dict[tuple[str, str], str],
    kpis: WeekKpis,
    *,
    lang: str,
) -> Worksheet:
    """Add the 窗口计划 sheet: a daily summary with a bar chart, a week line chart, then every slot.

    A day's forecast arrivals are the KPIs' (:mod:`scheduler.report.kpis`); the window-hours are the
    requirements table's.
    """
    ws = wb.create_sheet(sheet_name("windows", lang))
    counters = [c for c in COUNTER_TYPES if c in set(req["counter"])] or list(COUNTER_TYPES)
    title(
        ws,
        f"{problem.config.branch.name}  {tr('窗口计划 (需要 vs 开放)', 'window plan (required vs open)', lang)}",
    )
    print_setup(ws, header=f"{problem.config.branch.name} {sheet_name('windows', lang)}", fit_tall=0)
    if req.empty:
        ws.cell(
            row=3,
            column=1,
            value=tr("没有需求数据 (未提供排队预测)", "no demand data (no forecast given)", lang),
        )
        return ws
    r0 = 3
    last_summary = _daily_summary(ws, problem, req, kpis, counters, r0, lang)
    bar = _daily_chart(ws, r0, last_summary, lang)
    t0 = last_summary + 3 + CHART_ROWS
    last, key_col = _slot_table(ws, req, peaks, counters, t0, lang)
    line = _week_chart(ws, counters, t0, last, key_col, lang)
    anchor_row = last_summary + 2
    ws.add_chart(bar, f"A{anchor_row}")
    ws.add_chart(line, f"{get_column_letter(7)}{anchor_row}")
    set_widths(ws, {1: 12, 2: 13, 3: 8, key_col: 12})
    for col in range(4, key_col):
        ws.column_dimensions[get_column_letter(col)].width = 9
    ws.freeze_panes = ws.cell(row=t0 + 1, column=4)
    ws.print_title_rows = f"{t0 - 1}:{t0}"
    return ws


def _daily_summary(
    ws: Worksheet,
    problem: Problem,
    req: pd.DataFrame,
    kpis: WeekKpis,
    counters: list[str],
    r0: int,
    lang: str,
) -> int:
    """One row per open day from row ``r0``: arrivals and required/open window-hours per counter; the last row."""
    header_cell(ws, r0, 1, tr("日期", "Date", lang))
    header_cell(ws, r0, 2, tr("日类型", "Day type", lang))
    header_cell(ws, r0, 3, tr("预测到达", "Arrivals", lang))
    for k, counter in enumerate(counters):
        col = 4 + 2 * k
        header_cell(
            ws, r0, col, f"{activity_label(counter, lang)}\n{tr('需要窗口·时', 'required window-h', lang)}"
        )
        header_cell(
            ws, r0, col + 1, f"{activity_label(counter, lang)}\n{tr('开放窗口·时', 'open window-h', lang)}"
        )
    ws.row_dimensions[r0].height = 30
    slot_h = problem.config.grid.slot_minutes / 60
    r = r0 + 1
    for day in problem.open_days:
        d = req[req["date"] == day.date.isoformat()]
        if d.empty:
            continue
        ws.cell(row=r, column=1, value=day_title(day.date, lang))
        ws.cell(row=r, column=2, value=day_type_label(day, lang))
        ws.cell(row=r, column=3, value=kpis.day(day.date).forecast_arrivals).number_format = "0.0"
        for k, counter in enumerate(counters):
            dc = d[d["counter"] == counter]
            ws.cell(row=r, column=4 + 2 * k, value=round(float(dc["required_windows"].sum()) * slot_h, 2))
            ws.cell(row=r, column=5 + 2 * k, value=round(float(dc["open_windows"].sum()) * slot_h, 2))
        for col in range(1, 4 + 2 * len(counters)):
            c = ws.cell(row=r, column=col)
            c.font, c.alignment, c.border = font(9), CENTER, BORDER
        r += 1
    return r - 1


def _daily_chart(ws: Worksheet, r0: int, last_summary: int, lang: str) -> BarChart:
    """Required against open high-counter window-hours per day (the summary's first counter columns)."""
    bar = BarChart()
    bar.type = "col"
    bar.add_data(Reference(ws, min_col=4, max_col=5, min_row=r0 + 1, max_row=last_summary))
    bar.set_categories(Reference(ws, min_col=1, min_row=r0 + 1, max_row=last_summary))
    _tidy(
        bar,
        tr("每日高柜窗口·时", "High-counter window-hours per day", lang),
        [tr("需要", "required", lang), tr("开放", "open", lang)],
        11.0,
    )
    return bar


def _slot_table(
    ws: Worksheet,
    req: pd.DataFrame,
    peaks: dict[tuple[str, str], str],
    counters: list[str],
    t0: int,
    lang: str,
) -> tuple[int, int]:
    """Every slot from header row ``t0``: peak label, arrivals, required and open windows per counter, a chart
    label on each day's first slot; open below required is coloured. Returns (last row, chart-label column)."""
    header_cell(ws, t0, 1, tr("日期", "Date", lang))
    header_cell(ws, t0, 2, tr("时段", "Slot", lang))
    header_cell(ws, t0, 3, tr("峰谷", "Peak", lang))
    for k, counter in enumerate(counters):
        col = 4 + 3 * k
        header_cell(ws, t0 - 1, col, activity_label(counter, lang))
        ws.merge_cells(start_row=t0 - 1, start_column=col, end_row=t0 - 1, end_column=col + 2)
        header_cell(ws, t0, col, tr("预测到达", "arrivals", lang), fill=SUBHEADER_FILL)
        header_cell(ws, t0, col + 1, tr("需要", "required", lang), fill=SUBHEADER_FILL)
        header_cell(ws, t0, col + 2, tr("开放", "open", lang), fill=SUBHEADER_FILL)
    key_col = 4 + 3 * len(counters)
    header_cell(ws, t0, key_col, tr("图表标签", "chart label", lang), fill=SUBHEADER_FILL)
    wide = req.pivot_table(
        index=["date", "start", "end"],
        columns="counter",
        values=["forecast_arrivals", "required_windows", "open_windows"],
        aggfunc="first",
    ).sort_index()
    r = t0 + 1
    styles = StyleCache()
    previous = None
    for index, row in wide.iterrows():
        date, start, end = (str(x) for x in index)  # type: ignore[attr-defined]
        day_date = dt.date.fromisoformat(date)
        label = peaks.get((date, start), "")
        cells: list[object] = [day_title(day_date, lang), f"{start}–{end}", peak_text(label, lang)]
        for counter in counters:
            for field in ("forecast_arrivals", "required_windows", "open_windows"):
                v = row.get((field, counter))
                cells.append(
                    None
                    if v is None or pd.isna(v)
                    else (round(float(v), 2) if field == "forecast_arrivals" else int(v))
                )
        first_of_day = day_date != previous
        previous = day_date
        cells.append(f"{day_date:%m-%d} {day_title(day_date, lang).split()[1]}" if first_of_day else "")
        for col, v in enumerate(cells, start=1):
            c = ws.cell(row=r, column=col, value=v)
            key = ("key",) if col == key_col else ("peak", label) if col == 3 else ("cell",)
            extra = {"fill": PEAK_FILLS[label]} if col == 3 and label in PEAK_FILLS else {}
            styles.apply(
                c,
                key,
                font=font(8, color="7F7F7F") if col == key_col else font(9),
                alignment=CENTER,
                border=BORDER,
                **extra,
            )
        r += 1
    last = r - 1
    for k in range(len(counters)):
        req_l, open_l = get_column_letter(5 + 3 * k), get_column_letter(6 + 3 * k)
        ws.conditional_formatting.add(
            f"{open_l}{t0 + 1}:{open_l}{last}",
            FormulaRule(
                formula=[f"AND(ISNUMBER({req_l}{t0 + 1}),{open_l}{t0 + 1}<{req_l}{t0 + 1})"], fill=WARN_FILL
            ),
        )
    return last, key_col


def _week_chart(ws: Worksheet, counters: list[str], t0: int, last: int, key_col: int, lang: str) -> LineChart:
    """The high counter's required and open windows over the week's slots (the slot table's columns)."""
    line = LineChart()
    hc = 4 + 3 * counters.index("high_counter") if "high_counter" in counters else 4
    line.add_data(Reference(ws, min_col=hc + 1, max_col=hc + 2, min_row=t0 + 1, max_row=last))
    line.set_categories(Reference(ws, min_col=key_col, min_row=t0 + 1, max_row=last))
    line.x_axis.tickLblSkip = 1  # only each day's first slot has a label
    line.x_axis.tickMarkSkip = 1
    for s in line.series:
        s.smooth = False
    if len(line.series) == 2:
        line.series[0].graphicalProperties.line.solidFill = "C00000"
        line.series[0].graphicalProperties.line.dashStyle = "dash"
        line.series[1].graphicalProperties.line.solidFill = "2E75B6"
    _tidy(
        line,
        tr(
            "高柜窗口: 需要 vs 开放 (全周, 每 15 分钟)",
            "High counter windows: required vs open (week, every slot)",
            lang,
        ),
        [tr("需要", "required", lang), tr("开放", "open", lang)],
        22.0,
    )
    return line


def _tidy(chart: BarChart | LineChart, text: str, series: list[str], width_cm: float) -> None:
    """Title in 11 pt, named series, size, legend below, visible axes (openpyxl 3.1 hides them by default)."""
    chart.title = text
    size = CharacterProperties(sz=1100, b=True)
    chart.title.tx.rich.p[0].pPr = ParagraphProperties(defRPr=size)
    for s, name in zip(chart.series, series, strict=False):
        s.tx = SeriesLabel(v=name)
    chart.width = width_cm
    chart.height = 7.5
    chart.legend.position = "b"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
