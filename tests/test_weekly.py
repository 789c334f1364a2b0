"""Tests of forecasts.weekly: the week's forecast frame behind forecast.csv."""

from __future__ import annotations

import datetime as dt

import pytest
from forecast_fixtures import PLAN_MONDAY, calendar, synthetic_history

from constraints.errors import InputError
from forecasts.models import SeasonalNaive
from forecasts.weekly import FORECAST_COLUMNS, WEEK_COLUMNS, forecast_week


def test_week_frame_columns_and_rows() -> None:
    """Every open slot of the seven days, HH:MM start/end one slot apart, labels from the three ids."""
    fc = forecast_week(synthetic_history(4), calendar(), PLAN_MONDAY)
    assert tuple(fc.columns) == WEEK_COLUMNS and set(FORECAST_COLUMNS) <= set(fc.columns)
    assert len(fc) == 5 * 32 + 2 * 26
    assert sorted(set(fc["date"])) == [PLAN_MONDAY + dt.timedelta(days=k) for k in range(7)]
    first = fc.iloc[0]
    assert (first["start"], first["end"], first["slot"]) == ("09:00", "09:15", 540)
    assert set(fc["label"]) <= {"peak", "normal", "trough"} and "peak" in set(fc["label"])
    assert (fc["q50"] <= fc["q80"]).all() and (fc["q80"] <= fc["q95"]).all()


def test_only_history_before_the_week_is_used() -> None:
    """Rows on or after the Monday are ignored: the seasonal-naive Monday equals the Monday a week before."""
    hist = synthetic_history(4)
    fc = forecast_week(hist, calendar(), dt.date(2026, 11, 23), model=SeasonalNaive())
    last_monday = hist[(hist["date"] == dt.date(2026, 11, 16)) & hist["is_open"]]["y"].to_numpy()
    assert (fc[fc["date"] == dt.date(2026, 11, 23)]["mean"].to_numpy() == last_monday).all()


def test_no_history_before_the_week_is_an_input_error() -> None:
    """A week before all the history cannot be forecast."""
    with pytest.raises(InputError, match="history"):
        forecast_week(synthetic_history(2), calendar(), dt.date(2026, 11, 2))
