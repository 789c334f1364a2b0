"""roster.xlsx: the sheets a branch prints and edits, their labels, print setup, chart, log and KPIs."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
import roster_fixtures as rf
from openpyxl import load_workbook
from openpyxl.chart import LineChart
from openpyxl.workbook.workbook import Workbook

from constraints.handovers import Handover
from constraints.i18n import ACTIVITY_LABELS
from constraints.problem import Problem
from constraints.roster import Roster
from scheduler.report.kpis import week_kpis
from scheduler.report.workbook import build_workbook, read_workbook, write_workbook
from scheduler.report.workbook.style import ACTIVITY_COLOURS, day_title
from scheduler.simulation.simulate import SIMULATION_COLUMNS, SimulationResult
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
    """Week first, then one sheet per open day named 'MM-DD 周X', then windows, lobby log, KPIs, leave."""
    days = [f"{d:02d}" for d in (30, 1, 2, 3, 4, 5, 6)]
    assert book.sheetnames[0] == "周排班"
    assert [n[3:5] for n in book.sheetnames[1:8]] == days
    assert book.sheetnames[1] == "11-30 周一"
    assert book.sheetnames[8:] == ["窗口计划", "大堂经理工作日志", "指标", "请假与活动"]


def test_day_sheet_cells_labelled_and_coloured(book: Workbook) -> None:
    """Each slot cell holds the activity's Chinese label and its colour; an off person's slot cells are empty
    and the last column says 休."""
    ws = book["11-30 周一"]
    r = _row_of(ws, "S08")
    cell = ws.cell(r, _col_of(ws, "09:00"))
    assert cell.value == "高柜"
    assert cell.fill.fgColor.rgb.endswith(ACTIVITY_COLOURS["high_counter"])
    assert ws.cell(r, _col_of(ws, "11:00")).value == "午餐"
    off = _row_of(ws, "S07")  # 赵敏 is off on Monday
    last = _col_of(ws, "17:15")
    assert all(ws.cell(off, c).value is None for c in range(5, last + 1))
    assert ws.cell(3, last + 1).value == "休假与活动" and ws.cell(off, last + 1).value == "休"
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
    assert "可行" in values and "1.23%" in values and 7 in values
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
    assert wb.sheetnames[-4:] == ["Windows", "Lobby log", "KPIs", "Leave and events"]
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


def test_kpi_sheet_shows_the_simulated_figures(problem: Problem, roster: Roster) -> None:
    """With a simulation the 指标 sheet lists its pooled figures per open day and for the week; cells hold the
    KPIs' values themselves (the share formatted as a percentage), closed or unsimulated figures stay empty."""
    customers = pd.DataFrame(
        {
            "rep": [0, 0, 1, 1],
            "date": [rf.MONDAY] * 4,
            "counter": ["high_counter", "low_counter", "high_counter", "low_counter"],
            "wait": [0.0, 10.0, 20.0, 30.0],
            "within": [True, True, False, False],
            "abandoned": [False, False, False, True],
        }
    )
    sim = SimulationResult(pd.DataFrame(columns=list(SIMULATION_COLUMNS)), customers, replications=2, seed=0)
    ws = build_workbook(roster, problem, kpis=week_kpis(problem, roster, simulation=sim))["指标"]
    rows = list(ws.iter_rows())
    start = next(i for i, r in enumerate(rows) if r[0].value == "模拟结果 (各次重复合并)")
    monday = next(r for r in rows[start:] if r[0].value == "11-30 周一")
    assert [c.value for c in monday[2:7]] == [2.0, 15.0, 0.5, 27.0, 0.5]
    assert monday[4].number_format == "0%"
    tuesday = next(r for r in rows[start:] if r[0].value == "12-01 周二")
    assert [c.value for c in tuesday[2:7]] == [0.0, None, None, None, 0.0]


def test_formula_cells_are_saved_with_their_values(tmp_path: Path, problem: Problem, roster: Roster) -> None:
    """Hours and window counts stay formulas (they follow edits in Excel) and carry their values, so a reader
    that does not recalculate (pandas, previewers, data_only) sees the numbers — in both languages."""
    for lang, sheet, counter_row in (
        ("zh", "11-30 周一", "高柜窗口"),
        ("en", "11-30 Mon", "High counter windows"),
    ):
        path = tmp_path / f"roster-{lang}.xlsx"
        write_workbook(path, roster, problem, lang=lang)
        formulas, values = load_workbook(path)[sheet], load_workbook(path, data_only=True)[sheet]
        r = _row_of(values, "S08")
        assert str(formulas.cell(r, 4).value).startswith("=") and values.cell(r, 4).value == 8
        count = next(c.row for c in values["B"] if c.value == counter_row)
        day = problem.day(rf.MONDAY)
        high = roster.open_windows(day, problem.staff.ids())["high_counter"]
        got = [values.cell(count, 5 + s).value for s in range(len(day.slot_starts))]
        assert got == [int(x) for x in high] and max(got) == 4
        assert str(formulas.cell(count, 5 + day.slot_of(600)).value).startswith("=COUNTIF")


def test_edit_notes_are_outside_the_print_area(book: Workbook) -> None:
    """The 修改方法 note stays in the sheet for the editor but below the print area: the posted sheet lacks it."""
    ws = book["11-30 周一"]
    note_row = next(c.row for c in ws["B"] if isinstance(c.value, str) and c.value.startswith("修改方法"))
    m = re.search(r"\$(\d+)$", str(ws.print_area))
    assert m is not None
    last_row = int(m.group(1))
    assert last_row < note_row
    assert any(ws.cell(r, 2).value == "大堂经理" for r in range(1, last_row + 1))  # the counts are printed


def test_service_gaps_on_kpi_and_day_sheets(problem: Problem, roster: Roster) -> None:
    """The made-up demand leaves service gaps: each is a row of the 指标 sheet's 服务缺口 table and a line on its
    day sheet, with the same figures as summary.json's service_gaps."""
    from scheduler.report.gaps import service_gaps

    gaps = service_gaps(problem, roster)
    assert gaps
    wb = build_workbook(roster, problem)
    kpi = [list(r) for r in wb["指标"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(kpi) if r[0] == "服务缺口 (开窗少于需要)")
    table = kpi[start + 2 : start + 2 + len(gaps)]
    for g, row in zip(gaps, table, strict=True):
        assert row[:7] == [
            day_title(g.date, "zh"),
            ACTIVITY_LABELS[g.counter][0],
            f"{g.start // 60:02d}:{g.start % 60:02d}–{g.end // 60:02d}:{g.end % 60:02d}",
            g.open_windows,
            g.required_windows,
            round(g.expected_customers, 1),
            round(g.expected_mean_wait_minutes, 1),
        ]
    first = gaps[0]
    day_ws = wb[day_title(first.date, "zh")]
    lines = [c.value for c in day_ws["B"] if isinstance(c.value, str)]
    assert "服务缺口 (开窗少于需要)" in lines and first.text("zh") in lines


def test_kpi_keys_in_chinese_and_rounded(problem: Problem, roster: Roster) -> None:
    """The 指标 sheet reads 状态 可行/最优, objective and costs in whole yuan, minutes to 0.1, parameter names in
    Chinese."""
    result = RosterResult(
        status="OPTIMAL",
        problem=problem,
        params=SolveParams(seed=7, time_limit_seconds=12.0),
        roster=roster,
        objective=39365.678,
        solve_seconds=12.3456,
    )
    rows = [r for r in build_workbook(roster, problem, result=result)["指标"].iter_rows(values_only=True)]
    pairs = {r[0]: r[1] for r in rows if r[0] is not None}
    assert pairs["状态"] == "最优" and pairs["目标值 (元)"] == 39366 and pairs["求解秒数"] == 12.3
    assert any(r[:3] == ("参数", "求解时限 (秒)", 12.0) for r in rows)
    sheet = build_workbook(roster, problem, result=result)["指标"]
    monday = next(r for r in sheet.iter_rows() if r[0].value == "11-30 周一")
    assert [c.number_format for c in monday[4:8]] == ["#,##0", "#,##0", "0.0", "0.0"]  # yuan; 0.1 min
