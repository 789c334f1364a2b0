"""Service times and customer patience per counter type, estimated from queue-machine tickets.

Service time: minutes from 开始时间 to 办结时间 of served tickets (durations ≤ 0 or above ``max_service_minutes``
are data errors — a teller who forgot to close the ticket — and are left out). The profile keeps the mean and
the coefficient of variation; when the hour of day matters (Kruskal–Wallis across hours with ≥ 5 tickets,
p < 0.01) it also keeps a mean per hour, shrunk toward the overall mean as ``(n_h·mean_h + k·mean)/(n_h + k)``
with ``k = hour_prior_tickets``, so a thin hour says little and a busy hour speaks for itself.

Patience: exponential, fitted by maximum likelihood with censoring — what Erlang A assumes.

* A served customer waited ``w`` (issue → call) without leaving: patience > w (right-censored).
* An abandoned ticket of a queue machine (过号) is called and nobody answers: the customer left at some
  unknown moment before the call, patience < w (left-censored). Abandoned tickets without a call time carry
  no timing and are left out of the fit (still counted in ``n_abandoned``).
* Where the moment of leaving is recorded (call-centre data: a hang-up after q_time), patience = w exactly.

The log-likelihood in the rate r = 1/patience is ``(e + k) log r − r (Σ exact + Σ censored + k·prior)
+ Σ_left log(1 − e^{−r w})`` with ``k = patience_prior_events`` pseudo-abandonments at the default patience, so
no data gives the default and a branch where nobody leaves gets a long, finite patience. Without left-censored
tickets this is the closed form *total observed waiting time / number of abandonments* (Mandelbaum & Zeltyn);
with them it is concave in r and solved by bisection on its derivative. Naively averaging the waits of the
abandoned customers is biased low (they are the impatient ones); the tests show it.

Counters with fewer than ``min_tickets`` tickets take the defaults of DESIGN.md (cash ≈4 min, non-cash ≈10,
corporate ≈15; patience ≈20 min) and list what was defaulted in ``ServiceProfile.defaulted``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import kruskal

from constraints.config import COUNTER_TYPES, BranchConfig

DEFAULT_SERVICE_MINUTES: dict[str, float] = {
    "high_counter": 4.0,
    "low_counter": 10.0,
    "corporate_counter": 15.0,
}
"""DESIGN.md: ≈4 min cash (高柜), ≈10 min non-cash (低柜), ≈15 min corporate (对公)."""

DEFAULT_CV = 0.8
"""Service-time coefficient of variation when unknown (teller transactions: less variable than exponential)."""

DEFAULT_PATIENCE_MINUTES = 20.0
"""Mean patience when unknown: the branch's own 20-minute promise is about what customers tolerate."""

MAX_PATIENCE_MINUTES = 600.0
"""Upper bound on an estimated mean patience (a branch where nobody ever leaves)."""


@dataclass(frozen=True)
class ServiceProfile:
    """Service time and patience of one counter type."""

    counter: str
    mean_minutes: float
    cv: float
    by_hour: dict[int, float] = field(default_factory=dict)  # hour → shrunk mean; empty when flat
    patience_minutes: float = DEFAULT_PATIENCE_MINUTES
    n_served: int = 0
    n_abandoned: int = 0
    vip_share: float = 0.0
    defaulted: tuple[str, ...] = ()  # which of "service", "patience" fell back to defaults

    def mean_at(self, hour: int) -> float:
        """Mean service minutes for customers served in that hour of day."""
        return self.by_hour.get(int(hour), self.mean_minutes)

    def summary(self) -> str:
        """One line for people."""
        extra = f", 按小时 (by hour) {len(self.by_hour)}" if self.by_hour else ""
        d = f", 默认 (default) {'/'.join(self.defaulted)}" if self.defaulted else ""
        return (
            f"{self.counter}: 服务 {self.mean_minutes:.1f} 分钟 (service), CV {self.cv:.2f}, "
            f"耐心 {self.patience_minutes:.1f} 分钟 (patience), n={self.n_served}+{self.n_abandoned}{extra}{d}"
        )


def default_profile(counter: str) -> ServiceProfile:
    """The DESIGN.md defaults of a counter type."""
    return ServiceProfile(
        counter=counter,
        mean_minutes=DEFAULT_SERVICE_MINUTES.get(counter, 10.0),
        cv=DEFAULT_CV,
        patience_minutes=DEFAULT_PATIENCE_MINUTES,
        defaulted=("service", "patience"),
    )


def patience_mle(
    exact: np.ndarray | None = None,
    right: np.ndarray | None = None,
    left: np.ndarray | None = None,
    prior_minutes: float = DEFAULT_PATIENCE_MINUTES,
    prior_events: float = 1.0,
) -> float:
    """Mean patience (minutes) of an exponential fitted to exact, right- and left-censored observations.

    ``exact``: times at which customers left; ``right``: waits of customers who did not leave (patience > w);
    ``left``: waits until a call found the customer gone (patience < w). ``prior_events`` pseudo-abandonments
    at ``prior_minutes`` keep the answer finite without abandonments (0 disables; then it may be inf).
    """
    ex = np.asarray(exact if exact is not None else [], dtype=float)
    ri = np.asarray(right if right is not None else [], dtype=float)
    le = np.asarray(left if left is not None else [], dtype=float)
    ex, ri, le = (np.clip(v[np.isfinite(v)], 0.0, None) for v in (ex, ri, le))
    le = le[le > 0]  # a call at the moment of issue says nothing
    events = len(ex) + prior_events
    exposure = ex.sum() + ri.sum() + prior_events * prior_minutes
    if len(le) == 0:
        if events <= 0:
            return float("inf")
        return float(min(exposure / events, MAX_PATIENCE_MINUTES)) if exposure > 0 else 0.0

    def score(r: float) -> float:
        with np.errstate(over="ignore"):
            return float(events / r - exposure + np.sum(le / np.expm1(r * le)))

    lo, hi = 1.0 / (MAX_PATIENCE_MINUTES * 10), 1e4
    if score(lo) <= 0:
        return MAX_PATIENCE_MINUTES
    if score(hi) >= 0:
        return 1.0 / hi
    rate = brentq(score, lo, hi, xtol=1e-12, rtol=1e-10)
    return float(min(1.0 / rate, MAX_PATIENCE_MINUTES))


def _minutes(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return np.asarray((later - earlier).dt.total_seconds() / 60.0, dtype=float)


def _hour_means(
    minutes: np.ndarray, hours: np.ndarray, overall: float, prior: float, alpha: float
) -> dict[int, float]:
    groups = {int(h): minutes[hours == h] for h in np.unique(hours)}
    tested = [g for g in groups.values() if len(g) >= 5]
    if len(tested) < 2:
        return {}
    try:
        p = kruskal(*tested).pvalue
    except ValueError:  # all values identical
        return {}
    if not np.isfinite(p) or p >= alpha:
        return {}
    return {
        h: float((len(g) * g.mean() + prior * overall) / (len(g) + prior)) for h, g in sorted(groups.items())
    }


def estimate_profile(
    tickets: pd.DataFrame,
    counter: str,
    *,
    min_tickets: int = 30,
    max_service_minutes: float = 180.0,
    hour_prior_tickets: float = 20.0,
    hour_alpha: float = 0.01,
    patience_prior_events: float = 1.0,
    abandon_timing: Literal["at_call", "exact"] = "at_call",
) -> ServiceProfile:
    """The profile of one counter from its tickets (rows of ``read_tickets`` for that counter).

    ``abandon_timing="at_call"``: an abandoned ticket's wait to its call bounds the patience from above (queue
    machines); ``"exact"``: it is the moment the customer left (call centres).
    """
    base = default_profile(counter)
    served = tickets[tickets["status"] == "served"]
    abandoned = tickets[tickets["status"] == "abandoned"]
    dur = _minutes(served["finished_at"], served["started_at"])
    good = np.isfinite(dur) & (dur > 0) & (dur <= max_service_minutes)
    dur_ok = dur[good]
    defaulted: list[str] = []
    if len(dur_ok) >= min_tickets:
        mean = float(dur_ok.mean())
        cv = float(dur_ok.std(ddof=1) / mean) if len(dur_ok) > 1 and mean > 0 else base.cv
        hours = np.asarray(served["started_at"].dt.hour, dtype=float)[good]
        by_hour = _hour_means(dur_ok, hours, mean, hour_prior_tickets, hour_alpha)
    else:
        mean, cv, by_hour = base.mean_minutes, base.cv, {}
        defaulted.append("service")

    called_served = served["called_at"].fillna(served["started_at"])
    right = _minutes(called_served, served["issued_at"])
    wait_ab = _minutes(abandoned["called_at"], abandoned["issued_at"])
    if len(tickets) >= min_tickets:
        kw = {"exact": wait_ab} if abandon_timing == "exact" else {"left": wait_ab}
        patience = patience_mle(
            right=right, prior_minutes=base.patience_minutes, prior_events=patience_prior_events, **kw
        )
    else:
        patience = base.patience_minutes
        defaulted.append("patience")
    vip = float(np.asarray(tickets["vip"], dtype=bool).mean()) if "vip" in tickets and len(tickets) else 0.0
    return ServiceProfile(
        counter=counter,
        mean_minutes=mean,
        cv=cv,
        by_hour=by_hour,
        patience_minutes=patience,
        n_served=len(served),
        n_abandoned=len(abandoned),
        vip_share=vip,
        defaulted=tuple(defaulted),
    )


def estimate_profiles(
    tickets: pd.DataFrame, config: BranchConfig | None = None, **options: object
) -> dict[str, ServiceProfile]:
    """One :class:`ServiceProfile` per counter type of the branch (defaults where tickets are too few).

    ``tickets`` is the frame of :func:`forecasts.tickets.read_tickets`; ``options`` go to
    :func:`estimate_profile`.
    """
    counters = list(config.windows) if config is not None else list(COUNTER_TYPES)
    by_counter = {str(k): g for k, g in tickets.groupby("counter", sort=False)} if len(tickets) else {}
    empty = tickets.iloc[0:0]
    return {
        c: estimate_profile(by_counter.get(c, empty), c, **options)  # type: ignore[arg-type]
        for c in counters
    }


def profiles_frame(profiles: Mapping[str, ServiceProfile]) -> pd.DataFrame:
    """A table of profiles for display: counter, mean_minutes, cv, patience_minutes, n_served, n_abandoned."""
    return pd.DataFrame(
        [
            {
                "counter": p.counter,
                "mean_minutes": round(p.mean_minutes, 2),
                "cv": round(p.cv, 2),
                "patience_minutes": round(p.patience_minutes, 1),
                "n_served": p.n_served,
                "n_abandoned": p.n_abandoned,
                "by_hour": len(p.by_hour),
                "defaulted": ",".join(p.defaulted),
            }
            for p in profiles.values()
        ]
    )
