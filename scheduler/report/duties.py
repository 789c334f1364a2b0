"""The periodic duties of a planned week (:mod:`constraints.periodic`), with the talks scheduled into the roster.

A talk is scheduled only where it is safe: the 支行长 and the employee are both working off the floor (后台 /
营销外拓) for the whole talk, in the quietest stretch of forecast customers of the week's days in the window,
one talk at a time, and with both of them busy for the talk (an event, the way events.csv records a talk: not
free to take over the lobby, not there for anything else) the roster breaks no hard rule it did not already
break — every rule's own ``check`` says so (the talk is work in the branch: being at work during it is not a
breach of availability).
The talks become part of the written roster (:meth:`DutyPlan.roster_with_talks`): a ``talk`` block (谈话) on
both the employee's and the 支行长's rows for its time, in roster.csv, the workbook's day and week sheets, and
the console; ``paiban check`` reads a ``talk`` block as that event (:func:`constraints.rules.check_roster`).
Whoever gets no safe time this week is listed as still due. A roster that already holds talks (a written
roster read back) keeps them: they count as scheduled, not as still due.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from constraints.calendar import Day
from constraints.config import TimeRange, fmt_hhmm
from constraints.i18n import tr
from constraints.periodic import PeriodicDuties, periodic_duties
from constraints.problem import Problem
from constraints.roster import OFF_FLOOR, TALK_KIND, TALK_REASON, Roster, Violation, talk_events
from constraints.rules import check_roster
from constraints.staff import Absence

MAX_TRIES = 8
"""Candidate times checked per person (quietest first) before they are listed as due: bounds the checks."""


@dataclass(frozen=True)
class Talk:
    """A scheduled 季度谈话: the employee with the 支行长 on ``date`` from ``start`` to ``end`` (minutes)."""

    staff_id: str
    date: dt.date
    start: int
    end: int

    def when(self) -> str:
        """``12-02 15:00–16:00``."""
        return f"{self.date:%m-%d} {fmt_hhmm(self.start)}–{fmt_hhmm(self.end)}"


@dataclass(frozen=True)
class DutyPlan:
    """The week's duties, the talks scheduled, and who is still due without a safe time this week."""

    duties: PeriodicDuties
    talks: tuple[Talk, ...] = ()
    unplaced: tuple[str, ...] = ()

    def lines(self, problem: Problem, lang: str) -> list[str]:
        """The 周期工作 block as lines a person reads (empty when the week lies in no window)."""
        names = {p.staff_id: p.name for p in problem.staff}
        sep = "、" if lang == "zh" else ", "
        d, out = self.duties, []
        boss = names.get(d.convenor or "", tr("支行长", "the branch president", lang))
        if d.meeting_window is not None:
            last = f"{d.meeting_window.last:%m-%d}"
            if d.meeting_done:
                held = sep.join(f"{x:%m-%d}" for x in d.meeting_done)
                out.append(
                    tr(
                        f"网点经营分析会 (每月10日前, 二级分行召开): 已排 {held}, {boss}参加 ✓",
                        f"Monthly business review (before the 10th, regional office): on {held}, {boss} attends ✓",
                        lang,
                    )
                )
            else:
                out.append(
                    tr(
                        f"网点经营分析会 (每月10日前, 二级分行召开): 须在 {last} 前召开, {boss}参加 — "
                        "本周未安排; 定下时间后请在 events.csv 中登记 (支行长离开网点期间需有人担当权限)",
                        f"Monthly business review (regional office): due by {last}, {boss} attends — not in "
                        "this week's events; once dated, add it to events.csv (someone must hold the authority "
                        "while the president is away)",
                        lang,
                    )
                )
        if d.talk_window is not None:
            last = f"{d.talk_window.last:%m-%d}"
            done = sep.join(f"{names.get(s, s)} {x:%m-%d}" for s, x in d.talks_done)
            out.append(
                tr(
                    f"季度谈话 (季度初月{d.talk_window.last.day}日内, 每人≤2小时, {boss}主持): 须在 {last} 前谈完"
                    + (f"; 已谈 {done}" if done else ""),
                    f"Quarterly talks (first {d.talk_window.last.day} days of the quarter, ≤2 h each, held by "
                    f"{boss}): due by {last}" + (f"; held: {done}" if done else ""),
                    lang,
                )
            )
            if self.talks:
                out.append(
                    tr(
                        "  已排入排班表 (谈话; 两人此时都不在柜台和大堂, 客流低谷, 一次一人, 不违反任何硬性规则):",
                        "  scheduled in the roster (talk; both off the floor, a quiet time, one at a time, no "
                        "hard rule broken):",
                        lang,
                    )
                )
            for t in self.talks:
                out.append(f"    {t.when()} {names.get(t.staff_id, t.staff_id)}")
            if self.unplaced:
                who = sep.join(names.get(s, s) for s in self.unplaced)
                out.append(
                    tr(
                        f"  仍需谈话 (本周没有安全的时间, 请另行安排): {who}",
                        f"  still due (no safe time this week; arrange another): {who}",
                        lang,
                    )
                )
        return out

    def as_dict(self) -> dict[str, object]:
        """summary.json's ``periodic_duties`` (None entries when the week lies in no window)."""
        d = self.duties
        scheduled = [
            {
                "staff_id": t.staff_id,
                "date": t.date.isoformat(),
                "start": fmt_hhmm(t.start),
                "end": fmt_hhmm(t.end),
            }
            for t in self.talks
        ]
        return {
            "meeting_due_by": d.meeting_window.last.isoformat() if d.meeting_window else None,
            "meeting_recorded": [x.isoformat() for x in d.meeting_done],
            "talks_due_by": d.talk_window.last.isoformat() if d.talk_window else None,
            "talks_recorded": [{"staff_id": s, "date": x.isoformat()} for s, x in d.talks_done],
            "talks_scheduled": scheduled,
            "talks_suggested": scheduled,  # the same list: its name before talks went into the roster
            "talks_still_due": list(self.unplaced),
        }

    def notes(self, problem: Problem, date: dt.date, lang: str) -> dict[str, str]:
        """The day's talk notes by staff id for the day sheet: the employee's ``季度谈话 15:00–16:00 与 王建国``,
        the 支行长's every talk of the day in one short line (``季度谈话 09:00 刘洋、15:00 王芳``)."""
        names = {p.staff_id: p.name for p in problem.staff}
        boss = self.duties.convenor
        today = [t for t in self.talks if t.date == date]
        out: dict[str, str] = {}
        for t in today:
            span = f"{fmt_hhmm(t.start)}–{fmt_hhmm(t.end)}"
            with_boss = names.get(boss or "", "")
            text = tr(
                f"季度谈话 {span}" + (f" 与 {with_boss}" if with_boss else ""),
                f"talk {span}" + (f" with {with_boss}" if with_boss else ""),
                lang,
            )
            out[t.staff_id] = f"{out[t.staff_id]}; {text}" if t.staff_id in out else text
        if boss is not None and today:
            sep = "、" if lang == "zh" else ", "
            who = sep.join(f"{fmt_hhmm(t.start)} {names.get(t.staff_id, t.staff_id)}" for t in today)
            text = tr(f"季度谈话 {who}", f"talks {who}", lang)
            out[boss] = f"{out[boss]}; {text}" if boss in out else text
        return out

    def roster_with_talks(self, problem: Problem, roster: Roster) -> Roster:
        """``roster`` with each talk scheduled: ``talk`` blocks (谈话) on the employee's and the 支行长's rows
        over its time, where they work off the floor (as :func:`plan_duties` placed it)."""
        boss = self.duties.convenor
        if not self.talks or boss is None or not roster.blocks:
            return roster
        ids = problem.staff.ids()
        dates = {t.date for t in self.talks}
        parts = [Roster(tuple(b for b in roster.blocks if b.date not in dates))]
        for day in problem.days:
            if day.date not in dates:
                continue
            grid = roster.grid(day, ids)
            for t in self.talks:
                if t.date != day.date:
                    continue
                slots = [s for s, m in enumerate(day.slot_starts) if t.start <= m < t.end]
                for sid in (t.staff_id, boss):
                    row = grid[ids.index(sid)]
                    for s in slots:
                        if row[s] in OFF_FLOOR:
                            row[s] = "talk"
            parts.append(Roster.from_grid(day, ids, grid))
        return Roster.concat(parts)


def _key(v: Violation) -> tuple[object, ...]:
    return (v.rule, v.date, v.start, v.end, v.staff_ids)


def _at_the_talk(v: Violation, talks: Iterable[Absence]) -> bool:
    """An availability finding that only says someone works during their own talk (which is work)."""
    return v.rule == "availability" and any(
        t.date == v.date
        and t.hours is not None
        and set(v.staff_ids) <= {t.staff_id}
        and v.start is not None
        and v.end is not None
        and t.hours.start <= v.start
        and v.end <= t.hours.end
        for t in talks
    )


def roster_talks(roster: Roster, convenor: str | None) -> list[Talk]:
    """The talks a (written) roster holds: each ``talk`` block on a row other than the 支行长's."""
    return [
        Talk(b.staff_id, b.date, b.start, b.end)
        for b in roster.blocks
        if b.activity == "talk" and b.staff_id != convenor
    ]


def plan_duties(
    problem: Problem,
    roster: Roster | None,
    absences: Iterable[Absence] = (),
    *,
    after: dt.datetime | None = None,
    prefer: Iterable[Talk] = (),
) -> DutyPlan:
    """The week's duties (``absences``: every recorded event and leave, earlier weeks' too) and safe, quiet
    times for the talks still due (see the module docstring); nothing scheduled without a roster. The talks
    ``roster`` holds already (``talk`` blocks) are kept as scheduled.

    A re-plan (:mod:`scheduler.app.replan`) gives ``after``, its cut — talks are placed only from it on — and
    ``prefer``, the talks the roster it repaired had from the cut on: each stays at its time when it is still
    safe there (both still off the floor, no hard rule broken with both busy), before anyone else is placed;
    the others are placed as a plan places them."""
    held = talk_events(roster) if roster is not None else ()
    duties = periodic_duties(
        problem.config, problem.staff, problem.days, [*absences, *problem.absences, *held]
    )
    boss = duties.convenor
    talks: list[Talk] = [
        Talk(a.staff_id, a.date, a.hours.start, a.hours.end)
        for a in held
        if a.staff_id != boss and a.hours is not None and a.date in duties.talk_days
    ]
    if talks:  # the roster's own talks are scheduled this week, not recorded as held
        mine = {(sid, t.date) for t in talks for sid in (t.staff_id, boss)}
        duties = dataclasses.replace(duties, talks_done=tuple(x for x in duties.talks_done if x not in mine))
    if duties.talk_window is None or boss is None or roster is None or not roster.blocks:
        return DutyPlan(duties, tuple(talks), duties.talks_due)
    ids = problem.staff.ids()
    base = {_key(v) for v in check_roster(problem, roster) if v.hard}
    added: list[Absence] = []

    def free(sid: str, day: Day) -> np.ndarray:
        """Slots of ``day`` where the 支行长 and ``sid`` both work off the floor and no talk is placed yet."""
        grid = roster.grid(day, ids)
        both = [ids.index(boss), ids.index(sid)]
        busy = np.array([any(a.date == day.date and a.covers(s) for a in added) for s in day.slot_starts])
        return np.asarray(np.isin(grid[both], OFF_FLOOR).all(axis=0) & ~busy)

    def place(sid: str, date: dt.date, start: int, end: int) -> bool:
        """Place the talk when, with both busy, the roster breaks no hard rule it did not already break."""
        hours = TimeRange(start=start, end=end)
        new = [
            Absence(staff_id=x, date=date, hours=hours, reason=TALK_REASON, kind=TALK_KIND)
            for x in (boss, sid)
        ]
        check = problem.replace(absences=(*problem.absences, *added, *new))
        found = check_roster(check, roster)
        if {_key(v) for v in found if v.hard and not _at_the_talk(v, [*added, *new])} <= base:
            talks.append(Talk(sid, date, start, end))
            added.extend(new)
            return True
        return False

    def allowed(date: dt.date, start: int) -> bool:
        return after is None or (date, start) >= (after.date(), after.hour * 60 + after.minute)

    placed: set[str] = set()
    wanted = {t.staff_id: t for t in prefer if t.staff_id != boss}
    for sid in duties.talks_due:  # first the times the repaired roster gave them, where still safe
        t = wanted.get(sid)
        if t is None or t.date not in duties.talk_days or not allowed(t.date, t.start):
            continue
        day = problem.day(t.date)
        span = [s for s, m in enumerate(day.slot_starts) if t.start <= m < t.end]
        if span and free(sid, day)[span].all() and place(sid, t.date, t.start, t.end):
            placed.add(sid)
    unplaced: list[str] = []
    for sid in duties.talks_due:
        if sid in placed:
            continue
        candidates: list[tuple[float, dt.date, int, int]] = []
        for day in problem.days:
            if day.date not in duties.talk_days:
                continue
            n = math.ceil(problem.config.periodic.talk_minutes / day.slot_minutes)
            off_floor = free(sid, day)  # one talk at a time
            arrivals = np.zeros(len(day.slot_starts))
            for (date, _), cd in problem.demand.items():
                if date == day.date:
                    arrivals += cd.arrivals
            open_slots = list(day.open_slots)
            for k in range(len(open_slots) - n + 1):
                span = open_slots[k : k + n]
                start = day.slot_starts[span[0]]
                if span[-1] - span[0] == n - 1 and off_floor[span].all() and allowed(day.date, start):
                    candidates.append(
                        (float(arrivals[span].sum()), day.date, start, start + n * day.slot_minutes)
                    )
        if not any(place(sid, date, start, end) for _, date, start, end in sorted(candidates)[:MAX_TRIES]):
            unplaced.append(sid)
    return DutyPlan(duties, tuple(sorted(talks, key=lambda t: (t.date, t.start))), tuple(unplaced))


__all__ = ["DutyPlan", "Talk", "plan_duties", "roster_talks"]
