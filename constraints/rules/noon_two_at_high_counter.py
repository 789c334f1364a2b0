"""noon_two_at_high_counter — 中午时段和节假日高柜内两人同时在岗.

Hard: at least ``count`` people at the high counter (高柜, cash) in every open slot of the noon window, every
open day, and in every open slot on the listed day types (weekend, holiday). Staggered lunch is what makes it
bite: the people at the counter at noon cannot all be at lunch.
"""

from __future__ import annotations

from constraints.calendar import Day
from constraints.config import fmt_hhmm
from constraints.i18n import DAY_TYPE_LABELS
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import (
    ModelVars,
    PenaltyTerm,
    Rule,
    away_reason,
    grid_of,
    names,
    runs,
    slots_in,
    span,
    when,
)


class NoonTwoAtHighCounter(Rule):
    """≥ count people at the high counter through the noon window (all day on listed day types)."""

    name = "noon_two_at_high_counter"
    label_zh = "午间高柜两人在岗"
    label_en = "Two at the high counter at noon"
    kind = "hard"

    def slots(self, problem: Problem, day: Day) -> list[int]:
        """Open slots of the day the rule covers."""
        prm = self.params(problem.config)
        if not day.is_open:
            return []
        if day.day_type in prm.all_day_on:
            return list(day.open_slots)
        return slots_in(day, prm.window.start, prm.window.end, day.open_slots)

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """on_counter(high) ≥ count in every covered slot."""
        count = self.params(problem.config).count
        for day in vars.days():
            for s in self.slots(problem, day):
                vars.add(vars.on_counter("high_counter", day.date, s) >= count, self.name, day.date)
        return []

    def least_on_counter(self, problem: Problem, day: Day) -> dict[tuple[str, int], int]:
        """``count`` at the high counter in every covered slot."""
        count = self.params(problem.config).count
        return {("high_counter", s): count for s in self.slots(problem, day)}

    def headcount(self, problem: Problem, day: Day) -> dict[str, int]:
        """count + 2: with staggered hour-long lunches, count + 1 cannot cover a two-hour noon."""
        if not self.slots(problem, day):
            return {}
        extra = 2 if problem.config.lunch.minutes > 0 else 0
        return {"high_counter": self.params(problem.config).count + extra}

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Covered slots with fewer than ``count`` people at the high counter."""
        count = self.params(problem.config).count
        ids = problem.staff.ids()
        out = []
        for day in problem.days:
            covered = self.slots(problem, day)
            if not covered:
                continue
            g = grid_of(problem, roster, day)
            n = (g == "high_counter").sum(axis=0)
            for r in runs(n < count, covered):
                a, b = span(day, r)
                there = sorted({ids[p] for s in r for p in range(len(ids)) if g[p, s] == "high_counter"})
                out.append(
                    self.violation(
                        day.date,
                        a,
                        b,
                        f"{when(day, a, b)}: 高柜只有 {int(n[r].min())} 人在岗 (需要 {count} 人): {names(problem, there)}",
                        f"{when(day, a, b, lang='en')}: only {int(n[r].min())} at the high counter "
                        f"(need {count}): {names(problem, there)}",
                        there,
                    )
                )
        return out

    def precheck(self, problem: Problem) -> list[Violation]:
        """Covered slots with fewer high-counter people free (or windows) than ``count``."""
        count = self.params(problem.config).count
        windows = problem.windows("high_counter")
        skilled = [p.staff_id for p in problem.staff.with_skill("high_counter")]
        out = []
        for day in problem.days:
            covered = self.slots(problem, day)
            if not covered:
                continue
            free = {s: [sid for sid in skilled if away_reason(problem, sid, day, s) is None] for s in covered}
            bad = {s: len(free[s]) < count or windows < count for s in covered}
            mask = [bad.get(s, False) for s in range(len(day.slot_starts))]
            for r in runs(mask, covered):
                a, b = span(day, r)
                avail = sorted(set.intersection(*(set(free[s]) for s in r)))
                away = sorted({sid for s in r for sid in skilled if sid not in free[s]})
                why_zh = "; ".join(
                    f"{names(problem, [sid])} {away_reason(problem, sid, day, r[0]) or '不在'}"
                    for sid in away
                )
                why_en = "; ".join(
                    f"{names(problem, [sid])} away ({away_reason(problem, sid, day, r[0]) or 'away'})"
                    for sid in away
                )
                if windows < count:
                    zh = f"{when(day, a, b)}: 午间高柜两人规则需要 {count} 个高柜窗口, 只有 {windows} 个"
                    en = f"{when(day, a, b, lang='en')}: the noon rule needs {count} high-counter windows, only {windows}"
                else:
                    zh = (
                        f"{when(day, a, b)}: 午间高柜两人规则需要 {count} 名高柜人员, 只有 {len(avail)} 名可用: "
                        f"{names(problem, avail)}" + (f"; {why_zh}" if why_zh else "")
                    )
                    en = (
                        f"{when(day, a, b, lang='en')}: the noon rule needs {count} high-counter staff, "
                        f"{len(avail)} available: {names(problem, avail)}" + (f"; {why_en}" if why_en else "")
                    )
                out.append(self.violation(day.date, a, b, zh, en, avail + away))
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """What the rule asks that day and who could do it."""
        prm = self.params(problem.config)
        skilled = problem.staff.with_skill("high_counter")
        who = names(problem, [p.staff_id for p in skilled])
        if day is not None and day.day_type in prm.all_day_on:
            zh_t, en_t = DAY_TYPE_LABELS.get(day.day_type, (day.day_type, day.day_type))
            return (
                f"{zh_t}全天高柜至少 {prm.count} 人在岗 (高柜人员: {who})",
                f"{en_t.lower()}: at least {prm.count} at the high counter all day (high-counter staff: {who})",
            )
        w = f"{fmt_hhmm(prm.window.start)}–{fmt_hhmm(prm.window.end)}"
        return (
            f"{w} 高柜至少 {prm.count} 人同时在岗, 午餐需错开 (高柜人员: {who})",
            f"at least {prm.count} at the high counter {w}, lunches staggered (high-counter staff: {who})",
        )
