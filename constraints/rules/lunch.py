"""lunch — 错峰就餐 (staggered lunch).

Hard: everyone whose shift spans more than ``lunch.min_shift_hours`` takes ``lunch.minutes`` in one piece inside
``lunch.window``, not at the very start or end of the shift. The stagger is not a rule of its own: it is what
the other rules (two at the high counter, the lobby floor, an authority holder) force on the lunch times.
"""

from __future__ import annotations

import math

from constraints.calendar import Day
from constraints.config import fmt_hhmm
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import ModelVars, PenaltyTerm, Rule, names, when


def lunch_slots(problem: Problem, day: Day) -> int:
    """Slots one lunch lasts on the day's grid (0: no lunch)."""
    return max(0, problem.config.lunch.minutes // day.slot_minutes)


def lunch_starts(problem: Problem, day: Day) -> list[int]:
    """Slots a lunch may start at: all of it inside ``lunch.window``, and not at the edge of the staff day."""
    cfg = problem.config.lunch
    n, length = len(day.slot_starts), lunch_slots(problem, day)
    if length <= 0:
        return []
    return [
        k
        for k in range(1, n - length)
        if day.slot_starts[k] >= cfg.window.start and day.slot_starts[k] + cfg.minutes <= cfg.window.end
    ]


def slots_without_lunch(problem: Problem, day: Day) -> int:
    """The most slots a person may be present without a lunch (``lunch.min_shift_hours``)."""
    return math.floor(problem.config.lunch.min_shift_hours * 60 / day.slot_minutes + 1e-9)


class Lunch(Rule):
    """One lunch of ``lunch.minutes`` inside the window for every long shift."""

    name = "lunch"
    label_zh = "错峰午餐"
    label_en = "Staggered lunch"
    kind = "hard"

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Σ lunch starts = long shift, per person and day (the container keeps lunch inside the shift)."""
        for day in vars.days():
            for p in problem.staff.ids():
                starts = vars.lunch_starts(p, day.date)
                vars.add(sum(starts.values()) == vars.long_shift(p, day.date), self.name, day.date)
        return []

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Long shifts without one whole lunch in the window; lunches outside it, in pieces or at an edge."""
        cfg = problem.config.lunch
        limit = cfg.min_shift_hours * 60
        win = cfg.window
        out = []
        for day in problem.days:
            for p in problem.staff.ids():
                blocks = roster.blocks_of(day.date, p)
                if not blocks:
                    continue
                start, end = blocks[0].start, max(b.end for b in blocks)
                breaks: list[list[int]] = []
                for blk in blocks:
                    if blk.activity != "break":
                        continue
                    if breaks and breaks[-1][1] == blk.start:
                        breaks[-1][1] = blk.end
                    else:
                        breaks.append([blk.start, blk.end])
                who = names(problem, [p])
                for a, b in breaks:
                    if a < win.start or b > win.end:
                        out.append(
                            self.violation(
                                day.date,
                                a,
                                b,
                                f"{when(day, a, b)}: {who} 午餐不在 {win} 内",
                                f"{when(day, a, b, lang='en')}: {who} has lunch outside {win}",
                                [p],
                            )
                        )
                    if a <= start or b >= end:
                        out.append(
                            self.violation(
                                day.date,
                                a,
                                b,
                                f"{when(day, a, b)}: {who} 午餐在班次的开头或结尾",
                                f"{when(day, a, b, lang='en')}: {who} has lunch at the start or end of the shift",
                                [p],
                            )
                        )
                if end - start <= limit or cfg.minutes == 0:
                    continue
                if len(breaks) != 1 or breaks[0][1] - breaks[0][0] != cfg.minutes:
                    got = ", ".join(f"{fmt_hhmm(a)}–{fmt_hhmm(b)}" for a, b in breaks) or "无"
                    got_en = got if breaks else "none"
                    out.append(
                        self.violation(
                            day.date,
                            start,
                            end,
                            f"{when(day, start, end)}: {who} 在岗超过 {cfg.min_shift_hours:g} 小时, "
                            f"应有一次连续 {cfg.minutes} 分钟午餐 (实际: {got})",
                            f"{when(day, start, end, lang='en')}: {who} is at work over "
                            f"{cfg.min_shift_hours:g} h and needs one {cfg.minutes}-min lunch (has: {got_en})",
                            [p],
                        )
                    )
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """The lunch rule in words."""
        cfg = problem.config.lunch
        return (
            f"在岗超过 {cfg.min_shift_hours:g} 小时者在 {cfg.window} 内连续午餐 {cfg.minutes} 分钟",
            f"anyone at work over {cfg.min_shift_hours:g} h takes {cfg.minutes} min of lunch within {cfg.window}",
        )
