"""Tests of scheduler.simulation.simulate: the event loop against Erlang, window changes, priority, replay and the week."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from factories import tickets_of

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig
from constraints.roster import Block, Roster
from forecasts.queueing import erlang_a, erlang_c
from forecasts.service import default_profile
from forecasts.staffing import stationary_required
from forecasts.transient import day_demand
from scheduler.simulation.simulate import SIMULATION_COLUMNS, open_windows, serve_queue, simulate_week

MONDAY = dt.date(2026, 11, 2)


def poisson_customers(lam: float, mu: float, theta: float, horizon: float, seed: int):
    """Stationary M/M/·+M customers over [0, horizon)."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(lam * horizon)
    arrival = np.sort(rng.uniform(0, horizon, n))
    service = rng.exponential(1 / mu, n)
    patience = rng.exponential(1 / theta, n) if theta > 0 else np.full(n, np.inf)
    return arrival, service, patience


def test_simulation_agrees_with_erlang_a() -> None:
    """M/M/5+M at 80% load: simulated mean wait, abandonment and share within 3 min within 6% / 0.02 of Erlang A.

    40,000 customers after a 1,000-minute warm-up; the tolerance is ~3 standard errors of the estimates.
    """
    lam, mu, theta, c, t = 1.0, 0.25, 0.05, 5, 3.0
    arrival, service, patience = poisson_customers(lam, mu, theta, 41_000, seed=11)
    sv = serve_queue(arrival, service, patience, np.full(3000, c), 15.0)
    keep = arrival > 1000
    ref = erlang_a(lam, mu, theta, c, t)
    assert sv.wait[keep].mean() == pytest.approx(float(ref.mean_wait), rel=0.06)
    assert sv.abandoned[keep].mean() == pytest.approx(float(ref.p_abandon), rel=0.06)
    within = (~sv.abandoned & (sv.wait <= t))[keep].mean()
    assert within == pytest.approx(float(ref.p_within), abs=0.02)


def test_simulation_agrees_with_erlang_c() -> None:
    """M/M/5 at 80% load, infinite patience: mean wait within 8% and P(W ≤ 3) within 0.02 of Erlang C."""
    lam, mu, c, t = 1.0, 0.25, 5, 3.0
    arrival, service, patience = poisson_customers(lam, mu, 0.0, 41_000, seed=12)
    sv = serve_queue(arrival, service, patience, np.full(3000, c), 15.0)
    keep = arrival > 1000
    ref = erlang_c(lam, mu, c, t)
    assert not sv.abandoned.any()
    assert sv.wait[keep].mean() == pytest.approx(float(ref.mean_wait), rel=0.08)
    assert (sv.wait[keep] <= t).mean() == pytest.approx(float(ref.p_within), abs=0.02)


def test_closing_window_finishes_its_customer_and_serves_no_one_else() -> None:
    """One window open in slot 0 only: the customer in service finishes after the close; the next one waits."""
    sv = serve_queue(
        np.array([0.0, 1.0]), np.array([20.0, 1.0]), np.array([np.inf, 30.0]), np.array([1, 0, 0]), 15.0
    )
    assert sv.start[0] == 0.0 and sv.end[0] == 20.0 and sv.window[0] == 0
    assert sv.abandoned[1] and np.isnan(sv.start[1]) and sv.wait[1] == 30.0


def test_window_opening_later_and_drain_after_the_schedule() -> None:
    """Customers before any window wait for the first opening; after the schedule, ``drain`` windows serve."""
    sv = serve_queue(
        np.array([0.0, 2.0, 40.0]),
        np.array([5.0, 5.0, 5.0]),
        np.full(3, np.inf),
        np.array([0, 1, 0]),
        15.0,
        drain=2,
    )
    assert sv.start.tolist() == [15.0, 20.0, 45.0]
    assert sv.wait.tolist() == [15.0, 18.0, 5.0]


def test_vip_priority_jumps_the_queue_without_preemption() -> None:
    """A VIP arriving last is called before the regulars already waiting, not before the one in service."""
    arrival = np.array([0.0, 1.0, 2.0, 3.0])
    prio = np.array([1, 1, 1, 0])
    sv = serve_queue(arrival, np.full(4, 10.0), np.full(4, np.inf), np.ones(10, int), 15.0, priority=prio)
    assert sv.start.tolist() == [0.0, 20.0, 30.0, 10.0]
    fifo = serve_queue(arrival, np.full(4, 10.0), np.full(4, np.inf), np.ones(10, int), 15.0)
    assert fifo.start.tolist() == [0.0, 10.0, 20.0, 30.0]


def test_calling_an_absent_number_takes_window_time() -> None:
    """过号: with call_minutes the window spends that long calling a customer who already left."""
    arrival = np.array([0.0, 0.5, 1.0])
    patience = np.array([np.inf, 2.0, np.inf])
    plain = serve_queue(arrival, np.full(3, 10.0), patience, np.ones(5, int), 15.0)
    called = serve_queue(arrival, np.full(3, 10.0), patience, np.ones(5, int), 15.0, call_minutes=0.5)
    assert plain.abandoned[1] and called.abandoned[1] and called.called[1] == 10.0
    assert plain.window[1] == -1 and called.window[1] == 0  # the window that called the absent number
    assert plain.start[2] == 10.0 and called.start[2] == 10.5


def test_named_windows_open_and_close_as_the_plan_says() -> None:
    """A windows × slots plan: a closed window waits to reopen, FCFS on the open ones, the impatient leave.

    Window 0 is open throughout, window 1 only from minute 50; the last customer gave up at minute 25 and
    is still called (过号) when window 1 frees at 150.
    """
    plan = np.array([[True, True], [False, True]])
    sv = serve_queue(
        np.array([0.0, 0.0, 10.0, 20.0]),
        np.full(4, 100.0),
        np.array([np.inf, np.inf, np.inf, 5.0]),
        plan,
        50.0,
        call_minutes=1 / 3,
        drain=np.array([True, True]),
    )
    assert sv.called.tolist() == [0.0, 50.0, 100.0, 150.0]
    assert sv.window.tolist() == [0, 1, 0, 1]
    assert sv.abandoned.tolist() == [False, False, False, True]


def test_plan_switching_windows_never_calls_at_a_closing_window() -> None:
    """Window 0 hands over to window 1 at minute 15: a service ending then is followed on window 1 only."""
    plan = np.array([[True, False], [False, True]])
    sv = serve_queue(np.array([0.0, 1.0]), np.array([15.0, 5.0]), np.full(2, np.inf), plan, 15.0, drain=1)
    assert sv.window.tolist() == [0, 1] and sv.start.tolist() == [0.0, 15.0]
    late = serve_queue(np.array([0.0, 40.0]), np.full(2, 5.0), np.full(2, np.inf), plan, 15.0, drain=1)
    assert late.window.tolist() == [0, 0]  # after the plan, ``drain=1`` keeps the first window


def test_walk_to_the_window_delays_the_start_and_holds_the_window() -> None:
    """With ``walk`` the service starts that long after the call, and the window is busy meanwhile."""
    sv = serve_queue(
        np.array([0.0, 0.0]), np.full(2, 4.0), np.full(2, np.inf), np.ones(2, int), 15.0, walk=np.full(2, 0.5)
    )
    assert sv.called.tolist() == [0.0, 4.5]
    assert sv.start.tolist() == [0.5, 5.0] and sv.end.tolist() == [4.5, 9.0]
    assert sv.wait.tolist() == [0.0, 4.5]  # the queue wait ends at the call


def test_transient_staffing_model_predicts_the_post_peak_slot_better_than_psa() -> None:
    """After a capped peak, the simulated trough waits are near the transient model's, far above PSA's."""
    sl = BranchConfig().service_level
    arrivals = np.array([5, 40, 40, 40, 5, 5.0])
    cap, t_slot = 4, 15.0
    dd = day_demand(arrivals, np.full(6, 4.0), 20.0, np.ones(6, bool), cap, t_slot, sl)
    servers = dd.required
    rng = np.random.default_rng(5)
    waits = []
    for _ in range(300):
        counts = rng.poisson(arrivals)
        arr = np.concatenate([s * t_slot + rng.uniform(0, t_slot, k) for s, k in enumerate(counts)])
        sv = serve_queue(
            arr, rng.exponential(4.0, len(arr)), rng.exponential(20.0, len(arr)), servers, t_slot, drain=4
        )
        waits.append(sv.wait[(arr >= 4 * t_slot) & (arr < 5 * t_slot)])
    sim = float(np.concatenate(waits).mean())
    psa = float(erlang_a(5 / t_slot, 0.25, 0.05, servers[4]).mean_wait)
    assert stationary_required(arrivals, 4.0, 20.0, t_slot, sl)[4] < dd.needed[4]
    assert abs(dd.mean_wait[4] - sim) < 0.35 * sim
    assert psa < 0.2 * sim


def test_open_windows_from_a_roster_are_capped_at_the_physical_windows() -> None:
    """People at a counter per slot become open windows, never more than the branch has."""
    cfg = BranchConfig().copy_with(windows={"high_counter": 2, "low_counter": 1, "corporate_counter": 1})
    day = BranchCalendar(cfg).day(MONDAY)
    blocks = [Block(MONDAY, sid, 540, 600, "high_counter") for sid in ("S07", "S08", "S09")]
    roster = Roster((*blocks, Block(MONDAY, "S04", 600, 660, "low_counter")))
    ow = open_windows(roster, [day], cfg)
    hi = ow[(MONDAY, "high_counter")]
    assert hi[day.slot_of(540)] == 2 and hi[day.slot_of(600)] == 0
    assert ow[(MONDAY, "low_counter")][day.slot_of(615)] == 1


def week_setup(windows: int = 3):
    """Two open days, a flat forecast and a flat schedule."""
    cfg = BranchConfig()
    days = BranchCalendar(cfg).week(MONDAY)[:2]
    fc = pd.DataFrame(
        [
            {"date": d.date, "slot": d.slot_starts[s], "counter": c, "mean": v}
            for d in days
            for s in d.open_slots
            for c, v in (("high_counter", 6.0), ("low_counter", 1.0), ("corporate_counter", 0.0))
        ]
    )
    sched = {(d.date, c): np.full(len(d.slot_starts), windows) for d in days for c in cfg.windows}
    return cfg, days, fc, sched


def test_week_simulation_output_and_reproducibility() -> None:
    """simulation.csv columns, one row per open slot and counter; the same seed gives the same numbers."""
    cfg, days, fc, sched = week_setup()
    profiles = {c: default_profile(c) for c in cfg.windows}
    a = simulate_week(sched, days, cfg, profiles, forecast=fc, replications=5, seed=3)
    b = simulate_week(sched, days, cfg, profiles, forecast=fc, replications=5, seed=3)
    assert tuple(a.slots.columns) == SIMULATION_COLUMNS
    assert len(a.slots) == sum(len(d.open_slots) for d in days) * 3
    pd.testing.assert_frame_equal(a.slots, b.slots)
    assert a.modes == {MONDAY: "forecast", MONDAY + dt.timedelta(days=1): "forecast"}
    hi = a.slots[a.slots["counter"] == "high_counter"]
    assert hi["arrivals"].mean() == pytest.approx(6.0, rel=0.15)
    assert (hi["open_windows"] == 3).all() and hi["utilization"].between(0, 1).all()
    corp = a.slots[a.slots["counter"] == "corporate_counter"]
    assert (corp["arrivals"] == 0).all() and corp["mean_wait_min"].isna().all()
    daily = a.per_day()
    assert set(daily["counter"]) == {"high_counter", "low_counter", "corporate_counter"}
    c = simulate_week(sched, days, cfg, profiles, forecast=fc, replications=5, seed=4)
    assert not c.slots["mean_wait_min"].equals(a.slots["mean_wait_min"])


def test_fewer_windows_mean_longer_waits() -> None:
    """Halving the windows lengthens waits and abandonment on the same customers (same seed)."""
    cfg, days, fc, sched3 = week_setup(3)
    _, _, _, sched1 = week_setup(1)
    prof = {c: default_profile(c) for c in cfg.windows}
    r3 = simulate_week(sched3, days, cfg, prof, forecast=fc, replications=3, seed=1).per_day()
    r1 = simulate_week(sched1, days, cfg, prof, forecast=fc, replications=3, seed=1).per_day()
    hi3, hi1 = (r[r["counter"] == "high_counter"] for r in (r3, r1))
    assert (hi1["mean_wait_min"].to_numpy() > hi3["mean_wait_min"].to_numpy()).all()
    assert (hi1["abandoned"].to_numpy() > hi3["abandoned"].to_numpy()).all()


def test_replay_week_with_ample_windows_reproduces_short_waits() -> None:
    """Replaying light tickets under 4 open windows: nobody waits long, every served ticket is served."""
    cfg = BranchConfig()
    days = BranchCalendar(cfg).week(MONDAY)[:1]
    t = tickets_of(MONDAY, 40)
    sched = {(MONDAY, c): np.full(len(days[0].slot_starts), 4) for c in cfg.windows}
    res = simulate_week(sched, days, cfg, {}, tickets=t, replications=2, seed=0)
    assert res.modes == {MONDAY: "replay"}
    hi = res.slots[res.slots["counter"] == "high_counter"]
    assert hi["arrivals"].sum() == pytest.approx(40)
    assert hi["p90_wait_min"].max() < 1.0


def test_missing_forecast_for_days_without_tickets_is_an_error() -> None:
    """A day with neither tickets nor a forecast cannot be simulated."""
    cfg, days, _, sched = week_setup()
    with pytest.raises(ValueError, match="no tickets and no forecast"):
        simulate_week(sched, days, cfg, {}, tickets=tickets_of(MONDAY, 10), replications=1)
