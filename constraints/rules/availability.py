"""availability — 请假与活动 (leave and events make people unavailable).

Hard: nobody is at work in a slot that overlaps their leave or an event (季度谈话, 经营分析会, …) — a whole-day
absence keeps them off that day.
"""

from __future__ import annotations

from constraints.calendar import Day
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import ModelVars, PenaltyTerm, Rule, names, slot_overlaps, when


class Availability(Rule):
    """No work during leave or events."""

    name = "availability"
    label_zh = "请假与活动"
    label_en = "Leave and events"
    kind = "hard"

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """works = 0 on whole-day absences; present = 0 in every slot an absence overlaps."""
        for day in vars.days():
            for p in problem.staff.ids():
                away = problem.absences_of(p, day.date)
                if not away:
                    continue
                if any(a.hours is None for a in away):
                    vars.add(vars.works(p, day.date) == 0, self.name, day.date)
                    continue
                for s in range(len(day.slot_starts)):
                    if any(slot_overlaps(day, s, a) for a in away):
                        vars.add(vars.present(p, day.date, s) == 0, self.name, day.date)
        return []

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Blocks that overlap the person's leave or events."""
        out = []
        for a in problem.absences:
            for b in roster.blocks_of(a.date, a.staff_id):
                lo, hi = (
                    (b.start, b.end)
                    if a.hours is None
                    else (max(b.start, a.hours.start), min(b.end, a.hours.end))
                )
                if hi <= lo:
                    continue
                who = names(problem, [a.staff_id])
                reason = a.reason or ("请假" if a.kind == "leave" else "活动")
                reason_en = a.reason or a.kind
                out.append(
                    self.violation(
                        a.date,
                        lo,
                        hi,
                        f"{when(a.date, lo, hi)}: {who} {reason}期间被排班",
                        f"{when(a.date, lo, hi, lang='en')}: {who} is rostered while away ({reason_en})",
                        [a.staff_id],
                    )
                )
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """Who is away that day."""
        if day is None:
            return ("请假和活动期间不排班", "nobody works while on leave or at an event")
        away = sorted({a.staff_id for a in problem.absences if a.date == day.date})
        return (
            f"请假和活动期间不排班 (当天不在: {names(problem, away)})",
            f"nobody works while on leave or at an event (away that day: {names(problem, away)})",
        )
