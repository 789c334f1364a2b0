"""领尾箱 / 交尾箱 — the cash box drawn before a person's counter work and handed in after it (part of
:mod:`constraints.rules.daily_routine`).

Hard, with ``[rules.daily_routine] cash_box_minutes`` > 0 (0, off, by default for now): a person's first
slot of the day at a counter of ``cash_box_counters`` comes right after ``k = ⌈cash_box_minutes / slot⌉`` slots
of back-office work (领尾箱, 请领现金和重要空白凭证; 营销外拓 too when read back from a written roster), and their
last such slot right before ``k`` more (交尾箱) — no lunch, lobby or other counter in between, and not at the
day's first slot. A slot of the 晨会 counts as draw time when the meeting leaves at least
``cash_box_minutes`` of it free (a 15-minute 晨会 in an hour's slot; not a 15-minute slot it fills).

Encoded on the per-slot activities by clauses (:func:`encode_cash_box`): a mark that rises only on a counter
slot picks out the first counter slot, which asks back office of the ``k`` slots before; likewise from the end
for the hand-in — two Booleans per person and open slot a counter is possible in.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from constraints.calendar import Day
from constraints.config import fmt_hhmm
from constraints.problem import Problem
from constraints.roster import OFF_FLOOR, Violation
from constraints.rules.base import ModelVars, Rule, names, when


def box_slots(problem: Problem, day: Day) -> int:
    """Slots the draw (and the hand-in) take on ``day``: 0 when the rule is off."""
    minutes = problem.config.rules.daily_routine.cash_box_minutes
    if minutes <= 0 or not day.is_open or not day.slot_starts:
        return 0
    return math.ceil(minutes / day.slot_minutes)


def meeting_room(problem: Problem, day: Day, meet: list[int]) -> set[int]:
    """Slots of the 晨会 (``meet``) that leave ``cash_box_minutes`` free besides the meeting (the draw fits)."""
    prm = problem.config.rules.daily_routine
    if not meet or day.staff_hours is None or day.open_hours is None:
        return set()
    a, b = day.staff_hours.start, min(day.staff_hours.start + prm.meeting_minutes, day.open_hours.start)
    out = set()
    for s in meet:
        t = day.slot_starts[s]
        taken = max(0, min(t + day.slot_minutes, b) - max(t, a))
        if day.slot_minutes - taken >= prm.cash_box_minutes:
            out.add(s)
    return out


def _draw(vars: ModelVars, p: str, day: Day, s: int, room: set[int]) -> list[Any]:
    """The literals of which one holds when slot ``s`` leaves the person time for the draw or the hand-in."""
    out = [vars.doing(p, day.date, s, "back_office")]
    return [*out, vars.doing(p, day.date, s, "meeting")] if s in room else out


def encode_cash_box(vars: ModelVars, problem: Problem, rule: str, meet: dict[dt.date, list[int]]) -> None:
    """Back office for the ``k`` slots before each person's first counter slot and after their last
    (``meet``: each day's 晨会 slots).

    Clauses only, along the person's counter slots in time order (then backwards for the hand-in): ``mark[s]``
    holds at every counter slot (``counter → mark``) and only where the mark before it or a counter holds
    (``mark → prev ∨ counter``), so it is 0 before the first counter slot and 1 there; ``mark[s] ∧ ¬prev``
    asks the draw (``¬mark ∨ prev ∨ draw``). Later marks may fall back to 0 (no monotonicity clause): a rise
    again only asks another draw, which the solver avoids by keeping the mark, so the rule is the same — and
    the clauses cost the solver's presolve far less than the linear form (the sample's first roster: see
    benchmarks/README.md)."""
    counters = problem.config.rules.daily_routine.cash_box_counters
    for day in vars.days():
        k = box_slots(problem, day)
        if k == 0:
            continue
        d, n = day.date, len(day.slot_starts)
        room = meeting_room(problem, day, meet.get(d, []))
        for p in problem.staff.ids():
            at: dict[int, list[Any]] = {}
            for s in day.open_slots:
                can = [vars.doing(p, d, s, c) for c in counters if vars.can(p, d, s, c)]
                if can:
                    at[s] = can
            if not at:
                continue
            slots = sorted(at)
            for order, step in ((slots, -1), (slots[::-1], 1)):  # the draw before, the hand-in after
                prev: list[Any] = []
                for s in order:
                    if not prev and len(at[s]) == 1:
                        mark = at[s][0]
                    else:
                        mark = vars.new_bool(f"cash_box_{p}_{d}_{s}_{step}")
                        for a in at[s]:
                            vars.add_clause([mark], [a])
                        vars.add_clause([*prev, *at[s]], [mark])
                    for j in range(1, k + 1):  # the first (last) counter slot: the draw (hand-in) beside it
                        u = s + step * j
                        draw = _draw(vars, p, day, u, room) if 0 <= u < n else []
                        vars.add_clause([*prev, *draw], [mark], rule, d)
                    prev = [mark]


def cash_box_violations(
    rule: Rule, problem: Problem, day: Day, g: np.ndarray, meet: list[int]
) -> list[Violation]:
    """People whose first counter slot of ``day`` lacks the draw before it, or whose last lacks the hand-in
    after it (``g``: the day's activity grid, ``meet``: its 晨会 slots)."""
    k = box_slots(problem, day)
    if k == 0:
        return []
    prm = problem.config.rules.daily_routine
    counters = set(prm.cash_box_counters)
    room = meeting_room(problem, day, meet)
    ids = problem.staff.ids()
    n, slot = len(day.slot_starts), day.slot_minutes

    def fine(row: np.ndarray, u: int) -> bool:
        return 0 <= u < n and (row[u] in OFF_FLOOR or (row[u] == "meeting" and u in room))

    out = []
    for p, sid in enumerate(ids):
        row = g[p]
        at = [s for s in range(n) if row[s] in counters]
        if not at:
            continue
        first, last = at[0], at[-1]
        who = names(problem, [sid])
        t0, t1 = day.slot_starts[first], day.slot_starts[last] + slot
        if not all(fine(row, first - j) for j in range(1, k + 1)):
            out.append(
                rule.violation(
                    day.date,
                    t0 - k * slot,
                    t0,
                    f"{when(day, t0 - k * slot, t0)}: {who} {fmt_hhmm(t0)} 上柜, 之前没有 {prm.cash_box_minutes} 分钟"
                    "在后台领尾箱",
                    f"{when(day, t0 - k * slot, t0, lang='en')}: {who} starts at the counter at {fmt_hhmm(t0)} "
                    f"without {prm.cash_box_minutes} minutes of back office before it to draw the cash box",
                    [sid],
                )
            )
        if not all(fine(row, last + j) for j in range(1, k + 1)):
            out.append(
                rule.violation(
                    day.date,
                    t1,
                    t1 + k * slot,
                    f"{when(day, t1, t1 + k * slot)}: {who} {fmt_hhmm(t1)} 下柜, 之后没有 {prm.cash_box_minutes} 分钟"
                    "在后台交尾箱",
                    f"{when(day, t1, t1 + k * slot, lang='en')}: {who} leaves the counter at {fmt_hhmm(t1)} "
                    f"without {prm.cash_box_minutes} minutes of back office after it to hand in the cash box",
                    [sid],
                )
            )
    return out
