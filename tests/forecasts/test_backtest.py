"""Tests of forecasts.backtest: origins, metrics and the rolling-origin backtest."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from forecast_fixtures import calendar, synthetic_history

from forecasts.backtest import (
    BACKTEST_COLUMNS,
    SLOT_COLUMNS,
    backtest,
    backtest_slots,
    origins,
    score,
    score_backtest_slots,
    summarize,
)
from forecasts.features import WeekCalendar
from forecasts.models import HistoricalAverage, SeasonalNaive


def test_origins_are_the_last_week_starts() -> None:
    """Six weeks ending Sunday Nov 29: the last 4 Mondays; at most as many as leave a week of history."""
    hist = synthetic_history(6)
    assert origins(hist, calendar(), 4) == [dt.date(2026, 11, d) for d in (2, 9, 16, 23)]
    assert len(origins(hist, calendar(), 10)) == 5
    assert origins(hist, calendar(), 10, min_train_days=28)[0] == dt.date(2026, 11, 16)


def test_origins_follow_the_calendars_week_start() -> None:
    """A Sunday-based calendar puts the origins on Sundays and skips an incomplete last week."""
    cal = WeekCalendar(hours=dict.fromkeys(range(7), "09:00-10:00"), slot_minutes=30, week_start=6)
    hist = pd.DataFrame(
        {
            "date": [dt.date(1999, 1, 1) + dt.timedelta(days=k) for k in range(30)],
            "slot": 540,
            "counter": "calls",
            "y": 1.0,
            "is_open": True,
        }
    )
    assert origins(hist, cal, 2) == [dt.date(1999, 1, 17), dt.date(1999, 1, 24)]


def test_score_by_hand() -> None:
    """wape, rmse, mae and coverage80 on three slots computed by hand; closed/excluded slots not scored."""
    actual = pd.DataFrame(
        {
            "date": dt.date(2026, 11, 2),
            "slot": [540, 555, 570, 585],
            "counter": "c",
            "y": [10.0, 0.0, 5.0, np.nan],
            "is_open": [True, True, True, True],
        }
    )
    pred = actual[["date", "slot", "counter"]].assign(
        mean=[8.0, 1.0, 5.0, 99.0], q10=[11.0, 0.0, 2.0, 0.0], q90=[12.0, 2.0, 8.0, 0.0]
    )
    s = score(pred, actual).iloc[0]
    assert s["wape"] == pytest.approx(3 / 15) and s["mae"] == pytest.approx(1.0)
    assert s["rmse"] == pytest.approx(np.sqrt(5 / 3)) and s["coverage80"] == pytest.approx(2 / 3)
    assert s["n"] == 3


def test_backtest_rows_and_summary_order() -> None:
    """One row per model × origin × counter; the summary puts the lowest pooled WAPE first."""
    hist = synthetic_history(5)
    res = backtest(
        hist, calendar(), [SeasonalNaive(), HistoricalAverage(), HistoricalAverage(weeks=2)], weeks=2
    )
    assert tuple(res.columns) == BACKTEST_COLUMNS
    assert len(res) == 3 * 2 * 1
    assert set(res["model"]) == {"seasonal_naive", "historical_average", "historical_average_2"}
    assert res["coverage80"].between(0, 1).all() and (res["wape"] > 0).all()
    summary = summarize(res)
    assert list(summary["wape"]) == sorted(summary["wape"])
    assert summary.loc[summary["model"] == "seasonal_naive", "origins"].item() == 2


def test_main_model_beats_baselines_on_synthetic_history() -> None:
    """Default models on 8 synthetic weeks: the calendar model ranks first, its 80 % interval near 80 %."""
    summary = summarize(backtest(synthetic_history(8, seed=7), calendar(), weeks=3))
    assert summary["model"].iloc[0] == "calendar_model"
    assert 0.7 <= summary["coverage80"].iloc[0] <= 0.9


def test_backtest_slots_are_the_scored_slots() -> None:
    """backtest_slots has one row per model × origin × open held-out slot, and scoring it gives backtest."""
    hist = synthetic_history(5)
    models = [SeasonalNaive(), HistoricalAverage()]
    slots = backtest_slots(hist, calendar(), models, weeks=2)
    assert tuple(slots.columns) == SLOT_COLUMNS
    held_out = hist[(hist["date"] >= dt.date(2026, 11, 16)) & hist["is_open"] & hist["y"].notna()]
    assert len(slots) == 2 * len(held_out)
    one = slots[(slots["model"] == "seasonal_naive") & (slots["origin"] == dt.date(2026, 11, 23))]
    assert set(one["date"]) == {dt.date(2026, 11, 23) + dt.timedelta(days=k) for k in range(7)}
    assert (one["q10"] <= one["q90"]).all() and (one["y"] >= 0).all()
    pd.testing.assert_frame_equal(score_backtest_slots(slots), backtest(hist, calendar(), models, weeks=2))
