"""skills — 岗位技能 (who may do what), calm days.

Hard: counters and the lobby floor only by people with the skill (the model has no variable for anything
else); high-counter (cash) work in blocks of at least ``min_high_counter_block_minutes`` (or to closing: a
teller does not open the cash box for a quarter of an hour); at most ``max_switches_per_day`` switches between
work activities a day. A *switch* is a slot whose work activity differs from the previous slot's (lunch and the
meeting in between do not count, nor arriving or leaving). Soft: ``switch_cny`` per switch, so days stay calm
where it costs nothing.
"""

from __future__ import annotations

import itertools
import math

from constraints.calendar import Day
from constraints.i18n import ACTIVITY_LABELS
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import (
    WORK_ACTIVITIES,
    ModelVars,
    PenaltyTerm,
    Rule,
    encode_min_run,
    grid_of,
    names,
    runs,
    short_runs,
    span,
    when,
)

SKILLED: tuple[str, ...] = ("high_counter", "low_counter", "corporate_counter", "lobby")


def count_switches(row: list[str] | tuple[str, ...]) -> int:
    """Switches in one person's day of activities (see the module docstring)."""
    n = 0
    same = {"outreach": "back_office"}  # 营销外拓 is the sales posts' back office: the rules treat them alike
    for a, b in itertools.pairwise(row):
        if a in WORK_ACTIVITIES and b in WORK_ACTIVITIES and same.get(a, a) != same.get(b, b):
            n += 1
    return n


class Skills(Rule):
    """Skills, cash blocks of at least an hour, few switches."""

    name = "skills"
    label_zh = "技能与轮换"
    label_en = "Skills and switches"
    kind = "hard"

    def block_slots(self, problem: Problem) -> int:
        """Slots a high-counter block lasts at least."""
        prm = self.params(problem.config)
        return max(1, math.ceil(prm.min_high_counter_block_minutes / problem.config.grid.slot_minutes))

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Run length on each person's high-counter slots; switch indicators, capped and priced."""
        prm = self.params(problem.config)
        run = self.block_slots(problem)
        switch_terms: list[tuple[float, object]] = []
        for day in vars.days():
            d = day.date
            n = len(day.slot_starts)
            for p in problem.staff.ids():
                encode_min_run(vars, p, day, "high_counter", run, self.name)
                switches = []
                for s in range(1, n):
                    acts_prev = [a for a in WORK_ACTIVITIES if vars.can(p, d, s - 1, a)]
                    acts_now = [a for a in WORK_ACTIVITIES if vars.can(p, d, s, a)]
                    if len(set(acts_prev) | set(acts_now)) < 2:
                        continue
                    sw = vars.new_bool(f"switch_{p}_{d}_{s}")
                    work_now = sum(vars.doing(p, d, s, a) for a in acts_now)
                    for a in acts_prev:
                        vars.add(sw >= vars.doing(p, d, s - 1, a) + work_now - vars.doing(p, d, s, a) - 1)
                    switches.append(sw)
                if switches:
                    vars.add(sum(switches) <= prm.max_switches_per_day, self.name, d)
                    switch_terms.extend((prm.switch_cny, sw) for sw in switches)
        return [vars.cost("skills.switches", self.name, switch_terms, 0.0, ("岗位切换", "Activity switches"))]

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Unskilled counter or lobby work, short cash blocks, too many switches."""
        prm = self.params(problem.config)
        run = self.block_slots(problem)
        problem.staff.ids()
        out = []
        for day in problem.days:
            if not day.slot_starts:
                continue
            g = grid_of(problem, roster, day)
            for p, person in enumerate(problem.staff):
                who = names(problem, [person.staff_id])
                for act in SKILLED:
                    if person.can(act):
                        continue
                    for r in runs(g[p] == act, range(len(day.slot_starts))):
                        a, b = span(day, r)
                        zh, en = ACTIVITY_LABELS[act]
                        out.append(
                            self.violation(
                                day.date,
                                a,
                                b,
                                f"{when(day, a, b)}: {who} 没有{zh}技能",
                                f"{when(day, a, b, lang='en')}: {who} lacks the {en.lower()} skill",
                                [person.staff_id],
                            )
                        )
                if person.can("high_counter"):
                    for r in short_runs(g[p], "high_counter", run, day):
                        a, b = span(day, r)
                        out.append(
                            self.violation(
                                day.date,
                                a,
                                b,
                                f"{when(day, a, b)}: {who} 高柜只做了 {b - a} 分钟 "
                                f"(至少 {prm.min_high_counter_block_minutes} 分钟)",
                                f"{when(day, a, b, lang='en')}: {who} at the high counter only {b - a} min "
                                f"(at least {prm.min_high_counter_block_minutes})",
                                [person.staff_id],
                            )
                        )
                k = count_switches(list(g[p]))
                if k > prm.max_switches_per_day:
                    out.append(
                        self.violation(
                            day.date,
                            None,
                            None,
                            f"{when(day)}: {who} 一天换岗 {k} 次 (最多 {prm.max_switches_per_day} 次)",
                            f"{when(day, lang='en')}: {who} switches activity {k} times "
                            f"(at most {prm.max_switches_per_day})",
                            [person.staff_id],
                        )
                    )
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """The skill limits in words."""
        prm = self.params(problem.config)
        return (
            f"柜台和大堂只由有技能者担任; 高柜每次至少 {prm.min_high_counter_block_minutes} 分钟; "
            f"每天换岗不超过 {prm.max_switches_per_day} 次",
            f"counters and lobby only by skilled staff; high-counter blocks of at least "
            f"{prm.min_high_counter_block_minutes} min; at most {prm.max_switches_per_day} switches a day",
        )
