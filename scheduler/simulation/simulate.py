"""Discrete-event simulation of a branch week: customers, counters and the windows a roster opens.

Engine — a hand-written event loop (``heapq``). The model has two kinds of moments that matter: a window
frees (service completion, or the plan opens/closes windows at a slot boundary; at the same moment the plan
changes first) and a customer arrives. Abandonment needs no event of its own: a waiting customer whose
patience ran out is found and dropped when a window would call them (FCFS and priority order do not depend on
when exactly they left), so each customer costs one arrival and at most one completion.
benchmarks/bench_simulate.py times it (a 7-day roster with 50 replications, and a branch four times busier).
The same engine serves the sample branch's history (:mod:`scheduler.sample`).

Rules of the counters:

* Per counter type one queue, FCFS; optionally VIPs (客户等级) first, FCFS among them (non-preemptive).
* Windows are numbered 0…W−1 and the first ``n(t)`` are open, n(t) from the roster per slot (capped at the
  physical windows); :func:`serve_queue` also takes a plan naming which windows are open per slot (the sample
  branch's). A window that closes while serving finishes its customer, then stays closed. ``walk``: minutes
  from the call to the service start, the window held meanwhile.
* A customer leaves when their patience runs out before being called (abandoned; their wait is the
  patience). Queue machines still call such a number (过号): ``call_minutes`` > 0 keeps the window busy
  that long when it does.
* The queue at closing is served: after the last open slot the windows of that slot (at least one) stay
  until it is empty.

Customers are replayed from tickets or sampled from the forecast (:mod:`scheduler.simulation.customers`).

Per slot (open hours), day and counter the result has arrivals and abandoned (per replication), open
windows, mean/P90 wait of the customers arriving in the slot (abandoned ones until they left), the share
called within ``service_level.target_wait_minutes``, and utilization = busy window-minutes / open
window-minutes (capped at 1: a window finishing its customer after closing can run over).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from constraints.calendar import Day
from constraints.config import BranchConfig, fmt_hhmm
from constraints.roster import Roster
from forecasts.service import ServiceProfile
from scheduler.simulation.customers import empty_customers, replay_customers, sample_customers

SIMULATION_COLUMNS: tuple[str, ...] = (
    "date",
    "start",
    "end",
    "counter",
    "arrivals",
    "open_windows",
    "mean_wait_min",
    "share_within_target",
    "p90_wait_min",
    "abandoned",
    "utilization",
)

Schedule = Roster | Mapping[tuple[dt.date, str], np.ndarray]


# ---- the per-customer core ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    """What happened to each customer (same order as the input arrays)."""

    called: np.ndarray  # minute the number was called (NaN if never)
    start: np.ndarray  # service start: the call plus the walk to the window (NaN if not served)
    end: np.ndarray  # service end (NaN if not served)
    wait: np.ndarray  # minutes in queue: to the call, or to leaving (NaN: never called, infinite patience)
    abandoned: np.ndarray  # bool
    window: np.ndarray  # window index that called them (served, or 过号 with call_minutes), −1 if none


@dataclass(frozen=True, slots=True)
class WindowChange:
    """From ``minute`` on, the windows ``is_open`` marks are open: ``opened`` were closed until then, and
    ``closes`` says whether any open one closes."""

    minute: float
    is_open: tuple[bool, ...]
    opened: tuple[int, ...]
    closes: bool


def window_changes(
    servers: np.ndarray, slot_minutes: float, start: float, drain: int | np.ndarray
) -> tuple[int, list[WindowChange]]:
    """(number of windows, one :class:`WindowChange` per moment the open windows change).

    ``servers`` is a count per slot (the first n windows open) or a windows × slots boolean matrix; ``drain``
    a count or a boolean per window, open from the end of the schedule on.
    """
    sched = np.asarray(servers)
    after = np.asarray(drain)
    if sched.ndim == 1 and after.ndim == 0:  # counts: the first n windows (the roster's case, kept cheap)
        counts = [*sched.astype(int).tolist(), int(after)]
        width = max([*counts, 0])
        first_n = [tuple(w < c for w in range(width)) for c in range(width + 1)]
        changes: list[WindowChange] = []
        last = 0
        for k, c in enumerate(counts):
            if c != last:
                changes.append(
                    WindowChange(start + k * slot_minutes, first_n[c], tuple(range(last, c)), c < last)
                )
                last = c
        return width, changes
    if sched.ndim == 1:
        width = max([*sched.astype(int).tolist(), len(after)])
        grid = np.arange(width)[:, None] < sched[None, :]
    else:
        width, grid = sched.shape[0], sched.astype(bool)
    last_mask = np.arange(width) < int(after) if after.ndim == 0 else after.astype(bool)
    if len(last_mask) != width:
        raise ValueError(f"drain names {len(last_mask)} windows, the schedule has {width}")
    changes = []
    before: tuple[bool, ...] = (False,) * width
    for k, mask in enumerate(tuple(col) for col in np.column_stack([grid, last_mask]).T.tolist()):
        if mask != before:
            opened = tuple(w for w in range(width) if mask[w] and not before[w])
            closes = any(before[w] and not mask[w] for w in range(width))
            changes.append(WindowChange(start + k * slot_minutes, mask, opened, closes))
            before = mask
    return width, changes


def serve_queue(
    arrival: np.ndarray,
    service: np.ndarray,
    patience: np.ndarray,
    servers: np.ndarray,
    slot_minutes: float,
    *,
    start: float = 0.0,
    priority: np.ndarray | None = None,
    call_minutes: float = 0.0,
    drain: int | np.ndarray = 0,
    walk: np.ndarray | None = None,
) -> Served:
    """Serve one counter's customers under a windows-per-slot schedule.

    Times are minutes on one clock (e.g. after midnight). Slot k is ``[start + k·slot_minutes, start +
    (k+1)·slot_minutes)``; ``servers[k]`` windows are open in it (the first ones), or, given a windows × slots
    boolean matrix, the windows it marks; none before ``start``; ``drain`` (a count or a boolean per window)
    from the end of the schedule until the queue is empty. ``priority``: lower is served first (e.g. 0 for VIP,
    1 otherwise); None is plain FCFS. ``call_minutes``: window time spent calling a customer who already left
    (过号). ``walk``: minutes from the call to the start of service (the window waits for the customer).
    """
    arr = np.asarray(arrival, dtype=float)
    n = len(arr)
    order = np.argsort(arr, kind="stable")
    a_s = arr[order].tolist()
    s_s = np.asarray(service, dtype=float)[order].tolist()
    p_s = np.asarray(patience, dtype=float)[order].tolist()
    g_s = [] if walk is None else np.asarray(walk, dtype=float)[order].tolist()
    prio = None if priority is None else np.asarray(priority)[order].tolist()
    n_win, changes = window_changes(servers, slot_minutes, start, drain)
    called = [math.nan] * n
    begin = [math.nan] * n
    finish = [math.nan] * n
    wait = [math.nan] * n
    gone = [False] * n
    window = [-1] * n
    busy = [False] * n_win
    is_open: tuple[bool, ...] = (False,) * n_win
    idle: list[int] = []
    done: list[tuple[float, int]] = []  # (completion time, window)
    fifo: deque[int] = deque()
    pq: list[tuple[object, float, int]] = []
    i = ci = 0
    inf = math.inf
    while True:  # the hot loop (benchmarks/bench_simulate.py): one arrival and at most one completion each
        t_arr = a_s[i] if i < n else inf
        t_chg = changes[ci].minute if ci < len(changes) else inf
        t_cmp = done[0][0] if done else inf
        if (
            t_cmp < t_chg and t_cmp <= t_arr
        ):  # a change at the same moment goes first: no call at a closing window
            t, w = heapq.heappop(done)
            busy[w] = False
            if is_open[w]:
                heapq.heappush(idle, w)
        elif t_chg <= t_arr:
            if t_chg == inf:
                break
            change = changes[ci]
            ci += 1
            t, is_open = change.minute, change.is_open
            if change.closes:
                idle = [w for w in idle if is_open[w]]
                heapq.heapify(idle)
            for w in change.opened:
                if not busy[w]:
                    heapq.heappush(idle, w)
        else:
            t = t_arr
            if prio is None:
                fifo.append(i)
            else:
                heapq.heappush(pq, (prio[i], t, i))
            i += 1
        while idle and (fifo or pq):
            c = fifo.popleft() if prio is None else heapq.heappop(pq)[2]
            if a_s[c] + p_s[c] < t:  # left before being called
                gone[c], wait[c] = True, p_s[c]
                if call_minutes > 0:
                    w = heapq.heappop(idle)
                    called[c], window[c], busy[w] = t, w, True
                    heapq.heappush(done, (t + call_minutes, w))
                continue
            w = heapq.heappop(idle)
            b = t + g_s[c] if walk is not None else t
            f = b + s_s[c]
            called[c], begin[c], finish[c] = t, b, f
            wait[c], window[c], busy[w] = t - a_s[c], w, True
            heapq.heappush(done, (f, w))
    for c in list(fifo) + [e[2] for e in pq]:  # never called: no window ever opened again
        gone[c] = True
        wait[c] = p_s[c] if math.isfinite(p_s[c]) else math.nan
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.arange(n)

    def back(v: list, dtype: type = float) -> np.ndarray:
        return np.asarray(v, dtype=dtype)[inv] if n else np.zeros(0, dtype=dtype)

    return Served(back(called), back(begin), back(finish), back(wait), back(gone, bool), back(window, int))


# ---- the week ----------------------------------------------------------------------------------------------


def open_windows(
    schedule: Schedule, days: Sequence[Day], config: BranchConfig
) -> dict[tuple[dt.date, str], np.ndarray]:
    """Windows open per slot, per (date, counter), capped at the physical windows, from a roster or a mapping."""
    out: dict[tuple[dt.date, str], np.ndarray] = {}
    ids = sorted({b.staff_id for b in schedule.blocks}) if isinstance(schedule, Roster) else []
    for day in days:
        per = schedule.open_windows(day, ids) if isinstance(schedule, Roster) else {}
        for counter, cap in config.windows.items():
            if isinstance(schedule, Roster):
                arr = per.get(counter, np.zeros(len(day.slot_starts), dtype=int))
            else:
                arr = np.asarray(schedule.get((day.date, counter), np.zeros(len(day.slot_starts))), dtype=int)
            if len(arr) != len(day.slot_starts):
                raise ValueError(
                    f"{day.date} {counter}: {len(arr)} slots given, the day has {len(day.slot_starts)}"
                )
            out[(day.date, counter)] = np.minimum(arr, cap)
    return out


@dataclass(frozen=True)
class SimulationResult:
    """Per-slot results (:data:`SIMULATION_COLUMNS`) and every simulated customer."""

    slots: pd.DataFrame
    customers: pd.DataFrame
    replications: int
    seed: int | None
    modes: dict[dt.date, str] = field(default_factory=dict)  # date → "replay" or "forecast"

    def per_day(self) -> pd.DataFrame:
        """One row per date and counter: arrivals, window-hours, mean and P90 wait, share, abandoned, utilization."""
        c = self.customers
        s = self.slots
        if s.empty:
            return pd.DataFrame()
        slot_h = s.assign(window_hours=s["open_windows"] * _slot_minutes(s) / 60.0)
        agg = slot_h.groupby(["date", "counter"], sort=True).agg(
            arrivals=("arrivals", "sum"), abandoned=("abandoned", "sum"), window_hours=("window_hours", "sum")
        )
        if len(c):
            cc = c.assign(date=c["date"].map(lambda d: d.isoformat()))
            w = cc.groupby(["date", "counter"]).agg(
                mean_wait_min=("wait", "mean"),
                p90_wait_min=("wait", lambda x: float(np.nanquantile(x, 0.9)) if x.notna().any() else np.nan),
                share_within_target=("within", "mean"),
            )
            agg = agg.join(w)
            busy = cc.groupby(["date", "counter"])["busy_open"].sum() / self.replications
            agg["utilization"] = (busy / 60.0 / agg["window_hours"].where(agg["window_hours"] > 0)).clip(
                upper=1.0
            )
        return agg.reset_index()


def _slot_minutes(slots: pd.DataFrame) -> pd.Series:
    def minutes(text: pd.Series) -> pd.Series:
        return text.str.slice(0, 2).astype(int) * 60 + text.str.slice(3, 5).astype(int)

    return minutes(slots["end"]) - minutes(slots["start"])


def simulate(
    customers: pd.DataFrame,
    windows: Mapping[tuple[dt.date, str], np.ndarray],
    days: Sequence[Day],
    config: BranchConfig,
    *,
    replications: int,
    vip_priority: bool = False,
    call_minutes: float = 0.0,
    seed: int | None = None,
    modes: Mapping[dt.date, str] | None = None,
) -> SimulationResult:
    """Run the customers (:data:`CUSTOMER_COLUMNS`) through the windows of each day and counter."""
    open_days = [d for d in days if d.open_slots]
    counters = list(config.windows)
    day_of = {d.date: i for i, d in enumerate(open_days)}
    cnt_of = {c: i for i, c in enumerate(counters)}
    cust = customers.reset_index(drop=True)
    di = np.array([day_of.get(d, -1) for d in cust["date"]], dtype=np.int64)
    ci = np.array([cnt_of.get(c, -1) for c in cust["counter"]], dtype=np.int64)
    keep = (di >= 0) & (ci >= 0)
    cust, di, ci = cust[keep].reset_index(drop=True), di[keep], ci[keep]
    wins = {
        (d.date, c): np.asarray(windows.get((d.date, c), np.zeros(len(d.slot_starts))), dtype=np.int64)
        for d in open_days
        for c in counters
    }
    key = (di * len(counters) + ci) * max(replications, 1) + cust["rep"].to_numpy(np.int64)
    groups = [(open_days[int(di[g[0]])], counters[int(ci[g[0]])], g) for g in _groups(key, cust)]
    sv = _serve_groups(cust, groups, wins, vip_priority, call_minutes)
    within = ~sv.abandoned & (sv.wait <= config.service_level.target_wait_minutes)
    arrival = cust["arrival"].to_numpy(float)
    slot_of = np.zeros(len(cust), dtype=np.int64)
    busy_open = np.zeros(len(cust))
    rows = []
    for d_i, day in enumerate(open_days):
        for c_i, counter in enumerate(counters):
            idx = np.flatnonzero((di == d_i) & (ci == c_i))
            slot_of[idx], busy_open[idx], busy = _busy_in_slots(day, arrival[idx], sv.start[idx], sv.end[idx])
            rows.extend(
                _slot_rows(
                    day,
                    counter,
                    wins[(day.date, counter)],
                    slot_of[idx],
                    sv.wait[idx],
                    within[idx],
                    sv.abandoned[idx],
                    busy,
                    replications,
                )
            )
    slots = pd.DataFrame(rows, columns=list(SIMULATION_COLUMNS))
    cust = cust.assign(
        called=sv.called,
        start=sv.start,
        end=sv.end,
        wait=sv.wait,
        abandoned=sv.abandoned,
        window=sv.window,
        within=within,
        slot=slot_of,
        busy_open=busy_open,
    )
    return SimulationResult(slots, cust, replications, seed, dict(modes or {}))


def _groups(key: np.ndarray, cust: pd.DataFrame) -> list[np.ndarray]:
    """Row indexes of each (day, counter, replication) group, in arrival order."""
    if not len(cust):
        return []
    order = np.lexsort((cust["arrival"].to_numpy(float), key))
    return np.split(order, np.flatnonzero(np.diff(key[order])) + 1)


def _serve_groups(
    cust: pd.DataFrame,
    groups: list[tuple[Day, str, np.ndarray]],
    wins: Mapping[tuple[dt.date, str], np.ndarray],
    vip_priority: bool,
    call_minutes: float,
) -> Served:
    """:func:`serve_queue` on each (day, counter, replication) group; the queue at closing is served by the
    windows of the last open slot (at least one)."""
    n = len(cust)
    arrival = cust["arrival"].to_numpy(float)
    service = cust["service"].to_numpy(float)
    patience = cust["patience"].to_numpy(float)
    prio = (~cust["vip"].to_numpy(bool)).astype(np.int64)
    called, start, end, wait = (np.full(n, np.nan) for _ in range(4))
    out = Served(called, start, end, wait, np.zeros(n, dtype=bool), np.full(n, -1, dtype=np.int64))
    for day, counter, idx in groups:
        sched = wins[(day.date, counter)][: day.open_slots[-1] + 1]
        sv = serve_queue(
            arrival[idx],
            service[idx],
            patience[idx],
            sched,
            day.slot_minutes,
            start=float(day.slot_starts[0]),
            priority=prio[idx] if vip_priority else None,
            call_minutes=call_minutes,
            drain=max(int(sched[-1]), 1),
        )
        for name in ("called", "start", "end", "wait", "abandoned", "window"):
            getattr(out, name)[idx] = getattr(sv, name)
    return out


def _busy_in_slots(
    day: Day, arrival: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(slot of each arrival, each service's minutes within opening hours, window-minutes busy per slot)."""
    t0, slot = float(day.slot_starts[0]), day.slot_minutes
    first, last = day.open_slots[0], day.open_slots[-1]
    a, b = t0 + first * slot, t0 + (last + 1) * slot
    s_idx = np.clip(((arrival - t0) // slot).astype(np.int64), first, last)
    served = np.isfinite(start)
    busy_open = np.where(served, np.clip(np.minimum(end, b) - np.maximum(start, a), 0.0, None), 0.0)
    edges = t0 + slot * np.arange(len(day.slot_starts) + 1)
    cum = np.clip(edges[None, :] - start[served, None], 0.0, (end - start)[served, None]).sum(axis=0)
    return s_idx, busy_open, np.diff(cum)


def _slot_rows(
    day: Day,
    counter: str,
    win: np.ndarray,
    s_idx: np.ndarray,
    wait: np.ndarray,
    within: np.ndarray,
    gone: np.ndarray,
    busy: np.ndarray,
    reps: int,
) -> list[dict[str, object]]:
    n_slots = len(day.slot_starts)
    count = np.bincount(s_idx, minlength=n_slots)
    finite = np.isfinite(wait)
    w_sum = np.bincount(s_idx[finite], weights=wait[finite], minlength=n_slots)
    w_cnt = np.bincount(s_idx[finite], minlength=n_slots)
    in_sum = np.bincount(s_idx, weights=within.astype(float), minlength=n_slots)
    ab_sum = np.bincount(s_idx, weights=gone.astype(float), minlength=n_slots)
    order = np.lexsort((wait, s_idx))  # NaN waits sort last within a slot
    bounds = np.searchsorted(s_idx[order], np.arange(n_slots + 1))
    rows = []
    for s in day.open_slots:
        ws = wait[order[bounds[s] : bounds[s + 1]]]
        ws = ws[np.isfinite(ws)]
        ow = int(win[s])
        rows.append(
            {
                "date": day.date.isoformat(),
                "start": fmt_hhmm(day.slot_starts[s]),
                "end": fmt_hhmm(day.slot_starts[s] + day.slot_minutes),
                "counter": counter,
                "arrivals": count[s] / reps,
                "open_windows": ow,
                "mean_wait_min": w_sum[s] / w_cnt[s] if w_cnt[s] else np.nan,
                "share_within_target": in_sum[s] / count[s] if count[s] else np.nan,
                "p90_wait_min": float(np.quantile(ws, 0.9)) if len(ws) else np.nan,
                "abandoned": ab_sum[s] / reps,
                "utilization": min(busy[s] / (ow * day.slot_minutes * reps), 1.0) if ow > 0 else np.nan,
            }
        )
    return rows


def simulate_week(
    schedule: Schedule,
    days: Sequence[Day],
    config: BranchConfig,
    profiles: Mapping[str, ServiceProfile],
    *,
    tickets: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    replications: int = 1,
    seed: int = 0,
    statistic: str = "mean",
    vip_priority: bool = False,
) -> SimulationResult:
    """Simulate the days under a roster: replay the tickets of days that have them, sample the others.

    Raises ``ValueError`` when a day has no tickets and no forecast is given.
    """
    rng = np.random.default_rng(seed)
    have = set(tickets["issued_at"].dt.date.unique()) if tickets is not None and len(tickets) else set()
    modes = {d.date: ("replay" if d.date in have else "forecast") for d in days if d.is_open}
    replay_days = [d for d in days if modes.get(d.date) == "replay"]
    sample_days = [d for d in days if modes.get(d.date) == "forecast"]
    parts = []
    if replay_days:
        assert tickets is not None
        parts.append(replay_customers(tickets, replay_days, profiles, rng, replications))
    if sample_days:
        if forecast is None:
            missing = ", ".join(d.date.isoformat() for d in sample_days)
            raise ValueError(f"no tickets and no forecast for {missing}")
        parts.append(sample_customers(forecast, sample_days, config, profiles, rng, replications, statistic))
    customers = pd.concat(parts, ignore_index=True) if parts else empty_customers()
    windows = open_windows(schedule, days, config)
    return simulate(
        customers,
        windows,
        days,
        config,
        replications=replications,
        vip_priority=vip_priority,
        seed=seed,
        modes=modes,
    )
