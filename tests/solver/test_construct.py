"""Tests of scheduler.solver.construct: the days-off pattern the first roster starts from, and the hours left
to the days not built yet."""

from __future__ import annotations

import datetime as dt

from factories import MONDAY, TINY_WEEK_STAFF, synthetic_demand, tiny_config

from constraints.problem import Problem
from constraints.rules.labour import rest_days
from scheduler.solver.construct import HoursLeft, days_pattern, hours_left


def _week() -> Problem:
    prob = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    return prob.replace(demand=synthetic_demand(prob))


def _high_per_day(prob: Problem, pattern: dict) -> list[int]:
    high = [p.staff_id for p in prob.staff if p.can("high_counter")]
    return [sum(pattern[(p, d.date)] for p in high) for d in prob.days if d.slot_starts]


def test_the_pattern_keeps_each_person_within_the_days_the_labour_rule_allows() -> None:
    """Everyone works at least the days due and at most the days the rest rule leaves."""
    prob = _week()
    pattern = days_pattern(prob)
    assert pattern is not None
    for person in prob.staff:
        worked = sum(v for (p, _), v in pattern.items() if p == person.staff_id)
        rd = rest_days(prob, person)
        assert min(rd.due, rd.most) <= worked <= rd.most


def test_a_boosted_day_gets_the_rules_estimates_even_at_the_price_of_a_rest_day() -> None:
    """Five cash-capable people, seven open days, the noon rule's estimate of four a day: 28 person-days,
    more than five days each give. Unboosted, the pattern leaves days short of the estimate rather than pay
    rest-day work; boosted on every day (each could not be staffed), every day gets four."""
    prob = _week()
    plain = days_pattern(prob)
    assert plain is not None
    assert min(_high_per_day(prob, plain)) < 4
    boosted = days_pattern(prob, boost={d.date: 1 for d in prob.days})
    assert boosted is not None
    assert min(_high_per_day(prob, boosted)) >= 4


def test_hours_left_keep_the_weekly_floor_and_cap_reachable_day_by_day() -> None:
    """A 10-h floor and 15-h cap over two 9-h days: the first day pays at least 1 h (the other can pay 9), at
    most 9 h, aims at the floor levelled (5 h) and stays under the cap levelled (7.5 h); once it paid 500
    minutes the second day must pay the 100 left of the floor and at most the 400 left of the cap."""
    tue = MONDAY + dt.timedelta(days=1)
    left = HoursLeft(floor=600, cap=900, least=240, most={MONDAY: 540, tue: 540})
    assert left.bounds(MONDAY) == (60, 540, 300, 450)
    left.built(MONDAY, 500)
    assert left.bounds(tue)[:2] == (100, 400)
    prob = _week()
    pattern = days_pattern(prob)
    assert pattern is not None
    every = hours_left(prob, pattern)
    assert every is not None and set(every) == {p for (p, _), v in pattern.items() if v}
