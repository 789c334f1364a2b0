"""Tests of forecasts.staffing: required windows with carry-over, the cap and shortfall, wait_minutes, tables."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig, ServiceLevel
from forecasts.queueing import erlang_a
from forecasts.service import default_profile
from forecasts.staffing import (
    REQUIREMENTS_COLUMNS,
    build_demand,
    convex_decreasing,
    day_demand,
    propagate,
    requirements_frame,
    shortfall_frame,
    stationary_required,
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


def test_constant_demand_converges_to_stationary_erlang_a() -> None:
    """Under constant λ the transient chain settles on Erlang A's mean wait and share within target."""
    n = 40
    dd = day_demand(np.full(n, 15.0), np.full(n, 4.0), 20.0, np.ones(n, bool), 10, 15, SL)
    c = int(dd.required[-1])
    ref = erlang_a(1.0, 0.25, 0.05, c, SL.target_wait_minutes)
    assert dd.mean_wait[-1] == pytest.approx(float(ref.mean_wait), rel=1e-6)
    assert dd.p_within[-1] == pytest.approx(float(ref.p_within), rel=1e-6)
    assert c == stationary_required(np.array([15.0]), 4.0, 20.0, 15, SL)[0]


def test_slot_after_a_peak_needs_more_than_pointwise_stationary() -> None:
    """A capped peak leaves a queue: the trough after it needs more windows than PSA (stationary) says."""
    arrivals = np.array([5, 40, 40, 40, 5, 5, 5, 5.0])
    dd = day_demand(arrivals, np.full(8, 4.0), 20.0, np.ones(8, bool), 4, 15, SL)
    psa = stationary_required(arrivals, 4.0, 20.0, 15, SL)
    assert dd.needed[4] > psa[4]
    assert dd.needed[3] > dd.needed[1]  # the backlog grows through the capped peak
    assert dd.needed[-1] == psa[-1]  # and is gone two slots later


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


def test_zero_arrivals_need_no_windows_and_cost_nothing() -> None:
    """No forecast customers: required 0 and wait_minutes 0 for every c."""
    dd = day_demand(np.zeros(10), np.full(10, 4.0), 20.0, np.ones(10, bool), 3, 15, SL)
    assert not dd.required.any() and not dd.wait_minutes.any()


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


def test_zero_windows_cost_is_large_but_finite() -> None:
    """With c = 0 the slot's customers wait into the next slot: finite, above c = 1, and at least their own wait."""
    arrivals = np.array([0, 6, 6, 6, 6, 0.0])
    dd = day_demand(arrivals, np.full(6, 4.0), 20.0, np.ones(6, bool), 3, 15, SL)
    w = dd.wait_minutes[2]
    assert np.isfinite(w[0]) and w[0] > w[1] > w[2] > 0
    # the slot's own arrivals waiting to its end (λ = 0.4/min, θ = 0.05): λ[T/θ − (1 − e^{−θT})/θ²] ≈ 35.6
    lam, theta, t = 0.4, 0.05, 15.0
    assert w[0] > lam * (t / theta - (1 - np.exp(-theta * t)) / theta**2)


@settings(max_examples=25, deadline=None)
@given(
    arrivals=st.lists(st.floats(0, 25), min_size=3, max_size=8),
    service=st.sampled_from([4.0, 10.0, 15.0]),
    patience=st.sampled_from([10.0, 20.0, 60.0]),
    cap=st.integers(1, 5),
)
def test_wait_minutes_are_non_negative_decreasing_and_convex(
    arrivals: list[float], service: float, patience: float, cap: int
) -> None:
    """For any arrival profile, wait_minutes[s, ·] is ≥ 0, non-increasing and convex in c."""
    a = np.array(arrivals)
    dd = day_demand(a, np.full(len(a), service), patience, np.ones(len(a), bool), cap, 15, SL)
    w = dd.wait_minutes
    assert np.all(w >= -1e-9)
    assert np.all(np.diff(w, axis=1) <= 1e-9)
    assert np.all(np.diff(w, n=2, axis=1) >= -1e-7)
    assert np.all(dd.required <= cap) and np.all(dd.needed >= dd.required)


def test_convex_envelope_only_touches_non_convex_rows() -> None:
    """A convex decreasing row is kept as is; a kinked one gets its greatest convex minorant."""
    good = np.array([10.0, 5.0, 2.0, 1.0, 0.5])
    np.testing.assert_allclose(convex_decreasing(good), good)
    kinked = np.array([10.0, 9.0, 2.0, 1.0])
    out = convex_decreasing(kinked)
    assert out[1] == pytest.approx(6.0) and out[0] == 10.0 and out[-1] == 1.0


def test_propagate_keeps_probability_and_reaches_the_stationary_law() -> None:
    """Uniformization conserves mass and, over a long interval, lands on the stationary distribution."""
    p0 = np.zeros((2, 80))
    p0[:, 0] = 1.0
    end, avg = propagate(p0, 1.0, 0.25, 0.05, np.array([5, 6]), 600.0)
    np.testing.assert_allclose(end.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(avg.sum(axis=1), 1.0, atol=1e-9)
    ref = erlang_a(1.0, 0.25, 0.05, 5)
    assert end[0, 5:].sum() == pytest.approx(float(ref.p_wait), rel=1e-6)


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
