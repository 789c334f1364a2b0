"""Tiny documented branches built in code (no files), and a synthetic demand curve.

* ``tiny_config()`` — the default branch with 30-minute slots (workday 08:30–17:30 staff time = 18 slots,
  weekend 09:00–16:30 = 15 slots), two high-counter windows, one low-counter window and no corporate window
  unless told, lunch 60 min in 11:00–13:30, and a 班前会 at 11:30 for a late shift (three high-counter people
  cannot all start at the 08:30 晨会 and still keep two at the high counter through the lunches); no cash-box
  time (领尾箱: the late shift would draw its box at 11:30 and reach the counter at 12:00, one short of two
  through the lunches — ``tests/constraints/rules/test_cash_box.py`` turns it on).
* ``TINY_STAFF`` — six people who can just staff a day: 支行长 (lobby; branch+operations), 营业主管
  (high+low; operations, and branch authority by delegation — 临时授权 — so both authorities survive lunch), two 个人柜员 (high+low), two 理财经理 (lobby+low). ``TINY_WEEK_STAFF`` adds three,
  enough for a whole week.
* ``tickets_of(day, n)`` — a day of read tickets (one abandoned), for replays.
* ``synthetic_demand(problem)`` — arrivals with the DESIGN.md peaks (10–11 and 14–16), Monday ×1.10,
  weekend ×0.46, and an M/M/c waiting curve per slot, convex and decreasing in the windows open.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from constraints.calendar import BranchCalendar, Day
from constraints.config import COUNTER_TYPES, BranchConfig, TimeRange
from constraints.problem import CounterDemand, Problem
from constraints.staff import Absence, Person, Staff

MONDAY = dt.date(2026, 11, 30)
"""The plan week of the sample branch (no holidays in it)."""

SATURDAY = dt.date(2026, 12, 5)


def tiny_config(**updates: object) -> BranchConfig:
    """Default branch, 30-minute slots, windows 2 high / 1 low / 0 corporate (dotted-key updates apply)."""
    base = BranchConfig().copy_with(
        **{
            "grid.slot_minutes": 30,
            "windows": {"high_counter": 2, "low_counter": 1, "corporate_counter": 0},
            "rules.daily_routine.late_meeting": "11:30-12:00",
            "rules.daily_routine.cash_box_minutes": 0,
        }
    )
    return base.copy_with(**updates) if updates else base


def person(
    sid: str,
    post: str,
    skills: Iterable[str] = (),
    authorities: Iterable[str] = (),
    **extra: object,
) -> Person:
    """A Person with a readable name ``"P<sid>"``."""
    return Person(
        staff_id=sid,
        name=str(extra.pop("name", f"P{sid}")),
        post=post,
        skills=frozenset(skills),
        authorities=frozenset(authorities),
        **extra,
    )


TINY_STAFF = Staff(
    people=(
        person("A", "branch_president", ["lobby"], ["branch", "operations"]),
        person("B", "operations_supervisor", ["high_counter", "low_counter"], ["operations", "branch"]),
        person("C", "personal_teller", ["high_counter", "low_counter"]),
        person("D", "personal_teller", ["high_counter", "low_counter"]),
        person("E", "wealth_manager", ["lobby", "low_counter"]),
        person("F", "wealth_manager", ["lobby", "low_counter"]),
    )
)


TINY_WEEK_STAFF = Staff(
    people=(
        *TINY_STAFF.people,
        person("G", "personal_teller", ["high_counter", "low_counter"], ["operations"]),
        person("H", "sales_supervisor", ["lobby", "low_counter"], ["branch"]),
        person("I", "personal_teller", ["high_counter", "low_counter"]),
    )
)
"""Nine people — the six, another 个人柜员 with operations authority, a 销售主管 (lobby+low; branch) and a third
个人柜员 — enough to staff a whole week of the tiny branch: four can cover the lobby, four hold branch or
operations authority, five can staff the high counter."""


def days_of(config: BranchConfig, dates: Sequence[dt.date]) -> tuple[Day, ...]:
    """Calendar days of the dates."""
    cal = BranchCalendar(config)
    return tuple(cal.day(d) for d in dates)


def tiny_problem(
    dates: Sequence[dt.date] = (MONDAY,),
    *,
    config: BranchConfig | None = None,
    staff: Staff = TINY_STAFF,
    absences: Iterable[Absence] = (),
    demand: bool = True,
    level: float = 1.0,
) -> Problem:
    """A problem over a few dates of the tiny branch (labour floor relaxed for partial weeks by default)."""
    cfg = config or tiny_config()
    days = days_of(cfg, dates)
    prob = Problem(config=cfg, staff=staff, days=days, absences=tuple(absences))
    if demand:
        prob = prob.replace(demand=synthetic_demand(prob, level=level))
    return prob


def tiny_week(days: int = 7) -> Problem:
    """The tiny branch's whole plan week (its week staff, the labour floor in force), or its first ``days``."""
    prob = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    if days < 7:
        prob = prob.replace(days=prob.days[:days])
    return prob.replace(demand=synthetic_demand(prob))


def leave(sid: str, date: dt.date, hours: str | None = None, reason: str = "年休假") -> Absence:
    """An absence (whole day when ``hours`` is None, else ``"09:00-12:00"``)."""
    return Absence(staff_id=sid, date=date, hours=TimeRange.parse(hours) if hours else None, reason=reason)


# ---- tickets ----------------------------------------------------------------------------------------------


def tickets_of(day: dt.date, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` read tickets of one day at the high counter: short real waits and services, the first one
    abandoned (过号) — what ``forecasts.tickets.read_tickets`` returns."""
    rng = np.random.default_rng(seed)
    issued = pd.Timestamp(day) + pd.to_timedelta(9 * 60 + np.sort(rng.uniform(0, 400, n)), unit="min")
    called = issued + pd.to_timedelta(rng.uniform(0, 2, n), unit="min")
    finished = called + pd.to_timedelta(rng.uniform(2, 6, n), unit="min")
    status = np.array(["served"] * n, dtype=object)
    status[0] = "abandoned"
    return pd.DataFrame(
        {
            "ticket_id": [f"A{i:03d}" for i in range(n)],
            "service": "个人现金",
            "counter": "high_counter",
            "issued_at": issued,
            "called_at": called,
            "started_at": called.where(status == "served"),
            "finished_at": finished.where(status == "served"),
            "window": "1",
            "teller": "S07",
            "status": status,
            "vip": False,
        }
    )


# ---- synthetic demand --------------------------------------------------------------------------------------

SERVICE_MINUTES = {"high_counter": 4.0, "low_counter": 10.0, "corporate_counter": 15.0}
DAILY_TICKETS = {"high_counter": 130.0, "low_counter": 45.0, "corporate_counter": 20.0}


def _profile(minute: float) -> float:
    """Relative arrival intensity by time of day: peaks 10–11 and 14–16, a dip at noon."""
    h = minute / 60.0
    return 0.6 + 0.9 * math.exp(-(((h - 10.5) / 0.8) ** 2)) + 0.8 * math.exp(-(((h - 15.0) / 1.1) ** 2))


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue (minutes) of M/M/c with rates per minute; ``inf`` when overloaded."""
    if c <= 0:
        return math.inf
    a = lam / mu
    rho = a / c
    if rho >= 1:
        return math.inf
    s = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) / (1 - rho)
    pw = top / (s + top)
    return pw / (c * mu - lam)


def wait_curve(arrivals: float, service: float, slot_minutes: int, windows: int) -> np.ndarray:
    """Expected waiting minutes generated in a slot with 0 … windows open: convex, decreasing.

    Overloaded cases (and c = 0) are priced as the whole slot's arrivals waiting through the slot and one
    more, times the overload — a finite, steep stand-in for a growing queue.
    """
    lam, mu = arrivals / slot_minutes, 1.0 / service
    out = []
    for c in range(windows + 1):
        w = erlang_c_wait(lam, mu, c)
        if math.isinf(w):
            load = lam / mu
            w = 2.0 * slot_minutes * (1.0 + load - c) if arrivals > 0 else 0.0
        out.append(arrivals * w)
    arr = np.minimum.accumulate(np.array(out))
    for _ in range(windows):  # enforce convexity: successive savings never grow
        d = np.diff(arr)
        for k in range(1, len(d)):
            if d[k] < d[k - 1]:
                d[k] = d[k - 1]
        arr = np.concatenate([[arr[0]], arr[0] + np.cumsum(d)])
    return np.maximum(arr, 0.0)


def synthetic_demand(problem: Problem, level: float = 1.0) -> dict[tuple[dt.date, str], CounterDemand]:
    """CounterDemand for every open day and counter type with windows, from the synthetic profile."""
    out: dict[tuple[dt.date, str], CounterDemand] = {}
    for day in problem.days:
        if not day.is_open:
            continue
        factor = level * (1.10 if day.date.weekday() == 0 else 0.46 if day.day_type == "weekend" else 1.0)
        n = len(day.slot_starts)
        open_set = set(day.open_slots)
        weights = np.array(
            [_profile(day.slot_starts[s] + day.slot_minutes / 2) if s in open_set else 0.0 for s in range(n)]
        )
        weights = weights / max(weights.sum(), 1e-9)
        for c in COUNTER_TYPES:
            w = problem.windows(c)
            if w <= 0:
                continue
            arrivals = DAILY_TICKETS[c] * factor * weights
            wait = np.zeros((n, w + 1))
            required = np.zeros(n, dtype=int)
            for s in range(n):
                if arrivals[s] <= 0:
                    continue
                wait[s] = wait_curve(arrivals[s], SERVICE_MINUTES[c], day.slot_minutes, w)
                lam, mu = arrivals[s] / day.slot_minutes, 1.0 / SERVICE_MINUTES[c]
                required[s] = next((k for k in range(1, w + 1) if erlang_c_wait(lam, mu, k) <= 5.0), w)
            out[(day.date, c)] = CounterDemand(day.date, c, arrivals, required, wait)
    return out


def hard_model(seed: int = 0) -> cp_model.CpModel:
    """A multi-dimensional knapsack (120 items, 25 capacities) CP-SAT cannot prove optimal in minutes on
    one worker: a solve of it runs until its time limit unless stopped."""
    rng = np.random.default_rng(seed)
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(120)]
    for _ in range(25):
        w = rng.integers(1, 101, len(x))
        m.add(sum(int(wi) * xi for wi, xi in zip(w, x, strict=True)) <= int(w.sum()) // 3)
    m.maximize(sum(int(v) * xi for v, xi in zip(rng.integers(1, 101, len(x)), x, strict=True)))
    return m
