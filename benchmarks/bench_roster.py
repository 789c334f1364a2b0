"""Roster solver benchmark: speed and gap on the sample branch and a 40-staff branch; a simulated replay.

``python -m benchmarks.bench_roster`` (``--seconds 60 --workers 2``; ``--part bound|solve|replay|all``;
``--reference-seconds 180`` for the best-known objective each gap is also measured against; ``--seed N``).

Branches (plan week 2026-11-30, 15-minute slots):

* **sample** — ``scheduler.sample.generator.generate_sample`` (14 staff, 12 weeks of tickets, its leave and events for the
  plan week); demand from the forecast of that history (``scheduler.app.pipeline.forecast_demand`` →
  ``forecasts.staffing.build_demand``).
* **large** — 40 staff (posts scaled ×≈2.9: 1 president, 2 operations and 2 sales supervisors, 6 wealth and
  4 account managers, 16 personal tellers of whom 2 hold operations authority, 6 corporate tellers, 3 loan
  officers), windows 10/6/3, the sample's forecast × 40/14.

Variants, each ``--seconds`` on ``--workers`` workers: paiban's search in deterministic mode (the default),
in wall-clock mode, and the baseline — plain CP-SAT on the same whole model (portfolio, same workers).
Columns: seconds to the first roster; seconds to a certified gap ≤ 1 % (bound = the unavoidable costs plus
``BuiltModel.lower_bound``, or what CP-SAT proves if higher); final certified gap on the total cost; the same absolute gap over the avoidable cost; and
the gap to the best objective any run found (``--reference-seconds`` of the wall-clock search), with the
seconds until within 1 % of it.

Replay: the sample week simulated (``scheduler.simulation.simulate.simulate_week``, forecast-sampled customers, 20
replications) under paiban's roster and two plans a branch makes by hand — *all windows*: everyone on a
five-day rotation, full days, every physical window open all day; *peak-sized*: per day just enough people
for the day's peak requirement, full days, that many windows open all day — with staff hours, mean wait,
share called within the target and the hard rules each plan breaks (``check_roster``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES
from constraints.problem import Problem
from constraints.roster import OFF, Roster
from constraints.rules import check_roster
from constraints.rules.daily_routine import meeting_slots
from constraints.staff import Person, Staff
from scheduler.app.pipeline import Branch, forecast_demand, load_branch
from scheduler.sample.generator import generate_sample
from scheduler.solver.model import build_model
from scheduler.solver.result import Progress, SolveParams
from scheduler.solver.solve import relative_gap, solve

PLAN_WEEK = dt.date(2026, 11, 30)


@dataclass
class Branchmark:
    """A branch to benchmark: its problem, the branch it came from and what the simulator needs."""

    name: str
    problem: Problem
    source: str
    branch: Branch
    forecast: Any = None
    profiles: Any = None


@dataclass
class Run:
    """One solve: timings and gaps."""

    variant: str
    objective: float | None
    constant: float
    first: float | None
    to_1pct: float | None
    to_2pct: float | None
    gap: float | None
    avoidable_gap: float | None
    hard: int
    wall: float = 0.0
    events: list[tuple[float, float]] = field(default_factory=list)  # (seconds, objective CNY)
    roster: Roster | None = None


# ---- branches -------------------------------------------------------------------------------------------


def sample_branch() -> Branchmark:
    """The sample branch's plan week with forecast demand."""
    tmp = Path(tempfile.mkdtemp(prefix="paiban_bench_"))
    generate_sample(tmp / "sample", weeks=12, seed=0)
    d = tmp / "sample"
    events = d / "events.csv"
    branch = load_branch(
        d / "tickets.csv",
        d / "staff.csv",
        d / "branch.toml",
        d / "leave.csv",
        events if events.exists() else None,
    )
    forecast, profiles, demand = forecast_demand(branch, PLAN_WEEK)
    prob = Problem.for_week(branch.config, branch.staff, PLAN_WEEK, branch.absences, demand, branch.calendar)
    return Branchmark(
        "sample (14 staff)", prob, "generate_sample + forecast_demand", branch, forecast, profiles
    )


LARGE_POSTS: list[tuple[str, int, tuple[str, ...], tuple[str, ...]]] = [
    ("branch_president", 1, ("lobby",), ("branch", "operations")),
    ("operations_supervisor", 2, ("high_counter", "low_counter"), ("operations",)),
    ("sales_supervisor", 2, ("lobby", "low_counter"), ("branch",)),
    ("wealth_manager", 6, ("lobby", "low_counter"), ()),
    ("account_manager", 4, ("lobby",), ()),
    ("personal_teller", 14, ("high_counter", "low_counter"), ()),
    ("personal_teller", 2, ("high_counter", "low_counter"), ("operations",)),
    ("corporate_teller", 6, ("corporate_counter", "low_counter"), ()),
    ("loan_officer", 3, (), ()),
]


def large_branch(sample: Branchmark) -> Branchmark:
    """40 staff, windows 10/6/3, the sample's demand × 40/14."""
    people: list[Person] = []
    for post, n, skills, auths in LARGE_POSTS:
        for _ in range(n):
            k = len(people) + 1
            people.append(
                Person(
                    staff_id=f"L{k:02d}",
                    name=f"员工{k:02d}",
                    post=post,
                    skills=frozenset(skills),
                    authorities=frozenset(auths),
                )
            )
    staff = Staff(people=tuple(people))
    cfg = sample.problem.config.copy_with(
        windows={"high_counter": 10, "low_counter": 6, "corporate_counter": 3}
    )
    branch = sample.branch.replace(config=cfg, staff=staff)
    forecast, profiles, demand = forecast_demand(branch, PLAN_WEEK, 40 / 14)
    prob = Problem.for_week(cfg, staff, PLAN_WEEK, (), demand)
    return Branchmark("large (40 staff)", prob, "sample forecast × 40/14", branch, forecast, profiles)


# ---- runs -----------------------------------------------------------------------------------------------


def run_paiban(bm: Branchmark, seconds: float, workers: int, seed: int, deterministic: bool) -> Run:
    """paiban's solve, with the progress events recorded."""
    events: list[Progress] = []
    t0 = time.perf_counter()
    r = solve(
        bm.problem,
        SolveParams(
            time_limit_seconds=seconds,
            workers=workers,
            seed=seed,
            deterministic=deterministic,
            progress_callback=events.append,
        ),
    )
    constant = _constant(bm)
    pts = [(e.seconds, e.objective) for e in events if e.objective is not None]
    return Run(
        "paiban (deterministic)" if deterministic else "paiban (wall clock)",
        r.objective,
        constant,
        r.first_feasible_seconds,
        r.time_to_gap(0.01),
        r.time_to_gap(0.02),
        r.gap,
        r.avoidable_gap,
        len(r.hard_violations),
        time.perf_counter() - t0,
        pts,
        r.roster,
    )


def _constant(bm: Branchmark) -> float:
    return build_model(bm.problem).constant_cny


def run_plain(bm: Branchmark, seconds: float, workers: int, seed: int) -> Run:
    """The baseline: CP-SAT's portfolio on the whole model, nothing else."""
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    built = build_model(bm.problem)
    pts: list[tuple[float, float]] = []
    bounds: list[tuple[float, float]] = []

    class Hook(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            pts.append((time.perf_counter() - t0, built.objective_cny(self.objective_value)))

    s = cp_model.CpSolver()
    s.parameters.num_workers = workers
    s.parameters.random_seed = seed
    s.parameters.max_time_in_seconds = max(1.0, seconds - (time.perf_counter() - t0))
    s.best_bound_callback = lambda b: bounds.append((time.perf_counter() - t0, built.objective_cny(b)))
    st = s.solve(built.model, Hook())
    obj = gap = avoid = None
    hard = 0
    roster = None
    within: dict[float, float | None] = {0.01: None, 0.02: None}
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        obj = built.objective_cny(s.objective_value)
        floor = built.lower_bound()  # the same certified bound paiban's search starts from
        bound = built.objective_cny(max(floor, s.best_objective_bound))
        gap = relative_gap(obj, bound)
        avoid = relative_gap(s.objective_value, max(floor, s.best_objective_bound))
        roster = built.vars.roster(s)
        hard = sum(1 for v in check_roster(bm.problem, roster) if v.hard)
        best_b = built.objective_cny(floor)
        for t, o in pts:
            best_b = max([best_b] + [b for tb, b in bounds if tb <= t])
            for tol in within:
                if within[tol] is None and relative_gap(o, best_b) <= tol:
                    within[tol] = t
    return Run(
        "CP-SAT whole model (baseline)",
        obj,
        built.constant_cny,
        pts[0][0] if pts else None,
        within[0.01],
        within[0.02],
        gap,
        avoid,
        hard,
        time.perf_counter() - t0,
        pts,
        roster,
    )


def time_within(run: Run, best: float, tol: float = 0.01) -> float | None:
    """Seconds until the run's objective was within ``tol`` of ``best``."""
    for t, o in run.events:
        if o <= best * (1 + tol):
            return t
    return None


# ---- hand-made plans ------------------------------------------------------------------------------------


def _people_for_peak(prob: Problem, day: Day) -> list[str]:
    """Just enough people for the day's peak requirement, the lobby and two holders, by skill."""
    staff = [p for p in prob.staff if not prob.away_all_day(p.staff_id, day.date)]
    chosen: list[Person] = []

    def take(skill: str, n: int) -> None:
        have = sum(1 for p in chosen if p.can(skill) or p.holds(skill))
        for p in staff:
            if have >= n:
                return
            if p not in chosen and (p.can(skill) or p.holds(skill)):
                chosen.append(p)
                have += 1

    for c in COUNTER_TYPES:
        dem = prob.counter_demand(day.date, c)
        peak = int(np.max(dem.required)) if dem is not None and len(dem.required) else 0
        take(c, min(peak, prob.windows(c)))
    take("lobby", 2)
    take("operations", 1)
    take("branch", 1)
    return [p.staff_id for p in chosen]


def hand_roster(prob: Problem, mode: str) -> Roster:
    """A plan a branch makes by hand: full days, waves of lunch, windows fixed for the whole day."""
    ids = prob.staff.ids()
    rosters = []
    open_days = [d for d in prob.days if d.is_open]
    for di, day in enumerate(open_days):
        if mode == "all_windows":
            working = [
                sid
                for k, sid in enumerate(ids)
                if di not in ((2 * k) % 7, (2 * k + 1) % 7) and not prob.away_all_day(sid, day.date)
            ]
            targets = {c: prob.windows(c) for c in COUNTER_TYPES}
        else:
            working = _people_for_peak(prob, day)
            targets = {}
            for c in COUNTER_TYPES:
                dem = prob.counter_demand(day.date, c)
                targets[c] = min(prob.windows(c), int(np.max(dem.required)) if dem is not None else 0)
        n = len(day.slot_starts)
        grid = np.full((len(ids), n), OFF, dtype=object)
        lunch_len = prob.config.lunch.minutes // day.slot_minutes
        waves = [day.slot_of(11 * 60 + 30), day.slot_of(12 * 60 + 30)]
        lunch = {sid: waves[k % 2] for k, sid in enumerate(working)}
        meet = set(meeting_slots(prob, day))
        current: dict[str, str] = {}
        for s in range(n):
            free = []
            for sid in working:
                i = ids.index(sid)
                if lunch[sid] <= s < lunch[sid] + lunch_len:
                    grid[i, s] = "break"
                elif s in meet:
                    grid[i, s] = "meeting"
                elif s not in day.open_slots:
                    grid[i, s] = "back_office"
                else:
                    free.append(sid)
            if s not in day.open_slots:
                continue
            need = {"lobby": 1, **targets}
            taken: dict[str, list[str]] = {a: [] for a in need}
            for sid in list(free):  # keep people where they were
                a = current.get(sid)
                if a in taken and len(taken[a]) < need[a]:
                    taken[a].append(sid)
                    free.remove(sid)
            for a in ("lobby", "high_counter", "low_counter", "corporate_counter"):
                for sid in list(free):
                    if len(taken[a]) >= need[a]:
                        break
                    if prob.staff.by_id(sid).can(a):
                        taken[a].append(sid)
                        free.remove(sid)
            for a, who in taken.items():
                for sid in who:
                    grid[ids.index(sid), s] = a
                    current[sid] = a
            for sid in free:
                grid[ids.index(sid), s] = "back_office"
                current[sid] = "back_office"
        rosters.append(Roster.from_grid(day, ids, grid))
    return Roster.concat(rosters)


# ---- reporting ------------------------------------------------------------------------------------------


def print_head(head: tuple[str, ...]) -> None:
    """A Markdown table's header and rule."""
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")


def fmt(x: float | None, spec: str = ".1f", dash: str = "—") -> str:
    """A number or a dash."""
    return dash if x is None else format(x, spec)


def solve_part(args: argparse.Namespace, branches: list[Branchmark]) -> dict[str, Roster | None]:
    """The speed and gap table."""
    print(f"\n## Roster solver: {args.seconds:g} s limit, {args.workers} workers, seed {args.seed}\n")
    rows = []
    rosters: dict[str, Roster | None] = {}
    for bm in branches:
        chosen = set(args.variants.split(","))
        runs = []
        if "det" in chosen:
            runs.append(run_paiban(bm, args.seconds, args.workers, args.seed, deterministic=True))
        if "wall" in chosen:
            runs.append(run_paiban(bm, args.seconds, args.workers, args.seed, deterministic=False))
        if "plain" in chosen:
            runs.append(run_plain(bm, args.seconds, args.workers, args.seed))
        rosters[bm.name] = runs[0].roster
        best = min(r.objective for r in runs if r.objective is not None)
        if args.reference_seconds > 0:
            ref = run_paiban(bm, args.reference_seconds, args.workers, args.seed, deterministic=False)
            if ref.objective is not None:
                best = min(best, ref.objective)
        base = runs[-1].objective if "plain" in chosen else None
        for r in runs:
            rows.append(
                (
                    bm.name,
                    r.variant,
                    fmt(r.objective, ",.0f"),
                    fmt(r.wall, ".0f"),
                    fmt(r.first),
                    fmt(r.to_1pct),
                    fmt(r.to_2pct),
                    fmt(r.gap * 100 if r.gap is not None else None, ".2f"),
                    fmt(r.avoidable_gap * 100 if r.avoidable_gap is not None else None, ".1f"),
                    fmt((r.objective - best) / r.objective * 100 if r.objective else None, ".2f"),
                    fmt(time_within(r, best)),
                    fmt(r.objective / base if r.objective and base else None, ".3f"),
                    str(r.hard),
                )
            )
        print(
            f"{bm.name}: {bm.source}; best known objective {best:,.0f} CNY; unavoidable part {runs[0].constant:,.0f} CNY"
        )
    head = (
        "branch",
        "variant",
        "objective CNY",
        "wall s",
        "first s",
        "≤1% cert. s",
        "≤2% cert. s",
        "cert. gap %",
        "avoidable gap %",
        "gap to best %",
        "≤1% of best s",
        "obj / baseline",
        "hard breaks",
    )
    print()
    print_head(head)
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return rosters


def bound_part(branches: list[Branchmark]) -> None:
    """The certified bound the search starts from, beside the rules' per-slot bound alone."""
    print("\n## Certified lower bounds (CNY; seconds: best of 3)\n")
    head = (
        "branch",
        "unavoidable",
        "+ per-slot bound (rules)",
        "+ capacity bound (BuiltModel.lower_bound)",
        "s",
    )
    print_head(head)
    for bm in branches:
        built = build_model(bm.problem)
        per_slot = sum(r.lower_bound(bm.problem, built.vars.scale, {}) for r in built.rules)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            value = built.lower_bound()
            times.append(time.perf_counter() - t)
        print(
            f"| {bm.name} | {built.constant_cny:,.0f} | {built.objective_cny(per_slot):,.0f} | "
            f"{built.objective_cny(value):,.0f} | {min(times):.2f} |"
        )


def replay_part(args: argparse.Namespace, bm: Branchmark, roster: Roster | None) -> None:
    """Simulate the sample week under paiban's roster and the two hand-made plans."""
    from scheduler.simulation.simulate import simulate_week

    prob = bm.problem
    if roster is None:
        roster = solve(
            prob, SolveParams(time_limit_seconds=args.seconds, workers=args.workers, seed=args.seed)
        ).roster
    plans = {
        "paiban": roster,
        "by hand: all windows": hand_roster(prob, "all_windows"),
        "by hand: peak-sized": hand_roster(prob, "peak"),
    }
    print(f"\n## Replay of the sample week ({bm.source}; 20 replications, forecast-sampled customers)\n")
    head = (
        "plan",
        "staff hours",
        "window-hours",
        "mean wait min",
        "share ≤ target",
        "P90 wait min",
        "hard breaks",
        "broken rules",
    )
    print_head(head)
    target = prob.config.service_level.target_wait_minutes
    for name, r in plans.items():
        if r is None or bm.forecast is None:
            print(f"| {name} | (no roster or no forecast to simulate) |")
            continue
        sim = simulate_week(
            r,
            list(prob.days),
            prob.config,
            bm.profiles,
            forecast=bm.forecast,
            replications=20,
            seed=args.seed,
        )
        cust = sim.customers
        wait = cust["wait"].to_numpy(dtype=float)
        hours = sum(r.hours(sid, [d.date for d in prob.days]) for sid in prob.staff.ids())
        windows_h = float((sim.slots["open_windows"] * 15 / 60).sum())
        broken = [v for v in check_roster(prob, r) if v.hard]
        by_rule = Counter(v.rule for v in broken)
        print(
            f"| {name} | {hours:,.1f} | {windows_h:,.1f} | {np.nanmean(wait):.2f} | "
            f"{float(np.nanmean(cust['within'])):.3f} | {np.nanquantile(wait, 0.9):.1f} | {len(broken)} | "
            f"{', '.join(f'{k} {v}' for k, v in sorted(by_rule.items())) or '—'} |"
        )
    print(f"\n(target: called within {target:g} min)")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reference-seconds", type=float, default=180.0)
    ap.add_argument("--part", choices=("solve", "replay", "bound", "all"), default="all")
    ap.add_argument("--branch", choices=("sample", "large", "both"), default="both")
    ap.add_argument(
        "--variants",
        default="det,wall,plain",
        help="comma-separated variants of the solve part: det (paiban deterministic), wall, plain (baseline)",
    )
    args = ap.parse_args(argv)
    unknown = set(args.variants.split(",")) - {"det", "wall", "plain"}
    if unknown or not args.variants:
        ap.error(f"--variants: unknown {sorted(unknown)}; choose from det, wall, plain")
    t0 = time.perf_counter()
    sample = sample_branch()
    branches = []
    if args.branch in ("sample", "both"):
        branches.append(sample)
    if args.branch in ("large", "both"):
        branches.append(large_branch(sample))
    print(f"inputs ready in {time.perf_counter() - t0:.1f} s")
    rosters: dict[str, Roster | None] = {}
    if args.part in ("bound", "all"):
        bound_part(branches)
    if args.part in ("solve", "all"):
        rosters = solve_part(args, branches)
    if args.part in ("replay", "all"):
        replay_part(args, sample, rosters.get(sample.name))
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()


__all__ = ["hand_roster", "main"]
