"""Lobby periods, backups and handovers derived from a roster (the lobby-manager log's source)."""

from __future__ import annotations

import datetime as dt

import roster_fixtures as rf

from constraints.handovers import derive_handovers, describe_handover, lobby_periods
from constraints.problem import Problem
from constraints.roster import Block, Roster


def test_handovers_at_lunch_and_back(problem: Problem) -> None:
    """Monday: 刘洋 hands the floor to 陈静 for lunch at 12:00 and takes it back at 13:00."""
    monday = [h for h in derive_handovers(rf.example_roster(), problem) if h.date == rf.MONDAY]
    assert [(h.time, h.from_staff, h.to_staff, h.reason, h.president) for h in monday] == [
        (720, "S04", "S05", "lunch", False),
        (780, "S05", "S04", "back_from_lunch", False),
    ]
    assert describe_handover(monday[0], problem) == "12:00 刘洋 → 陈静"


def test_president_taking_the_floor_is_flagged(problem: Problem) -> None:
    """Sunday: the branch president covers the floor at lunch; the handover carries the president flag."""
    sunday = rf.MONDAY + dt.timedelta(days=6)
    hs = [h for h in derive_handovers(rf.example_roster(), problem) if h.date == sunday]
    assert [(h.time, h.to_staff, h.president) for h in hs] == [(750, "S01", True), (810, "S05", False)]
    assert describe_handover(hs[0], problem, "en") == "12:30 陈静 → 王建国 (president)"


def test_periods_and_backups(problem: Problem) -> None:
    """Periods follow the lobby manager; backups stay while free and the president stands by when needed."""
    day = problem.day(rf.MONDAY)
    periods = lobby_periods(rf.example_roster(), problem, day)
    assert [(p.start, p.end, p.manager) for p in periods] == [
        (540, 720, "S04"),
        (720, 780, "S05"),
        (780, 1020, "S04"),
    ]
    assert periods[1].backups == (("S03", 720, 750), ("S01", 750, 780))
    covered = sum(e - s for _, s, e in periods[0].backups)
    assert covered == 180  # a backup for every minute of the morning


def test_uncovered_floor_is_a_handover_to_nobody(problem: Problem) -> None:
    """A gap with nobody on the floor shows as handovers to and from nobody."""
    day = problem.day(rf.MONDAY)
    roster = Roster((Block(day.date, "S04", 540, 600, "lobby"), Block(day.date, "S04", 630, 1020, "lobby")))
    hs = derive_handovers(roster, problem)
    assert [(h.time, h.from_staff, h.to_staff, h.reason) for h in hs] == [
        (600, "S04", None, "uncovered"),
        (630, None, "S04", "cover_resumes"),
    ]
