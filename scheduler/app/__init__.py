"""The app: the weekly pipeline, what-if scenarios and the ``paiban`` CLI (``scheduler.app.cli``)."""

from scheduler.app.pipeline import Branch, WeekPlan, load_branch, plan_week, write_plan
from scheduler.app.replan import Replan, replan_week, write_replan
from scheduler.app.scenario import Scenario, compare, kpis

__all__ = [
    "Branch",
    "Replan",
    "Scenario",
    "WeekPlan",
    "compare",
    "kpis",
    "load_branch",
    "plan_week",
    "replan_week",
    "write_plan",
    "write_replan",
]
