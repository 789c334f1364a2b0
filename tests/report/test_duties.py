"""季度谈话 scheduled into the roster: both off the floor, quiet, one at a time, no hard rule broken — else still
due; the written roster (roster.csv, roster.xlsx) holds ``talk`` blocks that ``check`` reads back as the event."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import factories as f
from openpyxl import load_workbook

from constraints.config import parse_hhmm
from constraints.io import write_csv
from constraints.problem import Problem
from constraints.roster import Block, Roster, with_outreach
from constraints.rules import check_roster
from scheduler.report.duties import DutyPlan, Talk, plan_duties
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook import write_workbook
from scheduler.report.workbook.style import day_title
from scheduler.solver.result import SolveParams
from scheduler.solver.solve import solve

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
    """The day sheet's note for the employee and for the 支行长 names the talk and the other person."""
    problem, roster = _day()
    plan = plan_duties(problem, roster)
    notes = plan.notes(problem, DAY, "zh")
    assert notes["C"].startswith("季度谈话 ") and notes["C"].endswith("与 PA")
    assert notes["A"].startswith("季度谈话 ") and all(
        f"{t.start // 60:02d}:{t.start % 60:02d} P{t.staff_id}" in notes["A"] for t in plan.talks
    )
    assert any("仍需谈话" in line for line in plan.lines(problem, "zh"))


def test_without_a_roster_everyone_due_is_listed() -> None:
    """A week that could not be staffed suggests nothing and lists everyone due."""
    problem, _ = _day()
    plan = plan_duties(problem, None)
    assert plan.talks == () and plan.unplaced == ("B", "C", "D", "E", "F")


def _hard(problem: Problem, roster: Roster) -> set[tuple[object, ...]]:
    """The hard findings of ``check`` (the hand-made day has some of its own: lunches, the meeting)."""
    return {(v.rule, v.date, v.start, v.end, v.staff_ids) for v in check_roster(problem, roster) if v.hard}


def _talked() -> tuple[Problem, Roster, Roster]:
    """The day, its roster, and the roster with the talks scheduled into it."""
    problem, roster = _day()
    return problem, roster, plan_duties(problem, roster).roster_with_talks(problem, roster)


def test_talks_go_into_the_roster_on_both_rows() -> None:
    """Each talk is a ``talk`` block on the employee's and the 支行长's rows for exactly its time; every other
    slot is as it was, and the roster breaks no hard rule."""
    problem, roster, talked = _talked()
    plan = plan_duties(problem, roster)
    assert plan.talks
    ids = problem.staff.ids()
    day = problem.days[0]
    before, after = roster.grid(day, ids), talked.grid(day, ids)
    changed = {(ids[p], s) for p, s in zip(*(before != after).nonzero(), strict=True)}
    want = {
        (sid, s)
        for t in plan.talks
        for sid in (t.staff_id, "A")
        for s, m in enumerate(day.slot_starts)
        if t.start <= m < t.end
    }
    assert changed == want and all(after[ids.index(sid), s] == "talk" for sid, s in want)
    assert _hard(problem, talked) == _hard(problem, roster)


def test_check_reads_a_talk_as_the_event() -> None:
    """A talk is work, not a breach of availability, but both people are busy: a talk of F (the only free
    backup besides A) leaves the lobby manager E without a backup, and check says so."""
    problem, roster = _day()
    bad = DutyPlan(
        plan_duties(problem, roster).duties, (Talk("F", DAY, parse_hhmm("14:00"), parse_hhmm("15:00")),)
    )
    talked = bad.roster_with_talks(problem, roster)
    assert {b.activity for b in talked.blocks_of(DAY, "F") if b.start == parse_hhmm("14:00")} == {"talk"}
    new = _hard(problem, talked) - _hard(problem, roster)
    assert new and {rule for rule, *_ in new} == {"lobby_manager"}


def test_a_roster_with_talks_keeps_them() -> None:
    """Planning the duties of a roster that holds talks already (one read back) keeps them as scheduled: the
    same talks, none listed as held before, nobody talked twice."""
    problem, roster, talked = _talked()
    first = plan_duties(problem, roster)
    again = plan_duties(problem, talked)
    assert again.talks == first.talks and again.duties.talks_done == ()
    assert again.roster_with_talks(problem, talked) == talked
    assert set(again.unplaced) == set(first.unplaced)


def test_the_written_roster_round_trips_through_check(tmp_path: Path) -> None:
    """roster.csv and roster.xlsx hold the talks (谈话 on the day sheets) and read back to the same roster,
    which check passes."""
    problem, roster, talked = _talked()
    csv = tmp_path / "roster.csv"
    write_csv(talked.to_frame(problem.staff), csv)
    xlsx = tmp_path / "roster.xlsx"
    write_workbook(xlsx, roster, problem.replace(demand={}), duties=plan_duties(problem, roster))
    for path in (csv, xlsx):
        back = read_roster(path, problem.staff, problem.days)
        assert sorted(b for b in back.blocks if b.activity == "talk") == sorted(
            b for b in talked.blocks if b.activity == "talk"
        )
        assert with_outreach(back, problem.staff) == with_outreach(talked, problem.staff) or back == talked
        assert _hard(problem, back) == _hard(problem, roster)
    cells = [c.value for row in load_workbook(xlsx)[day_title(DAY, "zh")].iter_rows() for c in row]
    assert "谈话" in cells


def test_a_solved_week_in_the_talk_window_gets_talks() -> None:
    """The tiny branch's week staff solved on a day in the window: the talks go into its roster one at a time,
    and the roster with them breaks no hard rule."""
    problem = f.tiny_problem([DAY], staff=f.TINY_WEEK_STAFF)
    result = solve(problem, SolveParams(time_limit_seconds=4.0, seed=0, workers=2))
    assert result.roster is not None, result.explanation
    plan = plan_duties(problem, result.roster)
    talked = plan.roster_with_talks(problem, result.roster)
    talks = sorted((b.start, b.end) for b in talked.blocks if b.activity == "talk" and b.staff_id != "A")
    assert plan.talks and len(talks) == len(plan.talks)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(talks))
    assert not [v for v in check_roster(problem, talked) if v.hard]


def test_a_replan_keeps_a_talk_where_it_still_fits_and_places_none_before_the_cut() -> None:
    """A re-plan's ``prefer``: C's talk at 13:00 (both still in the back office) stays there, not at the quieter
    16:00 a plan picks; one at 11:00, C's lunch, no longer fits and C is placed as a plan places them. ``after``
    16:30: no talk starts before it (C's 16:00 is gone and no later hour fits: C is still due)."""
    problem, roster = _day()
    assert [(t.staff_id, t.start) for t in plan_duties(problem, roster).talks] == [("C", 16 * 60)]
    kept = plan_duties(problem, roster, prefer=[Talk("C", DAY, 13 * 60, 14 * 60)])
    assert [(t.staff_id, t.start, t.end) for t in kept.talks] == [("C", 13 * 60, 14 * 60)]
    lunch = plan_duties(problem, roster, prefer=[Talk("C", DAY, 11 * 60, 12 * 60)])
    assert [(t.staff_id, t.start) for t in lunch.talks] == [("C", 16 * 60)]
    late = plan_duties(problem, roster, after=dt.datetime.combine(DAY, dt.time(16, 30)))
    assert not late.talks and "C" in late.unplaced
