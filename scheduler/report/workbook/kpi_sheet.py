"""指标: hours, cost, waits per day; every rule check; solver status; parameters, seed, versions, input hashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from constraints.config import fmt_hhmm
from constraints.i18n import tr
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules import get_rule
from scheduler.report.workbook.style import (
    BORDER,
    CENTER,
    LEFT,
    OK_FILL,
    SUBHEADER_FILL,
    WARN_FILL,
    day_title,
    day_type_label,
    font,
    header_cell,
    print_setup,
    set_widths,
    sheet_name,
    title,
)
from scheduler.report.workbook.tables import expected_waits, staff_hours_by_day


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclasses.dataclass(frozen=True)
class InputFile:
    """An input known by the path a person reads and the sha256 of its bytes, hashed where they were read.

    ``paiban region`` ships a branch's files to a Dask worker: the worker plans from its own copy, and the
    outputs still name the submitter's file.
    """

    path: str
    sha256: str


InputRef = str | Path | InputFile
"""An input file: a path hashed here, or an :class:`InputFile` already hashed."""


def input_hashes(inputs: Mapping[str, InputRef] | None) -> dict[str, dict[str, str]]:
    """{name: {path, sha256}} of the input files (missing files say so)."""
    out: dict[str, dict[str, str]] = {}
    for name, path in (inputs or {}).items():
        if isinstance(path, InputFile):
            out[name] = {"path": path.path, "sha256": path.sha256}
            continue
        p = Path(path)
        out[name] = {"path": str(p), "sha256": sha256_file(p) if p.is_file() else "missing"}
    return out


def plain(obj: Any) -> Any:
    """JSON-friendly form of params/versions objects (pydantic, dataclass, mapping, dates)."""
    if hasattr(obj, "model_dump"):
        return plain(obj.model_dump())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return plain(dataclasses.asdict(obj))
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [plain(v) for v in obj]
    if isinstance(obj, dt.date | dt.datetime | dt.time):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return obj.item()
    return obj


def rule_title(rule: str, lang: str) -> str:
    """A rule's business name (业务名称) from the rules registry; the id for an unknown rule."""
    try:
        r = get_rule(rule)
    except KeyError:
        return rule
    return tr(r.label_zh, r.label_en, lang)


_KPI_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mean_wait_minutes": ("mean_wait_minutes", "mean_wait_min", "mean_wait", "expected_mean_wait"),
    "share_within_target": ("share_within_target", "within_target", "service_level"),
    "p90_wait_minutes": ("p90_wait_minutes", "p90_wait_min", "p90_wait"),
    "arrivals": ("arrivals", "forecast_arrivals"),
    "cost": ("cost", "cost_cny", "staff_cost"),
}


def per_day_kpis(kpis: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """``kpis["per_day"]`` by ISO date with normalised keys (:data:`_KPI_SYNONYMS`).

    Accepts a frame or a list of dicts with a ``date``; rows per date *and counter* (the simulator's
    ``SimulationResult.per_day()``) are combined, waits and shares weighted by arrivals.
    """
    if not kpis:
        return {}
    raw = kpis.get("per_day", kpis.get("days"))
    if raw is None:
        return {}
    df = raw.copy() if isinstance(raw, pd.DataFrame) else pd.DataFrame(list(raw))
    if df.empty or "date" not in df.columns:
        return {}
    cols = {}
    for key, names in _KPI_SYNONYMS.items():
        hit = next((n for n in names if n in df.columns), None)
        if hit is not None:
            cols[key] = pd.to_numeric(df[hit], errors="coerce")
    norm = pd.DataFrame(cols)
    norm["date"] = [d.isoformat() if isinstance(d, dt.date) else str(d)[:10] for d in df["date"]]
    out: dict[str, dict[str, Any]] = {}
    for date, g in norm.groupby("date", sort=True):
        w = g["arrivals"].fillna(0) if "arrivals" in g else pd.Series(1.0, index=g.index)
        rec: dict[str, Any] = {}
        for key in g.columns.drop("date"):
            v = g[key]
            if v.isna().all():
                continue
            if key in ("arrivals", "cost"):
                rec[key] = round(float(v.sum()), 2)
            else:
                ok = v.notna() & (w > 0) if len(g) > 1 else v.notna()
                weights = w[ok] if len(g) > 1 else pd.Series(1.0, index=v[ok].index)
                rec[key] = (
                    round(float((v[ok] * weights).sum() / weights.sum()), 4) if weights.sum() > 0 else None
                )
        out[str(date)] = rec
    return out


class _Rows:
    """Appends sections and rows to the KPI sheet, eight columns wide."""

    WIDTH = 8

    def __init__(self, ws: Worksheet, row: int) -> None:
        self.ws, self.r = ws, row

    def section(self, text: str) -> None:
        c = self.ws.cell(row=self.r, column=1, value=text)
        c.font, c.fill = font(11, bold=True), SUBHEADER_FILL
        self.ws.merge_cells(start_row=self.r, start_column=1, end_row=self.r, end_column=self.WIDTH)
        self.r += 1

    def header(self, texts: Sequence[str]) -> None:
        for col, h in enumerate(texts, start=1):
            header_cell(self.ws, self.r, col, h)
        self.r += 1

    def row(self, values: Sequence[object], fill: Any = None, merge_last: int = 0) -> None:
        """One row; a single value spans the table; ``merge_last`` widens the last value to the right edge."""
        for col, v in enumerate(values, start=1):
            c = self.ws.cell(row=self.r, column=col, value=v)
            c.font, c.border, c.alignment = (
                font(9),
                BORDER,
                LEFT if col >= 6 and isinstance(v, str) else CENTER,
            )
            if fill is not None:
                c.fill = fill
        if len(values) == 1:
            self.ws.cell(row=self.r, column=1).alignment = LEFT
            self.ws.merge_cells(start_row=self.r, start_column=1, end_row=self.r, end_column=self.WIDTH)
        elif merge_last and len(values) < self.WIDTH:
            self.ws.merge_cells(
                start_row=self.r, start_column=len(values), end_row=self.r, end_column=self.WIDTH
            )
        self.r += 1

    def note(self, text: str) -> None:
        self.ws.cell(row=self.r, column=1, value=text).font = font(8, color="7F7F7F")
        self.r += 1

    def gap(self) -> None:
        self.r += 1


def _per_day(out: _Rows, roster: Roster, problem: Problem, kpis: Mapping[str, Any] | None, lang: str) -> None:
    out.section(tr("每日指标", "Per day", lang))
    out.header(
        [
            tr("日期", "Date", lang),
            tr("日类型", "Day type", lang),
            tr("在岗人数", "People", lang),
            tr("工时", "Staff hours", lang),
            tr("成本 (元)", "Cost (CNY)", lang),
            tr("预测到达", "Arrivals", lang),
            tr("预期平均等候 (分钟)", "Expected mean wait (min)", lang),
            tr("目标时间内占比", "Share within target", lang),
        ]
    )
    hours = staff_hours_by_day(problem, roster)
    waits = expected_waits(problem, roster)
    per_day = per_day_kpis(kpis)
    rate = problem.config.costs.staff_hour
    costs: list[float] = []
    cost_from_kpis = False
    for day in problem.days:
        rec = per_day.get(day.date.isoformat(), {})
        cost = rec.get("cost")
        cost_from_kpis |= cost is not None
        costs.append(round(float(cost), 2) if cost is not None else round(hours[day.date] * rate, 2))
        model = waits.get(day.date, {})
        wait = rec.get("mean_wait_minutes", model.get("mean_wait_minutes"))
        share = rec.get("share_within_target")
        out.row(
            [
                day_title(day.date, lang),
                day_type_label(day, lang),
                sum(roster.works(day.date, i) for i in problem.staff.ids()),
                hours[day.date],
                costs[-1],
                rec.get("arrivals") or model.get("arrivals"),
                round(float(wait), 2) if wait is not None else None,
                f"{float(share):.0%}" if share is not None else None,
            ]
        )
    out.row(
        [
            tr("合计", "Total", lang),
            "",
            "",
            round(sum(hours.values()), 2),
            round(sum(costs), 2),
            None,
            None,
            None,
        ]
    )
    if not cost_from_kpis:
        out.note(
            tr(
                f"成本按基本时薪 {rate:g} 元/时计 (加班、休息日、节假日倍数见求解结果)",
                f"Cost at the base rate {rate:g} CNY/h (overtime, rest-day and holiday multipliers are in the solver's result)",
                lang,
            )
        )
    if not per_day:
        out.note(
            tr(
                "等候为排队模型按开放窗口查表的期望值; 目标内占比需仿真 (paiban simulate)",
                "Waits are the queueing model's expectation at the open windows; the share within target needs the simulator",
                lang,
            )
        )
    for k, v in (kpis or {}).items():
        if k not in ("per_day", "days"):
            out.row(
                [str(k), json.dumps(plain(v), ensure_ascii=False) if isinstance(v, dict | list) else plain(v)]
            )


def _violations(out: _Rows, violations: Sequence[Violation], problem: Problem, lang: str) -> None:
    names = {p.staff_id: p.name for p in problem.staff}
    sep = "、" if lang == "zh" else ", "
    out.header(
        [
            tr(x, y, lang)
            for x, y in (
                ("规则", "Rule"),
                ("名称", "Name"),
                ("硬/软", "Hard/soft"),
                ("日期", "Date"),
                ("时间", "Time"),
                ("人员", "People"),
                ("说明", "Message"),
            )
        ]
    )
    out.ws.merge_cells(start_row=out.r - 1, start_column=7, end_row=out.r - 1, end_column=8)
    for v in violations:
        when = ""
        if v.start is not None:
            when = fmt_hhmm(v.start) + (f"–{fmt_hhmm(v.end)}" if v.end is not None else "")
        out.row(
            [
                v.rule,
                rule_title(v.rule, lang),
                tr("硬", "hard", lang) if v.hard else tr("软", "soft", lang),
                v.date.isoformat() if v.date else "",
                when,
                sep.join(names.get(s, s) for s in v.staff_ids),
                v.message(lang),
            ],
            fill=WARN_FILL if v.hard else None,
            merge_last=True,
        )


def _checks(
    out: _Rows, violations: Sequence[Violation] | None, result: Any, problem: Problem, lang: str
) -> None:
    out.section(tr("规则检查", "Rule checks", lang))
    if violations is None:
        out.row(
            [tr("未检查 (规则库不可用)", "not checked (rules registry unavailable)", lang)], fill=WARN_FILL
        )
    elif not violations:
        out.row([tr("全部通过 ✓", "all rules hold ✓", lang)], fill=OK_FILL)
    else:
        hard = sum(v.hard for v in violations)
        text = tr(
            f"{hard} 条硬规则违反, {len(violations) - hard} 条软规则提示",
            f"{hard} hard violations, {len(violations) - hard} soft notes",
            lang,
        )
        out.row([text], fill=WARN_FILL if hard else None)
        _violations(out, violations, problem, lang)
    explanation = list(getattr(result, "explanation", None) or [])
    if explanation:
        out.gap()
        out.section(tr("无法排班的原因", "Why the week cannot be staffed", lang))
        _violations(out, explanation, problem, lang)


def _solver(out: _Rows, result: Any, inputs: Mapping[str, InputRef] | None, lang: str) -> None:
    out.section(tr("求解与可复现", "Solver and reproducibility", lang))
    if result is None:
        out.row(
            [
                tr(
                    "无求解结果 (人工排班或读回的排班)",
                    "no solver result (hand-made or read-back roster)",
                    lang,
                )
            ]
        )
    else:
        for key, zh in (
            ("status", "状态"),
            ("objective", "目标值 (元)"),
            ("best_bound", "最优下界 (元)"),
            ("gap", "间隙"),
            ("solve_seconds", "求解秒数"),
            ("seed", "随机种子"),
        ):
            v = getattr(result, key, None)
            if key == "gap" and isinstance(v, int | float):
                v = f"{v:.2%}"
            out.row([tr(zh, key, lang), plain(v)])
        for name, cny in (getattr(result, "penalties", None) or {}).items():
            out.row([tr("目标分项 (元)", "objective term (CNY)", lang), str(name), round(float(cny), 2)])
        sources: tuple[tuple[str, str, Any], ...] = (
            ("参数", "parameters", getattr(result, "params", None)),
            ("版本", "versions", getattr(result, "versions", None)),
        )
        for label_zh, label_en, obj in sources:
            flat = obj.as_dict() if hasattr(obj, "as_dict") else plain(obj) if obj is not None else {}
            items = flat.items() if isinstance(flat, dict) else [("", flat)]
            for k, v in items:
                value = json.dumps(plain(v), ensure_ascii=False) if isinstance(v, dict | list) else plain(v)
                out.row([tr(label_zh, label_en, lang), str(k), value])
    for name, info in input_hashes(inputs).items():
        out.row([tr("输入文件", "input file", lang), name, info["path"]], merge_last=True)
        out.row(["", "", f"sha256 {info['sha256']}"], merge_last=True)


def write_kpi_sheet(
    wb: Workbook,
    roster: Roster,
    problem: Problem,
    *,
    result: Any = None,
    kpis: Mapping[str, Any] | None = None,
    violations: Sequence[Violation] | None = None,
    inputs: Mapping[str, InputRef] | None = None,
    lang: str,
) -> Worksheet:
    """Add the 指标 sheet; ``violations`` None means the rules could not be checked."""
    ws = wb.create_sheet(sheet_name("kpis", lang))
    title(ws, f"{problem.config.branch.name}  {tr('指标与规则检查', 'KPIs and rule checks', lang)}")
    out = _Rows(ws, 3)
    _per_day(out, roster, problem, kpis, lang)
    out.gap()
    _checks(out, violations, result, problem, lang)
    out.gap()
    _solver(out, result, inputs, lang)
    set_widths(ws, {1: 14, 2: 22, 3: 9, 4: 11, 5: 11, 6: 11, 7: 30, 8: 30})
    print_setup(ws, header=f"{problem.config.branch.name} {sheet_name('kpis', lang)}", fit_tall=0)
    return ws
