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

The state space is truncated at c_max + queue room; the room doubles until the probability of the top state
stays below 1e-7, so the truncation does not bias the numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import betainc, gammainc, gammaln

from constraints.calendar import Day
from constraints.config import BranchConfig, ServiceLevel, fmt_hhmm
from constraints.problem import CounterDemand
from forecasts.queueing import erlang_a
from forecasts.service import ServiceProfile, default_profile

REQUIREMENTS_COLUMNS: tuple[str, ...] = (
    "date",
    "start",
    "end",
    "counter",
    "forecast_arrivals",
    "required_windows",
    "open_windows",
)
_TOP_MASS = 1e-7
_MAX_WINDOWS = 2000


# ---- the transient birth–death chain ----------------------------------------------------------------------


def propagate(
    p0: np.ndarray, lam: float, mu: float, theta: float, c: np.ndarray, minutes: float
) -> tuple[np.ndarray, np.ndarray]:
    """Carry state distributions over ``minutes`` of M/M/c+M; one row of ``p0`` (B × N) per entry of ``c``.

    Returns (distribution at the end, time-average distribution over the interval), both B × N. The top state
    N−1 blocks arrivals (truncation; keep its mass negligible). Uniformization: with the chain observed at
    Poisson(Λ) epochs, p(T) = Σ_k Pois(k; ΛT) p0 P^k and (1/T)∫p = Σ_k P(Pois(ΛT) > k)/(ΛT) p0 P^k.
    """
    p0 = np.atleast_2d(np.asarray(p0, dtype=float))
    rows, size = p0.shape
    cs = np.asarray(c, dtype=np.int64).reshape(-1, 1)
    n = np.arange(size)
    death = np.minimum(n, cs) * mu + np.maximum(n - cs, 0) * theta
    birth = np.full(size, float(lam))
    birth[-1] = 0.0
    rate = float(lam + death.max(initial=0.0))
    if rate <= 0 or minutes <= 0:
        return p0.copy(), p0.copy()
    m = rate * minutes
    kmax = int(m + 6.5 * math.sqrt(m) + 10)
    k = np.arange(kmax + 1)
    w_end = np.exp(k * math.log(m) - m - gammaln(k + 1.0))
    w_avg = np.clip(1.0 - np.cumsum(w_end), 0.0, None) / m  # P(Poisson(m) > k) / m
    stay = (1.0 - (birth + death) / rate).ravel()
    up = np.broadcast_to(birth / rate, (rows, size)).ravel()  # last state of each row has birth 0
    down = (death / rate).ravel()  # state 0 of each row has death 0: rows do not leak into each other
    step = sparse.diags([up[:-1], stay, down[1:]], [-1, 0, 1], format="csr")  # v_next = step @ v
    seq = np.empty((kmax + 1, rows * size))
    seq[0] = p0.ravel()
    for i in range(1, kmax + 1):
        seq[i] = step @ seq[i - 1]
    return (w_end @ seq).reshape(rows, size), (w_avg @ seq).reshape(rows, size)


@dataclass(frozen=True)
class SlotMetrics:
    """Performance in one slot for a batch of window counts (one element per count)."""

    c: np.ndarray
    mean_wait: np.ndarray  # minutes, per customer arriving in the slot
    p_within: np.ndarray  # share called within the target wait
    occupancy: np.ndarray
    queue_minutes: np.ndarray  # customer-minutes of waiting spent in the slot
    abandoned: np.ndarray  # expected customers leaving in the slot


def slot_metrics(
    avg: np.ndarray, c: np.ndarray, mu: float, theta: float, minutes: float, target: float
) -> SlotMetrics:
    """Measures of a slot from its time-averaged distributions ``avg`` (B × N), ``c`` windows each."""
    cs = np.asarray(c, dtype=np.int64).reshape(-1, 1)
    n = np.arange(avg.shape[1])
    j = n - cs
    waiting = j >= 0
    jq = np.maximum(j, 0).astype(float)
    if theta > 0:
        wait = np.where(waiting, (jq + 1) / (cs * mu + (jq + 1) * theta), 0.0)
        x = cs * mu / theta
        with np.errstate(invalid="ignore", divide="ignore"):
            called = x / (x + jq + 1) * (1.0 - betainc(x + 1.0, jq + 1.0, math.exp(-theta * target)))
        called = np.where(cs > 0, called, 0.0)
    else:
        with np.errstate(divide="ignore"):
            wait = np.where(waiting, np.where(cs > 0, (jq + 1) / np.maximum(cs * mu, 1e-300), np.inf), 0.0)
        called = np.where(cs > 0, gammainc(jq + 1.0, cs * mu * target), 0.0)
    within = np.where(waiting, called, 1.0)
    busy = np.minimum(n, cs)
    mass = avg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        occ = np.where(
            cs[:, 0] > 0, (avg * busy).sum(axis=1) / np.maximum(cs[:, 0], 1), np.where(mass > 0, 1.0, 0.0)
        )
        mean_wait = (avg * wait).sum(axis=1)
    queue = (avg * jq * waiting).sum(axis=1) * minutes
    return SlotMetrics(
        c=cs[:, 0],
        mean_wait=mean_wait,
        p_within=(avg * within).sum(axis=1),
        occupancy=occ,
        queue_minutes=queue,
        abandoned=queue * theta,
    )


def _meets(m: SlotMetrics, sl: ServiceLevel) -> np.ndarray:
    return (
        (m.mean_wait <= sl.max_mean_wait_minutes + 1e-12)
        & (m.p_within >= sl.target_share - 1e-12)
        & (m.occupancy <= sl.max_occupancy + 1e-12)
    )


def convex_decreasing(values: np.ndarray) -> np.ndarray:
    """The greatest convex minorant of the non-increasing envelope of ``values`` (one row)."""
    v = np.minimum.accumulate(np.asarray(values, dtype=float))
    hull: list[int] = []
    for i in range(len(v)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # drop b when it lies above the chord a–i
            if (v[b] - v[a]) * (i - a) >= (v[i] - v[a]) * (b - a):
                hull.pop()
            else:
                break
        hull.append(i)
    return np.interp(np.arange(len(v)), hull, v[hull])


# ---- one counter, one day ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayDemand:
    """Arrays of one counter-day over its slots (see :class:`CounterDemand`), plus diagnostics."""

    required: np.ndarray  # capped
    needed: np.ndarray  # uncapped least windows
    wait_minutes: np.ndarray  # slots × (cap + 1)
    mean_wait: np.ndarray  # at the capped requirement
    p_within: np.ndarray
    abandoned: np.ndarray


def day_demand(
    arrivals: np.ndarray,
    service_minutes: np.ndarray,
    patience_minutes: float,
    active: np.ndarray,
    cap: int,
    slot_minutes: float,
    service_level: ServiceLevel,
) -> DayDemand:
    """Requirement and marginal waiting of one counter-day; ``active`` marks the open slots.

    ``arrivals`` are expected customers per slot, ``service_minutes`` the mean service time per slot.
    """
    lam_all = np.asarray(arrivals, dtype=float) / slot_minutes
    theta = 1.0 / patience_minutes if np.isfinite(patience_minutes) and patience_minutes > 0 else 0.0
    peak = float(lam_all.max(initial=0.0)) * slot_minutes
    room = int(12 + 1.5 * peak + 8 * math.sqrt(peak))
    c_hi = cap + 2
    while True:
        out = _day_pass(lam_all, service_minutes, theta, active, cap, c_hi, room, slot_minutes, service_level)
        if isinstance(out, DayDemand):
            return out
        if out == "room":
            room *= 2
        else:
            c_hi *= 2
        if room > 200_000 or c_hi > _MAX_WINDOWS:
            raise ValueError("demand too large to evaluate (more than thousands of windows or customers)")


def _day_pass(
    lam_all: np.ndarray,
    service_minutes: np.ndarray,
    theta: float,
    active: np.ndarray,
    cap: int,
    c_hi: int,
    room: int,
    minutes: float,
    sl: ServiceLevel,
) -> DayDemand | str:
    n_slots = len(lam_all)
    size = c_hi + room
    required = np.zeros(n_slots, dtype=int)
    needed = np.zeros(n_slots, dtype=int)
    wait = np.zeros((n_slots, cap + 1))
    mean_wait = np.zeros(n_slots)
    p_within = np.ones(n_slots)
    abandoned = np.zeros(n_slots)
    state = np.zeros(size)
    state[0] = 1.0
    cs = np.arange(c_hi + 1)
    open_idx = [s for s in range(n_slots) if active[s]]
    prev: tuple[int, np.ndarray, np.ndarray] | None = (
        None  # slot, end states for c = 0..cap, own queue minutes
    )
    for k, s in enumerate(open_idx):
        lam, mu = lam_all[s], 1.0 / service_minutes[s]
        end, avg = propagate(np.broadcast_to(state, (len(cs), size)), lam, mu, theta, cs, minutes)
        if max(end[:, -1].max(), avg[:, -1].max()) > _TOP_MASS:
            return "room"
        m = slot_metrics(avg, cs, mu, theta, minutes, sl.target_wait_minutes)
        busy_before = 1.0 - state[0]
        if lam > 0 or busy_before > 1e-3:
            ok = np.flatnonzero(_meets(m, sl))
            if len(ok) == 0:
                return "windows"
            need = int(ok[0])
        else:
            need = 0
        req = min(need, cap)
        needed[s], required[s] = need, req
        mean_wait[s], p_within[s], abandoned[s] = m.mean_wait[req], m.p_within[req], m.abandoned[req]
        if prev is not None:  # spill-over of the previous slot, now that this slot's staffing is known
            _spill(prev, wait, lam, mu, theta, req, minutes)
        prev = (s, end[: cap + 1], m.queue_minutes[: cap + 1])
        state = end[req]
        if k == len(open_idx) - 1:  # closing: the queue is served by this slot's windows, no new arrivals
            _spill(prev, wait, 0.0, mu, theta, max(req, min(1, cap)), minutes)
    for s in open_idx:
        wait[s] = convex_decreasing(wait[s])
    return DayDemand(required, needed, wait, mean_wait, p_within, abandoned)


def _spill(
    prev: tuple[int, np.ndarray, np.ndarray],
    wait: np.ndarray,
    lam: float,
    mu: float,
    theta: float,
    c_next: int,
    minutes: float,
) -> None:
    s, ends, own = prev
    c = np.full(len(ends), c_next)
    _, avg = propagate(ends, lam, mu, theta, c, minutes)
    nxt = slot_metrics(avg, c, mu, theta, minutes, 0.0).queue_minutes
    wait[s] = own + nxt - nxt[-1]


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
    slots outside opening hours hold zeros. Days that are closed get empty arrays.
    """
    if statistic not in forecast.columns:
        raise ValueError(f"forecast has no column {statistic!r}")
    out: dict[tuple[dt.date, str], CounterDemand] = {}
    forecast = normalize_forecast(forecast)
    sl = config.service_level
    for day in days:
        active = np.zeros(len(day.slot_starts), dtype=bool)
        active[list(day.open_slots)] = True
        hours = np.array([s // 60 for s in day.slot_starts], dtype=int)
        for counter, cap in config.windows.items():
            prof = profiles.get(counter) or default_profile(counter)
            arr = grid_arrivals(forecast, day, counter, statistic) * active
            svc = np.array([prof.mean_at(int(h)) for h in hours], dtype=float)
            dd = day_demand(arr, svc, prof.patience_minutes, active, cap, day.slot_minutes, sl)
            out[(day.date, counter)] = CounterDemand(
                date=day.date,
                counter=counter,
                arrivals=arr,
                required=dd.required,
                wait_minutes=dd.wait_minutes,
                shortfall=dd.needed - dd.required,
            )
    return out


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
