"""``paiban check``: read a roster back (roster.csv, or roster.xlsx a person edited) and audit every rule.

The audit is the rules' own ``check`` through :func:`constraints.rules.check_roster` — the same code path the
solver's tests use — so a roster that passes here is one the solver could have returned. roster.xlsx is read
whole (:mod:`scheduler.report.workbook.read_back`): the day sheets, the 周排班 sheet that must agree with them
(exit 2 listing the differing cells otherwise), and the 请假与活动 sheet for the week's leave and events.

``--weeks N`` checks a horizon's roster (``paiban plan --weeks N``) as the one problem it was planned as
(:meth:`constraints.problem.Problem.for_horizon`): the weekly limits per calendar week, days in a row and rest
across every Sunday night; its roster.xlsx has a ``周排班 MM-DD`` sheet per week, each checked against its days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from constraints.calendar import BranchCalendar, parse_week
from constraints.config import fmt_hhmm, load_config
from constraints.i18n import language, set_language, tr
from constraints.io import EXCEL_SUFFIXES
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules import check_roster, get_rule
from constraints.rules.labour import person_weeks
from constraints.staff import Absence, Person, read_absences, read_staff
from scheduler.app.cli.app import app
from scheduler.app.horizon import check_weeks
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook import read_back


@dataclass(frozen=True)
class CheckedWeek:
    """The week being checked: the problem (with the leave and events in force), the roster, and notes."""

    problem: Problem
    roster: Roster
    notes: tuple[str, ...] = ()
    leave_known: bool = True
    """False when neither the workbook nor --leave gave the week's leave (old workbook, or roster.csv)."""
    leave_marked: tuple[tuple[str, dt.date], ...] = ()


def _same(a: Sequence[Absence], b: Sequence[Absence]) -> bool:
    def key(x: Absence) -> tuple[object, ...]:
        return (x.staff_id, x.date, x.hours.start if x.hours else -1, x.hours.end if x.hours else -1)

    return sorted(map(key, a)) == sorted(map(key, b))


def load_week(
    roster_path: Path,
    staff_path: Path,
    config_path: Path,
    week: str,
    leave: Path | None = None,
    events: Path | None = None,
    weeks: int = 1,
) -> CheckedWeek:
    """The roster and the problem of its week — or of its ``weeks`` consecutive weeks (a horizon's roster,
    ``paiban plan --weeks N``), one problem over all their days as the plan had. Leave and events come from
    the workbook's 请假与活动 sheet; ``--leave`` / ``--events`` given explicitly replace that sheet's leave /
    events (a note says so when they differ)."""
    check_weeks(weeks)
    config = load_config(config_path)
    people = read_staff(staff_path)
    calendar = BranchCalendar(config)
    monday = parse_week(week)
    days = [d for k in range(weeks) for d in calendar.week(monday + dt.timedelta(days=7 * k))]
    if roster_path.suffix.lower() in EXCEL_SUFFIXES:
        book = read_back(roster_path, people, days)
        roster, from_book, marked = book.roster, book.absences, book.leave_marked
    else:
        roster, from_book, marked = read_roster(roster_path, people, days, "--weeks"), None, ()
    away: list[Absence] = []
    notes: list[str] = []
    for kind, path, option in (("leave", leave, "--leave"), ("event", events, "--events")):
        in_book = [a for a in from_book or () if a.kind == kind]
        if path is None:
            away += in_book
            continue
        given = [a for a in read_absences(path, people, kind=kind) if a.date in {d.date for d in days}]
        away += given
        if from_book is not None and not _same(given, in_book):
            notes.append(
                tr(
                    f"注意: {option} ({len(given)} 条) 与工作簿请假与活动表 ({len(in_book)} 条) 不同, 以 {option} 为准",
                    f"Note: {option} ({len(given)} rows) differs from the workbook's leave sheet "
                    f"({len(in_book)} rows); {option} is used",
                )
            )
    problem = Problem.for_horizon(config, people, monday, weeks, away, calendar=calendar)
    known = from_book is not None or leave is not None
    return CheckedWeek(problem, roster, tuple(notes), known, marked)


def leave_hints(checked: CheckedWeek, found: Sequence[Violation]) -> list[str]:
    """Why a weekly-hours shortfall may be leave: said when no leave was given (old workbook, roster.csv)."""
    if checked.leave_known:
        return []
    problem = checked.problem
    short: dict[str, tuple[Person, set[dt.date]]] = {}
    for v in found:
        if v.rule != "labour" or v.date is not None or len(v.staff_ids) != 1:
            continue
        person = problem.staff.by_id(v.staff_ids[0])
        for week in person_weeks(problem, person):  # each calendar week's floor (one for a week's check)
            if round(checked.roster.hours(person.staff_id, week.dates) * 60) < week.hours.floor:
                short.setdefault(person.staff_id, (person, set(week.dates)))
                break
    out = []
    for person, dates in short.values():
        marked = [d for sid, d in checked.leave_marked if sid == person.staff_id and d in dates]
        where = (
            tr(f"周排班上 {marked[0]:%m-%d} 标为请假; ", f"the week sheet marks {marked[0]:%m-%d} as leave; ")
            if marked
            else ""
        )
        out.append(
            tr(
                f"提示: {person.name} 工时不足可能是请假所致 — {where}没有请假信息 (工作簿中没有请假与活动表, 也没有 "
                f"--leave); 请加 --leave leave.csv 再检查",
                f"Hint: {person.name}'s hours may be short because of leave — {where}no leave was given (the "
                f"workbook has no leave sheet and no --leave): add --leave leave.csv",
            )
        )
    return out


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
    leave: Annotated[
        Path | None,
        typer.Option("--leave", help="请假 leave.csv (默认: 工作簿的请假与活动表; default: the workbook's)"),
    ] = None,
    events: Annotated[
        Path | None,
        typer.Option(
            "--events", help="活动 events.csv (默认: 工作簿的请假与活动表; default: the workbook's)"
        ),
    ] = None,
    weeks: Annotated[
        int,
        typer.Option(
            "--weeks",
            help="周数 1–6: 多周排班 (plan --weeks N) 作为一个整体检查 (weeks: a horizon's roster checked whole)",
        ),
    ] = 1,
    lang: Annotated[str | None, typer.Option("--lang", help="显示语言 zh/en (language)")] = None,
) -> int:
    """检查排班 (check a roster, e.g. one edited in Excel, against every rule): 0 ok, 1 a hard rule broken."""
    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter("zh 或 en (zh or en)", param_hint="--lang")
    if lang is not None:
        set_language(lang)  # messages and notes too, not only the table
    shown = language()
    checked = load_week(roster, staff, config, week, leave, events, weeks)
    problem = checked.problem
    found = check_roster(problem, checked.roster)
    console = Console(width=max(Console().width, 120))
    days = problem.days
    console.print(
        tr(
            f"[bold]{problem.config.branch.name}[/bold] 排班检查: {roster} ({days[0].date} 至 {days[-1].date})",
            f"[bold]{problem.config.branch.name}[/bold] roster check: {roster} ({days[0].date} to {days[-1].date})",
            shown,
        )
    )
    for note in checked.notes:
        console.print(f"[yellow]{note}[/yellow]")
    hard = [v for v in found if v.hard]
    if found:
        console.print(violations_table(found, problem, shown))
    for hint in leave_hints(checked, found):
        console.print(f"[yellow]{hint}[/yellow]")
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
