"""A certified lower bound on a week's cost that sees lunches, headcount and the weekly labour rules.

CP-SAT's own bound on the whole week is weak, and the rules' per-slot bound
(:meth:`constraints.rules.base.Rule.lower_bound`: every slot at its cheapest window count) ignores that
windows need people. This bound is a relaxation solved exactly by dynamic programming; it keeps only what
every roster must respect (``python -m benchmarks.bench_roster --part bound`` prints the three bounds and the
seconds this one takes):

* **capacity per slot** — with ``H`` people at the counters on a day, the windows open in a slot are at most
  ``H`` less those of them absent from it, never more than the physical windows or the skilled people of each
  counter type, never fewer than the noon rule forces; the people are counted in two pools, those able to
  staff the counter the noon rule keeps staffed (the high counter) and the others, whose lunches are counted
  apart (on big branches, where that DP grows too large, one pool);
* **lunch** (when the lunch rule holds) — a person present more than ``lunch.min_shift_hours`` is away for
  ``lunch.minutes`` inside the lunch window; a counter shift too short for lunch misses the morning, because
  counter staff stay to close and whoever is there at opening came to the morning meeting (daily routine);
* **the week** (when the labour rule holds) — how many days of each kind (by the most paid minutes a day
  allows: long weekdays, short weekends) each counter-capable person works, within the rest-day limit, leave
  and the contract floor; priced exactly as the model prices it: unused contract hours and rest-day work; a
  short shift (no lunch) is paid at most ``lunch.min_shift_hours``, and the link between the short shifts the
  days use and the people's weeks is priced (a Lagrangian price per kind of day, searched for the best bound);
* **the costs** — the demand rule's expected waiting and window-hours per slot, with the model's rounding, and
  the switch every counter window open at opening (its person comes from the back office after the meeting)
  and at closing (its person stays to reconcile) costs, and the lobby manager's at opening.

Everything else (who exactly, the order of a person's slots, window runs, the lobby and permission rules'
headcount) is left out, which only loosens the bound. A rule switched off or relaxed drops its part.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES
from constraints.problem import Problem
from constraints.roster import Violation
from constraints.rules.base import day_label, names
from constraints.rules.daily_routine import meeting_slots
from constraints.rules.demand import open_counters, priced_windows
from constraints.rules.labour import (
    consecutive_windows,
    daily_cap_minutes,
    person_weeks,
    plan_weeks,
    rest_days,
    weekly_hours,
)
from constraints.rules.lunch import lunch_slots, lunch_starts, slots_without_lunch
from constraints.rules.noon_two_at_high_counter import NoonTwoAtHighCounter
from constraints.rules.permission_holder import AUTHORITY_LABELS
from constraints.rules.shifts import DayShift, person_shifts
from constraints.staff import Person
from scheduler.solver import stop

INF = np.iinfo(np.int64).max // 4
"""Cost of an impossible state (a quarter of int64: sums of a few never overflow)."""
PRICE_ROUNDS = 2
"""Rounds of the coordinate search over the short-shift prices: more rounds, a tighter bound, a longer DP."""
PRICE_SPAN = 2
"""The price search runs up to this many times the unused-hours cost of the minutes a short shift loses (the
best price can lie above it when the contract floor keeps people from short days)."""
MAX_POOL_PAIRS = 60
"""Largest (people of the key pool + 1) × (other counter people + 1) with two pools: two pools count lunches
more tightly, but the day DP grows with the square of this, so bigger branches use one pool."""


@dataclass(frozen=True)
class DayShape:
    """What the bound needs of a day: where lunch can fall, who must miss the morning, the most paid minutes
    and where counter staff switch activity."""

    lunch_slots: tuple[int, ...]  # slots some lunch can cover
    lunch_length: int  # slots of one lunch (0: no lunch rule)
    late: tuple[int, ...]  # open slots a counter shift too short for lunch misses (it ends at closing)
    paid_max: int  # most paid minutes a shift of this day can have
    short_paid: int  # most paid minutes of a shift too short for lunch (paid_max without the lunch rule)
    switches: frozenset[int]  # open slots where everyone at a counter switches (see CapacityBound._switches)
    early: tuple[int, ...] = ()  # open slots no counter shift can cover (see CapacityBound._shape)


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
        self.key, self.pools = self._pools()
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
        # the most a shift too short for lunch is paid, per kind of day
        self.short_paid = {k: 0 for k in kinds}
        for sh in self.shapes.values():
            self.short_paid[sh.paid_max] = max(self.short_paid[sh.paid_max], min(sh.short_paid, sh.paid_max))
        self.prices: list[int] = [0] * len(kinds)
        self._day_cache: dict[dt.date, np.ndarray] = {}
        self._person_cache: dict[str, np.ndarray] = {}

    def _pools(self) -> tuple[str | None, tuple[list[Person], list[Person]]]:
        """The key counter — the one a rule keeps staffed (the noon rule's high counter) — and the two pools:
        the counter people able to staff it, and the other counter people. None and one pool when no rule
        sets a minimum, when everyone can staff it, or when two pools make the relaxation too big."""
        counters = {c for (_, c, _), k in self.least.items() if k > 0}
        everyone: tuple[list[Person], list[Person]] = (list(self.counter_people), [])
        if len(counters) != 1:
            return None, everyone
        key = counters.pop()
        pool_a = [p for p in self.counter_people if p.can(key)]
        pool_b = [p for p in self.counter_people if not p.can(key)]
        if not pool_a or not pool_b or (len(pool_a) + 1) * (len(pool_b) + 1) > MAX_POOL_PAIRS:
            return None, everyone
        return key, (pool_a, pool_b)

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
        short = min(limit * slot, paid) if length > 0 else paid
        # nor can a counter shift with lunch be there at opening when the whole staff day is longer than the
        # longest paid day and its lunch (the branch's daily cap, which no one's own cap exceeds)
        early: tuple[int, ...] = ()
        if late and "labour" in self.on:
            breaks = lunch_slots(self.problem, day) if lunch_starts(self.problem, day) else 0  # one at most
            longest = math.floor(cfg.labor.max_daily_hours * 60 / slot + 1e-9) + breaks
            if n > longest:
                early = tuple(
                    s for s in late if s < max(day.open_slots[0] + 1, n - longest) and s not in cover
                )
        return DayShape(tuple(sorted(cover)), length, late, paid, short, self._switches(day, cover), early)

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

    def holiday_rate(self, day: Day) -> int:
        """The holiday premium of one person's slot on ``day`` (model units; 0 unless a statutory holiday)."""
        if day.day_type != "holiday" or "labour" not in self.on:
            return 0
        costs = self.problem.config.costs
        per_minute = round((costs.holiday_multiplier - 1) * costs.staff_hour / 60.0 * self.scale)
        return per_minute * day.slot_minutes

    def holiday_slots(self, day: Day, s: int) -> int:
        """Slots paid for each window open in open slot ``s``: its own, and with the daily routine, at the
        first open slot those since the meeting (whoever is there at opening came to it) and at the last
        those to the end of staff time (whoever worked a counter stays to reconcile)."""
        if "daily_routine" not in self.on or not day.open_slots:
            return 1
        before = day.open_slots[0] if s == day.open_slots[0] and meeting_slots(self.problem, day) else 0
        after = len(day.slot_starts) - 1 - s if s == day.open_slots[-1] else 0
        return 1 + before + after

    def lobby_floor(self, day: Day) -> int:
        """The holiday premium of the lobby manager on the floor through every open slot (someone who is at
        no counter then; the one there at opening came to the meeting)."""
        full = "lobby_manager" in self.on and self.problem.config.rules.lobby_manager.coverage >= 1.0
        if not full or not day.open_slots:
            return 0
        meeting = "daily_routine" in self.on and bool(meeting_slots(self.problem, day))
        return self.holiday_rate(day) * (len(day.open_slots) + (day.open_slots[0] if meeting else 0))

    def opening_lobby_switch(self, day: Day) -> int:
        """The lobby manager on the floor at opening also comes from the back office (a switch)."""
        full = "lobby_manager" in self.on and self.problem.config.rules.lobby_manager.coverage >= 1.0
        opening = bool(day.open_slots) and day.open_slots[0] in self.shapes[day.date].switches
        return self.switch if full and opening else 0

    def slot_cost(self, day: Day, s: int, most: tuple[int, int], skilled: dict[str, int]) -> np.ndarray:
        """cost[a, b] of slot s with at most ``a`` people of the key pool and ``b`` of the other at counters
        (``most`` = the largest a and b), INF when too few; ``skilled[c]``: the people at work able to staff
        counter type c. The key counter is staffed from the key pool only, the others from both."""
        priced = "demand" in self.on
        surcharge = self.switch if s in self.shapes[day.date].switches else 0
        surcharge += self.holiday_rate(day) * self.holiday_slots(day, s)
        key_row = np.zeros(1, dtype=np.int64)
        others = np.zeros(1, dtype=np.int64)  # the cheapest way to have exactly t windows open elsewhere
        for _, c, w in open_counters(self.problem, [day]):
            top = min(w, skilled[c]) if priced else skilled[c]
            lo = min(self.least.get((day.date, c, s), 0), top)
            row = np.zeros(top + 1, dtype=np.int64)
            if priced:  # top ≤ the windows
                row += priced_windows(self.problem, day, c, s, self.scale)[: top + 1]
            row += surcharge * np.arange(top + 1)
            row[:lo] = INF
            if c == self.key:
                key_row = row
            else:
                others = _min_plus(others, row)
        rest = np.minimum.accumulate(others)  # at most t windows elsewhere
        in_a = np.arange(most[0] + 1)[:, None, None]
        in_b = np.arange(most[1] + 1)[None, :, None]
        at_key = np.arange(len(key_row))[None, None, :]
        left = np.minimum(in_a + in_b - at_key, len(rest) - 1)
        table = np.where(at_key <= in_a, key_row[at_key] + rest[np.maximum(left, 0)], INF)
        return np.minimum(table.min(axis=2), INF)

    def day_costs(self, day: Day) -> np.ndarray:
        """cost[h_a, h_b, k]: the cheapest day with h_a people of the key pool and h_b of the other at the
        counters, k of them on shifts too short for lunch.

        Of each pool's people, the ``long`` ones take lunch — ``lunch_length`` slots each inside the lunch
        window, at most ``long`` a slot — and the others, on short shifts, miss the ``late`` slots.
        """
        shape = self.shapes[day.date]
        na, nb = (sum(1 for p in pool if self._available(p, day)) for pool in self.pools)
        avail = (na, nb)
        dims = (na + 1, nb + 1)
        out = np.full((*dims, sum(avail) + 1), INF, dtype=np.int64)
        if not day.is_open:
            out[:, :, 0] = 0
            return out
        skilled = {
            c: sum(1 for p in self.counter_people if p.can(c) and self._available(p, day))
            for c in COUNTER_TYPES
        }
        costs = {s: self.slot_cost(day, s, avail, skilled) for s in day.open_slots}
        late, cover = set(shape.late), set(shape.lunch_slots)
        lunch = [s for s in day.open_slots if s in cover]
        at_late = np.zeros(dims, dtype=np.int64)
        at_other = np.full(dims, sum(int(costs[s][0, 0]) for s in shape.early), dtype=np.int64)
        for s in day.open_slots:
            if s not in cover and s not in shape.early:
                if s in late:
                    at_late = np.minimum(at_late + costs[s], INF)
                else:
                    at_other = np.minimum(at_other + costs[s], INF)
        length = shape.lunch_length
        for ha, hb in itertools.product(range(dims[0]), range(dims[1])):
            base = int(at_other[ha, hb])
            if base >= INF:
                continue
            for sa, sb in itertools.product(range(ha + 1), range(hb + 1)):
                la, lb = ha - sa, hb - sb
                if (la or lb) and length and not lunch:
                    continue  # no lunch fits the day: every shift is short
                rest = min(INF, base + int(at_late[ha - sa, hb - sb]))
                if rest >= out[ha, hb, sa + sb]:  # costs are never negative
                    continue
                need = (length * la, length * lb)
                acc = np.zeros((1, 1), dtype=np.int64)
                for s in lunch:
                    fa, fb = (ha - sa, hb - sb) if s in late else (ha, hb)
                    # [ℓa, ℓb] = the cost with ℓ of each pool's long shifts at lunch
                    table = costs[s][fa - la : fa + 1, fb - lb : fb + 1][::-1, ::-1]
                    acc = _min_plus_2d(acc, table, need)
                    if acc.min() >= INF:
                        break
                if acc.shape == (need[0] + 1, need[1] + 1) and acc[need] < INF:
                    here = min(INF, rest + int(acc[need]))
                    out[ha, hb, sa + sb] = min(out[ha, hb, sa + sb], here)
        fixed = self.opening_lobby_switch(day) + self.lobby_floor(day) if day.open_slots else 0
        return np.minimum(out + fixed, INF)

    # ---- the week ----------------------------------------------------------------------------------------

    def person_costs(self, person: Person) -> np.ndarray:
        """cost[j_1, …, j_K, s_1, …, s_K]: the person's weekly labour cost with j_i days of kind i, s_i of them
        on a short shift (too short for lunch: at most ``short_paid`` minutes); INF when not allowed."""
        prob, cfg, kinds = self.problem, self.problem.config, self.kinds
        per_kind = [[d for d in self.days if self.shapes[d.date].paid_max == k] for k in kinds]
        avail = [sum(1 for d in ds if self._available(person, d)) for ds in per_kind]
        dims = tuple(a + 1 for a in avail)
        out = np.full(dims + dims, INF, dtype=np.int64)
        if "labour" not in self.on:
            for js in itertools.product(*(range(n) for n in dims)):
                for ss in itertools.product(*(range(j + 1) for j in js)):
                    out[js + ss] = 0
            return out
        prm, costs = cfg.rules.labour, cfg.costs
        wk = weekly_hours(prob, person)
        cap_day = daily_cap_minutes(prob, person)
        full_week = len(prob.days) >= 7
        rd = rest_days(prob, person)
        holidays = sum(1 for d in self.days if d.day_type == "holiday" and self._available(person, d))
        most_days = rd.most if full_week else len(self.days)
        per_min = costs.staff_hour / 60.0
        unused = round(prm.unused_hour_cny / 60.0 * self.scale)
        rest = round((costs.rest_day_multiplier - 1) * per_min * cap_day * self.scale)
        shorts = [min(self.short_paid[k], k, cap_day) for k in kinds]
        for js in itertools.product(*(range(n) for n in dims)):
            if sum(js) > most_days:
                continue
            # rest-day work counts no holiday: at least the days beyond the holidays and the days due
            extra = max(0, sum(js) - holidays - rd.due) if full_week else 0
            for ss in itertools.product(*(range(j + 1) for j in js)):
                paid = sum(
                    (j - q) * min(k, cap_day) + q * sh
                    for j, q, k, sh in zip(js, ss, kinds, shorts, strict=True)
                )
                top = min(wk.cap, paid)
                if top >= wk.floor:
                    out[js + ss] = unused * max(0, wk.expected - top) + rest * extra
        return out

    def _priced(self, person: Person, prices: Sequence[int]) -> np.ndarray:
        """cost[j_1, …, j_K] with each short day earning ``prices[i]`` (the Lagrangian price of a short
        shift: see :meth:`value`)."""
        key = person.staff_id
        if key not in self._person_cache:
            self._person_cache[key] = self.person_costs(person)
        table = self._person_cache[key]
        nk = len(self.kinds)
        for i, price in enumerate(prices):
            q = np.arange(table.shape[nk + i]).reshape(
                [-1 if ax == nk + i else 1 for ax in range(table.ndim)]
            )
            table = np.where(table < INF, table - price * q, INF)
        return table.reshape(*table.shape[:nk], -1).min(axis=-1)

    def _value_at(self, prices: Sequence[int]) -> int | None:
        """The relaxation's value with short shifts priced at ``prices`` (per kind of day)."""
        kinds = self.kinds
        nk = len(kinds)
        # days: cost by the people of each pool at the counters, per kind of day (axes: pool a, pool b), each
        # short shift paying its price
        by_kind = []
        for k, price in zip(kinds, prices, strict=True):
            acc = np.zeros((1, 1), dtype=np.int64)
            for d in self.days:
                if self.shapes[d.date].paid_max == k:
                    table = self._day_cache[d.date]
                    q = np.arange(table.shape[2])[None, None, :]
                    acc = _min_plus_nd(acc, np.minimum(table + price * q, INF).min(axis=2))
            by_kind.append(acc)
        # people: labour cost by the days of each kind they work, summed over each pool; the week's axes are
        # (pool a, kind 1 … K) then (pool b, kind 1 … K)
        week = np.zeros(tuple(1 for _ in range(2 * nk)), dtype=np.int64)
        for i, pool in enumerate(self.pools):
            for person in pool:
                pc = self._priced(person, prices)
                shape = [1] * (2 * nk)
                shape[i * nk : (i + 1) * nk] = pc.shape
                week = _min_plus_nd(week, pc.reshape(shape))
        # people at the counters on a day are at most those at work: the cheapest week with at least so many
        for axis in range(week.ndim):
            week = np.flip(np.minimum.accumulate(np.flip(week, axis), axis=axis), axis)
        total = week
        for j, acc in enumerate(by_kind):
            axes = (j, nk + j)
            sizes = [min(acc.shape[i], total.shape[ax]) for i, ax in enumerate(axes)]
            dims = [1] * (2 * nk)
            index: list[slice] = [slice(None)] * (2 * nk)
            for i, ax in enumerate(axes):
                dims[ax] = sizes[i]
                index[ax] = slice(0, sizes[i])
            total = _plus(total[tuple(index)], acc[: sizes[0], : sizes[1]].reshape(dims))
        best = int(total.min())
        return None if best >= INF else best

    def _others(self) -> int | None:
        """The labour cost of the people who staff no counter, each at their cheapest week (None: one of them
        has no week that holds)."""
        total = 0
        for person in self.problem.staff:
            if person not in self.counter_people:
                best = int(self.person_costs(person).min())
                if best >= INF:
                    return None
                total += best
        return total

    def value(self) -> int | None:
        """The bound in model units, or None when the relaxation has no solution (the week cannot be staffed).

        The day side and the people side must agree on how many short shifts there are; that link is priced
        instead (Lagrangian relaxation): every short shift costs the day side ``price`` and earns it back to
        the person who works it, which any price ≥ 0 keeps a bound. The price per kind of day is chosen by
        ternary search (the value is concave in it), from 0 to ``PRICE_SPAN`` × the unused-hours cost of the
        minutes a short shift loses.
        """
        self._day_cache = {d.date: self.day_costs(d) for d in self.days}
        self._person_cache = {}
        others = self._others()
        prices = [0] * len(self.kinds)
        best = self._value_at(prices)
        if best is None or others is None:
            return None
        if "labour" not in self.on:
            return best + others
        unused = self.problem.config.rules.labour.unused_hour_cny / 60.0 * self.scale
        tops = [math.ceil(max(0, k - self.short_paid[k]) * unused * PRICE_SPAN) for k in self.kinds]
        seen: dict[tuple[int, ...], int] = {tuple(prices): best}

        def at(trial: list[int]) -> int:
            key = tuple(trial)
            if key not in seen:
                value = self._value_at(trial)
                seen[key] = best if value is None else value  # (None cannot happen: feasible at price 0)
            return seen[key]

        for _ in range(PRICE_ROUNDS):
            for i, top in enumerate(tops):
                lo, hi = 0, top
                while hi - lo > 2:
                    m1, m2 = lo + (hi - lo) // 3, hi - (hi - lo) // 3
                    if at([*prices[:i], m1, *prices[i + 1 :]]) < at([*prices[:i], m2, *prices[i + 1 :]]):
                        lo = m1
                    else:
                        hi = m2
                prices[i] = max(range(lo, hi + 1), key=lambda x: at([*prices[:i], x, *prices[i + 1 :]]))
        self.prices = prices
        return max(seen.values()) + others


def capacity_bound(problem: Problem, scale: int, active: Sequence[str], least: dict) -> int | None:
    """:class:`CapacityBound` of each calendar week of the plan (:func:`constraints.rules.labour.plan_weeks`:
    the week itself for a one-week plan), summed. Still a bound on a plan of several weeks: its costs are the
    weeks' costs added up (the demand rule's per slot, the labour rule's per week), and what ties the weeks
    together — consecutive days and rest across Sunday night — only removes rosters. None when a week's
    relaxation has no solution (the plan cannot be staffed)."""
    total = 0
    for week in plan_weeks(problem):
        value = CapacityBound(week, scale, active, least).value()
        if value is None:
            return None
        total += value
    return total


def _plus(a: np.ndarray | int, b: np.ndarray) -> np.ndarray:
    """a + b with INF wherever either is INF (the week's priced costs can be negative, so a plain sum with
    INF would fall below it)."""
    return np.where((np.asarray(a) >= INF) | (b >= INF), INF, np.minimum(np.asarray(a) + b, INF))


def _min_plus_2d(a: np.ndarray, b: np.ndarray, need: tuple[int, int]) -> np.ndarray:
    """The 2-D min-plus convolution of a and b (both ≥ 0), cut to indexes ≤ ``need``: the lunch DP's step,
    called tens of thousands of times a week, so kept apart from :func:`_min_plus_nd` (benchmarks/README.md,
    "Roster solver")."""
    shape = tuple(min(x + y - 1, n + 1) for x, y, n in zip(a.shape, b.shape, need, strict=True))
    out = np.full(shape, INF, dtype=np.int64)
    for i, j in itertools.product(range(min(b.shape[0], shape[0])), range(min(b.shape[1], shape[1]))):
        v = b[i, j]
        if v >= INF:
            continue
        ea, eb = min(a.shape[0], shape[0] - i), min(a.shape[1], shape[1] - j)
        view = out[i : i + ea, j : j + eb]
        np.minimum(view, a[:ea, :eb] + v, out=view)
    return np.minimum(out, INF)


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
        out[sl] = np.minimum(out[sl], _plus(ai, b))
    return out


# ---- the days the rules force people to work ------------------------------------------------------------


def longest_paid(problem: Problem, day: Day, cap: int) -> int:
    """The most paid minutes a shift of ``day`` can have: its whole staff time less lunch, or the longest
    presence without lunch if that pays more, at most ``cap``."""
    length = len(day.slot_starts) * day.slot_minutes
    limit = slots_without_lunch(problem, day) * day.slot_minutes
    paid = length - (problem.config.lunch.minutes if length > limit else 0)
    return min(cap, max(paid, min(length, limit)))


def needs_relief(problem: Problem, day: Day, slots: Sequence[int], on: set[str]) -> bool:
    """True when no one person can be there for all of ``slots`` alone: that takes a presence longer than a
    shift without lunch (``lunch.min_shift_hours``), and every lunch the day allows falls on one of them (or
    none fits)."""
    if "lunch" not in on or not slots:
        return False
    if max(slots) - min(slots) + 1 <= slots_without_lunch(problem, day):
        return False
    length, wanted = lunch_slots(problem, day), set(slots)
    return length > 0 and all(wanted & set(range(k, k + length)) for k in lunch_starts(problem, day))


def noon_in_waves(
    problem: Problem, day: Day, noon: Sequence[int], on: set[str], high: frozenset[str], count: int
) -> int:
    """People the noon counter needs when lunch comes in waves: ⌈W·count / (W − 1)⌉ for W waves, when every
    posted shift a high-counter person may work through part of the noon window lunches at one of them, each
    wave inside the window (those at lunch in a wave are not at the counter then, so each wave leaves
    ``count`` of the others: N − n_w ≥ count for every wave, Σ n_w = N). With the 轧账 rule a counter person
    stays to the end of staff time, so only shifts to the close count (all of a person's shifts on a day with
    their leave or an event). 0 when shifts are free, lunch or the shifts rule off, or a shift qualifies
    without lunch."""
    if not {"shifts", "lunch"} <= on or problem.config.rules.shifts.mode != "posted":
        return 0
    length = lunch_slots(problem, day)
    window = set(noon)
    waves: set[int] = set()
    for sid in sorted(high):
        if problem.away_all_day(sid, day.date):
            continue
        for s in _noon_shifts(problem, day, sid, noon, on):
            if not s.lunch or any(not window & set(range(k, k + length)) for k in s.lunch):
                return 0
            waves.update(s.lunch)
    w = len(waves)
    return -(-w * count // (w - 1)) if w >= 2 else 0


def noon_need(problem: Problem, day: Day, on: set[str]) -> tuple[frozenset[str], int, list[int]] | None:
    """(the high-counter people, how many of them work the noon counter, its slots) on ``day`` when the noon
    rule is active and covers some of it: ``count``, one more when a lunch falls in the window
    (:func:`needs_relief`), more with lunch waves (:func:`noon_in_waves`)."""
    if "noon_two_at_high_counter" not in on or not day.is_open:
        return None
    noon = NoonTwoAtHighCounter().slots(problem, day)  # the rule's own reading of its window
    if not noon:
        return None
    count = problem.config.rules.noon_two_at_high_counter.count
    high = frozenset(p.staff_id for p in problem.staff if p.can("high_counter"))
    least = count + int(needs_relief(problem, day, noon, on))
    return high, max(least, noon_in_waves(problem, day, noon, on, high, count)), noon


def _noon_shifts(problem: Problem, day: Day, sid: str, noon: Sequence[int], on: set[str]) -> list[DayShift]:
    """The posted shifts that may put ``sid`` at the noon counter: through part of the window and — with the
    轧账 rule, unless leave or an event cuts their day — to the end of staff time."""
    window = set(noon)
    to_close = "daily_routine" in on and not problem.absences_of(sid, day.date)
    n = len(day.slot_starts)
    return [
        s
        for s in person_shifts(problem, day, sid)
        if window & set(range(s.start, s.end)) and not (to_close and s.end != n)
    ]


def noon_paid(problem: Problem, day: Day, sid: str, noon: Sequence[int], on: set[str], least: int) -> int:
    """The fewest paid minutes of a day on which ``sid`` works the noon counter: their shortest posted shift
    that may (:func:`_noon_shifts`), lunch less; ``least`` (any day's fewest) when shifts are free, the
    shifts or lunch rule off, or no posted shift qualifies."""
    if not {"shifts", "lunch"} <= on or problem.config.rules.shifts.mode != "posted":
        return least
    length = lunch_slots(problem, day)
    paid = [
        (s.length - (length if s.lunch else 0)) * day.slot_minutes
        for s in _noon_shifts(problem, day, sid, noon, on)
    ]
    return max(least, min(paid)) if paid else least


@dataclass(frozen=True)
class Need:
    """People of a group that every roster holding a rule has at work on a day (:func:`needs`)."""

    members: frozenset[str]
    count: int
    rule: str  # the rule that needs them
    zh: str  # who they are, for an explanation
    en: str


def needs(problem: Problem, day: Day, on: set[str]) -> list[Need]:
    """The groups of people every roster holding the active rules has at work on ``day``, and how many of
    each: the authority holders who cover every open slot (two where one alone would need a lunch among
    them), the lobby manager and backup (one more to relieve their lunches), the noon rule's high-counter
    people (:func:`noon_need`), the floor and the noon counter together (never the same person at once), and
    the two at opening and closing."""
    cfg, staff = problem.config, problem.staff
    out: list[Need] = []
    if not day.is_open:
        return out

    def group(test: Callable[[Person], bool]) -> frozenset[str]:
        return frozenset(p.staff_id for p in staff if test(p))

    opened = list(day.open_slots)
    relief = int(needs_relief(problem, day, opened, on))
    if "permission_holder" in on:
        prm = cfg.rules.permission_holder
        groups = [tuple(prm.authorities)] if prm.require == "any" else [(a,) for a in prm.authorities]
        for auths in groups:
            held = frozenset(p.staff_id for p in staff if any(p.holds(a) for a in auths))
            zh = "或".join(AUTHORITY_LABELS[a][0] for a in auths) + "持有人"
            en = "holders of the " + " or ".join(AUTHORITY_LABELS[a][1] for a in auths)
            out.append(Need(held, 1 + relief, "permission_holder", zh, en))
    lobby = group(lambda p: p.can("lobby"))
    floor = 0
    if "lobby_manager" in on and cfg.rules.lobby_manager.coverage >= 1.0:
        floor = 2 if cfg.rules.lobby_manager.backup else 1
        out.append(Need(lobby, floor + relief, "lobby_manager", "可任大堂经理的人", "lobby-capable people"))
    at_noon = noon_need(problem, day, on)
    if at_noon is not None:
        high, need, _ = at_noon
        rule = "noon_two_at_high_counter"
        out.append(
            Need(
                high, need, rule, "午间高柜人员 (午餐分批)", "people for the noon high counter (lunch waves)"
            )
        )
        apart = floor if "high_counter" not in cfg.rules.lobby_manager.backup_activities else min(floor, 1)
        together = cfg.rules.noon_two_at_high_counter.count + apart
        out.append(
            Need(high | lobby, together, rule, "午间高柜与大堂人员", "people for the noon counter and floor")
        )
    if "daily_routine" in on:
        prm_r = cfg.rules.daily_routine
        out.append(
            Need(
                group(lambda p: True),
                prm_r.min_at_open_close,
                "daily_routine",
                "开关门人员",
                "people at opening and closing",
            )
        )
        ops = group(lambda p: p.holds("operations"))
        out.append(
            Need(
                ops,
                1,
                "daily_routine",
                "营业主管权限持有人 (轧账)",
                "operations-authority holders (reconciliation)",
            )
        )
    return out


def people_needed(problem: Problem, day: Day, on: set[str]) -> list[tuple[frozenset[str], int]]:
    """(group of people, how many of them) of :func:`needs`."""
    return [(n.members, n.count) for n in needs(problem, day, on)]


def _noon_counter(
    m: cp_model.CpModel,
    problem: Problem,
    days: Sequence[Day],
    on: set[str],
    w: dict[tuple[str, dt.date], Any],
    least: int,
    guards: dict[dt.date, Any] | None = None,
) -> dict[tuple[str, dt.date], tuple[Any, int]]:
    """(person, date) → (works the noon counter that day, the fewest minutes such a day pays:
    :func:`noon_paid`), with each day's :func:`noon_need` of them at the counter (under the day's literal of
    ``guards``, when given)."""
    out: dict[tuple[str, dt.date], tuple[Any, int]] = {}
    for d in days:
        at = noon_need(problem, d, on)
        if at is None:
            continue
        high, need, slots = at
        there = []
        for p in sorted(high):
            if (p, d.date) not in w:
                continue
            y = m.new_bool_var(f"noon_{p}_{d.date}")
            m.add(y <= w[(p, d.date)])
            out[(p, d.date)] = (y, noon_paid(problem, d, p, slots, on, least))
            there.append(y)
        ct = m.add(sum(there) >= min(need, len(there)))
        if guards is not None and d.date in guards:
            ct.only_enforce_if(guards[d.date])
    return out


@dataclass
class _DaysModel:
    """Who works which day under the rules' needs and the labour rule's day limits, priced (:func:`_days_model`)."""

    model: cp_model.CpModel
    terms: list[Any]
    guards: dict[int, tuple[Day, Need]]  # assumption literal index → the need it switches on (``guarded``)


def _days_model(problem: Problem, on: set[str], scale: int, guarded: bool = False) -> _DaysModel:
    """The model of :func:`forced_days_bound`; ``guarded``: each day's need holds under an assumption literal
    (for :func:`staffing_conflict`), and the costs are left out."""
    cfg = problem.config
    prm, costs = cfg.rules.labour, cfg.costs
    days = [d for d in problem.days if d.slot_starts]
    m = cp_model.CpModel()
    avail = "availability" in on
    w = {
        (p.staff_id, d.date): m.new_bool_var(f"w_{p.staff_id}_{d.date}")
        for p in problem.staff
        for d in days
        if not (avail and problem.away_all_day(p.staff_id, d.date))
    }
    guards: dict[int, tuple[Day, Need]] = {}
    at_noon: dict[dt.date, Any] = {}  # the guard of the day's noon-counter need
    for d in days:
        for need in needs(problem, d, on):
            there = [w[(p, d.date)] for p in sorted(need.members) if (p, d.date) in w]
            ct = m.add(sum(there) >= min(need.count, len(there)))
            if guarded:
                lit = m.new_bool_var(f"need_{len(guards)}")
                ct.only_enforce_if(lit)
                guards[lit.index] = (d, need)
                if need.rule == "noon_two_at_high_counter":
                    at_noon.setdefault(d.date, lit)
    per_min = costs.staff_hour / 60.0
    unused = round(prm.unused_hour_cny / 60.0 * scale)
    holiday = round((costs.holiday_multiplier - 1) * per_min * scale)
    # the least paid of a day worked: a shortest shift, or one just long enough for lunch less the lunch
    # (without the lunch rule a lunch may be taken on any shift)
    shortest, lunch = round(prm.min_shift_hours * 60), cfg.lunch.minutes
    without = round(cfg.lunch.min_shift_hours * 60) if "lunch" in on else 0
    least = max(0, min(shortest, max(shortest, without + 1) - lunch))
    noon = _noon_counter(m, problem, days, on, w, least, at_noon if guarded else None)
    over = math.floor(per_min * scale)
    premium = math.floor((costs.overtime_multiplier - 1) * per_min * scale)
    terms: list[Any] = []
    for person in problem.staff:
        mine = {d: w[(person.staff_id, d.date)] for d in days if (person.staff_id, d.date) in w}
        cap = daily_cap_minutes(problem, person)
        weeks = person_weeks(problem, person)
        for k, week in enumerate(weeks):  # the weekly limits in each calendar week of the plan
            tag = person.staff_id if len(weeks) == 1 else f"{person.staff_id}_{k}"
            theirs = {d: v for d, v in mine.items() if d.date in week.dates}
            paid = sum(longest_paid(problem, d, cap) * v for d, v in theirs.items())
            wk = week.hours
            m.add(paid >= wk.floor)
            short = m.new_int_var(0, wk.expected, f"unused_{tag}")
            m.add(short >= wk.expected - paid)
            terms.append(unused * short)
            # the fewest minutes paid: each day at its shortest shift, a day at the noon counter at the
            # shortest shift that works it; beyond the expected hours salary, beyond the contract the
            # overtime premium, and never beyond the cap
            fewest = sum(least * v for v in theirs.values()) + sum(
                (min(cap, n) - least) * y
                for (p, date), (y, n) in noon.items()
                if p == person.staff_id and date in week.dates
            )
            most = 24 * 60 * len(theirs)
            beyond = m.new_int_var(0, most, f"beyond_{tag}")
            m.add(beyond >= fewest - wk.expected)
            ot = m.new_int_var(0, most, f"overtime_{tag}")
            m.add(ot >= fewest - wk.base)
            m.add(fewest <= wk.cap)
            terms += [over * beyond, premium * ot]
            rd = week.rest
            if rd is not None:
                counted = sum(v for d, v in theirs.items() if d.date in rd.counted)
                m.add(sum(theirs.values()) <= rd.most)
                extra = m.new_int_var(0, sum(1 for d in days if d.date in week.dates), f"extra_{tag}")
                m.add(extra >= counted - rd.due)
                terms.append(round((costs.rest_day_multiplier - 1) * per_min * cap * scale) * extra)
        by_date = {d.date: v for d, v in mine.items()}
        for part, limit in consecutive_windows(problem, person):
            m.add(sum(by_date[d] for d in part if d in by_date) <= limit)
        terms.extend(holiday * least * v for d, v in mine.items() if d.day_type == "holiday")
    return _DaysModel(m, [] if guarded else terms, guards)


def forced_days_bound(problem: Problem, active: Sequence[str], scale: int, units: float = 1.0) -> int:
    """A bound on the labour rule's costs alone (model units): who works which day, with each day at least
    the people :func:`needs` says, each person within the rest-day, consecutive-day and contract limits;
    priced as the model prices rest-day work, unused contract hours (a day counted at its longest paid
    shift), holiday pay (a day at its shortest shift), and salary beyond the expected hours and the overtime
    premium beyond the contract (a day at its shortest shift, or at the shortest that works the noon counter
    for those the noon rule needs there). A small CP-SAT model; its proven bound after ``units`` of
    deterministic work is returned, so it stays a bound when not solved to the end; 0 when the labour rule
    is off."""
    on = set(active)
    if "labour" not in on:
        return 0
    dm = _days_model(problem, on, scale)
    dm.model.minimize(sum(dm.terms))
    s = stop.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_deterministic_time = units
    st = s.solve(dm.model)
    if st == cp_model.INFEASIBLE:
        return 0  # the week cannot be staffed: staffing_conflict explains it, this bound stays quiet
    return max(0, math.floor(s.best_objective_bound + 1e-6)) if st != cp_model.UNKNOWN else 0


def staffing_conflict(problem: Problem, active: Sequence[str], seconds: float = 2.0) -> list[Violation]:
    """Why no roster can staff the plan, when the days alone show it: the needs of :func:`needs` on some days
    that the people's working days — within the labour rule's weekly hours, rest days, consecutive days and
    their leave — cannot all meet (a small conflict, found within ``seconds``); [] when the days allow it, the
    labour rule is off, or no proof came in time."""
    on = set(active)
    if "labour" not in on:
        return []
    dm = _days_model(problem, on, 1, guarded=True)
    m = dm.model
    m.add_assumptions([m.get_bool_var_from_proto_index(i) for i in sorted(dm.guards)])
    s = stop.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = seconds
    if s.solve(m) != cp_model.INFEASIBLE:
        return []
    by_need: dict[tuple[str, str, str, frozenset[str], int], list[dt.date]] = {}
    for i in s.sufficient_assumptions_for_infeasibility():
        if i in dm.guards:
            d, n = dm.guards[i]
            by_need.setdefault((n.rule, n.zh, n.en, n.members, n.count), []).append(d.date)
    out = []
    for (rule, zh, en, members, count), dates in by_need.items():
        who = sorted(members)
        on_zh = "、".join(day_label(x) for x in sorted(dates))
        on_en = ", ".join(day_label(x, "en") for x in sorted(dates))
        out.append(
            Violation(
                rule,
                min(dates),
                None,
                None,
                f"{on_zh}: 每天至少需要 {count} 名{zh} (可选: {names(problem, who)})",
                f"{on_en}: each day needs {count} {en} (from: {names(problem, who)})",
                tuple(who),
            )
        )
    if out:
        out.append(
            Violation(
                "labour",
                None,
                None,
                None,
                "以上各天的需要合计超出这些人按每周工时、休息日、连续工作天数与请假所能出勤的天数; "
                "可允许加班 (labor.max_weekly_overtime_hours)、临时授权 (staff.csv 权限) 或调整请假",
                "together these days need more working days than these people have within their weekly "
                "hours, rest days, consecutive days and leave; allow overtime (labor.max_weekly_overtime_hours), "
                "delegate an authority (staff.csv 权限) or move leave",
            )
        )
    return out
