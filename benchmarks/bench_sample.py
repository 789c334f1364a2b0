"""Generating the sample branch: ``generate_sample`` for several history lengths, against a plain CSV write.

For each number of weeks, best of ``--repeat`` runs: the whole ``generate_sample`` (arrivals, queue simulation,
formatting, atomic writes of every file), and as the baseline ``DataFrame.to_csv`` of the same tickets in
GB18030 — the part no generator can avoid. The issue's budget is 12 weeks in well under 10 s.

Usage: ``python -m benchmarks.bench_sample [--weeks 1 12 52] [--repeat R] [--seed S]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from constraints.io import read_table
from scheduler.sample.generator import generate_sample

BUDGET_SECONDS = 10.0


def best_of(repeat: int, fn: object) -> float:
    """Shortest wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    """Print one row per history length."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=int, nargs="+", default=[1, 12, 52])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(
        f"{'weeks':>5} {'tickets':>8} {'generate s':>10} {'to_csv s':>9} {'ratio':>6} {'tickets/s':>10} {'of 10 s':>7}"
    )
    with tempfile.TemporaryDirectory() as d:
        for weeks in args.weeks:
            out = Path(d) / f"w{weeks}"
            gen = best_of(
                args.repeat, lambda out=out, weeks=weeks: generate_sample(out, weeks=weeks, seed=args.seed)
            )
            df = read_table(out / "tickets.csv")
            base = best_of(
                args.repeat, lambda df=df: df.to_csv(Path(d) / "plain.csv", index=False, encoding="gb18030")
            )
            print(
                f"{weeks:>5} {len(df):>8} {gen:>10.3f} {base:>9.3f} {gen / base:>6.1f} {len(df) / gen:>10.0f} "
                f"{gen / BUDGET_SECONDS:>7.1%}"
            )


if __name__ == "__main__":
    main()
