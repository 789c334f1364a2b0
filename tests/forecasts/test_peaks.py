"""Tests of forecasts.peaks: the peak/normal/trough rule, smoothing and the plain-words summary."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasts.peaks import add_labels, describe_day, label_day, periods, smooth_codes, summarize_peaks

MONDAY = dt.date(2026, 11, 30)


def test_thresholds_relative_to_the_day_mean() -> None:
    """Slots at ≥ 1.2× the day's mean are peaks, ≤ 0.8× troughs, the rest normal."""
    mean = np.array([1.0, 1.0, 1.3, 1.3, 0.7, 0.7, 1.0, 1.0])  # day mean 1.0
    assert list(label_day(mean)) == ["normal"] * 2 + ["peak"] * 2 + ["trough"] * 2 + ["normal"] * 2


def test_a_lone_slot_does_not_flicker() -> None:
    """A single high slot between normal ones stays normal; a single normal slot inside a peak is a peak."""
    assert list(smooth_codes(np.array([0, 0, 1, 0, 0]))) == [0, 0, 0, 0, 0]
    assert list(smooth_codes(np.array([1, 1, 0, 1, 1]))) == [1, 1, 1, 1, 1]
    assert list(smooth_codes(np.array([1, 1, 0, -1, -1]))) == [1, 1, 0, -1, -1]


def test_flat_or_empty_day_is_normal() -> None:
    """An all-zero day and a flat day are normal everywhere."""
    assert set(label_day(np.zeros(6))) == {"normal"}
    assert set(label_day(np.full(6, 3.0))) == {"normal"}


def test_describe_day_in_chinese_and_english() -> None:
    """Monday 10:00–11:30 peak and 12:00–13:30 trough read as the issue's example, in both languages."""
    slots = np.arange(9 * 60, 17 * 60, 30)
    labels = np.array(["normal"] * len(slots), dtype=object)
    labels[(slots >= 600) & (slots < 690)] = "peak"
    labels[(slots >= 720) & (slots < 810)] = "trough"
    assert describe_day(MONDAY, slots, labels, 30, "zh") == "周一 10:00–11:30 高峰, 12:00–13:30 低谷"
    assert describe_day(MONDAY, slots, labels, 30, "en") == "Mon 10:00–11:30 peak, 12:00–13:30 trough"
    assert describe_day(MONDAY, slots, np.array(["normal"] * len(slots)), 30, "zh") == "周一 全天平峰"


def test_periods_split_at_gaps() -> None:
    """Runs end at a label change and at a gap in the slots."""
    assert periods(np.array([540, 555, 600]), np.array(["peak", "peak", "peak"]), 15) == [
        (540, 570, "peak"),
        (600, 615, "peak"),
    ]


def test_add_labels_and_summary_per_day_and_counter() -> None:
    """Labels are per date × counter, counters keep their order, the summary totals the means."""
    slots = np.arange(540, 1020, 15)
    shape = 1 + 0.6 * np.exp(-(((slots - 630) / 40.0) ** 2)) - 0.5 * np.exp(-(((slots - 750) / 40.0) ** 2))
    frame = pd.concat(
        [
            pd.DataFrame({"date": MONDAY, "slot": slots, "counter": c, "mean": k * shape})
            for c, k in (("low_counter", 1.0), ("high_counter", 5.0))
        ]
    )
    out = add_labels(frame)
    assert list(dict.fromkeys(out["counter"])) == ["low_counter", "high_counter"]
    high = out[out["counter"] == "high_counter"]
    assert high.loc[high["slot"] == 630, "label"].item() == "peak"
    assert high.loc[high["slot"] == 750, "label"].item() == "trough"
    summary = summarize_peaks(out, 15, "zh")
    assert summary["total"].iloc[1] == pytest.approx(5 * shape.sum())
    assert summary["text"].iloc[0].startswith("周一 ") and "高峰" in summary["text"].iloc[0]
    with pytest.raises(ValueError):
        add_labels(frame, peak_ratio=0.9)
