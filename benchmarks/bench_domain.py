"""What the seed's controls cost on the sample branch: ``each`` vs ``any`` authority cover, posted shifts vs
free starts (with and without the ≤2×2 limits), the 晨会 for everyone vs the opening shift only, and all of issue 21's controls off together.

``python -m benchmarks.bench_domain`` (``--seconds 20 --replications 5``). Each variant plans the sample's
week 2026-11-30 through ``scheduler.app.pipeline.plan_week`` (forecast → demand → roster → simulation) with the
same deterministic budget and seed, and prints the solver status, the objective, the staff cost (salary,
overtime, rest-day pay), staff hours and the simulated mean wait. Short budgets: the figures are what that
budget finds, not optima (the gap column says how far from the certified bound).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from scheduler.app.pipeline import load_branch, plan_week
from scheduler.sample.generator import generate_sample
from scheduler.solver.result import SolveParams

VARIANTS: dict[str, dict[str, object]] = {
    "defaults (each, 晨会 for everyone, 1-h lobby stints, branch holder opens/closes, posted shifts)": {},
    "shifts limits (free starts, ≤2 start × ≤2 end times, 2 waves)": {"rules.shifts.mode": "limits"},
    "shifts free": {"rules.shifts.enabled": False},
    "any authority": {"rules.permission_holder.require": "any"},
    "晨会 for the opening shift only": {"rules.daily_routine.meeting_for": "opening_shift"},
    "before issue 21 (any, opening shift, no stint, no branch holder at open/close, free shifts)": {
        "rules.shifts.enabled": False,
        "rules.permission_holder.require": "any",
        "rules.daily_routine.meeting_for": "opening_shift",
        "rules.daily_routine.branch_at_open_close": False,
        "rules.lobby_manager.min_stint_minutes": 0,
    },
}


def main(argv: list[str] | None = None) -> None:
    """Plan the sample week under each variant and print one row each."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--replications", type=int, default=5)
    ap.add_argument("--only", default="", help="run the variants whose name contains this")
    args = ap.parse_args(argv)
    d = Path(tempfile.mkdtemp(prefix="paiban_bench_domain_")) / "sample"
    s = generate_sample(d, seed=0)
    branch = load_branch(s.tickets, s.staff, s.config, leave=s.leave, events=s.events)
    print(f"sample week {s.plan_week}, {args.seconds:g} s deterministic budget, 2 workers, seed 0")
    print(
        f"{'variant':<86} {'status':<10} {'objective':>10} {'gap':>6} {'staff CNY':>10} {'hours':>7} "
        f"{'wait min':>8} {'wall s':>7}"
    )
    for name, updates in VARIANTS.items():
        if args.only and args.only not in name:
            continue
        b = dataclasses.replace(branch, config=branch.config.copy_with(**updates)) if updates else branch
        params = SolveParams.from_config(b.config, time_limit_seconds=args.seconds)
        t0 = time.perf_counter()
        plan = plan_week(b, s.plan_week, params, replications=args.replications)
        wall = time.perf_counter() - t0
        k, r = plan.kpis, plan.result
        obj = f"{r.objective:,.0f}" if r.objective is not None else "—"
        gap = f"{r.gap:.1%}" if r.gap is not None else "—"
        wait = f"{k.mean_wait_min:.2f}" if k.mean_wait_min is not None else "—"
        print(
            f"{name:<86} {r.status:<10} {obj:>10} {gap:>6} {k.cost_cny:>10,.0f} {k.staff_hours:>7.1f} "
            f"{wait:>8} {wall:>7.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
