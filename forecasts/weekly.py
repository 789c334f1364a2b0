"""The week's forecast from an arrivals history: fit, predict the seven days, label peaks and troughs.

:func:`forecast_week` is the library call behind ``paiban forecast``; notebooks call it on the long frame of
:func:`forecasts.arrivals.count_arrivals` (``date, slot, counter, y, is_open`` [, ``excluded``]).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import fmt_hhmm
from constraints.errors import InputError
from constraints.i18n import label
from forecasts.backtest import add_day_features
from forecasts.features import DayCalendar, as_day_calendar, slot_features
from forecasts.models import QUANTILE_COLUMNS, CalendarModel, Forecaster
from forecasts.peaks import PEAK_LABELS, add_labels

FORECAST_COLUMNS: tuple[str, ...] = ("date", "start", "end", "counter", "mean", "q50", "q80", "q95", "label")
"""Machine columns of forecast.csv (times ``HH:MM``; ``label`` is ``peak``/``normal``/``trough``)."""

FORECAST_CSV_COLUMNS: tuple[str, ...] = (*FORECAST_COLUMNS, "label_text")
"""forecast.csv: the machine columns, then ``label_text`` — 高峰/平峰/低谷 (peak/normal/trough with ``--lang en``)
for people."""

WEEK_COLUMNS: tuple[str, ...] = (
    "date",
    "slot",
    "start",
    "end",
    "counter",
    "mean",
    *QUANTILE_COLUMNS,
    "label",
)
"""Columns of :func:`forecast_week`'s frame: forecast.csv's plus ``slot`` (start minute), ``q10`` and ``q90``."""


def forecast_week(
    history: pd.DataFrame,
    calendar: BranchCalendar | DayCalendar,
    monday: dt.date,
    model: Forecaster | None = None,
    *,
    peak_ratio: float = 1.2,
    trough_ratio: float = 0.8,
) -> pd.DataFrame:
    """Forecast the seven days from ``monday`` (the week's first day) for every counter of ``history``.

    Only history before ``monday`` is used. ``model`` defaults to :class:`CalendarModel`; it is fitted here.
    Returns one row per open slot with :data:`WEEK_COLUMNS`; ``label`` is peak / normal / trough
    (:mod:`forecasts.peaks`).
    """
    past = history[history["date"] < monday]
    usable = past["is_open"].astype(bool) & past["y"].notna()
    if not usable.any():
        raise InputError(
            f"{monday} 之前没有可用的取号历史 (no usable ticket history before {monday})", value=str(monday)
        )
    model = model if model is not None else CalendarModel()
    counters = list(dict.fromkeys(past["counter"]))
    future = slot_features(calendar, monday, monday + dt.timedelta(days=6), counters)
    pred = model.fit(add_day_features(past, calendar)).predict(future)
    out = add_labels(pred, peak_ratio, trough_ratio)
    step = as_day_calendar(calendar).slot_minutes
    out["start"] = [fmt_hhmm(int(s)) for s in out["slot"]]
    out["end"] = [fmt_hhmm(int(s) + step) for s in out["slot"]]
    return out[list(WEEK_COLUMNS)]


def forecast_csv(forecast: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The rows of forecast.csv (:data:`FORECAST_CSV_COLUMNS`) from :func:`forecast_week`'s frame, figures
    rounded to 0.001."""
    out = forecast[list(FORECAST_COLUMNS)].copy()
    for col in ("mean", "q50", "q80", "q95"):
        out[col] = out[col].astype(float).round(3)
    out["label_text"] = [label(PEAK_LABELS, str(v), lang) for v in out["label"]]
    return out
