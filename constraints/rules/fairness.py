"""fairness — 公平与偏好 (soft).

Among people of the same post, weekend days, holiday days and late days (at work in the last slot, for the
closing) are spread evenly: each spread (most − least, over people not away on all those days) costs
``weight_cny`` per day. A day worked on a weekday the person prefers off (``Person.prefer_off``) and a late day
of someone who asked to avoid them (``Person.avoid_late``) cost ``weight_cny`` each — honoured where cheap.
``check`` reports the same things as soft notes, never as broken rules.

The counts include what the weeks before carry in (``Person.prev_weekend_days`` and the like, from last
week's roster: :mod:`constraints.carry`), so the duties are shared over more than one week.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from constraints.calendar import Day
from constraints.carry import late_at
from constraints.i18n import weekday_label
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import ModelVars, PenaltyTerm, Rule, day_label, names

KINDS: dict[str, tuple[str, str]] = {
    "weekend": ("周末班", "weekend days"),
    "holiday": ("节假日班", "holiday days"),
    "late": ("晚班(收尾)", "late days (closing)"),
}


def _days_of(problem: Problem, kind: str) -> list[Day]:
    if kind == "late":
        return [d for d in problem.days if d.slot_starts]
    return [d for d in problem.days if d.slot_starts and d.day_type == kind]


def peer_groups(problem: Problem) -> list[list[str]]:
    """Staff ids grouped by post, groups of two or more, in staff order."""
    by_post: dict[str, list[str]] = defaultdict(list)
    for p in problem.staff:
        by_post[p.post].append(p.staff_id)
    return [g for g in by_post.values() if len(g) >= 2]


def _eligible(problem: Problem, group: list[str], days: list[Day]) -> list[str]:
    return [p for p in group if any(not problem.away_all_day(p, d.date) for d in days)]


def carried(problem: Problem, staff_id: str, kind: str) -> int:
    """Days of a kind the weeks before carry in for the person."""
    person = problem.staff.by_id(staff_id)
    return {
        "weekend": person.prev_weekend_days,
        "holiday": person.prev_holiday_days,
        "late": person.prev_late_days,
    }[kind]


class Fairness(Rule):
    """Even weekend/holiday/late work among peers; preferences where cheap."""

    name = "fairness"
    label_zh = "公平与偏好"
    label_en = "Fairness and preferences"
    kind = "soft"

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Spread variables per post and kind; preference terms."""
        w = self.params(problem.config).weight_cny
        spread_terms: list[tuple[float, object]] = []
        pref_terms: list[tuple[float, object]] = []
        days = list(vars.days())

        def late(p: str, day: Day) -> Any:
            return vars.present(p, day.date, len(day.slot_starts) - 1)

        for kind in KINDS:
            kdays = [d for d in _days_of(problem, kind) if d in days]
            if not kdays:
                continue
            for group in peer_groups(problem):
                members = _eligible(problem, group, kdays)
                if len(members) < 2:
                    continue
                counts = {
                    p: carried(problem, p, kind)
                    + sum(late(p, d) if kind == "late" else vars.works(p, d.date) for d in kdays)
                    for p in members
                }
                top = len(kdays) + max(carried(problem, p, kind) for p in members)
                hi = vars.new_int(0, top, f"spread_hi_{kind}_{group[0]}")
                lo = vars.new_int(0, top, f"spread_lo_{kind}_{group[0]}")
                for c in counts.values():
                    vars.add(hi >= c)
                    vars.add(lo <= c)
                spread_terms.append((w, hi - lo))
        for person in problem.staff:
            for day in days:
                if day.date.weekday() in person.prefer_off:
                    pref_terms.append((w, vars.works(person.staff_id, day.date)))
                if person.avoid_late:
                    pref_terms.append((w, late(person.staff_id, day)))
        return [
            vars.cost("fairness.spread", self.name, spread_terms, 0.0, ("排班不均", "Uneven duties")),
            vars.cost(
                "fairness.preferences", self.name, pref_terms, 0.0, ("未满足偏好", "Preferences unmet")
            ),
        ]

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Spreads above one day among peers and unmet preferences, as soft notes."""
        out = []
        for kind, (zh, en) in KINDS.items():
            kdays = _days_of(problem, kind)
            if not kdays:
                continue
            for group in peer_groups(problem):
                members = _eligible(problem, group, kdays)
                if len(members) < 2:
                    continue
                counts = {
                    p: carried(problem, p, kind)
                    + sum(
                        (late_at(roster, d, p) if kind == "late" else roster.works(d.date, p)) for d in kdays
                    )
                    for p in members
                }
                if max(counts.values()) - min(counts.values()) > 1:
                    detail = ", ".join(f"{names(problem, [p])} {c}" for p, c in counts.items())
                    before = any(carried(problem, p, kind) for p in members)
                    out.append(
                        self.violation(
                            None,
                            None,
                            None,
                            f"{zh}分布不均{' (含此前各周)' if before else ''}: {detail}",
                            f"uneven {en}{' (with the weeks before)' if before else ''}: {detail}",
                            members,
                            hard=False,
                        )
                    )
        for person in problem.staff:
            who = names(problem, [person.staff_id])
            for day in problem.days:
                if not roster.works(day.date, person.staff_id):
                    continue
                if day.date.weekday() in person.prefer_off:
                    out.append(
                        self.violation(
                            day.date,
                            None,
                            None,
                            f"{day_label(day)}: {who} 希望{weekday_label(day.date.weekday(), 'zh')}休息",
                            f"{day_label(day, 'en')}: {who} prefers {weekday_label(day.date.weekday(), 'en')} off",
                            [person.staff_id],
                            hard=False,
                        )
                    )
                if (
                    person.avoid_late
                    and day.staff_hours is not None
                    and late_at(roster, day, person.staff_id)
                ):
                    out.append(
                        self.violation(
                            day.date,
                            None,
                            None,
                            f"{day_label(day)}: {who} 希望不排晚班",
                            f"{day_label(day, 'en')}: {who} asked to avoid late shifts",
                            [person.staff_id],
                            hard=False,
                        )
                    )
        return out
