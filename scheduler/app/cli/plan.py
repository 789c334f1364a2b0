"""``paiban plan``: forecast → required windows → roster → simulation → outputs, with progress while solving.

Exit status 0 when the roster holds every hard rule, 1 when the week cannot be staffed (the reasons on stderr
and in summary.json), 2 for bad input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from constraints.calendar import BranchCalendar, parse_week
from constraints.config import RULE_NAMES, fmt_hhmm, load_config
from constraints.errors import InputError
from constraints.i18n import (
    ACTIVITY_LABELS,
    DAY_TYPE_LABELS,
    STATUS_LABELS,
    label,
    language,
    tr,
    weekday_label,
)
from forecasts.weekly import HistoryCheck
from scheduler.app.cli.app import app
from scheduler.app.cli.forecast import warn_notes
from scheduler.app.cli.guard import check_out_dir, check_seconds, check_week
from scheduler.app.horizon import check_weeks, plan_horizon, week_folder, write_horizon
from scheduler.app.pipeline import (
    Branch,
    WeekPlan,
    carry_comp_days,
    default_time_limit,
    load_branch,
    plan_week,
    week_history,
    with_previous_roster,
    write_plan,
)
from scheduler.report.gaps import ServiceGap, TurnedAway, service_gaps, turned_away
from scheduler.report.kpis import Figures, fmt
from scheduler.solver import result as result_mod
from scheduler.solver.result import RosterResult, SolveParams


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


def after_solve_seconds(limit: float) -> float:
    """Seconds of ``--time-limit`` kept after the roster for simulating the week and writing the files (the
    limit counts from building the model to the files written; reading and forecasting come before it):
    max(2 s, 10 %), what they take for a 40-person branch on a loaded two-core machine."""
    return max(2.0, 0.1 * limit)


def solver_options(
    time_limit: float | None,
    seed: int | None,
    relax: str,
    replications: int = 20,
    work_units: float | None = None,
) -> dict[str, Any]:
    """``--time-limit`` (or ``PAIBAN_TIME_LIMIT``), ``--seed``, ``--relax``, ``--replications`` and
    ``--work-units`` checked before any work, as :meth:`SolveParams.from_config` takes them; ``InputError``
    naming the option otherwise."""
    relaxed = parse_relax(relax)
    limit = check_seconds(time_limit, "--time-limit") or default_time_limit()
    if replications < 0:
        raise InputError("不能为负 (must be ≥ 0)", argument="--replications", value=replications)
    if seed is not None and not 0 <= seed < 2**31:
        raise InputError(
            "随机种子应在 0 到 2147483647 之间 (must be 0 … 2³¹−1)", argument="--seed", value=seed
        )
    if work_units is not None and not (math.isfinite(work_units) and work_units > 0):
        raise InputError(
            "必须是大于 0 的有限数 (must be a finite number > 0)", argument="--work-units", value=work_units
        )
    return {"time_limit_seconds": limit, "seed": seed, "relax": relaxed, "work_units": work_units}


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
    previous: Path | None = None,
    previous_roster: Path | None = None,
    weeks: int = 1,
    rolling: bool = False,
) -> tuple[WeekPlan, int]:
    """The whole run, with a progress bar; returns the (first week's) plan and the exit status."""
    console = console or Console(stderr=True)
    # the command line and the output folder first: no work is lost to a typo
    options = solver_options(time_limit, seed, relax, replications, work_units)
    check_weeks(weeks)
    monday = parse_week(week) if week else None
    check_out_dir(out)
    if monday is not None:  # before the tickets are read: a year out of range is a typo
        check_week(BranchCalendar(load_config(config)), monday)
    branch = load_branch(tickets, staff, config, leave, events)
    if previous is not None:
        branch = carry_comp_days(branch, previous)
    monday = check_week(branch.calendar, monday or branch.next_monday())
    if previous_roster is not None:
        branch = with_previous_roster(branch, monday, previous_roster)
    history = week_history(branch, monday)
    warn_notes(history.notes, console)
    params = SolveParams.from_config(branch.config, **options)
    if weeks > 1:
        return run_horizon(branch, monday, weeks, params, replications, history, console, out, rolling)
    plan = solve_with_progress(branch, monday, params, replications, history, console)
    console.print(tr(f"写入 {out} …", f"Writing {out} …"))
    written = write_plan(plan, out, lang=language())
    return plan, conclude(plan, written, Console(), out)


def run_horizon(
    branch: Branch,
    monday: dt.date,
    weeks: int,
    params: SolveParams,
    replications: int,
    history: HistoryCheck,
    console: Console,
    out: Path,
    rolling: bool = False,
) -> tuple[WeekPlan, int]:
    """``--weeks N``: one model over the N weeks, solved once with the whole time limit (or, ``--rolling``, the
    weeks planned one after the other; :mod:`scheduler.app.horizon`), each week reported as ``plan`` reports
    a week; exit 0 when every week holds every hard rule, else 1."""
    params = dataclasses.replace(params, after_seconds=after_solve_seconds(params.time_limit_seconds))
    if rolling:
        console.print(
            tr(
                f"{weeks} 周逐周滚动排班, 每周最长 {params.time_limit_seconds / weeks:g} 秒 …",
                f"{weeks} weeks planned one after the other, at most {params.time_limit_seconds / weeks:g} s each …",
            )
        )
        shown_params = dataclasses.replace(params, time_limit_seconds=params.time_limit_seconds / weeks)
    else:
        console.print(
            tr(
                f"{weeks} 周 ({weeks * 7} 天) 一个模型统一排班 …",
                f"{weeks} weeks ({weeks * 7} days) as one model …",
            )
        )
        shown_params = params
    with solving_bar(shown_params, console) as show:
        hp = plan_horizon(
            branch,
            monday,
            weeks,
            params,
            replications=replications,
            on_progress=lambda k, event: show(event),
            history=history,
            rolling=rolling,
        )
    console.print(tr(f"写入 {out} …", f"Writing {out} …"))
    written = write_horizon(hp, out, lang=language())
    shown = Console()
    for w in hp.weeks:
        folder = week_folder(w.monday)
        report(w, {n: p for n, p in written.items() if n.startswith(folder)}, shown, out / folder)
        if not w.result.ok and hp.whole is None:
            for line in failure_lines(w):
                print(line, file=sys.stderr)
    if hp.whole is not None:
        r = hp.whole.result
        obj, gap = headline(r)
        shown.print(
            tr(
                f"[bold]{weeks} 周合计[/bold] (一个模型): {label(STATUS_LABELS, r.status)}, 目标 {obj} 元, "
                f"间隙 {gap}, 用时 {r.solve_seconds:.1f} 秒 (各周的目标与间隙即此合计)",
                f"[bold]{weeks} weeks in all[/bold] (one model): {label(STATUS_LABELS, r.status)}, objective "
                f"{obj} CNY, gap {gap}, {r.solve_seconds:.1f} s (each week's objective and gap are these)",
            )
        )
        if not r.ok:
            for line in failure_lines(hp.whole):
                print(line, file=sys.stderr)
        if not written:
            shown.print(
                tr(
                    f"未写入任何文件: {out} 中已有一份满足全部硬性规则的排班, 保持原样",
                    f"Nothing written: {out} already holds a roster that holds every hard rule and is kept",
                )
            )
    if len(hp.weeks) < weeks:
        print(
            tr(
                f"第 {len(hp.weeks)} 周无法排班, 之后的周未排 (后面的周要从它延续)",
                f"week {len(hp.weeks)} could not be staffed; the weeks after it were not planned (they carry on from it)",
            ),
            file=sys.stderr,
        )
    shown.print(tr(f"已写入 {out}: ", f"Wrote to {out}: ") + ", ".join(n for n in written if "/" not in n))
    return hp.weeks[0], 0 if hp.ok else 1


def conclude(plan: WeekPlan, written: dict[str, Path], console: Console, out: Path) -> int:
    """Print the week's result (:func:`report`) and, when it does not hold every hard rule, the reasons on
    stderr; the exit status (0 or 1)."""
    report(plan, written, console, out)
    if plan.result.ok:
        return 0
    for line in failure_lines(plan):
        print(line, file=sys.stderr)
    return 1


@contextmanager
def solving_bar(params: SolveParams, console: Console) -> Iterator[Callable[[result_mod.Progress], None]]:
    """A progress bar for the solve; yields the callback that moves it (objective, gap, seconds)."""
    console.print(
        tr(
            f"求解排班 (最长 {params.time_limit_seconds:g} 秒; Ctrl-C 中止, 不写入任何文件) …",
            f"Solving the roster (at most {params.time_limit_seconds:g} s; Ctrl-C stops and writes nothing) …",
        )
    )
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

        yield show


def solve_with_progress(
    branch: Branch,
    monday: dt.date,
    params: SolveParams,
    replications: int,
    history: HistoryCheck,
    console: Console,
) -> WeekPlan:
    """:func:`plan_week` with a progress bar (objective and gap as the solver reports them)."""
    params = dataclasses.replace(params, after_seconds=after_solve_seconds(params.time_limit_seconds))
    with solving_bar(params, console) as show:
        return plan_week(branch, monday, params, replications=replications, on_progress=show, history=history)


def failure_lines(plan: WeekPlan) -> list[str]:
    """Why the week has no roster that holds every hard rule, one line per reason."""
    r = plan.result
    lang = language()
    if r.roster is None and not r.explanation:
        return [
            tr(
                f"在 {r.params.time_limit_seconds:g} 秒内未找到排班 (状态: {label(STATUS_LABELS, r.status)}); "
                "请加大 --time-limit",
                f"No roster found within {r.params.time_limit_seconds:g} s (status: {label(STATUS_LABELS, r.status)}); "
                "raise --time-limit",
            )
        ]
    reasons = r.explanation if r.roster is None else r.hard_violations
    head = tr("本周无法满足全部硬性规则:", "This week cannot hold every hard rule:")
    return [head] + [f"- [{v.rule}] {v.date or ''} {v.message(lang)}" for v in reasons]


def kpi_table(plan: WeekPlan) -> Table:
    """The week's figures per day and in all (:mod:`scheduler.report.kpis`), as ``paiban plan`` prints them."""
    k = plan.kpis
    target = plan.branch.config.service_level.target_wait_minutes
    table = Table(box=box.SIMPLE_HEAD, padding=0, show_edge=False)
    for col in (tr("日期", "Date"), tr("类型", "Type"), tr("营业", "Open")):
        table.add_column(col, no_wrap=True)
    for col in (
        tr("人数", "Staff"),
        tr("工时", "Hours"),
        tr("预测客流", "Forecast"),
        tr("等候分", "Wait"),
        tr(f"≤{target:g}分", f"≤{target:g}m"),
        tr("P90分", "P90"),
        tr("弃号", "Left"),
    ):
        table.add_column(col, justify="right")
    for day, d in zip(plan.problem.days, k.days, strict=True):
        hours = (
            f"{fmt_hhmm(day.open_hours.start)}–{fmt_hhmm(day.open_hours.end)}"
            if day.open_hours
            else tr("休业", "closed")
        )
        table.add_row(
            f"{day.date:%m-%d} {weekday_label(day.date.weekday())}",
            label(DAY_TYPE_LABELS, day.day_type),
            hours,
            *_figures(d),
            end_section=d is k.days[-1],
        )
    table.add_row(tr("本周", "Week"), "", "", *_figures(k))
    return table


def _figures(f: Figures) -> list[str]:
    """A row's figures: people, hours, forecast arrivals, simulated mean wait, share, P90, abandoned."""
    return [
        str(f.people),
        fmt(f.staff_hours, "{:.1f}"),
        fmt(f.forecast_arrivals, "{:.1f}"),
        fmt(f.mean_wait_min, "{:.1f}"),
        fmt(f.share_within_target, "{:.0%}"),
        fmt(f.p90_wait_min, "{:.1f}"),
        fmt(f.abandoned, "{:.1f}"),
    ]


def cost_line(plan: WeekPlan) -> str:
    """The week's staff cost by the objective's terms, in one line."""
    k = plan.kpis
    return tr(
        f"人工成本 {k.cost_cny:,.0f} 元: 工资 {k.salary_cny:,.0f} (含合同工时未用 {k.unused_contract_cny:,.0f}), "
        f"加班费 {k.overtime_cny:,.0f}, 休息日加班费 {k.rest_day_pay_cny:,.0f}, 节假日加班费 {k.holiday_pay_cny:,.0f}",
        f"Staff cost {k.cost_cny:,.0f} CNY: salary {k.salary_cny:,.0f} (unused contract hours "
        f"{k.unused_contract_cny:,.0f}), overtime {k.overtime_cny:,.0f}, rest-day pay {k.rest_day_pay_cny:,.0f}, "
        f"holiday pay {k.holiday_pay_cny:,.0f}",
    )


def headline(r: RosterResult) -> tuple[str, str]:
    """The objective (CNY, thousands separated) and gap (%) as the console shows them, "—" when none."""
    obj = f"{r.objective:,.0f}" if r.objective is not None else "—"
    return obj, f"{r.gap:.2%}" if r.gap is not None else "—"


def report(plan: WeekPlan, written: dict[str, Path], console: Console, out: Path) -> None:
    """Print the week's result: the figures per day (:func:`kpi_table`), the cost, the rules, the files."""
    r = plan.result
    obj, gap = headline(r)
    console.print(
        tr(
            f"[bold]{plan.branch.config.branch.name}[/bold] {plan.monday} 起一周排班: "
            f"{label(STATUS_LABELS, r.status)}, 目标 {obj} 元, 间隙 {gap}, 用时 {r.solve_seconds:.1f} 秒",
            f"[bold]{plan.branch.config.branch.name}[/bold] roster for the week of {plan.monday}: "
            f"{label(STATUS_LABELS, r.status)}, "
            f"objective {obj} CNY, gap {gap}, {r.solve_seconds:.1f} s",
        )
    )
    if r.roster is not None:
        console.print(kpi_table(plan))
        console.print(cost_line(plan))
        print_verdict(plan, console)
    print_duties(plan, console)
    if not written:
        console.print(
            tr(
                f"未写入任何文件: {out} 中已有一份满足全部硬性规则的排班, 保持原样 (用另一个 --out 保存本次结果)",
                f"Nothing written: {out} already holds a roster that holds every hard rule and is kept as it "
                "was (use another --out to keep this run's files)",
            )
        )
        return
    console.print(tr(f"已写入 {out}: ", f"Wrote to {out}: ") + ", ".join(sorted(written)))


def print_verdict(plan: WeekPlan, console: Console) -> None:
    """Whether every hard rule holds, the service gaps and turned-away customers, the soft notes' count."""
    r = plan.result
    assert r.roster is not None
    gaps = service_gaps(plan.problem, r.roster)
    if r.hard_violations:
        console.print(
            tr(
                f"[red]违反硬性规则 {len(r.hard_violations)} 处[/red]",
                f"[red]{len(r.hard_violations)} hard-rule breaks[/red]",
            )
        )
    elif gaps:
        console.print(
            tr(
                f"[green]全部硬性规则满足[/green], [yellow]但有 {len(gaps)} 处服务缺口[/yellow]",
                f"[green]Every hard rule holds[/green], [yellow]but {len(gaps)} service gaps remain[/yellow]",
            )
        )
    else:
        console.print(tr("[green]全部硬性规则满足[/green]", "[green]Every hard rule holds[/green]"))
    print_service(gaps, turned_away(plan.problem), console)
    if not r.reproducible and r.params.deterministic:
        console.print(
            tr(
                "[yellow]时间上限先于确定性工作量用完: 本次班表不可复现 (同一种子再次运行可能不同)[/yellow]",
                "[yellow]The time limit cut the deterministic work short: this roster is not reproducible "
                "(the same seed may give another)[/yellow]",
            )
        )
    soft = [v for v in r.violations if not v.hard]
    if soft:
        console.print(
            tr(
                f"软性规则提示 {len(soft)} 条 (见 summary.json)",
                f"{len(soft)} soft-rule notes (see summary.json)",
            )
        )


def print_duties(plan: WeekPlan, console: Console) -> None:
    """The 周期工作 due this week (经营分析会, 季度谈话), the talks scheduled into the roster and who is still due."""
    if plan.duties is None:
        return
    lines = plan.duties.lines(plan.problem, language())
    if lines:
        console.print(tr("[bold]周期工作[/bold]", "[bold]Periodic duties[/bold]"))
        for line in lines:
            console.print(line, highlight=False, markup=False)


def print_service(gaps: list[ServiceGap], away: list[TurnedAway], console: Console) -> None:
    """The service gaps (windows short of the requirement) and the customers a closed counter turns away."""
    if gaps:
        table = Table(
            title=tr("服务缺口: 开窗少于需要 (客户会久等)", "Service gaps: fewer windows open than required")
        )
        for col in (tr("日期", "Date"), tr("柜台", "Counter"), tr("时间", "Time")):
            table.add_column(col, no_wrap=True)
        for col in (
            tr("开/需窗口", "Open/required"),
            tr("预计客户", "Customers"),
            tr("平均等候(分)", "Mean wait (min)"),
        ):
            table.add_column(col, justify="right")
        for g in gaps:
            table.add_row(
                f"{g.date:%m-%d} {weekday_label(g.date.weekday())}",
                label(ACTIVITY_LABELS, g.counter),
                f"{fmt_hhmm(g.start)}–{fmt_hhmm(g.end)}",
                f"{g.open_windows}/{g.required_windows}",
                f"{g.expected_customers:.1f}",
                f"{g.expected_mean_wait_minutes:.1f}",
                style="yellow" if g.open_windows == 0 else None,
            )
        console.print(table)
    for t in away:
        console.print(f"{t.date:%m-%d} {weekday_label(t.date.weekday())} {t.text()}")


TicketsOpt = Annotated[
    list[Path], typer.Option("--tickets", help="排队机导出文件, 可重复 (ticket export; repeatable)")
]
StaffOpt = Annotated[Path, typer.Option("--staff", help="员工名单 staff.csv")]
OutOpt = Annotated[Path, typer.Option("--out", help="输出文件夹 (output folder)")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="branch.toml")]
EventsOpt = Annotated[Path | None, typer.Option("--events", help="会议与谈话 events.csv")]
TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        help="时间上限, 秒: 从建模到写完文件 (seconds from building the model to the files written)",
    ),
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="随机种子 (solver seed)")]
RelaxOpt = Annotated[
    str, typer.Option("--relax", help="允许违反的规则, 逗号分隔 (rules that may break, comma-separated)")
]
ReplicationsOpt = Annotated[
    int, typer.Option("--replications", help="模拟重复次数 (simulation replications)")
]
PreviousOpt = Annotated[
    Path | None,
    typer.Option(
        "--previous-roster",
        help="上周排班 roster.csv 或 roster.xlsx: 连续上班天数、周日到周一的休息、周末/节假日/晚班次数延续 "
        "(last week's roster, carried in)",
    ),
]
"""The options ``plan`` shares with ``replan``."""


@app.command()
def plan(
    tickets: TicketsOpt,
    staff: StaffOpt,
    out: OutOpt,
    config: ConfigOpt = None,
    week: Annotated[
        str | None,
        typer.Option("--week", help="排班周的周一 YYYY-MM-DD (the Monday; default: after the last ticket)"),
    ] = None,
    leave: Annotated[Path | None, typer.Option("--leave", help="请假 leave.csv")] = None,
    events: EventsOpt = None,
    time_limit: TimeLimitOpt = None,
    seed: SeedOpt = None,
    relax: RelaxOpt = "",
    replications: ReplicationsOpt = 20,
    work_units: Annotated[
        float | None,
        typer.Option(
            "--work-units",
            help="固定的确定性工作量 (summary.json 的 work_units, 用于复现) (a fixed deterministic work budget)",
        ),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="上周的 summary.json 或输出文件夹: 读取欠补休天数 (last week's summary.json or output folder: the "
            "补休 owed)",
        ),
    ] = None,
    previous_roster: PreviousOpt = None,
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks",
            help="连续排几周 (1–6), 一个模型统一求解: 每周一个文件夹, 另有全部日期的 roster.csv、每周一张表的 roster.xlsx 与 "
            "summary.json (consecutive weeks, one model over all of them)",
        ),
    ] = 1,
    rolling: Annotated[
        bool,
        typer.Option(
            "--rolling",
            help="与 --weeks 同用: 逐周滚动排班, 每周单独求解 (with --weeks: rolling weeks, each solved on its own)",
        ),
    ] = False,
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
        previous=previous,
        previous_roster=previous_roster,
        weeks=weeks,
        rolling=rolling,
    )
    raise typer.Exit(code)
