"""The rest of today: the day's forecast updated by what has arrived so far, and the queue's expected path.

**Level update** (:func:`reforecast_day`). The forecast gives each slot ``s`` of a counter an expected count
``m_s``. Today's arrivals are read as Poisson(θ·m_s) with one unknown level θ for the day and counter, and the
prior θ ~ Gamma(k, k), k = 1/α — mean 1, variance α: how far the forecast's day totals miss. Having seen ``N``
tickets where ``M`` were expected, θ | data ~ Gamma(k + N, k + M) (conjugate), and the rest of the day is the
forecast times the posterior mean

    θ̂ = (k + N) / (k + M) = w · N/M + (1 − w) · 1,   w = M / (k + M),

a credibility blend of the observed ratio and the forecast: one busy half-hour (small M) moves it a little, a
morning of evidence a lot, and a day that matches the forecast (N = M) not at all. The predictive count of a
later slot is negative-binomial (NB2) with mean θ̂·m_s and dispersion 1/(k + N).

α is the forecast's own uncertainty at the level of the day: with a ticket history, the NB2 dispersion of the
day totals' honest one-week-ahead errors (:func:`day_dispersion`, the last weeks backtested with the plan's
model); without one, the dispersion the forecast's quantiles imply (:func:`forecast_dispersion`) but at least
:data:`DEFAULT_DAY_ALPHA` — slot quantiles cannot show that a day's slots err together (on the sample branch
they imply α ≈ 0.004 where the day totals show ≈ 0.014). With ``halflife_minutes`` each elapsed slot's N and M
are weighted by 2^(−age/halflife) (a discounted prior), so a level that shifts during the day is followed
rather than averaged with the quiet morning; still exactly 1 when every slot matched.

**Queue path** (:func:`queue_paths`). From the customers present now (waiting + in service) the M(t)/M/c(t)+M
chain of :mod:`forecasts.transient` — the model the plan staffs with — is carried over the next segments with
the windows of each candidate schedule (one row per schedule, one uniformization per segment for all of them):
expected waiting at each segment end and customer-minutes of waiting in each segment.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar, Day
from forecasts.backtest import backtest_slots
from forecasts.features import DayCalendar
from forecasts.models import CalendarModel
from forecasts.nbinom import moment_dispersion, nb_quantiles
from forecasts.staffing import grid_arrivals, normalize_forecast
from forecasts.transient import TOP_MASS, propagate, slot_metrics

QUANTILES: dict[str, float] = {"q10": 0.1, "q50": 0.5, "q80": 0.8, "q90": 0.9, "q95": 0.95}
"""Quantile columns a forecast may carry, and their probabilities."""

DEFAULT_DAY_ALPHA = 0.02
"""Prior variance of the day's level without a history to measure it (a day-total CV of 14 %; the sample
branch's one-week-ahead day totals miss by a CV of 12–15 %)."""

MIN_DAY_ALPHA = 0.005
"""Least prior variance of the day's level: a few weeks of accurate day totals must not freeze the update."""

_ALPHA_GRID = np.concatenate([[0.0], np.exp(np.linspace(math.log(1e-4), math.log(5.0), 64))])


def forecast_dispersion(rows: pd.DataFrame) -> float | None:
    """The NB2 α whose quantiles best match the forecast's (``mean`` and any of q10…q95); None without them.

    A least-squares fit over 0 (Poisson) and a log grid of α — the forecaster's own α, to the grid's
    resolution, for :class:`forecasts.models.CalendarModel` output — on rows with a positive mean.
    """
    cols = [c for c in QUANTILES if c in rows.columns]
    if not cols:
        return None
    mean = rows["mean"].to_numpy(float)
    given = rows[cols].to_numpy(float)
    ok = (mean > 0) & np.isfinite(given).all(axis=1)
    if not ok.any():
        return None
    probs = [QUANTILES[c] for c in cols]
    errors = [float(np.sum((nb_quantiles(mean[ok], a, probs) - given[ok]) ** 2)) for a in _ALPHA_GRID]
    return float(_ALPHA_GRID[int(np.argmin(errors))])


def totals_dispersion(slots: pd.DataFrame) -> dict[str, float]:
    """Per counter, the NB2 α of day totals around their forecasts (moments): Σ((Y − μ)² − μ) / Σ μ², ≥ 0.

    ``slots``: held-out slots with ``date, counter, y, mean`` (:func:`forecasts.backtest.backtest_slots`).
    """
    days = slots.groupby(["counter", "date"], sort=True)[["y", "mean"]].sum()
    return {
        str(c): moment_dispersion(g["y"].to_numpy(float), g["mean"].to_numpy(float))
        for c, g in days.groupby(level="counter")
    }


def day_dispersion(
    history: pd.DataFrame, calendar: BranchCalendar | DayCalendar, before: dt.date, weeks: int = 4
) -> dict[str, float]:
    """The day level's prior variance per counter: :func:`totals_dispersion` of the plan model's one-week-ahead
    forecasts of the last ``weeks`` weeks of ``history`` before ``before`` (an arrivals frame); {} when the
    history is too short to hold a week out."""
    past = history[history["date"] < before]
    if past.empty:
        return {}
    slots = backtest_slots(past, calendar, [CalendarModel()], weeks)
    return totals_dispersion(slots) if len(slots) else {}


@dataclass(frozen=True)
class LevelUpdate:
    """The day's level of one counter, before and after today's evidence."""

    counter: str
    alpha: float  # prior variance of the level (the forecast's day-level dispersion)
    expected_so_far: float  # M: forecast arrivals up to now (discounted when a half-life is set)
    observed_so_far: float  # N: tickets issued up to now (discounted the same way)
    multiplier: float  # θ̂ = (k + N) / (k + M), k = 1/α
    rest_before: float  # forecast arrivals from now to closing
    rest_after: float  # the same after the update

    @property
    def predictive_alpha(self) -> float:
        """NB2 dispersion of a later slot's count given today's evidence: 1 / (k + N)."""
        if self.alpha <= 0:
            return 0.0
        return 1.0 / (1.0 / self.alpha + self.observed_so_far)


def level_multiplier(expected: np.ndarray, observed: np.ndarray, weights: np.ndarray, alpha: float) -> float:
    """Posterior mean of the day's level: (k + Σ w·N) / (k + Σ w·M), k = 1/α (α = 0: the forecast stands)."""
    if alpha <= 0:
        return 1.0
    k = 1.0 / alpha
    m = float(np.sum(weights * expected))
    n = float(np.sum(weights * observed))
    return (k + n) / (k + m)


@dataclass(frozen=True)
class Reforecast:
    """Per counter the day's slots (``before``/``after`` the update, on the day's slot grid) and the update."""

    at: int  # minutes after midnight
    before: Mapping[str, np.ndarray]
    after: Mapping[str, np.ndarray]
    levels: Mapping[str, LevelUpdate]

    def frame(self, day: Day) -> pd.DataFrame:
        """One row per open slot and counter: date, slot, counter, before, after."""
        rows = []
        for counter, b in self.before.items():
            for s in day.open_slots:
                rows.append(
                    {
                        "date": day.date,
                        "slot": day.slot_starts[s],
                        "counter": counter,
                        "before": float(b[s]),
                        "after": float(self.after[counter][s]),
                    }
                )
        return pd.DataFrame(rows, columns=["date", "slot", "counter", "before", "after"])


def _elapsed(day: Day, at: int) -> tuple[np.ndarray, np.ndarray]:
    """Per slot of the day: the share of it before ``at`` (0–1) and the age (minutes) of that part's middle."""
    starts = np.asarray(day.slot_starts, dtype=float)
    width = float(day.slot_minutes)
    share = np.clip((at - starts) / width, 0.0, 1.0)
    age = at - (starts + share * width / 2.0)
    return share, age


def reforecast_day(
    forecast: pd.DataFrame,
    day: Day,
    issued: Mapping[str, np.ndarray],
    at: int,
    *,
    alphas: Mapping[str, float] | None = None,
    halflife_minutes: float | None = None,
) -> Reforecast:
    """Update the day's forecast of every counter in ``issued`` by the tickets issued before minute ``at``.

    ``forecast``: rows of the day (``date, slot`` or ``start, counter, mean`` and any quantile columns, as
    :func:`forecasts.weekly.forecast_week` or forecast.csv has them); ``issued``: counter → issue minutes
    (after midnight) of today's tickets; ``alphas``: counter → the day level's prior variance (from
    :func:`day_dispersion`; floored at :data:`MIN_DAY_ALPHA`), else taken from the forecast (module doc). A
    ticket counts in the slot it was issued in; one issued before opening in the first open slot (as
    :func:`forecasts.arrivals.count_arrivals` counts it).
    """
    fc = normalize_forecast(forecast)
    fc = fc[fc["date"] == day.date]
    share, age = _elapsed(day, at)
    weights = np.ones_like(age) if not halflife_minutes else np.exp2(-np.maximum(age, 0.0) / halflife_minutes)
    open_mask = np.zeros(len(day.slot_starts), dtype=bool)
    open_mask[list(day.open_slots)] = True
    before, after, levels = {}, {}, {}
    for counter, minutes in issued.items():
        mean = grid_arrivals(fc, day, counter, "mean") * open_mask
        if alphas is not None and counter in alphas:
            alpha = max(float(alphas[counter]), MIN_DAY_ALPHA)
        else:
            alpha = max(forecast_dispersion(fc[fc["counter"] == counter]) or 0.0, DEFAULT_DAY_ALPHA)
        observed = _slot_counts(day, np.asarray(minutes, dtype=float), at)
        expected = mean * share
        theta = level_multiplier(expected, observed, weights, alpha)
        rest = mean * (1.0 - share)
        before[counter] = mean
        after[counter] = mean * share + rest * theta
        levels[counter] = LevelUpdate(
            counter=counter,
            alpha=alpha,
            expected_so_far=float(np.sum(weights * expected)),
            observed_so_far=float(np.sum(weights * observed)),
            multiplier=theta,
            rest_before=float(rest.sum()),
            rest_after=float(rest.sum() * theta),
        )
    return Reforecast(at, before, after, levels)


def _slot_counts(day: Day, minutes: np.ndarray, at: int) -> np.ndarray:
    """Tickets issued before ``at`` per slot of the day (before the first open slot: in it; after the last: in it)."""
    out = np.zeros(len(day.slot_starts))
    if not day.open_slots:
        return out
    m = minutes[minutes < at]
    first, last = day.open_slots[0], day.open_slots[-1]
    idx = np.clip((m - day.slot_starts[0]) // day.slot_minutes, first, last).astype(int)
    np.add.at(out, idx, 1.0)
    return out


# ---- the queue from now -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A stretch of the next hour with constant rates: ``minutes`` long, starting at ``start``."""

    start: float  # minutes after midnight
    minutes: float
    arrivals: float  # expected customers in the segment
    service_minutes: float


@dataclass(frozen=True)
class QueuePaths:
    """Per schedule (row) and segment (column): expected waiting at the segment's end and waiting minutes."""

    waiting_end: np.ndarray
    queue_minutes: np.ndarray
    abandoned: np.ndarray

    def total_minutes(self) -> np.ndarray:
        """Customer-minutes of waiting over all segments, per schedule."""
        return self.queue_minutes.sum(axis=1)


def queue_paths(
    present: int, segments: Sequence[Segment], patience_minutes: float, windows: np.ndarray
) -> QueuePaths:
    """The chain from ``present`` customers (waiting + in service) through ``segments``, one row per schedule.

    ``windows`` is schedules × segments (open windows in each segment). The state space grows until the
    probability of its top state stays below :data:`forecasts.transient.TOP_MASS`.
    """
    wins = np.atleast_2d(np.asarray(windows, dtype=np.int64))
    theta = 1.0 / patience_minutes if np.isfinite(patience_minutes) and patience_minutes > 0 else 0.0
    peak = max((s.arrivals for s in segments), default=0.0)
    width = int(present + wins.max(initial=0) + 12 + 3 * peak + 8 * math.sqrt(peak + 1))
    while True:
        out = _paths(present, segments, theta, wins, width)
        if out is not None:
            return out
        width *= 2


def _paths(
    present: int, segments: Sequence[Segment], theta: float, wins: np.ndarray, width: int
) -> QueuePaths | None:
    rows, n_seg = wins.shape
    p = np.zeros((rows, width))
    p[:, min(present, width - 1)] = 1.0
    n = np.arange(width)
    waiting = np.zeros((rows, n_seg))
    queue = np.zeros((rows, n_seg))
    gone = np.zeros((rows, n_seg))
    for j, seg in enumerate(segments):
        c = wins[:, j]
        lam = seg.arrivals / seg.minutes if seg.minutes > 0 else 0.0
        mu = 1.0 / seg.service_minutes
        end, avg = propagate(p, lam, mu, theta, c, seg.minutes)
        if max(end[:, -1].max(), avg[:, -1].max()) > TOP_MASS:
            return None
        m = slot_metrics(avg, c, mu, theta, seg.minutes, 0.0)
        waiting[:, j] = (end * np.maximum(n[None, :] - c[:, None], 0)).sum(axis=1)
        queue[:, j] = m.queue_minutes
        gone[:, j] = m.abandoned
        p = end
    return QueuePaths(waiting, queue, gone)
