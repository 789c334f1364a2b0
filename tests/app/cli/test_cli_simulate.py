"""Tests of ``paiban simulate``: replay and forecast modes, simulation.csv, and bad input as exit status 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import scheduler.app.cli.simulate  # noqa: F401  (registers the command even before COMMAND_MODULES lists it)
from constraints.calendar import BranchCalendar
from constraints.config import load_config
from constraints.io import write_csv
from constraints.roster import Block, Roster
from scheduler.app.cli import main
from scheduler.sample.generator import SampleBranch, generate_sample
from scheduler.simulation.simulate import SIMULATION_COLUMNS


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> SampleBranch:
    """A generated sample branch with three weeks of tickets."""
    return generate_sample(tmp_path_factory.mktemp("branch"), weeks=3, seed=0)


def write_roster(branch: SampleBranch, monday: dt.date, path: Path) -> Path:
    """A plain roster for the week: 3 at the high counter, 1 low, 1 corporate, all opening hours."""
    cal = BranchCalendar(load_config(branch.config))
    blocks = []
    for day in cal.week(monday):
        if day.open_hours is None:
            continue
        o = day.open_hours
        for sid, act in (
            ("S07", "high_counter"),
            ("S08", "high_counter"),
            ("S09", "high_counter"),
            ("S04", "low_counter"),
            ("S12", "corporate_counter"),
        ):
            blocks.append(Block(day.date, sid, o.start, o.end, act))
    write_csv(Roster(tuple(blocks)).to_frame(), path)
    return path


def run(branch: SampleBranch, roster: Path, out: Path, *extra: str) -> int:
    """Run the command on the sample branch's tickets and config."""
    args = [
        "simulate",
        "--roster",
        str(roster),
        "--tickets",
        str(branch.tickets),
        "--config",
        str(branch.config),
    ]
    return main([*args, "--out", str(out), "--replications", "3", "--seed", "1", *extra])


def test_replays_a_week_the_tickets_cover(
    branch: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """A history week is replayed; simulation.csv has the contract's columns, a BOM and every open slot."""
    monday = branch.history_end - dt.timedelta(days=6)
    roster = write_roster(branch, monday, tmp_path / "roster.csv")
    assert run(branch, roster, tmp_path / "out") == 0
    raw = (tmp_path / "out" / "simulation.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfdate,start,end,counter")
    df = pd.read_csv(tmp_path / "out" / "simulation.csv", encoding="utf-8-sig")
    assert tuple(df.columns) == SIMULATION_COLUMNS
    cal = BranchCalendar(load_config(branch.config))
    open_slots = sum(len(d.open_slots) for d in cal.week(monday))
    assert len(df) == 3 * open_slots
    assert set(df.loc[df["counter"] == "high_counter", "open_windows"]) == {3}
    assert df["arrivals"].sum() > 500  # a week of real tickets
    printed = capsys.readouterr().out
    assert "回放" in printed and "预测" not in printed


def test_forecasts_a_week_beyond_the_tickets(
    branch: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The plan week (after the history) is sampled from the forecast fitted on the history."""
    pytest.importorskip("forecasts.weekly")
    roster = write_roster(branch, branch.plan_week, tmp_path / "roster.csv")
    assert run(branch, roster, tmp_path / "out") == 0
    df = pd.read_csv(tmp_path / "out" / "simulation.csv", encoding="utf-8-sig")
    assert df["date"].min() == branch.plan_week.isoformat()
    assert df["arrivals"].sum() > 500
    assert "预测" in capsys.readouterr().out


def test_same_seed_same_file(branch: SampleBranch, tmp_path: Path) -> None:
    """Two runs with the same seed write identical files."""
    monday = branch.history_end - dt.timedelta(days=6)
    roster = write_roster(branch, monday, tmp_path / "roster.csv")
    assert run(branch, roster, tmp_path / "a") == 0 and run(branch, roster, tmp_path / "b") == 0
    assert (tmp_path / "a" / "simulation.csv").read_bytes() == (
        tmp_path / "b" / "simulation.csv"
    ).read_bytes()


def test_bad_input_exits_2_with_one_message(
    branch: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Zero replications, an .xlsx roster without --staff/--week, a missing roster, an unknown staff id."""
    monday = branch.history_end - dt.timedelta(days=6)
    roster = write_roster(branch, monday, tmp_path / "roster.csv")
    assert run(branch, roster, tmp_path / "o", "--replications", "0") == 2
    assert "--replications" in capsys.readouterr().err
    (tmp_path / "roster.xlsx").write_bytes(b"")
    assert run(branch, tmp_path / "roster.xlsx", tmp_path / "o") == 2
    assert "--staff" in capsys.readouterr().err
    assert run(branch, tmp_path / "missing.csv", tmp_path / "o") == 2
    assert "missing.csv" in capsys.readouterr().err
    df = pd.read_csv(roster, encoding="utf-8-sig", dtype=str)
    df.loc[0, "staff_id"] = "NOBODY"
    write_csv(df, tmp_path / "bad.csv")
    assert run(branch, tmp_path / "bad.csv", tmp_path / "o", "--staff", str(branch.staff)) == 2
    assert "NOBODY" in capsys.readouterr().err
    assert not (tmp_path / "o" / "simulation.csv").exists()
