"""Repair the rest of a week with few changes: ``paiban replan`` and :meth:`Scenario.replan`.

Everything before the cut (a date, or a date and time) is kept exactly — fixed in the model — and from the cut
on the week is re-solved under the new leave, events and demand, every changed slot of someone's day costing
``[replan] change_cost_per_hour`` (:class:`scheduler.solver.model.Keep`). The certified bound stays a bound:
fixing variables only removes rosters, and the bound leaves out the change cost, which is never negative.

The repair runs in stages, each starting from the best roster so far:

1. the roster with what the new absences make impossible taken out (the person-days they overlap) —
   repaired on those days only, every other day kept whole, by CP-SAT hinted with it
   (:func:`scheduler.solver.repair.hinted_repair`: it changes little from the start); if those days are
   proved unable to hold every rule alone, on those days and the day after each — at most
   :data:`STAGE_SHARE` of the budget in all;
2. the whole rest of the week by the week's search (:func:`scheduler.solver.solve.solve`) from that roster,
   so changes spread to other days only when a rule forces them or they save more than they cost.

Before solving, the kept part is checked by every rule: a break there cannot be repaired (it is kept), so the
re-plan stops with it named (rule, date, people) — unless ``--relax`` names the rule.

The roster's 季度谈话 (``talk`` blocks; the repair reads them as back office) are carried over
(:func:`replan_duties`): a talk before the cut stays as it was; one from the cut on stays at its time when both
people still work off the floor then and it is still safe; one that no longer fits (someone on the new leave)
is placed again from the cut on as a plan places talks, or listed as still due — changes.csv and the 变更通知
sheet say so (``季度谈话改期``) for both people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from constraints.calendar import Day
from constraints.errors import InputError
from constraints.io import EXCEL_SUFFIXES
from constraints.periodic import CONVENOR_POST
from constraints.problem import Problem
from constraints.roster import OFF, Roster, Violation, without_outreach
from constraints.rules import check_roster, precheck
from constraints.staff import Absence, Staff, read_absences
from scheduler.app.pipeline import Branch, WeekPlan, finish_week, solve_params, week_problem, write_plan
from scheduler.report.duties import DutyPlan, plan_duties, roster_talks
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook import read_back
from scheduler.report.workbook.changes import (
    ChangeNotice,
    RosterChange,
    away_conflicts,
    cut_label,
    cut_minute,
    roster_changes,
)
from scheduler.solver.model import CHANGES, Keep
from scheduler.solver.repair import hinted_repair, repair_model
from scheduler.solver.result import Progress, RosterResult, SolveParams
from scheduler.solver.solve import solve

STAGE_SHARE = 0.5
"""Most of the time limit the first stage may use (the days the new absences touch, then, if those cannot be
repaired alone, those and the day after); what it leaves goes to the whole week. On the 40-staff branch a
two-day absence's first repair needs about half of a 10-s budget (benchmarks/README.md)."""


@dataclass(frozen=True)
class Replan:
    """A re-planned week: the plan of the whole week (every output's figures), the roster it repaired, the
    changes for the people affected, and what each stage of the repair did."""

    plan: WeekPlan
    before: Roster
    notice: ChangeNotice
    stages: tuple[str, ...] = ()

    @property
    def result(self) -> RosterResult:
        """The final solve's result (its solve_seconds cover every stage)."""
        return self.plan.result

    @property
    def changes(self) -> tuple[RosterChange, ...]:
        """One per person-day changed."""
        return self.notice.changes


# ---- inputs ---------------------------------------------------------------------------------------------


def parse_cut(
    text: str | dt.date | dt.datetime, days: Sequence[Day], argument: str = "--from"
) -> dt.datetime:
    """The cut from ``2026-12-03`` or ``2026-12-03 12:00`` (a date or datetime as it is); it must fall in
    the week of ``days``."""
    if isinstance(text, dt.datetime):
        cut = text
    elif isinstance(text, dt.date):
        cut = dt.datetime.combine(text, dt.time(0))
    else:
        try:
            cut = dt.datetime.fromisoformat(str(text).strip())
        except ValueError:
            raise InputError(
                "应为日期 YYYY-MM-DD 或日期加时间 YYYY-MM-DD HH:MM (a date, or a date and a time)",
                argument=argument,
                value=text,
            ) from None
    dates = [d.date for d in days]
    if cut.date() not in dates:
        raise InputError(
            f"不在所排的一周内 (not in the week planned, {dates[0]} – {dates[-1]})",
            argument=argument,
            value=text,
        )
    return cut.replace(second=0, microsecond=0, tzinfo=None)


def read_current_roster(
    path: str | Path, staff: Staff, days: Sequence[Day]
) -> tuple[Roster, tuple[Absence, ...] | None]:
    """The roster being repaired (roster.csv, or roster.xlsx as a person edited it) and, from a workbook, the
    leave and events of its 请假与活动 sheet (None for roster.csv or a workbook without the sheet)."""
    if Path(path).suffix.lower() in EXCEL_SUFFIXES:
        book = read_back(path, staff, days)
        return book.roster, book.absences
    return read_roster(path, staff, days), None


def given_roster(
    roster: Roster | WeekPlan | str | Path, staff: Staff, days: Sequence[Day]
) -> tuple[Roster, tuple[Absence, ...] | None]:
    """The roster to repair from a notebook: a Roster, a plan's roster, or a file (:func:`read_current_roster`)."""
    if isinstance(roster, WeekPlan):
        if roster.roster is None:
            raise ValueError("the plan has no roster to repair (its week could not be staffed)")
        if roster.duties is not None:  # as its roster.csv has it: with the talks scheduled
            return roster.duties.roster_with_talks(roster.problem, roster.roster), None
        return roster.roster, None
    if isinstance(roster, Roster):
        return roster, None
    return read_current_roster(roster, staff, days)


def given_absences(leave: Iterable[Absence] | str | Path, staff: Staff) -> tuple[Absence, ...]:
    """Absences from a notebook: as they are, or read from a leave.csv."""
    if isinstance(leave, str | Path):
        return tuple(read_absences(leave, staff, kind="leave"))
    return tuple(leave)


def merged_absences(*groups: Iterable[Absence] | None) -> tuple[Absence, ...]:
    """The absences of every group, each once (the same person, date, hours and kind)."""
    out: dict[tuple[object, ...], Absence] = {}
    for group in groups:
        for a in group or ():
            key = (
                a.staff_id,
                a.date,
                a.hours.start if a.hours else -1,
                a.hours.end if a.hours else -1,
                a.kind,
            )
            out.setdefault(key, a)
    return tuple(out.values())


# ---- the repair -----------------------------------------------------------------------------------------


def kept_violations(
    problem: Problem, roster: Roster, cut: dt.datetime, relax: Iterable[str] = ()
) -> list[Violation]:
    """Hard-rule breaks of ``roster`` that lie wholly before the cut (so a re-plan cannot repair them).

    A consecutive-days window (dated by its first day) is left out: days after the cut can still break it.
    """
    skip = set(relax)
    minute = cut_minute(cut)
    out = []
    for v in check_roster(problem, roster):
        if not v.hard or v.rule in skip or v.date is None or (v.rule == "labour" and v.start is None):
            continue
        if v.date < cut.date() or (v.date == cut.date() and v.end is not None and v.end <= minute):
            out.append(v)
    return out


def without_conflicts(problem: Problem, roster: Roster, cut: dt.datetime) -> Roster:
    """``roster`` less what the absences now forbid: each person-day an absence overlaps, from the cut on."""
    conflicts = away_conflicts(problem, roster, cut)
    if not conflicts:
        return roster
    keep = Keep(roster, cut, 0.0)
    ids = problem.staff.ids()
    parts = []
    for day in problem.days:
        grid = roster.grid(day, ids)
        hit = [i for i, p in enumerate(ids) if (p, day.date) in conflicts]
        if hit and len(day.slot_starts):
            grid[np.asarray(hit), keep.kept_slots(day) :] = OFF
            parts.append(Roster.from_grid(day, ids, grid))
        else:
            parts.append(Roster(tuple(b for p in ids for b in roster.blocks_of(day.date, p))))
    return Roster.concat(parts)


def _kept_part_result(
    problem: Problem, params: SolveParams, cut: dt.datetime, found: list[Violation]
) -> RosterResult:
    """No re-plan: the part kept as it is breaks hard rules."""
    head = Violation(
        "replan",
        cut.date(),
        None,
        None,
        f"{cut_label(cut, 'zh')} 之前的排班保持不变, 但它违反下列规则: 请先在排班表中改正, 或把 --from 提前",
        f"the roster before {cut_label(cut, 'en')} is kept as it is, but it breaks the rules below: correct "
        "it in the roster first, or move --from earlier",
    )
    return RosterResult("INFEASIBLE", problem, params, explanation=(head, *found))


def first_tries(problem: Problem, keep: Keep, relax: Iterable[str]) -> list[frozenset[dt.date]]:
    """The days each first-stage repair re-solves: those the new absences touch, then those and the day after
    each (none when nothing is touched, when that is already the whole rest of the week, or when a precheck
    fails — the final solve reports that at once). The whole rest of the week is the week's search's: hinted
    CP-SAT on it took the stages' whole share on the sample at load 7 without a roster, and the search's
    polish proves a small re-plan optimal as well."""
    free = frozenset(d.date for d in problem.days if d.slot_starts and d.date >= keep.cut.date())
    touched = frozenset(date for _, date in away_conflicts(problem, keep.roster, keep.cut))
    if not touched or precheck(problem, skip=relax):
        return []
    wider = (touched | {d + dt.timedelta(days=1) for d in touched}) & free
    return [w for w in dict.fromkeys((touched, wider)) if w != free]


def repair(problem: Problem, params: SolveParams) -> tuple[RosterResult, list[str]]:
    """The re-plan ``params.keep`` asks for (see the module docstring), and a line per stage.

    The stages share ``params.time_limit_seconds`` by the clock: the first at most :data:`STAGE_SHARE` of
    it, the week's search what is left. The result is reproducible when the week's search is and no stage
    was stopped by the clock."""
    keep = params.keep
    if keep is None:
        raise ValueError("repair needs params.keep: the roster to repair and the cut")
    keep = dataclasses.replace(keep, roster=without_outreach(keep.roster))  # the model plans back office
    params = dataclasses.replace(params, keep=keep)
    t0 = time.perf_counter()
    limit = params.time_limit_seconds
    broken = kept_violations(problem, keep.roster, keep.cut, params.relax)
    if broken:
        return _kept_part_result(problem, params, keep.cut, broken), ["kept part breaks hard rules"]
    start = without_conflicts(problem, keep.roster, keep.cut)
    free = frozenset(d.date for d in problem.days if d.slot_starts and d.date >= keep.cut.date())
    log: list[str] = []
    cut = False
    tries = first_tries(problem, keep, params.relax)
    built = repair_model(problem, params) if tries else None  # once for every stage
    for days in tries:
        left = STAGE_SHARE * limit - (time.perf_counter() - t0)
        if left <= 0:
            break
        stage = dataclasses.replace(params, time_limit_seconds=left)
        fixed = hinted_repair(problem, stage, start, built, fixed_dates=free - days, as_given=not log)
        cut = cut or fixed.cut
        log.append(f"repair {', '.join(str(d) for d in sorted(days))}: {fixed.status} {fixed.used:.0%}")
        if fixed.roster is not None:
            start = fixed.roster
        if fixed.status != "INFEASIBLE":  # found, or out of time: more days would not come quicker
            break
    spent = time.perf_counter() - t0
    final = dataclasses.replace(params, start=start, time_limit_seconds=max(0.1, limit - spent))
    r = solve(problem, final, built)
    log.append(f"week from {keep.cut:%Y-%m-%d %H:%M}: {r.status} {r.solve_seconds:.1f}s")
    shown = dataclasses.replace(params, start=keep.roster)  # as asked, started from the roster
    return (
        dataclasses.replace(
            r,
            params=shown,
            solve_seconds=spent + r.solve_seconds,
            reproducible=r.reproducible and not cut,
            search_log=(*log, *r.search_log),
        ),
        log,
    )


def replan_week(
    branch: Branch,
    monday: dt.date,
    before: Roster,
    cut: dt.datetime,
    params: SolveParams | None = None,
    *,
    demand_scale: float = 1.0,
    replications: int = 20,
    on_progress: Callable[[Progress], None] | None = None,
) -> Replan:
    """Re-plan the week of ``monday`` from ``cut`` under ``branch``'s (new) leave, events and demand, keeping
    ``before`` until the cut and changing as little of it as pays after."""
    forecast, profiles, problem = week_problem(branch, monday, demand_scale)
    params = solve_params(branch, params, on_progress)
    cost = branch.config.replan.change_cost_per_hour
    result, stages = repair(problem, dataclasses.replace(params, keep=Keep(before, cut, cost)))
    after = result.roster
    duties = replan_duties(problem, branch, before, after, cut) if after is not None else None
    plan = finish_week(branch, monday, forecast, profiles, problem, result, replications, duties=duties)
    changes: tuple[RosterChange, ...] = ()
    if after is not None and duties is not None:
        was = without_outreach(before, keep_talks=True)
        changes = tuple(roster_changes(problem, was, duties.roster_with_talks(problem, after), cut))
    notice = ChangeNotice(cut, changes, cost, result.penalties.get(CHANGES, 0.0), staffed=after is not None)
    return Replan(plan, before, notice, tuple(stages))


def replan_duties(
    problem: Problem, branch: Branch, before: Roster, after: Roster, cut: dt.datetime
) -> DutyPlan:
    """The periodic duties of the re-planned week, with the 季度谈话 of ``before`` (the roster repaired): a
    talk starting before the cut stays as it was; one from the cut on stays at its time when both people still
    work off the floor then and it is still safe (:func:`scheduler.report.duties.plan_duties`'s ``prefer``);
    the others still due — a talk that no longer fits among them — are placed from the cut on as a plan
    places them (or listed as still due)."""
    boss = next((p.staff_id for p in problem.staff if p.post == CONVENOR_POST), None)
    minute = cut_minute(cut)
    talks = roster_talks(before, boss)
    kept = [t for t in talks if (t.date, t.start) < (cut.date(), minute)]
    later = [t for t in talks if (t.date, t.start) >= (cut.date(), minute)]
    done = plan_duties(problem, None, branch.absences)  # who holds the talks, the window
    talked = DutyPlan(done.duties, tuple(kept)).roster_with_talks(problem, after)
    return plan_duties(problem, talked, branch.absences, after=cut, prefer=later)


def write_replan(rp: Replan, out_dir: str | Path, lang: str = "zh") -> dict[str, Path]:
    """The usual files for the whole week, with changes.csv and the 变更通知 sheet first in roster.xlsx."""
    return write_plan(rp.plan, out_dir, lang, notice=rp.notice)
