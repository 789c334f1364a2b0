"""Tests of constraints.problem: who is away, and availability by slot."""

from __future__ import annotations

from factories import MONDAY, SATURDAY, leave, tiny_problem


def test_away_all_day_only_for_whole_day_absences() -> None:
    """A whole-day leave keeps a person off that date; leave for some hours or on another date does not."""
    prob = tiny_problem([MONDAY, SATURDAY], absences=[leave("C", MONDAY), leave("D", MONDAY, "09:00-11:00")])
    assert prob.away_all_day("C", MONDAY)
    assert not prob.away_all_day("C", SATURDAY)
    assert not prob.away_all_day("D", MONDAY)
    day = prob.days[0]
    assert not prob.available("D", day, day.slot_of(9 * 60)) and prob.available(
        "D", day, day.slot_of(14 * 60)
    )
