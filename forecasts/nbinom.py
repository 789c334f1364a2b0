"""Negative-binomial pieces shared by the forecasters: predictive quantiles, dispersion, a ridge GLM by IRLS.

Counts are modelled as NB2: mean ``mu``, variance ``mu + alpha * mu**2`` (``alpha = 0`` is Poisson).

Quantiles are those of the *jittered* count ``Y - 1 + U`` (``U`` uniform on [0, 1)): the quantile function of
the discrete distribution interpolated linearly between ``k - 1`` and ``k`` across the probability mass at
``k``, and never below 0. For an integer count ``y`` this makes ``P(y <= q_p) ≈ p`` on average, so the central
interval ``[q10, q90]`` covers about 80 % of integer outcomes even at low means, where integer quantiles would
cover 90 % or more (Poisson(0.8): integer [q10, q90] = [0, 2] holds 95 % of the mass). The quantiles are
strictly increasing in ``p`` wherever the mean is positive.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import optimize, special, stats

_MU_FLOOR = 1e-9


def nb_quantiles(mean: np.ndarray, alpha: float | np.ndarray, probs: Sequence[float]) -> np.ndarray:
    """Quantiles (len(mean) × len(probs)) of NB2(mean, alpha) on the jittered scale described above."""
    mu = np.maximum(np.asarray(mean, dtype=float), _MU_FLOOR)
    a = np.broadcast_to(np.asarray(alpha, dtype=float), mu.shape)
    out = np.empty((mu.size, len(probs)))
    pois = a <= 1e-8
    r = np.where(pois, 1.0, 1.0 / np.maximum(a, 1e-8))
    pr = r / (r + mu)
    for j, p in enumerate(probs):
        k = np.where(pois, stats.poisson.ppf(p, mu), stats.nbinom.ppf(p, r, pr))
        below = np.where(pois, stats.poisson.cdf(k - 1, mu), stats.nbinom.cdf(k - 1, r, pr))
        mass = np.where(pois, stats.poisson.pmf(k, mu), stats.nbinom.pmf(k, r, pr))
        frac = np.clip((p - below) / np.maximum(mass, 1e-300), 0.0, 1.0)
        out[:, j] = np.maximum(k - 1.0 + frac, 0.0)
    out[np.asarray(mean) <= 0] = 0.0
    return out


def nb_loglik(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    """NB2 log-likelihood (continuous in y, so fractional counts are fine)."""
    mu = np.maximum(mu, _MU_FLOOR)
    if alpha <= 1e-10:
        return float(np.sum(special.xlogy(y, mu) - mu - special.gammaln(y + 1)))
    r = 1.0 / alpha
    return float(
        np.sum(
            special.gammaln(y + r)
            - special.gammaln(r)
            - special.gammaln(y + 1)
            + r * np.log(r / (r + mu))
            + special.xlogy(y, mu / (r + mu))
        )
    )


def fit_dispersion(y: np.ndarray, mu: np.ndarray, mu_floor: float = 0.1) -> float:
    """Maximum-likelihood NB2 ``alpha`` of counts ``y`` around given means (0 when Poisson fits best)."""
    y = np.asarray(y, dtype=float)
    mu = np.maximum(np.asarray(mu, dtype=float), mu_floor)
    ok = np.isfinite(y) & np.isfinite(mu)
    y, mu = y[ok], mu[ok]
    if y.size < 5:
        return 0.0
    res = optimize.minimize_scalar(
        lambda la: -nb_loglik(y, mu, float(np.exp(la))), bounds=(-12.0, 3.0), method="bounded"
    )
    alpha = float(np.exp(res.x))
    if nb_loglik(y, mu, 0.0) >= -res.fun:
        return 0.0
    return alpha


def moment_dispersion(y: np.ndarray, mu: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Method-of-moments NB2 ``alpha``: weighted ``sum((y - mu)^2 - mu) / sum(mu^2)``, floored at 0."""
    w = np.ones_like(mu) if weights is None else weights
    den = float(np.sum(w * mu**2))
    if den <= 0:
        return 0.0
    return max(0.0, float(np.sum(w * ((y - mu) ** 2 - mu))) / den)


def ridge_nb_glm(
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    penalty: np.ndarray,
    alpha: float = 0.0,
    max_iter: int = 50,
    tol: float = 1e-8,
) -> np.ndarray:
    """Coefficients of a log-link NB2 (Poisson when ``alpha`` = 0) GLM with a ridge penalty, by IRLS.

    Maximises ``sum(w * loglik) - 0.5 * sum(penalty * beta**2)``. Column 0 is taken as the intercept
    (give it penalty 0). Newton steps with step halving, so it converges on any data with positive y.
    """
    p = X.shape[1]
    beta = np.zeros(p)
    ybar = float(np.sum(weights * y) / max(np.sum(weights), 1e-12))
    beta[0] = np.log(max(ybar, 1e-6))

    def objective(b: np.ndarray) -> float:
        eta = np.clip(X @ b, -30, 30)
        mu = np.exp(eta)
        if alpha > 0:
            r = 1.0 / alpha
            ll = y * np.log(mu / (r + mu)) + r * np.log(r / (r + mu))
        else:
            ll = y * eta - mu
        return float(np.sum(weights * ll) - 0.5 * np.sum(penalty * b**2))

    current = objective(beta)
    for _ in range(max_iter):
        mu = np.exp(np.clip(X @ beta, -30, 30))
        info = weights * mu / (1.0 + alpha * mu)
        grad = X.T @ (weights * (y - mu) / (1.0 + alpha * mu)) - penalty * beta
        hess = (X * info[:, None]).T @ X + np.diag(penalty) + 1e-10 * np.eye(p)
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-6:
            cand = beta + t * step
            value = objective(cand)
            if value >= current - 1e-12:
                break
            t /= 2
        beta, gain = cand, value - current
        current = value
        if abs(gain) < tol * (1.0 + abs(current)):
            break
    return beta


def nb_cdf(y: np.ndarray, mu: np.ndarray, alpha: float) -> np.ndarray:
    """P(Y <= y) under NB2(mu, alpha) (Poisson when alpha = 0)."""
    mu = np.maximum(mu, _MU_FLOOR)
    if alpha <= 1e-8:
        return np.asarray(stats.poisson.cdf(y, mu))
    r = 1.0 / alpha
    return np.asarray(stats.nbinom.cdf(y, r, r / (r + mu)))


def coverage_dispersion(y: np.ndarray, mu: np.ndarray, coverage: float = 0.8) -> float:
    """The ``alpha`` whose central ``coverage`` interval holds that share of ``y``, on the jittered scale.

    Calibrates the randomized PIT: for each count the probability that ``F(y - 1) + U * P(y)`` falls in the
    central band ``[(1 - coverage) / 2, (1 + coverage) / 2)`` is averaged, and a bisection on ``log alpha``
    makes that average equal ``coverage``. Unlike matching the share of integer counts inside the interval
    (a step function of ``alpha`` at low means), this is smooth, and it is robust to a few huge errors
    (holidays, outages) that pull a likelihood estimate up. 0 when Poisson is already wide enough.
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    ok = np.isfinite(y) & np.isfinite(mu)
    y, mu = np.floor(y[ok] + 1e-9), mu[ok]
    if y.size < 20:
        return fit_dispersion(y, mu)
    lo_p, hi_p = (1 - coverage) / 2, 1 - (1 - coverage) / 2

    def share(alpha: float) -> float:
        upper = nb_cdf(y, mu, alpha)
        lower = np.where(y > 0, nb_cdf(y - 1, mu, alpha), 0.0)
        width = np.maximum(upper - lower, 1e-12)
        inside = np.clip(np.minimum(upper, hi_p) - np.maximum(lower, lo_p), 0.0, None)
        return float(np.mean(inside / width))

    if share(0.0) >= coverage:
        return 0.0
    grid = np.linspace(-12.0, 2.0, 15)  # the share is not monotone for huge alpha: take the first crossing
    above = [share(float(np.exp(g))) >= coverage for g in grid]
    if not any(above):
        return float(np.exp(grid[-1]))
    k = above.index(True)
    lo, hi = (grid[k - 1] if k else -30.0), grid[k]
    for _ in range(20):
        mid = (lo + hi) / 2
        if share(float(np.exp(mid))) < coverage:
            lo = mid
        else:
            hi = mid
    return float(np.exp(hi))
    for _ in range(30):
        mid = (lo + hi) / 2
        if share(float(np.exp(mid))) < coverage:
            lo = mid
        else:
            hi = mid
    return float(np.exp(hi))
