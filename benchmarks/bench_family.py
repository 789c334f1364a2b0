"""Roster solver on a family of branch shapes it was not tuned on: one row per shape.

``python -m benchmarks.bench_family`` (``--seconds 60 --workers 2 --seed 0``; ``--shapes a,b`` for some of
them; ``--keep DIR`` to keep the written inputs; ``--work-units U`` for a fixed deterministic budget instead
of one sized from the seconds).

Every shape of :data:`scheduler.sample.family.SHAPES` is written as a branch hands it in (tickets, staff,
config, leave, overrides: :func:`scheduler.sample.family.write_shape`, 8 weeks of history), read and
forecast by the pipeline (``load_branch`` → ``forecast_demand``: the plan week's demand is the forecast of
the generated history, as ``paiban plan`` makes it) and solved by ``solve()``. Columns: staff, slot minutes,
open days, model size, seconds to the first roster, to a certified gap ≤ 2 % and ≤ 1 % (bound = the
unavoidable costs plus ``BuiltModel.lower_bound``), the final certified gap, the wall seconds of ``solve()``
(model building included) against the limit, whether the run was reproducible (not cut by the wall clock),
its deterministic work budget, and the hard-rule breaks ``check_roster`` finds in the roster.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from constraints.problem import Problem
from scheduler.app.pipeline import forecast_demand, load_branch
from scheduler.sample.family import SHAPES, Shape, write_shape
from scheduler.solver.result import Progress, RosterResult, SolveParams
from scheduler.solver.solve import solve


@dataclass
class ShapeRun:
    """One shape's solve."""

    shape: Shape
    problem: Problem
    result: RosterResult
    wall: float


def family_problem(shape: Shape, folder: Path, seed: int = 0) -> Problem:
    """The shape's plan week as ``paiban plan`` builds it: inputs written, read, forecast."""
    fb = write_shape(shape, folder, seed=seed)
    branch = load_branch(fb.tickets, fb.staff, fb.config, fb.leave)
    _, _, demand = forecast_demand(branch, fb.plan_week)
    return Problem.for_week(
        branch.config, branch.staff, fb.plan_week, branch.absences, demand, branch.calendar
    )


def run_shape(shape: Shape, folder: Path, params: SolveParams) -> ShapeRun:
    """Write, forecast and solve one shape (wall seconds of ``solve()`` alone)."""
    problem = family_problem(shape, folder, params.seed)
    events: list[Progress] = []
    t0 = time.perf_counter()
    result = solve(problem, SolveParams(**{**params.__dict__, "progress_callback": events.append}))
    return ShapeRun(shape, problem, result, time.perf_counter() - t0)


def _s(x: float | None, spec: str = ".1f") -> str:
    return "—" if x is None else format(x, spec)


def row(run: ShapeRun, limit: float) -> tuple[str, ...]:
    """The table row of one run."""
    r, sh = run.result, run.shape
    open_days = sum(1 for d in run.problem.days if d.is_open)
    units = r.work_units
    return (
        sh.name,
        str(sh.staff),
        str(sh.slot_minutes),
        str(open_days),
        "/".join(str(w) for w in sh.windows),
        _s(r.first_feasible_seconds),
        _s(r.time_to_gap(0.02)),
        _s(r.time_to_gap(0.01)),
        _s(r.gap * 100 if r.gap is not None else None, ".2f"),
        f"{run.wall:.1f} / {limit:g}",
        "yes" if r.reproducible else "no",
        _s(units, ".2f"),
        f"{r.objective:,.0f}" if r.objective is not None else r.status,
        str(len(r.hard_violations)),
    )


HEAD = (
    "shape",
    "staff",
    "slot min",
    "open days",
    "windows h/l/c",
    "first s",
    "≤2% s",
    "≤1% s",
    "final gap %",
    "wall s / limit",
    "reproducible",
    "work units",
    "objective CNY",
    "hard breaks",
)


def main(argv: list[str] | None = None) -> None:
    """Run the family and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shapes", default="", help="comma-separated shape names (default: all)")
    ap.add_argument("--work-units", type=float, default=None, help="a fixed deterministic budget")
    ap.add_argument(
        "--wall-clock", action="store_true", help="limit by wall clock instead (not reproducible)"
    )
    ap.add_argument("--keep", type=Path, default=None, help="write the shapes' inputs here")
    args = ap.parse_args(argv)
    chosen = [s for s in SHAPES if not args.shapes or s.name in args.shapes.split(",")]
    unknown = set(filter(None, args.shapes.split(","))) - {s.name for s in SHAPES}
    if unknown:
        ap.error(f"--shapes: unknown {sorted(unknown)}; choose from {[s.name for s in SHAPES]}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="paiban_family_"))
    params = SolveParams(
        time_limit_seconds=args.seconds,
        workers=args.workers,
        seed=args.seed,
        deterministic=not args.wall_clock,
        work_units=args.work_units,
    )
    print(f"## Branch family: {args.seconds:g} s limit, {args.workers} workers, seed {args.seed}\n")
    print("| " + " | ".join(HEAD) + " |")
    print("|" + "|".join("---" for _ in HEAD) + "|")
    gaps = []
    for shape in chosen:
        run = run_shape(shape, root / shape.name, params)
        print("| " + " | ".join(row(run, args.seconds)) + " |", flush=True)
        if run.result.gap is not None:
            gaps.append(run.result.gap)
    if gaps:
        print(
            f"\n{len(gaps)} of {len(chosen)} shapes with a roster; certified gap median "
            f"{statistics.median(gaps) * 100:.2f} %, worst {max(gaps) * 100:.2f} %, "
            f"{sum(g <= 0.02 for g in gaps)} at ≤2 %, {sum(g <= 0.01 for g in gaps)} at ≤1 %"
        )


if __name__ == "__main__":
    main()
