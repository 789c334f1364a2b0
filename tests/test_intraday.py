"""Tests of the intraday advice: the re-forecast, the queue now and its path, the moves and the hard rules."""

from __future__ import annotations

import intraday_fixtures as fx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constraints.calendar import BranchCalendar
from constraints.config import parse_hhmm
from constraints.roster import OFF
from constraints.rules import check_roster
from forecasts.intraday import (
    Segment,
    forecast_dispersion,
    level_multiplier,
    queue_paths,
    reforecast_day,
    totals_dispersion,
)
from forecasts.nbinom import nb_quantiles
from scheduler.app.intraday import Advice, LobbyAway, advise, queue_now, roster_with
from scheduler.app.intraday_replay import count_moves, replay_day
from scheduler.app.intraday_text import advice_dict, advice_lines
from scheduler.simulation.simulate import serve_queue

DAY = BranchCalendar(fx.config()).day(fx.DATE)


def minute(text: str) -> int:
    return parse_hhmm(text)


def issued_matching(fc: pd.DataFrame, counter: str, until: int, factor: float = 1.0) -> np.ndarray:
    """Issue minutes placing exactly round(factor × mean) tickets in every slot before ``until``."""
    out = []
    for r in fc[fc["counter"] == counter].itertuples():
        if r.slot + 15 <= until:
            n = round(factor * r.mean)
            out += list(r.slot + 15 * (np.arange(n) + 0.5) / max(n, 1))
    return np.asarray(out, dtype=float)


def integer_forecast() -> pd.DataFrame:
    """The fixture forecast with whole-number means (so a day can match it exactly)."""
    fc = fx.forecast()
    return fc.assign(mean=fc["mean"].round().clip(lower=1.0))


# ---- the re-forecast --------------------------------------------------------------------------------------


def test_fixture_roster_holds_every_hard_rule() -> None:
    """The fixture's roster (without the sick leave) breaks no hard rule: advice starts from a legal plan."""
    t = fx.today(absences=())
    assert [v.message() for v in check_roster(t.problem, t.roster) if v.hard] == []


@pytest.mark.parametrize("halflife", [None, 60.0])
def test_reforecast_does_not_move_when_today_matches_the_forecast(halflife: float | None) -> None:
    """Tickets exactly as forecast slot by slot: level 1, the rest of the day unchanged (with or without decay)."""
    fc = integer_forecast()
    at = minute("11:00")
    issued = {c: issued_matching(fc, c, at) for c in fx.DAILY}
    rf = reforecast_day(fc, DAY, issued, at, alphas={"high_counter": 0.02, "low_counter": 0.05},
                        halflife_minutes=halflife)  # fmt: skip
    for c in fx.DAILY:
        assert rf.levels[c].multiplier == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_allclose(rf.after[c], rf.before[c])
        assert rf.levels[c].rest_after == pytest.approx(rf.levels[c].rest_before)


def test_reforecast_moves_toward_the_observed_level_by_the_credibility_weight() -> None:
    """30 % more tickets than forecast by 11:00: level (k + N)/(k + M), k = 1/α; later slots scaled by it."""
    fc = integer_forecast()
    at = minute("11:00")
    alpha = 0.02
    issued = {"high_counter": issued_matching(fc, "high_counter", at, 1.3)}
    rf = reforecast_day(fc, DAY, issued, at, alphas={"high_counter": alpha})
    lv = rf.levels["high_counter"]
    m = fc[(fc["counter"] == "high_counter") & (fc["slot"] < at)]["mean"].sum()
    n = len(issued["high_counter"])
    assert lv.expected_so_far == pytest.approx(m)
    assert lv.observed_so_far == n
    expected = (1 / alpha + n) / (1 / alpha + m)
    assert lv.multiplier == pytest.approx(expected)
    assert 1.0 < lv.multiplier < n / m  # between the forecast and the naive ratio
    later = [s for s in DAY.open_slots if DAY.slot_starts[s] >= at]
    np.testing.assert_allclose(rf.after["high_counter"][later], rf.before["high_counter"][later] * expected)
    earlier = [s for s in DAY.open_slots if DAY.slot_starts[s] < at]
    np.testing.assert_allclose(rf.after["high_counter"][earlier], rf.before["high_counter"][earlier])


def test_one_busy_half_hour_is_not_extrapolated() -> None:
    """A day on forecast but for one half-hour at double: the level rises a little, far below the half-hour's ×2."""
    fc = integer_forecast()
    at = minute("10:30")
    base = issued_matching(fc, "high_counter", at)
    busy = base[(base >= minute("10:00")) & (base < at)]
    issued = {"high_counter": np.concatenate([base, busy + 0.1])}
    lv = reforecast_day(fc, DAY, issued, at, alphas={"high_counter": 0.02}).levels["high_counter"]
    ratio = lv.observed_so_far / lv.expected_so_far  # the morning's naive ratio (the half-hour's is 2)
    assert 1.0 < lv.multiplier < 1.2 < ratio
    assert lv.multiplier - 1 < 0.5 * (ratio - 1)


def test_level_multiplier_discounts_old_evidence() -> None:
    """With weights the level is (k + Σ w·N)/(k + Σ w·M): recent surplus counts more than an old one."""
    expected = np.array([10.0, 10.0])
    early = level_multiplier(expected, np.array([20.0, 10.0]), np.array([0.25, 1.0]), 0.05)
    late = level_multiplier(expected, np.array([10.0, 20.0]), np.array([0.25, 1.0]), 0.05)
    assert early == pytest.approx((20 + 0.25 * 20 + 10) / (20 + 12.5))
    assert late > early > 1.0
    assert (
        level_multiplier(expected, np.array([20.0, 20.0]), np.ones(2), 0.0) == 1.0
    )  # no uncertainty, no move


def test_forecast_dispersion_recovers_the_quantiles_alpha() -> None:
    """Quantiles made with NB2(α = 0.05) give back α ≈ 0.05; Poisson quantiles give 0; none gives None."""
    mean = np.linspace(2, 12, 20)
    q = nb_quantiles(mean, 0.05, [0.5, 0.8, 0.95])
    rows = pd.DataFrame({"mean": mean, "q50": q[:, 0], "q80": q[:, 1], "q95": q[:, 2]})
    assert forecast_dispersion(rows) == pytest.approx(0.05, rel=0.12)
    qp = nb_quantiles(mean, 0.0, [0.5, 0.95])
    assert forecast_dispersion(pd.DataFrame({"mean": mean, "q50": qp[:, 0], "q95": qp[:, 1]})) == 0.0
    assert forecast_dispersion(pd.DataFrame({"mean": mean})) is None


def test_totals_dispersion_measures_day_level_noise() -> None:
    """Day totals scaled by Gamma noise of CV 15 % around their forecasts: α ≈ 0.0225."""
    rng = np.random.default_rng(0)
    days = 4000
    level = rng.gamma(1 / 0.0225, 0.0225, size=days)
    y = rng.poisson(200.0 * level)
    slots = pd.DataFrame({"date": np.arange(days), "counter": "high_counter", "y": y, "mean": 200.0})
    assert totals_dispersion(slots)["high_counter"] == pytest.approx(0.0225, rel=0.1)


# ---- the queue now and its path ---------------------------------------------------------------------------


def test_queue_now_counts_waiting_and_in_service_as_of_the_moment() -> None:
    """Waiting: issued, not called by then (a never-called abandoned ticket left); in service: called, unfinished."""
    d = pd.Timestamp(fx.DATE)
    m = pd.Timedelta(minutes=1)
    nat = pd.NaT
    t = pd.DataFrame(
        {
            "counter": ["high_counter"] * 5 + ["low_counter"],
            "issued_at": [d + 600 * m, d + 601 * m, d + 602 * m, d + 603 * m, d + 640 * m, d + 605 * m],
            "called_at": [d + 603 * m, d + 620 * m, nat, nat, nat, d + 606 * m],
            "started_at": [d + 603 * m, d + 620 * m, nat, nat, nat, d + 606 * m],
            "finished_at": [d + 607 * m, nat, nat, nat, nat, d + 630 * m],
            "status": ["served", "served", "waiting", "abandoned", "waiting", "served"],
        }
    )
    at = d + 610 * m
    assert queue_now(t, at)["high_counter"] == (
        2,
        0,
    )  # the 2nd (called later) and the 3rd; the 5th not yet issued
    assert queue_now(t, at)["low_counter"] == (0, 1)
    assert queue_now(t, d + 625 * m)["high_counter"] == (1, 1)


def test_queue_path_matches_the_simulated_queue() -> None:
    """The chain from 12 waiting with 2 then 3 windows: expected queue within 10 % (+0.3) of 4000 simulations."""
    segs = [Segment(600 + 15 * k, 15.0, 6.0, 4.0) for k in range(4)]
    windows = np.array([[2, 2, 3, 3]])
    path = queue_paths(12, segs, 30.0, windows)
    rng = np.random.default_rng(1)
    reps, ends = 4000, np.array([615.0, 630.0, 645.0, 660.0]) - 1e-6  # just before a window opens at 630
    waiting = np.zeros(4)
    for _ in range(reps):
        k = rng.poisson(24)
        arr = np.concatenate([np.full(12, 599.999), np.sort(rng.uniform(600, 660, k))])
        svc = rng.exponential(4.0, len(arr))
        pat = rng.exponential(30.0, len(arr))
        pat[:12] = rng.exponential(30.0, 12)  # memoryless: the ones already waiting
        sv = serve_queue(arr, svc, pat, np.array([2, 2, 3, 3]), 15.0, start=600.0, drain=3)
        called = np.where(np.isfinite(sv.called), sv.called, arr + sv.wait)
        waiting += ((arr[None, :] <= ends[:, None]) & (called[None, :] > ends[:, None])).sum(axis=1)
    waiting /= reps
    np.testing.assert_allclose(path.waiting_end[0], waiting, rtol=0.1, atol=0.3)
    assert (
        queue_paths(12, segs, 30.0, np.array([[3, 3, 3, 3]])).total_minutes() < path.total_minutes()
    ).all()


# ---- the advice -------------------------------------------------------------------------------------------


def at_lunch_or_away(advice: Advice, staff_id: str, start: int, end: int) -> bool:
    """True when the person is at lunch, at the meeting, off, or on leave anywhere in [start, end)."""
    t = advice.today
    ids = t.problem.staff.ids()
    grid = t.roster.grid(t.day, ids)
    p = ids.index(staff_id)
    for s, begin in enumerate(t.day.slot_starts):
        if (
            start < begin + t.day.slot_minutes
            and begin < end
            and (grid[p, s] in (OFF, "break", "meeting") or not t.problem.available(staff_id, t.day, s))
        ):
            return True
    return False


def assert_sound(advice: Advice) -> None:
    """Every advised person present, skilled, not at lunch nor on leave; no hard rule newly broken."""
    t = advice.today
    for move in advice.moves:
        for a in move.assignments:
            person = t.problem.staff.by_id(a.staff_id)
            assert person.can(a.to_activity) or a.to_activity == "back_office", (a, person.skills)
            assert not at_lunch_or_away(advice, a.staff_id, a.start, a.end), a
    before = {(v.rule, v.start) for v in check_roster(t.problem, roster_with(t, ())) if v.hard}
    after = {(v.rule, v.start) for v in check_roster(t.problem, advice.roster) if v.hard}
    assert after <= before, after - before


def test_a_building_queue_gets_a_window_opened_by_someone_free() -> None:
    """15 waiting at the high counter at 10:30, two of three windows open: 周杰 leaves the back office for an hour."""
    adv = advise(fx.today(), fx.tickets("10:30", {"high_counter": 15}), minute("10:30"))
    assert adv.queue["high_counter"].waiting == 15 and adv.queue["high_counter"].open_windows == 2
    first = adv.moves[0]
    assert first.kind == "open_window"
    (a,) = first.assignments
    assert (a.staff_id, a.from_activity, a.to_activity, a.start, a.end) == (
        "T3", "back_office", "high_counter", minute("10:30"), minute("11:30"))  # fmt: skip
    assert first.wait_after < first.wait_before
    assert first.window == "3"
    assert adv.path_after["high_counter"].sum() < adv.path_before["high_counter"].sum()
    assert "10:30 起 周杰 从后台到高柜 3 号窗口, 11:30 可回后台" in "\n".join(advice_lines(adv, "zh"))
    assert_sound(adv)


def test_no_move_when_the_queue_is_quiet() -> None:
    """A quiet day (half the usual customers, on its forecast) with nobody waiting: no advice at all."""
    for at in ("09:30", "10:30", "15:00"):
        adv = advise(fx.today(level=0.5), fx.tickets(at, {}, level=0.5), minute(at))
        assert adv.moves == ()
        assert adv.reforecast.levels["high_counter"].multiplier == pytest.approx(1.0, abs=0.05)


def test_the_sick_teller_and_the_unskilled_are_never_moved() -> None:
    """吴娜 (on sick leave, rostered in the back office) and 李婷 (no counter skill) never go to a counter."""
    for at in ("09:30", "10:30", "14:00", "15:30"):
        adv = advise(fx.today(), fx.tickets(at, {"high_counter": 25, "low_counter": 8}), minute(at))
        moved = {(a.staff_id, a.to_activity) for m in adv.moves for a in m.assignments}
        assert not any(sid == "T4" for sid, _ in moved)
        assert ("B", "high_counter") not in moved and ("B", "low_counter") not in moved
        assert_sound(adv)


def test_nobody_at_lunch_is_called_back() -> None:
    """At 11:05 赵敏 and 王建国, 陈静 are at lunch: a long queue moves nobody of them."""
    adv = advise(fx.today(), fx.tickets("11:05", {"high_counter": 30, "low_counter": 10}), minute("11:05"))
    assert not {a.staff_id for m in adv.moves for a in m.assignments} & {"T1", "P", "E"}
    assert_sound(adv)


def test_the_lobby_manager_leaves_the_floor_only_when_a_backup_takes_it() -> None:
    """With the low counter empty from 11:00 the lobby manager opens it only as the backup takes the floor."""
    adv = advise(fx.today(), fx.tickets("10:50", {"high_counter": 6, "low_counter": 10}), minute("10:50"))
    lm = [a for m in adv.moves for a in m.assignments if a.staff_id == "L"]
    assert lm, "the lobby manager (low-counter skill) should open the empty low counter"
    for move in adv.moves:
        if any(a.from_activity == "lobby" for a in move.assignments):
            assert move.kind == "cover_lobby"
            assert any(a.to_activity == "lobby" for a in move.assignments)
    assert_sound(adv)


def test_noon_rule_keeps_two_at_the_high_counter() -> None:
    """12:10, low counter empty and queueing, three at the high counter: at most one of them may leave it."""
    adv = advise(fx.today(), fx.tickets("12:10", {"low_counter": 10}), minute("12:10"))
    ids = adv.today.problem.staff.ids()
    grid = adv.roster.grid(adv.today.day, ids)
    noon = [s for s, t in enumerate(adv.today.day.slot_starts) if minute("11:30") <= t < minute("13:30")]
    assert ((grid[:, noon] == "high_counter").sum(axis=0) >= 2).all()
    assert_sound(adv)


def test_lobby_manager_called_away_hands_the_floor_to_a_free_backup() -> None:
    """--lobby-away: the backup free in the back office takes the floor for 30 minutes, the reason quoted."""
    adv = advise(fx.today(), fx.tickets("10:20", {}), minute("10:20"), lobby_away=LobbyAway(30, "处理投诉"))
    first = adv.moves[0]
    assert first.kind == "lobby_away"
    backup, manager = first.assignments
    assert manager.staff_id == "L" and manager.from_activity == "lobby"
    assert backup.to_activity == "lobby" and backup.staff_id in (
        "B",
        "E",
    )  # free in the back office, not the president
    assert (backup.start, backup.end) == (minute("10:20"), minute("10:50"))
    text = "\n".join(advice_lines(adv, "zh"))
    assert "后备大堂经理" in text and "接班 (大堂经理处理投诉)" in text
    items = advice_dict(adv, "zh")["advice"]
    assert {"time", "staff_id", "name", "from", "to", "reason", "wait_before_min", "wait_after_min"} <= items[
        0
    ].keys()
    assert_sound(adv)


def test_followed_moves_are_not_advised_again() -> None:
    """The move advised at 10:30 and followed is part of the roster at 10:45: not repeated."""
    t = fx.today()
    first = advise(t, fx.tickets("10:30", {"high_counter": 15}), minute("10:30"))
    later = advise(t, fx.tickets("10:45", {"high_counter": 8}), minute("10:45"), followed=first.moves)
    assert later.queue["high_counter"].open_windows == 3
    assert not [m for m in later.moves if m.assignments == first.moves[0].assignments]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    at=st.integers(min_value=minute("09:00"), max_value=minute("16:45")),
    high=st.integers(min_value=0, max_value=40),
    low=st.integers(min_value=0, max_value=12),
)
def test_every_advised_move_keeps_the_hard_rules(at: int, high: int, low: int) -> None:
    """Whatever the hour and the queues: advice names only present, skilled people and breaks no hard rule."""
    hhmm = f"{at // 60:02d}:{at % 60:02d}"
    adv = advise(fx.today(), fx.tickets(hhmm, {"high_counter": high, "low_counter": low}), at)
    assert len(adv.moves) <= 3
    assert_sound(adv)


# ---- the replay -------------------------------------------------------------------------------------------


def surge_tickets(factor: float, seed: int = 3) -> pd.DataFrame:
    """A whole day's tickets: Poisson arrivals at ``factor`` × the forecast from 10:00 on, cash ≈ 4 min."""
    rng = np.random.default_rng(seed)
    fc = fx.forecast()
    rows = []
    for r in fc.itertuples():
        scale = factor if r.slot >= minute("10:00") else 1.0
        for x in np.sort(rng.uniform(r.slot, r.slot + 15, rng.poisson(r.mean * scale))):
            svc = rng.exponential(fx.SERVICE[r.counter])
            rows.append((r.counter, x, x + 1, x + 1 + svc))
    d = pd.Timestamp(fx.DATE)
    df = pd.DataFrame(rows, columns=["counter", "issued", "started", "finished"])
    return pd.DataFrame(
        {
            "counter": df["counter"],
            "issued_at": d + pd.to_timedelta(df["issued"], unit="min"),
            "called_at": d + pd.to_timedelta(df["started"], unit="min"),
            "started_at": d + pd.to_timedelta(df["started"], unit="min"),
            "finished_at": d + pd.to_timedelta(df["finished"], unit="min"),
            "status": "served",
            "vip": False,
        }
    )


def test_replay_of_a_surprise_day_waits_less_with_the_advice() -> None:
    """+80 % from 10:00 on the fixture's lean day: following the advice cuts the mean wait, with few moves."""
    t = fx.today()
    replay = replay_day(t, surge_tickets(1.8), every=15)
    s = replay.summary()
    assert s["mean_wait_advice"] < s["mean_wait_roster"]
    assert 1 <= s["moves"] <= 10
    assert s["customers"] == len(replay.waits_advice)
    frame = replay.frame()
    assert set(frame["counter"]) >= {"high_counter", "low_counter"}
    assert (frame["roster"] >= 0).all() and (frame["advice"] >= 0).all()
    for move in replay.moves:
        assert move.start >= minute("09:00")
    fig = replay.plot(lang="en")
    assert len(fig.axes[0].lines) >= 2


def test_count_moves_counts_a_continued_move_once() -> None:
    """Two back-to-back hours of the same person at the same counter are one move; a later return is another."""
    adv = advise(fx.today(), fx.tickets("10:30", {"high_counter": 15}), minute("10:30"))
    m = adv.moves[0]
    a = m.assignments[0]
    from dataclasses import replace

    cont = replace(m, assignments=(replace(a, start=a.end, end=a.end + 30),))
    again = replace(m, assignments=(replace(a, start=a.end + 60, end=a.end + 90),))
    assert count_moves([m, cont]) == 1
    assert count_moves([m, cont, again]) == 2
