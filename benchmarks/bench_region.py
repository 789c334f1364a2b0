"""Region benchmark: N generated branches planned one after another vs on a Dask cluster; 200 branches projected.

``python -m benchmarks.bench_region`` (``--branches 24 --weeks 6 --time-limit 10``; ``--workers N`` processes of
the embedded local cluster, default one per core; ``--scheduler tcp://HOST:PORT`` to use an existing cluster;
``--no-serial`` to skip the serial run; ``--project 200`` branches and ``--cluster-sizes 2,8,32,64``).

Branches: ``generate_sample`` with seeds 0…N−1 (the same 14-staff branch shape, different ticket histories),
plan week 2026-11-30, every branch with the same ``--time-limit`` (CP-SAT deterministic time, so each solve
does the same work whatever the machine's load; wall time still depends on it).

* **serial**: one branch after another in this process, with the very work a worker does
  (``build_job`` → ``plan_branch`` → ``write_branch_outputs``), one CP-SAT search per solve.
* **cluster**: ``run_region`` on the cluster (one process per core, one thread each, one CP-SAT search per
  solve). The cluster is started, and its workers have imported paiban, before the clock starts; that start-up
  is printed on its own.

Speed-up = serial wall ÷ cluster wall; branches per minute both ways; *cpu s* is the CPU time of the planning
processes (this one, or the workers'), *cores used* = cpu s ÷ wall s — on a machine shared with other jobs it
shows how much of the cores the runs actually got, and the CPU-bound estimate is the speed-up the same CPU
work would give with the cores free. The projection takes the measured
per-branch seconds (serial run, or the workers' own timings with ``--no-serial``), repeats them to 200
branches and places them longest first on N equal workers (LPT); it assumes each worker is a core like this
machine's and no other contention, so it is an estimate of the planning time, not of start-up or transfer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from scheduler.app.region import (
    RegionSettings,
    available_cores,
    branch_folders,
    branch_inputs,
    build_job,
    connect,
    plan_branch,
    run_region,
    write_branch_outputs,
)
from scheduler.sample.generator import generate_sample

WEEK = dt.date(2026, 11, 30)


def make_region(root: Path, n: int, weeks: int) -> Path:
    """``n`` sample branches (seeds 0…n−1) as folders b000…"""
    for i in range(n):
        generate_sample(root / f"b{i:03d}", weeks=weeks, seed=i)
    return root


def serial(region: Path, out: Path, settings: RegionSettings) -> tuple[float, float, list[float], int]:
    """Plan every branch in this process; (wall seconds, CPU seconds, per-branch seconds, failures)."""
    per_branch: list[float] = []
    failures = 0
    cpu = time.process_time()
    start = time.perf_counter()
    for folder in branch_folders(region):
        t = time.perf_counter()
        outcome = plan_branch(build_job(folder, branch_inputs(folder), WEEK, settings))
        write_branch_outputs(out / folder.name, outcome.files)
        per_branch.append(time.perf_counter() - t)
        failures += outcome.exit_status != 0
    return time.perf_counter() - start, time.process_time() - cpu, per_branch, failures


def cluster(
    region: Path, out: Path, settings: RegionSettings, scheduler: str | None, workers: int | None
) -> tuple[float, float, float, list[float], int, int]:
    """Plan on Dask; (start-up seconds, wall seconds, workers' CPU seconds, per-branch worker seconds,
    failures, worker threads)."""
    start = time.perf_counter()
    with connect(scheduler, workers) as client:
        client.wait_for_workers(1)
        client.run(exec, "import scheduler.app.region")  # the first branch should not pay the imports
        cpu = client.run(time.process_time)
        ready = time.perf_counter()
        report = run_region(region, WEEK, out, client=client, settings=settings)
        wall = time.perf_counter() - ready
        used = sum(t - cpu.get(w, 0.0) for w, t in client.run(time.process_time).items())
        threads = sum(client.nthreads().values())
    failures = sum(r.exit_status != 0 for r in report.rows)
    return ready - start, wall, used, [r.seconds for r in report.rows], failures, threads


def lpt_makespan(times: list[float], workers: int) -> float:
    """Longest-processing-time-first makespan of ``times`` on ``workers`` equal machines."""
    loads = [0.0] * workers
    for t in sorted(times, reverse=True):
        k = loads.index(min(loads))
        loads[k] += t
    return max(loads)


def projection(per_branch: list[float], total: int, sizes: list[int]) -> None:
    """Print the projected time of ``total`` branches on clusters of ``sizes`` workers."""
    times = [per_branch[i % len(per_branch)] for i in range(total)]
    one = sum(times)
    print(
        f"\nprojection: {total} branches from {len(per_branch)} measured (mean {one / total:.1f} s a branch)"
    )
    print("| workers | hours:minutes | branches/min | speed-up |")
    print("|---:|---:|---:|---:|")
    for n in [1, *sizes]:
        span = lpt_makespan(times, n)
        print(
            f"| {n} | {int(span // 3600)}:{int(span % 3600 // 60):02d} | {total / span * 60:.1f} | {one / span:.1f}× |"
        )


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--branches", type=int, default=24)
    ap.add_argument("--weeks", type=int, default=6, help="weeks of ticket history per branch")
    ap.add_argument("--time-limit", type=float, default=10.0, help="solver seconds per branch")
    ap.add_argument(
        "--workers", type=int, default=None, help="local cluster processes (default: one per core)"
    )
    ap.add_argument(
        "--scheduler", default=None, help="an existing Dask scheduler, tcp://HOST:PORT or tls://…"
    )
    ap.add_argument("--no-serial", action="store_true", help="skip the serial run")
    ap.add_argument("--project", type=int, default=200, help="branches in the projection")
    ap.add_argument("--cluster-sizes", default="2,8,16,32,64", help="worker counts in the projection")
    args = ap.parse_args(argv)
    settings = RegionSettings(time_limit=args.time_limit)
    load = os.getloadavg()
    print(
        f"{available_cores()} cores here, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at start"
    )
    with tempfile.TemporaryDirectory(prefix="bench-region-") as tmp:
        t = time.perf_counter()
        region = make_region(Path(tmp) / "region", args.branches, args.weeks)
        print(
            f"{args.branches} branches ({args.weeks} weeks of tickets each) generated in {time.perf_counter() - t:.0f} s"
        )
        print(
            "| run | processes | wall s | branches/min | s a branch | cpu s | cores used | failed | speed-up |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        base = None
        serial_cpu = 0.0
        measured: list[float] = []
        n = args.branches
        if not args.no_serial:
            wall, cpu, measured, failed = serial(region, Path(tmp) / "serial", settings)
            base = wall
            each = sum(measured) / n
            serial_cpu = cpu
            print(
                f"| serial | 1 | {wall:.0f} | {n / wall * 60:.2f} | {each:.1f} | {cpu:.0f} | {cpu / wall:.2f} "
                f"| {failed} | 1.00× |"
            )
        startup, wall, cpu, worker_times, failed, threads = cluster(
            region, Path(tmp) / "cluster", settings, args.scheduler, args.workers
        )
        ratio = f"{base / wall:.2f}×" if base else "—"
        where = "existing cluster" if args.scheduler else "local cluster"
        each = sum(worker_times) / n
        print(
            f"| {where} | {threads} | {wall:.0f} | {n / wall * 60:.2f} | {each:.1f} | {cpu:.0f} | {cpu / wall:.2f} "
            f"| {failed} | {ratio} |"
        )
        if base:
            print(
                f"CPU-bound estimate (every core free for these processes): serial cpu s ÷ (cluster cpu s ÷ "
                f"{threads}) = {serial_cpu / (cpu / threads):.2f}×"
            )
        print(f"cluster start-up and imports: {startup:.1f} s (not in the wall time above)")
        load = os.getloadavg()
        print(f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end")
        sizes = [int(s) for s in args.cluster_sizes.split(",") if s.strip()]
        projection(measured or worker_times, args.project, sizes)


if __name__ == "__main__":
    main()
