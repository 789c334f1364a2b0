"""Customers for the simulator: replayed from historical tickets or sampled from the forecast.

* **replay**: real issue times and real service durations (``finished_at − started_at``); patience is drawn
  consistently with what the ticket shows — a served customer waited w, so patience = w + Exp(mean)
  (memoryless); an abandoned ticket called after w left before, patience ~ Exp(mean) truncated to (0, w).
  Replications differ only in those draws (and in service times a ticket lacks).
* **sample**: arrivals per slot ~ Poisson(forecast), uniform within the slot (a non-homogeneous Poisson process
  with piecewise-constant rate, :func:`poisson_arrivals`); service lognormal with the profile's mean (by hour)
  and CV, patience exponential, VIP with the profile's share (:func:`draw_traits`). The sample branch's
  history (:mod:`scheduler.sample`) is drawn by the same two functions.

Both return one row per customer and replication: :data:`CUSTOMER_COLUMNS` (``arrival`` in minutes after
midnight). Randomness comes from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from constraints.calendar import Day
from constraints.config import BranchConfig
from forecasts.service import ServiceProfile, default_profile
from forecasts.staffing import grid_arrivals, normalize_forecast

CUSTOMER_COLUMNS = ("rep", "date", "counter", "arrival", "service", "patience", "vip")


def lognormal_service(rng: np.random.Generator, mean: np.ndarray, cv: float) -> np.ndarray:
    """Lognormal service times with the given means and coefficient of variation."""
    mean = np.asarray(mean, dtype=float)
    if cv <= 0:
        return mean.copy()
    s2 = math.log1p(cv * cv)
    return rng.lognormal(np.log(mean) - s2 / 2.0, math.sqrt(s2))


def _profile(profiles: Mapping[str, ServiceProfile], counter: str) -> ServiceProfile:
    return profiles.get(counter) or default_profile(counter)


def _service_means(prof: ServiceProfile, minutes: np.ndarray) -> np.ndarray:
    if not prof.by_hour:
        return np.full(len(minutes), prof.mean_minutes)
    return np.array([prof.mean_at(int(m // 60)) for m in minutes], dtype=float)


@dataclass(frozen=True)
class Traits:
    """What a customer brings besides the arrival time (one entry per customer)."""

    service: np.ndarray  # minutes at the window
    patience: np.ndarray  # minutes they wait before leaving
    vip: np.ndarray  # bool: 客户等级 VIP


def poisson_arrivals(
    rng: np.random.Generator,
    expected: np.ndarray,
    slot_starts: np.ndarray,
    slot_minutes: float,
    replications: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """(replication, arrival minute) of a Poisson process with ``expected[k]`` customers on average in slot k.

    The rate is constant within a slot: a Poisson count per slot, arrival times uniform in the slot.
    """
    counts = rng.poisson(np.broadcast_to(expected, (replications, len(expected))))
    reps, slots = np.nonzero(counts)
    k = counts[reps, slots]
    arrival = np.repeat(np.asarray(slot_starts, dtype=float)[slots], k)
    return np.repeat(reps, k), arrival + rng.uniform(0.0, slot_minutes, size=int(k.sum()))


def draw_traits(rng: np.random.Generator, arrival: np.ndarray, profile: ServiceProfile) -> Traits:
    """Service lognormal with the profile's mean (by hour of arrival) and CV, patience exponential with the
    profile's mean, VIP with its share."""
    m = len(arrival)
    service = lognormal_service(rng, _service_means(profile, arrival), profile.cv)
    patience = rng.exponential(profile.patience_minutes, size=m)
    return Traits(service, patience, rng.random(m) < profile.vip_share)


def sample_customers(
    forecast: pd.DataFrame,
    days: Sequence[Day],
    config: BranchConfig,
    profiles: Mapping[str, ServiceProfile],
    rng: np.random.Generator,
    replications: int = 1,
    statistic: str = "mean",
) -> pd.DataFrame:
    """Customers drawn from the forecast, ``replications`` independent weeks: :data:`CUSTOMER_COLUMNS`."""
    fc = normalize_forecast(forecast)
    parts = []
    for day in days:
        if not day.open_slots:
            continue
        opened = np.zeros(len(day.slot_starts))
        opened[list(day.open_slots)] = 1.0
        for counter in config.windows:
            mean = grid_arrivals(fc, day, counter, statistic) * opened
            rep, arrival = poisson_arrivals(
                rng, mean, np.asarray(day.slot_starts), day.slot_minutes, replications
            )
            traits = draw_traits(rng, arrival, _profile(profiles, counter))
            parts.append(
                pd.DataFrame(
                    {
                        "rep": rep,
                        "date": [day.date] * len(arrival),
                        "counter": counter,
                        "arrival": arrival,
                        "service": traits.service,
                        "patience": traits.patience,
                        "vip": traits.vip,
                    }
                )
            )
    return _concat(parts)


def replay_customers(
    tickets: pd.DataFrame,
    days: Sequence[Day],
    profiles: Mapping[str, ServiceProfile],
    rng: np.random.Generator,
    replications: int = 1,
) -> pd.DataFrame:
    """The tickets of those days as customers (real arrivals and service), patience drawn per replication."""
    dates = {d.date for d in days}
    t = tickets[tickets["issued_at"].dt.date.isin(dates)]
    parts = []
    for counter, g in t.groupby("counter", sort=True):
        prof = _profile(profiles, str(counter))
        issued = g["issued_at"]
        day0 = issued.dt.normalize()
        arrival = np.asarray((issued - day0).dt.total_seconds() / 60.0, dtype=float)
        served = np.asarray(g["status"] == "served")
        svc_hist = np.asarray((g["finished_at"] - g["started_at"]).dt.total_seconds() / 60.0, dtype=float)
        called = g["called_at"].fillna(g["started_at"])
        w = np.asarray((called - issued).dt.total_seconds() / 60.0, dtype=float)
        good_svc = served & np.isfinite(svc_hist) & (svc_hist > 0)
        m = len(g)
        mean_p = prof.patience_minutes
        for r in range(replications):
            svc = np.where(good_svc, svc_hist, lognormal_service(rng, _service_means(prof, arrival), prof.cv))
            u = rng.random(m)
            fresh = rng.exponential(mean_p, size=m)
            known_left = ~served & np.isfinite(w) & (w > 0)
            # truncated exponential on (0, w): inverse CDF of u·F(w)
            trunc = -mean_p * np.log1p(-u * -np.expm1(-np.where(known_left, w, 0.0) / mean_p))
            pat = np.where(
                served & np.isfinite(w), np.maximum(w, 0.0) + fresh, np.where(known_left, trunc, fresh)
            )
            parts.append(
                pd.DataFrame(
                    {
                        "rep": r,
                        "date": list(issued.dt.date),
                        "counter": str(counter),
                        "arrival": arrival,
                        "service": svc,
                        "patience": pat,
                        "vip": np.asarray(g["vip"], dtype=bool) if "vip" in g else False,
                    }
                )
            )
    return _concat(parts)


def empty_customers() -> pd.DataFrame:
    """A customer frame with no rows."""
    return pd.DataFrame({c: [] for c in CUSTOMER_COLUMNS})


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else empty_customers()
