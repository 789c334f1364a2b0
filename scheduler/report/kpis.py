"""The numbers every output shows, computed once, per day and for the week.

The table ``paiban plan`` prints, summary.json, the 指标 and 窗口计划 sheets of roster.xlsx, ``compare()`` and the
comparison plot all read a :class:`WeekKpis`; none of them computes a figure of its own. Each figure has one
name, here and in every output that is a Python value or a table column (summary.json keeps the key names of
its contract in DESIGN.md: :meth:`DayKpis.expected_waits`). Values are rounded once, here (hours, CNY,
arrivals and minutes to 0.01, shares to 0.0001), so every output holds the very same number.

Where each figure comes from:

* ``forecast_arrivals`` — the demand the roster was planned for: requirements.csv's forecast arrivals (per slot
  and counter, as that file rounds them) summed.
* ``expected_wait_min`` — the queueing model's expected mean wait at the windows the roster opens (the
  problem's ``wait_minutes`` table, which the objective's waiting term prices), weighted by forecast arrivals.
* ``people``, ``staff_hours`` — the roster: people at work, their paid hours (lunch excluded).
* pay — :func:`constraints.rules.labour.pay`: salary, overtime, rest-day and holiday pay priced as the
  objective prices them; :attr:`WeekKpis.penalties` are the objective's other named terms (from the solver).
* ``workload`` — the ticket history (柜员号, 窗口) over the four weeks before the plan week: tickets, mean
  service minutes and busy share per teller and per window (:mod:`scheduler.report.workload`).
* ``simulated_arrivals``, ``mean_wait_min``, ``share_within_target``, ``p90_wait_min``, ``abandoned`` — the
  simulation (None without one), every replication's customers pooled; arrivals and abandoned are per
  replication. A customer who left waited until they left and was not served within the target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict, cast

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import COUNTER_TYPES
from constraints.errors import InputError
from constraints.problem import Problem
from constraints.roster import Roster
from constraints.rules import labour
from forecasts.staffing import requirements_frame
from scheduler.report.workload import Workload, ticket_workload
from scheduler.simulation.simulate import SimulationResult
from scheduler.solver.result import RosterResult


@dataclass(frozen=True, kw_only=True)
class Figures:
    """What a day and the week both show."""

    people: int  # people at work (the week: who works at least one day)
    staff_hours: float  # paid hours, lunch excluded
    salary_cny: float  # a day: its paid hours at the staff-hour rate; the week: the objective's salary term
    holiday_pay_cny: float  # the premium for hours on statutory holidays
    forecast_arrivals: float
    expected_wait_min: float | None  # None: no forecast arrivals
    simulated_arrivals: float | None  # simulated figures: None without a simulation
    mean_wait_min: float | None
    share_within_target: float | None
    p90_wait_min: float | None
    abandoned: float | None


@dataclass(frozen=True, kw_only=True)
class DayKpis(Figures):
    """One day's figures."""

    date: dt.date
    day_type: str
    is_open: bool

    def expected_waits(self) -> dict[str, float | None]:
        """The day's entry of summary.json's ``expected_waits`` (its key names are the file's contract)."""
        return {
            "arrivals": self.forecast_arrivals,
            "mean_wait_minutes": self.expected_wait_min,
            "simulated_arrivals": self.simulated_arrivals,
            "simulated_mean_wait_minutes": self.mean_wait_min,
            "simulated_share_within_target": self.share_within_target,
            "simulated_p90_wait_minutes": self.p90_wait_min,
            "simulated_abandoned": self.abandoned,
        }


@dataclass(frozen=True, kw_only=True)
class WeekKpis(Figures):
    """The week's figures, its days, and the cost by the objective's terms."""

    days: tuple[DayKpis, ...]
    staff_hours_by_person: Mapping[str, float]
    unused_contract_cny: float  # the part of the salary paid for contract hours nobody worked
    overtime_cny: float
    rest_day_pay_cny: float
    objective: float | None  # the solver's objective (None without a solver result)
    penalties: Mapping[str, float]  # the objective's terms other than pay, by name (empty without a result)
    workload: Workload | None = None  # tellers and windows from the ticket history (None without tickets)

    @property
    def cost_cny(self) -> float:
        """What the week's staff cost: salary, overtime, rest-day and holiday pay."""
        return round(self.salary_cny + self.overtime_cny + self.rest_day_pay_cny + self.holiday_pay_cny, 2)

    def pay_terms(self) -> dict[str, float]:
        """The pay terms by the objective's names (``labour.salary`` …)."""
        return {
            labour.SALARY: self.salary_cny,
            labour.OVERTIME: self.overtime_cny,
            labour.HOLIDAY_PAY: self.holiday_pay_cny,
            labour.REST_DAY_PAY: self.rest_day_pay_cny,
        }

    def day(self, date: dt.date) -> DayKpis:
        """The figures of one date."""
        for d in self.days:
            if d.date == date:
                return d
        raise KeyError(date)


class _Simulated(TypedDict):
    """The simulated figures of a day or the week, by their names in :class:`Figures`."""

    simulated_arrivals: float | None
    mean_wait_min: float | None
    share_within_target: float | None
    p90_wait_min: float | None
    abandoned: float | None


NOT_SIMULATED = _Simulated(
    simulated_arrivals=None, mean_wait_min=None, share_within_target=None, p90_wait_min=None, abandoned=None
)


def _r(x: float, nd: int = 2) -> float | None:
    return round(float(x), nd) if np.isfinite(x) else None


def _simulated(customers: pd.DataFrame, replications: int) -> _Simulated:
    """Pooled figures of some simulated customers (every replication)."""
    reps = max(replications, 1)
    wait = customers["wait"].to_numpy(float)
    finite = wait[np.isfinite(wait)]
    return _Simulated(
        simulated_arrivals=round(len(customers) / reps, 2),
        mean_wait_min=_r(finite.mean()) if len(finite) else None,
        share_within_target=_r(customers["within"].mean(), 4) if len(customers) else None,
        p90_wait_min=_r(np.quantile(finite, 0.9)) if len(finite) else None,
        abandoned=round(float(customers["abandoned"].sum()) / reps, 2),
    )


def _expected_wait_minutes(problem: Problem, roster: Roster, date: dt.date) -> float:
    """The queueing model's expected waiting minutes of a day at the windows the roster opens."""
    day = problem.day(date)
    if not day.is_open:
        return 0.0
    opened = roster.open_windows(day, problem.staff.ids())
    wait = 0.0
    for counter in COUNTER_TYPES:
        cd = problem.counter_demand(date, counter)
        if cd is None:
            continue
        windows = np.minimum(np.asarray(opened[counter], dtype=int), cd.wait_minutes.shape[1] - 1)
        wait += float(cd.wait_minutes[np.arange(len(windows)), windows].sum())
    return wait


def week_kpis(
    problem: Problem,
    roster: Roster,
    *,
    result: RosterResult | None = None,
    simulation: SimulationResult | None = None,
    tickets: pd.DataFrame | None = None,
) -> WeekKpis:
    """Every figure of the week under ``roster`` (an empty roster when the week could not be staffed); with
    the ``tickets`` history, the tellers' workload and the windows' utilisation before the week
    (:func:`scheduler.report.workload.ticket_workload`)."""
    ids = problem.staff.ids()
    pay = labour.pay(problem, roster)
    customers: dict[dt.date, pd.DataFrame] = {}
    if simulation is not None:
        customers = {cast(dt.date, d): g for d, g in simulation.customers.groupby("date", sort=False)}
        empty = simulation.customers.iloc[:0]
    req = requirements_frame(problem.demand, problem.days)  # requirements.csv's forecast, slot by slot
    forecast = req.groupby("date")["forecast_arrivals"].sum()
    days: list[DayKpis] = []
    total_arrivals = total_wait = 0.0
    for day in problem.days:
        arrivals = float(forecast.get(day.date.isoformat(), 0.0))
        wait = _expected_wait_minutes(problem, roster, day.date)
        total_arrivals, total_wait = total_arrivals + arrivals, total_wait + wait
        sim = NOT_SIMULATED
        if simulation is not None:
            sim = _simulated(customers.get(day.date, empty), simulation.replications)
        days.append(
            DayKpis(
                date=day.date,
                day_type=day.day_type,
                is_open=day.is_open,
                people=sum(roster.works(day.date, i) for i in ids),
                staff_hours=round(sum(roster.hours(i, [day.date]) for i in ids), 2),
                salary_cny=round(pay.worked[day.date], 2),
                holiday_pay_cny=round(pay.holiday[day.date], 2),
                forecast_arrivals=round(arrivals, 2),
                expected_wait_min=_r(wait / arrivals) if arrivals > 0 else None,
                **sim,
            )
        )
    dates = [d.date for d in problem.days]
    sim = NOT_SIMULATED
    if simulation is not None:
        sim = _simulated(simulation.customers, simulation.replications)
    terms = result.penalties if result is not None else {}
    return WeekKpis(
        days=tuple(days),
        people=sum(1 for i in ids if any(roster.works(d, i) for d in dates)),
        staff_hours=round(sum(roster.hours(i, dates) for i in ids), 2),
        staff_hours_by_person={i: round(roster.hours(i, dates), 2) for i in ids},
        salary_cny=round(pay.salary, 2),
        unused_contract_cny=round(pay.unused_contract, 2),
        overtime_cny=round(pay.overtime, 2),
        rest_day_pay_cny=round(pay.rest_day, 2),
        holiday_pay_cny=round(sum(pay.holiday.values()), 2),
        forecast_arrivals=round(total_arrivals, 2),
        expected_wait_min=_r(total_wait / total_arrivals) if total_arrivals > 0 else None,
        **sim,
        objective=None if result is None or result.objective is None else round(result.objective, 2),
        penalties={k: round(v, 2) for k, v in terms.items() if k not in labour.PAY_TERMS},
        workload=_workload(problem, tickets),
    )


def _workload(problem: Problem, tickets: pd.DataFrame | None) -> Workload | None:
    """The ticket history's tables before the week (None without tickets or a calendar to read them by)."""
    if tickets is None or not problem.days:
        return None
    try:
        calendar = BranchCalendar(problem.config)
    except InputError:
        return None
    return ticket_workload(tickets, calendar, problem.days[0].date, problem.staff)


def fmt(value: float | None, spec: str) -> str:
    """A figure as text for a table (``"{:.1f}"``, ``"{:.0%}"`` …); "—" when there is none."""
    return "—" if value is None or not np.isfinite(value) else spec.format(value)


__all__ = ["DayKpis", "Figures", "WeekKpis", "fmt", "week_kpis"]
