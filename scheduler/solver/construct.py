"""A first roster day by day: with who works which day fixed, a week falls apart into its days.

Once the days-off pattern (:func:`scheduler.solver.search.days_pattern`) says who works which day, the days of
a week are tied together only by the labour rule's weekly hours (and, softly, fairness; rest between shifts
binds only when a staff day is longer than a day less the rest). :func:`paid_bounds` replaces the weekly
hours by bounds on each person-day's paid minutes whose sums keep them — the contract floor spread over the
days worked, the weekly cap likewise — so each day can be solved alone, on its own small model
(:func:`scheduler.solver.submodel.isolated_day`), two at a time. On a big branch this finds a first roster in a
fraction of what local search on the whole week needs (``benchmarks/bench_family.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from constraints.calendar import Day
from constraints.problem import Problem
from constraints.roster import Roster
from constraints.rules import enabled_rules
from constraints.rules.labour import consecutive_windows, daily_cap_minutes, person_weeks
from constraints.staff import Absence, Staff
from scheduler.solver import stop
from scheduler.solver.bound import longest_paid, people_needed

SHORT_PENALTY = 10_000
"""Pattern cost of a person short of what every roster needs at work on a day."""

EXTRA_DAY_PENALTY = 5_000
"""Pattern cost of a day worked beyond the standard days (rest-day work): below a shortfall of what every
roster needs (:func:`scheduler.solver.bound.people_needed`), so a week the staff cannot cover in five days
each gets a sixth where that needs it, but above a shortfall of the rules' estimates."""

ESTIMATE_PENALTY = 2_000
"""Pattern cost of a person short of a rule's ``headcount`` estimate on a day (short shifts may make up
for it, a rest day would cost more), far above the spread terms."""

CHANGE_PENALTY = 1_000
"""Pattern cost of a re-plan's person-day worked where the roster being repaired had them off, or off where
it had them work (``prefer``): below a shortfall, above the spread terms, so a re-plan's pattern follows the
roster unless a need or a rule moves it."""


CHANGE_PENALTY = 1_000
"""Pattern cost of a re-plan's person-day worked where the roster being repaired had them off, or off where
it had them work (``prefer``): below a shortfall, above the spread terms, so a re-plan's pattern follows the
roster unless a need or a rule moves it."""

_Works = dict[tuple[str, dt.date], cp_model.IntVar]
"""The pattern model's Booleans: person p works day d."""


def _days_worked(
    m: cp_model.CpModel,
    problem: Problem,
    days: list[Day],
    w: _Works,
    paid: Mapping[tuple[str, dt.date], int] | None = None,
) -> list[Any]:
    """Each person's days within the labour rule's limits (in each calendar week of the plan, the days due of a
    full week —
    :func:`constraints.rules.labour.rest_days`: 做五休二, fewer in a week with fewer standard working days, leave
    or 补休 granted — rest days and the weekly floor at each day's longest paid shift; consecutive days over
    the whole plan), none on
    a day away; the days each works beyond the days due (for ``EXTRA_DAY_PENALTY``). ``paid``: a re-plan's
    days kept whole count towards the weekly hours with their paid minutes, not the longest shift."""
    cfg = problem.config
    lab = cfg.rules.labour
    extra_days: list[Any] = []
    for person in problem.staff:
        p = person.staff_id
        avail_all = [d for d in days if not problem.away_all_day(p, d.date)]
        for d in days:
            if d not in avail_all:
                m.add(w[(p, d.date)] == 0)
        weeks = person_weeks(problem, person)
        for k, week in enumerate(weeks):  # each calendar week: its days due, its rest days, its hours
            wdays = [d for d in days if d.date in week.dates]
            avail = [d for d in avail_all if d.date in week.dates]
            worked = sum(w[(p, d.date)] for d in wdays)
            rd = week.rest
            if rd is not None and lab.enabled:  # the days due (做五休二, less leave and 补休), rest on others
                counted = sum(w[(p, d.date)] for d in avail if d.date in rd.counted)
                m.add(worked <= rd.most)
                m.add(worked >= min(rd.due, rd.most, len(avail)))
                extra = m.new_int_var(0, len(wdays), f"extra_{p}" if len(weeks) == 1 else f"extra_{p}_{k}")
                m.add(extra >= counted - rd.due)
                extra_days.append(extra)
            else:
                m.add(worked == len(avail))
            if lab.enabled:
                cap = daily_cap_minutes(problem, person)
                most = {d.date: (paid or {}).get((p, d.date), longest_paid(problem, d, cap)) for d in wdays}
                m.add(sum(most[d.date] * w[(p, d.date)] for d in wdays) >= week.hours.floor)
        if lab.enabled:
            for part, limit in consecutive_windows(problem, person):
                m.add(sum(w[(p, d)] for d in part if (p, d) in w) <= limit)
    return extra_days


def _members(problem: Problem, key: str) -> list[str]:
    """The people a rule's ``headcount`` key counts: everyone (``*``), holders of any of the authorities
    (``any:a|b``), or those with the skill or authority."""
    if key == "*":
        return problem.staff.ids()
    if key.startswith("any:"):
        auths = key[4:].split("|")
        return [x.staff_id for x in problem.staff if any(x.holds(a) for a in auths)]
    return [x.staff_id for x in problem.staff if x.can(key) or x.holds(key)]


def _headcounts(
    m: cp_model.CpModel, problem: Problem, days: list[Day], w: _Works, boost: Mapping[dt.date, int]
) -> tuple[list[Any], dict[str, list[str]]]:
    """Penalised shortfalls of each day's people: what every roster needs first (``SHORT_PENALTY``), then the
    hard rules' ``headcount`` estimates (``ESTIMATE_PENALTY``); and the groups of people those estimates name.
    A day boosted once (``boost``: a pattern before could not staff it) has the estimates as needs, worth a
    rest day worked; each boost beyond adds one to every need."""
    ids = problem.staff.ids()
    rules = [r for r in enabled_rules(problem.config) if r.kind == "hard"]
    on = {r.name for r in rules}
    dev: list[Any] = []
    groups: dict[str, list[str]] = {"*": ids}

    def at_least(group: list[str], want: int, d: Day, penalty: int) -> None:
        short = m.new_int_var(0, want, f"short_{len(dev)}")
        m.add(sum(w[(p, d.date)] for p in group) + short >= want)
        dev.append(penalty * short)

    for d in days:
        more = boost.get(d.date, 0)
        for needed, need in people_needed(problem, d, on):  # what every roster has: first
            group = [p for p in ids if p in needed and not problem.away_all_day(p, d.date)]
            at_least(group, min(need + max(0, more - 1), len(group)), d, SHORT_PENALTY)
        for r in rules:  # then the rules' estimates, never at the price of a rest day (unless boosted)
            for key, need in r.headcount(problem, d).items():
                group = [p for p in _members(problem, key) if not problem.away_all_day(p, d.date)]
                groups.setdefault(key, _members(problem, key))
                at_least(group, min(need, len(group)), d, SHORT_PENALTY if more else ESTIMATE_PENALTY)
    return dev, groups


def _spread(
    m: cp_model.CpModel, problem: Problem, days: list[Day], w: _Works, groups: dict[str, list[str]]
) -> list[Any]:
    """Deviations of each group's people per day from its share of the group's person-days, the share in
    proportion to the day's forecast arrivals (everyone's deviations weigh three times a group's)."""
    weight = {}
    for d in days:
        arrivals = sum(float(np.sum(problem.demand[k].arrivals)) for k in problem.demand if k[0] == d.date)
        weight[d.date] = arrivals if arrivals > 0 else float(len(d.open_slots) or 1)
    total_w = sum(weight.values()) or 1.0
    dev: list[Any] = []
    for key, group in groups.items():
        size = sum(1 for p in group for d in days)  # person-days of the group
        if not group or size == 0:
            continue
        total = m.new_int_var(0, size, f"total_{key}")
        m.add(total == sum(w[(p, d.date)] for p in group for d in days))
        for d in days:
            count = sum(w[(p, d.date)] for p in group)
            # |count · Σweight − total · weight_d| in integer units
            scale_d = round(100 * weight[d.date] / total_w)
            e = m.new_int_var(0, 100 * size, f"dev_{key}_{d.date}")
            m.add(e >= 100 * count - scale_d * total)
            m.add(e >= scale_d * total - 100 * count)
            dev.append((3 if key == "*" else 1) * e)
    return dev


def days_pattern(
    problem: Problem,
    seed: int = 0,
    seconds: float = 0.5,
    boost: Mapping[dt.date, int] | None = None,
    fixed: Mapping[tuple[str, dt.date], int] | None = None,
    prefer: Mapping[tuple[str, dt.date], int] | None = None,
    paid: Mapping[tuple[str, dt.date], int] | None = None,
) -> dict[tuple[str, dt.date], int] | None:
    """A days-off pattern to start from: who works which day (a small CP-SAT model, deterministic).

    Everyone available works the days due of a full week (:func:`constraints.rules.labour.rest_days`: 做五休二,
    fewer in a week with fewer standard working days, leave or 补休 granted; every day of a shorter plan),
    within the labour rule's day limits — or a rest day more (``EXTRA_DAY_PENALTY``) where the staff cannot
    otherwise meet what every roster needs; each day has at least those people (as far as the staff
    allows; ``boost`` adds to a day's needs), then as far as it can the rules' ``headcount`` estimates of
    each skill and authority; the rest is spread over the days in proportion to their forecast arrivals.
    A heuristic: the roster search checks it and drops it if it cannot be staffed. A re-plan gives
    ``fixed`` (the person-days its kept part decides), ``prefer`` (the roster it repairs: each person-day
    that differs costs ``CHANGE_PENALTY``) and ``paid`` (the paid minutes of its days kept whole, counted
    towards the weekly hours as they are, not as the longest shift).
    """
    days = [d for d in problem.days if d.slot_starts]
    if not days:
        return None
    m = cp_model.CpModel()
    ids = problem.staff.ids()
    w = {(p, d.date): m.new_bool_var(f"w_{p}_{d.date}") for p in ids for d in days}
    extra_days = _days_worked(m, problem, days, w, paid)
    dev, groups = _headcounts(m, problem, days, w, boost or {})
    dev += _spread(m, problem, days, w, groups)
    for pd_key, v in (fixed or {}).items():
        if pd_key in w:
            m.add(w[pd_key] == v)
    for pd_key, v in (prefer or {}).items():
        if pd_key in w and pd_key not in (fixed or {}):
            dev.append(CHANGE_PENALTY * (1 - w[pd_key] if v else w[pd_key]))
    m.minimize(sum(dev) + EXTRA_DAY_PENALTY * sum(extra_days))
    s = stop.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.random_seed = seed
    s.parameters.max_deterministic_time = seconds
    st = s.solve(m)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {k: int(s.value(v)) for k, v in w.items()}


def _level(most: list[int], want: int) -> int:
    """The least level L with Σ min(most, L) ≥ want."""
    lo, hi = 0, max(most, default=0)
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (mid + 1, hi) if sum(min(m, mid) for m in most) < want else (lo, mid)
    return lo


@dataclass
class HoursLeft:
    """What a person's weekly hours (the labour rule's floor and cap, in paid minutes) still ask of the days
    of the pattern not built yet (``most``: the most each can pay)."""

    floor: int
    cap: int
    least: int  # the fewest paid minutes of a day worked (the shortest shift)
    most: dict[dt.date, int]

    def bounds(self, day: dt.date) -> tuple[int, int, int, int]:
        """(least, most, aim, top) paid minutes on ``day`` such that the days after it can still meet the floor
        and stay under the cap; ``aim``: the floor levelled over the days left (what the day should pay);
        ``top``: the cap levelled likewise (what the day should not pay beyond, so that a six-day week under a
        40-hour cap does not spend it all before its last day)."""
        others = [m for d, m in self.most.items() if d != day]
        most = min(self.most[day], self.cap - self.least * len(others))
        least = min(most, max(0, self.floor - sum(others)))
        aim = min(most, max(least, _level(list(self.most.values()), self.floor)))
        top = max(aim, min(most, _level(list(self.most.values()), self.cap)))
        return least, most, aim, top

    def built(self, day: dt.date, paid: int) -> None:
        """``day`` is built with ``paid`` minutes."""
        del self.most[day]
        self.floor -= paid
        self.cap -= paid


class WeeksLeft:
    """:class:`HoursLeft` of each calendar week of a plan of several weeks, asked by date."""

    def __init__(self, weeks: list[HoursLeft]) -> None:
        self.weeks = weeks

    def _of(self, day: dt.date) -> HoursLeft:
        return next(w for w in self.weeks if day in w.most)

    @property
    def most(self) -> dict[dt.date, int]:
        """The days not built yet, with the most each can pay."""
        return {d: m for w in self.weeks for d, m in w.most.items()}

    def bounds(self, day: dt.date) -> tuple[int, int, int, int]:
        """:meth:`HoursLeft.bounds` in ``day``'s week."""
        return self._of(day).bounds(day)

    def built(self, day: dt.date, paid: int) -> None:
        """:meth:`HoursLeft.built` in ``day``'s week."""
        self._of(day).built(day, paid)


def hours_left(
    problem: Problem,
    pattern: dict[tuple[str, dt.date], int],
    paid: Mapping[tuple[str, dt.date], int] | None = None,
) -> dict[str, HoursLeft | WeeksLeft] | None:
    """Each person's :class:`HoursLeft` before any day is built (people the pattern keeps home all week
    left out; in a plan of several weeks a :class:`WeeksLeft` of the weeks they work in); None when the
    pattern cannot meet someone's floor; empty when the labour rule is off."""
    if not problem.config.rules.labour.enabled:
        return {}
    least = round(problem.config.rules.labour.min_shift_hours * 60)
    out: dict[str, HoursLeft | WeeksLeft] = {}
    for person in problem.staff:
        p = person.staff_id
        cap = daily_cap_minutes(problem, person)
        weeks = person_weeks(problem, person)
        mine = []
        for week in weeks:
            most = {
                d.date: (paid or {}).get((p, d.date), longest_paid(problem, d, cap))
                for d in problem.days
                if d.date in week.dates and d.slot_starts and pattern.get((p, d.date))
            }
            if not most:
                continue
            wk = week.hours
            if sum(most.values()) < wk.floor or least * len(most) > wk.cap:
                return None
            mine.append(HoursLeft(wk.floor, wk.cap, least, most))
        if len(weeks) == 1 and mine:
            out[p] = mine[0]
        elif mine:
            out[p] = WeeksLeft(mine)
    return out


def day_problem(
    problem: Problem, day: Day, pattern: Mapping[tuple[str, dt.date], int], before: Roster | None = None
) -> Problem:
    """The plan of ``day`` alone with the pattern's people: those it keeps home are away all day, and nobody
    brings a streak of days worked into it (the pattern keeps the plan's consecutive-day limits); the rest
    after last week's last shift (``Person.prev_shift_end``) binds the plan's first day only (between the
    plan's own days the whole model checks it) — and, when
    ``before`` (a re-plan's kept roster) has the day before, the rest after that day's shift."""
    home = [
        Absence(staff_id=p, date=day.date, reason="pattern")
        for p in problem.staff.ids()
        if not pattern.get((p, day.date), 0) and not problem.away_all_day(p, day.date)
    ]
    yesterday = day.date - dt.timedelta(days=1)
    kept = before is not None and yesterday in before.dates()
    people = []
    for person in problem.staff:
        carried: dict[str, object] = {"prev_consecutive_days": 0}
        if kept and before is not None:
            shift = before.shift(yesterday, person.staff_id)
            carried["prev_shift_end"] = shift[1] if shift else None
        elif problem.days and day.date != problem.days[0].date:
            carried["prev_shift_end"] = None
        people.append(person.model_copy(update=carried))
    return problem.replace(
        days=(day,), staff=Staff(people=tuple(people)), absences=(*problem.absences, *home)
    )


def add_paid_bounds(
    model: cp_model.CpModel,
    terms: tuple[list[int], list[int]],
    least: int,
    most: int,
    aim: int,
    top: int | None = None,
) -> list[int]:
    """least ≤ paid ≤ most on proto indexes (``terms``: paid minutes as :meth:`RosterVars.paid_terms` gives
    them), and new variables — the minutes short of ``aim``, and those beyond ``top`` — whose indexes are
    returned for the objective."""
    proto = model.proto
    c = proto.constraints.add()
    c.linear.vars.extend(terms[0])
    c.linear.coeffs.extend(terms[1])
    c.linear.domain.extend([least, most])
    short = len(proto.variables)
    proto.variables.add().domain.extend([0, max(0, aim)])
    c = proto.constraints.add()  # short + paid ≥ aim
    c.linear.vars.extend([short, *terms[0]])
    c.linear.coeffs.extend([1, *terms[1]])
    c.linear.domain.extend([aim, 2**40])
    if top is None or top >= most:
        return [short]
    over = len(proto.variables)
    proto.variables.add().domain.extend([0, most - top])
    c = proto.constraints.add()  # paid − over ≤ top
    c.linear.vars.extend([over, *terms[0]])
    c.linear.coeffs.extend([-1, *terms[1]])
    c.linear.domain.extend([-(2**40), top])
    return [short, over]
