"""The answer and the app: roster model and solve, simulation, exports, what-if scenarios, CLI.

Public API (loaded on first use, so the CLI starts fast)::

    from scheduler import Scenario, compare, load_branch, plan_week, write_plan, generate_sample, plots
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Branch": "scheduler.pipeline",
    "WeekPlan": "scheduler.pipeline",
    "load_branch": "scheduler.pipeline",
    "plan_week": "scheduler.pipeline",
    "write_plan": "scheduler.pipeline",
    "Scenario": "scheduler.scenario",
    "compare": "scheduler.scenario",
    "kpis": "scheduler.scenario",
    "SolveParams": "scheduler.result",
    "RosterResult": "scheduler.result",
    "solve": "scheduler.solve",
    "simulate_week": "scheduler.simulate",
    "generate_sample": "scheduler.sample",
    "read_roster": "scheduler.read_roster",
    "write_workbook": "scheduler.workbook",
}

__all__ = [*sorted(_EXPORTS), "plots"]


def __getattr__(name: str) -> Any:
    if name == "plots":
        return importlib.import_module("scheduler.plots")
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'scheduler' has no attribute {name!r}")
