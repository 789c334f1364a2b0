"""daily_routine — 晨会, 轧账与双人开关门 (the morning meeting, reconciliation, dual control).

Hard, every open day:

* 晨会: the first ``meeting_minutes`` of the before-open period are the morning meeting; everyone on duty that
  day attends it (``meeting_for = "everyone"``, the seed: every post attends, the 支行长 convenes it), so every
  shift starts at the start of staff time — or, when the branch configures a 班前会 (``late_meeting``), a later
  shift (one not at work during the 晨会; it may start when the doors open) is at work all through the 班前会
  instead, and whoever is at work during the 晨会 attends it; leave or an event that morning excuses a person.
  With ``meeting_for = "opening_shift"`` only those present when the doors open attend. When a branch-authority holder works that day, one of them is at the meeting (hosts it).
* 轧账: anyone who worked a counter that day stays to the end of staff time (``after_close_minutes``), and an
  operations-authority holder stays to the end.
* 领尾箱/交尾箱 (``cash_box_minutes``, :mod:`constraints.rules.cash_box`): back-office time right before a person's
  first counter slot of the day and right after their last.
* 双人: at least ``min_at_open_close`` people at the first and at the last slot of staff time, and (with
  ``branch_at_open_close``, the default) a branch-authority holder among them: 开门/关门三件事 (安防, 审轧账单).
"""

from __future__ import annotations

import numpy as np

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES
from constraints.problem import Problem
from constraints.roster import OFF, TALK_KIND, Roster, Violation
from constraints.rules.base import (
    ModelVars,
    PenaltyTerm,
    Rule,
    grid_of,
    is_free,
    names,
    slot_overlaps,
    span,
    when,
)
from constraints.rules.cash_box import cash_box_violations, encode_cash_box


def meeting_slots(problem: Problem, day: Day) -> list[int]:
    """Slots of the morning meeting (before opening), empty when there is none."""
    if not day.is_open or day.open_hours is None or day.staff_hours is None:
        return []
    m = problem.config.rules.daily_routine.meeting_minutes
    start = day.staff_hours.start
    return [s for s, t in enumerate(day.slot_starts) if start <= t < min(start + m, day.open_hours.start)]


def late_meeting_slots(problem: Problem, day: Day) -> list[int]:
    """Slots of the 班前会 for a late shift (``late_meeting``), empty when the branch has none."""
    late = problem.config.rules.daily_routine.late_meeting
    if late is None or not day.is_open:
        return []
    return [s for s, t in enumerate(day.slot_starts) if late.start <= t < late.end]


def excused(problem: Problem, day: Day, staff_id: str) -> bool:
    """True when leave or an event of the person that morning (staff start to the lunch window) keeps them from
    the 晨会: they come in afterwards (S01 back from the 经营分析会 at 12:00) and need not attend."""
    assert day.staff_hours is not None
    if not problem.config.rules.availability.enabled:  # leave does not bind then
        return False
    morning = [s for s, t in enumerate(day.slot_starts) if t < problem.config.lunch.window.start]
    # a talk scheduled into the roster (kind TALK_KIND) is work in the branch: it excuses nobody from the 晨会
    return any(
        a.kind != TALK_KIND and slot_overlaps(day, s, a)
        for a in problem.absences_of(staff_id, day.date)
        for s in morning
    )


def _at(roster: Roster, day: Day, sid: str, minute: int) -> bool:
    return any(b.start <= minute < b.end for b in roster.blocks_of(day.date, sid))


class DailyRoutine(Rule):
    """Morning meeting, the cash box drawn and handed in, reconciliation after closing, dual control."""

    name = "daily_routine"
    label_zh = "晨会与轧账"
    label_en = "Morning meeting and closing"
    kind = "hard"

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Meeting attendance and host; counter staff and an operations holder to the end; two at open/close;
        the cash box."""
        prm = self.params(problem.config)
        ids = problem.staff.ids()
        branch = [p.staff_id for p in problem.staff if p.holds("branch")]
        ops = [p.staff_id for p in problem.staff if p.holds("operations")]
        for day in vars.days():
            if not day.is_open:
                continue
            d = day.date
            last = len(day.slot_starts) - 1
            first_open = day.open_slots[0]
            meet = meeting_slots(problem, day)
            late = late_meeting_slots(problem, day)
            for p in ids:
                everyone = prm.meeting_for == "everyone" and not excused(problem, day, p)
                for m in meet:
                    if everyone and late:  # at work during the 晨会: at the 晨会 (a later shift: the 班前会)
                        vars.add(vars.doing(p, d, m, "meeting") >= vars.present(p, d, m), self.name, d)
                    else:
                        vars.add(
                            vars.doing(p, d, m, "meeting") >= vars.present(p, d, first_open), self.name, d
                        )
                    if everyone and not late:
                        vars.add(vars.doing(p, d, m, "meeting") >= vars.works(p, d), self.name, d)
                if meet and everyone and late:
                    missed = vars.works(p, d) - vars.doing(p, d, meet[0], "meeting")
                    for s in late:
                        vars.add(vars.present(p, d, s) >= missed, self.name, d)
            if meet and branch:
                host = sum(vars.doing(b, d, meet[0], "meeting") for b in branch)
                for b in branch:
                    vars.add(host >= vars.works(b, d), self.name, d)
            for p in ids:
                counter_slots = [
                    (s, c) for s in day.open_slots for c in COUNTER_TYPES if vars.can(p, d, s, c)
                ]
                if not counter_slots:
                    continue
                worked = vars.new_bool(f"counter_{p}_{d}")
                for s, c in counter_slots:
                    vars.add(worked >= vars.doing(p, d, s, c))
                vars.add(vars.present(p, d, last) >= worked, self.name, d)
            vars.add(sum(vars.present(o, d, last) for o in ops) >= 1, self.name, d)
            if prm.branch_at_open_close and branch:
                for s in (0, last):
                    vars.add(sum(vars.present(b, d, s) for b in branch) >= 1, self.name, d)
            k = prm.min_at_open_close
            vars.add(sum(vars.present(p, d, 0) for p in ids) >= k, self.name, d)
            vars.add(sum(vars.present(p, d, last) for p in ids) >= k, self.name, d)
        encode_cash_box(
            vars, problem, self.name, {day.date: meeting_slots(problem, day) for day in vars.days()}
        )
        return []

    def headcount(self, problem: Problem, day: Day) -> dict[str, int]:
        """An operations holder to close, and dual control."""
        if not day.is_open:
            return {}
        return {"operations": 1, "*": self.params(problem.config).min_at_open_close}

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Missed meetings, no host, counter staff or operations leaving early, fewer than two at open/close, no
        time for the cash box."""
        out = []
        for day in problem.days:
            if not day.is_open or day.staff_hours is None:
                continue
            g = grid_of(problem, roster, day)
            out += self._meeting_violations(problem, roster, day, g)
            out += self._closing_violations(problem, roster, day, g)
            out += self._dual_control_violations(problem, roster, day)
            out += cash_box_violations(self, problem, day, g, meeting_slots(problem, day))
        return out

    def _meeting_violations(
        self, problem: Problem, roster: Roster, day: Day, g: np.ndarray
    ) -> list[Violation]:
        """The opening shift missing the meeting, no branch-authority host, a meeting after opening."""
        ids = problem.staff.ids()
        meet = meeting_slots(problem, day)
        d = day.date
        out = []
        if meet:
            a, b = span(day, meet)
            out += self._missed(problem, roster, day, g, meet)
            branch_working = [
                p.staff_id for p in problem.staff if p.holds("branch") and roster.works(d, p.staff_id)
            ]
            hosts = [sid for sid in branch_working if g[ids.index(sid), meet[0]] == "meeting"]
            if branch_working and not hosts:
                out.append(
                    self.violation(
                        d,
                        a,
                        b,
                        f"{when(day, a, b)}: 支行长权限人 {names(problem, branch_working)} 当天上班却未主持晨会",
                        f"{when(day, a, b, lang='en')}: branch-authority holder {names(problem, branch_working)} "
                        "works that day but does not host the meeting",
                        branch_working,
                    )
                )
        stray = sorted(
            {
                ids[p]
                for p in range(len(ids))
                for s in range(len(day.slot_starts))
                if g[p, s] == "meeting" and s not in meet
            }
        )
        if stray:
            out.append(
                self.violation(
                    d,
                    None,
                    None,
                    f"{when(day)}: 晨会只在开门前: {names(problem, stray)}",
                    f"{when(day, lang='en')}: the meeting is only before opening: {names(problem, stray)}",
                    stray,
                )
            )
        return out

    def _missed(
        self, problem: Problem, roster: Roster, day: Day, g: np.ndarray, meet: list[int]
    ) -> list[Violation]:
        """People on duty (or, for ``opening_shift``, at opening) not at the whole meeting nor the 班前会."""
        prm = self.params(problem.config)
        ids = problem.staff.ids()
        a, b = span(day, meet)
        late = late_meeting_slots(problem, day)
        everyone = prm.meeting_for == "everyone"
        missed = []
        for p, sid in enumerate(ids):
            if everyone:
                on_duty = roster.works(day.date, sid) and not excused(problem, day, sid)
            else:
                on_duty = g[p, day.open_slots[0]] != OFF
            if not on_duty or all(g[p, m] == "meeting" for m in meet):
                continue
            if (
                everyone
                and late
                and all(g[p, m] in (OFF, "meeting") for m in meet)
                and all(g[p, s] != OFF for s in late)
            ):
                continue  # a later shift (not at work during the 晨会) briefed at the 班前会
            missed.append(sid)
        if not missed:
            return []
        who_zh, who_en = (
            ("当天在岗者", "on duty that day") if everyone else ("开门在岗者", "on the opening shift")
        )
        return [
            self.violation(
                day.date,
                a,
                b,
                f"{when(day, a, b)}: {who_zh}未参加晨会: {names(problem, missed)}",
                f"{when(day, a, b, lang='en')}: {who_en} but not at the meeting: {names(problem, missed)}",
                missed,
            )
        ]

    def _closing_violations(
        self, problem: Problem, roster: Roster, day: Day, g: np.ndarray
    ) -> list[Violation]:
        """Counter staff leaving before the reconciliation ends; no operations holder to the end."""
        assert day.staff_hours is not None
        ids = problem.staff.ids()
        end = day.staff_hours.end
        out = []
        left = [
            sid
            for p, sid in enumerate(ids)
            if any(g[p, s] in COUNTER_TYPES for s in day.open_slots) and not _at(roster, day, sid, end - 1)
        ]
        if left:
            out.append(
                self.violation(
                    day.date,
                    day.open_hours.end if day.open_hours else None,
                    end,
                    f"{when(day)}: 做过柜台的人须留到 {end // 60:02d}:{end % 60:02d} 轧账: {names(problem, left)}",
                    f"{when(day, lang='en')}: counter staff must stay to reconcile until "
                    f"{end // 60:02d}:{end % 60:02d}: {names(problem, left)}",
                    left,
                )
            )
        ops = [p.staff_id for p in problem.staff if p.holds("operations")]
        if not any(_at(roster, day, o, end - 1) for o in ops):
            out.append(
                self.violation(
                    day.date,
                    end - day.slot_minutes,
                    end,
                    f"{when(day)}: 收尾时没有营业主管权限人在岗 (持有人: {names(problem, ops)})",
                    f"{when(day, lang='en')}: no operations-authority holder stays to the end "
                    f"(holders: {names(problem, ops)})",
                    ops,
                )
            )
        return out

    def _dual_control_violations(self, problem: Problem, roster: Roster, day: Day) -> list[Violation]:
        """Fewer than ``min_at_open_close`` people, or no branch-authority holder (``branch_at_open_close``), at
        the first or the last minute of staff time."""
        assert day.staff_hours is not None
        prm = self.params(problem.config)
        need = prm.min_at_open_close
        branch = [p.staff_id for p in problem.staff if p.holds("branch")]
        out = []
        for minute, zh, en in (
            (day.staff_hours.start, "开门", "opening"),
            (day.staff_hours.end - 1, "关门", "closing"),
        ):
            there = [sid for sid in problem.staff.ids() if _at(roster, day, sid, minute)]
            slot_start = minute - minute % day.slot_minutes
            if prm.branch_at_open_close and branch and not set(branch) & set(there):
                out.append(
                    self.violation(
                        day.date,
                        slot_start,
                        slot_start + day.slot_minutes,
                        f"{when(day)}: {zh}时没有支行长权限人在岗 (持有人: {names(problem, branch)})",
                        f"{when(day, lang='en')}: no branch-authority holder at {en} "
                        f"(holders: {names(problem, branch)})",
                        branch,
                    )
                )
            if len(there) < need:
                out.append(
                    self.violation(
                        day.date,
                        slot_start,
                        slot_start + day.slot_minutes,
                        f"{when(day)}: {zh}时只有 {len(there)} 人 (双人要求至少 {need} 人)",
                        f"{when(day, lang='en')}: only {len(there)} at {en} (dual control needs {need})",
                        there,
                    )
                )
        return out

    def precheck(self, problem: Problem) -> list[Violation]:
        """Days with every operations holder away at the end, or too few people free at opening/closing."""
        prm = self.params(problem.config)
        ids = problem.staff.ids()
        ops = [p.staff_id for p in problem.staff if p.holds("operations")]
        out = []
        for day in problem.days:
            if not day.is_open:
                continue
            last = len(day.slot_starts) - 1
            a, b = span(day, [last])
            if not any(is_free(problem, o, day, last) for o in ops):
                out.append(
                    self.violation(
                        day.date,
                        a,
                        b,
                        f"{when(day, a, b)}: 收尾需要营业主管权限人, 但无人可用 (持有人: {names(problem, ops)})",
                        f"{when(day, a, b, lang='en')}: closing needs an operations-authority holder, none "
                        f"available (holders: {names(problem, ops)})",
                        ops,
                    )
                )
            for s in (0, last):
                free = [p for p in ids if is_free(problem, p, day, s)]
                if len(free) < prm.min_at_open_close:
                    a, b = span(day, [s])
                    out.append(
                        self.violation(
                            day.date,
                            a,
                            b,
                            f"{when(day, a, b)}: 双人开关门需要 {prm.min_at_open_close} 人, 只有 {len(free)} 人可用",
                            f"{when(day, a, b, lang='en')}: dual control needs {prm.min_at_open_close} people, "
                            f"{len(free)} available",
                            free,
                        )
                    )
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """The routine in words."""
        prm = self.params(problem.config)
        ops = names(problem, [p.staff_id for p in problem.staff if p.holds("operations")])
        who_zh, who_en = (
            ("当天在岗者都", "everyone on duty")
            if prm.meeting_for == "everyone"
            else ("开门在岗者", "the opening shift")
        )
        box_zh = box_en = ""
        if prm.cash_box_minutes > 0:
            box_zh = f"; 首次上柜前和末次下柜后各有 {prm.cash_box_minutes} 分钟后台领交尾箱"
            box_en = f"; {prm.cash_box_minutes} back-office minutes before the first and after the last counter slot (cash box)"
        return (
            f"{who_zh}参加晨会; 做过柜台者和一名营业主管权限人 ({ops}) 留到轧账结束; 开关门至少 {prm.min_at_open_close} 人"
            + box_zh,
            f"{who_en} attends the meeting; counter staff and an operations holder ({ops}) stay to reconcile; "
            f"at least {prm.min_at_open_close} at opening and closing" + box_en,
        )
