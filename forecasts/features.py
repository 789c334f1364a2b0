"""Calendar features per date and per (date, slot): pure functions of dates and a day calendar.

Two kinds of calendar feed the same features:

- :class:`constraints.calendar.BranchCalendar` — China: day types from ``chinesecalendar`` (statutory holidays,
  调休 make-up workdays), opening hours and pension/payroll days from the branch config;
- :class:`WeekCalendar` — a generic week (opening hours per weekday, a set of closed holidays), used for the
  research series of other countries (Israeli Sun–Thu call centre, US weekdays).

Both are seen through the small :class:`DayCalendar` protocol (``as_day_calendar`` adapts a BranchCalendar),
so the models never ask which country they are in: they read the feature columns.

Day-level feature columns (see :data:`DAY_FEATURES`):

``weekday`` 0=Mon…6=Sun · ``day_type`` workday/weekend/holiday/makeup_workday/closed (or the generic
calendar's own) · ``is_open`` · ``holiday_before_1``/``_2`` the day is 1/2 calendar days before the first
day of a run of statutory holidays (and not itself a holiday) · ``holiday_after_1``/``_2`` 1/2 days after the
run's last day · ``makeup`` a 调休 make-up workday ·
``month_start`` one of the first two open days of its month · ``month_end`` one of the last two ·
``pension``/``payroll`` the configured day of month, or, when that day is closed, the first open day on/after
it (:func:`constraints.calendar.carry_to_open`, within ``MAX_PAYDAY_SHIFT`` days) · ``trend`` years
since 2000-01-01.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from constraints.calendar import MAX_PAYDAY_SHIFT, BranchCalendar, carry_to_open
from constraints.config import TimeRange
from constraints.errors import InputError

FLAG_FEATURES: tuple[str, ...] = (
    "holiday_before_1",
    "holiday_before_2",
    "holiday_after_1",
    "holiday_after_2",
    "makeup",
    "month_start",
    "month_end",
    "pension",
    "payroll",
)
"""Boolean day features the calendar-aware model turns into multiplicative effects."""

DAY_FEATURES: tuple[str, ...] = ("weekday", "day_type", "is_open", *FLAG_FEATURES, "trend")
"""Every day-level feature column :func:`day_features` returns (besides ``date``)."""

_EPOCH = dt.date(2000, 1, 1)
_PAD_DAYS = 7  # look this far beyond the range for holiday neighbours


@dataclass(frozen=True)
class DayInfo:
    """What a calendar says about one date."""

    date: dt.date
    day_type: str
    hours: TimeRange | None  # doors open to customers; None when closed
    pension: bool = False  # the scheduled (unshifted) pension day of month
    payroll: bool = False  # the scheduled (unshifted) payroll day of month

    @property
    def is_open(self) -> bool:
        """True when customers can come that day."""
        return self.hours is not None


@runtime_checkable
class DayCalendar(Protocol):
    """The questions features and models ask of a calendar."""

    @property
    def slot_minutes(self) -> int:
        """Slot length in minutes."""
        ...

    @property
    def week_start(self) -> int:
        """Weekday (0=Mon) on which the calendar's business week starts."""
        ...

    def info(self, day: dt.date) -> DayInfo:
        """Day type, opening hours and scheduled paydays of ``day``."""
        ...

    def regular_slots(self) -> tuple[int, ...]:
        """Start minutes of every slot inside the regular opening hours of any day type."""
        ...


def _slots_of(hours: TimeRange | None, slot_minutes: int) -> tuple[int, ...]:
    if hours is None:
        return ()
    return tuple(range(hours.start, hours.end, slot_minutes))


@dataclass(frozen=True)
class BranchDays:
    """A :class:`BranchCalendar` seen as a :class:`DayCalendar` (week starts on Monday)."""

    calendar: BranchCalendar

    @property
    def slot_minutes(self) -> int:
        """Slot length from ``config.grid.slot_minutes``."""
        return self.calendar.config.grid.slot_minutes

    @property
    def week_start(self) -> int:
        """Monday."""
        return 0

    def info(self, day: dt.date) -> DayInfo:
        """Day type and hours from the branch calendar; paydays from ``config.calendar``."""
        d = self.calendar.day(day)
        cal = self.calendar.config.calendar
        return DayInfo(
            day, d.day_type, d.open_hours, day.day in cal.pension_days, day.day in cal.payroll_days
        )

    def regular_slots(self) -> tuple[int, ...]:
        """Slots of the configured workday, weekend and holiday hours."""
        h = self.calendar.config.hours
        out: set[int] = set()
        for rng in (h.workday, h.weekend, h.holiday):
            out.update(_slots_of(rng, self.slot_minutes))
        return tuple(sorted(out))


@dataclass(frozen=True)
class WeekCalendar:
    """A generic calendar: opening hours per weekday and a set of closed holidays.

    ``hours`` maps weekday (0=Mon…6=Sun) to ``"HH:MM-HH:MM"`` (or a TimeRange); a weekday not listed is closed.
    ``day_types`` maps weekday to a day type (default: ``workday`` Mon–Fri, ``weekend`` Sat–Sun); holidays
    take the type ``holiday`` and are closed. ``week_start`` is the first weekday of the business week
    (6 = Sunday for Israel).
    """

    hours: Mapping[int, str | TimeRange]
    slot_minutes: int = 15
    holidays: frozenset[dt.date] = frozenset()
    day_types: Mapping[int, str] = field(default_factory=dict)
    week_start: int = 0

    def _hours(self, weekday: int) -> TimeRange | None:
        h = self.hours.get(weekday)
        if h is None:
            return None
        return h if isinstance(h, TimeRange) else TimeRange.parse(h)

    def info(self, day: dt.date) -> DayInfo:
        """Holidays are closed; other days follow their weekday."""
        if day in self.holidays:
            return DayInfo(day, "holiday", None)
        wd = day.weekday()
        hours = self._hours(wd)
        default = "workday" if wd < 5 else "weekend"
        return DayInfo(day, self.day_types.get(wd, default) if hours else "closed", hours)

    def regular_slots(self) -> tuple[int, ...]:
        """Slots of every weekday's hours."""
        out: set[int] = set()
        for wd in range(7):
            out.update(_slots_of(self._hours(wd), self.slot_minutes))
        return tuple(sorted(out))


def as_day_calendar(calendar: BranchCalendar | DayCalendar) -> DayCalendar:
    """Adapt a BranchCalendar; pass a DayCalendar through."""
    if isinstance(calendar, BranchCalendar):
        return BranchDays(calendar)
    return calendar


def date_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every date in [start, end]."""
    return [start + dt.timedelta(days=k) for k in range((end - start).days + 1)]


def _infos(cal: DayCalendar, start: dt.date, end: dt.date) -> list[DayInfo]:
    """Infos for [start, end] widened by padding; padded dates a calendar cannot answer are guessed plainly."""
    lo, hi = start - dt.timedelta(days=MAX_PAYDAY_SHIFT), end + dt.timedelta(days=_PAD_DAYS)
    lo = min(lo, lo.replace(day=1))
    hi = max(hi, hi.replace(day=_cal.monthrange(hi.year, hi.month)[1]))
    out = []
    for d in date_range(lo, hi):
        try:
            out.append(cal.info(d))
        except InputError:
            if start <= d <= end:
                raise
            out.append(DayInfo(d, "workday" if d.weekday() < 5 else "weekend", None))
    return out


def day_features(calendar: BranchCalendar | DayCalendar, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per date in [start, end] with ``date`` and the :data:`DAY_FEATURES` columns."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    cal = as_day_calendar(calendar)
    infos = _infos(cal, start, end)
    dates = [i.date for i in infos]
    n = len(infos)
    day_type = np.array([i.day_type for i in infos], dtype=object)
    is_open = np.array([i.is_open for i in infos], dtype=bool)
    holiday = day_type == "holiday"
    prev = np.concatenate([[False], holiday[:-1]])
    nxt = np.concatenate([holiday[1:], [False]])
    starts, ends = np.flatnonzero(holiday & ~prev), np.flatnonzero(holiday & ~nxt)
    feats: dict[str, np.ndarray] = {}
    pos = np.arange(n)
    for k in (1, 2):
        before = np.zeros(n, dtype=bool)
        after = np.zeros(n, dtype=bool)
        before[starts[starts - k >= 0] - k] = True
        after[ends[ends + k < n] + k] = True
        feats[f"holiday_before_{k}"] = before & ~holiday
        feats[f"holiday_after_{k}"] = after & ~holiday
    feats["makeup"] = day_type == "makeup_workday"
    months = np.array([d.year * 12 + d.month for d in dates])
    month_start = np.zeros(n, dtype=bool)
    month_end = np.zeros(n, dtype=bool)
    for m in np.unique(months):
        open_in_month = pos[(months == m) & is_open]
        month_start[open_in_month[:2]] = True
        month_end[open_in_month[-2:]] = True
    feats["month_start"] = month_start
    feats["month_end"] = month_end
    feats["pension"] = carry_to_open(np.array([i.pension for i in infos], dtype=bool), is_open)
    feats["payroll"] = carry_to_open(np.array([i.payroll for i in infos], dtype=bool), is_open)
    frame = pd.DataFrame(
        {
            "date": dates,
            "weekday": [d.weekday() for d in dates],
            "day_type": day_type.astype(str),
            "is_open": is_open,
            **feats,
            "trend": [(d - _EPOCH).days / 365.25 for d in dates],
        }
    )
    keep = (frame["date"] >= start) & (frame["date"] <= end)
    return frame.loc[keep, ["date", *DAY_FEATURES]].reset_index(drop=True)


def slot_grid(calendar: BranchCalendar | DayCalendar, dates: Iterable[dt.date]) -> tuple[int, ...]:
    """Union of the regular slots and every open slot of ``dates`` (start minutes, sorted)."""
    cal = as_day_calendar(calendar)
    out = set(cal.regular_slots())
    for d in dates:
        out.update(_slots_of(cal.info(d).hours, cal.slot_minutes))
    return tuple(sorted(out))


def open_mask(
    calendar: BranchCalendar | DayCalendar, dates: list[dt.date], slots: tuple[int, ...]
) -> np.ndarray:
    """Boolean days × slots: the slot lies inside that day's opening hours."""
    cal = as_day_calendar(calendar)
    s = np.asarray(slots)
    out = np.zeros((len(dates), len(s)), dtype=bool)
    for i, d in enumerate(dates):
        h = cal.info(d).hours
        if h is not None:
            out[i] = (s >= h.start) & (s < h.end)
    return out


def slot_features(
    calendar: BranchCalendar | DayCalendar,
    start: dt.date,
    end: dt.date,
    counters: Iterable[str] = ("all",),
) -> pd.DataFrame:
    """Rectangular grid date × slot × counter with ``is_open``, ``slot_index`` and the day features.

    ``slot`` is the start minute; the slots are :func:`slot_grid` of the range, so closed days and the
    slots outside a day's hours are present with ``is_open`` False. ``slot_index`` counts the open slots
    of the day from 0 (missing when closed).
    """
    days = day_features(calendar, start, end)
    dates = list(days["date"])
    slots = slot_grid(calendar, dates)
    mask = open_mask(calendar, dates, slots)
    idx = np.cumsum(mask, axis=1) - 1
    counters = list(counters)
    n_d, n_s, n_c = len(dates), len(slots), len(counters)
    grid = pd.DataFrame(
        {
            "date": np.repeat(np.array(dates, dtype=object), n_s * n_c),
            "slot": np.tile(np.repeat(np.asarray(slots, dtype=int), n_c), n_d),
            "counter": np.tile(np.asarray(counters, dtype=object), n_d * n_s),
            "slot_open": np.repeat(mask.ravel(), n_c),
            "slot_index": np.repeat(np.where(mask, idx, -1).ravel(), n_c),
        }
    )
    out = grid.merge(days, on="date", how="left", validate="many_to_one")
    out["is_open"] = out.pop("slot_open")
    out["slot_index"] = out["slot_index"].astype("Int64").where(out["is_open"])
    return out
