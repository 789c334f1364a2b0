"""Tests of forecasts.weekly: the week's forecast frame behind forecast.csv."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest
from forecast_fixtures import PLAN_MONDAY, calendar, synthetic_history

from constraints.errors import InputError
from forecasts.models import SeasonalNaive
from forecasts.weekly import FORECAST_COLUMNS, WEEK_COLUMNS, check_history, forecast_week


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


# ---- what is thin or odd in the history ----------------------------------------------------------------------


def _thin(hist: pd.DataFrame) -> pd.DataFrame:
    """Only the last 9 days of the history (less than two weeks)."""
    return hist[hist["date"] > PLAN_MONDAY - dt.timedelta(days=10)]


def _after(hist: pd.DataFrame) -> pd.DataFrame:
    """Tickets of the plan week's first two days added (as if --week were a week too early)."""
    week = hist[hist["date"] >= PLAN_MONDAY - dt.timedelta(days=7)].copy()
    week = week[week["date"] < PLAN_MONDAY - dt.timedelta(days=5)]
    week["date"] = week["date"] + dt.timedelta(days=7)
    return pd.concat([hist, week], ignore_index=True)


def _gap(hist: pd.DataFrame) -> pd.DataFrame:
    """Two weeks in the middle (Nov 2–15) without a single ticket although the branch was open."""
    gap = (hist["date"] >= dt.date(2026, 11, 2)) & (hist["date"] <= dt.date(2026, 11, 15))
    return hist.assign(y=hist["y"].where(~gap | ~hist["is_open"], 0.0))


@pytest.mark.parametrize(
    ("spoil", "code", "says_zh", "says_en"),
    [
        (_thin, "thin_history", "少于两周", "falls back in part to the average of the same weekday"),
        (_after, "after_plan_week", "只用 2026-11-30 之前的历史", "check --week"),
        (_gap, "gap", "2026-11-02 至 2026-11-15", "left out of the fit as missing"),
    ],
)
def test_thin_or_odd_history_is_noted_with_what_the_forecast_does(
    spoil: Callable[[pd.DataFrame], pd.DataFrame], code: str, says_zh: str, says_en: str
) -> None:
    """Less than two weeks, tickets on or after the plan week, a gap of weeks in the export: one note each,
    saying what the forecast falls back to, in Chinese and English; a clean history has none."""
    assert check_history(synthetic_history(6), PLAN_MONDAY).notes == ()
    notes = check_history(spoil(synthetic_history(6)), PLAN_MONDAY).notes
    assert [n.code for n in notes] == [code]
    assert says_zh in notes[0].message("zh") and says_en in notes[0].message("en")
    assert notes[0].as_dict("en") == {"code": code, "message": notes[0].en}


def test_a_gap_is_left_out_of_the_fit_not_counted_as_zero() -> None:
    """The days of a gap become excluded (y missing): the forecast is as if they were absent, not lowered."""
    hist = synthetic_history(6)
    checked = check_history(_gap(hist), PLAN_MONDAY).history
    in_gap = (checked["date"] >= dt.date(2026, 11, 2)) & (checked["date"] <= dt.date(2026, 11, 15))
    assert checked.loc[in_gap, "excluded"].all() and checked.loc[in_gap, "y"].isna().all()
    assert not checked.loc[~in_gap, "excluded"].any()
    zeros = forecast_week(_gap(hist), calendar(), PLAN_MONDAY)["mean"].sum()
    left_out = forecast_week(checked, calendar(), PLAN_MONDAY)["mean"].sum()
    clean = forecast_week(hist, calendar(), PLAN_MONDAY)["mean"].sum()
    assert abs(left_out - clean) < abs(zeros - clean)


def test_a_closed_fortnight_is_not_a_gap() -> None:
    """Days the branch was closed (Spring Festival) have no tickets and no note."""
    hist = synthetic_history(6)
    closed = (hist["date"] >= dt.date(2026, 11, 2)) & (hist["date"] <= dt.date(2026, 11, 15))
    shut = hist.assign(y=hist["y"].where(~closed), is_open=hist["is_open"] & ~closed)
    assert check_history(shut, PLAN_MONDAY).notes == ()
