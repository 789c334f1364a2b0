"""Tables the workbook and the output files share: requirements per slot and peak labels.

The roster is the truth for open windows: they are always recounted from it, so a workbook written for an
edited roster shows what that roster opens.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from constraints.config import fmt_hhmm, parse_hhmm
from constraints.i18n import label
from constraints.problem import Problem
from constraints.roster import Roster
from forecasts.peaks import PEAK_LABELS
from forecasts.staffing import REQUIREMENTS_COLUMNS, requirements_frame

_PEAK_IDS: dict[str, str] = {zh: key for key, (zh, _) in PEAK_LABELS.items()} | {
    en: key for key, (_, en) in PEAK_LABELS.items()
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
    """(date, ``HH:MM``) → ``peak``/``normal``/``trough`` from a forecast frame labelled by
    :func:`forecasts.peaks.add_labels` (or any frame with a date, a slot start and a label in id or Chinese).

    With several counters the busiest label of the slot wins (peak over normal over trough).
    """
    if forecast is None or forecast.empty:
        return {}
    col = next((c for c in _PEAK_COLUMNS if c in forecast.columns), None)
    start_col = next((c for c in ("slot", "start", "slot_start", "time") if c in forecast.columns), None)
    if col is None or start_col is None or "date" not in forecast.columns:
        return {}
    rank = {"trough": 0, "normal": 1, "peak": 2}
    out: dict[tuple[str, str], str] = {}
    for date, start, raw in zip(forecast["date"], forecast[start_col], forecast[col], strict=True):
        key_label = _PEAK_IDS.get(str(raw).strip(), str(raw).strip().lower())
        if key_label not in rank:
            continue
        try:
            key = (_date_text(date), _time_text(start))
        except ValueError:
            continue
        if key not in out or rank[key_label] > rank[out[key]]:
            out[key] = key_label
    return out


def peak_text(peak: str, lang: str) -> str:
    """高峰 / peak … of a label id (empty for none)."""
    return label(PEAK_LABELS, peak, lang) if peak else ""
