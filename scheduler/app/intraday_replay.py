"""Replay a past day minute by minute: the queue with the roster alone against the queue with the advice followed.

The day's real tickets are the customers (real issue times and service durations; patience drawn, seeded, the
same for both runs: :func:`scheduler.simulation.customers.replay_customers`), served by the one queue engine
(:func:`scheduler.simulation.simulate.simulate`) through the windows of the roster. Every ``every`` minutes the
queue machine's export *as it would read at that moment* (tickets issued so far; called, served or still
waiting in the simulated branch) goes to :func:`scheduler.app.intraday.advise`, exactly what ``paiban now``
would be given; the moves that begin before the next look are followed. The customers' waits and the queue
length per minute are then compared: roster alone vs advice followed.

``intraday(...)`` reads a branch's files; :func:`replay_day` takes a :class:`~scheduler.app.intraday.Today`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from constraints.config import COUNTER_TYPES
from constraints.i18n import ACTIVITY_LABELS, label
from constraints.roster import Roster
from scheduler.app.intraday import HORIZON_MINUTES, MOVE_CNY, Move, Today, advise, roster_with
from scheduler.app.intraday_files import load_today
from scheduler.simulation.customers import replay_customers
from scheduler.simulation.simulate import simulate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CALL_MINUTES = 20 / 60
"""A window calls an absent number this long before moving on (过号): when the queue machine stops showing it."""


@dataclass(frozen=True)
class Replay:
    """A replayed day: per-minute queues, per-customer waits, and the moves followed."""

    today: Today
    minutes: np.ndarray  # clock minutes, opening to the last customer called
    queue_roster: dict[str, np.ndarray]  # customers waiting at each minute, per counter
    queue_advice: dict[str, np.ndarray]
    waits_roster: np.ndarray  # minutes, one per customer (abandoned: until they left)
    waits_advice: np.ndarray
    moves: tuple[Move, ...]
    roster: Roster  # the day's roster with the moves

    def summary(self) -> dict[str, float]:
        """Mean and P90 wait with the roster alone and with the advice followed, the change, moves made."""
        out: dict[str, float] = {"customers": float(len(self.waits_roster))}
        for name, w in (("roster", self.waits_roster), ("advice", self.waits_advice)):
            w = w[np.isfinite(w)]
            out[f"mean_wait_{name}"] = float(w.mean()) if len(w) else 0.0
            out[f"p90_wait_{name}"] = float(np.quantile(w, 0.9)) if len(w) else 0.0
        before = out["mean_wait_roster"]
        out["mean_wait_change"] = (out["mean_wait_advice"] - before) / before if before > 0 else 0.0
        out["moves"] = float(count_moves(self.moves))
        return out

    def frame(self) -> pd.DataFrame:
        """Per minute and counter: time (minutes), counter, roster, advice (customers waiting)."""
        parts = [
            pd.DataFrame(
                {
                    "time": self.minutes,
                    "counter": c,
                    "roster": self.queue_roster[c],
                    "advice": self.queue_advice[c],
                }
            )
            for c in self.queue_roster
        ]
        return pd.concat(parts, ignore_index=True)

    def plot(self, lang: str | None = None) -> Figure:
        """The queue with the roster alone against the queue with the advice followed, moves marked."""
        from scheduler.report.plot_intraday import intraday_plot  # matplotlib only when plotting

        spans = [(m.start, m.end, short_label(self.today, m, lang)) for m in self.moves]
        return intraday_plot(self.frame(), spans, self.today.day.date, lang=lang)


def short_label(today: Today, move: Move, lang: str | None = None) -> str:
    """``王丽→高柜`` for a plot."""
    a = move.assignments[-1]
    return f"{today.name(a.staff_id)}→{label(ACTIVITY_LABELS, a.to_activity, lang)}"


def count_moves(moves: Sequence[Move]) -> int:
    """Moves made, a move continued by the same person in the same place right after it counting once."""
    ends: dict[tuple[tuple[str, str, str], ...], int] = {}
    n = 0
    for m in sorted(moves, key=lambda m: m.start):
        key = tuple(sorted((a.staff_id, a.from_activity, a.to_activity) for a in m.assignments))
        if ends.get(key) != m.start:
            n += 1
        ends[key] = m.end
    return n


# ---- the replay ---------------------------------------------------------------------------------------------


def replay_day(
    today: Today,
    tickets: pd.DataFrame,
    *,
    every: int = 5,
    seed: int = 0,
    horizon: int = HORIZON_MINUTES,
    move_cny: float = MOVE_CNY,
) -> Replay:
    """Replay ``tickets`` (the day's, :func:`forecasts.tickets.read_tickets` frame) with and without the advice.

    The advice is asked every ``every`` minutes from opening on (``horizon`` and ``move_cny`` as for
    :func:`~scheduler.app.intraday.advise`); ``seed`` draws the customers' patience.
    """
    day = today.day
    oh = day.open_hours
    if oh is None:
        raise ValueError(f"{day.date} is not an open day")
    mine = tickets[tickets["issued_at"].dt.date == day.date]
    customers = replay_customers(mine, [day], today.profiles, np.random.default_rng(seed), 1)
    followed: list[Move] = []
    for t in range(oh.start + every, oh.end, every):
        served = _serve(today, customers, roster_with(today, followed))
        view = _export_as_of(served, day.date, t)
        advice = advise(today, view, t, followed=followed, horizon=horizon, move_cny=move_cny)
        followed += [m for m in advice.moves if m.start < t + every]
    base = _serve(today, customers, roster_with(today, ()))
    final_roster = roster_with(today, followed)
    final = _serve(today, customers, final_roster)
    minutes, q_base = _queue_per_minute(base, oh.start)
    _, q_final = _queue_per_minute(final, oh.start, minutes)
    return Replay(
        today=today,
        minutes=minutes,
        queue_roster=q_base,
        queue_advice=q_final,
        waits_roster=base["wait"].to_numpy(float),
        waits_advice=final["wait"].to_numpy(float),
        moves=tuple(followed),
        roster=final_roster,
    )


def _serve(today: Today, customers: pd.DataFrame, roster: Roster) -> pd.DataFrame:
    """The customers through the roster's windows: the simulator's customer frame."""
    day = today.day
    ids = today.problem.staff.ids()
    per = roster.open_windows(day, ids)
    windows = {(day.date, c): per[c] for c in COUNTER_TYPES}
    result = simulate(
        customers, windows, [day], today.problem.config, replications=1, call_minutes=CALL_MINUTES
    )
    return result.customers


def _export_as_of(served: pd.DataFrame, date: dt.date, t: int) -> pd.DataFrame:
    """The queue machine's export at minute ``t``: tickets issued so far, with only the times already past."""
    seen = served[served["arrival"] <= t]
    day0 = pd.Timestamp(date)

    def stamp(col: str) -> pd.Series:
        v = seen[col].to_numpy(float)
        return pd.Series(day0 + pd.to_timedelta(np.where(v <= t, v, np.nan), unit="min"))

    called, start, end = stamp("called"), stamp("start"), stamp("end")
    status = np.where(
        called.isna(), "waiting", np.where(seen["abandoned"].to_numpy(bool), "abandoned", "served")
    )
    return pd.DataFrame(
        {
            "issued_at": day0 + pd.to_timedelta(seen["arrival"].to_numpy(float), unit="min"),
            "called_at": called.to_numpy(),
            "started_at": start.to_numpy(),
            "finished_at": end.to_numpy(),
            "status": status,
            "counter": seen["counter"].to_numpy(),
        }
    )


def _queue_per_minute(
    served: pd.DataFrame, opening: int, minutes: np.ndarray | None = None
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Customers waiting (issued, not yet called or gone) at each minute, per counter."""
    arrival = served["arrival"].to_numpy(float)
    called = served["called"].to_numpy(float)
    left = np.where(np.isfinite(called), called, arrival + served["wait"].fillna(0.0).to_numpy(float))
    if minutes is None:
        end = int(np.ceil(np.nanmax(left, initial=opening))) + 1
        minutes = np.arange(opening, max(end, opening + 1))
    out = {}
    for c in COUNTER_TYPES:
        mine = (served["counter"] == c).to_numpy()
        a = np.sort(arrival[mine])
        b = np.sort(left[mine])
        out[c] = np.searchsorted(a, minutes, side="right") - np.searchsorted(b, minutes, side="right")
    return minutes, out


def intraday(
    tickets: str | Path | Sequence[str | Path],
    roster: str | Path,
    config: str | Path,
    staff: str | Path,
    date: str | dt.date,
    *,
    history: Sequence[str | Path] = (),
    leave: str | Path | None = None,
    events: str | Path | None = None,
    every: int = 5,
    seed: int = 0,
) -> Replay:
    """Replay a past day of a branch's files minute by minute (notebook API; see the module doc).

    ``tickets`` hold the day (and may hold others); ``roster`` the week's roster; the forecast comes from
    ``history`` or the forecast.csv beside the roster, as for ``paiban now``.
    """
    day = dt.date.fromisoformat(date) if isinstance(date, str) else date
    paths = [tickets] if isinstance(tickets, str | Path) else list(tickets)
    today, day_tickets, _ = load_today(
        paths, roster, config, staff, history=history, leave=leave, events=events, at="12:00", date=day
    )
    return replay_day(today, day_tickets, every=every, seed=seed)
