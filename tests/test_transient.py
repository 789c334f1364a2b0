"""Tests of forecasts.transient: the chain carried slot by slot, the greedy requirement, wait_minutes' shape."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constraints.config import ServiceLevel
from forecasts.queueing import erlang_a
from forecasts.staffing import stationary_required
from forecasts.transient import CounterDay, convex_decreasing, day_demand, demand_batch, propagate

SL = ServiceLevel()


def test_constant_demand_converges_to_stationary_erlang_a() -> None:
    """Under constant λ the transient chain settles on Erlang A's mean wait and share within target."""
    n = 40
    dd = day_demand(np.full(n, 15.0), np.full(n, 4.0), 20.0, np.ones(n, bool), 10, 15, SL)
    c = int(dd.required[-1])
    ref = erlang_a(1.0, 0.25, 0.05, c, SL.target_wait_minutes)
    assert dd.mean_wait[-1] == pytest.approx(float(ref.mean_wait), rel=1e-6)
    assert dd.p_within[-1] == pytest.approx(float(ref.p_within), rel=1e-6)
    assert c == stationary_required(np.array([15.0]), 4.0, 20.0, 15, SL)[0]


def test_slot_after_a_peak_needs_more_than_pointwise_stationary() -> None:
    """A capped peak leaves a queue: the trough after it needs more windows than PSA (stationary) says."""
    arrivals = np.array([5, 40, 40, 40, 5, 5, 5, 5.0])
    dd = day_demand(arrivals, np.full(8, 4.0), 20.0, np.ones(8, bool), 4, 15, SL)
    psa = stationary_required(arrivals, 4.0, 20.0, 15, SL)
    assert dd.needed[4] > psa[4]
    assert dd.needed[3] > dd.needed[1]  # the backlog grows through the capped peak
    assert dd.needed[-1] == psa[-1]  # and is gone two slots later


def test_zero_arrivals_need_no_windows_and_cost_nothing() -> None:
    """No forecast customers: required 0 and wait_minutes 0 for every c."""
    dd = day_demand(np.zeros(10), np.full(10, 4.0), 20.0, np.ones(10, bool), 3, 15, SL)
    assert not dd.required.any() and not dd.wait_minutes.any()


def test_zero_windows_cost_is_large_but_finite() -> None:
    """With c = 0 the slot's customers wait into the next slot: finite, above c = 1, and at least their own wait."""
    arrivals = np.array([0, 6, 6, 6, 6, 0.0])
    dd = day_demand(arrivals, np.full(6, 4.0), 20.0, np.ones(6, bool), 3, 15, SL)
    w = dd.wait_minutes[2]
    assert np.isfinite(w[0]) and w[0] > w[1] > w[2] > 0
    # the slot's own arrivals waiting to its end (λ = 0.4/min, θ = 0.05): λ[T/θ − (1 − e^{−θT})/θ²] ≈ 35.6
    lam, theta, t = 0.4, 0.05, 15.0
    assert w[0] > lam * (t / theta - (1 - np.exp(-theta * t)) / theta**2)


@settings(max_examples=25, deadline=None)
@given(
    arrivals=st.lists(st.floats(0, 25), min_size=3, max_size=8),
    service=st.sampled_from([4.0, 10.0, 15.0]),
    patience=st.sampled_from([10.0, 20.0, 60.0]),
    cap=st.integers(1, 5),
)
def test_wait_minutes_are_non_negative_decreasing_and_convex(
    arrivals: list[float], service: float, patience: float, cap: int
) -> None:
    """For any arrival profile, wait_minutes[s, ·] is ≥ 0, non-increasing and convex in c."""
    a = np.array(arrivals)
    dd = day_demand(a, np.full(len(a), service), patience, np.ones(len(a), bool), cap, 15, SL)
    w = dd.wait_minutes
    assert np.all(w >= -1e-9)
    assert np.all(np.diff(w, axis=1) <= 1e-9)
    assert np.all(np.diff(w, n=2, axis=1) >= -1e-7)
    assert np.all(dd.required <= cap) and np.all(dd.needed >= dd.required)


def test_convex_envelope_only_touches_non_convex_rows() -> None:
    """A convex decreasing row is kept as is; a kinked one gets its greatest convex minorant."""
    good = np.array([10.0, 5.0, 2.0, 1.0, 0.5])
    np.testing.assert_allclose(convex_decreasing(good), good)
    kinked = np.array([10.0, 9.0, 2.0, 1.0])
    out = convex_decreasing(kinked)
    assert out[1] == pytest.approx(6.0) and out[0] == 10.0 and out[-1] == 1.0


def test_propagate_keeps_probability_and_reaches_the_stationary_law() -> None:
    """Uniformization conserves mass and, over a long interval, lands on the stationary distribution."""
    p0 = np.zeros((2, 80))
    p0[:, 0] = 1.0
    end, avg = propagate(p0, 1.0, 0.25, 0.05, np.array([5, 6]), 600.0)
    np.testing.assert_allclose(end.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(avg.sum(axis=1), 1.0, atol=1e-9)
    ref = erlang_a(1.0, 0.25, 0.05, 5)
    assert end[0, 5:].sum() == pytest.approx(float(ref.p_wait), rel=1e-6)


def test_batch_equals_one_at_a_time() -> None:
    """Counter-days evaluated together give the same numbers as each alone (the batch is only a speed-up)."""
    a = CounterDay(np.array([3, 9, 12, 4.0]), np.full(4, 4.0), 20.0, 3)
    b = CounterDay(np.array([1, 2.0]), np.full(2, 12.0), 30.0, 1)
    c = CounterDay(np.zeros(0), np.zeros(0), 20.0, 2)  # a closed day
    together = demand_batch([a, b, c], 15, SL)
    alone = [demand_batch([x], 15, SL)[0] for x in (a, b, c)]
    for t, s in zip(together, alone, strict=True):
        np.testing.assert_array_equal(t.required, s.required)
        np.testing.assert_allclose(t.wait_minutes, s.wait_minutes, rtol=1e-9, atol=1e-9)
    assert together[2].wait_minutes.shape == (0, 3)


def test_propagate_memory_does_not_grow_with_the_number_of_steps() -> None:
    """The uniformization sums are accumulated step by step: peak memory is a few R × N arrays, however many
    steps a long interval or a long queue takes (it was steps × R × N: 15 GB for a 2 M-ticket export)."""
    rows, width = 24, 600
    p0 = np.zeros((rows, width))
    p0[:, 0] = 1.0
    one = rows * width * 8  # bytes of one R × N array
    peaks = []
    for minutes in (15.0, 600.0):  # about 600 and 23,000 uniformization steps
        tracemalloc.start()
        end, avg = propagate(p0, 2.0, 0.25, 0.05, np.arange(rows) % 6, minutes)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert np.allclose(end.sum(axis=1), 1.0) and np.allclose(avg.sum(axis=1), 1.0)
    assert max(peaks) < 40 * one  # steps × R × N would be thousands of arrays
    assert peaks[1] < 2 * peaks[0]  # 40 times the steps, not 40 times the memory
