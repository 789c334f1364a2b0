"""A certified lower bound on a week's cost that sees lunches, headcount and the weekly labour rules.

CP-SAT's own bound on the whole week stays below even the unavoidable costs within a minute, and the rules'
per-slot bound (:meth:`constraints.rules.base.Rule.lower_bound`: every slot at its cheapest window count)
ignores that windows need people. This bound is a relaxation solved exactly by dynamic programming in well
under a second; it keeps only what every roster must respect:

* **capacity per slot** — with ``H`` people at the counters on a day, the windows open in a slot are at most
  ``H`` less those of them absent from it, never more than the physical windows or the skilled people of each
  counter type, never fewer than the noon rule forces (the counters are pooled: who can staff which one is
  left out);
* **lunch** (when the lunch rule holds) — a person present more than ``lunch.min_shift_hours`` is away for
  ``lunch.minutes`` inside the lunch window; a counter shift too short for lunch misses the morning, because
  counter staff stay to close and whoever is there at opening came to the morning meeting (daily routine);
* **the week** (when the labour rule holds) — how many days of each kind (by the most paid minutes a day
  allows: long weekdays, short weekends) each counter-capable person works, within the rest-day limit, leave
  and the contract floor; priced exactly as the model prices it: unused contract hours and rest-day work;
* **the costs** — the demand rule's expected waiting and window-hours per slot, with the model's rounding, and
  the switch every counter window open at opening (its person comes from the back office after the meeting)
  and at closing (its person stays to reconcile) costs, and the lobby manager's at opening.

Everything else (who exactly, the order of a person's slots, window runs, the lobby and permission rules'
headcount) is left out, which only loosens the bound. A rule switched off or relaxed drops its part.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES
from constraints.problem import Problem
from constraints.rules.daily_routine import meeting_slots
from constraints.rules.demand import open_counters, priced_windows
from constraints.rules.labour import daily_cap_minutes, weekly_hours
from constraints.rules.lunch import lunch_slots, lunch_starts, slots_without_lunch
from constraints.staff import Person

INF = np.iinfo(np.int64).max // 4


@dataclass(frozen=True)
class DayShape:
    """What the bound needs of a day: where lunch can fall, who must miss the morning, the most paid minutes
    and where counter staff switch activity."""

    lunch_slots: tuple[int, ...]  # open slots some lunch can cover
    lunch_length: int  # slots of one lunch (0: no lunch rule)
    late: tuple[int, ...]  # open slots a counter shift too short for lunch misses (it ends at closing)
    paid_max: int  # most paid minutes a shift of this day can have
    switches: frozenset[int]  # open slots where everyone at a counter switches (see CapacityBound._switches)


def _min_plus(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a ⊕ b)[t] = min_i a[i] + b[t − i], infinities kept infinite."""
    if len(a) > len(b):
        a, b = b, a
    m = len(a)
    pad = np.full(m - 1, INF, dtype=np.int64)
    padded = np.concatenate([pad, b, pad])
    step = padded.strides[0]
    windows = np.lib.stride_tricks.as_strided(padded, (len(b) + m - 1, m), (step, step), writeable=False)
    return np.minimum((windows + a[::-1]).min(axis=1), INF)


class CapacityBound:
    """The relaxation of one week (see the module docstring); :meth:`value` is the bound in model units."""

    def __init__(self, problem: Problem, scale: int, active: Sequence[str], least: dict) -> None:
        self.problem = problem
        self.scale = scale
        self.on = set(active)
        self.least = least
        cfg = problem.config
        self.counter_people = [
            p for p in problem.staff if any(p.can(c) and problem.windows(c) > 0 for c in COUNTER_TYPES)
        ]
        self.switch = (
            round(cfg.rules.skills.switch_cny * scale) if {"skills", "daily_routine"} <= self.on else 0
        )
        self.days = [d for d in problem.days if d.slot_starts]
        self.shapes = {d.date: self._shape(d) for d in self.days}
        kinds = sorted({sh.paid_max for sh in self.shapes.values()}, reverse=True)
        if len(kinds) > 3:  # fold the shortest kinds of day into the third: a looser, smaller relaxation
            kinds = kinds[:3]
            self.shapes = {
                k: sh if sh.paid_max in kinds else dataclasses.replace(sh, paid_max=kinds[-1])
                for k, sh in self.shapes.items()
            }
        self.kinds = kinds

    # ---- days ------------------------------------------------------------------------------------------

    def _shape(self, day: Day) -> DayShape:
        cfg = self.problem.config
        n, slot = len(day.slot_starts), day.slot_minutes
        length = lunch_slots(self.problem, day) if "lunch" in self.on else 0
        cover: set[int] = set()
        if length > 0:
            for k in lunch_starts(self.problem, day):
                cover.update(range(k, k + length))
        limit = slots_without_lunch(self.problem, day)
        if length == 0:  # no lunch rule: a whole staff day may be paid
            paid = n * slot
        elif cover and n > limit:
            paid = n * slot - cfg.lunch.minutes
        else:  # no lunch fits: shifts stay short enough to need none
            paid = min(n, limit) * slot
        # whoever works a counter stays to the end, and whoever is there at opening came to the meeting:
        # a counter shift without lunch (≤ limit slots) therefore starts after n − limit
        late = (
            tuple(s for s in day.open_slots if s < n - limit)
            if "daily_routine" in self.on and meeting_slots(self.problem, day)
            else ()
        )
        return DayShape(tuple(sorted(cover)), length, late, paid, self._switches(day, cover))

    def _available(self, person: Person, day: Day) -> bool:
        if "availability" not in self.on:
            return True
        return not self.problem.away_all_day(person.staff_id, day.date)

    def _switches(self, day: Day, lunch: set[int]) -> frozenset[int]:
        """Open slots where everyone at a counter switches activity: the first (they come from the back office
        after the morning meeting — whoever is there at opening attended it) and the last (they stay on to
        reconcile)."""
        if not self.switch or not day.open_slots:
            return frozenset()
        out = set()
        meet = meeting_slots(self.problem, day)
        first, last = day.open_slots[0], day.open_slots[-1]
        if meet and first - 1 >= 0 and first - 1 not in meet and first - 1 not in lunch:
            out.add(first)
        if last + 1 < len(day.slot_starts) and last + 1 not in lunch:
            out.add(last)
        return frozenset(out)

    def opening_lobby_switch(self, day: Day) -> int:
        """The lobby manager on the floor at opening also comes from the back office (a switch)."""
        full = "lobby_manager" in self.on and self.problem.config.rules.lobby_manager.coverage >= 1.0
        opening = bool(day.open_slots) and day.open_slots[0] in self.shapes[day.date].switches
        return self.switch if full and opening else 0

    def slot_cost(self, day: Day, s: int, most: int, skilled: dict[str, int]) -> np.ndarray:
        """cost[cap] of slot s with at most ``cap`` people at counters (0 … most), INF when too few;
        ``skilled[c]``: the people at work able to staff counter type c."""
        # best[t]: the cheapest way to have exactly t windows open over the counters so far
        best = np.zeros(1, dtype=np.int64)
        priced = "demand" in self.on
        surcharge = self.switch if s in self.shapes[day.date].switches else 0
        for _, c, w in open_counters(self.problem, [day]):
            top = min(w, skilled[c]) if priced else skilled[c]
            lo = min(self.least.get((day.date, c, s), 0), top)
            row = np.zeros(top + 1, dtype=np.int64)
            if priced:  # top ≤ the windows
                row += priced_windows(self.problem, day, c, s, self.scale)[: top + 1]
            row += surcharge * np.arange(top + 1)
            row[:lo] = INF
            best = _min_plus(best, row)
        cum = np.minimum.accumulate(best)  # at most cap windows
        return cum[np.minimum(np.arange(most + 1), len(cum) - 1)]

    def day_costs(self, day: Day) -> np.ndarray:
        """cost[H]: the cheapest day with H people at the counters (H = 0 … counter-capable available).

        Of the H, ``long`` take lunch — ``lunch_length`` slots each inside the lunch window, at most ``long``
        a slot — and the others, on shifts too short for lunch, miss the ``late`` slots.
        """
        shape = self.shapes[day.date]
        avail = sum(1 for p in self.counter_people if self._available(p, day))
        if not day.is_open:
            return np.zeros(avail + 1, dtype=np.int64)
        skilled = {
            c: sum(1 for p in self.counter_people if p.can(c) and self._available(p, day))
            for c in COUNTER_TYPES
        }
        costs = {s: self.slot_cost(day, s, avail, skilled) for s in day.open_slots}
        late, cover = set(shape.late), set(shape.lunch_slots)
        lunch = [s for s in day.open_slots if s in cover]
        # outside the lunch window: cost by the people free, over the late slots and over the others (summed
        # with INF kept INF: a plain sum of INF entries would overflow)
        at_late = np.zeros(avail + 1, dtype=np.int64)
        at_other = np.zeros(avail + 1, dtype=np.int64)
        for s in day.open_slots:
            if s not in cover:
                if s in late:
                    at_late = np.minimum(at_late + costs[s], INF)
                else:
                    at_other = np.minimum(at_other + costs[s], INF)
        out = np.full(avail + 1, INF, dtype=np.int64)
        for h in range(avail + 1):
            for short in range(h + 1):
                long = h - short
                if long and shape.lunch_length and not lunch:
                    continue  # no lunch fits the day: every shift is short
                rest = min(INF, int(at_late[h - short]) + int(at_other[h]))
                need = shape.lunch_length * long
                acc = np.zeros(1, dtype=np.int64)
                for s in lunch:
                    free = h - (short if s in late else 0)
                    # [ℓ] = the cost with ℓ of the long shifts at lunch: free − ℓ people free
                    acc = _min_plus(acc, costs[s][free - long : free + 1][::-1])[: need + 1]
                if need < len(acc) and acc[need] < INF:
                    out[h] = min(out[h], min(INF, rest + int(acc[need])))
        return out + (self.opening_lobby_switch(day) if day.open_slots else 0)

    # ---- the week ----------------------------------------------------------------------------------------

    def person_costs(self, person: Person, kinds: list[int]) -> np.ndarray:
        """cost[j_1, …, j_K]: the person's weekly labour cost with j_i days of kind i (INF when not allowed)."""
        prob, cfg = self.problem, self.problem.config
        per_kind = [[d for d in self.days if self.shapes[d.date].paid_max == k] for k in kinds]
        avail = [sum(1 for d in ds if self._available(person, d)) for ds in per_kind]
        out = np.full(tuple(a + 1 for a in avail), INF, dtype=np.int64)
        if "labour" not in self.on:
            out[...] = 0
            return out
        lab, prm, costs = cfg.labor, cfg.rules.labour, cfg.costs
        wk = weekly_hours(prob, person)
        cap_day = daily_cap_minutes(prob, person)
        full_week = len(prob.days) >= 7
        most_days = len(prob.days) - lab.min_rest_days if full_week else len(self.days)
        per_min = costs.staff_hour / 60.0
        unused = round(prm.unused_hour_cny / 60.0 * self.scale)
        rest = round((costs.rest_day_multiplier - 1) * per_min * cap_day * self.scale)
        for js in itertools.product(*(range(a + 1) for a in avail)):
            if sum(js) > most_days:
                continue
            top = min(wk.cap, sum(j * min(k, cap_day) for j, k in zip(js, kinds, strict=True)))
            if top < wk.floor:
                continue
            extra = max(0, sum(js) - prm.standard_days_per_week) if full_week else 0
            out[js] = unused * max(0, wk.expected - top) + rest * extra
        return out

    def value(self) -> int | None:
        """The bound in model units, or None when the relaxation has no solution (the week cannot be staffed)."""
        kinds = self.kinds
        # days: cost by the number of counter-capable people at work, per kind of day
        by_kind = []
        for k in kinds:
            acc = np.zeros(1, dtype=np.int64)
            for d in self.days:
                if self.shapes[d.date].paid_max == k:
                    acc = _min_plus(acc, self.day_costs(d))
            by_kind.append(acc)
        # people: labour cost by the days of each kind the counter-capable work, summed over them
        week = np.zeros(tuple(1 for _ in kinds), dtype=np.int64)
        for person in self.counter_people:
            week = _min_plus_nd(week, self.person_costs(person, kinds))
        others = 0
        for person in self.problem.staff:
            if person not in self.counter_people:
                pc = self.person_costs(person, kinds)
                best = int(pc.min())
                if best >= INF:
                    return None
                others += best
        # people at the counters on a day are at most those at work: the cheapest week with at least so many
        for axis in range(week.ndim):
            week = np.flip(np.minimum.accumulate(np.flip(week, axis), axis=axis), axis)
        total = week.copy()
        for axis, acc in enumerate(by_kind):
            size = min(len(acc), total.shape[axis])
            dims = [1] * len(kinds)
            dims[axis] = size
            index = [slice(None)] * len(kinds)
            index[axis] = slice(0, size)
            total = np.minimum(total[tuple(index)] + acc[:size].reshape(dims), INF)
        best = int(total.min())
        return None if best >= INF else best + others


def _min_plus_nd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """N-dimensional min-plus convolution of two cost arrays."""
    if a.size > b.size:
        a, b = b, a  # loop over the smaller one
    out = np.full(tuple(x + y - 1 for x, y in zip(a.shape, b.shape, strict=True)), INF, dtype=np.int64)
    for idx in itertools.product(*(range(n) for n in a.shape)):
        ai = a[idx]
        if ai >= INF:
            continue
        sl = tuple(slice(i, i + n) for i, n in zip(idx, b.shape, strict=True))
        out[sl] = np.minimum(out[sl], np.minimum(ai + b, INF))
    return out
