"""``paiban check``: read a roster back (roster.csv, or roster.xlsx a person edited) and audit every rule.

The audit is the rules' own ``check`` through :func:`constraints.rules.check_roster` — the same code path the
solver's tests use — so a roster that passes here is one the solver could have returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from constraints.calendar import BranchCalendar, parse_week
from constraints.config import fmt_hhmm, load_config
from constraints.i18n import language, tr
from constraints.problem import Problem
from constraints.roster import Violation
from constraints.rules import check_roster, get_rule
from scheduler.app.cli.app import app
from scheduler.app.pipeline import read_people
from scheduler.report.read_roster import read_roster


def load_week(
    staff_path: Path, config_path: Path, week: str, leave: Path | None = None, events: Path | None = None
) -> Problem:
    """The problem of the week from the branch's files (no demand: checking needs none)."""
    config = load_config(config_path)
    staff, away = read_people(staff_path, leave, events)
    return Problem.for_week(config, staff, parse_week(week), away, calendar=BranchCalendar(config))


def violations_table(violations: Sequence[Violation], problem: Problem, lang: str) -> Table:
    """One row per violation: rule, its business name, hard/soft, date, time, people, message."""
    names = {p.staff_id: p.name for p in problem.staff}
    table = Table(title=tr("规则检查结果", "Rule check", lang), show_lines=False)
    table.add_column(tr("规则", "Rule", lang), no_wrap=True)
    table.add_column(tr("名称", "Name", lang))
    table.add_column(tr("硬/软", "Kind", lang), no_wrap=True)
    table.add_column(tr("日期", "Date", lang), no_wrap=True)
    table.add_column(tr("时间", "Time", lang), no_wrap=True)
    table.add_column(tr("人员", "People", lang))
    table.add_column(tr("说明", "Message", lang))
    sep = "、" if lang == "zh" else ", "
    for v in violations:
        rule = get_rule(v.rule)
        when = ""
        if v.start is not None:
            when = fmt_hhmm(v.start) + (f"–{fmt_hhmm(v.end)}" if v.end is not None else "")
        table.add_row(
            v.rule,
            tr(rule.label_zh, rule.label_en, lang),
            tr("硬", "hard", lang) if v.hard else tr("软", "soft", lang),
            v.date.isoformat() if v.date else "",
            when,
            sep.join(names.get(s, s) for s in v.staff_ids),
            v.message(lang),
            style="red" if v.hard else None,
        )
    return table


@app.command()
def check(
    roster: Annotated[Path, typer.Option("--roster", help="roster.xlsx 或 roster.csv (the roster to check)")],
    staff: Annotated[Path, typer.Option("--staff", help="员工名单 staff.csv")],
    config: Annotated[Path, typer.Option("--config", help="网点配置 branch.toml")],
    week: Annotated[str, typer.Option("--week", help="周一日期 YYYY-MM-DD (the Monday)")],
    leave: Annotated[Path | None, typer.Option("--leave", help="请假 leave.csv")] = None,
    events: Annotated[Path | None, typer.Option("--events", help="活动 events.csv (会议, 谈话)")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="显示语言 zh/en (language)")] = None,
) -> int:
    """检查排班 (check a roster, e.g. one edited in Excel, against every rule): 0 ok, 1 a hard rule broken."""
    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter("zh 或 en (zh or en)", param_hint="--lang")
    shown = lang or language()
    problem = load_week(staff, config, week, leave, events)
    found = check_roster(problem, read_roster(roster, problem.staff, problem.days))
    console = Console(width=max(Console().width, 120))
    days = problem.days
    console.print(
        tr(
            f"[bold]{problem.config.branch.name}[/bold] 排班检查: {roster} ({days[0].date} 至 {days[-1].date})",
            f"[bold]{problem.config.branch.name}[/bold] roster check: {roster} ({days[0].date} to {days[-1].date})",
            shown,
        )
    )
    hard = [v for v in found if v.hard]
    if found:
        console.print(violations_table(found, problem, shown))
    if hard:
        console.print(
            tr(
                f"[red]{len(hard)} 条硬规则违反[/red], {len(found) - len(hard)} 条软规则提示",
                f"[red]{len(hard)} hard rule violations[/red], {len(found) - len(hard)} soft notes",
                shown,
            )
        )
        raise typer.Exit(1)
    console.print(
        tr(
            f"[green]所有硬规则均满足 ✓[/green]{f' ({len(found)} 条软规则提示)' if found else ''}",
            f"[green]every hard rule holds ✓[/green]{f' ({len(found)} soft notes)' if found else ''}",
            shown,
        )
    )
    return 0
