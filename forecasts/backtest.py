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


def score(pred: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Metrics per counter of predictions against the actual rows (open, non-excluded, y known)."""
    act = actual[actual["is_open"].astype(bool) & actual["y"].notna()][["date", "slot", "counter", "y"]]
    both = act.merge(pred, on=["date", "slot", "counter"], how="left")
    both["mean"] = both["mean"].fillna(0.0)
    rows = []
    for counter, g in both.groupby("counter", sort=False):
        y, m = g["y"].to_numpy(float), g["mean"].to_numpy(float)
        err = y - m
        inside = (y >= g["q10"].fillna(0).to_numpy()) & (y <= g["q90"].fillna(0).to_numpy())
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


def _fresh(model: Forecaster) -> Forecaster:
    return type(model)(**model.get_params())


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
    if models is None:
        named: dict[str, Forecaster] = default_models()
    elif isinstance(models, Mapping):
        named = dict(models)
    else:
        named = {}
        for m in models:
            key, k = m.name, 2
            while key in named:
                key, k = f"{m.name}_{k}", k + 1
            named[key] = m
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
            scored = score(pred, test)
            scored.insert(0, "origin", origin)
            scored.insert(0, "model", name)
            rows.append(scored)
    if not rows:
        return pd.DataFrame({c: [] for c in BACKTEST_COLUMNS})
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
