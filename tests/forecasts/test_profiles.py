"""Tests of forecasts.profiles and forecasts.panel: intraday shapes pooled by empirical Bayes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from forecast_fixtures import calendar, synthetic_history, true_mean

from forecasts.features import slot_features
from forecasts.panel import FLAG_NAMES, make_panel
from forecasts.profiles import eb_ratio, fit_shapes, smooth_shares


def _panel(frame: pd.DataFrame) -> object:
    days = slot_features(calendar(), min(frame["date"]), max(frame["date"]))
    feats = days.drop(columns=["slot", "counter", "is_open", "slot_index"]).drop_duplicates("date")
    return make_panel(frame.merge(feats, on="date"))


def test_panel_arrays() -> None:
    """A panel holds days × slots with NaN outside the hours, day totals and class:weekday keys (调休: none)."""
    panel = _panel(synthetic_history(2))
    assert panel.y.shape == (14, len(panel.slots)) and panel.usable.all()
    assert np.isnan(panel.y[~panel.open]).all()
    assert panel.groups()[0] == "workday:0" and panel.groups()[5] == "weekend:5"
    assert np.allclose(panel.totals, np.nansum(panel.y, axis=1))
    makeup = _panel(synthetic_history(12))  # 12 weeks to Nov 29 hold the 调休 Sunday Sep 20
    assert makeup.groups()[makeup.dates.index(dt.date(2026, 9, 20))] == "workday:"
    sub = panel.take(np.arange(14) < 7)
    assert len(sub.dates) == 7 and list(sub.groups()) == list(panel.groups()[:7])


def test_eb_ratio_pools_noise_and_keeps_signal() -> None:
    """Ratios that differ from 1 only by their sampling noise shrink to 1; a real doubling stays."""
    rng = np.random.default_rng(0)
    expected = np.full(40, 25.0)
    noise = rng.poisson(expected).astype(float)
    assert np.abs(eb_ratio(noise, expected, 1 / expected) - 1).max() < 0.1
    signal = rng.poisson(expected * np.where(np.arange(40) < 20, 2.0, 1.0)).astype(float)
    shrunk = eb_ratio(signal, expected, 1 / expected)
    assert shrunk[:20].mean() > 1.8 and abs(shrunk[20:].mean() - 1) < 0.15


def test_shapes_sum_to_one_over_open_slots() -> None:
    """Every day's shape sums to 1 over its open slots and is 0 elsewhere; weekends keep their hours."""
    panel = _panel(synthetic_history(4))
    shapes = fit_shapes(panel, np.ones(len(panel.dates))).day_shapes(panel)
    assert np.allclose(shapes.sum(axis=1), 1.0)
    assert (shapes[~panel.open] == 0).all()


def test_pension_day_gets_its_own_shape() -> None:
    """A pension-day crowd arriving early shows as an event ratio above 1 in the first hour."""
    frame = synthetic_history(8)
    pension = {dt.date(2026, 10, 15), dt.date(2026, 11, 15)}
    early = frame["date"].isin(pension) & (frame["slot"] < 600) & frame["is_open"]
    frame.loc[early, "y"] = frame.loc[early, "y"] + 30
    panel = _panel(frame)
    shapes = fit_shapes(panel, np.ones(len(panel.dates)))
    ratio = shapes.events["pension"]
    first_hour = (panel.slots >= 540) & (panel.slots < 600)
    assert ratio[first_hour].mean() > 1.5 and ratio[panel.slots >= 720].mean() < 1.0


def _counts(share: np.ndarray, days: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson slot counts of ``days`` unit-weight days of total 1000 with the given share per slot."""
    rng = np.random.default_rng(seed)
    den = np.where(share > 0, days * 1000.0, 0.0)
    return rng.poisson(share * den).astype(float), den, den.copy()


def test_smooth_shares_averages_noise_of_a_smooth_shape() -> None:
    """A smooth two-peak shape seen on few days: the smoothed shares are closer to it than the raw ones."""
    t = np.arange(32)
    share = 1 + 0.8 * np.exp(-(((t - 6) / 3) ** 2)) + 0.6 * np.exp(-(((t - 22) / 4) ** 2))
    share /= share.sum()
    num, den, den2 = _counts(share, days=0.2)
    raw = num / den
    smoothed = smooth_shares(num, den, den2)
    assert np.abs(smoothed - share).mean() < 0.6 * np.abs(raw - share).mean()


def test_smooth_shares_keeps_a_well_supported_jump_and_unseen_slots() -> None:
    """A sharp opening rush on many days stays sharp; slots never seen open stay 0."""
    share = np.r_[0.0, 0.0, 0.2, np.full(16, 0.05)]
    share /= share.sum()
    num, den, den2 = _counts(share, days=200.0)
    smoothed = smooth_shares(num, den, den2)
    assert (smoothed[:2] == 0).all()
    assert abs(smoothed[2] / share[2] - 1) < 0.05 and abs(smoothed[3] / share[3] - 1) < 0.1


def test_smoothed_shapes_are_closer_to_the_truth() -> None:
    """Four synthetic weeks, six seeds: smoothed Wednesday and Saturday shapes err less on average."""
    errs = np.zeros((2, 2))  # weekday kind × (raw, smoothed)
    for seed in range(6):
        frame = synthetic_history(4, seed=seed)
        panel = _panel(frame)
        for k, weekday in enumerate((2, 5)):
            day = [d for d in panel.dates if d.weekday() == weekday][-1]
            grid = slot_features(calendar(), day, day)
            mu = pd.Series(true_mean(grid), index=grid["slot"]).reindex(panel.slots).fillna(0.0).to_numpy()
            row = panel.dates.index(day)
            for j, smooth in enumerate((False, True)):
                shape = fit_shapes(panel, np.ones(len(panel.dates)), smooth=smooth).day_shapes(panel)[row]
                errs[k, j] += np.abs(shape - mu / mu.sum()).sum()
    assert (errs[:, 1] < 0.95 * errs[:, 0]).all()


def test_event_ratios_are_smoothed() -> None:
    """A pension day that only doubles the level (ratio 1 in every slot): smoothing the ratio brings it
    closer to 1 on average over four seeds."""
    dev = np.zeros(2)
    for seed in range(4):
        panel = _panel(synthetic_history(12, seed=seed))
        open_slots = panel.open[panel.flags()[:, FLAG_NAMES.index("pension")] > 0].any(axis=0)
        for j, smooth in enumerate((False, True)):
            ratio = fit_shapes(panel, np.ones(len(panel.dates)), smooth=smooth).events["pension"]
            dev[j] += np.abs(ratio[open_slots] - 1).mean()
    assert dev[1] < 0.8 * dev[0]
