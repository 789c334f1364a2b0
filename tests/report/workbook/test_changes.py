"""Tests of scheduler.report.workbook.changes and changes_sheet: what a re-plan changed, said so people can act."""

from __future__ import annotations

import datetime as dt

from factories import MONDAY, TINY_STAFF, leave, tiny_problem

from constraints.config import parse_hhmm
from constraints.roster import Block, Roster
from scheduler.report.workbook import build_workbook
from scheduler.report.workbook.changes import CHANGES_COLUMNS, ChangeNotice, roster_changes, switched

CUT = dt.datetime.combine(MONDAY, dt.time(0))


def day(sid: str, *parts: tuple[str, str, str]) -> list[Block]:
    """One person's Monday from ``(start, end, activity)``."""
    return [Block(MONDAY, sid, parse_hhmm(a), parse_hhmm(b), act) for a, b, act in parts]


BEFORE = Roster(
    (
        *day(
            "B",
            ("08:30", "12:00", "high_counter"),
            ("12:00", "13:00", "break"),
            ("13:00", "17:30", "high_counter"),
        ),
        *day(
            "C",
            ("08:30", "12:00", "back_office"),
            ("12:00", "13:00", "break"),
            ("13:00", "17:30", "low_counter"),
        ),
        *day("D", ("09:00", "13:00", "back_office")),
    )
)
AFTER = Roster(
    (
        *day(
            "C",
            ("08:30", "12:00", "high_counter"),
            ("12:00", "13:00", "break"),
            ("13:00", "17:30", "low_counter"),
        ),
        *day("D", ("09:00", "13:00", "back_office")),
        *day("E", ("13:00", "17:30", "high_counter")),
    )
)


def test_changes_say_what_and_why() -> None:
    """B off sick: B's day is gone (the leave's reason), C moves to the high counter in the morning with the same
    hours (only the stretch that changed is named), E comes in to cover; D, unchanged, is not listed."""
    prob = tiny_problem(
        [MONDAY], staff=TINY_STAFF, absences=[leave("B", MONDAY, reason="病假")], demand=False
    )
    changes = roster_changes(prob, BEFORE, AFTER, CUT)
    by = {c.staff_id: c for c in changes}
    assert list(by) == ["B", "C", "E"]
    assert by["B"].texts("zh")[1] == "休" and by["B"].reason_zh == "请假: 病假"
    assert by["C"].same_shift() and by["C"].texts("zh") == (
        "08:30–17:30: 08:30–12:00 后台",
        "08:30–17:30: 08:30–12:00 高柜",
    )
    assert by["C"].reason_zh == "顶替 PB" and by["E"].reason_en == "covers for PB"
    assert "班次不变" in by["C"].sentence("zh") and "后台 → 高柜" in by["C"].sentence("zh")
    assert by["E"].texts("en") == ("off", "13:00–17:30 High counter")
    notice = ChangeNotice(CUT, tuple(changes), 100.0, 850.0)
    frame = notice.frame("zh")
    assert tuple(frame.columns) == CHANGES_COLUMNS and len(frame) == 3
    assert notice.as_dict()["changed_person_days"] == 3 and notice.as_dict()["people_affected"] == 3


def test_switched_merges_stretches() -> None:
    """Adjacent stretches with the same before and after activity are one stretch."""
    before = day(
        "C", ("08:30", "10:00", "back_office"), ("10:00", "12:00", "back_office"), ("12:00", "13:00", "lobby")
    )
    after = day("C", ("08:30", "12:00", "high_counter"), ("12:00", "13:00", "lobby"))
    assert switched(before, after) == [
        (parse_hhmm("08:30"), parse_hhmm("12:00"), "back_office", "high_counter")
    ]


def test_notice_sheet_comes_first_with_a_row_per_person() -> None:
    """The 变更通知 sheet opens the workbook: the headline, then one numbered row per person affected whose notice
    names every changed day, then the detail one row per person-day."""
    prob = tiny_problem([MONDAY], staff=TINY_STAFF, absences=[leave("B", MONDAY, reason="病假")])
    notice = ChangeNotice(CUT, tuple(roster_changes(prob, BEFORE, AFTER, CUT)), 100.0, 850.0)
    wb = build_workbook(AFTER, prob, notice=notice)
    ws = wb.worksheets[0]
    assert ws.title == "变更通知" and wb.active is ws
    assert "3 人" in str(ws.cell(row=2, column=1).value)
    rows = [r for r in ws.iter_rows(min_row=5, max_row=7, values_only=True)]
    assert [r[:3] for r in rows] == [(1, "B", "PB"), (2, "C", "PC"), (3, "E", "PE")]
    assert "请假: 病假" in str(rows[0][4]) and "顶替 PB" in str(rows[1][4])
    detail = [r for r in ws.iter_rows(min_row=10, values_only=True) if r[1] in ("B", "C", "E")]
    assert len(detail) == 3
    english = build_workbook(AFTER, prob, notice=notice, lang="en").worksheets[0]
    assert english.title == "Changes" and "3 people" in str(english.cell(row=2, column=1).value)
