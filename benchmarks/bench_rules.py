"""What the seed's controls cost (issue 21): posted shifts against free starts, ``each`` against ``any``, on the
sample branch and every shape of the family.

``python -m benchmarks.bench_rules`` (``--seconds 20 --workers 2 --seed 0``; ``--shapes sample,b05_h60_5d`` for
some of them; ``--variants defaults,free`` likewise; ``--set rules.daily_routine.cash_box_minutes=0`` changes a
setting of every variant). For the sample's plan week (``generate_sample``, seed 0)
and each shape of :data:`scheduler.sample.family.SHAPES` (written, read and forecast as
``benchmarks/bench_family.py`` does) it solves three variants of the branch's own config with the same seconds
and seed — **defaults** (posted shifts, ``require = "each"``), **free** (``shifts = "free"``: every start and
end open) and **any** (``[rules.permission_holder] require = "any"``) — and prints one row per shape × variant:
status, objective CNY, certified gap, seconds to the first roster, staff hours, the queueing model's expected
mean wait (minutes, weighted by forecast arrivals: :func:`scheduler.report.kpis.week_kpis`, no simulation),
hard breaks ``check_roster`` finds, and the objective's difference against the shape's defaults in %.

Read the differences with the gaps: a variant whose gap is wide has not found its optimum in the seconds
given, so its cost says what the budget buys, not what the rule is worth.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tomllib
from pathlib import Path

from benchmarks.bench_family import family_problem
from constraints.problem import Problem
from constraints.rules import check_roster
from scheduler.app.pipeline import forecast_demand, load_branch
from scheduler.report.kpis import week_kpis
from scheduler.sample.family import SHAPES
from scheduler.sample.generator import generate_sample
from scheduler.solver.result import RosterResult, SolveParams
from scheduler.solver.solve import solve

VARIANTS: dict[str, dict[str, object]] = {
    "defaults": {},
    "free": {"rules.shifts.enabled": False},
    "any": {"rules.permission_holder.require": "any"},
}
"""The config changes of each variant (``free`` is what ``shifts = "free"`` in branch.toml sets)."""


def sample_problem(folder: Path, seed: int = 0) -> Problem:
    """The sample branch's plan week as ``paiban demo`` builds it."""
    s = generate_sample(folder, seed=seed)
    branch = load_branch(s.tickets, s.staff, s.config, s.leave, s.events)
    _, _, demand = forecast_demand(branch, s.plan_week)
    return Problem.for_week(
        branch.config, branch.staff, s.plan_week, branch.absences, demand, branch.calendar
    )


def variant(problem: Problem, updates: dict[str, object]) -> Problem:
    """``problem`` under a variant's config."""
    return problem.replace(config=problem.config.copy_with(**updates)) if updates else problem


def _setting(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` of ``--set`` (VALUE read as TOML: 0, "free", true …; else as text)."""
    key, _, raw = text.partition("=")
    try:
        value: object = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip(), value


def _s(x: float | None, spec: str = ".1f") -> str:
    return "—" if x is None else format(x, spec)


def row(shape: str, name: str, problem: Problem, r: RosterResult, base: float | None, wall: float) -> str:
    """The table row of one solve (``base``: the shape's defaults objective)."""
    wait = hours = breaks = None
    if r.roster is not None:
        k = week_kpis(problem, r.roster, result=r)
        wait, hours = k.expected_wait_min, k.staff_hours
        breaks = sum(1 for v in check_roster(problem, r.roster) if v.hard)
    diff = None
    if base is not None and r.objective is not None and base > 0:
        diff = (r.objective - base) / base * 100
    cells = (
        shape,
        name,
        r.status,
        f"{r.objective:,.0f}" if r.objective is not None else "—",
        _s(r.gap * 100 if r.gap is not None else None, ".2f"),
        _s(r.first_feasible_seconds),
        _s(hours),
        _s(wait, ".2f"),
        "—" if breaks is None else str(breaks),
        "—" if diff is None else ("±0.0" if name == "defaults" else f"{diff:+.1f}"),
        f"{wall:.1f}",
    )
    return "| " + " | ".join(cells) + " |"


HEAD = (
    "shape",
    "variant",
    "status",
    "objective CNY",
    "gap %",
    "first s",
    "staff h",
    "exp. wait min",
    "hard breaks",
    "Δ vs defaults %",
    "wall s",
)


def main(argv: list[str] | None = None) -> None:
    """Solve every shape × variant and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--shapes", default="", help="comma-separated: sample and/or family shape names (default: all)"
    )
    ap.add_argument("--variants", default="", help=f"comma-separated of {list(VARIANTS)} (default: all)")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a config setting for every variant, e.g. rules.daily_routine.cash_box_minutes=0 (repeatable)",
    )
    args = ap.parse_args(argv)
    names = ["sample", *(s.name for s in SHAPES)]
    chosen = [n for n in names if not args.shapes or n in args.shapes.split(",")]
    unknown = set(filter(None, args.shapes.split(","))) - set(names)
    if unknown:
        ap.error(f"--shapes: unknown {sorted(unknown)}; choose from {names}")
    kinds = [v for v in VARIANTS if not args.variants or v in args.variants.split(",")]
    if set(filter(None, args.variants.split(","))) - set(VARIANTS):
        ap.error(f"--variants: choose from {list(VARIANTS)}")
    settings = dict(_setting(text) for text in args.set)
    root = Path(tempfile.mkdtemp(prefix="paiban_rules_"))
    params = SolveParams(time_limit_seconds=args.seconds, workers=args.workers, seed=args.seed)
    extra = "".join(f", {k} = {v}" for k, v in settings.items())
    print(f"## Rule variants: {args.seconds:g} s limit, {args.workers} workers, seed {args.seed}{extra}\n")
    print("| " + " | ".join(HEAD) + " |")
    print("|" + "|".join("---" for _ in HEAD) + "|")
    by_shape = {s.name: s for s in SHAPES}
    for name in chosen:
        folder = root / name
        base = (
            sample_problem(folder, args.seed)
            if name == "sample"
            else family_problem(by_shape[name], folder, args.seed)
        )
        base = variant(base, settings)
        base_obj: float | None = None
        for kind in kinds:
            problem = variant(base, VARIANTS[kind])
            t0 = time.perf_counter()
            r = solve(problem, params)
            wall = time.perf_counter() - t0
            if kind == "defaults":
                base_obj = r.objective
            print(row(name, kind, problem, r, base_obj, wall), flush=True)


if __name__ == "__main__":
    main()
