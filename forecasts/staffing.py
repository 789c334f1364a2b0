"""From forecast arrivals to required windows and the value of each window, slot by slot.

Time-varying demand — the choice and why. A branch's slots (15 min) are as long as its service times (4–15
min) and its patience (~20 min), so a slot never reaches steady state: the queue left by a peak is still there
in the next slot. The pointwise-stationary approximation (PSA/SIPP, stationary Erlang per slot) forgets it and
under-staffs the slot after a peak; lagged PSA and the stationary-backlog-carryover heuristic (SBC, Stolletz
2008) patch this with rules of thumb. Here the patch is not needed: the model Erlang A assumes, M(t)/M/c(t)+M,
is a birth–death chain in the number of customers present, small for a branch (c ≤ 50, queue ≤ a few hundred),
and its distribution is carried **exactly** from slot to slot by uniformization (the "randomization method" of
Ingolfsson et al., whose comparisons of SIPP, lagged SIPP and SBC used it as the reference). Within a slot
the rates are constant (λ from the forecast, μ by the hour's service mean, θ = 1/patience).

Per slot ``s`` and counter, given the state distribution inherited from the slots before:

* **required** — the least c for which customers arriving in the slot meet ``config.service_level``: mean
  wait ≤ ``max_mean_wait_minutes``, share called within ``target_wait_minutes`` ≥ ``target_share``, and
  occupancy ≤ ``max_occupancy``. Arrivals see the slot's time-averaged state (PASTA); a customer with j ahead
  waits ``(j+1)/(cμ+(j+1)θ)`` on average and is called within t with probability
  ``x/(x+j+1)·(1 − I_{e^{−θt}}(x+1, j+1))``, x = cμ/θ — evaluated with the slot's c (the windows of the next
  slot are not known yet). It is capped at the physical windows; ``shortfall`` = least c − cap where the cap
  binds (and the next slot inherits the queue the capped staffing leaves). Slots with no arrivals and an
  empty branch need 0 windows.
* **wait_minutes[s, c]**, c = 0 … physical — expected customer-minutes of waiting spent in slot s with c
  windows (∫ E[queue] dt) **plus the spill-over**: the waiting that the queue left at the end of slot s adds to
  slot s+1 (staffed at its requirement) beyond what it would be had slot s opened every physical window. The
  differences across c — what the roster objective trades against staff cost — are thus the exact marginal
  waiting over two slots, and values stay ≥ 0. At the requirement the queue a slot leaves is small, so
  ``Σ_s wait_minutes[s, required_s]`` exceeds the model's total waiting only by that avoidable spill. With
  c = 0 the value is large but finite: the slot's arrivals wait (or leave, at rate θ) through the slot and
  the rest of their waiting is charged in the next slot, whose required windows then serve them (spill counted
  one slot ahead only). After the last open slot the queue at closing is served by that slot's windows (at
  least one) with no new arrivals. Rows are made non-increasing and convex in c (greatest convex minorant;
  the computed values already are, up to rounding) as the roster objective needs.

The chain itself lives in :mod:`forecasts.transient`, which runs every counter-day of the week in one batch. The
state space is truncated at c_max + queue room; the room doubles until the probability of the top state stays
below 1e-7, so the truncation does not bias the numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from constraints.calendar import Day
from constraints.config import BranchConfig, ServiceLevel, fmt_hhmm
from constraints.problem import CounterDemand
from forecasts.queueing import erlang_a
from forecasts.service import ServiceProfile, default_profile
from forecasts.transient import CounterDay, demand_batch, expand

REQUIREMENTS_COLUMNS: tuple[str, ...] = (
    "date",
    "start",
    "end",
    "counter",
    "forecast_arrivals",
    "required_windows",
    "open_windows",
)

# ---- the week ---------------------------------------------------------------------------------------------


def normalize_forecast(forecast: pd.DataFrame) -> pd.DataFrame:
    """The forecast with ``date`` as datetime.date and ``slot`` as int minutes (from ``start`` if missing)."""
    fc = forecast.copy()
    fc["date"] = pd.to_datetime(fc["date"].astype(str)).dt.date
    if "slot" not in fc:
        fc["slot"] = [int(s[:2]) * 60 + int(s[3:5]) for s in fc["start"].astype(str)]
    fc["slot"] = fc["slot"].astype(int)
    return fc


def grid_arrivals(forecast: pd.DataFrame, day: Day, counter: str, statistic: str) -> np.ndarray:
    """Forecast arrivals of one counter-day on the day's slot grid, spread by overlap when grids differ.

    ``forecast`` must be normalized (:func:`normalize_forecast`).
    """
    out = np.zeros(len(day.slot_starts))
    if not day.slot_starts:
        return out
    rows = forecast[(forecast["date"] == day.date) & (forecast["counter"] == counter)]
    if rows.empty:
        return out
    t = day.slot_minutes
    grid0 = day.slot_starts[0]
    starts = np.asarray(rows["slot"], dtype=float)
    if "end" in rows:
        ends = np.array([_minute(e, st + t) for e, st in zip(rows["end"], starts, strict=True)])
    else:
        ends = starts + t
    values = np.asarray(rows[statistic], dtype=float)
    edges = grid0 + t * np.arange(len(out) + 1)
    for a, b, v in zip(starts, ends, values, strict=True):
        if not np.isfinite(v) or v == 0 or b <= a:
            continue
        overlap = np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0.0, None)
        if overlap.sum() > 0:
            out += v * overlap / (b - a)
    return out


def _minute(text: object, fallback: float) -> float:
    try:
        h, m = str(text).split(":")
        return int(h) * 60 + int(m)
    except ValueError:
        return fallback


def build_demand(
    forecast: pd.DataFrame,
    days: Sequence[Day],
    config: BranchConfig,
    profiles: Mapping[str, ServiceProfile],
    statistic: str = "mean",
) -> dict[tuple[dt.date, str], CounterDemand]:
    """Per (date, counter): forecast arrivals, required windows, shortfall and wait_minutes on the slot grid.

    ``forecast`` has columns date, slot (start minute), counter and ``statistic`` (mean, q50, q80 or q95);
    slots outside opening hours hold zeros. Days that are closed get empty arrays. A counter its service
    calendar closes that day (``[counters]``) gets no demand; its forecast customers are in ``turned_away``.
    """
    if statistic not in forecast.columns:
        raise ValueError(f"forecast has no column {statistic!r}")
    forecast = normalize_forecast(forecast)
    keys, items, grids = [], [], []
    away: list[np.ndarray | None] = []
    for day in days:
        idx = np.asarray(day.open_slots, dtype=int)
        hours = [day.slot_starts[i] // 60 for i in idx]
        for counter, cap in config.windows.items():
            prof = profiles.get(counter) or default_profile(counter)
            arr = grid_arrivals(forecast, day, counter, statistic)
            serves = counter_serves(config, day, counter)
            svc = np.array([prof.mean_at(int(h)) for h in hours], dtype=float)
            keys.append((day, counter, cap))
            items.append(
                CounterDay(arr[idx] if serves else np.zeros(len(idx)), svc, prof.patience_minutes, cap)
            )
            grids.append(idx)
            closed = np.zeros(len(arr))
            closed[idx] = arr[idx]
            away.append(None if serves else closed)
    results = demand_batch(items, config.grid.slot_minutes, config.service_level)
    out: dict[tuple[dt.date, str], CounterDemand] = {}
    for (day, counter, cap), idx, item, dd, gone in zip(keys, grids, items, results, away, strict=True):
        full = expand(dd, idx, len(day.slot_starts), cap)
        arrivals = np.zeros(len(day.slot_starts))
        arrivals[idx] = item.arrivals
        out[(day.date, counter)] = CounterDemand(
            date=day.date,
            counter=counter,
            arrivals=arrivals,
            required=full.required,
            wait_minutes=full.wait_minutes,
            shortfall=full.needed - full.required,
            turned_away=gone,
        )
    return out


def counter_serves(config: BranchConfig, day: Day, counter: str) -> bool:
    """True when ``counter`` serves customers on ``day`` by its service calendar (``[counters]``)."""
    return config.counter_serves(counter, day.date.weekday(), day.day_type)


def served_forecast(forecast: pd.DataFrame, days: Sequence[Day], config: BranchConfig) -> pd.DataFrame:
    """The forecast without the counter-days its service calendar closes (those customers are turned away)."""
    closed = {(d.date, c) for d in days for c in config.windows if not counter_serves(config, d, c)}
    if not closed or forecast.empty:
        return forecast
    dates = pd.to_datetime(forecast["date"].astype(str)).dt.date
    keep = [(d, c) not in closed for d, c in zip(dates, forecast["counter"], strict=True)]
    return forecast[keep]


def stationary_required(
    arrivals: np.ndarray,
    service_minutes: np.ndarray | float,
    patience_minutes: float,
    slot_minutes: float,
    service_level: ServiceLevel,
    max_windows: int = 500,
) -> np.ndarray:
    """Least windows per slot by the pointwise-stationary approximation (Erlang A per slot, no carry-over)."""
    lam = np.asarray(arrivals, dtype=float) / slot_minutes
    mu = 1.0 / np.broadcast_to(np.asarray(service_minutes, dtype=float), lam.shape)
    theta = 1.0 / patience_minutes if np.isfinite(patience_minutes) else 0.0
    out = np.where(lam > 0, -1, 0)
    for c in range(1, max_windows + 1):
        todo = out < 0
        if not todo.any():
            break
        m = erlang_a(lam[todo], mu[todo], theta, c, service_level.target_wait_minutes)
        ok = (
            (m.mean_wait <= service_level.max_mean_wait_minutes)
            & (m.p_within >= service_level.target_share)
            & (m.occupancy <= service_level.max_occupancy)
        )
        idx = np.flatnonzero(todo)[ok]
        out[idx] = c
    return out


# ---- tables -----------------------------------------------------------------------------------------------


def requirements_frame(
    demand: Mapping[tuple[dt.date, str], CounterDemand],
    days: Sequence[Day],
    open_windows: Mapping[tuple[dt.date, str], np.ndarray | None] | None = None,
) -> pd.DataFrame:
    """requirements.csv: date, start, end, counter, forecast_arrivals, required_windows, open_windows.

    One row per open slot and counter; ``open_windows`` is empty (NaN) when no roster is given.
    """
    rows = []
    for day in days:
        for (date, counter), d in demand.items():
            if date != day.date:
                continue
            ow = (open_windows or {}).get((date, counter))
            for s in day.open_slots:
                start = day.slot_starts[s]
                rows.append(
                    {
                        "date": date.isoformat(),
                        "start": fmt_hhmm(start),
                        "end": fmt_hhmm(start + day.slot_minutes),
                        "counter": counter,
                        "forecast_arrivals": round(float(d.arrivals[s]), 2),
                        "required_windows": int(d.required[s]),
                        "open_windows": int(ow[s]) if ow is not None else None,
                    }
                )
    df = pd.DataFrame(rows, columns=list(REQUIREMENTS_COLUMNS))
    df["open_windows"] = df["open_windows"].astype("Int64")
    return df


def shortfall_frame(demand: Mapping[tuple[dt.date, str], CounterDemand], days: Sequence[Day]) -> pd.DataFrame:
    """Slots where the physical windows cannot meet the service level: date, start, end, counter, shortfall."""
    rows = []
    for day in days:
        for (date, counter), d in demand.items():
            if date != day.date or d.shortfall is None:
                continue
            for s in np.flatnonzero(d.shortfall > 0):
                start = day.slot_starts[int(s)]
                rows.append(
                    {
                        "date": date.isoformat(),
                        "start": fmt_hhmm(start),
                        "end": fmt_hhmm(start + day.slot_minutes),
                        "counter": counter,
                        "required_windows": int(d.required[s]),
                        "shortfall": int(d.shortfall[s]),
                    }
                )
    return pd.DataFrame(rows, columns=["date", "start", "end", "counter", "required_windows", "shortfall"])
