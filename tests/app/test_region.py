"""Tests of ``paiban region`` (scheduler.app.region): a region's branch folders planned on Dask.

The region: two small sample branches whose calendar overrides close the plan week after Tuesday (two open days
keep each solve to seconds; one overrides file sits beside its toml, the other in a shared ``../.calendar``
folder), a branch with a bad staff list and one whose staff cannot cover the noon rule. They run once on an
embedded LocalCluster of two processes through the CLI; then with ``--resume``; then one branch on a scheduler
and a worker started as separate processes on localhost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from distributed import Client
from openpyxl import load_workbook

from constraints.errors import InputError
from scheduler.app.cli import main
from scheduler.app.cli.region import progress_view
from scheduler.app.pipeline import load_branch, plan_week, write_plan
from scheduler.app.region import (
    BranchJob,
    RegionProgress,
    RegionSettings,
    branch_inputs,
    build_job,
    connect,
    input_digests,
    plan_branch,
    region_plan,
    resumable,
    run_region,
)
from scheduler.report.outputs import OUTPUT_FILES
from scheduler.report.region_workbook import REGION_COLUMNS, RegionRow, counts_line, write_region_workbook
from scheduler.sample.generator import generate_sample
from scheduler.solver.result import SolveParams

ROOT = Path(__file__).resolve().parents[2]
WEEK = dt.date(2026, 11, 30)
TIME_LIMIT = 4.0
CLOSED = "date,day_type,open,close\n" + "".join(f"2026-12-0{d},closed,,\n" for d in range(2, 7))
"""Wednesday to Sunday of the plan week closed: two open days."""
BRANCH_OUTPUTS = (
    "roster.csv",
    "requirements.csv",
    "summary.json",
    "roster.xlsx",
    "forecast.csv",
    "simulation.csv",
)


def _with_overrides(folder: Path, relpath: str) -> None:
    toml = folder / "branch.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('overrides = ""', f'overrides = "{relpath}"', 1), encoding="utf-8")


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folders a (overrides beside the toml), b (overrides in ../.calendar), bad (unknown post), inf (two staff)."""
    root = tmp_path_factory.mktemp("region") / "branches"
    generate_sample(root / "a", weeks=3, seed=1)
    (root / "a" / "closed.csv").write_text(CLOSED, encoding="utf-8")
    _with_overrides(root / "a", "closed.csv")
    generate_sample(root / "b", weeks=3, seed=2)
    (root / ".calendar").mkdir()
    (root / ".calendar" / "closed.csv").write_text(CLOSED, encoding="utf-8")
    _with_overrides(root / "b", "../.calendar/closed.csv")
    shutil.copytree(root / "a", root / "bad")
    staff = (root / "bad" / "staff.csv").read_text(encoding="utf-8-sig").splitlines()
    staff[2] = staff[2].replace("营业主管", "行长助理")
    (root / "bad" / "staff.csv").write_text("\n".join(staff) + "\n", encoding="utf-8")
    shutil.copytree(root / "a", root / "inf")
    (root / "inf" / "staff.csv").write_text(
        "\n".join(staff[:1] + staff[1:2] + staff[3:4]) + "\n", encoding="utf-8"
    )
    (root / "inf" / "leave.csv").unlink()
    return root


def _run(args: list[str]) -> int:
    return main(
        ["region", *args, "--week", WEEK.isoformat(), "--time-limit", str(TIME_LIMIT), "--replications", "3"]
    )


@pytest.fixture(scope="module")
def first_run(region: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """The CLI on an embedded LocalCluster of two processes: (exit status, OUT)."""
    out = tmp_path_factory.mktemp("out")
    return _run(["--branches", str(region), "--out", str(out), "--workers", "2"]), out


def _summary(out: Path, folder: str) -> dict:
    return json.loads((out / folder / "summary.json").read_text(encoding="utf-8"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_each_branch_gets_plans_outputs_from_shipped_inputs(
    region: Path, first_run: tuple[int, Path]
) -> None:
    """Planned branches get every file `paiban plan` writes; summary.json names the submitter's inputs (the
    overrides file too) with their sha256, as the workbook's 指标 sheet does, and the shipped overrides closed
    Wednesday to Sunday."""
    _, out = first_run
    for folder in ("a", "b"):
        assert sorted(p.name for p in (out / folder).iterdir()) == sorted(BRANCH_OUTPUTS)
        doc = _summary(out, folder)
        assert doc["ok"] is True and doc["parameters"]["workers"] == 1
        inputs = branch_inputs(region / folder)
        assert {k: v["path"] for k, v in doc["inputs"].items()} == {k: str(p) for k, p in inputs.items()}
        assert {k: v["sha256"] for k, v in doc["inputs"].items()} == {k: _sha(p) for k, p in inputs.items()}
        roster = pd.read_csv(out / folder / "roster.csv", encoding="utf-8-sig")
        assert set(roster["date"]) == {"2026-11-30", "2026-12-01"}
        kpi = load_workbook(out / folder / "roster.xlsx")["指标"]
        cells = {str(c.value) for row in kpi.iter_rows() for c in row if c.value is not None}
        assert str(inputs["staff"]) in cells and f"sha256 {_sha(inputs['staff'])}" in cells
    assert doc["inputs"]["overrides"]["path"] == str(region / "b" / "../.calendar/closed.csv")


@pytest.fixture(scope="module")
def plan_of_a(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[float], bytes]:
    """Branch a planned by plan_week in this process, as `paiban plan` with one CP-SAT search per solve plans it,
    with a given deterministic work budget: its roster.csv bytes."""

    def plan(work_units: float) -> bytes:
        files = branch_inputs(region / "a")
        branch = load_branch(files["tickets"], files["staff"], files["config"], files.get("leave"))
        params = SolveParams.from_config(
            branch.config, time_limit_seconds=120.0, workers=1, work_units=work_units
        )
        plan = plan_week(branch, WEEK, params, replications=3)
        out = tmp_path_factory.mktemp("plan-a")
        write_plan(plan, out)
        return (out / "roster.csv").read_bytes()

    return plan


def _same_roster_when_reproducible(out: Path, plan_of_a: Callable[[float], bytes]) -> None:
    """The worker's roster.csv for a is plan_week's with the same work budget (the one the worker's solve sized
    from its pace and reports) — unless the clock cut the worker's budget (a machine too loaded), when no run
    can repeat it."""
    summary = _summary(out, "a")
    if not summary["reproducible"]:
        pytest.skip("the wall clock cut the worker's deterministic budget (machine overloaded)")
    worker = (out / "a" / "roster.csv").read_bytes()
    assert worker == plan_of_a(summary["parameters"]["work_units"])


def test_a_branch_is_planned_as_plan_plans_it(
    first_run: tuple[int, Path], plan_of_a: Callable[[float], bytes]
) -> None:
    """On the local cluster, a's roster.csv is the one plan_week gives in this process for the same inputs."""
    _same_roster_when_reproducible(first_run[1], plan_of_a)


def test_failures_stay_with_their_branch(region: Path, first_run: tuple[int, Path]) -> None:
    """Bad input is exit 2 with the one-line reason naming the submitter's file, row and column, and no outputs;
    the understaffed week is exit 1 with its outputs; the run exits with the worst status, 2."""
    code, out = first_run
    summary = pd.read_csv(out / "region_summary.csv", encoding="utf-8-sig").set_index("folder")
    assert code == 2
    bad = summary.loc["bad"]
    assert (bad["status"], bad["exit_status"]) == ("BAD_INPUT", 2)
    assert str(region / "bad" / "staff.csv") in bad["message"] and "第 3 行" in bad["message"]
    assert "行长助理" in bad["message"] and "\n" not in bad["message"]
    assert not (out / "bad").exists()
    inf = summary.loc["inf"]
    assert (inf["status"], inf["exit_status"]) == ("INFEASIBLE", 1)
    assert "noon_two_at_high_counter" in inf["message"]
    assert _summary(out, "inf")["ok"] is False
    assert list(summary.loc[["a", "b"], "exit_status"]) == [0, 0]


def test_region_summary_reads_each_summary_json(first_run: tuple[int, Path]) -> None:
    """region_summary.csv: UTF-8 with BOM, the contract's columns, one row per folder by name, the figures of
    each branch's summary.json."""
    _, out = first_run
    raw = (out / "region_summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    summary = pd.read_csv(out / "region_summary.csv", encoding="utf-8-sig")
    assert tuple(summary.columns) == REGION_COLUMNS
    assert list(summary["folder"]) == ["a", "b", "bad", "inf"]
    for _, row in summary[summary["exit_status"] == 0].iterrows():
        doc = _summary(out, row["folder"])
        assert row["objective"] == pytest.approx(doc["objective"])
        assert row["staff_hours"] == pytest.approx(sum(doc["staff_hours"].values()))
        assert row["hard_violations"] == sum(v["hard"] for v in doc["violations"])
        assert row["service_gaps"] == len(doc.get("service_gaps", []))
        waits = doc["expected_waits"].values()
        weight = sum(w["arrivals"] for w in waits)
        mean = sum(w["arrivals"] * w["simulated_mean_wait_minutes"] for w in waits) / weight
        assert row["mean_wait_minutes"] == pytest.approx(mean, abs=0.01)
        assert (row["branch_id"], row["branch_name"]) == ("PSBC-0101", "示例支行")
        assert row["seconds"] > 0
    assert summary.loc[summary["folder"] == "inf", "staff_hours"].isna().all()


def test_region_workbook_overview(first_run: tuple[int, Path]) -> None:
    """region.xlsx: a Chinese overview with one row per branch, colour rules for failures and service gaps and
    a chart, and the whole summary table."""
    _, out = first_run
    wb = load_workbook(out / "region.xlsx")
    assert wb.sheetnames == ["区域概览", "汇总表"]
    ws = wb["区域概览"]
    assert ws.cell(4, 1).value == "网点文件夹" and ws.cell(4, 4).value == "状态"
    assert [ws.cell(r, 1).value for r in range(5, 9)] == ["a", "b", "bad", "inf"]
    assert [ws.cell(r, 4).value for r in range(7, 9)] == ["输入错误", "无解"]
    assert "网点 4 个" in ws.cell(2, 1).value
    formulas = [rule.formula[0] for cf in ws.conditional_formatting for rule in cf.rules if rule.formula]
    assert any("=2" in f for f in formulas) and any("=1" in f for f in formulas) and "0" in formulas
    assert len(ws._charts) == 1
    table = wb["汇总表"]
    assert table.max_row == 4 + 4 and table.cell(4, 14).value == "说明"


def _kill_worker_running(client: Client, prefix: str, killed: list[int]) -> None:
    """Kill (SIGKILL) the worker process the first task whose key starts with ``prefix`` is sent to."""
    for _ in range(600):
        for address, keys in client.processing().items():
            if any(str(k).startswith(prefix) for k in keys):
                pid = client.run(os.getpid, workers=[address])[address]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
        time.sleep(0.1)


def test_resume_skips_unchanged_branches_and_a_dead_worker_is_retried(
    region: Path, first_run: tuple[int, Path]
) -> None:
    """--resume keeps a's outputs untouched, plans b again once its leave.csv changed, and retries bad; b's
    worker killed mid-run, b is planned on the other worker."""
    _, out = first_run
    before = {f: (out / f / "summary.json").stat().st_mtime_ns for f in ("a", "b", "inf")}
    leave = region / "b" / "leave.csv"
    leave.write_bytes(leave.read_bytes() + b"\n")
    assert resumable(out / "b", input_digests(branch_inputs(region / "b")), WEEK) is None
    assert (
        resumable(out / "a", input_digests(branch_inputs(region / "a")), WEEK + dt.timedelta(days=7)) is None
    )
    killed: list[int] = []
    settings = RegionSettings(time_limit=TIME_LIMIT, replications=3)
    with connect(workers=2) as client:
        killer = threading.Thread(target=_kill_worker_running, args=(client, "paiban-region-b-", killed))
        killer.start()
        report = run_region(region, WEEK, out, client=client, settings=settings, resume=True)
        killer.join()
    assert len(killed) == 1
    assert report.exit_status == 2 and report.resumed == {"a", "inf"}
    after = {f: (out / f / "summary.json").stat().st_mtime_ns for f in ("a", "b", "inf")}
    assert after["a"] == before["a"] and after["inf"] == before["inf"] and after["b"] != before["b"]
    summary = pd.read_csv(out / "region_summary.csv", encoding="utf-8-sig").set_index("folder")
    assert "沿用上次结果" in summary.loc["a", "message"] and summary.loc["a", "exit_status"] == 0
    assert summary.loc["b", "exit_status"] == 0
    assert (
        summary.loc["inf", "exit_status"] == 1 and "noon_two_at_high_counter" in summary.loc["inf", "message"]
    )
    assert summary.loc["bad", "exit_status"] == 2
    assert _summary(out, "b")["inputs"]["leave"]["sha256"] == _sha(leave)


def test_worker_plans_without_the_submitters_files(region: Path, tmp_path: Path) -> None:
    """A job carries its files: with the branch folder gone, the worker function still plans from the bytes and
    returns the outputs (here the understaffed week: exit 1, summary.json explains)."""
    folder = tmp_path / "inf"
    shutil.copytree(region / "inf", folder)
    job: BranchJob = build_job(folder, branch_inputs(folder), WEEK, RegionSettings(time_limit=TIME_LIMIT))
    shutil.rmtree(folder)
    outcome = plan_branch(job)
    assert outcome.exit_status == 1 and outcome.message == ""
    doc = json.loads(outcome.files["summary.json"])
    assert doc["status"] == "INFEASIBLE" and doc["inputs"]["staff"]["path"] == str(folder / "staff.csv")


def test_missing_files_and_folders_are_bad_input(tmp_path: Path) -> None:
    """A folder without staff.csv is that branch's exit 2; a region without branch folders is exit 2 at once."""
    (tmp_path / "empty" / "out").mkdir(parents=True)  # the output folder inside is no branch
    assert (
        main(
            [
                "region",
                "--branches",
                str(tmp_path / "empty"),
                "--week",
                WEEK.isoformat(),
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    generate_sample(tmp_path / "r" / "x", weeks=1, seed=0)
    (tmp_path / "r" / "x" / "staff.csv").unlink()
    with pytest.raises(InputError, match=r"staff\.csv"):
        branch_inputs(tmp_path / "r" / "x")


def test_workbook_writer_takes_plain_rows(tmp_path: Path) -> None:
    """The writer needs only RegionRow values (no app objects): an empty region still gives both sheets."""
    write_region_workbook(tmp_path / "r.xlsx", [], week=WEEK, lang="en")
    wb = load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == ["Overview", "Summary"]
    row = RegionRow("x", "1", "n", "FEASIBLE", 0, service_gaps=2)
    write_region_workbook(tmp_path / "r.xlsx", [row], week=WEEK)
    assert load_workbook(tmp_path / "r.xlsx")["区域概览"].cell(5, 10).value == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def external_scheduler(tmp_path: Path) -> Iterator[str]:
    """A Dask scheduler and one worker started as separate processes on localhost, in a folder of their own."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    cwd = tmp_path / "cluster"
    cwd.mkdir()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                ":0",
            ],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "distributed.cli.dask_worker",
                    address,
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--dashboard-address",
                    ":0",
                    "--local-directory",
                    str(cwd),
                ],
                cwd=cwd,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


def test_existing_cluster_by_address(
    region: Path, plan_of_a: Callable[[float], bytes], external_scheduler: str, tmp_path: Path
) -> None:
    """--scheduler submits to a cluster started elsewhere: the notebook API runs on a client handed in and returns
    the summary frame; the branch comes back with plan_week's roster (checked last)."""
    only_a = tmp_path / "region"
    only_a.mkdir()
    shutil.copytree(region / "a", only_a / "a")
    out = tmp_path / "out"
    code = _run(["--branches", str(only_a), "--out", str(out), "--scheduler", external_scheduler])
    assert code == 0 and _summary(out, "a")["ok"] is True
    only_bad = tmp_path / "bad-region"
    only_bad.mkdir()
    shutil.copytree(region / "bad", only_bad / "bad")
    with Client(external_scheduler) as client:
        frame = region_plan(only_bad, WEEK, client, out=tmp_path / "bad-out", time_limit=TIME_LIMIT)
        assert client.status == "running"  # a client handed in is the caller's: left open
    assert list(frame.columns) == list(REGION_COLUMNS)
    assert list(frame["folder"]) == ["bad"] and list(frame["exit_status"]) == [2]
    assert str(only_bad / "bad" / "staff.csv") in frame["message"][0]
    _same_roster_when_reproducible(out, plan_of_a)


def test_console_lines_count_statuses_and_name_the_slowest() -> None:
    """The closing line counts branches per status and those with service gaps; the progress line names the
    slowest running branches first."""
    rows = [
        RegionRow("a", "1", "甲", "FEASIBLE", 0, service_gaps=1),
        RegionRow("b", "2", "乙", "FEASIBLE", 0),
        RegionRow("c", "3", "丙", "BAD_INPUT", 2),
    ]
    assert counts_line(rows, "zh") == "网点 3 个: 可行 2, 输入错误 1; 有服务缺口 1 个"
    assert counts_line(rows, "en") == "3 branches: feasible 2, bad input 1; 1 with service gaps"
    view = progress_view(RegionProgress(5, 2, 1, (("slow", 40.2), ("quick", 3.0)))).plain
    assert view == "已完成 2/5 (失败 1), 运行中 2: slow 40 秒, quick 3 秒"


def test_resume_distrusts_a_summary_it_cannot_read(tmp_path: Path) -> None:
    """A folder whose summary.json is not paiban's (a list, a bad date) is planned again, not skipped."""
    for name in OUTPUT_FILES:
        (tmp_path / name).write_text("", encoding="utf-8")
    for text in ("[]", '{"inputs": {}, "expected_waits": {"30/11/2026": {}}}', "{not json"):
        (tmp_path / "summary.json").write_text(text, encoding="utf-8")
        assert resumable(tmp_path, {}, WEEK) is None
    (tmp_path / "summary.json").write_text('{"inputs": {}, "expected_waits": {"2026-12-01": {}}}', "utf-8")
    assert resumable(tmp_path, {}, WEEK) is not None
