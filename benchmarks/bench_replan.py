"""Re-plan benchmark: how fast the rest of a week is repaired, and how little of it changes.

``python -m benchmarks.bench_replan`` (``--plan-seconds 30 --seconds 10 --branch sample|large|both --seed 0``).

The branches of :mod:`benchmarks.bench_roster` (the sample, 14 staff; the 40-staff branch) are planned once
(``--plan-seconds``, deterministic search); then, re-planning from Thursday 00:00:

* **one-day absence** — the first high-counter person at work on Thursday is off sick that day;
* **two-day absence** — the same person off Thursday and Friday;
* **demand +30 %** — Thursday to Sunday's forecast × 1.3 (no one away).

Each is repaired by :func:`scheduler.app.replan.repair` (``--seconds``, ``[replan] change_cost_per_hour`` of
the branch) and, as the baseline, planned afresh by :func:`scheduler.solver.solve.solve` with the same
budget (what re-running ``paiban plan`` would give); the demand surprise is also repaired at ``CHEAP`` CNY an
hour changed. Columns: wall and process CPU seconds (CPU time is steadier on a shared machine); status;
person-days changed (from Thursday), how many of them on days the absence does not touch, people affected,
hours of someone's day changed (what the change cost counts), the change cost, the rest of the objective,
hard-rule breaks, and how the repair's first stages ended (``AS_GIVEN``: the roster less the absent person's
days already held every rule).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.bench_roster import PLAN_WEEK, Branchmark, fmt, large_branch, print_head, sample_branch
from constraints.problem import Problem
from constraints.roster import Roster
from constraints.staff import Absence
from scheduler.app.replan import repair
from scheduler.solver.model import CHANGES, Keep
from scheduler.solver.result import RosterResult, SolveParams
from scheduler.solver.solve import solve

THURSDAY = PLAN_WEEK + dt.timedelta(days=3)
CUT = dt.datetime.combine(THURSDAY, dt.time(0))
SURPRISE = 1.3
CHEAP = 10.0
"""CNY per hour changed of the extra demand-surprise repair: what the re-plan changes when changes are cheap."""


@dataclass(frozen=True)
class Case:
    """One surprise: the week's problem as now known, and the days the absence touches."""

    name: str
    problem: Problem
    touched: frozenset[dt.date]


def cases(bm: Branchmark, roster: Roster) -> list[Case]:
    """The three surprises of the module docstring."""
    prob = bm.problem
    who = next(
        p.staff_id
        for p in prob.staff
        if any(b.activity == "high_counter" for b in roster.blocks_of(THURSDAY, p.staff_id))
    )
    friday = THURSDAY + dt.timedelta(days=1)

    def away(*dates: dt.date) -> Problem:
        sick = tuple(Absence(staff_id=who, date=d, reason="病假") for d in dates)
        return prob.replace(absences=(*prob.absences, *sick))

    return [
        Case(f"one-day absence ({who})", away(THURSDAY), frozenset({THURSDAY})),
        Case(f"two-day absence ({who})", away(THURSDAY, friday), frozenset({THURSDAY, friday})),
        Case(f"demand +{SURPRISE - 1:.0%}", busier(bm), frozenset()),
    ]


def busier(bm: Branchmark) -> Problem:
    """The problem with the forecast × SURPRISE from Thursday on (re-forecast by the pipeline when the branch
    came from tickets, else the synthetic curve of the test factories)."""
    prob = bm.problem
    branch = getattr(bm, "branch", None)
    scale = len(prob.staff) / 14
    if branch is not None:
        from scheduler.app.pipeline import forecast_demand

        _, _, demand = forecast_demand(
            branch.replace(config=prob.config, staff=prob.staff), PLAN_WEEK, scale * SURPRISE
        )
    else:
        from factories import synthetic_demand

        demand = synthetic_demand(prob, level=scale * SURPRISE)
    later = {k: v for k, v in demand.items() if k[0] >= THURSDAY}
    return prob.replace(demand={**prob.demand, **later})


@dataclass(frozen=True)
class Row:
    """One repair or fresh plan, measured against the roster it started from."""

    mode: str
    wall: float
    cpu: float
    status: str
    person_days: int | None
    elsewhere: int | None
    people: int | None
    hours: float | None
    change_cny: float | None
    rest_cny: float | None
    hard: int | None
    stages: str = ""


def measure(mode: str, case: Case, before: Roster, r: RosterResult, clock: tuple[float, float]) -> Row:
    """Count what changed from the cut on (a fresh plan's change cost priced as a re-plan would); ``clock``:
    the wall and process CPU seconds it took."""
    wall, cpu = clock
    if r.roster is None:
        return Row(mode, wall, cpu, r.status, None, None, None, None, None, None, None)
    after, prob = r.roster, case.problem
    ids = prob.staff.ids()
    days = [d for d in prob.days if d.date >= THURSDAY]
    changed = [
        (d.date, p) for d in days for p in ids if before.blocks_of(d.date, p) != after.blocks_of(d.date, p)
    ]
    minutes = sum(int((before.grid(d, ids) != after.grid(d, ids)).sum()) * d.slot_minutes for d in days)
    in_model = r.penalties.get(CHANGES)
    change = in_model if in_model is not None else prob.config.replan.change_cost_per_hour * minutes / 60
    return Row(
        mode,
        wall,
        cpu,
        r.status,
        len(changed),
        sum(1 for d, _ in changed if d not in case.touched),
        len({p for _, p in changed}),
        minutes / 60,
        change,
        None if r.objective is None else r.objective - (in_model or 0.0),
        len(r.hard_violations),
    )


def timed(run: Callable[[], RosterResult]) -> tuple[RosterResult, tuple[float, float]]:
    """The result and the (wall, process CPU) seconds it took."""
    w0, c0 = time.perf_counter(), time.process_time()
    r = run()
    return r, (time.perf_counter() - w0, time.process_time() - c0)


def run_case(case: Case, before: Roster, seconds: float, seed: int) -> list[Row]:
    """The repair at the branch's change cost (and, for a demand surprise, at :data:`CHEAP` too: what changes
    once they cost little), and the fresh plan."""
    branch_cost = case.problem.config.replan.change_cost_per_hour
    costs = [branch_cost] + ([CHEAP] if not case.touched else [])
    rows = []
    for cost in costs:
        params = SolveParams(time_limit_seconds=seconds, seed=seed, keep=Keep(before, CUT, cost))
        r, clock = timed(lambda params=params: repair(case.problem, params)[0])
        first = "/".join(
            line.split(": ")[1].split()[0] for line in r.search_log if line.startswith("repair ")
        )
        row = measure(f"replan ({cost:g} CNY/h)", case, before, r, clock)
        rows.append(dataclasses.replace(row, stages=first or "—"))
    f, clock = timed(lambda: solve(case.problem, SolveParams(time_limit_seconds=seconds, seed=seed)))
    rows.append(measure("fresh plan (baseline)", case, before, f, clock))
    return rows


def main(argv: list[str] | None = None) -> None:
    """Plan each branch, repair each case, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan-seconds", type=float, default=30.0)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--branch", choices=("sample", "large", "both"), default="sample")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    sample = sample_branch()
    branches = []
    if args.branch in ("sample", "both"):
        branches.append(sample)
    if args.branch in ("large", "both"):
        large = large_branch(sample)
        large.branch = getattr(sample, "branch", None)  # type: ignore[attr-defined]
        branches.append(large)
    head = (
        "branch",
        "case",
        "mode",
        "wall s",
        "cpu s",
        "status",
        "person-days",
        "elsewhere",
        "people",
        "hours",
        "change CNY",
        "rest CNY",
        "hard",
        "first stages",
    )
    for bm in branches:
        t0 = time.perf_counter()
        plan = solve(bm.problem, SolveParams(time_limit_seconds=args.plan_seconds, seed=args.seed))
        assert plan.roster is not None, f"{bm.name}: no roster to repair ({plan.status})"
        print(
            f"\n{bm.name}: planned in {time.perf_counter() - t0:.0f} s, {plan.status}, gap {fmt(plan.gap, '.2%')}"
        )
        print_head(head)
        for case in cases(bm, plan.roster):
            for row in run_case(case, plan.roster, args.seconds, args.seed):
                print(
                    "| "
                    + " | ".join(
                        [
                            bm.name,
                            case.name,
                            row.mode,
                            f"{row.wall:.1f}",
                            f"{row.cpu:.1f}",
                            row.status,
                            fmt(row.person_days, "d"),
                            fmt(row.elsewhere, "d"),
                            fmt(row.people, "d"),
                            fmt(row.hours, ".1f"),
                            fmt(row.change_cny, ",.0f"),
                            fmt(row.rest_cny, ",.0f"),
                            fmt(row.hard, "d"),
                            row.stages or "",
                        ]
                    )
                    + " |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
