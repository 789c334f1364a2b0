"""Tests of forecasts.service: service-time profiles and censoring-aware patience from tickets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from constraints.config import BranchConfig
from forecasts.service import (
    DEFAULT_PATIENCE_MINUTES,
    DEFAULT_SERVICE_MINUTES,
    estimate_profile,
    estimate_profiles,
    patience_mle,
    profiles_frame,
)


def queue_tickets(
    n: int,
    *,
    counter: str = "high_counter",
    patience: float = 20.0,
    service_mean: float = 4.0,
    service_cv: float = 0.8,
    hour_means: dict[int, float] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Synthetic tickets: waits uniform 0–40 min, exponential patience, lognormal service; 过号 at the call."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2026-11-02")
    hours = rng.integers(9, 17, size=n)
    issued = day + pd.to_timedelta(hours * 60 + rng.uniform(0, 59, n), unit="min")
    wait = rng.uniform(0, 40, n)
    pat = rng.exponential(patience, n)
    served = pat >= wait
    means = np.array([(hour_means or {}).get(int(h), service_mean) for h in hours])
    s2 = np.log1p(service_cv**2)
    svc = rng.lognormal(np.log(means) - s2 / 2, np.sqrt(s2))
    called = issued + pd.to_timedelta(wait, unit="min")
    started = called.where(served)
    finished = (called + pd.to_timedelta(svc, unit="min")).where(served)
    return pd.DataFrame(
        {
            "ticket_id": [f"A{i:04d}" for i in range(n)],
            "service": "个人现金",
            "counter": counter,
            "issued_at": issued,
            "called_at": called,
            "started_at": started,
            "finished_at": finished,
            "window": "1",
            "teller": "S07",
            "status": np.where(served, "served", "abandoned"),
            "vip": rng.random(n) < 0.1,
        }
    )


def test_exact_abandonments_recover_the_mean_where_naive_averaging_is_biased() -> None:
    """Right-censored MLE (total time / abandonments) finds the true mean; averaging abandoners' times does not."""
    rng = np.random.default_rng(1)
    true = 20.0
    wait = rng.uniform(0, 40, 20_000)  # the wait each customer would face
    pat = rng.exponential(true, 20_000)
    left = pat < wait
    est = patience_mle(exact=pat[left], right=wait[~left], prior_events=0)
    assert est == pytest.approx(true, rel=0.04)
    assert pat[left].mean() < 0.6 * true  # the naive estimate: only the impatient are seen leaving


def test_left_censored_abandonments_at_the_call_recover_the_mean() -> None:
    """Queue-machine 过号 (patience < wait to the call) with served waits as right-censoring: MLE is unbiased."""
    t = queue_tickets(20_000, patience=15.0, seed=2)
    prof = estimate_profile(t, "high_counter")
    assert prof.patience_minutes == pytest.approx(15.0, rel=0.05)
    naive = ((t["called_at"] - t["issued_at"]).dt.total_seconds() / 60)[t["status"] == "abandoned"].mean()
    assert abs(naive - 15.0) > 3.0  # what a careless average would have said


def test_no_abandonment_gives_long_but_finite_patience() -> None:
    """Nobody left: the pseudo-abandonment prior keeps the estimate finite (and ≥ the waits seen)."""
    assert patience_mle(right=np.full(500, 10.0)) > 10.0
    assert np.isfinite(patience_mle(right=np.full(500, 10.0)))
    assert patience_mle(right=np.full(500, 10.0), prior_events=0) == float("inf")
    assert patience_mle() == pytest.approx(DEFAULT_PATIENCE_MINUTES)


def test_service_mean_and_cv_are_recovered() -> None:
    """Lognormal service of mean 4 and CV 0.8 comes back within sampling error."""
    prof = estimate_profile(queue_tickets(8000, seed=3), "high_counter")
    assert prof.mean_minutes == pytest.approx(4.0, rel=0.05)
    assert prof.cv == pytest.approx(0.8, rel=0.1)
    assert prof.by_hour == {}  # flat over the day: no hourly means
    assert prof.defaulted == ()
    assert 0.07 < prof.vip_share < 0.13


def test_hourly_means_appear_when_hours_differ_and_are_shrunk() -> None:
    """Service twice as long after 14:00 yields hourly means; a thin hour is pulled to the overall mean."""
    t = queue_tickets(6000, hour_means={14: 8.0, 15: 8.0, 16: 8.0}, seed=4)
    thin = queue_tickets(3, hour_means={9: 30.0}, seed=5)
    thin["issued_at"] = thin["issued_at"].dt.normalize() + pd.Timedelta(hours=20, minutes=5)
    thin["called_at"] = thin["issued_at"]
    thin["started_at"] = thin["issued_at"]
    thin["finished_at"] = thin["issued_at"] + pd.Timedelta(minutes=30)
    thin["status"] = "served"
    prof = estimate_profile(pd.concat([t, thin], ignore_index=True), "high_counter")
    assert prof.mean_at(10) == pytest.approx(4.0, rel=0.1)
    assert prof.mean_at(15) == pytest.approx(8.0, rel=0.1)
    assert prof.mean_minutes < prof.mean_at(20) < 15.0  # 3 tickets of 30 min do not make the hour 30 min
    assert prof.mean_at(3) == prof.mean_minutes  # an hour never seen


def test_defaults_when_a_counter_has_too_few_tickets() -> None:
    """Counters without enough tickets take DESIGN.md's defaults and say so."""
    t = queue_tickets(2000, seed=6)
    profiles = estimate_profiles(t, BranchConfig())
    assert set(profiles) == {"high_counter", "low_counter", "corporate_counter"}
    for counter in ("low_counter", "corporate_counter"):
        p = profiles[counter]
        assert p.mean_minutes == DEFAULT_SERVICE_MINUTES[counter]
        assert p.patience_minutes == DEFAULT_PATIENCE_MINUTES
        assert p.defaulted == ("service", "patience")
    assert profiles["high_counter"].defaulted == ()
    frame = profiles_frame(profiles)
    assert list(frame["counter"]) == ["high_counter", "low_counter", "corporate_counter"]


def test_bad_durations_are_left_out() -> None:
    """Zero, negative and day-long service durations (unclosed tickets) do not move the mean."""
    t = queue_tickets(3000, seed=7)
    bad = t[t["status"] == "served"].head(30).copy()
    bad["finished_at"] = bad["started_at"] + pd.Timedelta(hours=9)
    prof = estimate_profile(pd.concat([t, bad], ignore_index=True), "high_counter")
    assert prof.mean_minutes == pytest.approx(estimate_profile(t, "high_counter").mean_minutes, rel=1e-9)


def test_empty_ticket_frame_gives_defaults() -> None:
    """An empty frame (a counter nobody used) is not an error."""
    empty = queue_tickets(10).iloc[0:0]
    prof = estimate_profile(empty, "corporate_counter")
    assert prof.mean_minutes == 15.0 and prof.n_served == 0 and prof.n_abandoned == 0
