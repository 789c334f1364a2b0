"""What-if comparisons: wall time serial vs parallel, and how many differences the bound certifies.

``python -m benchmarks.bench_whatif`` (``--seconds 10 30 60``: per-scenario limits of the parallel runs;
``--serial-seconds 10``: limits also run serially, none with ``--serial-seconds``; ``--weeks 8 --seed 0``:
the sample branch).

The README's six scenarios on the sample branch (plan week 2026-11-30): the baseline, demand +20 %, a teller
(S08) on leave on Friday, a fifth high-counter window, the noon rule all day (09:00–17:00) and 30-minute
slots. Each run is ``compare(scenarios, time_limit_seconds=limit, workers=...)`` — the baseline solved first,
then all six warm-started from its roster — *parallel* with one process per core, *serial* with one process
(``workers=1``) doing one scenario after another with every core's threads. Reported per run: the wall time,
the load average over the run (the machine is shared: a loaded one stretches the deterministic search, see
``SolveParams``), how many of the five differences to the baseline are certain (``delta_certain``: the
intervals ``[best_bound, objective]`` do not overlap), and the table's key columns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from scheduler.app.runner import cores
from scheduler.app.scenario import Scenario, compare
from scheduler.sample.generator import generate_sample


def scenarios(out: Path, weeks: int, seed: int) -> list[Scenario]:
    """The README's six scenarios on the sample branch."""
    s = generate_sample(out, weeks=weeks, seed=seed)
    base = Scenario.from_files(s.tickets, s.staff, s.config, leave=s.leave, week=s.plan_week)
    friday = s.plan_week + dt.timedelta(days=4)
    return [
        base,
        base.with_demand(1.2, "春节前 +20% (demand +20%)"),
        base.with_leave("S08", friday),
        base.with_windows("high_counter", 5),
        base.with_rule("noon_two_at_high_counter", window="09:00-17:00"),
        base.with_slot_minutes(30),
    ]


def run(cases: list[Scenario], limit: float, workers: int | None) -> tuple[float, float, pd.DataFrame]:
    """Wall seconds, mean load average and the table of one comparison."""
    load0, t0 = os.getloadavg()[0], time.perf_counter()
    table = compare(cases, time_limit_seconds=limit, workers=workers)
    wall = time.perf_counter() - t0
    return wall, (load0 + os.getloadavg()[0]) / 2, table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, nargs="*", default=[10.0, 30.0, 60.0])
    ap.add_argument("--serial-seconds", type=float, nargs="*", default=[10.0])
    ap.add_argument("--weeks", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    cases = scenarios(Path(tempfile.mkdtemp(prefix="bench-whatif-")) / "sample", args.weeks, args.seed)
    print(f"{len(cases)} scenarios, {cores()} cores")
    runs = [(lim, "parallel", None) for lim in args.seconds] + [
        (lim, "serial", 1) for lim in args.serial_seconds
    ]
    summary = []
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 40)
    for limit, mode, workers in sorted(runs):
        wall, load, table = run(cases, limit, workers)
        certain = int(table["delta_certain"].iloc[1:].sum())
        summary.append(
            {
                "limit_s": limit,
                "mode": mode,
                "wall_s": round(wall, 1),
                "load_avg": round(load, 1),
                "certified": f"{certain}/{len(cases) - 1}",
            }
        )
        print(f"\n--- {limit:g} s per scenario, {mode}: {wall:.1f} s wall, load average {load:.1f}")
        cols = [
            "scenario",
            "status",
            "objective",
            "best_bound",
            "gap",
            "delta_cost",
            "delta_certain",
            "solve_seconds",
        ]
        print(table[cols].to_string(index=False))
    print("\n| limit per scenario | mode | wall s | load average | differences certified |")
    print("|---:|---|---:|---:|---:|")
    for row in summary:
        print(
            f"| {row['limit_s']:g} s | {row['mode']} | {row['wall_s']} | {row['load_avg']} | {row['certified']} |"
        )


if __name__ == "__main__":
    main()
