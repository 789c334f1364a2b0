"""demand — 窗口随客流开放 (open windows follow demand).

Hard: never more people at a counter type than it has windows; a window, once opened, stays open at least
``min_open_minutes`` (or to closing) instead of flickering. Cost: the expected customer-waiting minutes of each
slot with the windows it has open, from the queueing model's curve ``wait_minutes[slot, c]`` (convex,
decreasing in c), priced at ``costs.customer_wait_minute``; plus ``open_window_cny_per_hour`` for every
window-hour open — the back-office and marketing work the person at the window is not doing — so windows open
at peaks and close in troughs.

Encoding: for each counter, day and open slot, Booleans ``y_k = [open windows ≥ k]`` (k = 1 … windows),
ordered and summing to the people at the counter. With a convex curve the cost is linear in them:
``Σ_k (wait[k-1] − wait[k]) · (1 − y_k)`` above the floor ``wait[windows]``. The minimum run is a run length
constraint on each ``y_k``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES
from constraints.i18n import ACTIVITY_LABELS
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import ModelVars, PenaltyTerm, Rule, grid_of, runs, span, when


def wait_row(problem: Problem, day: Day, counter: str, s: int, windows: int) -> np.ndarray:
    """Expected waiting minutes in slot ``s`` with 0 … ``windows`` windows (zeros without demand)."""
    dem = problem.counter_demand(day.date, counter)
    if dem is None or s >= dem.wait_minutes.shape[0]:
        return np.zeros(windows + 1)
    row = np.asarray(dem.wait_minutes[s], dtype=float)
    if len(row) < windows + 1:
        row = np.concatenate([row, np.full(windows + 1 - len(row), row[-1] if len(row) else 0.0)])
    row = np.nan_to_num(row[: windows + 1], nan=0.0, posinf=1e6)
    return np.minimum.accumulate(np.clip(row, 0.0, 1e6))  # non-increasing, finite


def slot_costs(problem: Problem, day: Day, counter: str, s: int) -> tuple[list[float], float]:
    """CNY the model charges in one slot: ``deltas[k-1]`` while the k-th window is closed (the waiting it
    would save), and the cost of each open window-slot."""
    cfg = problem.config
    w = problem.windows(counter)
    row = wait_row(problem, day, counter, s, w)
    price = cfg.costs.customer_wait_minute
    deltas = [float(row[k - 1] - row[k]) * price for k in range(1, w + 1)]
    return deltas, cfg.rules.demand.open_window_cny_per_hour * cfg.grid.slot_minutes / 60.0


def priced_windows(problem: Problem, day: Day, counter: str, s: int, scale: int) -> np.ndarray:
    """cost[k], k = 0 … windows: what the model charges in slot ``s`` with k windows open, in objective units
    (``scale`` per CNY, each coefficient rounded as :meth:`ModelVars.cost` rounds it), floor left out."""
    deltas, open_cost = slot_costs(problem, day, counter, s)
    shut = [round(x * scale) if x > 0 else 0 for x in deltas]
    per_open = round(open_cost * scale) if open_cost > 0 else 0
    return np.array([sum(shut[k:]) + per_open * k for k in range(len(shut) + 1)], dtype=np.int64)


def open_counters(problem: Problem, days: Iterable[Day]) -> Iterator[tuple[Day, str, int]]:
    """(day, counter, windows) for every open day and counter type with windows."""
    for day in days:
        if not day.is_open:
            continue
        for c in COUNTER_TYPES:
            w = problem.windows(c)
            if w > 0:
                yield day, c, w


def min_run_slots(problem: Problem) -> int:
    """Slots a window stays open at least."""
    prm = problem.config.rules.demand
    return max(1, math.ceil(prm.min_open_minutes / problem.config.grid.slot_minutes))


class Demand(Rule):
    """窗口随客流开放, 不超过物理窗口数, 开窗至少 min_open_minutes."""

    name = "demand"
    label_zh = "窗口随客流开放"
    label_en = "Open windows follow demand"
    kind = "hard"
    summary_zh = "各柜台开窗数不超过物理窗口数, 开窗后至少保持最短时长"
    summary_en = "open windows never exceed the physical windows and stay open a minimum run"

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Window-count Booleans, the run length, and the waiting and open-window costs."""
        price = problem.config.costs.customer_wait_minute
        run = min_run_slots(problem)
        wait_terms: list[tuple[float, Any]] = []
        open_terms: list[tuple[float, Any]] = []
        floor = 0.0
        for day, c, w in open_counters(problem, vars.days()):
            ys: dict[int, list[Any]] = {}
            for s in day.open_slots:
                y = [vars.new_bool(f"open_{c}_{day.date}_{s}_{k}") for k in range(1, w + 1)]
                vars.add(sum(y) == vars.on_counter(c, day.date, s))
                for a, b in itertools.pairwise(y):
                    vars.add(a >= b)
                ys[s] = y
                floor += float(wait_row(problem, day, c, s, w)[w]) * price
                deltas, open_cost = slot_costs(problem, day, c, s)
                for k, delta in enumerate(deltas, start=1):
                    if delta > 0:
                        wait_terms.append((delta, 1 - y[k - 1]))
                    if open_cost > 0:
                        open_terms.append((open_cost, y[k - 1]))
            if run > 1:
                open_set = set(day.open_slots)
                for s in day.open_slots:
                    for k in range(w):
                        before = ys[s - 1][k] if s - 1 in open_set else 0
                        for j in range(1, run):
                            if s + j in open_set:
                                vars.add(ys[s + j][k] >= ys[s][k] - before, self.name, day.date)
        return [
            vars.cost("demand.wait", self.name, wait_terms, floor, ("客户等候", "Customer waiting")),
            vars.cost("demand.open_windows", self.name, open_terms, 0.0, ("开窗占用", "Window-hours open")),
        ]

    def lower_bound(self, problem: Problem, scale: int, least: dict[tuple[dt.date, str, int], int]) -> int:
        """Each slot on its own at its cheapest window count: between what other rules force (``least``) and
        the physical windows, or the skilled people not on leave that day if fewer."""
        total = 0
        for day, c, w in open_counters(problem, problem.days):
            staff = sum(
                1 for p in problem.staff.with_skill(c) if not problem.away_all_day(p.staff_id, day.date)
            )
            top = min(w, staff)
            for s in day.open_slots:
                lo = min(least.get((day.date, c, s), 0), top)
                total += int(priced_windows(problem, day, c, s, scale)[lo : top + 1].min())
        return total

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Too many people at a counter, counters staffed when closed, windows opened too briefly; and, as
        soft notes, slots below the required windows."""
        out: list[Violation] = []
        ids = problem.staff.ids()
        run = min_run_slots(problem)
        for day in problem.days:
            if not day.slot_starts:
                continue
            g = grid_of(problem, roster, day)
            open_set = set(day.open_slots)
            closed_slots = [s for s in range(len(day.slot_starts)) if s not in open_set]
            for c in COUNTER_TYPES:
                zh_c, en_c = ACTIVITY_LABELS[c]
                at = g == c
                n = at.sum(axis=0)
                w = problem.windows(c)
                for r in runs(n > w, day.open_slots):
                    a, b = span(day, r)
                    out.append(
                        self.violation(
                            day.date,
                            a,
                            b,
                            f"{when(day, a, b)}: {zh_c}有 {int(n[r].max())} 人, 只有 {w} 个窗口",
                            f"{when(day, a, b, lang='en')}: {int(n[r].max())} people at the {en_c.lower()}, "
                            f"only {w} windows",
                            [ids[p] for p in np.flatnonzero(at[:, r].any(axis=1))],
                        )
                    )
                for r in runs(n > 0, closed_slots):
                    a, b = span(day, r)
                    out.append(
                        self.violation(
                            day.date,
                            a,
                            b,
                            f"{when(day, a, b)}: 非营业时间安排了{zh_c}",
                            f"{when(day, a, b, lang='en')}: {en_c.lower()} staffed outside opening hours",
                            [ids[p] for p in np.flatnonzero(at[:, r].any(axis=1))],
                        )
                    )
                if not day.open_slots:
                    continue
                last = day.open_slots[-1]
                for k in range(1, max(int(n.max()) if len(n) else 0, 0) + 1):
                    for r in runs(n >= k, day.open_slots):
                        if len(r) < run and r[-1] != last:
                            a, b = span(day, r)
                            out.append(
                                self.violation(
                                    day.date,
                                    a,
                                    b,
                                    f"{when(day, a, b)}: 第 {k} 个{zh_c}窗口只开 {b - a} 分钟 "
                                    f"(至少 {problem.config.rules.demand.min_open_minutes} 分钟)",
                                    f"{when(day, a, b, lang='en')}: {en_c.lower()} window {k} open only "
                                    f"{b - a} min (at least {problem.config.rules.demand.min_open_minutes})",
                                )
                            )
                dem = problem.counter_demand(day.date, c)
                if dem is None:
                    continue
                req = np.minimum(np.asarray(dem.required, dtype=int)[: len(n)], w)
                short = np.zeros(len(n), dtype=bool)
                short[: len(req)] = n[: len(req)] < req
                for r in runs(short, day.open_slots):
                    a, b = span(day, r)
                    out.append(
                        self.violation(
                            day.date,
                            a,
                            b,
                            f"{when(day, a, b)}: {zh_c}开 {int(n[r].min())} 个窗口, 需要 {int(req[r].max())} 个",
                            f"{when(day, a, b, lang='en')}: {int(n[r].min())} {en_c.lower()} windows open, "
                            f"{int(req[r].max())} required",
                            hard=False,
                        )
                    )
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """The windows and the minimum run."""
        w = ", ".join(f"{ACTIVITY_LABELS[c][0]} {problem.windows(c)}" for c in COUNTER_TYPES)
        m = problem.config.rules.demand.min_open_minutes
        return (
            f"开窗不超过物理窗口数 ({w}), 开窗后至少开 {m} 分钟",
            f"open windows within the physical windows, each open at least {m} min",
        )
