"""Tests of forecasts.queueing: Erlang B, C and A against published values, closed forms and a brute-force chain.

Sources of the reference values:

* Erlang B table (e.g. R. B. Cooper, *Introduction to Queueing Theory*, 2nd ed., 1981, Table of the Erlang
  loss function; any "Erlang B table"): B(N=10, A=5 Erl) = 0.01838; B(N=2, A=1) = 0.2 exactly.
* Erlang C from it by C = N·B / (N − A(1 − B)): C(10, 5) = 0.03610; C(3, 2) = 4/9 exactly.
* M/M/1 closed forms (any queueing text, e.g. Gross & Harris): P(W>0) = ρ, E[W] = ρ/(μ−λ),
  P(W ≤ t) = 1 − ρ e^{−(μ−λ)t}.
* M/M/c+M (Erlang A): the stationary distribution of its birth–death chain summed directly
  (π_{n+1}/π_n = λ / (min(n+1, c)μ + (n+1−c)⁺θ)), truncated far in the tail — the definition the closed forms
  of Mandelbaum & Zeltyn (2004) and Garnett, Mandelbaum & Reiman (2002) are derived from; the share called
  within t is mixed over the queue ahead from the order-statistics form of the offered wait.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betainc

from forecasts.queueing import erlang_a, erlang_b, erlang_c, log_a_function


def brute_erlang_a(
    lam: float, mu: float, theta: float, c: int, t: float, n_max: int = 4000
) -> dict[str, float]:
    """Reference measures of M/M/c+M from the truncated birth–death chain."""
    n = np.arange(n_max)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death[1:]))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    queue = np.maximum(n - c, 0)
    j = n[n >= c] - c
    x = c * mu / theta
    called = x / (x + j + 1) * (1 - betainc(x + 1, j + 1, np.exp(-theta * t)))
    return {
        "p_wait": float(p[n >= c].sum()),
        "mean_wait": float((queue * p).sum() / lam),
        "p_abandon": float(theta * (queue * p).sum() / lam),
        "p_within": float(p[n < c].sum() + (p[n >= c] * called).sum()),
        "occupancy": float((np.minimum(n, c) * p).sum() / c),
    }


def test_erlang_b_and_c_table_values() -> None:
    """Erlang B and C reproduce the standard tables and exact small cases."""
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=5e-6)
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-12)
    assert erlang_c(5.0, 1.0, 10).p_wait == pytest.approx(0.036105, abs=5e-6)
    assert erlang_c(2.0, 1.0, 3).p_wait == pytest.approx(4 / 9, rel=1e-12)


def test_erlang_c_is_mm1_for_one_window() -> None:
    """With c = 1, Erlang C equals the M/M/1 closed forms."""
    lam, mu, t = 0.2, 0.25, 5.0
    rho = lam / mu
    m = erlang_c(lam, mu, 1, t)
    assert m.p_wait == pytest.approx(rho)
    assert m.mean_wait == pytest.approx(rho / (mu - lam))
    assert m.p_within == pytest.approx(1 - rho * np.exp(-(mu - lam) * t))
    assert m.occupancy == pytest.approx(rho)


@pytest.mark.parametrize(
    ("lam", "mu", "theta", "c", "t"),
    [
        (0.2, 0.25, 0.05, 1, 20.0),  # M/M/1+M
        (0.4, 0.25, 0.05, 1, 20.0),  # M/M/1+M overloaded: stable thanks to abandonment
        (1.0, 0.25, 0.05, 5, 3.0),
        (2.0, 0.25, 0.05, 6, 10.0),  # overloaded
        (0.5, 0.1, 0.05, 3, 20.0),
        (3.0, 1 / 3, 0.5, 10, 0.5),  # call-centre-like: impatient
        (100.0, 1.0, 0.5, 110, 0.1),  # large
        (0.3, 1 / 15, 0.05, 1, 20.0),
    ],
)
def test_erlang_a_matches_the_birth_death_chain(
    lam: float, mu: float, theta: float, c: int, t: float
) -> None:
    """Erlang A's closed forms equal the stationary chain summed directly, to 1e-9."""
    m = erlang_a(lam, mu, theta, c, t)
    ref = brute_erlang_a(lam, mu, theta, c, t)
    for key, value in ref.items():
        assert float(getattr(m, key)) == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_erlang_a_tends_to_erlang_c_without_abandonment() -> None:
    """θ = 0 is Erlang C; a tiny θ is close to it."""
    lam, mu, c, t = [0.5, 1.0, 1.1], 0.25, [3, 5, 5], 3.0
    exact = erlang_c(lam, mu, c, t)
    zero = erlang_a(lam, mu, 0.0, c, t)
    near = erlang_a(lam, mu, 1e-7, c, t)
    np.testing.assert_allclose(zero.mean_wait, exact.mean_wait)
    np.testing.assert_allclose(near.mean_wait, exact.mean_wait, rtol=1e-4)
    np.testing.assert_allclose(near.p_within, exact.p_within, rtol=1e-5)
    np.testing.assert_allclose(near.p_wait, exact.p_wait, rtol=1e-5)


def test_zero_arrivals_and_zero_windows() -> None:
    """λ = 0 gives zero waiting at any c; c = 0 with λ > 0 serves nobody (everyone leaves after 1/θ)."""
    a = erlang_a([0.0, 0.0, 1.0], 0.25, 0.05, [0, 3, 0], 20.0)
    assert a.p_wait.tolist() == [0.0, 0.0, 1.0]
    assert a.mean_wait.tolist() == pytest.approx([0.0, 0.0, 20.0])
    assert a.p_abandon.tolist() == [0.0, 0.0, 1.0]
    assert a.p_within.tolist() == [1.0, 1.0, 0.0]
    c = erlang_c([0.0, 1.0], 0.25, [0, 0], 20.0)
    assert c.mean_wait[0] == 0.0 and np.isinf(c.mean_wait[1])


def test_unstable_erlang_c_is_explicit() -> None:
    """λ ≥ cμ: Erlang C says everyone waits forever; Erlang A stays finite."""
    c = erlang_c(2.0, 0.25, 8, 20.0)
    assert c.p_wait == 1.0 and np.isinf(c.mean_wait) and c.p_within == 0.0 and c.occupancy == 1.0
    a = erlang_a(2.0, 0.25, 0.05, 8, 20.0)
    assert np.isfinite(a.mean_wait) and 0 < a.p_abandon < 1


def test_large_c_is_finite_and_sane() -> None:
    """200 windows and loads from tiny to beyond capacity: no NaN, no overflow, probabilities in [0, 1]."""
    lam = np.array([0.0, 1e-3, 5.0, 45.0, 49.9, 60.0, 1000.0])
    for m in (erlang_a(lam, 0.25, 0.05, 200, 20.0), erlang_c(lam[:5], 0.25, 200, 20.0)):
        for v in (m.p_wait, m.p_within, m.p_abandon, m.occupancy):
            assert np.all(np.isfinite(v)) and np.all((v >= 0) & (v <= 1))
        assert np.all(np.isfinite(m.mean_wait))
    a = erlang_a(lam, 0.25, 0.05, 200, 20.0)
    assert a.p_abandon[-1] == pytest.approx(1 - 50 / 1000, rel=1e-3)  # fluid limit of heavy overload
    assert np.all(np.diff(a.mean_wait) >= 0)  # more arrivals, longer waits


def test_a_function_series_and_gamma_forms_agree() -> None:
    """log A from the series and from the incomplete gamma agree across the switch point."""
    x = np.array([10.0, 10.0, 100.0, 1000.0])
    y = np.array([5.4, 5.6, 50.4, 500.6])  # either side of y = (x+1)/2
    direct = np.array(
        [
            np.log(sum(np.prod(yy / (xx + np.arange(1, j + 1))) for j in range(4000)))
            for xx, yy in zip(x, y, strict=True)
        ]
    )
    np.testing.assert_allclose(log_a_function(x, y), direct, rtol=1e-10)


def test_more_windows_never_hurt() -> None:
    """Mean wait and abandonment fall, and the share within target rises, as windows are added."""
    c = np.arange(1, 12)
    a = erlang_a(1.5, 0.25, 0.05, c, 20.0)
    assert np.all(np.diff(a.mean_wait) < 0) and np.all(np.diff(a.p_abandon) < 0)
    assert np.all(np.diff(a.p_within) > 0)
