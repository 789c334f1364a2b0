"""Tests of scheduler.report.workbook.horizon_book: the horizon's roster.xlsx — per week a week sheet and its
day sheets, then the leave sheet — and reading it back over the horizon's days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from factories import MONDAY, TINY_WEEK_STAFF, leave, tiny_problem
from openpyxl import load_workbook

from constraints.calendar import Day
from constraints.errors import InputError
from constraints.roster import Block, Roster, with_outreach
from scheduler.report.workbook import read_back
from scheduler.report.workbook.horizon_book import BookWeek, write_horizon_workbook
from scheduler.report.workbook.leave_sheet import LEAVE_SHEET_NAMES


def _weeks() -> list[BookWeek]:
    """Two weeks of the tiny branch: A works each Monday, B is on leave the second Tuesday."""
    out = []
    for k in range(2):
        monday = MONDAY + dt.timedelta(days=7 * k)
        away = [leave("B", monday + dt.timedelta(days=1))] if k else []
        prob = tiny_problem(
            [monday + dt.timedelta(days=i) for i in range(7)], staff=TINY_WEEK_STAFF, absences=away
        )
        out.append(BookWeek(prob, Roster((Block(monday, "A", 9 * 60, 17 * 60, "back_office"),))))
    return out


def _days(weeks: list[BookWeek]) -> list[Day]:
    return [d for w in weeks for d in w.problem.days]


def test_a_week_sheet_then_its_day_sheets_per_week(tmp_path: Path) -> None:
    """Two weeks: each week sheet named by its Monday and showing its own dates, followed by its open days'
    sheets; one leave sheet over both weeks; a name typed like a formula is stored as text."""
    weeks = _weeks()
    staff = TINY_WEEK_STAFF.people
    evil = staff[0].model_copy(update={"name": "=HYPERLINK(1)"})
    second = weeks[1].problem.replace(staff=TINY_WEEK_STAFF.model_copy(update={"people": (evil, *staff[1:])}))
    weeks[1] = BookWeek(second, weeks[1].roster)
    write_horizon_workbook(tmp_path / "roster.xlsx", weeks, lang="en")
    book = load_workbook(tmp_path / "roster.xlsx")
    expected = []
    for w in weeks:
        expected.append(f"Week {w.problem.days[0].date:%m-%d}")
        expected += [f"{d.date:%m-%d}" for d in w.problem.open_days]
    assert [n if n.startswith("Week") else n[:5] for n in book.sheetnames[:-1]] == expected
    assert book.sheetnames[-1] == LEAVE_SHEET_NAMES[1]
    for w in weeks:
        ws = book[f"Week {w.problem.days[0].date:%m-%d}"]
        text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
        assert w.problem.days[0].date.isoformat() in text and w.problem.days[-1].date.isoformat() in text
    week2 = book[f"Week {weeks[1].problem.days[0].date:%m-%d}"]
    assert not any(
        str(c.value).startswith("=") for row in week2.iter_rows() for c in row if c.value is not None
    )


def test_reads_back_over_the_horizon(tmp_path: Path) -> None:
    """Read back with the horizon's days: the roster of both weeks and the leave of the second; with the first
    week's days only: bad input saying to check it with --weeks 2."""
    weeks = _weeks()
    path = tmp_path / "roster.xlsx"
    write_horizon_workbook(path, weeks, lang="zh")
    days = _days(weeks)
    back = read_back(path, TINY_WEEK_STAFF, days)
    roster = Roster.concat(w.roster for w in weeks)
    assert back.roster == with_outreach(roster, TINY_WEEK_STAFF)
    assert [(a.staff_id, a.date) for a in back.absences or ()] == [("B", MONDAY + dt.timedelta(days=8))]
    with pytest.raises(InputError) as e:
        read_back(path, TINY_WEEK_STAFF, days[:7])
    assert "--weeks 2" in e.value.describe() and "周排班 12-07" in e.value.describe()


def test_a_second_week_sheet_that_disagrees_is_named(tmp_path: Path) -> None:
    """The second week's sheet says 休 where its day sheet has A working: bad input naming that sheet and cell."""
    weeks = _weeks()
    path = tmp_path / "roster.xlsx"
    write_horizon_workbook(path, weeks, lang="zh")
    wb = load_workbook(path)
    second = weeks[1].problem.days[0].date
    ws = wb[f"周排班 {second:%m-%d}"]
    row = next(c.row for c in ws["A"] if c.value == "A")
    col = next(c.column for c in ws[2] if c.value and second.isoformat() in str(c.value))
    ws.cell(row, col).value = "休"
    wb.save(path)
    with pytest.raises(InputError) as e:
        read_back(path, TINY_WEEK_STAFF, _days(weeks))
    assert f"[周排班 {second:%m-%d}]" in e.value.describe() and "1 处不一致" in e.value.describe()
