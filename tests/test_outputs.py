"""The output files: exact CSV columns with BOM, summary.json keys, the workbook — and all-or-nothing writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
import roster_fixtures as rf
from openpyxl import load_workbook

import scheduler.report.outputs as outputs
from constraints.io import read_table
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules import check_roster
from scheduler.report.outputs import OUTPUT_FILES, SUMMARY_KEYS, write_outputs
from scheduler.solver.result import RosterResult, SolveParams


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, problem: Problem, roster: Roster) -> Path:
    """An output folder written once from a solver-like result."""
    folder = tmp_path_factory.mktemp("out")
    found = check_roster(problem, roster)  # the made-up demand leaves soft notes
    result = RosterResult(
        status="OPTIMAL",
        problem=problem,
        params=SolveParams(seed=3),
        roster=roster,
        gap=0.0,
        violations=found,
    )
    write_outputs(
        folder,
        roster=roster,
        problem=problem,
        result=result,
        forecast=rf.example_forecast(problem),
        summary=result.summary(),
        inputs={"staff": rf.examples_dir() / "staff.csv", "config": rf.examples_dir() / "branch.toml"},
    )
    return folder


def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def test_all_files_written(out: Path) -> None:
    """roster.csv, requirements.csv, summary.json and roster.xlsx are there, nothing else."""
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


def test_roster_csv_exact_columns_with_bom(out: Path, problem: Problem, roster: Roster) -> None:
    """roster.csv: exactly date,staff_id,name,post,start,end,activity in UTF-8 with BOM, and it reads back."""
    raw = (out / "roster.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert _header(out / "roster.csv") == ["date", "staff_id", "name", "post", "start", "end", "activity"]
    assert "王建国".encode() in raw
    assert Roster.from_frame(read_table(out / "roster.csv")) == roster


def test_requirements_csv_exact_columns_with_bom(out: Path, roster: Roster, problem: Problem) -> None:
    """requirements.csv: exactly the DESIGN.md columns, BOM, open windows counted from the roster."""
    assert (out / "requirements.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert _header(out / "requirements.csv") == [
        "date",
        "start",
        "end",
        "counter",
        "forecast_arrivals",
        "required_windows",
        "open_windows",
    ]
    df = pd.read_csv(out / "requirements.csv", encoding="utf-8-sig", dtype={"start": str})
    monday = problem.day(rf.MONDAY)
    high = roster.open_windows(monday, problem.staff.ids())["high_counter"]
    row = df[(df["date"] == "2026-11-30") & (df["start"] == "12:00") & (df["counter"] == "high_counter")]
    assert int(row["open_windows"].iloc[0]) == int(high[monday.slot_of(720)]) == 2


def test_summary_json_keys_and_utf8(out: Path) -> None:
    """summary.json has every DESIGN.md key, violations with rule/date/start/end/message, unescaped Chinese."""
    text = (out / "summary.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert set(SUMMARY_KEYS) <= set(doc)
    assert doc["status"] == "OPTIMAL" and doc["parameters"]["seed"] == 3
    assert doc["violations"] and {"rule", "date", "start", "end", "message"} <= set(doc["violations"][0])
    assert doc["expected_waits"]["2026-11-30"]["mean_wait_minutes"] > 0
    assert len(doc["inputs"]["staff"]["sha256"]) == 64
    assert "高柜" in text  # ensure_ascii=False
    assert text.startswith("{\n  ")  # indent 2


def test_workbook_written(out: Path) -> None:
    """roster.xlsx opens and holds the day sheets."""
    assert "11-30 周一" in load_workbook(out / "roster.xlsx", read_only=True).sheetnames


def test_summary_without_result_is_filled(tmp_path: Path, problem: Problem, roster: Roster) -> None:
    """With no solver result, summary.json still has every key (status null, rules checked here)."""
    write_outputs(tmp_path, roster=roster, problem=problem.replace(demand={}), summary={"status": "CHECKED"})
    doc = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert set(SUMMARY_KEYS) <= set(doc)
    assert doc["status"] == "CHECKED" and doc["violations"] == [] and doc["staff_hours"]["S01"] == 38.5


def test_failure_leaves_old_files_untouched(
    tmp_path: Path, problem: Problem, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure mid-write (the workbook, after the CSVs and JSON) leaves every old file and no temp files."""
    for name in OUTPUT_FILES:
        (tmp_path / name).write_text(f"old {name}", encoding="utf-8")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash while writing roster.xlsx")

    monkeypatch.setattr(outputs, "write_workbook", boom)
    with pytest.raises(RuntimeError, match="crash"):
        write_outputs(tmp_path, roster=roster, problem=problem, summary={})
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(OUTPUT_FILES)
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_text(encoding="utf-8") == f"old {name}"


def test_success_replaces_old_files(tmp_path: Path, problem: Problem, roster: Roster) -> None:
    """A complete write replaces old outputs and returns their paths."""
    (tmp_path / "roster.csv").write_text("old", encoding="utf-8")
    paths = write_outputs(tmp_path, roster=roster, problem=problem.replace(demand={}), summary={}, lang="en")
    assert set(paths) == set(OUTPUT_FILES)
    assert (tmp_path / "roster.csv").read_bytes().startswith(b"\xef\xbb\xbfdate,staff_id")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_no_roster_still_writes_the_reason(tmp_path: Path, problem: Problem) -> None:
    """An infeasible week writes a header-only roster.csv, the status and the explanation (summary and KPIs)."""
    why = Violation(
        "noon_two_at_high_counter", rf.MONDAY, 690, 810, "高柜只有 1 人可用", "only 1 available", ("S07",)
    )
    result = RosterResult(status="INFEASIBLE", problem=problem, params=SolveParams(), explanation=[why])
    write_outputs(tmp_path, roster=None, problem=problem, result=result, summary=result.summary())
    assert (tmp_path / "roster.csv").read_text(encoding="utf-8-sig").strip() == (
        "date,staff_id,name,post,start,end,activity"
    )
    doc = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert doc["status"] == "INFEASIBLE" and doc["explanation"][0]["rule"] == "noon_two_at_high_counter"
    req = pd.read_csv(tmp_path / "requirements.csv", encoding="utf-8-sig")
    assert req["open_windows"].isna().all() and len(req) > 0
    ws = load_workbook(tmp_path / "roster.xlsx")["指标"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "无法排班的原因" in values and "高柜只有 1 人可用" in values
