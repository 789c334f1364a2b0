"""Tests of constraints.rules.labour over a plan of several weeks: the weekly limits per calendar week, the
consecutive days over the whole plan; and of the fairness rule counting over the horizon."""

from __future__ import annotations

import datetime as dt

from factories import MONDAY, TINY_WEEK_STAFF, tiny_config

from constraints.problem import Problem
from constraints.roster import Block, Roster
from constraints.rules.fairness import Fairness
from constraints.rules.labour import (
    Labour,
    comp_days_after,
    pay,
    person_weeks,
    plan_weeks,
    rest_days,
    weekly_hours,
)
from constraints.staff import Staff


def two_weeks(staff: Staff = TINY_WEEK_STAFF, **config: object) -> Problem:
    """The tiny branch's two weeks from MONDAY as one problem (no demand: the rules here need none)."""
    return Problem.for_horizon(tiny_config(**config), staff, MONDAY, 2)


def shift(date: dt.date, sid: str, start: int = 9 * 60, end: int = 16 * 60) -> Block:
    """A back-office shift (paid ``end − start`` minutes: no lunch block)."""
    return Block(date, sid, start, end, "back_office")


def day(k: int) -> dt.date:
    """The k-th day of the horizon (0 = the first Monday)."""
    return MONDAY + dt.timedelta(days=k)


def labour_notes(problem: Problem, roster: Roster, sid: str) -> list[str]:
    """The labour rule's violations of one person, in words."""
    return [v.message_zh for v in Labour().check(problem, roster) if sid in v.staff_ids]


def test_a_horizon_has_its_calendar_weeks() -> None:
    """for_horizon(2) has fourteen days in two calendar weeks; a one-week plan is its own only week."""
    prob = two_weeks()
    assert len(prob.days) == 14
    assert [w[0] for w in prob.week_dates()] == [MONDAY, day(7)]
    assert [len(w.days) for w in plan_weeks(prob)] == [7, 7]
    week = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    assert plan_weeks(week) == (week,)
    for person in week.staff:  # the one-week plan's limits are today's, unchanged
        (only,) = person_weeks(week, person)
        assert only.hours == weekly_hours(week, person)
        assert only.rest == rest_days(week, person)


def test_weekly_hours_hold_in_each_week_not_over_the_horizon() -> None:
    """C works 5 × 9 h in week one and 5 × 6 h in week two: 75 h is under two weeks' 80 h cap, yet week one
    is over its 40 h cap and week two under its floor — each week is named."""
    prob = two_weeks()
    blocks = [shift(day(k), "C", 8 * 60 + 30, 17 * 60 + 30) for k in range(5)]
    blocks += [shift(day(k), "C", 9 * 60, 15 * 60) for k in range(7, 12)]
    notes = labour_notes(prob, Roster(tuple(blocks)), "C")
    assert any("11-30 起的一周工作 45 小时, 超过上限 40" in n for n in notes), notes
    assert any("12-07 起的一周工作 30 小时, 低于应出勤" in n for n in notes), notes
    fine = [shift(day(k), "C", 9 * 60, 16 * 60 + 30) for k in (*range(5), *range(7, 12))]
    assert not labour_notes(prob, Roster(tuple(fine)), "C")


def test_consecutive_days_count_across_the_week_boundary() -> None:
    """Thursday to Sunday of week one and Monday to Wednesday of week two are seven days in a row: broken,
    though each week has a rest day and at most five days worked; six in a row hold."""
    prob = two_weeks()
    seven = [shift(day(k), "C", 9 * 60, 16 * 60 + 30) for k in range(3, 10)]
    notes = labour_notes(prob, Roster(tuple(seven)), "C")
    assert any("连续上班超过 6 天" in n for n in notes), notes
    six = [shift(day(k), "C", 9 * 60, 16 * 60 + 30) for k in range(4, 10)]
    assert not any("连续" in n for n in labour_notes(prob, Roster(tuple(six)), "C"))


def test_rest_days_are_per_week() -> None:
    """Six days in week one break its rest-day limit and cost rest-day work even with few in week two."""
    prob = two_weeks(**{"labor.min_rest_days": 2})
    blocks = [shift(day(k), "C", 9 * 60, 15 * 60 + 40) for k in range(6)]
    blocks += [shift(day(k), "C", 9 * 60, 17 * 60) for k in range(8, 12)]
    roster = Roster(tuple(blocks))
    notes = labour_notes(prob, roster, "C")
    assert any("11-30 起的一周上班 6 天" in n for n in notes), notes
    assert not any("12-07 起的一周上班" in n for n in notes)
    assert pay(prob, roster).rest_day > 0  # the sixth day of week one is rest-day work


def test_comp_days_owed_are_granted_once_over_the_horizon() -> None:
    """Two 补休 days owed: both granted in week one (its days due fall from 5 to 3), none left for week two;
    what is owed after the horizon adds its rest days worked."""
    staff = Staff(
        people=tuple(
            p.model_copy(update={"comp_days_owed": 2}) if p.staff_id == "C" else p for p in TINY_WEEK_STAFF
        )
    )
    prob = two_weeks(staff)
    c = prob.staff.by_id("C")
    first, second = person_weeks(prob, c)
    assert first.rest is not None and second.rest is not None
    assert (first.rest.granted, first.rest.due) == (2, 3)
    assert (second.rest.granted, second.rest.due) == (0, 5)
    assert second.hours.expected == 40 * 60 and first.hours.expected == 24 * 60
    blocks = [shift(day(k), "C") for k in (0, 1, 2)] + [shift(day(k), "C") for k in range(7, 13)]
    assert comp_days_after(prob, Roster(tuple(blocks)))["C"] == 2 - 2 + 1  # six days in week two: one owed


def test_fairness_counts_weekends_over_the_horizon() -> None:
    """Of the four 个人柜员, C and G work week one's weekend, D and I week two's: two days each over the
    horizon, no note (each week alone would show a spread of two); C working both weekends is uneven."""
    prob = two_weeks()
    shared = [shift(day(k), p) for k in (5, 6) for p in "CG"] + [
        shift(day(k), p) for k in (12, 13) for p in "DI"
    ]
    notes = [v.message_zh for v in Fairness().check(prob, Roster(tuple(shared))) if "周末班" in v.message_zh]
    assert not notes, notes
    alone = [shift(day(k), "C") for k in (5, 6, 12, 13)]
    notes = [v.message_zh for v in Fairness().check(prob, Roster(tuple(alone))) if "周末班" in v.message_zh]
    assert any("PC 4" in n and "PD 0" in n for n in notes), notes
