"""Simulation speed: a 7-day roster with 50 replications, against 1 replication and the Erlang evaluation.

The week: the default branch (4 high, 2 low, 1 corporate windows; weekdays 09:00–17:00, weekend 09:30–16:00),
about 250 counter customers on a weekday (70 % cash, 22 % non-cash, 8 % corporate; DESIGN.md), peaks 10–11 and
14–16, weekend ×0.46, Monday ×1.10. The roster opens the windows :func:`forecasts.staffing.build_demand`
requires (people at counters, as a :class:`constraints.roster.Roster`). Timed (median of ``--repeat`` runs):

* ``build_demand`` — the Erlang A transient evaluation of the same week (required windows and wait_minutes);
* ``simulate_week`` with 1 and with 50 replications (sampling from the forecast, event loop, per-slot tables);
* the same 50 replications with a 4× busier branch (1000 customers a weekday, windows scaled to match).

Usage: ``python -m benchmarks.bench_simulate [--replications 50] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar, Day
from constraints.config import BranchConfig
from constraints.roster import Roster
from forecasts.service import default_profile
from forecasts.staffing import build_demand
from scheduler.simulation.simulate import simulate_week

MONDAY = dt.date(2026, 11, 2)
SHARES = {"high_counter": 0.70, "low_counter": 0.22, "corporate_counter": 0.08}
HALF_HOUR_PROFILE = (
    0.80,
    1.05,
    1.35,
    1.40,
    1.15,
    0.85,
    0.60,
    0.60,
    0.75,
    0.95,
    1.25,
    1.35,
    1.35,
    1.20,
    0.90,
    0.65,
)


def week_forecast(days: list[Day], per_weekday: float) -> pd.DataFrame:
    """Expected arrivals per open slot and counter."""
    rows = []
    for day in days:
        if not day.open_slots:
            continue
        factor = 0.46 if day.day_type == "weekend" else (1.10 if day.date.weekday() == 0 else 1.0)
        starts = [day.slot_starts[s] for s in day.open_slots]
        w = np.array([HALF_HOUR_PROFILE[min(max((m - 540) // 30, 0), 15)] for m in starts])
        w = w / w.sum()
        for counter, share in SHARES.items():
            for m, x in zip(starts, w, strict=True):
                rows.append(
                    {
                        "date": day.date,
                        "slot": m,
                        "counter": counter,
                        "mean": per_weekday * factor * share * x,
                    }
                )
    return pd.DataFrame(rows)


def roster_from(demand: dict, days: list[Day], config: BranchConfig) -> Roster:
    """People at counters as required: person k of a counter works it in the slots needing more than k windows."""
    parts = []
    for day in days:
        if not day.slot_starts:
            continue
        ids, rows = [], []
        for counter, cap in config.windows.items():
            req = demand[(day.date, counter)].required
            for k in range(cap):
                ids.append(f"{counter[:2]}{k}")
                rows.append(np.where(req > k, counter, ""))
        parts.append(Roster.from_grid(day, ids, np.array(rows, dtype=object)))
    return Roster.concat(parts)


def timed(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``repeat`` calls, and the last result."""
    wall, cpu, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), out


def main(argv: list[str] | None = None) -> int:
    """Print the timing table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rows = []
    for label, per_day, scale in (("250/weekday", 250.0, 1), ("1000/weekday", 1000.0, 4)):
        base = BranchConfig()
        cfg = base.copy_with(windows={c: n * scale for c, n in base.windows.items()})
        days = BranchCalendar(cfg).week(MONDAY)
        fc = week_forecast(days, per_day)
        profiles = {c: default_profile(c) for c in cfg.windows}
        t_dem, c_dem, demand = timed(lambda: build_demand(fc, days, cfg, profiles), args.repeat)  # noqa: B023
        roster = roster_from(demand, days, cfg)  # type: ignore[arg-type]
        reps = (1, args.replications) if scale == 1 else (args.replications,)
        for r in reps:
            t_sim, c_sim, res = timed(
                lambda r=r: simulate_week(roster, days, cfg, profiles, forecast=fc, replications=r, seed=0),  # noqa: B023
                args.repeat,
            )
            n = len(res.customers)  # type: ignore[attr-defined]
            rows.append(
                {
                    "branch": label,
                    "what": f"simulate_week, {r} replication{'s' if r > 1 else ''}",
                    "seconds": t_sim,
                    "cpu_s": c_sim,
                    "customers": n,
                    "us_per_customer": 1e6 * t_sim / max(n, 1),
                }
            )
        rows.append(
            {
                "branch": label,
                "what": "build_demand (Erlang A transient)",
                "seconds": t_dem,
                "cpu_s": c_dem,
                "customers": np.nan,
                "us_per_customer": np.nan,
            }
        )
    table = pd.DataFrame(rows)
    one = table.loc[table["what"] == "simulate_week, 1 replication", "seconds"].iloc[0]
    erl = table.loc[table["what"].str.startswith("build_demand"), "seconds"].iloc[0]
    table["vs_1_replication"] = table["seconds"] / one
    table["vs_erlang_week"] = table["seconds"] / erl
    pd.set_option("display.width", 200)
    load = os.getloadavg()[0]
    print(f"7-day week from {MONDAY}, median of {args.repeat} runs (load average {load:.1f}):")
    print(
        table.round(
            {"seconds": 3, "cpu_s": 3, "us_per_customer": 1, "vs_1_replication": 2, "vs_erlang_week": 2}
        ).to_string(index=False)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
