"""Service gaps and turned-away customers (scheduler.report.gaps): what summary.json, the console and the sheets show."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import roster_fixtures as rf

from constraints.calendar import BranchCalendar
from constraints.config import parse_hhmm
from constraints.problem import CounterDemand, Problem
from forecasts.staffing import build_demand, served_forecast
from scheduler.report.gaps import ServiceGap, service_gaps, turned_away
from scheduler.report.outputs import write_outputs

MONDAY = rf.MONDAY
SATURDAY = MONDAY + dt.timedelta(days=5)


@pytest.fixture(scope="module")
def base() -> Problem:
    """The example branch's week of 2026-11-30, no demand yet."""
    return rf.example_problem(rf.examples_dir()).replace(demand={})


def _low_counter_demand(problem: Problem, spec: dict[str, tuple[float, int, float]]) -> CounterDemand:
    """Monday's low-counter demand: ``spec[HH:MM] = (arrivals, required, wait minutes with 0 windows)``.

    The hand-made roster opens no low-counter window on Monday, so every slot with a requirement is short.
    """
    day = problem.day(MONDAY)
    n = len(day.slot_starts)
    arrivals, required = np.zeros(n), np.zeros(n, dtype=int)
    wait = np.zeros((n, problem.windows("low_counter") + 1))
    for hhmm, (a, r, w0) in spec.items():
        s = day.slot_of(parse_hhmm(hhmm))
        arrivals[s], required[s], wait[s, 0] = a, r, w0
    return CounterDemand(MONDAY, "low_counter", arrivals, required, wait)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            {
                "10:00": (2.0, 1, 6.0),
                "10:15": (2.0, 1, 6.0),
                "10:30": (2.0, 1, 6.0),
                "10:45": (2.0, 1, 6.0),
                "14:00": (1.0, 2, 3.0),
                "14:15": (3.0, 2, 3.0),
            },
            [("10:00", "11:00", 1, 8.0, 3.0), ("14:00", "14:30", 2, 4.0, 1.5)],
            id="two runs, each its own entry",
        ),
        pytest.param(
            {"16:00": (0.0, 1, 0.0), "16:15": (0.0, 1, 0.0)},
            [],
            id="required but no customers forecast: no gap",
        ),
        pytest.param(
            {"09:00": (1.0, 1, 2.0), "09:15": (0.0, 1, 0.0), "09:30": (3.0, 1, 4.0)},
            [("09:00", "09:45", 1, 4.0, 1.5)],
            id="a run keeps a slot without customers inside it",
        ),
    ],
)
def test_service_gaps_on_a_constructed_case(
    base: Problem,
    spec: dict[str, tuple[float, int, float]],
    expected: list[tuple[str, str, int, float, float]],
) -> None:
    """A counter short of its required windows gives one entry per run of slots with customers forecast:
    start, end, required and open windows, the customers and their mean wait at the windows open."""
    problem = base.replace(demand={(MONDAY, "low_counter"): _low_counter_demand(base, spec)})
    gaps = service_gaps(problem, rf.example_roster())
    assert [(g.date, g.counter) for g in gaps] == [(MONDAY, "low_counter")] * len(expected)
    got = [
        (
            f"{g.start // 60:02d}:{g.start % 60:02d}",
            f"{g.end // 60:02d}:{g.end % 60:02d}",
            g.required_windows,
            g.expected_customers,
            g.expected_mean_wait_minutes,
        )
        for g in gaps
    ]
    assert got == [pytest.approx(e) for e in expected]
    assert all(g.open_windows == 0 for g in gaps)


def test_a_counter_open_as_required_has_no_gap(base: Problem) -> None:
    """The made-up demand requires at most what the hand-made roster opens at the high counter at 10:00: no gap
    there, and each gap listed is a slot run where open < required."""
    problem = rf.example_problem(rf.examples_dir())
    roster = rf.example_roster()
    gaps = service_gaps(problem, roster)
    day = problem.day(MONDAY)
    high = roster.open_windows(day, problem.staff.ids())["high_counter"]
    req = problem.counter_demand(MONDAY, "high_counter").required  # type: ignore[union-attr]
    ten = day.slot_of(600)
    assert high[ten] >= req[ten]
    assert not any(g.counter == "high_counter" and g.date == MONDAY and g.start <= 600 < g.end for g in gaps)
    for g in gaps:
        d = problem.day(g.date)
        slots = range(d.slot_of(g.start), d.slot_of(g.end - 1) + 1)
        opened = roster.open_windows(d, problem.staff.ids())[g.counter]
        need = problem.counter_demand(g.date, g.counter).required  # type: ignore[union-attr]
        assert all(opened[s] < need[s] for s in slots)


def test_summary_json_lists_the_gaps(tmp_path: Path, base: Problem) -> None:
    """summary.json's service_gaps is the list, one dict per run with date, counter, times, customers and wait."""
    spec = {"10:00": (2.0, 1, 6.0), "10:15": (2.0, 1, 6.0)}
    problem = base.replace(demand={(MONDAY, "low_counter"): _low_counter_demand(base, spec)})
    write_outputs(tmp_path, roster=rf.example_roster(), problem=problem, summary={})
    doc = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert doc["service_gaps"] == [
        {
            "date": "2026-11-30",
            "counter": "low_counter",
            "start": "10:00",
            "end": "10:30",
            "required_windows": 1,
            "open_windows": 0,
            "expected_customers": 4.0,
            "expected_mean_wait_minutes": 3.0,
        }
    ]
    assert doc["turned_away"] == []


def _forecast(problem: Problem, per_slot: float) -> pd.DataFrame:
    rows = [
        {"date": d.date, "slot": d.slot_starts[s], "counter": c, "mean": per_slot}
        for d in problem.open_days
        for s in d.open_slots
        for c in ("high_counter", "low_counter", "corporate_counter")
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("days", "closed_dates"),
    [
        (["workday", "makeup_workday"], {SATURDAY, SATURDAY + dt.timedelta(days=1)}),
        (["mon", "tue", "wed", "thu", "fri", "sat"], {SATURDAY + dt.timedelta(days=1)}),
        (["周一"], {MONDAY + dt.timedelta(days=k) for k in range(1, 7)}),
    ],
)
def test_service_calendar_turns_customers_away(
    base: Problem, days: list[str], closed_dates: set[dt.date]
) -> None:
    """A counter closed on purpose by [counters.<counter>] days: no requirement, no gap; its forecast customers
    are turned away (one entry per closed open day), and the simulation's forecast leaves them out."""
    config = base.config.copy_with(counters={"corporate_counter": {"days": days}})
    cal = BranchCalendar(config)
    week = cal.week(MONDAY)
    fc = _forecast(base, 0.5)
    demand = build_demand(fc, week, config, {})
    problem = base.replace(config=config, demand=demand)
    for day in problem.open_days:
        cd = demand[(day.date, "corporate_counter")]
        if day.date in closed_dates:
            assert not cd.required.any() and not cd.arrivals.any() and not cd.wait_minutes.any()
            assert cd.turned_away is not None
            assert cd.turned_away.sum() == pytest.approx(0.5 * len(day.open_slots))
        else:
            assert cd.turned_away is None and cd.required[list(day.open_slots)].all()
    away = turned_away(problem)
    assert {t.date for t in away} == closed_dates
    assert all(t.counter == "corporate_counter" for t in away)
    sat = next((t for t in away if t.date == SATURDAY), None)
    if sat is not None:
        assert (sat.start, sat.end) == (parse_hhmm("09:30"), parse_hhmm("16:00"))
        assert "对公 按服务日历不营业" in sat.text("zh") and "turned away" in sat.text("en")
    gaps = service_gaps(problem, rf.example_roster())
    assert not any(g.counter == "corporate_counter" and g.date in closed_dates for g in gaps)
    served = served_forecast(fc, week, config)
    kept = {(d, c) for d, c in zip(served["date"], served["counter"], strict=True)}
    assert not any((d, "corporate_counter") in kept for d in closed_dates)
    assert len(served) == len(fc) - sum(len(problem.day(d).open_slots) for d in closed_dates)


def test_gap_text_in_both_languages() -> None:
    """A gap reads as counter, time, open/required windows, customers and mean wait, in Chinese or English."""
    g = ServiceGap(SATURDAY, "corporate_counter", 570, 960, 1, 0, 2.24, 21.04)
    assert g.text("zh") == "对公 09:30–16:00 开 0 个窗口, 需要 1 个: 预计 2.2 位客户, 平均等候 21.0 分钟"
    assert g.text("en") == (
        "Corporate counter 09:30–16:00: 0 windows open, 1 required: 2.2 customers expected, mean wait 21.0 min"
    )
