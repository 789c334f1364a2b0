"""roster.xlsx: the sheets a branch prints and edits, their labels, print setup, chart, log and KPIs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
import roster_fixtures as rf
from openpyxl import load_workbook
from openpyxl.chart import LineChart
from openpyxl.workbook.workbook import Workbook

from constraints.handovers import Handover
from constraints.problem import Problem
from constraints.roster import Roster
from scheduler.report.workbook import build_workbook, read_workbook, write_workbook
from scheduler.report.workbook.kpi_sheet import per_day_kpis
from scheduler.report.workbook.style import ACTIVITY_COLOURS
from scheduler.solver.result import RosterResult, SolveParams


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory, problem: Problem, roster: Roster) -> Workbook:
    """roster.xlsx in Chinese, written to disk and loaded back."""
    path = tmp_path_factory.mktemp("wb") / "roster.xlsx"
    staff_csv = rf.examples_dir() / "staff.csv"
    write_workbook(path, roster, problem, forecast=rf.example_forecast(problem), inputs={"staff": staff_csv})
    return load_workbook(path)


def _row_of(ws, staff_id: str) -> int:
    return next(c.row for c in ws["A"] if c.value == staff_id)


def _col_of(ws, hhmm: str) -> int:
    return next(c.column for c in ws[4] if c.value == hhmm)


def test_sheets_in_order(book: Workbook) -> None:
    """Week first, then one sheet per open day named 'MM-DD 周X', then windows, lobby log, KPIs."""
    days = [f"{d:02d}" for d in (30, 1, 2, 3, 4, 5, 6)]
    assert book.sheetnames[0] == "周排班"
    assert [n[3:5] for n in book.sheetnames[1:8]] == days
    assert book.sheetnames[1] == "11-30 周一"
    assert book.sheetnames[8:] == ["窗口计划", "大堂经理工作日志", "指标"]


def test_day_sheet_cells_labelled_and_coloured(book: Workbook) -> None:
    """Each slot cell holds the activity's Chinese label and its colour; an off person's cells are empty."""
    ws = book["11-30 周一"]
    r = _row_of(ws, "S08")
    cell = ws.cell(r, _col_of(ws, "09:00"))
    assert cell.value == "高柜"
    assert cell.fill.fgColor.rgb.endswith(ACTIVITY_COLOURS["high_counter"])
    assert ws.cell(r, _col_of(ws, "11:00")).value == "午餐"
    off = _row_of(ws, "S07")  # 赵敏 is off on Monday
    assert all(ws.cell(off, c).value is None for c in range(5, ws.max_column + 1))
    assert "2026-11-30" in ws["A1"].value and "工作日" in ws["A1"].value


def test_day_sheet_prints_on_one_landscape_page(book: Workbook) -> None:
    """A4 landscape, fit to 1 page wide and 1 tall, title rows repeated, narrow margins, panes frozen."""
    ws = book["12-05 周六"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    assert ws.print_title_rows == "$3:$4"
    assert ws.page_margins.left <= 0.3
    assert ws.freeze_panes == "E5"
    assert "示例支行" in ws.oddHeader.center.text


def test_week_sheet_shift_lunch_activity_hours_rest(book: Workbook, roster: Roster) -> None:
    """Week cells show shift, lunch and main activity; day headers the date, weekday and day type."""
    ws = book["周排班"]
    headers = [ws.cell(2, c).value for c in range(3, 10)]
    assert headers[0].startswith("11-30 周一") and "2026-11-30" in headers[0]
    assert ws.cell(3, 3).value.startswith("工作日") and ws.cell(3, 8).value.startswith("周末")
    r = _row_of(ws, "S08")
    assert ws.cell(r, 3).value == "08:30–17:30\n午餐 11:00–12:00\n高柜"
    assert ws.cell(r, 5).value == "休"  # Wednesday off
    assert ws.cell(r, 10).value == pytest.approx(roster.hours("S08"))
    assert ws.cell(r, 11).value == 2


def test_windows_sheet_has_chart_and_peaks(book: Workbook) -> None:
    """The window plan lists required vs open per counter and slot with peak labels and a native line chart."""
    ws = book["窗口计划"]
    charts = ws._charts
    assert any(isinstance(c, LineChart) for c in charts) and len(charts) == 2
    values = {c.value for row in ws.iter_rows() for c in row}
    assert {"高峰", "平峰"} <= values
    assert "09:00–09:15" in values


def test_lobby_log_lists_handovers_and_president(book: Workbook) -> None:
    """The log names each period's manager and backup, the 12:00 handover, the president, and blank columns."""
    ws = book["大堂经理工作日志"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert rows[0][-2:] == ["值班记录", "签字"]
    monday = [r for r in rows if r[0] == "11-30 周一"]
    noon = next(r for r in monday if r[1] == "12:00–13:00")
    assert noon[2] == "陈静" and noon[4] == "12:00" and noon[5] == "刘洋 → 陈静" and noon[6] == "午餐"
    assert "王建国【支行长】 12:30–13:00" in noon[3] and noon[7]
    assert noon[8] is None and noon[9] is None
    sunday = [r for r in rows if r[0] == "12-06 周日"]
    assert any(r[2] == "王建国【支行长】" and "支行长担任大堂经理" in (r[7] or "") for r in sunday)


def test_kpis_all_pass_without_demand(tmp_path: Path, problem: Problem, roster: Roster) -> None:
    """Without demand every rule of the hand-made week holds and the KPI sheet says so; hashes are recorded."""
    staff_csv = rf.examples_dir() / "staff.csv"
    wb = build_workbook(roster, problem.replace(demand={}), inputs={"staff": staff_csv})
    ws = wb["指标"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "全部通过 ✓" in values
    assert f"sha256 {hashlib.sha256(staff_csv.read_bytes()).hexdigest()}" in values
    assert round(sum(roster.hours(i) for i in problem.staff.ids()), 2) in values  # staff hours of the week


def test_kpis_show_result_and_violations(problem: Problem, roster: Roster) -> None:
    """A solver result's status, gap, seed and each violation (rule, date, time, people, message) appear."""
    from constraints.rules import check_roster

    found = check_roster(problem, roster)
    result = RosterResult(
        status="FEASIBLE",
        problem=problem,
        params=SolveParams(seed=7),
        roster=roster,
        gap=0.0123,
        violations=found,
    )
    ws = build_workbook(roster, problem, result=result)["指标"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "FEASIBLE" in values and "1.23%" in values and 7 in values
    assert "demand" in values and found[0].message("zh") in values


def test_result_handovers_are_used(problem: Problem, roster: Roster) -> None:
    """Handovers handed in (from the solver) are logged as given, the president's flagged."""
    extra = Handover(rf.MONDAY, 15 * 60, "S04", "S01", "complaint", True)
    ws = build_workbook(roster, problem, handovers=[extra])["大堂经理工作日志"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    hit = next(r for r in rows if r[4] == "15:00")
    assert hit[5] == "刘洋 → 王建国(支行长)" and hit[6] == "complaint" and hit[7]


def test_english_labels(tmp_path: Path, problem: Problem, roster: Roster) -> None:
    """lang='en' writes English sheet names and labels, and still reads back to the same roster."""
    path = tmp_path / "roster.xlsx"
    write_workbook(path, roster, problem, lang="en")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Week" and wb.sheetnames[1] == "11-30 Mon"
    assert wb.sheetnames[-3:] == ["Windows", "Lobby log", "KPIs"]
    ws = wb["11-30 Mon"]
    assert ws.cell(_row_of(ws, "S08"), _col_of(ws, "09:00")).value == "High"
    assert read_workbook(path, problem.staff, problem.days) == roster


def test_bad_language_rejected(problem: Problem, roster: Roster) -> None:
    """Only zh and en are languages."""
    with pytest.raises(ValueError, match="lang"):
        build_workbook(roster, problem, lang="fr")


def test_write_is_atomic(
    tmp_path: Path, problem: Problem, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while saving leaves the old workbook untouched and no temporary file."""
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"old")

    def boom(self: Workbook, fh: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        write_workbook(path, roster, problem.replace(demand={}))
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["roster.xlsx"]


def test_simulated_kpis_per_day_are_combined_over_counters(problem: Problem, roster: Roster) -> None:
    """Simulator rows per date and counter become one row per day, waits and shares weighted by arrivals."""
    per_day = pd.DataFrame(
        {
            "date": ["2026-11-30", "2026-11-30"],
            "counter": ["high_counter", "low_counter"],
            "arrivals": [300.0, 100.0],
            "mean_wait_min": [4.0, 8.0],
            "share_within_target": [1.0, 0.6],
        }
    )
    assert per_day_kpis({"per_day": per_day})["2026-11-30"] == {
        "arrivals": 400.0,
        "mean_wait_minutes": 5.0,
        "share_within_target": 0.9,
    }
    ws = build_workbook(roster, problem, kpis={"per_day": per_day, "replications": 20})["指标"]
    monday = next(row for row in ws.iter_rows(values_only=True) if row[0] == "11-30 周一")
    assert monday[5:8] == (400.0, 5.0, "90%")
    assert any(row[:2] == ("replications", 20) for row in ws.iter_rows(values_only=True))
