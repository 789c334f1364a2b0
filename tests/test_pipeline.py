"""Tests of scheduler.app.pipeline: the sample branch's files → forecast → demand → roster → outputs."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from constraints.errors import InputError
from constraints.roster import with_outreach
from constraints.rules import check_roster
from scheduler.app.pipeline import Branch, WeekPlan, load_branch, plan_week, write_plan
from scheduler.sample.generator import generate_sample
from scheduler.solver.result import SolveParams

TIME_LIMIT = float(os.environ.get("PAIBAN_TIME_LIMIT", "10"))


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Branch, dt.date]:
    """A 6-week sample branch, loaded once for the module."""
    s = generate_sample(tmp_path_factory.mktemp("sample"), weeks=6, seed=1)
    return load_branch(s.tickets, s.staff, s.config, leave=s.leave, events=s.events), s.plan_week


@pytest.fixture(scope="module")
def plan(branch: tuple[Branch, dt.date]) -> WeekPlan:
    """The sample's plan week, planned with the test budget."""
    b, monday = branch
    return plan_week(
        b, monday, SolveParams.from_config(b.config, time_limit_seconds=TIME_LIMIT), replications=3
    )


def test_load_branch_reads_every_file(branch: tuple[Branch, dt.date]) -> None:
    """Tickets, staff, config and leave are read; the next Monday follows the last ticket."""
    b, monday = branch
    assert len(b.staff) == 14 and len(b.tickets) > 1000
    assert set(b.files) >= {"tickets", "staff", "config", "leave"}
    assert b.next_monday() == monday


def test_plan_holds_every_hard_rule(plan: WeekPlan) -> None:
    """The sample week gets a roster and the rules' own checks find no hard violation."""
    assert plan.roster is not None, plan.result
    hard = [v for v in check_roster(plan.problem, plan.roster) if v.hard]
    assert hard == []
    assert plan.result.ok


def test_requirements_follow_the_forecast(plan: WeekPlan) -> None:
    """requirements.csv rows cover the open slots; required windows never exceed the physical windows."""
    req = plan.requirements
    assert list(req.columns) == [
        "date",
        "start",
        "end",
        "counter",
        "forecast_arrivals",
        "required_windows",
        "open_windows",
    ]
    caps = plan.branch.config.windows
    assert (req["required_windows"] <= req["counter"].map(caps)).all()
    assert req["open_windows"].notna().all()
    busy = req.groupby("start")["forecast_arrivals"].sum()
    assert busy.idxmax() >= "09:30"


def test_write_plan_writes_the_contracts(plan: WeekPlan, tmp_path: Path) -> None:
    """roster.csv, requirements.csv, summary.json, roster.xlsx, forecast.csv and simulation.csv are written."""
    written = write_plan(plan, tmp_path)
    assert set(written) >= {"roster.csv", "requirements.csv", "summary.json", "roster.xlsx", "forecast.csv"}
    roster = pd.read_csv(tmp_path / "roster.csv", encoding="utf-8-sig")
    assert list(roster.columns) == ["date", "staff_id", "name", "post", "start", "end", "activity"]
    assert (tmp_path / "roster.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    for key in ("status", "objective", "best_bound", "gap", "solve_seconds", "staff_hours", "violations"):
        assert key in summary
    assert summary["parameters"]["seed"] == 0 and "ortools" in summary["versions"]


def test_week_without_history_is_bad_input(branch: tuple[Branch, dt.date]) -> None:
    """Planning a week before any ticket names --week."""
    b, _ = branch
    with pytest.raises(InputError) as ei:
        plan_week(b, dt.date(2020, 1, 6))
    assert ei.value.argument == "--week"


def test_planned_roster_round_trips_through_the_workbook(plan: WeekPlan, tmp_path: Path) -> None:
    """plan → roster.xlsx (and roster.csv) → read back → the identical roster (the sales posts' back office
    as 营销外拓)."""
    from scheduler.report.read_roster import read_roster

    write_plan(plan, tmp_path)
    assert plan.roster is not None
    for name in ("roster.xlsx", "roster.csv"):
        back = read_roster(tmp_path / name, plan.branch.staff, plan.days)
        assert back == with_outreach(plan.roster, plan.branch.staff), name
