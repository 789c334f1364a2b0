"""Peaks and troughs (客流高峰期/低谷期) of a forecast, slot by slot, and each day in plain words.

The rule, per date × counter over the day's open slots:

1. ``ratio`` = the slot's forecast mean / the day's average forecast mean per open slot;
2. ``peak`` (高峰) when ``ratio >= peak_ratio`` (default 1.2), ``trough`` (低谷) when ``ratio <= trough_ratio``
   (default 0.8), else ``normal`` (平峰);
3. smoothing: each slot takes the median label (trough < normal < peak) of itself and its two neighbours,
   repeated until nothing changes — a lone slot never flickers between its neighbours' label and its own,
   while a change from peak to trough keeps a one-slot normal between them.

A day whose forecast is all zero is ``normal`` throughout. The summary of a day lists its peak and trough
periods in time order: ``周一 10:00–11:30 高峰, 12:00–13:30 低谷`` (English through
:func:`constraints.i18n.tr`: ``Mon 10:00–11:30 peak, 12:00–13:30 trough``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from constraints.config import fmt_hhmm
from constraints.i18n import label, tr, weekday_label

PEAK_LABELS: dict[str, tuple[str, str]] = {
    "peak": ("高峰", "peak"),
    "normal": ("平峰", "normal"),
    "trough": ("低谷", "trough"),
}
"""Label ids and their Chinese / English words."""

_CODES = np.array(["trough", "normal", "peak"])


def smooth_codes(codes: np.ndarray) -> np.ndarray:
    """Repeated 3-wide median filter of ordinal codes (-1, 0, 1), edges repeated, until it stops changing."""
    c = np.asarray(codes, dtype=int)
    for _ in range(len(c) + 1):
        if len(c) < 3:
            return c
        padded = np.concatenate([c[:1], c, c[-1:]])
        nxt = np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0).astype(int)
        if np.array_equal(nxt, c):
            break
        c = nxt
    return c


def label_day(mean: np.ndarray, peak_ratio: float = 1.2, trough_ratio: float = 0.8) -> np.ndarray:
    """Label ids for one day's slots (in time order) from their forecast means."""
    m = np.asarray(mean, dtype=float)
    avg = float(m.mean()) if m.size else 0.0
    if avg <= 0:
        return np.full(m.size, "normal", dtype=object)
    ratio = m / avg
    codes = np.where(ratio >= peak_ratio, 1, np.where(ratio <= trough_ratio, -1, 0))
    return _CODES[smooth_codes(codes) + 1].astype(object)


def add_labels(
    forecast: pd.DataFrame, peak_ratio: float = 1.2, trough_ratio: float = 0.8, value: str = "mean"
) -> pd.DataFrame:
    """``forecast`` (date, slot, counter, ``value``) sorted by date, counter, slot, with a ``label`` column."""
    if peak_ratio <= 1.0 or not 0.0 <= trough_ratio < 1.0:
        raise ValueError(f"need peak_ratio > 1 > trough_ratio >= 0, not {peak_ratio}, {trough_ratio}")
    order = {c: k for k, c in enumerate(dict.fromkeys(forecast["counter"]))}  # counters keep their order
    out = (
        forecast.assign(_c=forecast["counter"].map(order))
        .sort_values(["date", "_c", "slot"], kind="stable")
        .drop(columns="_c")
        .reset_index(drop=True)
    )
    labels = np.empty(len(out), dtype=object)
    for idx in out.groupby(["date", "counter"], sort=False).indices.values():
        labels[idx] = label_day(out[value].to_numpy(float)[idx], peak_ratio, trough_ratio)
    out["label"] = labels
    return out


def periods(slots: np.ndarray, labels: np.ndarray, slot_minutes: int) -> list[tuple[int, int, str]]:
    """Contiguous runs ``(start_minute, end_minute, label)`` of one day's labelled slots (in time order)."""
    out: list[tuple[int, int, str]] = []
    for s, lab in zip(np.asarray(slots, dtype=int), labels, strict=True):
        if out and out[-1][2] == lab and out[-1][1] == s:
            out[-1] = (out[-1][0], s + slot_minutes, lab)
        else:
            out.append((int(s), int(s) + slot_minutes, str(lab)))
    return out


def describe_day(
    day: dt.date, slots: np.ndarray, labels: np.ndarray, slot_minutes: int, lang: str | None = None
) -> str:
    """``周一 10:00–11:30 高峰, 12:00–13:30 低谷`` for one day and counter (normal periods left out)."""
    parts = [
        f"{fmt_hhmm(a)}–{fmt_hhmm(b)} {label(PEAK_LABELS, lab, lang)}"
        for a, b, lab in periods(slots, labels, slot_minutes)
        if lab != "normal"
    ]
    body = ", ".join(parts) if parts else tr("全天平峰", "normal all day", lang)
    return f"{weekday_label(day.weekday(), lang)} {body}"


def summarize_peaks(labelled: pd.DataFrame, slot_minutes: int, lang: str | None = None) -> pd.DataFrame:
    """Per date × counter: ``total`` forecast arrivals and ``text`` (:func:`describe_day`)."""
    rows = []
    for (key, counter), g in labelled.groupby(["date", "counter"], sort=False):
        day = key if isinstance(key, dt.date) else pd.Timestamp(str(key)).date()
        g = g.sort_values("slot")
        rows.append(
            {
                "date": day,
                "counter": counter,
                "total": float(g["mean"].sum()),
                "text": describe_day(day, g["slot"].to_numpy(), g["label"].to_numpy(), slot_minutes, lang),
            }
        )
    return pd.DataFrame(rows, columns=["date", "counter", "total", "text"])
