"""Suggested 季度谈话 times: both off the floor, quiet, one at a time, no hard rule broken — else still due."""

from __future__ import annotations

import datetime as dt
import itertools

import factories as f

from constraints.config import parse_hhmm
from constraints.problem import Problem
from constraints.roster import Block, Roster
from scheduler.report.duties import plan_duties

DAY = dt.date(2026, 10, 12)
"""A Monday inside the October talk window (1st–15th)."""


def _blocks(sid: str, *parts: tuple[str, str, str]) -> list[Block]:
    return [Block(DAY, sid, parse_hhmm(a), parse_hhmm(b), act) for a, b, act in parts]


def _day() -> tuple[Problem, Roster]:
    """支行长 A, 柜员 C and 理财经理 F off the floor all day; E on the lobby floor; B and D at the counters."""
    office = (
        ("08:30", "11:00", "back_office"),
        ("11:00", "12:00", "break"),
        ("12:00", "17:30", "back_office"),
    )
    late = (("08:30", "12:00", "back_office"), ("12:00", "13:00", "break"), ("13:00", "17:30", "back_office"))
    counter = (
        ("08:30", "11:30", "high_counter"),
        ("11:30", "12:30", "break"),
        ("12:30", "17:30", "high_counter"),
    )
    blocks = [
        *_blocks("A", *office),
        *_blocks("C", *office),
        *_blocks("F", *late),
        *_blocks("E", ("08:30", "17:30", "lobby")),
        *_blocks("B", *counter),
        *_blocks("D", *counter),
    ]
    return f.tiny_problem([DAY]), Roster(tuple(blocks))


def test_talk_suggested_while_both_are_off_the_floor() -> None:
    """C's talk is an hour inside opening hours while A and C both work in the back office; B, D and E, on the
    floor all day, are still due."""
    problem, roster = _day()
    plan = plan_duties(problem, roster)
    by_id = {t.staff_id: t for t in plan.talks}
    assert "C" in by_id
    t = by_id["C"]
    assert t.end - t.start == 60 and t.start >= 540 and t.end <= 1020
    for sid in ("A", "C"):
        assert all(
            b.activity == "back_office"
            for b in roster.blocks_of(DAY, sid)
            if b.start < t.end and b.end > t.start
        )
    assert {"B", "D", "E"} <= set(plan.unplaced)


def test_talks_one_at_a_time_and_never_leaving_the_lobby_without_a_backup() -> None:
    """No two suggested talks overlap; F (the only other lobby-skilled person off the floor besides A) gets no
    talk that leaves E on the floor with no free backup — every suggestion passes every rule's check."""
    problem, roster = _day()
    plan = plan_duties(problem, roster)
    spans = sorted((t.start, t.end) for t in plan.talks)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert "F" not in {t.staff_id for t in plan.talks}


def test_notes_name_the_talk_for_both_people() -> None:
    """The day sheet's note for the employee and for the 支行长 names the suggested talk."""
    problem, roster = _day()
    plan = plan_duties(problem, roster)
    notes = plan.notes(DAY, "zh")
    assert notes["C"].startswith("季度谈话 ") and notes["C"].endswith("(建议)")
    assert notes["A"].count("季度谈话") == len(plan.talks)
    assert any("仍需谈话" in line for line in plan.lines(problem, "zh"))


def test_without_a_roster_everyone_due_is_listed() -> None:
    """A week that could not be staffed suggests nothing and lists everyone due."""
    problem, _ = _day()
    plan = plan_duties(problem, None)
    assert plan.talks == () and plan.unplaced == ("B", "C", "D", "E", "F")
