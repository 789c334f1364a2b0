"""Horizon benchmark: ``paiban plan --weeks N`` as one model — its size, first roster and certified gap.

``python -m benchmarks.bench_horizon`` (``--seconds 120 --weeks 4 --branches b80,sample --seed 0``;
``--workers 2``; ``--keep DIR`` keeps the written inputs; ``--log`` prints each search's log).

Each branch is written as a branch hands it in and read and forecast by the pipeline for ``--weeks`` weeks
from its plan week (:func:`scheduler.app.pipeline.week_problem` with ``weeks``: every day's demand forecast
from the history before the horizon), then solved once by ``solve()`` with the whole ``--seconds``, as
``paiban plan --weeks N --time-limit S`` solves it:

* ``b80`` — the family's 80-staff shape ``b80_q15_7d`` (:mod:`scheduler.sample.family`: 15-minute slots,
  open seven days, 8 windows per counter);
* ``sample`` — the built-in sample branch (14 staff).

Columns: staff, weeks (days), the model's size (person-days, CP-SAT variables and constraints, the seconds to
build it — built again after the solve, untimed by it), seconds to the first roster, the final certified gap
(bound = the unavoidable costs plus ``BuiltModel.lower_bound``: the capacity relaxation per week, summed),
the avoidable gap, the wall seconds of ``solve()`` (model building included) against the limit, whether the
run was reproducible, and the hard-rule breaks ``check_roster`` finds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from constraints.problem import Problem
from scheduler.app.pipeline import load_branch, week_history, week_problem
from scheduler.sample.family import shape_named, write_shape
from scheduler.sample.generator import generate_sample
from scheduler.solver.model import build_model
from scheduler.solver.result import RosterResult, SolveParams
from scheduler.solver.solve import solve

BRANCHES = ("b80", "sample")


@dataclass
class HorizonRun:
    """One branch's horizon solve."""

    name: str
    problem: Problem
    result: RosterResult
    wall: float
    size: dict[str, int]
    build: float


def horizon_problem(name: str, folder: Path, weeks: int, seed: int) -> Problem:
    """The branch's horizon as ``paiban plan --weeks`` builds it: inputs written, read, forecast."""
    if name == "b80":
        fb = write_shape(shape_named("b80_q15_7d"), folder, seed=seed)
        branch = load_branch(fb.tickets, fb.staff, fb.config, fb.leave)
        monday = fb.plan_week
    else:
        s = generate_sample(folder, weeks=8, seed=seed)
        branch = load_branch(s.tickets, s.staff, s.config, s.leave)
        monday = s.plan_week
    _, _, problem = week_problem(branch, monday, history=week_history(branch, monday), weeks=weeks)
    return problem


def run(name: str, folder: Path, weeks: int, params: SolveParams) -> HorizonRun:
    """Write, forecast and solve one horizon; then build its model again to count it."""
    problem = horizon_problem(name, folder, weeks, params.seed)
    t0 = time.perf_counter()
    result = solve(problem, params)
    wall = time.perf_counter() - t0
    t1 = time.perf_counter()
    built = build_model(problem)
    build = time.perf_counter() - t1
    proto = built.model.proto
    size = {
        "person_days": built.vars.count()["person_days"],
        "variables": len(proto.variables),
        "constraints": len(proto.constraints),
    }
    return HorizonRun(name, problem, result, wall, size, build)


def _s(x: float | None, spec: str = ".1f") -> str:
    return "—" if x is None else format(x, spec)


HEAD = (
    "branch",
    "staff",
    "weeks (days)",
    "person-days",
    "variables",
    "constraints",
    "build s",
    "first roster s",
    "final gap %",
    "avoidable gap %",
    "wall s / limit",
    "reproducible",
    "status",
    "objective CNY",
    "hard breaks",
)


def row(r: HorizonRun, limit: float) -> tuple[str, ...]:
    """The table row of one run."""
    res = r.result
    weeks = len(r.problem.week_dates())
    return (
        r.name,
        str(len(r.problem.staff)),
        f"{weeks} ({len(r.problem.days)})",
        f"{r.size['person_days']:,}",
        f"{r.size['variables']:,}",
        f"{r.size['constraints']:,}",
        f"{r.build:.1f}",
        _s(res.first_feasible_seconds),
        _s(res.gap * 100 if res.gap is not None else None, ".2f"),
        _s(res.avoidable_gap * 100 if res.avoidable_gap is not None else None, ".2f"),
        f"{r.wall:.1f} / {limit:g}",
        "yes" if res.reproducible else "no",
        res.status,
        f"{res.objective:,.0f}" if res.objective is not None else "—",
        str(len(res.hard_violations)) if res.roster is not None else "—",
    )


def main(argv: list[str] | None = None) -> None:
    """Run the horizons and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--branches", default=",".join(BRANCHES), help=f"comma-separated, of {BRANCHES}")
    ap.add_argument("--keep", type=Path, default=None, help="write the branches' inputs here")
    ap.add_argument("--log", action="store_true", help="print each search's log after its row")
    args = ap.parse_args(argv)
    chosen = [b for b in args.branches.split(",") if b]
    if set(chosen) - set(BRANCHES):
        ap.error(f"--branches: choose from {BRANCHES}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="paiban_horizon_"))
    params = SolveParams(time_limit_seconds=args.seconds, workers=args.workers, seed=args.seed)
    print(f"## Horizon: {args.weeks} weeks as one model, {args.seconds:g} s limit, seed {args.seed}\n")
    print("| " + " | ".join(HEAD) + " |")
    print("|" + "|".join("---" for _ in HEAD) + "|")
    for name in chosen:
        r = run(name, root / name, args.weeks, params)
        print("| " + " | ".join(row(r, args.seconds)) + " |", flush=True)
        if r.result.roster is None:
            for v in r.result.explanation[:3]:
                print(f"  {name}: {v.message_en}")
        if args.log:
            for line in r.result.search_log:
                print(f"  {name} log: {line}")


if __name__ == "__main__":
    main()
