"""Per-teller workload and window utilisation from the ticket history (柜员号, 窗口): what the 网点经营分析会
looks at — tickets served, mean service minutes, and the busy share of the open hours.

Over the :data:`WORKLOAD_DAYS` days before the plan week: a served ticket with a start and a finish counts
its service minutes (finish − start) to its teller and its window. A teller's busy share is their service
minutes over the open minutes of the days they served anyone (their days at a window); a window's utilisation
is its service minutes over the open minutes of every open day of the period (a window left shut counts as
idle). Tickets without a teller or a window are left out of that table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.errors import InputError
from constraints.staff import Staff

WORKLOAD_DAYS = 28
"""Days of history before the plan week the tables cover: four whole weeks, a month's meeting's view."""


@dataclass(frozen=True)
class TellerLoad:
    """One teller's tickets over the period."""

    teller: str
    name: str  # from the staff list when the 柜员号 is a staff id, else ""
    tickets: int
    days: int  # days they served at least one ticket
    mean_service_min: float | None
    busy_share: float | None  # service minutes / open minutes of their days


@dataclass(frozen=True)
class WindowLoad:
    """One queue-machine window's tickets over the period."""

    window: str
    counter: str  # the counter type most of its tickets were for
    tickets: int
    mean_service_min: float | None
    utilisation: float | None  # service minutes / open minutes of the period's open days


@dataclass(frozen=True)
class Workload:
    """The period's tables: tellers by tickets served (most first), windows by number."""

    start: dt.date
    end: dt.date
    tellers: tuple[TellerLoad, ...]
    windows: tuple[WindowLoad, ...]

    def as_dict(self) -> dict[str, Any]:
        """summary.json's ``teller_workload``."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tellers": [t.__dict__ for t in self.tellers],
            "windows": [w.__dict__ for w in self.windows],
        }


def _r(x: float, nd: int = 2) -> float | None:
    return round(float(x), nd) if np.isfinite(x) else None


def _natural(key: str) -> tuple[int, str]:
    """Window ``2`` before ``10``; names that are not numbers after the numbers."""
    return (int(key), "") if key.isdigit() else (1 << 30, key)


def ticket_workload(
    tickets: pd.DataFrame,
    calendar: BranchCalendar,
    before: dt.date,
    staff: Staff | None = None,
    days: int = WORKLOAD_DAYS,
) -> Workload | None:
    """The tables over the ``days`` days before ``before``; None when no served ticket of the period names a
    teller or a window (the export has no 柜员号/窗口 columns, or no history in the period)."""
    start = before - dt.timedelta(days=days)
    issued = tickets["issued_at"]
    period = tickets[
        (issued >= pd.Timestamp(start)) & (issued < pd.Timestamp(before)) & (tickets["status"] == "served")
    ]
    if period.empty or not (period["teller"].ne("").any() or period["window"].ne("").any()):
        return None
    minutes = (period["finished_at"] - period["started_at"]).dt.total_seconds() / 60.0
    frame = pd.DataFrame(
        {
            "teller": period["teller"].astype(str).str.strip(),
            "window": period["window"].astype(str).str.strip(),
            "counter": period["counter"],
            "date": period["issued_at"].dt.date,
            "minutes": minutes.where(minutes >= 0),
        }
    )
    open_minutes: dict[dt.date, int] = {}
    for k in range(days):
        d = start + dt.timedelta(days=k)
        try:
            hours = calendar.day(d).open_hours
        except InputError:  # a year the holiday package lacks: the day counts as closed
            hours = None
        if hours is not None:
            open_minutes[d] = hours.minutes
    names = {p.staff_id: p.name for p in staff} if staff is not None else {}
    tellers = []
    for teller, g in frame[frame["teller"] != ""].groupby("teller", sort=False):
        on = sum(open_minutes.get(d, 0) for d in set(g["date"]))
        busy = float(g["minutes"].sum())
        tellers.append(
            TellerLoad(
                teller=str(teller),
                name=names.get(str(teller), ""),
                tickets=len(g),
                days=int(g["date"].nunique()),
                mean_service_min=_r(g["minutes"].mean()),
                busy_share=_r(busy / on, 4) if on else None,
            )
        )
    total_open = sum(open_minutes.values())
    windows = []
    for window, g in frame[frame["window"] != ""].groupby("window", sort=False):
        busy = float(g["minutes"].sum())
        windows.append(
            WindowLoad(
                window=str(window),
                counter=str(g["counter"].mode().iloc[0]) if len(g) else "",
                tickets=len(g),
                mean_service_min=_r(g["minutes"].mean()),
                utilisation=_r(busy / total_open, 4) if total_open else None,
            )
        )
    return Workload(
        start=start,
        end=before - dt.timedelta(days=1),
        tellers=tuple(sorted(tellers, key=lambda t: (-t.tickets, t.teller))),
        windows=tuple(sorted(windows, key=lambda w: _natural(w.window))),
    )


__all__ = ["WORKLOAD_DAYS", "TellerLoad", "WindowLoad", "Workload", "ticket_workload"]
