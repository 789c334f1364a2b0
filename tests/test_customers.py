"""Tests of scheduler.simulation.customers: replayed tickets and customers sampled from the forecast."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from factories import tickets_of

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig
from forecasts.service import ServiceProfile, default_profile
from scheduler.simulation.customers import (
    CUSTOMER_COLUMNS,
    lognormal_service,
    replay_customers,
    sample_customers,
)

MONDAY = dt.date(2026, 11, 2)


def test_replay_uses_real_arrivals_and_service_and_consistent_patience() -> None:
    """Replayed customers keep issue times and durations; patience exceeds the wait of served tickets."""
    cfg = BranchConfig()
    day = BranchCalendar(cfg).day(MONDAY)
    t = tickets_of(MONDAY, 40)
    rng = np.random.default_rng(0)
    cust = replay_customers(t, [day], {c: default_profile(c) for c in cfg.windows}, rng, replications=3)
    assert len(cust) == 3 * 40
    first = cust[cust["rep"] == 0].reset_index(drop=True)
    minutes = (t["issued_at"] - pd.Timestamp(MONDAY)).dt.total_seconds() / 60
    np.testing.assert_allclose(first["arrival"], minutes)
    real = ((t["finished_at"] - t["started_at"]).dt.total_seconds() / 60).to_numpy()
    np.testing.assert_allclose(first["service"].to_numpy()[1:], real[1:])
    wait = ((t["called_at"] - t["issued_at"]).dt.total_seconds() / 60).to_numpy()
    assert (first["patience"].to_numpy()[1:] >= wait[1:]).all()
    assert first["patience"].iloc[0] < wait[0]  # the abandoned ticket left before its call


def test_sampled_customers_follow_the_forecast_and_profiles() -> None:
    """Counts per slot average the forecast; service has the profile's mean and CV; patience its mean."""
    cfg = BranchConfig()
    day = BranchCalendar(cfg).day(MONDAY)
    fc = pd.DataFrame(
        [
            {"date": MONDAY, "slot": day.slot_starts[s], "counter": "low_counter", "mean": 2.0}
            for s in day.open_slots
        ]
    )
    prof = ServiceProfile("low_counter", 10.0, 0.7, patience_minutes=25.0, vip_share=0.2)
    rng = np.random.default_rng(0)
    cust = sample_customers(fc, [day], cfg, {"low_counter": prof}, rng, replications=200)
    assert tuple(cust.columns) == CUSTOMER_COLUMNS
    assert set(cust["counter"]) == {"low_counter"}
    per_rep = len(cust) / 200
    assert per_rep == pytest.approx(2.0 * len(day.open_slots), rel=0.02)
    assert cust["arrival"].min() >= 540 and cust["arrival"].max() < 1020
    svc = cust["service"].to_numpy()
    assert svc.mean() == pytest.approx(10.0, rel=0.02) and svc.std() / svc.mean() == pytest.approx(
        0.7, rel=0.05
    )
    assert cust["patience"].mean() == pytest.approx(25.0, rel=0.03)
    assert cust["vip"].mean() == pytest.approx(0.2, abs=0.01)


def test_lognormal_service_with_zero_cv_is_deterministic() -> None:
    """CV 0 means every customer takes exactly the mean."""
    rng = np.random.default_rng(1)
    np.testing.assert_array_equal(lognormal_service(rng, np.array([4.0, 10.0]), 0.0), [4.0, 10.0])


def test_days_without_opening_give_no_customers() -> None:
    """A closed day (National Day) yields no sampled customers, and the frame keeps its columns."""
    cfg = BranchConfig()
    day = BranchCalendar(cfg).day(dt.date(2026, 10, 1))
    fc = pd.DataFrame({"date": [], "slot": [], "counter": [], "mean": []})
    cust = sample_customers(
        fc, [day], cfg, {c: default_profile(c) for c in cfg.windows}, np.random.default_rng(0)
    )
    assert cust.empty and tuple(cust.columns) == CUSTOMER_COLUMNS
