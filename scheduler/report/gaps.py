"""Service gaps (服务缺口) and turned-away customers: where a roster leaves forecast customers short of windows.

A **service gap** is a run of consecutive open slots of one counter type where the roster opens fewer windows
than required and customers are forecast. Its expected customers are the forecast arrivals of the run; its
expected mean wait is the queueing model's waiting at the windows the roster opens — the problem's
``wait_minutes[slot, open]`` table (:mod:`forecasts.staffing`), the same figure as the solver's objective and
the 指标 sheet's expected waits — divided by those customers. That table charges the queue a slot leaves to
the next slot as if it were staffed at its requirement, so a long run at 0 windows reads lower than the
customers' real wait, bounded by their patience and the closing time: the simulation (simulation.csv) is the
measure for those (the demo's weekend 对公, 0 windows all day: 21 min by the model, 55–71 min simulated).

A counter closed on purpose by its service calendar (``[counters.<counter>] days``) has no requirement and so
no gap; its forecast customers are **turned away** (one entry per counter-day, over the day's opening hours).

summary.json (``service_gaps``, ``turned_away``), the console after ``paiban plan``, the 指标 sheet and the
day sheets all read these two lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from constraints.config import COUNTER_TYPES, fmt_hhmm
from constraints.i18n import ACTIVITY_LABELS, label, tr
from constraints.problem import Problem
from constraints.roster import Roster


def _where(date: dt.date, counter: str, start: int, end: int) -> dict[str, object]:
    """The summary.json fields that place an entry: date, counter, start, end."""
    return {"date": date.isoformat(), "counter": counter, "start": fmt_hhmm(start), "end": fmt_hhmm(end)}


@dataclass(frozen=True)
class ServiceGap:
    """One run of slots of one counter with fewer open windows than required, and customers forecast."""

    date: dt.date
    counter: str
    start: int  # minutes after midnight
    end: int
    required_windows: int  # most required in the run
    open_windows: int  # fewest open in the run
    expected_customers: float
    expected_mean_wait_minutes: float

    def as_dict(self) -> dict[str, object]:
        """The summary.json shape."""
        return {
            **_where(self.date, self.counter, self.start, self.end),
            "required_windows": self.required_windows,
            "open_windows": self.open_windows,
            "expected_customers": round(self.expected_customers, 1),
            "expected_mean_wait_minutes": round(self.expected_mean_wait_minutes, 1),
        }

    def text(self, lang: str | None = None) -> str:
        """``对公 09:30–16:00 开 0/需 1 个窗口, 预计 5 位客户, 平均等候 63.2 分钟``."""
        counter = label(ACTIVITY_LABELS, self.counter, lang)
        span = f"{fmt_hhmm(self.start)}–{fmt_hhmm(self.end)}"
        n, w = self.expected_customers, self.expected_mean_wait_minutes
        return tr(
            f"{counter} {span} 开 {self.open_windows} 个窗口, 需要 {self.required_windows} 个: "
            f"预计 {n:.1f} 位客户, 平均等候 {w:.1f} 分钟",
            f"{counter} {span}: {self.open_windows} windows open, {self.required_windows} required: "
            f"{n:.1f} customers expected, mean wait {w:.1f} min",
            lang,
        )


@dataclass(frozen=True)
class TurnedAway:
    """Forecast customers of a counter its service calendar closes on an open day."""

    date: dt.date
    counter: str
    start: int
    end: int
    expected_customers: float

    def as_dict(self) -> dict[str, object]:
        """The summary.json shape."""
        return {
            **_where(self.date, self.counter, self.start, self.end),
            "expected_customers": round(self.expected_customers, 1),
        }

    def text(self, lang: str | None = None) -> str:
        """``对公 按服务日历不营业: 预计 5 位客户无法办理``."""
        counter = label(ACTIVITY_LABELS, self.counter, lang)
        n = self.expected_customers
        return tr(
            f"{counter} 按服务日历不营业: 预计 {n:.1f} 位客户无法办理",
            f"{counter} closed by its service calendar: {n:.1f} customers expected are turned away",
            lang,
        )


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges [a, b) of consecutive True values."""
    out: list[tuple[int, int]] = []
    a = None
    for i, on in enumerate(mask):
        if on and a is None:
            a = i
        elif not on and a is not None:
            out.append((a, i))
            a = None
    if a is not None:
        out.append((a, len(mask)))
    return out


def service_gaps(problem: Problem, roster: Roster) -> list[ServiceGap]:
    """Every run of open slots, per day and counter, with fewer open windows than required and customers
    forecast — in day, counter (高柜, 低柜, 对公) and time order."""
    ids = problem.staff.ids()
    out: list[ServiceGap] = []
    for day in problem.open_days:
        opened = roster.open_windows(day, ids)
        open_mask = np.zeros(len(day.slot_starts), dtype=bool)
        open_mask[list(day.open_slots)] = True
        for counter in COUNTER_TYPES:
            dem = problem.counter_demand(day.date, counter)
            if dem is None:
                continue
            n = np.asarray(opened[counter][: len(dem.required)], dtype=int)
            required = np.asarray(dem.required, dtype=int)[: len(n)]
            cap = dem.wait_minutes.shape[1] - 1
            for a, b in _runs(open_mask[: len(n)] & (n < required)):
                customers = float(dem.arrivals[a:b].sum())
                if customers <= 0:
                    continue
                waiting = sum(float(dem.wait_minutes[s, min(int(n[s]), cap)]) for s in range(a, b))
                out.append(
                    ServiceGap(
                        date=day.date,
                        counter=counter,
                        start=day.slot_starts[a],
                        end=day.slot_starts[b - 1] + day.slot_minutes,
                        required_windows=int(required[a:b].max()),
                        open_windows=int(n[a:b].min()),
                        expected_customers=customers,
                        expected_mean_wait_minutes=waiting / customers,
                    )
                )
    return out


def turned_away(problem: Problem) -> list[TurnedAway]:
    """Per open day and counter closed by its service calendar: the forecast customers turned away."""
    out: list[TurnedAway] = []
    for day in problem.open_days:
        for counter in COUNTER_TYPES:
            dem = problem.counter_demand(day.date, counter)
            if dem is None or dem.turned_away is None or day.open_hours is None:
                continue
            customers = float(np.asarray(dem.turned_away).sum())
            if customers > 0:
                oh = day.open_hours
                out.append(TurnedAway(day.date, counter, oh.start, oh.end, customers))
    return out


__all__ = ["ServiceGap", "TurnedAway", "service_gaps", "turned_away"]
