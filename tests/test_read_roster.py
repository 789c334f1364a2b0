"""Reading a roster back: roster.csv, and roster.xlsx after a person edited its day sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import roster_fixtures as rf
from openpyxl import load_workbook

from constraints.config import parse_hhmm
from constraints.errors import InputError
from constraints.io import write_csv
from constraints.problem import Problem
from constraints.roster import Roster
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook import write_workbook


@pytest.fixture(scope="module")
def problem(problem: Problem) -> Problem:
    """The example branch's week without demand: only the day sheets matter here."""
    return problem.replace(demand={})


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, problem: Problem, roster: Roster) -> Path:
    """roster.xlsx of the hand-made week (copy it before editing)."""
    path = tmp_path_factory.mktemp("rr") / "roster.xlsx"
    write_workbook(path, roster, problem)
    return path


def _edit(path: Path, sheet: str, staff_id: str, times: list[str], value: object | list[object]) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    row = next(c.row for c in ws["A"] if c.value == staff_id)
    values = value if isinstance(value, list) else [value] * len(times)
    for hhmm, v in zip(times, values, strict=True):
        col = next(c.column for c in ws[4] if c.value == hhmm)
        ws.cell(row, col).value = v
    wb.save(path)


def _week(path: Path, staff_id: str, date: dt.date, text: str) -> None:
    """Write a person's day into the 周排班 sheet, as a person editing a day sheet does to keep them agreeing."""
    wb = load_workbook(path)
    ws = wb["周排班"]
    row = next(c.row for c in ws["A"] if c.value == staff_id)
    col = next(c.column for c in ws[2] if c.value and date.isoformat() in str(c.value))
    ws.cell(row, col).value = text
    wb.save(path)


def _slots(first: str, last: str) -> list[str]:
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(parse_hhmm(first), parse_hhmm(last) + 1, 15)]


def test_xlsx_round_trip_is_identical(written: Path, problem: Problem, roster: Roster) -> None:
    """plan → roster.xlsx → read back gives the very same roster."""
    assert read_roster(written, problem.staff, problem.days) == roster


def test_csv_round_trip_is_identical(tmp_path: Path, problem: Problem, roster: Roster) -> None:
    """roster.csv written by paiban reads back to the same roster."""
    path = tmp_path / "roster.csv"
    write_csv(roster.to_frame(problem.staff), path)
    assert read_roster(path, problem.staff, problem.days) == roster


def test_changed_cell_and_labels_in_any_language(book: Path, problem: Problem) -> None:
    """A cell changed to 低柜, 'Lobby', 'back_office' or 'lunch' maps to that activity."""
    _edit(
        book,
        "11-30 周一",
        "S08",
        ["09:00", "09:15", "09:30", "09:45"],
        ["低柜", "Lobby", " back_office ", "lunch"],
    )
    _week(book, "S08", rf.MONDAY, "08:30–17:30\n午餐 09:45–10:00, 11:00–12:00\n高柜")
    got = read_roster(book, problem.staff, problem.days)
    acts = {b.start: b.activity for b in got.blocks_of(rf.MONDAY, "S08")}
    assert [acts[parse_hhmm(t)] for t in ("09:00", "09:15", "09:30", "09:45")] == [
        "low_counter",
        "lobby",
        "back_office",
        "break",
    ]


def test_moved_shift(book: Path, problem: Problem) -> None:
    """Clearing the morning and filling the evening moves the person's shift."""
    _edit(book, "12-05 周六", "S09", _slots("11:00", "12:45"), None)
    _week(book, "S09", rf.MONDAY + dt.timedelta(days=5), "13:00–16:30\n高柜")
    got = read_roster(book, problem.staff, problem.days)
    assert got.shift(rf.MONDAY + dt.timedelta(days=5), "S09") == (parse_hhmm("13:00"), parse_hhmm("16:30"))


def test_person_taken_off_a_day(book: Path, problem: Problem, roster: Roster) -> None:
    """Clearing every cell of a person's row takes them off that day, and only that day."""
    _edit(book, "12-01 周二", "S11", _slots("08:30", "17:15"), None)
    _week(book, "S11", rf.MONDAY + dt.timedelta(days=1), "休")
    got = read_roster(book, problem.staff, problem.days)
    tuesday = rf.MONDAY + dt.timedelta(days=1)
    assert not got.works(tuesday, "S11")
    assert {b for b in got.blocks if b.date != tuesday} == {b for b in roster.blocks if b.date != tuesday}


def test_key_row_times_may_be_excel_times(book: Path, problem: Problem, roster: Roster) -> None:
    """Slot times Excel turned into time values still map to slots."""
    wb = load_workbook(book)
    ws = wb["11-30 周一"]
    for c in ws[4][4:]:
        if c.value is None:  # the last column (休假与活动) is headed in rows 3–4, merged
            continue
        h, m = map(int, str(c.value).split(":"))
        c.value = dt.time(h, m)
    wb.save(book)
    assert read_roster(book, problem.staff, problem.days) == roster


def test_unknown_activity_names_sheet_row_column_value(book: Path, problem: Problem) -> None:
    """A typo raises InputError naming 'roster.xlsx [sheet]', the row, the column with its time, and the value."""
    _edit(book, "11-30 周一", "S08", ["10:00"], "咖啡")
    with pytest.raises(InputError) as err:
        read_roster(book, problem.staff, problem.days)
    e = err.value
    assert e.file == "roster.xlsx [11-30 周一]"
    assert e.row is not None and e.row > 4 and e.column is not None and e.column.endswith("(10:00)")
    assert e.value == "咖啡"


def test_unknown_staff_id(book: Path, problem: Problem) -> None:
    """A staff id not in the staff list is an error naming column A."""
    wb = load_workbook(book)
    ws = wb["11-30 周一"]
    row = next(c.row for c in ws["A"] if c.value == "S08")
    ws.cell(row, 1).value = "S99"
    wb.save(book)
    with pytest.raises(InputError, match="S99") as err:
        read_roster(book, problem.staff, problem.days)
    assert err.value.column == "A"


def test_missing_day_sheet(book: Path, problem: Problem) -> None:
    """A workbook without an open day's sheet is an error naming the date."""
    wb = load_workbook(book)
    del wb["12-02 周三"]
    wb.save(book)
    with pytest.raises(InputError, match="2026-12-02"):
        read_roster(book, problem.staff, problem.days)


def test_csv_unknown_staff_and_date_outside_week(tmp_path: Path, problem: Problem, roster: Roster) -> None:
    """roster.csv rows with an unknown staff id or a date outside the week name their row and column."""
    df = roster.to_frame(problem.staff)
    bad = df.copy()
    bad.loc[3, "staff_id"] = "S99"
    write_csv(bad, tmp_path / "a.csv")
    with pytest.raises(InputError) as err:
        read_roster(tmp_path / "a.csv", problem.staff, problem.days)
    assert (err.value.row, err.value.column, err.value.value) == (5, "staff_id", "S99")
    bad = df.copy()
    bad.loc[0, "date"] = "2026-12-07"
    write_csv(bad, tmp_path / "b.csv")
    with pytest.raises(InputError) as err:
        read_roster(tmp_path / "b.csv", problem.staff, problem.days)
    assert (err.value.row, err.value.column) == (2, "date")


def test_leave_reason_that_looks_like_a_formula_reads_back_as_written(
    tmp_path: Path, problem: Problem, roster: Roster
) -> None:
    """A leave reason typed as ``=cmd|' /C calc'!A0`` is stored as text in the 请假与活动 sheet (neutralised) and
    read back unchanged, so ``check`` without ``--leave`` sees the same leave."""
    from constraints.staff import Absence
    from scheduler.report.workbook import read_back

    reason = "=cmd|' /C calc'!A0"
    day = next(d for d in problem.open_days)
    odd = Absence(staff_id="S14", date=day.date, reason=reason, kind="leave")
    path = tmp_path / "roster.xlsx"
    write_workbook(path, roster, problem.replace(absences=(*problem.absences, odd)))
    stored = [c.value for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row]
    assert reason not in stored and f"'{reason}" in stored  # never a live formula
    back = read_back(path, problem.staff, problem.days)
    assert back.absences is not None and odd in back.absences
