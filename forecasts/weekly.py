"""The week's forecast from an arrivals history: fit, predict the seven days, label peaks and troughs.

:func:`forecast_week` is the library call behind ``paiban forecast``; notebooks call it on the long frame of
:func:`forecasts.arrivals.count_arrivals` (``date, slot, counter, y, is_open`` [, ``excluded``]).
:func:`check_history` says what is thin or odd in that history before it is used, and what the forecast does
about it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
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
    weeks: int = 1,
) -> pd.DataFrame:
    """Forecast the seven days from ``monday`` (the week's first day) for every counter of ``history`` — or
    ``weeks`` × seven days, a horizon, each day by its day type and weekday like the first week's.

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
    future = slot_features(calendar, monday, monday + dt.timedelta(days=7 * weeks - 1), counters)
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


THIN_HISTORY_DAYS = 14
"""Less history than this (first to last day with tickets) gets a warning: two of each weekday at least."""
GAP_DAYS = 7
"""A run of at least this many days without a single ticket, open days among them, is a gap in the export."""


@dataclass(frozen=True)
class HistoryNote:
    """A warning about the ticket history and what the forecast does about it (zh and en)."""

    code: str  # thin_history, after_plan_week, gap
    zh: str
    en: str

    def message(self, lang: str = "zh") -> str:
        """The sentence in ``lang``."""
        return self.en if lang == "en" else self.zh

    def as_dict(self, lang: str = "zh") -> dict[str, str]:
        """summary.json's form: code and message."""
        return {"code": self.code, "message": self.message(lang)}


@dataclass(frozen=True)
class HistoryCheck:
    """The history to forecast from (gap days marked excluded) and the notes on it."""

    history: pd.DataFrame
    notes: tuple[HistoryNote, ...]


def check_history(history: pd.DataFrame, monday: dt.date) -> HistoryCheck:
    """Notes on a history too thin or odd to trust blindly, and the history with its gaps left out.

    * less than :data:`THIN_HISTORY_DAYS` days before ``monday``: the main model leans on the plain average of
      the same weekday and day type (:class:`~forecasts.models.CalendarModel`'s short-history blend);
    * tickets on or after ``monday``: not used (only the history before the plan week is);
    * :data:`GAP_DAYS` or more days without a ticket although the branch was open (a missing export): those
      days are marked excluded — missing, not days without customers.
    """
    day_total = history.groupby("date")["y"].sum(min_count=1)
    day_open = history.groupby("date")["is_open"].any()
    dates = list(day_total.index)
    before = [d for d in dates if d < monday]
    seen = [d for d in before if day_total[d] > 0]
    notes: list[HistoryNote] = []
    after = float(np.nansum([day_total[d] for d in dates if d >= monday]))
    if after > 0:
        last = max(d for d in dates if d >= monday and day_total[d] > 0)
        notes.append(
            HistoryNote(
                "after_plan_week",
                f"有 {after:.0f} 张取号在排班周 {monday} 当天或之后 (最晚 {last}): 预测只用 {monday} 之前的历史, "
                "这些取号未使用; 请确认 --week",
                f"{after:.0f} tickets are dated on or after the plan week's Monday {monday} (the last on {last}): "
                f"the forecast uses only the history before {monday} and leaves them out; check --week",
            )
        )
    if not seen:
        return HistoryCheck(history, tuple(notes))
    span = (seen[-1] - seen[0]).days + 1
    if span < THIN_HISTORY_DAYS:
        notes.append(
            HistoryNote(
                "thin_history",
                f"只有 {span} 天的取号历史 ({seen[0]} 至 {seen[-1]}), 少于两周: 预测部分退回到同星期几、同类日的"
                "平均 (没见过的日子用同类日或全部日子的平均), 预测区间加宽",
                f"only {span} days of ticket history ({seen[0]} to {seen[-1]}), less than two weeks: the forecast "
                "falls back in part to the average of the same weekday and day type (a kind of day not seen "
                "takes the average of its class, or of all days), with wider intervals",
            )
        )
    gaps = _gaps([d for d in before if seen[0] <= d <= seen[-1]], day_total, day_open)
    for run in gaps:
        notes.append(
            HistoryNote(
                "gap",
                f"{run[0]} 至 {run[-1]} 共 {len(run)} 天没有任何取号, 其间有营业日 (导出缺失?): 这些天不计入预测, "
                "按缺数据处理, 不当作零客流",
                f"no tickets at all from {run[0]} to {run[-1]} ({len(run)} days with open days among them; a "
                "gap in the export?): those days are left out of the fit as missing, not counted as days "
                "without customers",
            )
        )
    if gaps:
        missing = history["date"].isin({d for run in gaps for d in run})
        history = history.assign(
            y=history["y"].where(~missing), excluded=history.get("excluded", False) | missing
        )
    return HistoryCheck(history, tuple(notes))


def _gaps(days: list[dt.date], total: pd.Series, is_open: pd.Series) -> list[list[dt.date]]:
    """Runs of at least :data:`GAP_DAYS` consecutive ``days`` without a ticket that hold an open day."""
    runs: list[list[dt.date]] = []
    run: list[dt.date] = []
    for d in [*days, None]:
        if d is not None and not total[d] > 0:  # NaN (closed) or 0
            run.append(d)
            continue
        if len(run) >= GAP_DAYS and any(bool(is_open[x]) for x in run):
            runs.append(run)
        run = []
    return runs
