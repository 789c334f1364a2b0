"""``paiban plan``: forecast → required windows → roster → simulation → outputs, with progress while solving.

Exit status 0 when the roster holds every hard rule, 1 when the week cannot be staffed (the reasons on stderr
and in summary.json), 2 for bad input.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from constraints.calendar import parse_week
from constraints.config import RULE_NAMES, fmt_hhmm
from constraints.errors import InputError
from constraints.i18n import DAY_TYPE_LABELS, label, language, tr, weekday_label
from scheduler.app.cli.app import app
from scheduler.app.pipeline import WeekPlan, load_branch, plan_week, write_plan
from scheduler.solver import result as result_mod
from scheduler.solver.result import SolveParams


def parse_relax(text: str) -> tuple[str, ...]:
    """Comma-separated rule names for ``--relax``; ``InputError`` for an unknown one."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for n in names:
        if n not in RULE_NAMES:
            raise InputError(
                f"未知规则名 (unknown rule name); 可选 (choose from) {list(RULE_NAMES)}",
                argument="--relax",
                value=n,
            )
    return names


def default_time_limit() -> float | None:
    """``PAIBAN_TIME_LIMIT`` (seconds) when set: tests and notebooks run with a short budget."""
    raw = os.environ.get("PAIBAN_TIME_LIMIT")
    return float(raw) if raw else None


def after_solve_seconds(limit: float) -> float:
    """Seconds of ``--time-limit`` kept after the roster for simulating the week and writing the files (the
    limit counts from building the model to the files written; reading and forecasting come before it):
    max(2 s, 10 %), what they take for a 40-person branch on a loaded two-core machine."""
    return max(2.0, 0.1 * limit)


def run_plan(
    tickets: list[Path],
    staff: Path,
    config: Path | None,
    week: str | None,
    out: Path,
    *,
    leave: Path | None = None,
    events: Path | None = None,
    time_limit: float | None = None,
    seed: int | None = None,
    relax: str = "",
    replications: int = 20,
    console: Console | None = None,
    work_units: float | None = None,
) -> tuple[WeekPlan, int]:
    """The whole run, with a progress bar; returns the plan and the exit status."""
    console = console or Console(stderr=True)
    relaxed = parse_relax(relax)
    if time_limit is not None and time_limit <= 0:
        raise InputError("必须大于 0 (must be positive)", argument="--time-limit", value=time_limit)
    if work_units is not None and work_units <= 0:
        raise InputError("必须大于 0 (must be positive)", argument="--work-units", value=work_units)
    monday = parse_week(week) if week else None
    branch = load_branch(tickets, staff, config, leave, events)
    monday = monday or branch.next_monday()
    params = SolveParams.from_config(
        branch.config,
        time_limit_seconds=time_limit or default_time_limit(),
        seed=seed,
        relax=relaxed,
        work_units=work_units,
    )
    params = dataclasses.replace(params, after_seconds=after_solve_seconds(params.time_limit_seconds))
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(tr("求解排班", "Solving the roster"), total=params.time_limit_seconds, status="")

        def show(p: result_mod.Progress) -> None:
            obj = f"{p.objective:,.0f}" if p.objective is not None else "—"
            gap = f"{p.gap:.1%}" if p.gap is not None else "—"
            bar.update(
                task,
                completed=min(p.seconds, params.time_limit_seconds),
                status=tr(f"目标 {obj} 元, 间隙 {gap}", f"objective {obj} CNY, gap {gap}"),
            )

        plan = plan_week(branch, monday, params, replications=replications, on_progress=show)
    written = write_plan(plan, out, lang=language())
    report(plan, written, Console())
    if not plan.result.ok:
        for line in failure_lines(plan):
            print(line, file=sys.stderr)
        return plan, 1
    return plan, 0


def failure_lines(plan: WeekPlan) -> list[str]:
    """Why the week has no roster that holds every hard rule, one line per reason."""
    r = plan.result
    lang = language()
    if r.roster is None and not r.explanation:
        return [
            tr(
                f"在 {r.params.time_limit_seconds:g} 秒内未找到排班 (状态 {r.status}); 请加大 --time-limit",
                f"No roster found within {r.params.time_limit_seconds:g} s (status {r.status}); "
                "raise --time-limit",
            )
        ]
    reasons = r.explanation if r.roster is None else r.hard_violations
    head = tr("本周无法满足全部硬性规则:", "This week cannot hold every hard rule:")
    return [head] + [f"- [{v.rule}] {v.date or ''} {v.message(lang)}" for v in reasons]


def report(plan: WeekPlan, written: dict[str, Path], console: Console) -> None:
    """Print the week's result: per day hours, windows, expected waits; the files written."""
    r = plan.result
    gap = f"{r.gap:.2%}" if r.gap is not None else "—"
    obj = f"{r.objective:,.0f}" if r.objective is not None else "—"
    console.print(
        tr(
            f"[bold]{plan.branch.config.branch.name}[/bold] {plan.monday} 起一周排班: 状态 {r.status}, "
            f"目标 {obj} 元, 间隙 {gap}, 用时 {r.solve_seconds:.1f} 秒",
            f"[bold]{plan.branch.config.branch.name}[/bold] roster for the week of {plan.monday}: {r.status}, "
            f"objective {obj} CNY, gap {gap}, {r.solve_seconds:.1f} s",
        )
    )
    if r.roster is not None:
        per_day = plan.simulation.per_day() if plan.simulation is not None else None
        table = Table()
        for col in (tr("日期", "Date"), tr("类型", "Type"), tr("营业", "Open")):
            table.add_column(col, no_wrap=True)
        for col in (tr("人数", "Staff"), tr("工时", "Hours"), tr("取号", "Tickets")):
            table.add_column(col, justify="right")
        target = plan.branch.config.service_level.target_wait_minutes
        table.add_column(tr("等候(分)", "Wait (min)"), justify="right")
        table.add_column(tr(f"{target:g}分内", f"≤{target:g} min"), justify="right")
        ids = plan.branch.staff.ids()
        for day in plan.problem.days:
            people = [sid for sid in ids if r.roster.works(day.date, sid)]
            hours = sum(r.roster.hours(sid, [day.date]) for sid in people)
            arrivals = plan.requirements.loc[
                plan.requirements["date"].astype(str) == day.date.isoformat(), "forecast_arrivals"
            ].sum()
            wait, share = "—", "—"
            if per_day is not None and len(per_day):
                d = per_day[per_day["date"] == day.date.isoformat()]
                if len(d) and d["arrivals"].sum() > 0:
                    w = d["arrivals"] / d["arrivals"].sum()
                    wait = f"{(d['mean_wait_min'].fillna(0) * w).sum():.1f}"
                    share = f"{(d['share_within_target'].fillna(1) * w).sum():.0%}"
            hours_txt = (
                f"{fmt_hhmm(day.open_hours.start)}–{fmt_hhmm(day.open_hours.end)}"
                if day.open_hours
                else tr("休业", "closed")
            )
            table.add_row(
                f"{day.date:%m-%d} {weekday_label(day.date.weekday())}",
                label(DAY_TYPE_LABELS, day.day_type),
                hours_txt,
                str(len(people)),
                f"{hours:.1f}",
                f"{arrivals:.0f}",
                wait,
                share,
            )
        console.print(table)
        soft = [v for v in r.violations if not v.hard]
        if r.hard_violations:
            console.print(
                tr(
                    f"[red]违反硬性规则 {len(r.hard_violations)} 处[/red]",
                    f"[red]{len(r.hard_violations)} hard-rule breaks[/red]",
                )
            )
        else:
            console.print(tr("[green]全部硬性规则满足[/green]", "[green]Every hard rule holds[/green]"))
        if not r.reproducible and r.params.deterministic:
            console.print(
                tr(
                    "[yellow]时间上限先于确定性工作量用完: 本次班表不可复现 (同一种子再次运行可能不同)[/yellow]",
                    "[yellow]The time limit cut the deterministic work short: this roster is not reproducible "
                    "(the same seed may give another)[/yellow]",
                )
            )
        if soft:
            console.print(
                tr(
                    f"软性规则提示 {len(soft)} 条 (见 summary.json)",
                    f"{len(soft)} soft-rule notes (see summary.json)",
                )
            )
    folder = next(iter(written.values())).parent if written else None
    console.print(tr(f"已写入 {folder}: ", f"Wrote to {folder}: ") + ", ".join(sorted(written)))


@app.command()
def plan(
    tickets: Annotated[
        list[Path], typer.Option("--tickets", help="排队机导出文件, 可重复 (ticket export; repeatable)")
    ],
    staff: Annotated[Path, typer.Option("--staff", help="员工名单 staff.csv")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹 (output folder)")],
    config: Annotated[Path | None, typer.Option("--config", help="branch.toml")] = None,
    week: Annotated[
        str | None,
        typer.Option("--week", help="排班周的周一 YYYY-MM-DD (the Monday; default: after the last ticket)"),
    ] = None,
    leave: Annotated[Path | None, typer.Option("--leave", help="请假 leave.csv")] = None,
    events: Annotated[Path | None, typer.Option("--events", help="会议与谈话 events.csv")] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="时间上限, 秒: 从建模到写完文件 (seconds from building the model to the files written)",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="随机种子 (solver seed)")] = None,
    relax: Annotated[
        str, typer.Option("--relax", help="允许违反的规则, 逗号分隔 (rules that may break, comma-separated)")
    ] = "",
    replications: Annotated[
        int, typer.Option("--replications", help="模拟重复次数 (simulation replications)")
    ] = 20,
    work_units: Annotated[
        float | None,
        typer.Option(
            "--work-units",
            help="固定的确定性工作量 (summary.json 的 work_units, 用于复现) (a fixed deterministic work budget)",
        ),
    ] = None,
) -> None:
    """排一周的班 (plan the week: forecast, windows, roster, simulation; writes roster.csv/.xlsx etc.)."""
    _, code = run_plan(
        tickets,
        staff,
        config,
        week,
        out,
        leave=leave,
        events=events,
        time_limit=time_limit,
        seed=seed,
        relax=relax,
        replications=replications,
        work_units=work_units,
    )
    raise typer.Exit(code)
