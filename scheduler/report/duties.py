"""The periodic duties of a planned week (:mod:`constraints.periodic`), with suggested times for the talks.

A talk is suggested only where it is safe: the 支行长 and the employee are both working off the floor (后台 /
营销外拓) for the whole talk, in the quietest stretch of forecast customers of the week's days in the window,
one talk at a time, and with both of them busy for the talk (an event, the way events.csv records a talk: not
free to take over the lobby, not there for anything else) the roster breaks no hard rule it did not already
break — every rule's own ``check`` says so (the talk is work in the branch: being at work during it is not a
breach of availability).
The roster itself is not changed: the talks are printed as suggestions (workbook and console), and whoever
gets no safe time this week is listed as still due.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from constraints.config import TimeRange, fmt_hhmm
from constraints.i18n import tr
from constraints.periodic import PeriodicDuties, periodic_duties
from constraints.problem import Problem
from constraints.roster import OFF_FLOOR, Roster, Violation
from constraints.rules import check_roster
from constraints.staff import Absence

MAX_TRIES = 8
"""Candidate times checked per person (quietest first) before they are listed as due: bounds the checks."""
TALK_REASON = "季度谈话"


@dataclass(frozen=True)
class Talk:
    """A suggested 季度谈话: the employee with the 支行长 on ``date`` from ``start`` to ``end`` (minutes)."""

    staff_id: str
    date: dt.date
    start: int
    end: int

    def when(self) -> str:
        """``12-02 15:00–16:00``."""
        return f"{self.date:%m-%d} {fmt_hhmm(self.start)}–{fmt_hhmm(self.end)}"


@dataclass(frozen=True)
class DutyPlan:
    """The week's duties, the talks suggested, and who is still due without a safe time this week."""

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
                        "  建议时间 (两人此时都不在柜台和大堂, 客流低谷, 一次一人, 不违反任何硬性规则; 排班表未改动):",
                        "  suggested (both off the floor, a quiet time, one at a time, no hard rule broken; the "
                        "roster is unchanged):",
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
        return {
            "meeting_due_by": d.meeting_window.last.isoformat() if d.meeting_window else None,
            "meeting_recorded": [x.isoformat() for x in d.meeting_done],
            "talks_due_by": d.talk_window.last.isoformat() if d.talk_window else None,
            "talks_recorded": [{"staff_id": s, "date": x.isoformat()} for s, x in d.talks_done],
            "talks_suggested": [
                {
                    "staff_id": t.staff_id,
                    "date": t.date.isoformat(),
                    "start": fmt_hhmm(t.start),
                    "end": fmt_hhmm(t.end),
                }
                for t in self.talks
            ],
            "talks_still_due": list(self.unplaced),
        }

    def notes(self, date: dt.date, lang: str) -> dict[str, str]:
        """The day's talk notes by staff id (``季度谈话 15:00–16:00 (建议)``) for the day sheet."""
        out: dict[str, str] = {}
        for t in self.talks:
            if t.date != date:
                continue
            text = tr(
                f"季度谈话 {fmt_hhmm(t.start)}–{fmt_hhmm(t.end)} (建议)",
                f"talk {fmt_hhmm(t.start)}–{fmt_hhmm(t.end)} (suggested)",
                lang,
            )
            for sid in (t.staff_id, self.duties.convenor):
                if sid is not None:
                    out[sid] = f"{out[sid]}; {text}" if sid in out else text
        return out


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


def plan_duties(problem: Problem, roster: Roster | None, absences: Iterable[Absence] = ()) -> DutyPlan:
    """The week's duties (``absences``: every recorded event and leave, earlier weeks' too) and safe, quiet
    times for the talks still due (see the module docstring); nothing suggested without a roster."""
    duties = periodic_duties(problem.config, problem.staff, problem.days, [*absences, *problem.absences])
    boss = duties.convenor
    if duties.talk_window is None or boss is None or roster is None or not roster.blocks:
        return DutyPlan(duties, (), duties.talks_due)
    ids = problem.staff.ids()
    base = {_key(v) for v in check_roster(problem, roster) if v.hard}
    added: list[Absence] = []
    talks: list[Talk] = []
    unplaced: list[str] = []
    for sid in duties.talks_due:
        candidates: list[tuple[float, dt.date, int, int]] = []
        for day in problem.days:
            if day.date not in duties.talk_days:
                continue
            n = math.ceil(problem.config.periodic.talk_minutes / day.slot_minutes)
            grid = roster.grid(day, ids)
            both = [ids.index(boss), ids.index(sid)]
            busy = np.array([any(a.date == day.date and a.covers(s) for a in added) for s in day.slot_starts])
            off_floor = np.isin(grid[both], OFF_FLOOR).all(axis=0) & ~busy  # one talk at a time
            arrivals = np.zeros(len(day.slot_starts))
            for (date, _), cd in problem.demand.items():
                if date == day.date:
                    arrivals += cd.arrivals
            open_slots = list(day.open_slots)
            for k in range(len(open_slots) - n + 1):
                span = open_slots[k : k + n]
                if span[-1] - span[0] == n - 1 and off_floor[span].all():
                    start = day.slot_starts[span[0]]
                    candidates.append(
                        (float(arrivals[span].sum()), day.date, start, start + n * day.slot_minutes)
                    )
        for _, date, start, end in sorted(candidates)[:MAX_TRIES]:
            hours = TimeRange(start=start, end=end)
            new = [
                Absence(staff_id=x, date=date, hours=hours, reason=TALK_REASON, kind="event")
                for x in (boss, sid)
            ]
            check = problem.replace(absences=(*problem.absences, *added, *new))
            found = check_roster(check, roster)
            if {_key(v) for v in found if v.hard and not _at_the_talk(v, [*added, *new])} <= base:
                talks.append(Talk(sid, date, start, end))
                added += new
                break
        else:
            unplaced.append(sid)
    return DutyPlan(duties, tuple(sorted(talks, key=lambda t: (t.date, t.start))), tuple(unplaced))


__all__ = ["DutyPlan", "Talk", "plan_duties"]
