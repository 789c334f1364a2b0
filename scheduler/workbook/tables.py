"""Tables the workbook and the output files share: requirements per slot, peak labels, waits and hours per day.

The roster is the truth for open windows: they are always recounted from it, so a workbook written for an
edited roster shows what that roster opens.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from constraints.config import COUNTER_TYPES, fmt_hhmm, parse_hhmm
from constraints.problem import Problem
from constraints.roster import Roster
from forecasts.staffing import REQUIREMENTS_COLUMNS, requirements_frame

PEAK_LABELS: dict[str, tuple[str, str]] = {
    "高峰": ("高峰", "peak"),
    "平峰": ("平峰", "normal"),
    "低谷": ("低谷", "trough"),
    "peak": ("高峰", "peak"),
    "normal": ("平峰", "normal"),
    "flat": ("平峰", "normal"),
    "offpeak": ("平峰", "normal"),
    "trough": ("低谷", "trough"),
}
_PEAK_COLUMNS = ("peak", "peak_label", "label", "period", "高峰标签", "时段类型", "峰谷")


def _date_text(v: Any) -> str:
    if isinstance(v, dt.datetime | pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()[:10]


def _time_text(v: Any) -> str:
    if isinstance(v, int | np.integer):
        return fmt_hhmm(int(v))
    if isinstance(v, dt.datetime | pd.Timestamp | dt.time):
        return f"{v.hour:02d}:{v.minute:02d}"
    return fmt_hhmm(parse_hhmm(str(v)))


def _open_windows(problem: Problem, roster: Roster) -> dict[tuple[dt.date, str], np.ndarray]:
    """People at each counter type per slot of every open day, from the roster."""
    ids = problem.staff.ids()
    out: dict[tuple[dt.date, str], np.ndarray] = {}
    for day in problem.open_days:
        for counter, counts in roster.open_windows(day, ids).items():
            out[(day.date, counter)] = counts
    return out


def requirements_table(
    problem: Problem, roster: Roster | None, requirements: pd.DataFrame | None = None
) -> pd.DataFrame:
    """requirements.csv rows (exact columns, text dates and times), open windows counted from the roster.

    Without ``requirements`` the rows come from the problem's demand through
    :func:`forecasts.staffing.requirements_frame` (the same table ``paiban plan`` writes). Without a roster
    (the week could not be staffed) open windows are empty.
    """
    opened = _open_windows(problem, roster) if roster is not None else {}
    if requirements is None:
        return requirements_frame(problem.demand, problem.days, opened)
    missing = [c for c in REQUIREMENTS_COLUMNS if c not in requirements.columns]
    if missing:
        raise ValueError(f"requirements frame lacks columns {missing}")
    df = requirements[list(REQUIREMENTS_COLUMNS)].copy()
    if df.empty:
        return df
    df["date"] = df["date"].map(_date_text)
    df["start"] = df["start"].map(_time_text)
    df["end"] = df["end"].map(_time_text)
    slot = {
        (d.date.isoformat(), fmt_hhmm(t)): (d.date, s)
        for d in problem.open_days
        for s, t in enumerate(d.slot_starts)
    }
    counts = []
    for date, start, counter in zip(df["date"], df["start"], df["counter"], strict=True):
        where = slot.get((date, start))
        ow = opened.get((where[0], str(counter))) if where else None
        counts.append(int(ow[where[1]]) if ow is not None and where is not None else None)
    df["open_windows"] = pd.array(counts, dtype="Int64")
    return df.reset_index(drop=True)


def peak_labels(forecast: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """(date, start) → 高峰/平峰/低谷 from a forecast frame with a peak label column (any counter)."""
    if forecast is None or forecast.empty:
        return {}
    col = next((c for c in _PEAK_COLUMNS if c in forecast.columns), None)
    if col is None or "date" not in forecast.columns:
        return {}
    start_col = next((c for c in ("start", "slot_start", "time", "slot") if c in forecast.columns), None)
    out: dict[tuple[str, str], str] = {}
    rank = {"高峰": 2, "平峰": 1, "低谷": 0}
    for rec in forecast.to_dict("records"):
        raw = str(rec[col]).strip()
        zh = PEAK_LABELS.get(raw, PEAK_LABELS.get(raw.lower(), (raw, raw)))[0]
        if start_col is None:
            continue
        try:
            key = (_date_text(rec["date"]), _time_text(rec[start_col]))
        except ValueError:
            continue
        if key not in out or rank.get(zh, 0) > rank.get(out[key], 0):
            out[key] = zh  # the busiest counter's label wins
    return out


def peak_text(zh_label: str, lang: str) -> str:
    """高峰 / peak …"""
    pair = PEAK_LABELS.get(zh_label)
    return (pair[1] if lang == "en" else pair[0]) if pair else zh_label


def staff_hours_by_day(problem: Problem, roster: Roster) -> dict[dt.date, float]:
    """Paid hours (lunch excluded) per day over everyone."""
    ids = problem.staff.ids()
    return {d.date: round(sum(roster.hours(i, [d.date]) for i in ids), 2) for d in problem.days}


def expected_waits(problem: Problem, roster: Roster) -> dict[dt.date, dict[str, float]]:
    """Per open day with demand: forecast arrivals and the queueing model's expected mean wait (minutes).

    The waits are the problem's ``wait_minutes`` table looked up at the windows the roster opens, so the
    number is the same one the solver's objective uses.
    """
    ids = problem.staff.ids()
    out: dict[dt.date, dict[str, float]] = {}
    for day in problem.open_days:
        ow = roster.open_windows(day, ids)
        arrivals = wait = 0.0
        for counter in COUNTER_TYPES:
            cd = problem.counter_demand(day.date, counter)
            if cd is None:
                continue
            cap = cd.wait_minutes.shape[1] - 1
            for s in range(len(cd.arrivals)):
                arrivals += float(cd.arrivals[s])
                wait += float(cd.wait_minutes[s, min(int(ow[counter][s]), cap)])
        if arrivals > 0:
            out[day.date] = {"arrivals": round(arrivals, 2), "mean_wait_minutes": round(wait / arrivals, 2)}
    return out
