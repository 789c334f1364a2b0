"""Stationary queueing formulas for counter windows: Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M).

Every function is vectorized: arrival rates, service rates, patience rates and window counts broadcast against
each other (one element per slot, typically). Rates are per minute; times are minutes.

Numerical stability. Nothing is computed with factorials or powers of the load:

* Erlang B comes from the recursion ``1/B(k) = 1 + (k/a)/B(k-1)``, carried in log space
  (``log 1/B`` by ``logaddexp``), so B = 1e-400 is ``log 1/B ≈ 921`` instead of an underflow, and a = 0 gives
  B = 0 exactly for c ≥ 1.
* Erlang A needs ``A(x, y) = Σ_j y^j / ((x+1)…(x+j)) = x e^y y^-x γ(x, y)`` with ``x = cμ/θ``, ``y = λ/θ``
  (γ the lower incomplete gamma). ``log A`` is taken from the series when ``y ≤ (x+1)/2`` (terms shrink at
  least geometrically by ½) and from ``scipy.special.gammainc`` otherwise, where the regularized γ is ≥ ~e^-0.19x
  and does not underflow for the loads of any branch or call centre; probabilities then come out through
  ``expit`` of log-odds. Checked against a brute-force birth–death chain in the tests, and finite for c = 200.

Definitions (per arriving customer, stationary):

* ``p_wait`` P(all windows busy on arrival) = P(W > 0).
* ``mean_wait`` E[time in queue], abandoning customers counted until they leave (Erlang A: P(Ab)/θ).
* ``p_within`` P(called within t): served, after a wait ≤ t (a customer who leaves counts as not called).
  Erlang C: 1 − C e^{-(cμ−λ)t}. Erlang A: (1 − P_W) + P_W·(1/ρ)·[(A−1) − q^x e^{y(1−q)} (A(x, yq) − 1)]/A with
  q = e^{-θt}, derived by mixing the offered wait given j customers ahead (the (j+1)-th of x+j exponential
  clocks) over the stationary queue, weighted by the chance e^{-θV} that the customer is still there.
* ``p_abandon`` P(Ab) = P_W·(1 + (1/ρ)(1/A − 1)) (Mandelbaum & Zeltyn, "The Palm/Erlang-A queue", 2004).
* ``occupancy`` busy share of the windows, λ(1 − P(Ab))/(cμ).

Erlang C is unstable when λ ≥ cμ: then p_wait = 1, mean_wait = inf, p_within = 0, occupancy = 1. With c = 0
and λ > 0 nobody is served (Erlang A: everyone leaves after 1/θ on average). With λ = 0 every measure is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit, gammainc, gammaln

__all__ = ["QueueMetrics", "erlang_a", "erlang_b", "erlang_c", "log_a_function", "log_inv_erlang_b"]


@dataclass(frozen=True)
class QueueMetrics:
    """Stationary performance of c windows, one array element per case (slot)."""

    p_wait: np.ndarray  # P(W > 0)
    mean_wait: np.ndarray  # minutes in queue per arriving customer
    p_within: np.ndarray  # P(called within the target t)
    p_abandon: np.ndarray  # P(leave before being called)
    occupancy: np.ndarray  # busy share of the open windows


def log_inv_erlang_b(c: ArrayLike, a: ArrayLike) -> np.ndarray:
    """``log(1/B(c, a))`` for integer ``c ≥ 0`` windows and offered load ``a = λ/μ ≥ 0`` (inf when a = 0 < c)."""
    cc, aa = np.broadcast_arrays(np.asarray(c, dtype=np.int64), np.asarray(a, dtype=float))
    if np.any(cc < 0) or np.any(aa < 0):
        raise ValueError("c and a must be non-negative")
    out = np.zeros(cc.shape)
    cur = np.zeros(cc.shape)
    with np.errstate(divide="ignore"):
        minus_log_a = -np.log(aa)
    for k in range(1, int(cc.max(initial=0)) + 1):
        cur = np.logaddexp(0.0, np.log(k) + minus_log_a + cur)
        out = np.where(cc == k, cur, out)
    return out


def erlang_b(c: ArrayLike, a: ArrayLike) -> np.ndarray:
    """Erlang B blocking probability B(c, a)."""
    return np.exp(-log_inv_erlang_b(c, a))


def _log_r_minus_1(log_r: np.ndarray) -> np.ndarray:
    """``log(1/B − 1)`` from ``log(1/B)`` (−inf when B = 1, i.e. c = 0)."""
    with np.errstate(divide="ignore"):
        return log_r + np.log(-np.expm1(-log_r))


def log_a_function(x: ArrayLike, y: ArrayLike) -> np.ndarray:
    """``log A(x, y)`` with ``A = Σ_{j≥0} y^j / ((x+1)…(x+j)) = x e^y y^-x γ(x, y)``; x ≥ 0, y ≥ 0."""
    xb, yb = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    xx, yy = np.atleast_1d(xb).ravel(), np.atleast_1d(yb).ravel()
    out = np.zeros(xx.shape)
    series = (yy <= 0.5 * (xx + 1.0)) & (yy > 0)
    gamma_form = (yy > 0) & ~series
    if np.any(gamma_form):
        xg, yg = xx[gamma_form], yy[gamma_form]
        with np.errstate(divide="ignore"):
            reg = gammainc(np.maximum(xg, 1e-300), yg)
            val = np.where(
                xg > 0,
                np.log(np.maximum(xg, 1e-300))
                + yg
                - xg * np.log(yg)
                + gammaln(np.maximum(xg, 1e-300))
                + np.log(reg),
                yg,  # x = 0: A = e^y
            )
        bad = ~np.isfinite(val) & (xg > 0)
        if np.any(bad):  # regularized γ underflowed (extreme x): the series converges there, only slowly
            idx = np.flatnonzero(gamma_form)[bad]
            series[idx] = True
            gamma_form[idx] = False
            val = val[~bad]
        out[gamma_form] = val
    if np.any(series):
        xs, ys = xx[series], yy[series]
        term = np.ones(xs.shape)
        total = np.ones(xs.shape)
        j = 0
        while True:
            j += 1
            term = term * ys / (xs + j)
            total += term
            if np.all(term <= 1e-17 * total) or j > 1_000_000:
                break
        out[series] = np.log(total)
    return out.reshape(xb.shape)


def _log_expm1(z: np.ndarray) -> np.ndarray:
    """``log(e^z − 1)`` for z ≥ 0 without overflow (−inf at 0)."""
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(z > 1.0, z + np.log1p(-np.exp(-z)), np.log(np.expm1(np.minimum(z, 1.0))))


def erlang_c(lam: ArrayLike, mu: ArrayLike, c: ArrayLike, t: ArrayLike = 0.0) -> QueueMetrics:
    """M/M/c: arrival rate ``lam``, service rate ``mu`` per window, ``c`` windows, target wait ``t`` minutes."""
    lam_, mu_, c_, t_ = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(lam, mu, c, t))
    cint = c_.astype(np.int64)
    a = lam_ / mu_
    idle = lam_ <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(cint > 0, a / np.maximum(cint, 1), np.inf)
        stable = (cint > 0) & (rho < 1) & ~idle
        log_rm1 = _log_r_minus_1(log_inv_erlang_b(cint, a))
        p_wait = np.where(stable, expit(-np.log1p(-np.where(stable, rho, 0.0)) - log_rm1), 1.0)
        gap = cint * mu_ - lam_
        mean_wait = np.where(stable, p_wait / np.where(stable, gap, 1.0), np.inf)
        p_within = np.where(stable, 1.0 - p_wait * np.exp(-np.where(stable, gap, 0.0) * t_), 0.0)
        occupancy = np.minimum(np.where(cint > 0, rho, 1.0), 1.0)
    zero = np.zeros(lam_.shape)
    return QueueMetrics(
        p_wait=np.where(idle, 0.0, p_wait),
        mean_wait=np.where(idle, 0.0, mean_wait),
        p_within=np.where(idle, 1.0, p_within),
        p_abandon=zero,
        occupancy=np.where(idle, 0.0, occupancy),
    )


def erlang_a(
    lam: ArrayLike, mu: ArrayLike, theta: ArrayLike, c: ArrayLike, t: ArrayLike = 0.0
) -> QueueMetrics:
    """M/M/c+M: as :func:`erlang_c` plus abandonment rate ``theta`` (1/mean patience); θ = 0 is Erlang C."""
    lam_, mu_, th_, c_, t_ = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(lam, mu, theta, c, t))
    cint = c_.astype(np.int64)
    patient = th_ <= 0
    idle = lam_ <= 0
    ok = ~patient & ~idle
    th = np.where(ok, th_, 1.0)
    lam1 = np.where(ok, lam_, 1.0)
    x = cint * mu_ / th
    y = lam1 / th
    log_a = log_a_function(x, y)
    log_rm1 = _log_r_minus_1(log_inv_erlang_b(cint, lam1 / mu_))
    p_wait = expit(log_a - log_rm1)  # c = 0: log_rm1 = −inf → 1
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_rho = np.where(cint > 0, cint * mu_ / lam1, 0.0)
        p_ab_given_wait = np.clip(1.0 + np.expm1(-log_a) * inv_rho, 0.0, 1.0)
        p_ab_given_wait = np.where(cint > 0, p_ab_given_wait, 1.0)
        p_abandon = p_wait * p_ab_given_wait
        q = np.exp(-th * t_)
        log_a_q = log_a_function(x, y * q)
        tail = np.exp(-cint * mu_ * t_ + y * (1.0 - q) - log_a + _log_expm1(log_a_q))
        served_soon = np.clip(inv_rho * (-np.expm1(-log_a) - tail), 0.0, 1.0)
        p_within = (1.0 - p_wait) + p_wait * np.where(cint > 0, served_soon, 0.0)
        occupancy = np.where(cint > 0, (1.0 - p_abandon) / np.where(inv_rho > 0, inv_rho, 1.0), 1.0)
    ec = erlang_c(lam_, mu_, cint, t_)
    zero = np.zeros(lam_.shape)
    return QueueMetrics(
        p_wait=np.where(idle, 0.0, np.where(patient, ec.p_wait, p_wait)),
        mean_wait=np.where(idle, 0.0, np.where(patient, ec.mean_wait, p_abandon / th)),
        p_within=np.where(idle, 1.0, np.where(patient, ec.p_within, np.clip(p_within, 0.0, 1.0))),
        p_abandon=np.where(ok, p_abandon, zero),
        occupancy=np.where(idle, 0.0, np.where(patient, ec.occupancy, np.clip(occupancy, 0.0, 1.0))),
    )
