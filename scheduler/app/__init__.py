"""The app: the weekly pipeline, what-if scenarios, region runs on Dask, intraday advice and the ``paiban`` CLI
(``scheduler.app.cli``).

The notebook call ``intraday(...)`` (a past day replayed) lives in :mod:`scheduler.app.intraday_replay` and is
exported by the ``scheduler`` facade, not here: ``scheduler.app.intraday`` is the advice module.
"""

from scheduler.app.horizon import HorizonPlan, plan_horizon, write_horizon
from scheduler.app.intraday import Advice, Today, advise
from scheduler.app.intraday_files import load_today
from scheduler.app.intraday_replay import Replay, replay_day
from scheduler.app.pipeline import Branch, WeekPlan, load_branch, plan_week, write_plan
from scheduler.app.region import region_plan
from scheduler.app.replan import Replan, replan_week, write_replan
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
    "Advice",
    "Branch",
    "HorizonPlan",
    "Replan",
    "Replay",
    "Scenario",
    "Today",
    "WeekPlan",
    "advise",
    "compare",
    "demand_curve",
    "headcount_curve",
    "kpis",
    "load_branch",
    "load_today",
    "needed_headcount",
    "plan_all",
    "plan_horizon",
    "plan_week",
    "region_plan",
    "removal_order",
    "replan_week",
    "replay_day",
    "write_horizon",
    "write_plan",
    "write_replan",
]
