"""Tests of scheduler.app.scenario: variants without mutation, and what-if directions that make sense."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from constraints.rules import check_roster
from scheduler.app.scenario import KPI_COLUMNS, Scenario, compare
from scheduler.sample.generator import generate_sample

TIME_LIMIT = float(os.environ.get("PAIBAN_TIME_LIMIT", "10"))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The sample branch's plan week as the baseline scenario."""
    s = generate_sample(tmp_path_factory.mktemp("sample"), weeks=6, seed=2)
    sc = Scenario.from_files(s.tickets, s.staff, s.config, leave=s.leave, week=s.plan_week)
    return sc.replace(time_limit_seconds=TIME_LIMIT, replications=3)


def test_variants_do_not_mutate(base: Scenario) -> None:
    """Every helper returns a new scenario; the base keeps its config, leave and demand."""
    v = (
        base.with_windows("high_counter", 5)
        .with_rule("noon_two_at_high_counter", count=3)
        .with_service_level(max_mean_wait_minutes=10)
        .with_slot_minutes(30)
        .with_pension_days([1])
        .with_leave("S08", base.monday + dt.timedelta(days=4))
        .with_demand(1.2)
    )
    assert v.branch.config.windows["high_counter"] == 5
    assert v.branch.config.rules.noon_two_at_high_counter.count == 3
    assert v.branch.config.service_level.max_mean_wait_minutes == 10
    assert v.branch.config.grid.slot_minutes == 30
    assert v.branch.config.calendar.pension_days == (1,)
    assert len(v.branch.absences) == len(base.branch.absences) + 1
    assert base.branch.config.windows["high_counter"] == 4 and base.demand_scale == 1.0
    assert base.branch.config.grid.slot_minutes == 15


def test_unknown_person_on_leave_is_refused(base: Scenario) -> None:
    """A leave for someone not on the staff list raises instead of being ignored."""
    with pytest.raises(KeyError):
        base.with_leave("S99", base.monday)


def test_what_if_directions(base: Scenario) -> None:
    """+20% demand raises staff hours or waits; a teller on leave never silently breaks a hard rule."""
    friday = base.monday + dt.timedelta(days=4)
    scenarios = [base, base.with_demand(1.2), base.with_leave("S08", friday)]
    plans = [s.run() for s in scenarios]
    table = compare(scenarios, plans)
    assert list(table.columns) == list(KPI_COLUMNS) and len(table) == 3
    b, more, leave = table.to_dict("records")
    assert more["forecast_arrivals"] == pytest.approx(1.2 * b["forecast_arrivals"], rel=1e-3)
    assert more["staff_hours"] > b["staff_hours"] or more["mean_wait_min"] > b["mean_wait_min"]
    r = plans[2].result
    if r.ok:
        assert r.roster is not None and not r.roster.works(friday, "S08")
        assert [v for v in check_roster(r.problem, r.roster) if v.hard] == []
    else:  # flagged, with its reasons: never a roster that quietly breaks a rule
        assert r.explanation or r.hard_violations or r.status == "UNKNOWN"
        assert leave["hard_violations"] == len(r.hard_violations or r.explanation)
