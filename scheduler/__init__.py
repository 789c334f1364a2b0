"""The answer and the app, split by job:

- ``scheduler.solver``: the CP-SAT roster model, search, certified bound, solve and explanation;
- ``scheduler.simulation``: the one queue engine (customers through a roster's open windows);
- ``scheduler.sample``: the seeded sample branch;
- ``scheduler.report``: summary.json, the csv files, roster.xlsx, plots, an edited roster read back;
- ``scheduler.app``: the weekly pipeline, what-if scenarios, region runs on Dask, intraday advice and the CLI.

Imports flow one way: app → report / simulation / sample / solver → forecasts → constraints.

Public API (loaded on first use, so the CLI starts fast; typed for mypy through the imports below)::

    from scheduler import Scenario, compare, load_branch, plan_week, write_plan, generate_sample, plots
    from scheduler import headcount_curve, demand_curve  # 编制: cost and waits against headcount or demand
    from scheduler import region_plan  # a region's branch folders on Dask
    from scheduler import intraday, advise, load_today  # the lobby manager's live advice
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scheduler.app import (
        Branch,
        Scenario,
        WeekPlan,
        advise,
        compare,
        demand_curve,
        headcount_curve,
        kpis,
        load_branch,
        load_today,
        needed_headcount,
        plan_all,
        plan_week,
        region_plan,
        removal_order,
        write_plan,
    )
    from scheduler.app.intraday_replay import intraday
    from scheduler.report import plots, read_roster, write_workbook
    from scheduler.sample import generate_sample
    from scheduler.simulation import simulate_week
    from scheduler.solver import RosterResult, SolveParams, solve

_EXPORTS: dict[str, str] = {
    "Branch": "scheduler.app",
    "WeekPlan": "scheduler.app",
    "load_branch": "scheduler.app",
    "plan_week": "scheduler.app",
    "write_plan": "scheduler.app",
    "Scenario": "scheduler.app",
    "compare": "scheduler.app",
    "kpis": "scheduler.app",
    "region_plan": "scheduler.app",
    "intraday": "scheduler.app.intraday_replay",
    "advise": "scheduler.app",
    "load_today": "scheduler.app",
    "plan_all": "scheduler.app",
    "headcount_curve": "scheduler.app",
    "demand_curve": "scheduler.app",
    "needed_headcount": "scheduler.app",
    "removal_order": "scheduler.app",
    "SolveParams": "scheduler.solver",
    "RosterResult": "scheduler.solver",
    "solve": "scheduler.solver",
    "simulate_week": "scheduler.simulation",
    "generate_sample": "scheduler.sample",
    "read_roster": "scheduler.report",
    "write_workbook": "scheduler.report",
}

__all__ = [
    "Branch",
    "RosterResult",
    "Scenario",
    "SolveParams",
    "WeekPlan",
    "advise",
    "compare",
    "demand_curve",
    "generate_sample",
    "headcount_curve",
    "intraday",
    "kpis",
    "load_branch",
    "load_today",
    "needed_headcount",
    "plan_all",
    "plan_week",
    "plots",
    "read_roster",
    "region_plan",
    "removal_order",
    "simulate_week",
    "solve",
    "write_plan",
    "write_workbook",
]


def __getattr__(name: str) -> Any:
    if name == "plots":
        return importlib.import_module("scheduler.report.plots")
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'scheduler' has no attribute {name!r}")
