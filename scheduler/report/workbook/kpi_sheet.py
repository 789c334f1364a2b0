"""指标: the week's figures (per day, simulated, cost by the objective's terms), every rule check, the solver's
status, parameters, seed and versions, and the input files' hashes — every figure from :mod:`scheduler.report.kpis`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl.styles import PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from constraints.config import fmt_hhmm
from constraints.i18n import ACTIVITY_LABELS, STATUS_LABELS, label, tr
from constraints.problem import Problem
from constraints.roster import Violation
from constraints.rules import get_rule, labour
from scheduler.report.gaps import ServiceGap, TurnedAway
from scheduler.report.kpis import Figures, WeekKpis
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
from scheduler.solver.result import RosterResult


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
    """JSON-friendly form of a value: mappings, sequences, dates, paths and numpy scalars made plain."""
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [plain(v) for v in obj]
    if isinstance(obj, dt.date | dt.datetime | dt.time):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def rule_title(rule: str, lang: str) -> str:
    """A rule's business name (业务名称) from the rules registry; the id for an unknown rule."""
    try:
        r = get_rule(rule)
    except KeyError:
        return rule
    return tr(r.label_zh, r.label_en, lang)


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

    def row(
        self,
        values: Sequence[object],
        fill: PatternFill | None = None,
        merge_last: bool = False,
        formats: Sequence[str] = (),
    ) -> None:
        """One row; a single value spans the table; ``merge_last`` widens the last value to the right edge;
        ``formats`` are the cells' number formats (the value stays the figure itself)."""
        for col, v in enumerate(values, start=1):
            c = self.ws.cell(row=self.r, column=col, value=v)
            c.font, c.border, c.alignment = (
                font(9),
                BORDER,
                LEFT if col >= 6 and isinstance(v, str) else CENTER,
            )
            if fill is not None:
                c.fill = fill
            if col <= len(formats) and formats[col - 1]:
                c.number_format = formats[col - 1]
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


def _per_day(out: _Rows, problem: Problem, kpis: WeekKpis, lang: str) -> None:
    out.section(tr("每日指标", "Per day", lang))
    out.header(
        [
            tr("日期", "Date", lang),
            tr("日类型", "Day type", lang),
            tr("在岗人数", "People", lang),
            tr("工时", "Staff hours", lang),
            tr("工资 (元)", "Salary (CNY)", lang),
            tr("节假日加班费 (元)", "Holiday pay (CNY)", lang),
            tr("预测到达", "Forecast arrivals", lang),
            tr("预期平均等候 (分钟)", "Expected mean wait (min)", lang),
        ]
    )
    formats = ("", "", "0", "0.00", "#,##0", "#,##0", "0.0", "0.0")
    for d in kpis.days:
        out.row(
            [
                day_title(d.date, lang),
                day_type_label(problem.day(d.date), lang),
                d.people,
                d.staff_hours,
                d.salary_cny,
                d.holiday_pay_cny,
                d.forecast_arrivals,
                d.expected_wait_min,
            ],
            formats=formats,
        )
    unused = tr("合同工时未用 (照付工资)", "Contract hours unused (salary paid)", lang)
    out.row([unused, "", "", "", kpis.unused_contract_cny, "", "", ""], formats=formats)
    out.row(
        [
            tr("本周", "Week", lang),
            "",
            kpis.people,
            kpis.staff_hours,
            kpis.salary_cny,
            kpis.holiday_pay_cny,
            kpis.forecast_arrivals,
            kpis.expected_wait_min,
        ],
        formats=formats,
    )
    rate = problem.config.costs.staff_hour
    out.note(
        tr(
            f"工资按时薪 {rate:g} 元, 合同工时未用部分照付 (与求解目标的工资项相同); 预期等候为排队模型在开放窗口下的期望值",
            f"Salary at {rate:g} CNY/h, unused contract hours paid too (the objective's salary term); the expected "
            "wait is the queueing model's at the open windows",
            lang,
        )
    )


def _simulated(out: _Rows, problem: Problem, kpis: WeekKpis, lang: str) -> None:
    out.section(tr("模拟结果 (各次重复合并)", "Simulated (replications pooled)", lang))
    if kpis.simulated_arrivals is None:
        out.note(
            tr(
                "未做仿真: 目标时间内占比、P90 等候与弃号需要仿真 (paiban simulate)",
                "Not simulated: the share within target, P90 wait and abandoned need the simulator",
                lang,
            )
        )
        return
    target = problem.config.service_level.target_wait_minutes
    out.header(
        [
            tr("日期", "Date", lang),
            tr("日类型", "Day type", lang),
            tr("模拟到达", "Simulated arrivals", lang),
            tr("平均等候 (分钟)", "Mean wait (min)", lang),
            tr(f"{target:g} 分钟内占比", f"Share within {target:g} min", lang),
            tr("P90 等候 (分钟)", "P90 wait (min)", lang),
            tr("弃号", "Abandoned", lang),
        ]
    )
    formats = ("", "", "0.0", "0.0", "0%", "0.0", "0.0")
    for d in kpis.days:
        if d.is_open:
            out.row(
                [day_title(d.date, lang), day_type_label(problem.day(d.date), lang), *_sim(d)],
                formats=formats,
            )
    out.row([tr("本周", "Week", lang), "", *_sim(kpis)], formats=formats)


def _sim(f: Figures) -> list[object]:
    return [f.simulated_arrivals, f.mean_wait_min, f.share_within_target, f.p90_wait_min, f.abandoned]


def _cost(out: _Rows, kpis: WeekKpis, lang: str) -> None:
    out.section(tr("本周成本 (求解目标的各项, 元)", "The week's cost (the objective's terms, CNY)", lang))
    rows = (
        (tr("工资", "Salary", lang), labour.SALARY, kpis.salary_cny),
        (tr("加班费", "Overtime pay", lang), labour.OVERTIME, kpis.overtime_cny),
        (tr("休息日加班费", "Rest-day pay", lang), labour.REST_DAY_PAY, kpis.rest_day_pay_cny),
        (tr("节假日加班费", "Holiday pay", lang), labour.HOLIDAY_PAY, kpis.holiday_pay_cny),
        (tr("人工成本合计", "Staff cost", lang), "", kpis.cost_cny),
    )
    for text, name, cny in rows:
        out.row([text, name, cny], formats=("", "", "#,##0"), merge_last=True)
    for name, cny in kpis.penalties.items():
        out.row(
            [tr("其他目标分项", "Other objective term", lang), name, cny],
            formats=("", "", "#,##0"),
            merge_last=True,
        )
    if kpis.objective is not None:
        out.row(
            [tr("目标值", "Objective", lang), "", kpis.objective],
            formats=("", "", "#,##0"),
            merge_last=True,
        )


KEY_LABELS: dict[str, tuple[str, str]] = {
    "time_limit_seconds": ("求解时限 (秒)", "time limit (s)"),
    "workers": ("并行搜索数", "workers"),
    "relax": ("允许违反的规则", "relaxed rules"),
    "deterministic": ("确定性求解", "deterministic"),
    "relax_penalty_cny": ("违反一次的罚金 (元)", "penalty per relaxed break (CNY)"),
    "warm_start": ("从已有排班出发", "warm start"),
    "seed": ("随机种子", "seed"),
    "replications": ("模拟重复次数", "simulation replications"),
}
"""Parameter keys of the 指标 sheet as a person reads them."""


def _service(out: _Rows, gaps: Sequence[ServiceGap], away: Sequence[TurnedAway], lang: str) -> None:
    """服务缺口: one row per run of slots short of windows; then the customers a closed counter turns away."""
    out.section(tr("服务缺口 (开窗少于需要)", "Service gaps (fewer windows open than required)", lang))
    if not gaps:
        out.row([tr("无 ✓", "none ✓", lang)], fill=OK_FILL)
    else:
        heads = (
            ("日期", "Date"),
            ("柜台", "Counter"),
            ("时间", "Time"),
            ("开窗", "Open"),
            ("需要", "Required"),
            ("预计客户", "Customers"),
            ("预期平均等候 (分钟)", "Expected mean wait (min)"),
        )
        out.header([tr(zh, en, lang) for zh, en in heads])
        for g in gaps:
            out.row(
                [
                    day_title(g.date, lang),
                    label(ACTIVITY_LABELS, g.counter, lang),
                    f"{fmt_hhmm(g.start)}–{fmt_hhmm(g.end)}",
                    g.open_windows,
                    g.required_windows,
                    round(g.expected_customers, 1),
                    round(g.expected_mean_wait_minutes, 1),
                ],
                fill=WARN_FILL if g.open_windows == 0 else None,
            )
    for a in away:
        out.row([f"{day_title(a.date, lang)} {a.text(lang)}"])


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
    out: _Rows, violations: Sequence[Violation], result: RosterResult | None, problem: Problem, lang: str
) -> None:
    out.section(tr("规则检查", "Rule checks", lang))
    if not violations:
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
    if result is not None and result.explanation:
        out.gap()
        out.section(tr("无法排班的原因", "Why the week cannot be staffed", lang))
        _violations(out, result.explanation, problem, lang)


def _solver(
    out: _Rows, result: RosterResult | None, inputs: Mapping[str, InputRef] | None, lang: str
) -> None:
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
        gap = f"{result.gap:.2%}" if result.gap is not None else None
        for zh, en, value in (
            ("状态", "status", label(STATUS_LABELS, result.status, lang)),
            ("目标值 (元)", "objective", _yuan(result.objective)),
            ("最优下界 (元)", "best_bound", _yuan(result.best_bound)),
            ("间隙", "gap", gap),
            ("求解秒数", "solve_seconds", round(result.solve_seconds, 1)),
            ("随机种子", "seed", result.seed),
        ):
            out.row([tr(zh, en, lang), value])
        for label_zh, label_en, flat in (
            ("参数", "parameters", result.params.as_dict()),
            ("版本", "versions", dict(result.versions)),
        ):
            for k, v in flat.items():
                value = json.dumps(plain(v), ensure_ascii=False) if isinstance(v, dict | list) else plain(v)
                out.row([tr(label_zh, label_en, lang), label(KEY_LABELS, str(k), lang), value])
    for name, info in input_hashes(inputs).items():
        out.row([tr("输入文件", "input file", lang), name, info["path"]], merge_last=True)
        out.row(["", "", f"sha256 {info['sha256']}"], merge_last=True)


def _yuan(value: float | None) -> int | None:
    return None if value is None else round(value)


def write_kpi_sheet(
    wb: Workbook,
    problem: Problem,
    kpis: WeekKpis,
    *,
    violations: Sequence[Violation],
    result: RosterResult | None = None,
    inputs: Mapping[str, InputRef] | None = None,
    gaps: Sequence[ServiceGap] = (),
    away: Sequence[TurnedAway] = (),
    lang: str,
) -> Worksheet:
    """Add the 指标 sheet: the week's figures, the service gaps and turned-away customers
    (:mod:`scheduler.report.gaps`), every rule check, the solver's status and the inputs."""
    ws = wb.create_sheet(sheet_name("kpis", lang))
    title(ws, f"{problem.config.branch.name}  {tr('指标与规则检查', 'KPIs and rule checks', lang)}")
    out = _Rows(ws, 3)
    _per_day(out, problem, kpis, lang)
    out.gap()
    _simulated(out, problem, kpis, lang)
    out.gap()
    _cost(out, kpis, lang)
    out.gap()
    _service(out, gaps, away, lang)
    out.gap()
    _checks(out, violations, result, problem, lang)
    out.gap()
    _solver(out, result, inputs, lang)
    set_widths(ws, {1: 14, 2: 22, 3: 11, 4: 11, 5: 11, 6: 11, 7: 30, 8: 30})
    print_setup(ws, header=f"{problem.config.branch.name} {sheet_name('kpis', lang)}", fit_tall=0)
    return ws
