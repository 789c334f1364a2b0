"""roster.xlsx: the roster as a branch prints, posts and edits it — and reads it back for ``paiban check``.

Sheets: 周排班 (week), one per open day (people × slots), 窗口计划 (windows with charts), 大堂经理工作日志
(lobby log), 指标 (KPIs). Written with openpyxl, atomically; read back from the day sheets only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES, parse_hhmm
from constraints.errors import InputError
from constraints.handovers import derive_handovers
from constraints.io import atomic_write
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.staff import Staff
from scheduler.report.workbook.day_sheet import read_day_sheet, sheet_date, write_day_sheet
from scheduler.report.workbook.kpi_sheet import InputRef, write_kpi_sheet
from scheduler.report.workbook.lobby_sheet import write_lobby_sheet
from scheduler.report.workbook.style import day_title
from scheduler.report.workbook.tables import peak_labels, requirements_table
from scheduler.report.workbook.week_sheet import write_week_sheet
from scheduler.report.workbook.windows_sheet import write_windows_sheet


def check_violations(problem: Problem, roster: Roster) -> list[Violation] | None:
    """Every rule's own ``check`` through the registry; None while the registry is not installed."""
    try:
        from constraints.rules import check_roster  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return None
    return list(check_roster(problem, roster))


def _required_by_slot(req: pd.DataFrame, date: str) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    d = req[req["date"] == date]
    for counter, start, need in zip(d["counter"], d["start"], d["required_windows"], strict=True):
        out.setdefault(str(counter), {})[parse_hhmm(str(start))] = int(need)
    return {c: out[c] for c in COUNTER_TYPES if c in out}


def build_workbook(
    roster: Roster,
    problem: Problem,
    *,
    result: Any = None,
    requirements: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    kpis: Mapping[str, Any] | None = None,
    handovers: Sequence[Any] | None = None,
    inputs: Mapping[str, InputRef] | None = None,
    lang: str = "zh",
) -> Workbook:
    """The workbook in memory (see :func:`write_workbook`)."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    req = requirements_table(problem, roster, requirements)
    write_week_sheet(wb, roster, problem, lang=lang)
    for day in problem.open_days:
        write_day_sheet(
            wb, roster, problem, day, lang=lang, required=_required_by_slot(req, day.date.isoformat())
        )
    write_windows_sheet(wb, problem, req, peak_labels(forecast), lang=lang)
    if handovers is None:
        handovers = list(getattr(result, "handovers", None) or []) or derive_handovers(roster, problem)
    write_lobby_sheet(wb, roster, problem, handovers, lang=lang)
    violations = getattr(result, "violations", None) if result is not None else None
    if violations is None:
        violations = check_violations(problem, roster)
    write_kpi_sheet(
        wb, roster, problem, result=result, kpis=kpis, violations=violations, inputs=inputs, lang=lang
    )
    wb.active = 0
    return wb


def write_workbook(
    path: str | Path,
    roster: Roster,
    problem: Problem,
    *,
    result: Any = None,
    requirements: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    kpis: Mapping[str, Any] | None = None,
    handovers: Sequence[Any] | None = None,
    inputs: Mapping[str, InputRef] | None = None,
    lang: str = "zh",
) -> None:
    """Write roster.xlsx atomically (temporary file, then ``os.replace``).

    ``result`` is a ``RosterResult`` (status, gap, violations, handovers, params, seed, versions); without
    it the rules are checked here and the handovers derived from the roster. ``requirements`` is the
    requirements.csv frame; ``forecast`` a forecast frame with a peak label (高峰/平峰/低谷); ``kpis`` may hold
    ``per_day`` (date, cost, mean_wait_minutes, share_within_target) and any scalars; ``inputs`` names the input
    files whose sha256 the KPI sheet records.
    """
    wb = build_workbook(
        roster,
        problem,
        result=result,
        requirements=requirements,
        forecast=forecast,
        kpis=kpis,
        handovers=handovers,
        inputs=inputs,
        lang=lang,
    )
    with atomic_write(path, "wb") as fh:
        wb.save(fh)


def read_workbook(path: str | Path, staff: Staff, days: Sequence[Day]) -> Roster:
    """The roster in a roster.xlsx's day sheets (edited or not); the other sheets are ignored.

    Every open day in ``days`` needs its sheet (named ``MM-DD …``); a bad cell raises ``InputError`` naming
    ``roster.xlsx [sheet]``, the row, the column and the value.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("文件不存在 (file not found)", file=p)
    try:
        wb = load_workbook(p, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(f"无法读取 Excel 文件 (cannot read the Excel file): {exc}", file=p) from None
    sheets: dict[Any, Any] = {}
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
    return Roster.concat(parts)


__all__ = ["build_workbook", "check_violations", "read_workbook", "write_workbook"]
