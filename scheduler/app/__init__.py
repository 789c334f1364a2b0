"""The app: the weekly pipeline, what-if scenarios, region runs on Dask and the ``paiban`` CLI (``scheduler.app.cli``)."""

from scheduler.app.pipeline import Branch, WeekPlan, load_branch, plan_week, write_plan
from scheduler.app.region import region_plan
from scheduler.app.scenario import Scenario, compare, kpis

__all__ = [
    "Branch",
    "Scenario",
    "WeekPlan",
    "compare",
    "kpis",
    "load_branch",
    "plan_week",
    "region_plan",
    "write_plan",
]
