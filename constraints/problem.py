"""The problem of one week (or of a horizon of weeks, ``paiban plan --weeks N``): the branch, its people, its days, who is away, and the windows each slot needs.

A :class:`Problem` is everything a rule needs to encode itself or to check a finished roster. It is built
from files by :func:`scheduler.app.load_problem` (or by hand in tests) and changed only by copying.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np

from constraints.calendar import BranchCalendar, Day
from constraints.config import COUNTER_TYPES, BranchConfig
from constraints.staff import Absence, Staff

T = TypeVar("T")


@dataclass(frozen=True)
class CounterDemand:
    """Demand of one counter type on one day, aligned with the day's slot grid (staff time).

    ``wait_minutes[s, c]`` is the expected customer-waiting minutes generated in slot ``s`` when ``c`` windows
    are open (c = 0 … physical windows); convex and decreasing in ``c``. Slots outside opening hours hold 0.
    """

    date: dt.date
    counter: str
    arrivals: np.ndarray  # (slots,) forecast arrivals
    required: np.ndarray  # (slots,) least windows meeting the service level, capped by the physical windows
    wait_minutes: np.ndarray  # (slots, windows + 1)
    shortfall: np.ndarray | None = None  # (slots,) windows missing where the physical cap binds
    turned_away: np.ndarray | None = None
    """(slots,) forecast customers of a counter closed that day by its service calendar (``[counters]``):
    they are turned away, so ``arrivals``, ``required`` and ``wait_minutes`` are zero."""

    def __post_init__(self) -> None:
        n = len(self.arrivals)
        if len(self.required) != n or self.wait_minutes.shape[0] != n:
            raise ValueError("arrivals, required and wait_minutes must have one row per slot")


@dataclass(frozen=True)
class Problem:
    """One week of one branch (or consecutive weeks: :meth:`for_horizon`), ready for the rules."""

    config: BranchConfig
    staff: Staff
    days: tuple[Day, ...]
    absences: tuple[Absence, ...] = ()
    demand: Mapping[tuple[dt.date, str], CounterDemand] = field(default_factory=dict)
    _away: dict[tuple[str, dt.date], list[Absence]] = field(default_factory=dict, compare=False, repr=False)
    _memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        away: dict[tuple[str, dt.date], list[Absence]] = {}
        for a in self.absences:
            away.setdefault((a.staff_id, a.date), []).append(a)
        object.__setattr__(self, "_away", away)
        object.__setattr__(self, "_memo", {})

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()`` computed once per problem under ``key`` (for what the rules derive from it alone)."""
        if key not in self._memo:
            self._memo[key] = make()
        return cast(T, self._memo[key])

    @classmethod
    def for_week(
        cls,
        config: BranchConfig,
        staff: Staff,
        monday: dt.date,
        absences: Iterable[Absence] = (),
        demand: Mapping[tuple[dt.date, str], CounterDemand] | None = None,
        calendar: BranchCalendar | None = None,
    ) -> Problem:
        """The problem of the week starting ``monday`` (absences outside the week are dropped)."""
        return cls.for_horizon(config, staff, monday, 1, absences, demand, calendar)

    @classmethod
    def for_horizon(
        cls,
        config: BranchConfig,
        staff: Staff,
        monday: dt.date,
        weeks: int,
        absences: Iterable[Absence] = (),
        demand: Mapping[tuple[dt.date, str], CounterDemand] | None = None,
        calendar: BranchCalendar | None = None,
    ) -> Problem:
        """The problem of ``weeks`` consecutive weeks from ``monday``, one model over all their days (absences
        outside them are dropped); the labour rule holds its weekly limits in each calendar week
        (:func:`constraints.rules.labour.plan_weeks`)."""
        cal = calendar or BranchCalendar(config)
        days = tuple(d for k in range(weeks) for d in cal.week(monday + dt.timedelta(days=7 * k)))
        dates = {d.date for d in days}
        return cls(
            config=config,
            staff=staff,
            days=days,
            absences=tuple(a for a in absences if a.date in dates),
            demand=dict(demand or {}),
        )

    def week_dates(self) -> list[tuple[dt.date, ...]]:
        """The plan's days grouped by calendar week (Monday to Sunday), in order: one group for a plan of at
        most seven days (a week, or a part of one), one per week for a horizon."""
        if len(self.days) <= 7:
            return [tuple(d.date for d in self.days)]
        weeks: dict[dt.date, list[dt.date]] = {}
        for d in self.days:
            weeks.setdefault(d.date - dt.timedelta(days=d.date.weekday()), []).append(d.date)
        return [tuple(ds) for _, ds in sorted(weeks.items())]

    def replace(self, **changes: object) -> Problem:
        """A copy with some fields changed (what-if)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def open_days(self) -> list[Day]:
        """Days when the doors open."""
        return [d for d in self.days if d.is_open]

    def day(self, date: dt.date) -> Day:
        """The day of that date."""
        for d in self.days:
            if d.date == date:
                return d
        raise KeyError(date)

    def absences_of(self, staff_id: str, date: dt.date) -> list[Absence]:
        """Leave and events of a person on a date."""
        return self._away.get((staff_id, date), [])

    def away_all_day(self, staff_id: str, date: dt.date) -> bool:
        """True when a whole-day absence (leave, event) keeps the person off that date."""
        return any(a.hours is None for a in self.absences_of(staff_id, date))

    def available(self, staff_id: str, day: Day, slot: int) -> bool:
        """True when the person is not on leave or at an event during that slot."""
        start = day.slot_starts[slot]
        mid = start + day.slot_minutes // 2
        return not any(a.covers(mid) or a.covers(start) for a in self.absences_of(staff_id, day.date))

    def counter_demand(self, date: dt.date, counter: str) -> CounterDemand | None:
        """Demand of a counter on a date, if known."""
        return self.demand.get((date, counter))

    def windows(self, counter: str) -> int:
        """Physical windows of a counter type."""
        return self.config.windows.get(counter, 0) if counter in COUNTER_TYPES else 0
