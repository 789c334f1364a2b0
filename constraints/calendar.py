"""China's business calendar for a branch: day types, opening hours and each day's slot grid.

Day types come from ``chinesecalendar`` (statutory holidays and 调休 make-up working weekends, as announced
by the State Council each year) and the branch's overrides CSV (``date,day_type,open,close``). A date the
package does not cover and no override names is an error: paiban never guesses a holiday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import chinese_calendar
import numpy as np

from constraints.config import BranchConfig, TimeRange, fmt_hhmm
from constraints.errors import InputError
from constraints.i18n import weekday_label
from constraints.io import read_table

DAY_TYPES: tuple[str, ...] = ("workday", "weekend", "holiday", "makeup_workday", "closed")
_DAY_TYPE_ALIASES = {
    "工作日": "workday",
    "周末": "weekend",
    "节假日": "holiday",
    "法定节假日": "holiday",
    "假日": "holiday",
    "调休": "makeup_workday",
    "调休工作日": "makeup_workday",
    "补班": "makeup_workday",
    "休业": "closed",
    "关闭": "closed",
    "不营业": "closed",
}


PACKAGE_YEARS: tuple[int, int] = (
    min(chinese_calendar.holidays).year,
    max(max(chinese_calendar.holidays).year, max(chinese_calendar.workdays).year),
)
"""The years chinesecalendar knows (the State Council announces each year's holidays the November before)."""
SUPPORTED_YEARS: tuple[int, int] = (PACKAGE_YEARS[0], PACKAGE_YEARS[1] + 1)
"""Years paiban plans and reads tickets for: the package's, and the next one through the overrides CSV (the
package lags the announcement). A date outside is a typo or a broken cell (1900, 2099), not a missing override
— unless the overrides CSV names it."""


def package_day_type(day: dt.date) -> str:
    """Day type from chinesecalendar alone; ``InputError`` when the package does not cover the year."""
    lo, hi = SUPPORTED_YEARS
    if not lo <= day.year <= hi:
        raise InputError(
            f"日期超出支持的范围 {lo}–{hi} 年, 请检查是否写错 (date outside the supported years {lo}–{hi}: "
            "check it for a typo or a broken cell)",
            value=day.isoformat(),
        )
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        raise InputError(
            f"日历包未覆盖 {day.year} 年的节假日与调休; 请在 calendar.overrides 指定的 CSV 中为该日期添加一行 "
            f"(date,day_type,open,close) — the holiday package does not cover {day.year}: add an override row "
            f"for this date",
            value=day.isoformat(),
        ) from None
    weekend = day.weekday() >= 5
    if is_holiday:
        return "holiday" if name is not None else "weekend"
    return "makeup_workday" if weekend else "workday"


MAX_PAYDAY_SHIFT = 31
"""A pension/payroll day on a closed day is paid on the first open day at most this many days later (Spring
Festival closes a branch for up to 9 days)."""


def carry_to_open(
    flags: Sequence[bool] | np.ndarray,
    is_open: Sequence[bool] | np.ndarray,
    max_shift: int = MAX_PAYDAY_SHIFT,
) -> np.ndarray:
    """Consecutive days' flags with each flagged closed day moved to the first open day on/after it (at most
    ``max_shift`` days on; dropped when none is open): the carry-over of pension and payroll days."""
    flag = np.asarray(flags, dtype=bool)
    open_ = np.asarray(is_open, dtype=bool)
    out = flag & open_
    for i in np.flatnonzero(flag & ~open_).tolist():
        for j in range(i + 1, min(i + max_shift + 1, len(flag))):
            if open_[j]:
                out[j] = True
                break
    return out


@dataclass(frozen=True)
class Paydays:
    """The open days on which pensions (养老金发放日) and wages (代发工资日) are paid."""

    pension: frozenset[dt.date]
    payroll: frozenset[dt.date]


@dataclass(frozen=True)
class Override:
    """One row of the overrides CSV."""

    day_type: str
    hours: TimeRange | None  # None: take the day type's hours from the config


def read_overrides(path: str | Path) -> dict[dt.date, Override]:
    """Read ``date,day_type,open,close`` (open/close empty → the day type's usual hours)."""
    df = read_table(path)
    cols = {c.strip().lower(): c for c in df.columns}
    alias = {
        "日期": "date",
        "类型": "day_type",
        "开门": "open",
        "关门": "close",
        "营业开始": "open",
        "营业结束": "close",
    }
    for c in list(df.columns):
        if c.strip() in alias:
            cols[alias[c.strip()]] = c
    for need in ("date", "day_type"):
        if need not in cols:
            raise InputError(f"缺少列 (missing column) {need}", file=path, row=1, column=need)
    out: dict[dt.date, Override] = {}
    for i, rec in enumerate(df.to_dict("records"), start=2):
        raw_date = str(rec[cols["date"]]).strip()
        try:
            day = dt.date.fromisoformat(raw_date.replace("/", "-"))
        except ValueError:
            raise InputError(
                "无法识别的日期 (unparsable date)", file=path, row=i, column=cols["date"], value=raw_date
            ) from None
        raw_type = str(rec[cols["day_type"]]).strip()
        day_type = _DAY_TYPE_ALIASES.get(raw_type, raw_type.lower())
        if day_type not in DAY_TYPES:
            raise InputError(
                f"未知日期类型 (unknown day type); 可选 (choose from) {list(DAY_TYPES)}",
                file=path,
                row=i,
                column=cols["day_type"],
                value=raw_type,
            )
        hours = None
        o, c = (str(rec.get(cols.get(k, ""), "") or "").strip() for k in ("open", "close"))
        if o and c and o.lower() != "nan" and c.lower() != "nan":
            try:
                hours = TimeRange.parse(f"{o}-{c}")
            except ValueError as exc:
                raise InputError(
                    str(exc), file=path, row=i, column=cols.get("open"), value=f"{o}-{c}"
                ) from None
        out[day] = Override(day_type=day_type, hours=hours)
    return out


@dataclass(frozen=True)
class Day:
    """One calendar day of a branch: its type, its hours and its slot grid."""

    date: dt.date
    day_type: str
    open_hours: TimeRange | None  # doors open to customers; None when closed
    staff_hours: TimeRange | None  # open_hours widened by before_open / after_close
    slot_minutes: int

    @property
    def is_open(self) -> bool:
        """True when the doors open to customers that day."""
        return self.open_hours is not None

    @cached_property
    def slot_starts(self) -> tuple[int, ...]:
        """Start minute of each staff-time slot (empty when closed)."""
        if self.staff_hours is None:
            return ()
        return tuple(range(self.staff_hours.start, self.staff_hours.end, self.slot_minutes))

    @cached_property
    def open_slots(self) -> tuple[int, ...]:
        """Indexes (into ``slot_starts``) of the slots when the doors are open."""
        if self.open_hours is None:
            return ()
        oh = self.open_hours
        return tuple(i for i, s in enumerate(self.slot_starts) if oh.start <= s < oh.end)

    def slot_of(self, minute: int) -> int:
        """Index of the slot containing ``minute`` (may be out of range)."""
        assert self.staff_hours is not None
        return (minute - self.staff_hours.start) // self.slot_minutes

    def slot_label(self, i: int) -> str:
        """``HH:MM`` of slot ``i``."""
        return fmt_hhmm(self.slot_starts[i])


class BranchCalendar:
    """Day types and hours for the dates a branch asks about."""

    def __init__(self, config: BranchConfig, overrides: dict[dt.date, Override] | None = None) -> None:
        self.config = config
        if overrides is None and config.calendar.overrides:
            overrides = read_overrides(config.resolve(config.calendar.overrides))
        self.overrides: dict[dt.date, Override] = dict(overrides or {})

    def day_type(self, day: dt.date) -> str:
        """workday, weekend, holiday, makeup_workday or closed."""
        if day in self.overrides:
            return self.overrides[day].day_type
        return package_day_type(day)

    def day(self, day: dt.date) -> Day:
        """The day with its hours and slot grid."""
        day_type = self.day_type(day)
        ov = self.overrides.get(day)
        hours = (
            ov.hours if ov is not None and ov.hours is not None else self.config.hours.for_day_type(day_type)
        )
        if day_type == "closed":
            hours = None
        staff = None
        if hours is not None:
            h = self.config.hours
            staff = TimeRange(
                start=max(0, hours.start - h.before_open_minutes),
                end=min(24 * 60, hours.end + h.after_close_minutes),
            )
        return Day(day, day_type, hours, staff, self.config.grid.slot_minutes)

    def days(self, dates: Iterable[dt.date]) -> list[Day]:
        """Several days at once."""
        return [self.day(d) for d in dates]

    def week(self, monday: dt.date) -> list[Day]:
        """The seven days starting on ``monday``."""
        return self.days(monday + dt.timedelta(days=k) for k in range(7))

    def paydays(self, start: dt.date, end: dt.date) -> Paydays:
        """The open days in [start, end] that pay pensions and wages (``config.calendar``), carried as
        :func:`carry_to_open` says; days before ``start`` the holiday package does not cover count as closed."""
        cal = self.config.calendar
        first = start - dt.timedelta(days=MAX_PAYDAY_SHIFT)
        dates = [first + dt.timedelta(days=k) for k in range((end - first).days + 1)]
        is_open = [self._open_or_unknown(d, start) for d in dates]
        keep = [d >= start for d in dates]
        pension = carry_to_open([d.day in cal.pension_days for d in dates], is_open)
        payroll = carry_to_open([d.day in cal.payroll_days for d in dates], is_open)
        return Paydays(
            pension=frozenset(d for d, k, f in zip(dates, keep, pension, strict=True) if k and f),
            payroll=frozenset(d for d, k, f in zip(dates, keep, payroll, strict=True) if k and f),
        )

    def _open_or_unknown(self, day: dt.date, start: dt.date) -> bool:
        """Whether ``day`` is open; a look-back day (before ``start``) the package does not cover is closed."""
        try:
            return self.day(day).is_open
        except InputError:
            if day >= start:
                raise
            return False


def parse_day(text: str, argument: str, weekday: int | None = None) -> dt.date:
    """A date given as ``YYYY-MM-DD`` (on ``weekday`` when given, 0 = Monday); ``InputError`` naming the argument."""
    try:
        day = dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise InputError(
            "日期格式应为 YYYY-MM-DD (date must be YYYY-MM-DD)", argument=argument, value=text
        ) from None
    if weekday is not None and day.weekday() != weekday:
        raise InputError(
            f"必须是{weekday_label(weekday, 'zh')}, 而 {day} 是{weekday_label(day.weekday(), 'zh')} "
            f"({argument} must be a {dt.date(2024, 1, 1 + weekday):%A})",
            argument=argument,
            value=text,
        )
    return day


def parse_week(text: str) -> dt.date:
    """The Monday given as ``YYYY-MM-DD``; ``InputError`` naming ``--week`` otherwise."""
    return parse_day(text, "--week", weekday=0)
