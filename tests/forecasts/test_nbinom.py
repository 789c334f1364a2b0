"""Tests of forecasts.nbinom: quantile order and calibration, dispersion estimates, the ridge GLM."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasts.nbinom import coverage_dispersion, fit_dispersion, nb_quantiles, ridge_nb_glm

PROBS = (0.1, 0.5, 0.8, 0.9, 0.95)


@settings(max_examples=60, deadline=None)
@given(
    mean=st.lists(st.floats(0.0, 2000.0, allow_nan=False), min_size=1, max_size=20),
    alpha=st.floats(0.0, 3.0, allow_nan=False),
)
def test_quantiles_are_ordered_and_non_negative(mean: list[float], alpha: float) -> None:
    """q10 <= q50 <= q80 <= q90 <= q95 and all >= 0 for any means and dispersion."""
    q = nb_quantiles(np.array(mean), alpha, PROBS)
    assert np.all(q >= 0)
    assert np.all(np.diff(q, axis=1) >= -1e-9)


def test_zero_mean_gives_zero_quantiles() -> None:
    """A slot expected to be empty has every quantile 0."""
    assert np.all(nb_quantiles(np.array([0.0]), 0.2, PROBS) == 0)


@pytest.mark.parametrize(("mu", "alpha"), [(0.8, 0.0), (3.0, 0.0), (12.0, 0.05), (300.0, 0.02)])
def test_central_interval_covers_80_percent(mu: float, alpha: float) -> None:
    """[q10, q90] holds about 80 % of integer draws, even at means where integer quantiles hold 90 %+."""
    rng = np.random.default_rng(1)
    n = 20000
    y = rng.poisson(mu, n) if alpha == 0 else rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu), n)
    q = nb_quantiles(np.full(n, mu), alpha, (0.1, 0.9))
    covered = np.mean((y >= q[:, 0]) & (y <= q[:, 1]))
    assert 0.76 <= covered <= 0.84


def test_dispersion_estimates_recover_alpha() -> None:
    """Likelihood and coverage estimates find alpha ≈ 0.1 in NB data and 0 in Poisson data."""
    rng = np.random.default_rng(2)
    mu = rng.uniform(5, 50, 6000)
    nb = rng.negative_binomial(10.0, 10.0 / (10.0 + mu))
    assert fit_dispersion(nb, mu) == pytest.approx(0.1, rel=0.15)
    assert coverage_dispersion(nb, mu) == pytest.approx(0.1, rel=0.3)
    pois = rng.poisson(mu)
    assert fit_dispersion(pois, mu) < 0.005 and coverage_dispersion(pois, mu) < 0.01


def test_ridge_glm_recovers_log_effects() -> None:
    """A Poisson GLM with a tiny ridge recovers intercept and effect; a strong ridge shrinks the effect."""
    rng = np.random.default_rng(3)
    x = (rng.random(400) < 0.3).astype(float)
    X = np.column_stack([np.ones(400), x])
    y = rng.poisson(np.exp(np.log(200) + np.log(2.0) * x))
    w = np.ones(400)
    beta = ridge_nb_glm(X, y, w, np.array([0.0, 1e-6]))
    assert np.exp(beta) == pytest.approx([200, 2.0], rel=0.03)
    shrunk = ridge_nb_glm(X, y, w, np.array([0.0, 1e6]))
    assert abs(shrunk[1]) < 0.05
