"""Peak memory of a whole ``paiban plan`` run against the size of the ticket export (100 k, 1 M, 2 M tickets).

For each size a seeded synthetic export (``bench_read_tickets.make_tickets``: Chinese headers, mixed datetime
forms, ~5 % abandoned; UTF-8) is written with ``--per-day`` tickets a day, ending on 2026-11-29 — so a bigger
export is a longer history of the same branch (2 M at 600 a day: 9.1 years from 2017-08), as a branch's
multi-year export is. The branch is the sample's (``paiban sample``: its branch.toml, staff and leave); the plan
week is 2026-11-30. Each run is a fresh ``python -m scheduler.app.cli plan`` process (reading, forecasting,
required windows, a ``--time-limit`` solve, simulation, every output file), and its peak resident memory is
the kernel's ``ru_maxrss`` for that child (``os.wait4``).

Usage: ``python -m benchmarks.bench_memory [--rows 100000,1000000,2000000] [--per-day 600] [--time-limit 2]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.bench_read_tickets import make_tickets
from scheduler.sample.generator import generate_sample

HISTORY_END = dt.date(2026, 11, 29)
LIMIT_GIB = 4.0


def write_export(path: Path, rows: int, per_day: int, seed: int) -> tuple[dt.date, float]:
    """The synthetic export of ``rows`` tickets ending on :data:`HISTORY_END`; its first day and size (MB)."""
    days = -(-rows // per_day)
    start = HISTORY_END - dt.timedelta(days=days - 1)
    make_tickets(rows, seed, per_day=per_day, start=start.isoformat()).to_csv(path, index=False)
    return start, path.stat().st_size / 1e6


def run_plan(args: list[str]) -> tuple[int, float, float]:
    """Exit status, peak RSS (GiB) and wall seconds of one ``paiban plan`` child process."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scheduler.app.cli", "plan", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace").strip()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        print(f"  exit {code}: {err.splitlines()[-1] if err else ''}")
    return code, usage.ru_maxrss / 2**20, seconds  # ru_maxrss is in KiB on Linux


def main(argv: list[str] | None = None) -> None:
    """Generate each export, plan it in a child process, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", default="100000,1000000,2000000", help="export sizes, comma-separated")
    ap.add_argument(
        "--per-day", type=int, default=600, help="tickets a day (the history grows with the size)"
    )
    ap.add_argument("--time-limit", default="2", help="solver seconds of each plan")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    sizes = [int(r) for r in args.rows.split(",")]
    print(f"{'tickets':>10} {'history':>23} {'CSV MB':>7} {'exit':>4} {'peak GiB':>8} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        sample = generate_sample(Path(tmp) / "sample", weeks=1, seed=args.seed)
        for rows in sizes:
            export = Path(tmp) / f"tickets_{rows}.csv"
            start, mb = write_export(export, rows, args.per_day, args.seed)
            code, gib, seconds = run_plan(
                [
                    *("--tickets", str(export), "--staff", str(sample.staff), "--config", str(sample.config)),
                    *("--leave", str(sample.leave), "--week", sample.plan_week.isoformat()),
                    *("--out", str(Path(tmp) / f"out_{rows}"), "--time-limit", args.time_limit),
                ]
            )
            export.unlink()
            flag = "" if gib <= LIMIT_GIB else f"  > {LIMIT_GIB:g} GiB"
            print(
                f"{rows:>10,} {start} – {HISTORY_END} {mb:>7.0f} {code:>4} {gib:>8.2f} {seconds:>8.1f}{flag}"
            )
    load = os.getloadavg()[0]
    print(
        f"\npeak = the child's ru_maxrss; {pd.__version__=}; load average {load:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
