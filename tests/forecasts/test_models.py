"""Tests of forecasts.models: the estimator contract, baselines' definitions and the calendar model."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from forecast_fixtures import PLAN_MONDAY, calendar, synthetic_history, true_mean

from forecasts.backtest import add_day_features
from forecasts.features import WeekCalendar, slot_features
from forecasts.models import (
    PREDICTION_COLUMNS,
    CalendarModel,
    Forecaster,
    HistoricalAverage,
    NotFittedError,
    SeasonalNaive,
)

MODELS = (SeasonalNaive, HistoricalAverage, CalendarModel)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    """Eight weeks of synthetic arrivals with day features."""
    return add_day_features(synthetic_history(8), calendar())


@pytest.fixture(scope="module")
def future() -> pd.DataFrame:
    """The plan week's grid (2026-11-30 … 12-06) with day features."""
    return slot_features(calendar(), PLAN_MONDAY, PLAN_MONDAY + dt.timedelta(days=6), ["high_counter"])


@pytest.mark.parametrize("cls", MODELS)
def test_init_stores_only_settings(cls: type[Forecaster]) -> None:
    """__init__ sets only its arguments: no attribute ending in _, get_params returns them all."""
    model = cls()
    assert not [k for k in vars(model) if k.endswith("_")]
    assert model.get_params() == vars(model)
    assert type(model)(**model.get_params()).get_params() == model.get_params()


@pytest.mark.parametrize("cls", MODELS)
def test_unfitted_predict_raises(cls: type[Forecaster], future: pd.DataFrame) -> None:
    """predict before fit raises NotFittedError."""
    with pytest.raises(NotFittedError):
        cls().predict(future)


@pytest.mark.parametrize("cls", MODELS)
def test_fit_returns_self_and_learns_underscored_state(
    cls: type[Forecaster], history: pd.DataFrame, future: pd.DataFrame
) -> None:
    """fit returns the same object; everything it adds ends in _; settings are unchanged."""
    model = cls()
    before = dict(vars(model))
    assert model.fit(history) is model
    added = set(vars(model)) - set(before)
    assert added and all(k.endswith("_") for k in added)
    assert model.get_params() == before


@pytest.mark.parametrize("cls", MODELS)
def test_predictions_cover_open_slots_with_ordered_quantiles(
    cls: type[Forecaster], history: pd.DataFrame, future: pd.DataFrame
) -> None:
    """One row per open future slot; q10 <= q50 <= q80 <= q90 <= q95; means non-negative."""
    pred = cls().fit(history).predict(future)
    assert tuple(pred.columns) == PREDICTION_COLUMNS
    assert len(pred) == int(future["is_open"].sum())
    q = pred[["q10", "q50", "q80", "q90", "q95"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= -1e-9) and (pred["mean"] >= 0).all()


def test_seasonal_naive_is_last_week_and_skips_a_closed_day(history: pd.DataFrame) -> None:
    """Same weekday last week; when last week's Wednesday is excluded, the Wednesday before it."""
    hist = history.copy()
    wed = dt.date(2026, 11, 25)
    hist.loc[hist["date"] == wed, "excluded"] = True
    pred = (
        SeasonalNaive()
        .fit(hist)
        .predict(slot_features(calendar(), dt.date(2026, 12, 1), dt.date(2026, 12, 2), ["high_counter"]))
    )
    tue = pred[pred["date"] == dt.date(2026, 12, 1)]["mean"].to_numpy()
    wed_pred = pred[pred["date"] == dt.date(2026, 12, 2)]["mean"].to_numpy()
    last_tue = hist[(hist["date"] == dt.date(2026, 11, 24)) & hist["is_open"]]["y"].to_numpy()
    prev_wed = hist[(hist["date"] == dt.date(2026, 11, 18)) & hist["is_open"]]["y"].to_numpy()
    assert np.array_equal(tue, last_tue) and np.array_equal(wed_pred, prev_wed)


def test_historical_average_is_the_mean_of_the_last_weeks(history: pd.DataFrame) -> None:
    """HistoricalAverage(weeks=3) on a Thursday = mean of the last three Thursdays, slot by slot."""
    pred = (
        HistoricalAverage(weeks=3)
        .fit(history)
        .predict(slot_features(calendar(), dt.date(2026, 12, 3), dt.date(2026, 12, 3), ["high_counter"]))
    )
    thursdays = [dt.date(2026, 11, 12), dt.date(2026, 11, 19), dt.date(2026, 11, 26)]
    past = history[history["date"].isin(thursdays) & history["is_open"]]
    expected = past.groupby("slot")["y"].mean().to_numpy()
    assert np.allclose(pred["mean"].to_numpy(), expected)


def test_calendar_model_learns_pension_day_and_beats_baselines() -> None:
    """On 12 weeks with a ×2 pension day, the model predicts Dec 15 about twice a normal Tuesday, and its
    error to the true mean is far below the baselines'."""
    hist = add_day_features(synthetic_history(12, seed=4), calendar())
    fut = slot_features(calendar(), dt.date(2026, 12, 7), dt.date(2026, 12, 16), ["high_counter"])
    truth = true_mean(fut[fut["is_open"]])
    errors = {}
    for cls in MODELS:
        pred = cls().fit(hist).predict(fut)
        errors[cls.__name__] = np.abs(pred["mean"].to_numpy() - truth).sum() / truth.sum()
        if cls is CalendarModel:
            day = pred.groupby("date")["mean"].sum()
            assert day[dt.date(2026, 12, 15)] / day[dt.date(2026, 12, 8)] == pytest.approx(2.0, rel=0.2)
    assert errors["CalendarModel"] < 0.6 * min(errors["SeasonalNaive"], errors["HistoricalAverage"])


def test_makeup_saturday_is_a_workday_without_a_weekday_group_of_its_own() -> None:
    """Fitted to Oct 9 (调休 Sunday Sep 20 seen), the model has no workday:Sunday group, and predicts the
    调休 Saturday Oct 10 at a workday's level, about twice a normal Saturday."""
    hist = add_day_features(synthetic_history(12, seed=2), calendar())
    model = CalendarModel().fit(hist[hist["date"] < dt.date(2026, 10, 10)])
    cols = model.states_["high_counter"]["cols"]
    assert ("group", "workday:6") not in cols and ("group", "workday:5") not in cols
    assert ("flag", "makeup") in cols
    fut = slot_features(calendar(), dt.date(2026, 10, 10), dt.date(2026, 10, 17), ["high_counter"])
    day = model.predict(fut).groupby("date")["mean"].sum()
    truth = pd.Series(true_mean(fut), index=fut["date"]).groupby(level=0).sum()
    makeup, wednesday, saturday = dt.date(2026, 10, 10), dt.date(2026, 10, 14), dt.date(2026, 10, 17)
    assert day[makeup] / day[wednesday] == pytest.approx(truth[makeup] / truth[wednesday], rel=0.15)
    assert day[makeup] > 1.6 * day[saturday]


def test_short_history_blends_towards_the_average() -> None:
    """With ten days of history the model still predicts every open slot with finite means."""
    hist = add_day_features(synthetic_history(8), calendar())
    short = hist[hist["date"] >= dt.date(2026, 11, 20)]
    model = CalendarModel().fit(short)
    assert 0 < model.states_["high_counter"]["blend"] < 1
    pred = model.predict(slot_features(calendar(), PLAN_MONDAY, PLAN_MONDAY, ["high_counter"]))
    assert len(pred) == 32 and np.isfinite(pred["mean"]).all()


def test_predict_dates_needs_a_calendar(history: pd.DataFrame) -> None:
    """predict(dates) works for a model built with calendar=, and says what to do otherwise."""
    raw = synthetic_history(4)
    model = CalendarModel(calendar=calendar()).fit(raw)
    pred = model.predict([PLAN_MONDAY, dt.date(2026, 10, 1)])
    assert set(pred["date"]) == {PLAN_MONDAY}  # National Day is closed: no rows
    with pytest.raises(ValueError, match="calendar"):
        CalendarModel().fit(history).predict([PLAN_MONDAY])
    with pytest.raises(ValueError, match="feature columns"):
        CalendarModel().fit(raw)


def test_models_run_on_a_generic_week_calendar() -> None:
    """The same model code fits a Sun–Thu series whose day types come from a WeekCalendar."""
    cal = WeekCalendar(hours=dict.fromkeys((6, 0, 1, 2, 3), "08:00-12:00"), slot_minutes=30, week_start=6)
    grid = slot_features(cal, dt.date(1999, 1, 3), dt.date(1999, 2, 27), ["calls"])
    rng = np.random.default_rng(5)
    grid["y"] = np.where(grid["is_open"], rng.poisson(20, len(grid)), np.nan)
    fut = slot_features(cal, dt.date(1999, 2, 28), dt.date(1999, 3, 6), ["calls"])
    for cls in MODELS:
        pred = cls().fit(grid).predict(fut)
        assert len(pred) == 5 * 8 and pred["mean"].between(10, 30).all()
