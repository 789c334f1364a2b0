"""``paiban replan``: repair the rest of a week from a date (and time) with few changes.

Reads the current roster (roster.csv, or roster.xlsx as a person edited it — its 请假与活动 sheet too), keeps
everything before ``--from`` exactly and re-plans the rest under the leave and events now known (the workbook's
sheet plus ``--leave`` and ``--events``), every changed hour of someone's day costing
``[replan] change_cost_per_hour``. Writes the usual files for the whole week plus changes.csv and the 变更通知
sheet. Exit status 0 when the re-planned week holds every hard rule, 1 when it cannot (the reasons — rule,
date, people — on stderr and in summary.json), 2 for bad input.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from constraints.calendar import parse_week
from constraints.i18n import language, tr
from scheduler.app.cli.app import app
from scheduler.app.cli.guard import check_out_dir, check_week
from scheduler.app.cli.plan import (
    ConfigOpt,
    EventsOpt,
    OutOpt,
    PreviousOpt,
    RelaxOpt,
    ReplicationsOpt,
    SeedOpt,
    StaffOpt,
    TicketsOpt,
    TimeLimitOpt,
    after_solve_seconds,
    conclude,
    solver_options,
    solving_bar,
)
from scheduler.app.pipeline import load_branch, with_previous_roster
from scheduler.app.replan import (
    Replan,
    merged_absences,
    parse_cut,
    read_current_roster,
    replan_week,
    write_replan,
)
from scheduler.solver.result import SolveParams


def print_changes(rp: Replan, console: Console) -> None:
    """The 变更通知 as a table: one row per person affected, each changed day on its own line."""
    n = rp.notice
    if not n.staffed:
        return
    lang = language()
    console.print(
        tr(
            f"自 {n.cut_text('zh')} 起重排: {len(n.people())} 人、{len(n.changes)} 个人日变更, "
            f"变更成本 {n.change_cost_cny:,.0f} 元 (每小时 {n.change_cost_per_hour:g} 元)",
            f"Re-planned from {n.cut_text('en')}: {len(n.people())} people, {len(n.changes)} person-days "
            f"changed, change cost {n.change_cost_cny:,.0f} CNY ({n.change_cost_per_hour:g} CNY an hour)",
        )
    )
    if not n.changes:
        return
    table = Table(title=tr("变更通知", "Roster changes"))
    table.add_column(tr("工号", "ID"), no_wrap=True)
    table.add_column(tr("姓名", "Name"), no_wrap=True)
    table.add_column(tr("变更", "What changes"))
    for sid, changes in n.by_person().items():
        table.add_row(sid, changes[0].name, "\n".join(c.sentence(lang) for c in changes))
    console.print(table)


@app.command()
def replan(
    roster: Annotated[
        Path, typer.Option("--roster", help="当前排班 roster.csv 或 roster.xlsx (the roster to repair)")
    ],
    from_: Annotated[
        str,
        typer.Option(
            "--from", help="从何时起重排 YYYY-MM-DD 或 'YYYY-MM-DD HH:MM'; 之前的排班不变 (the cut)"
        ),
    ],
    tickets: TicketsOpt,
    staff: StaffOpt,
    week: Annotated[str, typer.Option("--week", help="排班周的周一 YYYY-MM-DD (the Monday)")],
    out: OutOpt,
    config: ConfigOpt = None,
    leave: Annotated[
        Path | None,
        typer.Option("--leave", help="请假 leave.csv (与工作簿请假表合并; with the workbook's sheet)"),
    ] = None,
    events: EventsOpt = None,
    time_limit: TimeLimitOpt = None,
    seed: SeedOpt = None,
    relax: RelaxOpt = "",
    replications: ReplicationsOpt = 20,
    previous_roster: PreviousOpt = None,
) -> None:
    """重排本周余下的班 (re-plan the rest of the week with few changes; writes changes.csv and 变更通知)."""
    options = solver_options(time_limit, seed, relax, replications)
    monday = parse_week(week)
    check_out_dir(out)
    branch = load_branch(tickets, staff, config, leave, events)
    days = branch.calendar.week(check_week(branch.calendar, monday))
    cut = parse_cut(from_, days)
    if previous_roster is not None:
        branch = with_previous_roster(branch, monday, previous_roster)
    before, in_book = read_current_roster(roster, branch.staff, days)
    branch = branch.replace(
        absences=merged_absences(in_book, branch.absences), files={**branch.files, "roster": roster}
    )
    params = SolveParams.from_config(branch.config, **options)
    params = dataclasses.replace(params, after_seconds=after_solve_seconds(params.time_limit_seconds))
    console = Console(stderr=True)
    with solving_bar(params, console) as show:
        rp = replan_week(branch, monday, before, cut, params, replications=replications, on_progress=show)
    console.print(tr(f"写入 {out} …", f"Writing {out} …"))
    written = write_replan(rp, out, lang=language())
    shown = Console()
    code = conclude(rp.plan, written, shown, out)
    print_changes(rp, shown)
    raise typer.Exit(code)
