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
from scheduler.app.pipeline import Branch, WeekPlan, carry_comp_days, load_branch, plan_week, write_plan
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


def test_sample_week_covers_both_authorities_and_seats_everyone_at_the_meeting(plan: WeekPlan) -> None:
    """Under the defaults, read straight off the roster: in every open slot a branch- and an operations-authority
    holder are at work and not at lunch; everyone who works a day is at that day's whole 晨会 (but for whom leave or
    an event keeps away that morning)."""
    assert plan.roster is not None, plan.result
    problem, roster = plan.problem, plan.roster
    ids = problem.staff.ids()
    meeting = problem.config.rules.daily_routine.meeting_minutes
    for day in problem.open_days:
        assert day.staff_hours is not None and day.open_hours is not None
        grid = roster.grid(day, ids)
        for authority in ("branch", "operations"):
            holders = [k for k, sid in enumerate(ids) if problem.staff.by_id(sid).holds(authority)]
            bare = [s for s in day.open_slots if all(grid[k, s] in ("", "break") for k in holders)]
            assert bare == [], (day.date, authority, bare)
        meet = [
            s
            for s, t in enumerate(day.slot_starts)
            if day.staff_hours.start <= t < min(day.staff_hours.start + meeting, day.open_hours.start)
        ]
        morning = problem.config.lunch.window.start
        excused = {  # leave or an event that morning (S01 at the 经营分析会 until 12:00) excuses the meeting
            sid
            for sid in ids
            for a in problem.absences_of(sid, day.date)
            if a.hours is None or a.hours.start < morning
        }
        on_duty = [k for k, sid in enumerate(ids) if roster.works(day.date, sid) and sid not in excused]
        absent = [ids[k] for k in on_duty if any(grid[k, s] != "meeting" for s in meet)]
        assert meet and on_duty and absent == [], (day.date, absent)


def test_sample_week_has_no_lobby_stint_under_an_hour(plan: WeekPlan) -> None:
    """Every run of lobby slots of every person on the sample week lasts at least an hour (closing included)."""
    assert plan.roster is not None, plan.result
    problem, roster = plan.problem, plan.roster
    short = []
    for day in problem.open_days:
        for sid, row in zip(problem.staff.ids(), roster.grid(day, problem.staff.ids()), strict=True):
            stint = 0
            for s in [*day.open_slots, None]:
                if s is not None and row[s] == "lobby":
                    stint += 1
                    continue
                if 0 < stint * day.slot_minutes < 60:
                    short.append((day.date, sid, s))
                stint = 0
    assert short == []


def test_sample_week_posts_at_most_four_shifts_a_day(plan: WeekPlan) -> None:
    """Read off the roster: each day at most four distinct (start, end) shifts and at most two lunch starts."""
    assert plan.roster is not None, plan.result
    problem, roster = plan.problem, plan.roster
    for day in problem.days:
        shifts: set[tuple[int, int]] = set()
        lunches: set[int] = set()
        for sid in problem.staff.ids():
            blocks = roster.blocks_of(day.date, sid)
            if blocks:
                shifts.add((min(b.start for b in blocks), max(b.end for b in blocks)))
                lunches.update(b.start for b in blocks if b.activity == "break")
        assert len(shifts) <= 4 and len(lunches) <= 2, (day.date, sorted(shifts), sorted(lunches))


def test_summary_carries_comp_days_and_the_next_plan_reads_them(
    plan: WeekPlan, branch: tuple[Branch, dt.date], tmp_path: Path
) -> None:
    """summary.json lists the 补休 owed per person (a day for each day worked beyond five, as no one owed any
    coming in); the next plan reads them back from it, over staff.csv; a bad value is one clear message."""
    assert plan.roster is not None, plan.result
    owed = plan.result.summary()["comp_days_owed"]
    assert set(owed) == set(plan.problem.staff.ids())
    for sid, n in owed.items():
        worked = sum(plan.roster.works(d.date, sid) for d in plan.problem.days)
        away = any(plan.problem.away_all_day(sid, d.date) for d in plan.problem.days)
        assert n >= 0 and (away or n == max(0, worked - 5)), (sid, worked, n)
    b, _ = branch
    (tmp_path / "summary.json").write_text(json.dumps({"comp_days_owed": {"S03": 2}}), encoding="utf-8")
    carried = carry_comp_days(b, tmp_path)
    assert carried.staff.by_id("S03").comp_days_owed == 2 and carried.staff.by_id("S04").comp_days_owed == 0
    (tmp_path / "bad.json").write_text(json.dumps({"comp_days_owed": {"S03": -1}}), encoding="utf-8")
    with pytest.raises(InputError, match="comp days owed") as err:
        carry_comp_days(b, tmp_path / "bad.json")
    assert err.value.column == "comp_days_owed.S03"
