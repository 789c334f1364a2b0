"""Tests of scheduler.app.horizon: consecutive weeks as one model (``plan --weeks N``), or rolling (``--rolling``)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from factories import MONDAY, TINY_WEEK_STAFF, days_of, tiny_config
from openpyxl import load_workbook

from constraints.errors import InputError
from constraints.io import read_table
from constraints.roster import Block, Roster
from constraints.rules import check_roster
from constraints.rules.labour import person_weeks, weekly_hours
from scheduler.app import Scenario
from scheduler.app.cli import main
from scheduler.app.horizon import HorizonPlan, check_weeks, horizon_person, week_folder, write_horizon
from scheduler.sample.generator import SampleBranch, generate_sample

TIME_LIMIT = float(os.environ.get("PAIBAN_TIME_LIMIT", "5"))


def test_weeks_are_one_to_six() -> None:
    """0 and 7 weeks are bad input naming the option; 1 and 6 are fine."""
    assert check_weeks(1) == 1 and check_weeks(6) == 6
    for bad in (0, 7):
        with pytest.raises(InputError) as e:
            check_weeks(bad)
        assert "--weeks" in e.value.describe()


def test_the_horizon_so_far_is_carried_into_the_next_week() -> None:
    """Two weeks in: C worked the last five days in a row (and C's run before the horizon is not added, C
    was off on a day of it), D's Sunday shift ended at 22:00; weekend days add to those carried in."""
    days = days_of(tiny_config(), [MONDAY + dt.timedelta(days=i) for i in range(14)])
    blocks = [Block(d.date, "C", 9 * 60, 17 * 60, "back_office") for d in days[9:]]
    blocks += [Block(days[0].date, "C", 9 * 60, 17 * 60, "back_office")]
    blocks += [Block(d.date, "D", 13 * 60, 22 * 60, "back_office") for d in (days[5], days[13])]
    roster = Roster(tuple(blocks))
    c = TINY_WEEK_STAFF.by_id("C").model_copy(update={"prev_consecutive_days": 3, "prev_weekend_days": 1})
    d = TINY_WEEK_STAFF.by_id("D").model_copy(update={"prev_weekend_days": 2})
    carried_c = horizon_person(c, roster, days)
    carried_d = horizon_person(d, roster, days)
    assert carried_c.prev_consecutive_days == 5
    assert carried_c.prev_weekend_days == 1 + 2  # Saturday and Sunday of the second week
    assert carried_d.prev_shift_end == 22 * 60
    assert carried_d.prev_consecutive_days == 1
    assert carried_d.prev_weekend_days == 2 + 2


@pytest.fixture(scope="module")
def horizon(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleBranch, HorizonPlan]:
    """The sample branch's next two weeks, planned as one model."""
    s = generate_sample(tmp_path_factory.mktemp("sample"), weeks=5, seed=3)
    base = Scenario.from_files(s.tickets, s.staff, s.config, leave=s.leave, week=s.plan_week)
    hp = base.replace(time_limit_seconds=TIME_LIMIT, replications=0).horizon(2)
    return s, hp


def test_two_weeks_are_one_model_holding_every_rule(horizon: tuple[SampleBranch, HorizonPlan]) -> None:
    """One solve over fourteen days (demand forecast for each): its roster holds every rule of the horizon —
    contract hours and rest days in each week, rest across Sunday night and days in a row over both — and
    each week's part, checked as a week of its own with what the first carries into the second, too."""
    _, hp = horizon
    assert hp.whole is not None and hp.method == "one_model"
    whole = hp.whole.problem
    assert len(whole.days) == 14 and whole.week_dates()[1][0] == hp.monday + dt.timedelta(days=7)
    assert {d for d, _ in whole.demand} == {d.date for d in whole.days}
    assert hp.whole.result.params.time_limit_seconds == 2 * TIME_LIMIT  # the whole limit, for one solve
    roster = hp.roster
    if roster is None:
        pytest.skip("no roster within the limit")
    assert hp.ok and len(hp.weeks) == 2
    assert not [v for v in check_roster(whole, roster) if v.hard]
    for person in whole.staff:  # contract hours per calendar week
        for week in person_weeks(whole, person):
            minutes = sum(roster.paid_minutes(d, person.staff_id) for d in week.dates)
            assert week.hours.floor <= minutes <= week.hours.cap
    first, second = hp.weeks
    for w in hp.weeks:
        assert w.roster is not None and {b.date for b in w.roster.blocks} <= {d.date for d in w.days}
        assert not [v for v in check_roster(w.problem, w.roster) if v.hard]
        for person in w.problem.staff:
            hours = sum(w.roster.paid_minutes(d.date, person.staff_id) for d in w.days)
            wk = weekly_hours(w.problem, person)
            assert wk.floor <= hours <= wk.cap
    labor = whole.config.labor
    sunday, monday = first.days[-1].date, second.days[0].date
    for p in whole.staff.ids():
        before, after = roster.shift(sunday, p), roster.shift(monday, p)
        if before and after:
            assert 24 * 60 + after[0] - before[1] >= labor.min_rest_hours * 60
        run = longest = 0
        for d in whole.days:
            run = run + 1 if roster.works(d.date, p) else 0
            longest = max(longest, run)
        assert longest <= labor.max_consecutive_days
    carried = {p.staff_id: p for p in second.problem.staff}
    for p in whole.staff.ids():  # the second week's files know the first
        shift = roster.shift(sunday, p)
        assert carried[p].prev_shift_end == (shift[1] if shift else None)


def test_the_horizon_files(horizon: tuple[SampleBranch, HorizonPlan], tmp_path: Path) -> None:
    """roster.csv and requirements.csv have every day of both weeks, roster.xlsx a week sheet per week and
    every open day's sheet, summary.json the one solve (with the DESIGN.md keys) and the horizon; each week has its own folder."""
    _, hp = horizon
    if hp.roster is None:
        pytest.skip("no roster within the limit")
    written = write_horizon(hp, tmp_path, lang="zh")
    rows = read_table(tmp_path / "roster.csv")
    assert list(rows.columns) == ["date", "staff_id", "name", "post", "start", "end", "activity"]
    assert {str(d) for d in rows["date"]} == {d.isoformat() for d in hp.roster.dates()}
    assert {w.monday.isoformat() for w in hp.weeks} <= {str(d) for d in rows["date"]}
    req = read_table(tmp_path / "requirements.csv")
    assert {str(d) for d in req["date"]} == {d.date.isoformat() for d in hp.days if d.is_open}
    book = load_workbook(tmp_path / "roster.xlsx")
    assert [n for n in book.sheetnames if n.startswith("周排班")] == [
        f"周排班 {w.monday:%m-%d}" for w in hp.weeks
    ]
    assert {n[:5] for n in book.sheetnames} >= {f"{d.date:%m-%d}" for d in hp.days if d.is_open}
    doc = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert {"status", "objective", "best_bound", "gap", "staff_hours", "violations", "parameters"} <= set(doc)
    assert doc["horizon"]["first_day"] == hp.monday.isoformat()
    assert doc["horizon"]["last_day"] == hp.days[-1].date.isoformat()
    assert doc["horizon"]["weeks_planned"] == 2 and doc["horizon"]["method"] == "one_model"
    assert doc["ok"] is True and doc["gap"] is not None
    assert [w["monday"] for w in doc["weeks"]] == [w.monday.isoformat() for w in hp.weeks]
    for k, w in enumerate(hp.weeks):
        folder = tmp_path / week_folder(w.monday)
        assert (folder / "roster.xlsx").is_file() and (folder / "summary.json").is_file()
        assert f"{week_folder(w.monday)}/roster.csv" in written
        part = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["horizon"]
        assert part["week"] == k + 1 and part["method"] == "one_model"  # its objective is the horizon's


def test_rolling_weeks_are_kept(tmp_path: Path) -> None:
    """``rolling=True`` plans the weeks one after the other, each its own solve."""
    s = generate_sample(tmp_path / "sample", weeks=5, seed=3)
    base = Scenario.from_files(s.tickets, s.staff, s.config, leave=s.leave, week=s.plan_week)
    hp = base.replace(time_limit_seconds=TIME_LIMIT / 2, replications=0).horizon(2, rolling=True)
    assert hp.whole is None and hp.method == "rolling_weeks"
    assert [len(w.problem.days) for w in hp.weeks] == [7] * len(hp.weeks)
    assert hp.summary()["horizon"]["method"] == "rolling_weeks"


def test_plan_weeks_command(tmp_path: Path) -> None:
    """`paiban plan --weeks 2` writes the horizon of one model; --weeks 7 is bad input (exit 2, nothing
    written)."""
    s = generate_sample(tmp_path / "sample", weeks=5, seed=3)
    common = [
        *("plan", "--tickets", str(s.tickets), "--staff", str(s.staff), "--config", str(s.config)),
        *("--leave", str(s.leave), "--week", s.plan_week.isoformat()),
        *("--time-limit", str(2 * TIME_LIMIT), "--replications", "0"),
    ]
    assert main([*common, "--out", str(tmp_path / "bad"), "--weeks", "7"]) == 2
    assert not (tmp_path / "bad").exists()
    code = main([*common, "--out", str(tmp_path / "out"), "--weeks", "2"])
    doc = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert code == (0 if doc["ok"] else 1)
    assert doc["horizon"]["weeks_asked"] == 2 and doc["horizon"]["method"] == "one_model"
    if doc["ok"]:
        rows = read_table(tmp_path / "out" / "roster.csv")
        first = s.plan_week
        assert {str(d) for d in rows["date"]} >= {(first + dt.timedelta(days=k)).isoformat() for k in (0, 7)}
