"""``paiban sample`` (write the sample branch) and ``paiban demo`` (sample → summary of the inputs).

``demo`` generates the sample branch, summarizes what paiban plans from (tickets per day and counter for the
last two history weeks, staff by post, the plan week's day types and hours, leave), then plans the sample's
next week with ``paiban plan`` and writes its outputs beside the sample.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from constraints.calendar import BranchCalendar, parse_day
from constraints.config import COUNTER_TYPES, load_config
from constraints.i18n import ACTIVITY_LABELS, DAY_TYPE_LABELS, label, tr, weekday_label
from constraints.staff import POSTS, Absence, Staff, read_absences, read_staff
from forecasts.tickets import read_tickets
from scheduler.app.cli.app import app
from scheduler.app.cli.guard import check_out_dir
from scheduler.sample.generator import DEFAULT_END, SampleBranch, generate_sample


def parse_end(text: str) -> dt.date:
    """The history's last day (a Sunday) from ``YYYY-MM-DD``; ``InputError`` naming ``--end`` otherwise."""
    return parse_day(text, "--end", weekday=6)


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", help="输出文件夹 (output folder)")],
    weeks: Annotated[int, typer.Option("--weeks", help="历史周数 (weeks of ticket history)")] = 12,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 (random seed)")] = 0,
    end: Annotated[
        str, typer.Option("--end", help="历史最后一天, 周日 (last history day, a Sunday)")
    ] = DEFAULT_END.isoformat(),
) -> None:
    """生成示例支行数据 (write a seeded sample branch: tickets, staff, config, leave)."""
    last = parse_end(end)
    check_out_dir(out)
    branch = generate_sample(out, weeks=weeks, seed=seed, end=last)
    Console().print(
        tr(
            f"已生成示例支行: {branch.out_dir} ({branch.history_start} 至 {branch.history_end}, "
            f"排班周 {branch.plan_week})",
            f"Sample branch written to {branch.out_dir} ({branch.history_start} to {branch.history_end}, "
            f"plan week {branch.plan_week})",
        )
    )


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="输出文件夹 (output folder)")] = Path("out/demo"),
) -> None:
    """演示: 生成示例支行, 汇总输入, 排下一周的班 (sample branch → summary of inputs → plan its next week)."""
    from scheduler.app.cli.plan import run_plan  # the whole pipeline; `paiban sample` stays light

    check_out_dir(out)
    branch = generate_sample(out / "sample", seed=0)
    print_inputs_summary(branch, Console())
    leave = [p for p in (branch.leave,) if p is not None]
    _, code = run_plan(
        [branch.tickets],
        branch.staff,
        branch.config,
        branch.plan_week.isoformat(),
        out,
        leave=leave[0] if leave else None,
        events=branch.events,
    )
    raise typer.Exit(code)


def print_inputs_summary(branch: SampleBranch, console: Console) -> None:
    """Read the sample's inputs back through paiban's readers and print what they hold."""
    config = load_config(branch.config)
    calendar = BranchCalendar(config)
    tickets = read_tickets(branch.tickets, config, calendar)
    staff = read_staff(branch.staff)
    leave = read_absences(branch.leave, staff, kind="leave")
    if branch.events is not None:
        leave += read_absences(branch.events, staff, kind="event")

    abandoned = float((tickets["status"] == "abandoned").mean()) if len(tickets) else 0.0
    console.print(
        tr(
            f"[bold]{config.branch.name}[/bold] 示例数据: {branch.out_dir}\n"
            f"排队记录 {len(tickets)} 张 ({branch.history_start} 至 {branch.history_end}), 过号 {abandoned:.1%}",
            f"[bold]{config.branch.name}[/bold] sample data: {branch.out_dir}\n"
            f"{len(tickets)} tickets ({branch.history_start} to {branch.history_end}), {abandoned:.1%} abandoned",
        )
    )
    console.print(_tickets_table(tickets, calendar, branch.history_end))
    console.print(_staff_table(staff))
    console.print(_plan_week_table(calendar, branch.plan_week))
    console.print(_leave_table(leave, staff))


def _tickets_table(tickets: pd.DataFrame, calendar: BranchCalendar, last: dt.date) -> Table:
    """Tickets per day and counter type over the two history weeks ending on ``last``."""
    first = last - dt.timedelta(days=13)
    recent = tickets[tickets["issued_at"].dt.date >= first]
    counts = recent.groupby([recent["issued_at"].dt.date, "counter"]).size().unstack(fill_value=0)
    table = Table(title=tr("最近两周每日取号数 (按柜台)", "Tickets per day and counter, last two weeks"))
    for col in (tr("日期", "Date"), tr("星期", "Day"), tr("类型", "Type")):
        table.add_column(col)
    for counter in COUNTER_TYPES:
        table.add_column(label(ACTIVITY_LABELS, counter), justify="right")
    table.add_column(tr("合计", "Total"), justify="right")
    for k in range(14):
        d = first + dt.timedelta(days=k)
        row = counts.loc[d] if d in counts.index else pd.Series(dtype=int)
        values = [int(row.get(c, 0)) for c in COUNTER_TYPES]
        day = calendar.day(d)
        table.add_row(
            d.isoformat(),
            weekday_label(d.weekday()),
            label(DAY_TYPE_LABELS, day.day_type),
            *(str(v) for v in values),
            str(sum(values)) if day.is_open else "—",
        )
    return table


def _staff_table(staff: Staff) -> Table:
    """How many people of each post, and who."""
    table = Table(title=tr("员工 (按岗位)", "Staff by post"))
    table.add_column(tr("岗位", "Post"))
    table.add_column(tr("人数", "People"), justify="right")
    table.add_column(tr("员工", "Who"))
    for post, (zh, en) in POSTS.items():
        people = [p for p in staff if p.post == post]
        if people:
            table.add_row(tr(zh, en), str(len(people)), ", ".join(f"{p.staff_id} {p.name}" for p in people))
    return table


def _plan_week_table(calendar: BranchCalendar, monday: dt.date) -> Table:
    """The plan week's day types, opening hours and staff time."""
    table = Table(title=tr(f"排班周 {monday} 起", f"Plan week from {monday}"))
    for col in (tr("日期", "Date"), tr("星期", "Day"), tr("类型", "Type"), tr("营业时间", "Open")):
        table.add_column(col)
    table.add_column(tr("员工在岗时间", "Staff time"))
    for day in calendar.week(monday):
        table.add_row(
            day.date.isoformat(),
            weekday_label(day.date.weekday()),
            label(DAY_TYPE_LABELS, day.day_type),
            str(day.open_hours) if day.open_hours else tr("休业", "closed"),
            str(day.staff_hours) if day.staff_hours else "—",
        )
    return table


def _leave_table(leave: list[Absence], staff: Staff) -> Table:
    """The plan week's leave and events."""
    table = Table(title=tr("请假与外出", "Leave and events"))
    for col in (
        tr("工号", "Staff"),
        tr("姓名", "Name"),
        tr("日期", "Date"),
        tr("时间", "Time"),
        tr("事由", "Reason"),
    ):
        table.add_column(col)
    for a in leave:
        table.add_row(
            a.staff_id,
            staff.by_id(a.staff_id).name,
            a.date.isoformat(),
            str(a.hours) if a.hours else tr("全天", "all day"),
            a.reason,
        )
    return table
