"""labour — 劳动用工 (working time law and contracts), and what the hours cost.

Hard:

* one shift a day, in one piece plus lunch (the model's shift templates guarantee it; ``check`` audits it);
* daily paid hours ≤ the smaller of the person's and the branch's ``max_daily_hours``;
* weekly paid hours ≤ ``min(person, branch weekly hours) + labor.max_weekly_overtime_hours``;
* staff are salaried: weekly paid hours ≥ their expected hours − ``rules.labour.contract_slack_hours``, where
  the expected hours are the contract scaled to the standard working days in the plan (a week: five) less the
  leave taken — so the optimizer cannot send people home;
* at least ``labor.min_rest_days`` days of rest in a 7-day plan: days neither worked nor on leave (annual leave
  is not rest; a day the branch is closed is — so 做五休二's second rest day falls on an open day, and working
  every open day of a six-day week is rest-day work, priced and owed as 补休); at most
  ``labor.max_consecutive_days`` in a row,
  counting ``Person.prev_consecutive_days`` worked up to the day before the plan (from last week's roster,
  :mod:`constraints.carry`, or the staff file's 上周末连续工作天数);
* at least ``labor.min_rest_hours`` between the end of one shift and the start of the next — also between
  last week's last shift (``Person.prev_shift_end``, carried in from last week's roster) and the first day.

A plan of several weeks (``paiban plan --weeks N``, :meth:`Problem.for_horizon`) is one model: the weekly
limits — hours, rest days, rest-day work and its pay, overtime — hold in each calendar week
(:func:`plan_weeks`, :func:`person_weeks`), the consecutive days and the rest between shifts over the whole
plan, across every Sunday night.

Cost (CNY): the salary ``staff_hour × max(hours, expected hours)`` — an unused contract hour costs as much as a
worked one, so under-use is never a saving — plus ``rules.labour.unused_hour_cny`` per unused hour, so the
contract is used in full wherever that costs nothing else; overtime hours above the contract paid ``× overtime_multiplier``;
hours on statutory holidays ``× holiday_multiplier``; in a 7-day plan each day worked (holidays aside) beyond
the days due (:class:`RestDays`: 做五休二, ``standard_days_per_week`` or the plan's fewer standard days, less
leave and the 补休 granted) is rest-day work, priced as a full day ``× rest_day_multiplier``.

轮休 and 补休 (``rules.labour.comp_days``): every rest day worked is owed back as a day off. The days owed come in
as ``Person.comp_days_owed`` (staff.csv 补休天数, or the last plan's summary.json ``comp_days_owed``); the plan
grants them as paid days off — each lowers the days due and the contract hours like a day of leave — and
:func:`comp_days_after` is what is still owed after it (granted ones paid back, rest days worked added). A
plan of several weeks grants the days owed before it in its first weeks; the rest days worked in it are owed
after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from constraints.calendar import Day
from constraints.config import fmt_hhmm
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import ModelVars, PenaltyTerm, Rule, day_label, names, when
from constraints.staff import Person, Staff

STANDARD_DAY_TYPES = ("workday", "makeup_workday")


@dataclass(frozen=True)
class WeeklyHours:
    """A person's weekly hour bounds for the plan, in minutes."""

    base: int  # min(person, branch) weekly hours
    expected: int  # base scaled to the plan's standard days, less leave
    floor: int  # expected − slack (≥ 0)
    cap: int  # base + planned overtime


def daily_cap_minutes(problem: Problem, person: Person) -> int:
    """Most paid minutes a day."""
    branch = problem.config.labor.max_daily_hours
    own = person.max_daily_hours if person.max_daily_hours is not None else branch
    return round(min(own, branch) * 60)


@dataclass(frozen=True)
class RestDays:
    """A person's days under 做五休二 in a 7-day plan."""

    due: int  # days to work before rest-day work: the standard days less leave days and comp days granted
    most: int  # the most days they may work: the days not on leave less labor.min_rest_days
    granted: int  # comp days (补休) owed and granted as days off this plan
    counted: tuple[dt.date, ...]  # the days whose work counts: every day but statutory holidays


def leave_days(problem: Problem, person: Person) -> int:
    """Whole days of leave (or events) on open days that are not statutory holidays."""
    return sum(
        1
        for d in problem.days
        if d.day_type != "holiday"
        and d.staff_hours is not None
        and problem.away_all_day(person.staff_id, d.date)
    )


def rest_days(problem: Problem, person: Person) -> RestDays:
    """The person's :class:`RestDays` in ``problem`` taken as one week (for a 7-day week; the labour rule prices
    nothing else; a plan of several weeks asks :func:`person_weeks`)."""
    prm = problem.config.rules.labour
    counted = tuple(d.date for d in problem.days if d.day_type != "holiday")
    standard = min(
        prm.standard_days_per_week, sum(1 for d in problem.days if d.day_type in STANDARD_DAY_TYPES)
    )
    base = max(0, standard - leave_days(problem, person))
    granted = min(person.comp_days_owed, base) if prm.comp_days else 0
    most = len(problem.days) - leave_days(problem, person) - problem.config.labor.min_rest_days
    return RestDays(base - granted, max(0, most), granted, counted)


def comp_days_after(problem: Problem, roster: Roster) -> dict[str, int]:
    """补休 still owed per person after ``roster`` (a 7-day plan with ``comp_days`` on; else empty): what was
    owed, less the days granted, plus the rest days worked."""
    if len(problem.days) < 7 or not problem.config.rules.labour.comp_days:
        return {}
    out = {}
    for person in problem.staff:
        owed = person.comp_days_owed
        for week in person_weeks(problem, person):
            rd = week.rest
            if rd is None:
                continue
            worked = sum(1 for d in rd.counted if roster.works(d, person.staff_id))
            owed += max(0, worked - rd.due) - rd.granted
        out[person.staff_id] = owed
    return out


def weekly_hours(problem: Problem, person: Person) -> WeeklyHours:
    """The person's weekly bounds in ``problem`` taken as one week (comp days granted count as leave; a plan of
    several weeks asks :func:`person_weeks`)."""
    lab = problem.config.labor
    prm = problem.config.rules.labour
    base = round(min(person.weekly_hours, lab.weekly_hours) * 60)
    std = prm.standard_days_per_week
    n_std = sum(1 for d in problem.days if d.day_type in STANDARD_DAY_TYPES)
    per_day = base / std
    leave = 0.0
    for day in problem.days:
        away = problem.absences_of(person.staff_id, day.date)
        if not away or day.staff_hours is None:
            continue
        if any(a.hours is None for a in away):
            leave += per_day
            continue
        sh = day.staff_hours
        minutes = sum(
            max(0, min(a.hours.end, sh.end) - max(a.hours.start, sh.start)) for a in away if a.hours
        )
        leave += min(per_day, minutes)
    if len(problem.days) >= 7:
        leave += per_day * rest_days(problem, person).granted
    expected = max(0, round(base * min(n_std, std) / std - leave))
    floor = max(0, expected - round(prm.contract_slack_hours * 60))
    return WeeklyHours(base, expected, floor, base + round(lab.max_weekly_overtime_hours * 60))


@dataclass(frozen=True)
class PersonWeek:
    """One calendar week of a plan for one person: its days, the person as the week sees them, its limits."""

    problem: Problem  # the week's days alone (:func:`plan_weeks`)
    person: Person  # from the second week on: no run of days or last shift brought in, the 补休 still owed
    dates: tuple[dt.date, ...]
    hours: WeeklyHours
    rest: RestDays | None  # None: a week of fewer than seven days (no rest-day limit or rest-day work)


def _week_days(problem: Problem) -> tuple[Problem, ...]:
    """The plan's calendar weeks as problems of their own days, with the plan's staff (the plan itself when it
    has one week)."""

    def split() -> tuple[Problem, ...]:
        groups = problem.week_dates()
        if len(groups) == 1:
            return (problem,)
        out = []
        for dates in groups:
            ds = set(dates)
            out.append(
                problem.replace(
                    days=tuple(d for d in problem.days if d.date in ds),
                    absences=tuple(a for a in problem.absences if a.date in ds),
                    demand={k: v for k, v in problem.demand.items() if k[0] in ds},
                )
            )
        return tuple(out)

    return problem.memo("labour.week_days", split)


def person_weeks(problem: Problem, person: Person) -> tuple[PersonWeek, ...]:
    """The person's calendar weeks of the plan (one for a plan of a week or less), each with its own weekly
    hours and rest days. The second week on sees the person without the run of days and the last shift
    carried into the plan (the plan's own days before it carry them, in the one model) and with the 补休 the
    weeks before did not grant."""

    def make() -> tuple[PersonWeek, ...]:
        out = []
        owed = person.comp_days_owed
        for k, week in enumerate(_week_days(problem)):
            me = person
            if k:
                me = person.model_copy(
                    update={"prev_consecutive_days": 0, "prev_shift_end": None, "comp_days_owed": owed}
                )
            rd = rest_days(week, me) if len(week.days) >= 7 else None
            owed -= rd.granted if rd is not None else 0
            out.append(PersonWeek(week, me, tuple(d.date for d in week.days), weekly_hours(week, me), rd))
        return tuple(out)

    return problem.memo(("labour.person_weeks", person), make)


def plan_weeks(problem: Problem) -> tuple[Problem, ...]:
    """The plan's calendar weeks, each a problem of its own days with its people as :func:`person_weeks` sees
    them (the plan itself when it has one week): what a relaxation per week (the capacity bound) starts
    from — each week's limits as the plan's model has them, nothing that ties the weeks together."""

    def make() -> tuple[Problem, ...]:
        weeks = _week_days(problem)
        if len(weeks) == 1:
            return weeks
        people = [person_weeks(problem, p) for p in problem.staff]
        return tuple(
            week.replace(staff=Staff(people=tuple(pw[k].person for pw in people)))
            for k, week in enumerate(weeks)
        )

    return problem.memo("labour.plan_weeks", make)


def week_label(problem: Problem, week: PersonWeek, lang: str = "zh") -> str:
    """How a check names a week: 本周 / this week in a one-week plan, else the week's first date."""
    if len(problem.week_dates()) == 1:
        return "本周" if lang == "zh" else "this week"
    first = week.dates[0]
    return f"{first:%m-%d} 起的一周" if lang == "zh" else f"the week of {first:%m-%d}"


def consecutive_windows(problem: Problem, person: Person) -> list[tuple[list[dt.date], int]]:
    """(dates, most of them worked) windows enforcing ``max_consecutive_days`` with the previous week's run."""
    m = problem.config.labor.max_consecutive_days
    dates = sorted(d.date for d in problem.days)
    out: list[tuple[list[dt.date], int]] = []
    block: list[dt.date] = []
    blocks: list[list[dt.date]] = []
    for d in dates:
        if block and d != block[-1] + dt.timedelta(days=1):
            blocks.append(block)
            block = []
        block.append(d)
    if block:
        blocks.append(block)
    for b_i, blk in enumerate(blocks):
        prev = person.prev_consecutive_days if b_i == 0 else 0
        for i in range(-min(prev, m), len(blk) - m):
            j = max(0, -i)  # days of the window that fall in the previous week (all worked)
            out.append((blk[max(0, i) : i + m + 1], m - j))
    return out


def after_last_week(problem: Problem, person: Person) -> Day | None:
    """The plan's first day when the person's last shift of the week before (``Person.prev_shift_end``, the day
    before it) may leave them too little rest before it; None when it cannot."""
    if person.prev_shift_end is None or not problem.days:
        return None
    first = problem.days[0]
    rest = round(problem.config.labor.min_rest_hours * 60)
    if first.staff_hours is None or 24 * 60 + first.staff_hours.start - person.prev_shift_end >= rest:
        return None
    return first


SALARY, OVERTIME, HOLIDAY_PAY, REST_DAY_PAY, UNUSED_HOURS = (
    "labour.salary",
    "labour.overtime",
    "labour.holiday_pay",
    "labour.rest_day_pay",
    "labour.unused_hours",
)
"""Names of the objective terms :meth:`Labour.encode` returns (and :class:`Pay` reports)."""

PAY_TERMS: tuple[str, ...] = (SALARY, OVERTIME, HOLIDAY_PAY, REST_DAY_PAY)
"""The terms that are money paid to staff (the unused-hours term is a nudge, not pay)."""


@dataclass(frozen=True)
class Pay:
    """What a roster's hours cost, CNY, priced as :meth:`Labour.encode` prices them in the objective.

    ``worked`` and ``holiday`` are per date (the staff-hour rate × paid hours; the holiday premium); the
    salary also pays contract hours left unused (``unused_contract``), since staff are salaried.
    """

    worked: Mapping[dt.date, float]
    holiday: Mapping[dt.date, float]
    unused_contract: float
    overtime: float
    rest_day: float
    unused_penalty: float

    @property
    def salary(self) -> float:
        """Salary: every paid hour, at least the contract's, at the staff-hour rate."""
        return sum(self.worked.values()) + self.unused_contract

    def terms(self) -> dict[str, float]:
        """The objective terms by name (as ``BuiltModel.term_values`` reports a solved roster's)."""
        return {
            SALARY: self.salary,
            OVERTIME: self.overtime,
            HOLIDAY_PAY: sum(self.holiday.values()),
            REST_DAY_PAY: self.rest_day,
            UNUSED_HOURS: self.unused_penalty,
        }


def pay(problem: Problem, roster: Roster) -> Pay:
    """The pay of a finished roster (solver-free): the same terms, rates and hour bounds as the encoding."""
    costs, prm = problem.config.costs, problem.config.rules.labour
    per_min = costs.staff_hour / 60.0
    worked = dict.fromkeys((d.date for d in problem.days), 0.0)
    holiday = dict.fromkeys(worked, 0.0)
    unused = overtime = rest_day = penalty = 0.0
    for person in problem.staff:
        p = person.staff_id
        minutes = {d.date: round(roster.hours(p, [d.date]) * 60) for d in problem.days}
        for day in problem.days:
            worked[day.date] += per_min * minutes[day.date]
            if day.day_type == "holiday":
                holiday[day.date] += (costs.holiday_multiplier - 1) * per_min * minutes[day.date]
        for week in person_weeks(problem, person):
            total = sum(minutes[d] for d in week.dates)
            wk = week.hours
            under = max(0, wk.expected - total)
            unused += per_min * under
            penalty += prm.unused_hour_cny / 60.0 * under
            overtime += (costs.overtime_multiplier - 1) * per_min * max(0, total - wk.base)
            rd = week.rest
            if rd is not None:
                extra = max(0, sum(roster.works(d, p) for d in rd.counted) - rd.due)
                rest_day += (
                    (costs.rest_day_multiplier - 1) * per_min * daily_cap_minutes(problem, person) * extra
                )
    return Pay(worked, holiday, unused, overtime, rest_day, penalty)


class Labour(Rule):
    """Hours, rest and pay."""

    name = "labour"
    label_zh = "工时与休息"
    label_en = "Working time and rest"
    kind = "hard"

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Daily and weekly hour bounds, rest days, consecutive days, rest between shifts; pay terms."""
        cfg = problem.config
        lab, costs = cfg.labor, cfg.costs
        prm = self.params(cfg)
        per_min = costs.staff_hour / 60.0
        days = list(vars.days())
        salary: list[tuple[float, object]] = []
        salary_const = 0.0
        overtime: list[tuple[float, object]] = []
        holiday: list[tuple[float, object]] = []
        rest_day: list[tuple[float, object]] = []
        unused: list[tuple[float, object]] = []
        for person in problem.staff:
            p = person.staff_id
            cap_day = daily_cap_minutes(problem, person)
            for day in days:
                vars.add(vars.paid_minutes(p, day.date) <= cap_day, self.name, day.date)
                if day.day_type == "holiday":
                    holiday.append(((costs.holiday_multiplier - 1) * per_min, vars.paid_minutes(p, day.date)))
            weeks = person_weeks(problem, person)
            for k, week in enumerate(weeks):
                tag = p if len(weeks) == 1 else f"{p}_w{k}"
                wdays = [day for day in days if day.date in week.dates]
                wk = week.hours
                total = sum(vars.paid_minutes(p, day.date) for day in wdays)
                vars.add(total <= wk.cap, self.name, None)
                vars.add(total >= wk.floor, self.name, None)
                horizon = 24 * 60 * max(1, len(wdays))
                under = vars.new_int(0, wk.expected, f"under_{tag}")
                vars.add(under >= wk.expected - total)
                salary.append((per_min, total + under - wk.expected))
                unused.append((prm.unused_hour_cny / 60.0, under))
                salary_const += per_min * wk.expected
                ot = vars.new_int(0, horizon, f"overtime_{tag}")
                vars.add(ot >= total - wk.base)
                overtime.append(((costs.overtime_multiplier - 1) * per_min, ot))
                rd = week.rest
                if rd is not None:
                    vars.add(sum(vars.works(p, d.date) for d in wdays) <= rd.most, self.name, None)
                    extra = vars.new_int(0, len(wdays), f"rest_day_work_{tag}")
                    vars.add(extra >= sum(vars.works(p, d) for d in rd.counted) - rd.due)
                    rest_day.append(((costs.rest_day_multiplier - 1) * per_min * cap_day, extra))
            for part, most in consecutive_windows(problem, person):
                vars.add(sum(vars.works(p, d) for d in part) <= most, self.name, part[0])
            by_date = {day.date: day for day in days}
            rest = round(lab.min_rest_hours * 60)
            first = after_last_week(problem, person)
            if first is not None and first.date in by_date:
                gap = 24 * 60 + vars.shift_start(p, first.date) - (person.prev_shift_end or 0)
                vars.add(gap >= rest, self.name, first.date, enforce=[vars.works(p, first.date)])
            for day in days:
                nxt = by_date.get(day.date + dt.timedelta(days=1))
                if nxt is None or day.staff_hours is None or nxt.staff_hours is None:
                    continue
                if 24 * 60 + nxt.staff_hours.start - day.staff_hours.end >= rest:
                    continue
                gap = 24 * 60 + vars.shift_start(p, nxt.date) - vars.shift_end(p, day.date)
                vars.add(
                    gap >= rest,
                    self.name,
                    nxt.date,
                    enforce=[vars.works(p, day.date), vars.works(p, nxt.date)],
                )
        return [
            vars.cost(SALARY, self.name, salary, salary_const, ("工资", "Salary")),
            vars.cost(OVERTIME, self.name, overtime, 0.0, ("加班费", "Overtime pay")),
            vars.cost(HOLIDAY_PAY, self.name, holiday, 0.0, ("节假日加班费", "Holiday pay")),
            vars.cost(REST_DAY_PAY, self.name, rest_day, 0.0, ("休息日加班费", "Rest-day pay")),
            vars.cost(UNUSED_HOURS, self.name, unused, 0.0, ("合同工时未用", "Contract hours unused")),
        ]

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Shape of each person's day, then daily, weekly, rest-day, consecutive-day and rest-gap limits."""
        out = self._unknown_staff(problem, roster)
        for person in problem.staff:
            worked, minutes, found = self._days_of(problem, roster, person)
            out += found
            out += self._week_of(problem, person, worked, minutes)
            out += self._rest_gaps(problem, roster, person, worked)
        return out

    def _unknown_staff(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Blocks of the plan's days for staff ids the staff list does not have."""
        known = set(problem.staff.ids())
        days = {d.date for d in problem.days}
        return [
            self.violation(
                b.date,
                b.start,
                b.end,
                f"{day_label(b.date)}: 员工名单中没有工号 {b.staff_id}",
                f"{day_label(b.date, 'en')}: staff id {b.staff_id} is not in the staff list",
                [b.staff_id],
            )
            for b in roster.blocks
            if b.date in days and b.staff_id not in known
        ]

    def _days_of(
        self, problem: Problem, roster: Roster, person: Person
    ) -> tuple[list[dt.date], dict[dt.date, int], list[Violation]]:
        """(dates worked, paid minutes of each, each day's shape and daily-cap violations)."""
        p = person.staff_id
        cap_day = daily_cap_minutes(problem, person)
        worked: list[dt.date] = []
        minutes: dict[dt.date, int] = {}
        out: list[Violation] = []
        for day in problem.days:
            blocks = roster.blocks_of(day.date, p)
            if not blocks:
                continue
            worked.append(day.date)
            out.extend(self._day_shape(problem, day, p, blocks))
            paid = sum(b.end - b.start for b in blocks if b.activity != "break")
            minutes[day.date] = paid
            if paid > cap_day:
                who = names(problem, [p])
                out.append(
                    self.violation(
                        day.date,
                        blocks[0].start,
                        max(b.end for b in blocks),
                        f"{when(day)}: {who} 工作 {paid / 60:g} 小时, 超过每日 {cap_day / 60:g} 小时",
                        f"{when(day, lang='en')}: {who} works {paid / 60:g} h, over the daily {cap_day / 60:g} h",
                        [p],
                    )
                )
        return worked, minutes, out

    def _week_of(
        self, problem: Problem, person: Person, worked: list[dt.date], minutes: Mapping[dt.date, int]
    ) -> list[Violation]:
        """Weekly hours outside [floor, cap] and too few rest days (in each calendar week), too many days in
        a row."""
        lab = problem.config.labor
        p = person.staff_id
        who = names(problem, [p])
        out = []
        for week in person_weeks(problem, person):
            total = sum(minutes.get(d, 0) for d in week.dates)
            days = sum(1 for d in worked if d in week.dates)
            zh_week, en_week = week_label(problem, week), week_label(problem, week, "en")
            wk = week.hours
            if total > wk.cap or total < wk.floor:
                zh = f"超过上限 {wk.cap / 60:g}" if total > wk.cap else f"低于应出勤 {wk.floor / 60:g}"
                en = (
                    f"over the cap of {wk.cap / 60:g}"
                    if total > wk.cap
                    else f"under the expected {wk.floor / 60:g}"
                )
                out.append(
                    self.violation(
                        None,
                        None,
                        None,
                        f"{who} {zh_week}工作 {total / 60:g} 小时, {zh} 小时",
                        f"{who} works {total / 60:g} h {en_week}, {en} h",
                        [p],
                    )
                )
            if week.rest is not None and days > week.rest.most:
                away = leave_days(week.problem, person)
                on = "" if len(problem.week_dates()) == 1 else f"{en_week}: "
                out.append(
                    self.violation(
                        None,
                        None,
                        None,
                        f"{who} {zh_week}上班 {days} 天, 请假 {away} 天, 少于 {lab.min_rest_days} 天休息 (请假不算休息)",
                        f"{who} works {on}{days} days with {away} on leave: fewer than {lab.min_rest_days} rest "
                        "days (leave is not rest)",
                        [p],
                    )
                )
        for part, most in consecutive_windows(problem, person):
            if sum(1 for d in part if d in worked) > most:
                out.append(
                    self.violation(
                        part[0],
                        None,
                        None,
                        f"{who} 连续上班超过 {lab.max_consecutive_days} 天 (含上周 {person.prev_consecutive_days} 天)",
                        f"{who} works more than {lab.max_consecutive_days} days in a row "
                        f"(with {person.prev_consecutive_days} from last week)",
                        [p],
                    )
                )
        return out

    def _rest_gaps(
        self, problem: Problem, roster: Roster, person: Person, worked: list[dt.date]
    ) -> list[Violation]:
        """Shifts that start less than ``min_rest_hours`` after the one the day before ended (the first day's
        after last week's last shift, ``Person.prev_shift_end``)."""
        lab = problem.config.labor
        rest = round(lab.min_rest_hours * 60)
        p, who = person.staff_id, names(problem, [person.staff_id])
        ends: list[tuple[dt.date, int]] = []
        if person.prev_shift_end is not None and problem.days:
            ends.append((problem.days[0].date, person.prev_shift_end))
        for d in worked:
            shift = roster.shift(d, p)
            if shift is not None:
                ends.append((d + dt.timedelta(days=1), shift[1]))
        out = []
        for nxt, left in ends:
            after = roster.shift(nxt, p)
            if after and 24 * 60 + after[0] - left < rest:
                out.append(
                    self.violation(
                        nxt,
                        after[0],
                        after[1],
                        f"{day_label(nxt)}: {who} 两班间隔不足 {lab.min_rest_hours:g} 小时 "
                        f"(前一天 {fmt_hhmm(left)} 下班)",
                        f"{day_label(nxt, 'en')}: {who} rests less than {lab.min_rest_hours:g} h between "
                        f"shifts (left at {fmt_hhmm(left)} the day before)",
                        [p],
                    )
                )
        return out

    def _day_shape(self, problem: Problem, day: Day, p: str, blocks: list) -> list[Violation]:
        """One shift in one piece, inside staff time, on an open day, without overlaps."""
        out = []
        who = names(problem, [p])
        start, end = blocks[0].start, max(b.end for b in blocks)
        if day.staff_hours is None:
            return [
                self.violation(
                    day.date,
                    start,
                    end,
                    f"{when(day)}: 网点休业, {who} 却有排班",
                    f"{when(day, lang='en')}: the branch is closed but {who} is rostered",
                    [p],
                )
            ]
        sh = day.staff_hours
        if start < sh.start or end > sh.end:
            out.append(
                self.violation(
                    day.date,
                    start,
                    end,
                    f"{when(day, start, end)}: {who} 的班次超出员工时间 {sh}",
                    f"{when(day, start, end, lang='en')}: {who}'s shift lies outside staff time {sh}",
                    [p],
                )
            )
        reach = blocks[0].end
        for b in blocks[1:]:
            if b.start < reach:
                out.append(
                    self.violation(
                        day.date,
                        b.start,
                        min(reach, b.end),
                        f"{when(day, b.start, min(reach, b.end))}: {who} 同时安排了两项工作",
                        f"{when(day, b.start, min(reach, b.end), lang='en')}: {who} has two activities at once",
                        [p],
                    )
                )
            elif b.start > reach:
                out.append(
                    self.violation(
                        day.date,
                        reach,
                        b.start,
                        f"{when(day, reach, b.start)}: {who} 的班次中断 (一天只能一个连续班次)",
                        f"{when(day, reach, b.start, lang='en')}: {who}'s shift is in pieces (one shift a day)",
                        [p],
                    )
                )
            reach = max(reach, b.end)
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """The labour limits in words."""
        lab = problem.config.labor
        slack = problem.config.rules.labour.contract_slack_hours
        return (
            f"每日不超过 {lab.max_daily_hours:g} 小时, 每周不超过 {lab.weekly_hours:g}+{lab.max_weekly_overtime_hours:g} "
            f"小时且不少于合同工时减 {slack:g} 小时, 每周至少休 {lab.min_rest_days} 天, 连续上班不超过 "
            f"{lab.max_consecutive_days} 天, 两班间隔至少 {lab.min_rest_hours:g} 小时",
            f"at most {lab.max_daily_hours:g} h a day and {lab.weekly_hours:g}+{lab.max_weekly_overtime_hours:g} h "
            f"a week, at least the contract less {slack:g} h, {lab.min_rest_days} rest day(s), at most "
            f"{lab.max_consecutive_days} days in a row, {lab.min_rest_hours:g} h between shifts",
        )
