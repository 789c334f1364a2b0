"""The app: the weekly pipeline, what-if scenarios and the ``paiban`` CLI (``scheduler.app.cli``)."""

from scheduler.app.pipeline import Branch, WeekPlan, load_branch, plan_week, write_plan
from scheduler.app.scenario import (
    Scenario,
    compare,
    demand_curve,
    headcount_curve,
    kpis,
    needed_headcount,
    plan_all,
    removal_order,
)

__all__ = [
    "Branch",
    "Scenario",
    "WeekPlan",
    "compare",
    "demand_curve",
    "headcount_curve",
    "kpis",
    "load_branch",
    "needed_headcount",
    "plan_all",
    "plan_week",
    "removal_order",
    "write_plan",
]
