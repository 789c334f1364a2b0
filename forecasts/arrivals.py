"""Arrivals per slot: queue tickets counted per date × slot × counter type over each day's opening hours.

The result is the long frame every forecaster reads (one row per date × slot × counter, rectangular):

=========  ==========================================================================================
date       ``datetime.date``
slot       start minute of the slot (minutes after midnight); slot length = ``config.grid.slot_minutes``
counter    counter type (``high_counter``, ``low_counter``, ``corporate_counter``) or a generic series name
y          tickets issued in the slot (float); ``0`` for an open slot without tickets; **NaN** when the slot
           is closed (closed day, or outside that day's hours) or the day is excluded
is_open    the branch is open to customers in that slot (closed days are present with False: a closed
           day is not a day of zero demand)
excluded   the user excluded the day (outage, ticket cap, missing data): its y is NaN, it is neither
           fitted nor scored, but the day stays in the frame
=========  ==========================================================================================

A ticket issued a little before opening (within ``grace_minutes``) counts in the first slot, one issued a
little after closing in the last slot; tickets further out or on closed days are left out and reported
once with an :class:`~constraints.errors.InputWarning`. Abandoned tickets are arrivals and count.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import COUNTER_TYPES
from constraints.errors import InputError, InputWarning
from forecasts.features import DayCalendar, as_day_calendar, date_range, open_mask, slot_grid

ARRIVAL_COLUMNS: tuple[str, ...] = ("date", "slot", "counter", "y", "is_open", "excluded")


def _counters(tickets: pd.DataFrame, calendar: BranchCalendar | DayCalendar) -> list[str]:
    seen = set(tickets["counter"].dropna().astype(str).unique())
    if isinstance(calendar, BranchCalendar):
        wanted = {c for c, n in calendar.config.windows.items() if n > 0} | seen
        return [c for c in COUNTER_TYPES if c in wanted] + sorted(wanted - set(COUNTER_TYPES))
    return sorted(seen) or ["all"]


def _assign_slots(
    day_idx: np.ndarray,
    minute: np.ndarray,
    mask: np.ndarray,
    slot_arr: np.ndarray,
    slot_minutes: int,
    grace: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(slot index, counted) per ticket: the open slot it falls in, else the day's first (last) open slot when
    it came at most ``grace`` minutes before opening (after closing); not counted otherwise."""
    n_s = len(slot_arr)
    first = np.where(mask.any(axis=1), np.argmax(mask, axis=1), -1)
    last = np.where(mask.any(axis=1), n_s - 1 - np.argmax(mask[:, ::-1], axis=1), -1)
    s_idx = np.clip(np.searchsorted(slot_arr, minute, side="right") - 1, 0, n_s - 1)
    in_slot = (slot_arr[s_idx] <= minute) & (minute < slot_arr[s_idx] + slot_minutes)
    valid = in_slot & mask[day_idx, s_idx]
    f, la = first[day_idx], last[day_idx]
    opening = slot_arr[np.maximum(f, 0)]
    early = ~valid & (f >= 0) & (minute < opening) & (minute >= opening - grace)
    late_end = slot_arr[np.maximum(la, 0)] + slot_minutes
    late = ~valid & (la >= 0) & (minute >= late_end) & (minute < late_end + grace)
    return np.where(early, f, np.where(late, la, s_idx)), valid | early | late


def count_arrivals(
    tickets: pd.DataFrame,
    calendar: BranchCalendar | DayCalendar,
    start: dt.date | None = None,
    end: dt.date | None = None,
    exclude: Iterable[dt.date] = (),
    *,
    grace_minutes: int = 30,
) -> pd.DataFrame:
    """Count tickets per date × slot × counter over [start, end] (default: the tickets' first to last date).

    ``tickets`` needs ``issued_at`` (datetimes) and ``counter`` (or ``service`` plus a BranchCalendar whose
    config maps services to counters). Columns of the result: see :data:`ARRIVAL_COLUMNS` and the module doc.
    """
    if "issued_at" not in tickets.columns:
        raise InputError("缺少取号时间列 (missing column issued_at)", column="issued_at")
    t = tickets
    if "counter" not in t.columns:
        if "service" not in t.columns or not isinstance(calendar, BranchCalendar):
            raise InputError("缺少柜台类型列 (missing column counter)", column="counter")
        t = t.assign(counter=t["service"].map(calendar.config.counter_of))
    issued = pd.to_datetime(t["issued_at"], errors="coerce")
    ok = issued.notna().to_numpy()
    issued = issued[ok]
    counter_col = t["counter"].astype(str).to_numpy()[ok]
    if start is None or end is None:
        if issued.empty:
            raise InputError("没有可用的取号记录 (no tickets with an issue time)", column="issued_at")
        start = start or issued.min().date()
        end = end or issued.max().date()
    if end < start:
        raise InputError(f"结束日期早于开始日期 (end {end} is before start {start})", value=str(end))
    cal = as_day_calendar(calendar)
    dates = date_range(start, end)
    slots = slot_grid(cal, dates)
    mask = open_mask(cal, dates, slots)
    counters = _counters(t, calendar)
    n_d, n_s, n_c = len(dates), len(slots), len(counters)
    counts = np.zeros((n_d, n_s, n_c))
    if n_s:
        day_idx = (issued.dt.normalize() - pd.Timestamp(start)).dt.days.to_numpy()
        minute = (issued.dt.hour * 60 + issued.dt.minute).to_numpy()
        c_idx = pd.Index(counters).get_indexer(pd.Index(counter_col))
        inside = (day_idx >= 0) & (day_idx < n_d) & (c_idx >= 0)
        day_idx, minute, c_idx = day_idx[inside], minute[inside], c_idx[inside]
        s_idx, keep = _assign_slots(day_idx, minute, mask, np.asarray(slots), cal.slot_minutes, grace_minutes)
        np.add.at(counts, (day_idx[keep], s_idx[keep], c_idx[keep]), 1.0)
        dropped = int((~keep).sum())
        if dropped:
            warnings.warn(
                f"{dropped} 张票号落在休业日或营业时间之外, 未计入 "
                f"({dropped} tickets fall on closed days or outside opening hours and are not counted)",
                InputWarning,
                stacklevel=2,
            )
    skip = set(exclude)
    excluded_days = np.array([d in skip for d in dates], dtype=bool)
    y = np.where(mask[:, :, None] & ~excluded_days[:, None, None], counts, np.nan)
    return pd.DataFrame(
        {
            "date": np.repeat(np.array(dates, dtype=object), n_s * n_c),
            "slot": np.tile(np.repeat(np.asarray(slots, dtype=int), n_c), n_d),
            "counter": np.tile(np.asarray(counters, dtype=object), n_d * n_s),
            "y": y.ravel(),
            "is_open": np.repeat(mask.ravel(), n_c),
            "excluded": np.repeat(excluded_days, n_s * n_c),
        }
    )
