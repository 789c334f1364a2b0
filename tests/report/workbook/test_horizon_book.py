"""Tests of scheduler.report.workbook.horizon_book: the horizon's roster.xlsx, a week sheet per week."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from factories import MONDAY, TINY_WEEK_STAFF, tiny_problem
from openpyxl import load_workbook

from constraints.roster import Block, Roster
from scheduler.report.workbook.horizon_book import write_horizon_workbook


def test_a_week_sheet_per_week_with_its_days(tmp_path: Path) -> None:
    """Two weeks: two sheets named by their Mondays, each showing its own dates and people; a name typed
    like a formula is stored as text."""
    weeks = []
    for k in range(2):
        monday = MONDAY + dt.timedelta(days=7 * k)
        prob = tiny_problem([monday + dt.timedelta(days=i) for i in range(7)], staff=TINY_WEEK_STAFF)
        weeks.append((prob, Roster((Block(monday, "A", 9 * 60, 17 * 60, "back_office"),))))
    staff = TINY_WEEK_STAFF.people
    evil = staff[0].model_copy(update={"name": "=HYPERLINK(1)"})
    weeks[1] = (
        weeks[1][0].replace(staff=TINY_WEEK_STAFF.model_copy(update={"people": (evil, *staff[1:])})),
        weeks[1][1],
    )
    write_horizon_workbook(tmp_path / "roster.xlsx", weeks, lang="en")
    book = load_workbook(tmp_path / "roster.xlsx")
    assert book.sheetnames == [f"Week {MONDAY:%m-%d}", f"Week {MONDAY + dt.timedelta(days=7):%m-%d}"]
    for (prob, _), ws in zip(weeks, book.worksheets, strict=True):
        text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
        assert prob.days[0].date.isoformat() in text and prob.days[-1].date.isoformat() in text
    assert not any(
        str(c.value).startswith("=")
        for row in book.worksheets[1].iter_rows()
        for c in row
        if c.value is not None
    )
