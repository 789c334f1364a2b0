"""shifts — 班次规范 (a few posted shifts and two lunch waves).

Hard: on each day at most ``max_starts`` different shift start times and at most ``max_ends`` different end
times (so at most ``max_starts × max_ends`` distinct shifts — four by default: 正常班, 早班, 晚班, 半天班), and
lunches start in at most ``lunch_waves`` waves. A branch posts these few shifts instead of a dozen start times.
``shifts = "free"`` in branch.toml (or ``[rules.shifts] enabled = false``) keeps every start and end open.
"""

from __future__ import annotations

from constraints.calendar import Day
from constraints.config import fmt_hhmm
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import Lit, ModelVars, PenaltyTerm, Rule, when


def day_shapes(roster: Roster, day: Day, ids: list[str]) -> tuple[set[int], set[int], set[int]]:
    """Start minutes, end minutes and lunch start minutes of the day's shifts."""
    starts: set[int] = set()
    ends: set[int] = set()
    lunches: set[int] = set()
    for sid in ids:
        blocks = roster.blocks_of(day.date, sid)
        if not blocks:
            continue
        starts.add(min(b.start for b in blocks))
        ends.add(max(b.end for b in blocks))
        lunches.update(b.start for b in blocks if b.activity == "break")
    return starts, ends, lunches


class Shifts(Rule):
    """Few shift start and end times a day, lunch in waves."""

    name = "shifts"
    label_zh = "班次规范"
    label_en = "Posted shifts"
    kind = "hard"

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """used[s] ≥ a shift starts (ends, a lunch starts) at s, for anyone; Σ used ≤ the limit, per day."""
        prm = self.params(problem.config)
        ids = problem.staff.ids()
        for day in vars.days():
            d, n = day.date, len(day.slot_starts)
            starts = [vars.new_bool(f"shift_start_{d}_{s}") for s in range(n)]
            ends = [vars.new_bool(f"shift_end_{d}_{s}") for s in range(n)]
            waves: dict[int, Lit] = {}
            for p in ids:
                for s in range(n):
                    before = vars.present(p, d, s - 1) if s > 0 else 0
                    after = vars.present(p, d, s + 1) if s + 1 < n else 0
                    vars.add(starts[s] >= vars.present(p, d, s) - before)
                    vars.add(ends[s] >= vars.present(p, d, s) - after)
                for s, lit in vars.lunch_starts(p, d).items():
                    wave = waves.setdefault(s, vars.new_bool(f"lunch_wave_{d}_{s}"))
                    vars.add(wave >= lit)
            vars.add(sum(starts) <= prm.max_starts, self.name, d)
            vars.add(sum(ends) <= prm.max_ends, self.name, d)
            if waves:
                vars.add(sum(waves.values()) <= prm.lunch_waves, self.name, d)
        return []

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Days with more start times, end times or lunch waves than allowed."""
        prm = self.params(problem.config)
        out = []
        for day in problem.days:
            got = day_shapes(roster, day, problem.staff.ids())
            for found, most, zh, en in zip(
                got,
                (prm.max_starts, prm.max_ends, prm.lunch_waves),
                ("上班时间", "下班时间", "午餐批次"),
                ("start times", "end times", "lunch waves"),
                strict=True,
            ):
                if len(found) > most:
                    times = ", ".join(fmt_hhmm(t) for t in sorted(found))
                    out.append(
                        self.violation(
                            day.date,
                            None,
                            None,
                            f"{when(day)}: {len(found)} 种{zh} ({times}), 最多 {most} 种",
                            f"{when(day, lang='en')}: {len(found)} {en} ({times}), at most {most}",
                        )
                    )
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """The limits in words."""
        prm = self.params(problem.config)
        return (
            f"每天最多 {prm.max_starts} 种上班时间、{prm.max_ends} 种下班时间、{prm.lunch_waves} 批午餐",
            f"each day at most {prm.max_starts} start times, {prm.max_ends} end times and "
            f"{prm.lunch_waves} lunch waves",
        )
