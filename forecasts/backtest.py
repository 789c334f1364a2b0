"""Rolling-origin, one-week-ahead backtest of forecasters on an arrivals history.

For each origin (the first day of one of the last ``weeks`` complete business weeks of the history) every
model is fitted on the days before the origin and predicts the seven days from it; the predictions are
scored on the held-out open, non-excluded slots, per model × origin × counter:

- ``wape`` = Σ|y − mean| / Σy (weighted absolute percentage error; the headline number),
- ``rmse``, ``mae`` of the mean,
- ``coverage80`` = share of slots with ``q10 <= y <= q90`` (the central 80 % interval; target 0.80).

:func:`summarize` pools the rows per model (WAPE weighted by volume) and sorts the best model first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from forecasts.features import DayCalendar, as_day_calendar, day_features
from forecasts.models import CalendarModel, Forecaster, HistoricalAverage, SeasonalNaive

BACKTEST_COLUMNS: tuple[str, ...] = (
    "model",
    "origin",
    "counter",
    "wape",
    "rmse",
    "mae",
    "coverage80",
    "n",
    "actual",
)


def default_models() -> dict[str, Forecaster]:
    """The two baselines and the main model, by name."""
    return {m.name: m for m in (SeasonalNaive(), HistoricalAverage(), CalendarModel())}


def add_day_features(frame: pd.DataFrame, calendar: BranchCalendar | DayCalendar) -> pd.DataFrame:
    """The long frame with the day features of its date range merged in (replacing any present)."""
    days = day_features(calendar, min(frame["date"]), max(frame["date"])).drop(columns=["is_open"])
    keep = [c for c in frame.columns if c == "date" or c not in days.columns]
    return frame[keep].merge(days, on="date", how="left", validate="many_to_one")


def origins(
    history: pd.DataFrame, calendar: BranchCalendar | DayCalendar, weeks: int = 4, min_train_days: int = 7
) -> list[dt.date]:
    """Start dates of the last ``weeks`` complete business weeks with at least ``min_train_days`` before."""
    usable = history["is_open"].astype(bool) & history["y"].notna()
    dates = sorted(history.loc[usable, "date"].unique())
    if not dates:
        return []
    first, last = dates[0], max(history["date"])
    ws = as_day_calendar(calendar).week_start
    o = last - dt.timedelta(days=6)
    o -= dt.timedelta(days=(o.weekday() - ws) % 7)
    out: list[dt.date] = []
    while len(out) < weeks and (o - first).days >= min_train_days:
        out.append(o)
        o -= dt.timedelta(days=7)
    return sorted(out)


SLOT_COLUMNS: tuple[str, ...] = ("model", "origin", "date", "slot", "counter", "y", "mean", "q10", "q90")
"""Columns of :func:`backtest_slots`: one held-out slot of one model and origin."""


def join_actual(pred: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """The scored slots of ``actual`` (open, non-excluded, y known) with the predictions beside them.

    A slot the model did not predict counts as mean 0 with the interval [0, 0].
    """
    act = actual[actual["is_open"].astype(bool) & actual["y"].notna()][["date", "slot", "counter", "y"]]
    both = act.merge(pred, on=["date", "slot", "counter"], how="left")
    both["mean"] = both["mean"].fillna(0.0)
    for q in ("q10", "q90"):
        both[q] = both[q].fillna(0.0) if q in both.columns else 0.0
    return both


def score_slots(both: pd.DataFrame) -> pd.DataFrame:
    """Metrics per counter of joined slots (``counter, y, mean, q10, q90``), as :func:`score`."""
    rows = []
    for counter, g in both.groupby("counter", sort=False):
        y, m = g["y"].to_numpy(float), g["mean"].to_numpy(float)
        err = y - m
        inside = (y >= g["q10"].to_numpy(float)) & (y <= g["q90"].to_numpy(float))
        total = float(y.sum())
        rows.append(
            {
                "counter": counter,
                "wape": float(np.abs(err).sum() / total) if total > 0 else np.nan,
                "rmse": float(np.sqrt(np.mean(err**2))),
                "mae": float(np.mean(np.abs(err))),
                "coverage80": float(inside.mean()),
                "n": len(y),
                "actual": total,
            }
        )
    return pd.DataFrame(rows)


def score(pred: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Metrics per counter of predictions against the actual rows (open, non-excluded, y known)."""
    return score_slots(join_actual(pred, actual))


def _fresh(model: Forecaster) -> Forecaster:
    return type(model)(**model.get_params())


def _named(models: Sequence[Forecaster] | Mapping[str, Forecaster] | None) -> dict[str, Forecaster]:
    if models is None:
        return default_models()
    if isinstance(models, Mapping):
        return dict(models)
    named: dict[str, Forecaster] = {}
    for m in models:
        key, k = m.name, 2
        while key in named:
            key, k = f"{m.name}_{k}", k + 1
        named[key] = m
    return named


def backtest_slots(
    history: pd.DataFrame,
    calendar: BranchCalendar | DayCalendar,
    models: Sequence[Forecaster] | Mapping[str, Forecaster] | None = None,
    weeks: int = 4,
    *,
    min_train_days: int = 7,
) -> pd.DataFrame:
    """The held-out slots of :func:`backtest`, one row per model × origin × slot (:data:`SLOT_COLUMNS`).

    For breakdowns the pooled metrics hide (by day kind, by hour); :func:`backtest` scores these rows.
    """
    named = _named(models)
    frame = add_day_features(history, calendar)
    rows = []
    for origin in origins(history, calendar, weeks, min_train_days):
        stop = origin + dt.timedelta(days=7)
        train = frame[frame["date"] < origin]
        test = frame[(frame["date"] >= origin) & (frame["date"] < stop)]
        if not (test["is_open"].astype(bool) & test["y"].notna()).any():
            continue
        for name, model in named.items():
            pred = _fresh(model).fit(train).predict(test.drop(columns=["y"]))
            both = join_actual(pred, test)
            both.insert(0, "origin", origin)
            both.insert(0, "model", name)
            rows.append(both[list(SLOT_COLUMNS)])
    if not rows:
        return pd.DataFrame({c: [] for c in SLOT_COLUMNS})
    return pd.concat(rows, ignore_index=True)


def backtest(
    history: pd.DataFrame,
    calendar: BranchCalendar | DayCalendar,
    models: Sequence[Forecaster] | Mapping[str, Forecaster] | None = None,
    weeks: int = 4,
    *,
    min_train_days: int = 7,
) -> pd.DataFrame:
    """Backtest ``models`` (default: :func:`default_models`) over the last ``weeks`` weeks of ``history``.

    ``history`` is the arrivals long frame (``date, slot, counter, y, is_open`` [, ``excluded``]). Returns one
    row per model × origin × counter with :data:`BACKTEST_COLUMNS`.
    """
    slots = backtest_slots(history, calendar, models, weeks, min_train_days=min_train_days)
    return score_backtest_slots(slots)


def score_backtest_slots(slots: pd.DataFrame) -> pd.DataFrame:
    """:data:`BACKTEST_COLUMNS` rows (model × origin × counter) of :func:`backtest_slots` rows."""
    if slots.empty:
        return pd.DataFrame({c: [] for c in BACKTEST_COLUMNS})
    rows = []
    for _, g in slots.groupby(["model", "origin"], sort=False):
        scored = score_slots(g)
        scored.insert(0, "origin", g["origin"].iloc[0])
        scored.insert(0, "model", g["model"].iloc[0])
        rows.append(scored)
    return pd.concat(rows, ignore_index=True)[list(BACKTEST_COLUMNS)]


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Per model: pooled wape, rmse, mae, coverage80 over origins and counters, best (lowest WAPE) first."""
    out = []
    for name, g in results.groupby("model", sort=False):
        n, act = g["n"].to_numpy(float), g["actual"].to_numpy(float)
        out.append(
            {
                "model": name,
                "wape": float(np.nansum(g["wape"] * act) / act.sum()) if act.sum() > 0 else np.nan,
                "rmse": float(np.sqrt(np.sum(g["rmse"] ** 2 * n) / n.sum())),
                "mae": float(np.sum(g["mae"] * n) / n.sum()),
                "coverage80": float(np.sum(g["coverage80"] * n) / n.sum()),
                "origins": int(g["origin"].nunique()),
                "slots": int(n.sum()),
            }
        )
    return pd.DataFrame(out).sort_values("wape", kind="stable").reset_index(drop=True)
