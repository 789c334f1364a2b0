"""The M(t)/M/c(t)+M birth–death chain carried slot by slot: the engine behind :mod:`forecasts.staffing`.

The state is the number of customers present at one counter; within a slot the rates are constant (arrivals
λ, service μ per window, abandonment θ per waiting customer, c windows). :func:`propagate` carries a batch of
distributions over a slot by uniformization; :func:`slot_metrics` turns the slot's time-averaged distribution
into what customers arriving in it experience; :func:`demand_batch` runs the greedy slot-by-slot requirement
and the marginal waiting for many counter-days at once (one uniformization step serves every counter-day and
every candidate c, so the Python loop runs per slot position, not per counter-day × slot × c).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import betainc, gammainc, gammaln

from constraints.config import ServiceLevel

TOP_MASS = 1e-7
"""Largest probability allowed in the top (truncation) state; above it the queue room doubles: smaller is
more exact and costs more states."""

MAX_WINDOWS = 2000
"""Most windows a counter-day is evaluated with (doubled up to this) before its demand is refused as too large."""

MAX_QUEUE_ROOM = 200_000
"""Most waiting places the state space may grow to before the demand is refused as too large (memory)."""


def _rows(value: float | np.ndarray, rows: int, dtype: type = float) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=dtype).reshape(-1, 1), (rows, 1))


def propagate(
    p0: np.ndarray,
    lam: float | np.ndarray,
    mu: float | np.ndarray,
    theta: float | np.ndarray,
    c: int | np.ndarray,
    minutes: float,
    size: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Carry distributions over ``minutes``; row r of ``p0`` (R × N) with its own λ, μ, θ, c (scalars broadcast).

    ``size[r]`` (default N) truncates row r to states below it; its top state blocks arrivals. Returns the
    distributions at the end and their time averages over the interval (both R × N). Uniformization at rate Λ:
    p(T) = Σ_k Pois(k; ΛT) p0 P^k and (1/T)∫p = Σ_k P(Pois(ΛT) > k)/(ΛT) · p0 P^k.
    """
    p0 = np.atleast_2d(np.asarray(p0, dtype=float))
    rows, width = p0.shape
    lam_r, mu_r, th_r = _rows(lam, rows), _rows(mu, rows), _rows(theta, rows)
    c_r = _rows(c, rows, np.int64)
    top = _rows(width if size is None else size, rows, np.int64)
    n = np.arange(width)
    inside = n < top
    death = np.where(inside, np.minimum(n, c_r) * mu_r + np.maximum(n - c_r, 0) * th_r, 0.0)
    birth = np.where(n < top - 1, lam_r, 0.0)
    rate = float((birth + death).max(initial=0.0))
    if rate <= 0 or minutes <= 0:
        return p0.copy(), p0.copy()
    m = rate * minutes
    kmax = int(m + 6.0 * math.sqrt(m) + 10)
    k = np.arange(kmax + 1)
    w_end = np.exp(k * math.log(m) - m - gammaln(k + 1.0))
    w_avg = np.clip(1.0 - np.cumsum(w_end), 0.0, None) / m  # P(Poisson(m) > k) / m
    stay = (1.0 - (birth + death) / rate).ravel()
    up = (birth / rate).ravel()  # the last state of each row has birth 0: rows do not leak into each other
    down = (death / rate).ravel()  # and state 0 has death 0
    step = sparse.diags([up[:-1], stay, down[1:]], [-1, 0, 1], format="csr")  # v_next = step @ v
    # the sums are accumulated step by step: memory stays R × N whatever kmax (which grows with the queue)
    v = p0.ravel().copy()
    end = w_end[0] * v
    avg = w_avg[0] * v
    for i in range(1, kmax + 1):
        v = step @ v
        end += w_end[i] * v
        avg += w_avg[i] * v
    return end.reshape(rows, width), avg.reshape(rows, width)


@dataclass(frozen=True)
class SlotMetrics:
    """Performance in one slot, one element per row (a counter-day and a window count)."""

    mean_wait: np.ndarray  # minutes, per customer arriving in the slot
    p_within: np.ndarray  # share called within the target wait
    occupancy: np.ndarray
    queue_minutes: np.ndarray  # customer-minutes of waiting spent in the slot
    abandoned: np.ndarray  # expected customers leaving in the slot


def slot_metrics(
    avg: np.ndarray,
    c: int | np.ndarray,
    mu: float | np.ndarray,
    theta: float | np.ndarray,
    minutes: float,
    target: float,
) -> SlotMetrics:
    """Measures of a slot from time-averaged distributions ``avg`` (R × N) with per-row c, μ, θ.

    Arrivals see the time average (PASTA). With j customers ahead, a customer waits (j+1)/(cμ+(j+1)θ) on
    average and is called within t with probability x/(x+j+1)·(1 − I_{e^{−θt}}(x+1, j+1)), x = cμ/θ (θ = 0:
    the Erlang-k probability P(Gamma(j+1, cμ) ≤ t)); the slot's c is assumed for the whole wait.
    """
    rows, width = avg.shape
    c_r, mu_r, th_r = _rows(c, rows, np.int64), _rows(mu, rows), _rows(theta, rows)
    n = np.arange(width)
    j = n - c_r
    waiting = j >= 0
    jq = np.maximum(j, 0).astype(float)
    rate = c_r * mu_r
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.where(waiting, (jq + 1) / (rate + (jq + 1) * th_r), 0.0)
    called = np.ones((rows, width))
    need = waiting & (avg > 1e-15)
    rr, cc = np.nonzero(need)
    if len(rr):
        cr, th, rt, jj = c_r[rr, 0], th_r[rr, 0], rate[rr, 0], jq[rr, cc]
        val = np.zeros(len(rr))
        imp = (cr > 0) & (th > 0)
        if imp.any():
            x = rt[imp] / th[imp]
            val[imp] = (
                x / (x + jj[imp] + 1) * (1.0 - betainc(x + 1.0, jj[imp] + 1.0, np.exp(-th[imp] * target)))
            )
        pat = (cr > 0) & (th <= 0)
        if pat.any():
            val[pat] = gammainc(jj[pat] + 1.0, rt[pat] * target)
        called[rr, cc] = val
    mass = avg.sum(axis=1)
    busy = (avg * np.minimum(n, c_r)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        occ = np.where(c_r[:, 0] > 0, busy / np.maximum(c_r[:, 0], 1), np.where(mass > 0, 1.0, 0.0))
        mean_wait = np.where(avg > 0, avg * wait, 0.0).sum(axis=1)
    queue = (avg * jq * waiting).sum(axis=1) * minutes
    return SlotMetrics(
        mean_wait=mean_wait,
        p_within=(avg * called).sum(axis=1),
        occupancy=occ,
        queue_minutes=queue,
        abandoned=queue * th_r[:, 0],
    )


def meets(m: SlotMetrics, sl: ServiceLevel) -> np.ndarray:
    """Rows meeting the service level (mean wait, share within target, occupancy)."""
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
            if (v[b] - v[a]) * (i - a) >= (v[i] - v[a]) * (b - a):  # b lies on or above the chord a–i
                hull.pop()
            else:
                break
        hull.append(i)
    return np.interp(np.arange(len(v)), hull, v[hull])


# ---- many counter-days at once -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterDay:
    """One counter on one day, over its open slots only."""

    arrivals: np.ndarray  # expected customers per open slot
    service_minutes: np.ndarray  # mean service per open slot
    patience_minutes: float
    cap: int  # physical windows


@dataclass(frozen=True)
class DayDemand:
    """Per open slot: requirement (capped and not), marginal waiting, and the measures at the requirement."""

    required: np.ndarray
    needed: np.ndarray
    wait_minutes: np.ndarray  # slots × (cap + 1)
    mean_wait: np.ndarray
    p_within: np.ndarray
    abandoned: np.ndarray


@dataclass
class _Run:
    """Mutable state of one counter-day during a pass."""

    item: CounterDay
    lam: np.ndarray
    mu: np.ndarray
    theta: float
    c_hi: int
    size: int
    state: np.ndarray
    out: DayDemand
    prev: tuple[np.ndarray, np.ndarray] | None = (
        None  # end states (c = 0…cap) and own queue minutes, slot s−1
    )
    pending: tuple[np.ndarray, np.ndarray] | None = None  # the same for slot s, until its spill is charged
    failed: str = ""


def demand_batch(items: Sequence[CounterDay], minutes: float, sl: ServiceLevel) -> list[DayDemand]:
    """Required windows and wait_minutes for each counter-day (see :mod:`forecasts.staffing`)."""
    c_hi = [it.cap + 2 for it in items]
    room = []
    for it in items:
        peak = float(np.max(it.arrivals, initial=0.0))
        # a first guess at the queue room, doubled below while the top state holds more than TOP_MASS
        room.append(int(12 + 1.5 * peak + 8 * math.sqrt(peak)))
    results: list[DayDemand | None] = [None] * len(items)
    todo = list(range(len(items)))
    while todo:
        runs = _pass([items[i] for i in todo], [c_hi[i] for i in todo], [room[i] for i in todo], minutes, sl)
        again = []
        for i, run in zip(todo, runs, strict=True):
            if run.failed == "room":
                room[i] *= 2
            elif run.failed == "windows":
                c_hi[i] *= 2
            else:
                results[i] = run.out
                continue
            if room[i] > MAX_QUEUE_ROOM or c_hi[i] > MAX_WINDOWS:
                raise ValueError("demand too large to evaluate (thousands of windows or customers in a slot)")
            again.append(i)
        todo = again
    return [r for r in results if r is not None]


def _pass(
    items: Sequence[CounterDay], c_hi: Sequence[int], room: Sequence[int], minutes: float, sl: ServiceLevel
) -> list[_Run]:
    width = max([h + r for h, r in zip(c_hi, room, strict=True)], default=1)
    runs = []
    for it, h, extra in zip(items, c_hi, room, strict=True):
        k = len(it.arrivals)
        state = np.zeros(width)
        state[0] = 1.0
        theta = (
            1.0 / it.patience_minutes if np.isfinite(it.patience_minutes) and it.patience_minutes > 0 else 0.0
        )
        out = DayDemand(
            required=np.zeros(k, dtype=int),
            needed=np.zeros(k, dtype=int),
            wait_minutes=np.zeros((k, it.cap + 1)),
            mean_wait=np.zeros(k),
            p_within=np.ones(k),
            abandoned=np.zeros(k),
        )
        lam = np.asarray(it.arrivals, dtype=float) / minutes
        runs.append(
            _Run(it, lam, 1.0 / np.asarray(it.service_minutes, float), theta, h, h + extra, state, out)
        )
    for s in range(max((len(r.lam) for r in runs), default=0)):
        live = [r for r in runs if s < len(r.lam) and not r.failed]
        if not live:
            break
        _main_step(live, s, minutes, sl)
        _spill_step([r for r in live if not r.failed], s, minutes)
    for r in runs:
        if not r.failed:
            for s in range(len(r.lam)):
                r.out.wait_minutes[s] = convex_decreasing(r.out.wait_minutes[s])
    return runs


def _main_step(live: list[_Run], s: int, minutes: float, sl: ServiceLevel) -> None:
    """Slot s of every live counter-day, for every candidate c: requirement, own waiting, end states."""
    counts = [r.c_hi + 1 for r in live]
    p0 = np.repeat(np.stack([r.state for r in live]), counts, axis=0)
    c = np.concatenate([np.arange(k) for k in counts])
    lam = np.repeat([r.lam[s] for r in live], counts)
    mu = np.repeat([r.mu[s] for r in live], counts)
    theta = np.repeat([r.theta for r in live], counts)
    size = np.repeat([r.size for r in live], counts)
    end, avg = propagate(p0, lam, mu, theta, c, minutes, size)
    m = slot_metrics(avg, c, mu, theta, minutes, sl.target_wait_minutes)
    ok = meets(m, sl)
    top = np.maximum(end[np.arange(len(c)), size - 1], avg[np.arange(len(c)), size - 1])
    start = 0
    for r, k in zip(live, counts, strict=True):
        rows = slice(start, start + k)
        start += k
        if top[rows].max() > TOP_MASS:
            r.failed = "room"
            continue
        if r.lam[s] > 0 or 1.0 - r.state[0] > 1e-3:
            hit = np.flatnonzero(ok[rows])
            if len(hit) == 0:
                r.failed = "windows"
                continue
            need = int(hit[0])
        else:
            need = 0
        cap = r.item.cap
        req = min(need, cap)
        o = r.out
        o.needed[s], o.required[s] = need, req
        idx = start - k + req
        o.mean_wait[s], o.p_within[s], o.abandoned[s] = m.mean_wait[idx], m.p_within[idx], m.abandoned[idx]
        r.state = end[idx]
        r.pending = (end[rows][: cap + 1], m.queue_minutes[rows][: cap + 1])


def _spill_step(live: list[_Run], s: int, minutes: float) -> None:
    """Charge slot s−1 with the waiting its end state causes in slot s, and closing slots with the drain."""
    jobs = []  # (run, slot to charge, end states, own queue, λ, μ, c_next)
    for r in live:
        if r.prev is not None:
            jobs.append((r, s - 1, *r.prev, r.lam[s], r.mu[s], int(r.out.required[s])))
        r.prev = r.pending
        if s == len(r.lam) - 1 and r.prev is not None:  # closing: this slot's windows serve the queue left
            jobs.append((r, s, *r.prev, 0.0, r.mu[s], max(int(r.out.required[s]), min(1, r.item.cap))))
    if not jobs:
        return
    counts = [len(j[2]) for j in jobs]
    p0 = np.concatenate([j[2] for j in jobs])
    lam = np.repeat([j[4] for j in jobs], counts)
    mu = np.repeat([j[5] for j in jobs], counts)
    c = np.repeat([j[6] for j in jobs], counts)
    theta = np.repeat([j[0].theta for j in jobs], counts)
    size = np.repeat([j[0].size for j in jobs], counts)
    _, avg = propagate(p0, lam, mu, theta, c, minutes, size)
    nxt = slot_metrics(avg, c, mu, theta, minutes, 0.0).queue_minutes
    start = 0
    for (r, slot, _, own, *_rest), k in zip(jobs, counts, strict=True):
        q = nxt[start : start + k]
        start += k
        r.out.wait_minutes[slot] = own + q - q[-1]


def day_demand(
    arrivals: np.ndarray,
    service_minutes: np.ndarray,
    patience_minutes: float,
    active: np.ndarray,
    cap: int,
    slot_minutes: float,
    service_level: ServiceLevel,
) -> DayDemand:
    """One counter-day on a full slot grid; ``active`` marks the open slots (others get zeros)."""
    act = np.asarray(active, dtype=bool)
    idx = np.flatnonzero(act)
    item = CounterDay(
        np.asarray(arrivals, float)[idx], np.asarray(service_minutes, float)[idx], patience_minutes, cap
    )
    (dd,) = demand_batch([item], slot_minutes, service_level)
    return expand(dd, idx, len(act), cap)


def expand(dd: DayDemand, idx: np.ndarray, n_slots: int, cap: int) -> DayDemand:
    """A counter-day's open-slot arrays placed on the full grid of ``n_slots`` (zeros elsewhere)."""

    def put(v: np.ndarray, fill: float = 0.0) -> np.ndarray:
        out = np.full((n_slots, *v.shape[1:]), fill, dtype=v.dtype)
        out[idx] = v
        return out

    return DayDemand(
        required=put(dd.required),
        needed=put(dd.needed),
        wait_minutes=put(dd.wait_minutes) if dd.wait_minutes.size else np.zeros((n_slots, cap + 1)),
        mean_wait=put(dd.mean_wait),
        p_within=put(dd.p_within, 1.0),
        abandoned=put(dd.abandoned),
    )
