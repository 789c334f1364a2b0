"""Tests of forecasts.staffing: required windows with carry-over, the cap and shortfall, wait_minutes, tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig, ServiceLevel
from forecasts.service import default_profile
from forecasts.staffing import (
    REQUIREMENTS_COLUMNS,
    build_demand,
    requirements_frame,
    shortfall_frame,
)

SL = ServiceLevel()
MONDAY = dt.date(2026, 11, 2)


def flat_forecast(days, per_slot: dict[str, float]) -> pd.DataFrame:
    """A forecast with constant arrivals per open slot and counter."""
    rows = [
        {"date": d.date, "slot": d.slot_starts[s], "counter": c, "mean": v, "q80": v * 1.3}
        for d in days
        for s in d.open_slots
        for c, v in per_slot.items()
    ]
    return pd.DataFrame(rows)


def test_physical_cap_binds_and_shortfall_is_reported() -> None:
    """More demand than 2 windows can carry: required = 2, shortfall = the windows missing, listed by slot."""
    cfg = BranchConfig().copy_with(windows={"high_counter": 2, "low_counter": 1, "corporate_counter": 1})
    days = BranchCalendar(cfg).week(MONDAY)[:1]
    fc = flat_forecast(days, {"high_counter": 12.0, "low_counter": 0.5})
    dem = build_demand(fc, days, cfg, {c: default_profile(c) for c in cfg.windows})
    d = dem[(MONDAY, "high_counter")]
    open_ = list(days[0].open_slots)
    assert np.all(d.required[open_] == 2)
    assert d.shortfall is not None and np.all(d.shortfall[open_[3:]] >= 2)  # once the queue has built up
    sf = shortfall_frame(dem, days)
    assert set(sf["counter"]) == {"high_counter"} and len(sf) == int((d.shortfall > 0).sum())
    assert (sf["shortfall"] > 0).all() and (sf["required_windows"] == 2).all()
    low = dem[(MONDAY, "low_counter")]
    assert low.shortfall is not None and not low.shortfall.any()


def test_demand_is_aligned_with_the_staff_time_grid() -> None:
    """Arrays have one entry per staff-time slot, zeros outside opening hours; a closed day has none."""
    cfg = BranchConfig()
    cal = BranchCalendar(cfg)
    days = [cal.day(MONDAY), cal.day(dt.date(2026, 10, 1))]  # a workday and National Day (closed)
    fc = flat_forecast(days, {"high_counter": 6.0, "low_counter": 1.5, "corporate_counter": 0.6})
    dem = build_demand(fc, days, cfg, {})
    d = dem[(MONDAY, "high_counter")]
    n = len(days[0].slot_starts)
    assert d.arrivals.shape == (n,) and d.required.shape == (n,) and d.wait_minutes.shape == (n, 5)
    closed = [i for i in range(n) if i not in days[0].open_slots]
    assert closed and not d.arrivals[closed].any() and not d.required[closed].any()
    assert not d.wait_minutes[closed].any()
    assert d.required[list(days[0].open_slots)].min() >= 1
    off = dem[(dt.date(2026, 10, 1), "high_counter")]
    assert off.arrivals.shape == (0,) and off.wait_minutes.shape == (0, 5)


def test_statistic_chooses_the_forecast_column() -> None:
    """Staffing the 80% quantile needs at least as many windows as staffing the mean."""
    cfg = BranchConfig()
    days = BranchCalendar(cfg).week(MONDAY)[:1]
    fc = flat_forecast(days, {"high_counter": 10.0})
    mean = build_demand(fc, days, cfg, {})[(MONDAY, "high_counter")]
    q80 = build_demand(fc, days, cfg, {}, statistic="q80")[(MONDAY, "high_counter")]
    assert q80.arrivals.sum() == pytest.approx(1.3 * mean.arrivals.sum())
    assert np.all(q80.required >= mean.required) and q80.required.sum() > mean.required.sum()


def test_coarser_forecast_slots_are_spread_over_the_grid() -> None:
    """A 30-minute forecast row is split evenly over two 15-minute slots."""
    cfg = BranchConfig()
    day = BranchCalendar(cfg).day(MONDAY)
    fc = pd.DataFrame(
        [
            {
                "date": MONDAY.isoformat(),
                "slot": 600,
                "start": "10:00",
                "end": "10:30",
                "counter": "low_counter",
                "mean": 3.0,
            }
        ]
    )
    d = build_demand(fc, [day], cfg, {})[(MONDAY, "low_counter")]
    i = day.slot_of(600)
    assert d.arrivals[i] == pytest.approx(1.5) and d.arrivals[i + 1] == pytest.approx(1.5)
    assert d.arrivals.sum() == pytest.approx(3.0)


def test_requirements_frame_has_the_design_columns() -> None:
    """requirements.csv: exactly DESIGN.md's columns, open slots only, open_windows empty without a roster."""
    cfg = BranchConfig()
    days = BranchCalendar(cfg).week(MONDAY)[:2]
    fc = flat_forecast(days, {"high_counter": 6.0, "low_counter": 1.0, "corporate_counter": 0.5})
    dem = build_demand(fc, days, cfg, {})
    df = requirements_frame(dem, days)
    assert tuple(df.columns) == REQUIREMENTS_COLUMNS
    assert len(df) == sum(len(d.open_slots) for d in days) * 3
    assert df["start"].iloc[0] == "09:00" and df["end"].iloc[0] == "09:15"
    assert df["open_windows"].isna().all()
    roster = {k: np.full(len(v.arrivals), 2) for k, v in dem.items()}
    with_roster = requirements_frame(dem, days, roster)
    assert (with_roster["open_windows"] == 2).all()
