"""Tests of scheduler.report.kpis: each figure from its one source, and every output showing the same figures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import MONDAY, SATURDAY, TINY_WEEK_STAFF, synthetic_demand, tiny_config, tiny_problem
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from rich.console import Console

from constraints.problem import CounterDemand, Problem
from constraints.roster import Block, Roster
from constraints.rules import labour
from scheduler.app.cli.plan import report
from scheduler.app.pipeline import WeekPlan, load_branch, plan_week, write_plan
from scheduler.app.scenario import KPI_COLUMNS, Scenario, compare
from scheduler.report.kpis import WeekKpis, fmt, week_kpis
from scheduler.report.plots import METRICS
from scheduler.report.workbook.style import day_title
from scheduler.sample.generator import generate_sample
from scheduler.simulation.simulate import SIMULATION_COLUMNS, SimulationResult
from scheduler.solver.result import SolveParams
from scheduler.solver.solve import solve

TIME_LIMIT = float(os.environ.get("PAIBAN_TIME_LIMIT", "5"))


def _teller(date: dt.date, sid: str, start: str = "08:30", end: str = "17:30") -> list[Block]:
    """A day at the high counter with lunch 11:00–12:00 (times ``HH:MM``)."""

    def m(t: str) -> int:
        return int(t[:2]) * 60 + int(t[3:])

    return [
        Block(date, sid, m(start), 11 * 60, "high_counter"),
        Block(date, sid, 11 * 60, 12 * 60, "break"),
        Block(date, sid, 12 * 60, m(end), "high_counter"),
    ]


def _flat_demand(problem: Problem, per_slot: float) -> dict[tuple[dt.date, str], CounterDemand]:
    """``per_slot`` arrivals in every open slot of the high counter; the waiting minutes a slot generates are
    60 with no window, 12 with one, 4 with two."""
    out = {}
    for day in problem.open_days:
        n = len(day.slot_starts)
        arrivals = np.zeros(n)
        arrivals[list(day.open_slots)] = per_slot
        wait = np.zeros((n, 3))
        wait[list(day.open_slots)] = [60.0, 12.0, 4.0]
        out[(day.date, "high_counter")] = CounterDemand(
            day.date, "high_counter", arrivals, np.ones(n, dtype=int), wait
        )
    return out


def test_day_figures_come_from_the_roster_and_the_demand() -> None:
    """People, paid hours, salary, forecast arrivals and the queueing model's expected wait per day."""
    prob = tiny_problem([MONDAY, SATURDAY], demand=False)
    prob = prob.replace(demand=_flat_demand(prob, 5.0))
    roster = Roster(tuple(_teller(MONDAY, "C") + _teller(MONDAY, "D", end="15:30")))
    k = week_kpis(prob, roster)
    mon, sat = k.days
    assert (mon.people, mon.staff_hours, mon.salary_cny) == (2, 14.0, 14 * 60.0)
    assert (sat.people, sat.staff_hours, sat.salary_cny) == (0, 0.0, 0.0)
    assert mon.forecast_arrivals == 5.0 * len(prob.days[0].open_slots)
    # two windows while both are at the counter, one after 15:30 (D leaves), none over lunch (11:00–12:00)
    slots = prob.days[0].open_slots
    starts = [prob.days[0].slot_starts[s] for s in slots]
    waits = [60.0 if 11 * 60 <= t < 12 * 60 else 12.0 if t >= 15 * 60 + 30 else 4.0 for t in starts]
    assert mon.expected_wait_min == pytest.approx(sum(waits) / mon.forecast_arrivals, abs=0.005)
    assert sat.expected_wait_min == pytest.approx(60.0 / 5.0)  # nobody works Saturday: no window opens
    assert (k.people, k.staff_hours) == (2, 14.0)
    assert k.forecast_arrivals == mon.forecast_arrivals + sat.forecast_arrivals
    assert dict(k.staff_hours_by_person) == {
        sid: {"C": 8.0, "D": 6.0}.get(sid, 0.0) for sid in prob.staff.ids()
    }


def test_without_simulation_or_result_those_figures_are_absent() -> None:
    """No simulation: the simulated figures are None (not 0); no solver result: no objective or penalties."""
    prob = tiny_problem([MONDAY])
    k = week_kpis(prob, Roster(tuple(_teller(MONDAY, "C"))))
    for f in (k, *k.days):
        assert (f.simulated_arrivals, f.mean_wait_min, f.share_within_target) == (None, None, None)
        assert (f.p90_wait_min, f.abandoned) == (None, None)
    assert k.objective is None and dict(k.penalties) == {}
    assert fmt(k.mean_wait_min, "{:.1f}") == "—" and fmt(k.staff_hours, "{:.1f}") == "8.0"


def test_simulated_figures_pool_every_replication() -> None:
    """Arrivals and abandoned per replication; mean, share and P90 over every customer of the day or week."""
    prob = tiny_problem([MONDAY, SATURDAY])
    customers = pd.DataFrame(
        {
            "rep": [0, 0, 1, 1, 0],
            "date": [MONDAY, MONDAY, MONDAY, MONDAY, SATURDAY],
            "counter": ["high_counter"] * 5,
            "wait": [0.0, 10.0, 20.0, 30.0, 5.0],
            "within": [True, True, False, False, True],
            "abandoned": [False, False, False, True, False],
        }
    )
    sim = SimulationResult(pd.DataFrame(columns=list(SIMULATION_COLUMNS)), customers, replications=2, seed=0)
    k = week_kpis(prob, Roster(()), simulation=sim)
    mon, sat = k.days
    assert (mon.simulated_arrivals, mon.mean_wait_min, mon.share_within_target) == (2.0, 15.0, 0.5)
    assert (mon.p90_wait_min, mon.abandoned) == (27.0, 0.5)
    assert (sat.simulated_arrivals, sat.mean_wait_min, sat.p90_wait_min, sat.abandoned) == (
        0.5,
        5.0,
        5.0,
        0.0,
    )
    assert (k.simulated_arrivals, k.mean_wait_min, k.share_within_target, k.abandoned) == (
        2.5,
        13.0,
        0.6,
        0.5,
    )
    assert k.p90_wait_min == pytest.approx(float(np.quantile([0, 10, 20, 30, 5], 0.9)))


def test_week_cost_is_the_objectives_terms() -> None:
    """The week's pay terms are the objective's (salary, overtime, rest-day, holiday), the days' salaries and
    the unused contract hours add up to the salary term, and pay plus penalties is the objective."""
    prob = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob))
    r = solve(prob, SolveParams(time_limit_seconds=4.0))
    assert r.roster is not None and r.objective is not None
    k = week_kpis(prob, r.roster, result=r)
    for name, cny in k.pay_terms().items():
        assert cny == pytest.approx(r.penalties[name], abs=0.01), name
    assert sum(d.salary_cny for d in k.days) + k.unused_contract_cny == pytest.approx(k.salary_cny, abs=0.01)
    assert set(k.penalties) == set(r.penalties) - set(labour.PAY_TERMS)
    assert k.cost_cny + sum(k.penalties.values()) == pytest.approx(r.objective, abs=0.05)
    assert k.objective == round(r.objective, 2)


def test_compare_columns_are_kpi_names_and_the_plot_labels_them() -> None:
    """compare()'s figures carry the KPI module's names, and the comparison plot has a label for each."""
    names = {f.name for f in dataclasses.fields(WeekKpis)} | {"cost_cny"}
    figures = [c for c in KPI_COLUMNS if c not in ("scenario", "status", "gap", "solve_seconds")]
    assert [c for c in figures if c not in names] == ["hard_violations", "soft_violations"]
    assert set(figures) - {"soft_violations"} <= set(METRICS)


# ---- one plan, every output ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[WeekPlan, Path, str]:
    """The sample week planned once (short deterministic budget, seed 0), its files written, and the text the
    plan command prints after solving."""
    tmp = tmp_path_factory.mktemp("same")
    s = generate_sample(tmp / "sample", weeks=6, seed=0)
    branch = load_branch(s.tickets, s.staff, s.config, s.leave, s.events)
    plan = plan_week(branch, s.plan_week, SolveParams(time_limit_seconds=TIME_LIMIT, seed=0), replications=3)
    assert plan.roster is not None
    written = write_plan(plan, tmp / "out")
    console = Console(width=200, record=True, color_system=None)
    report(plan, written, console, tmp / "out")
    return plan, tmp / "out", console.export_text()


def _section(ws: Worksheet, heading: str, header: bool = True) -> dict[str, tuple[object, ...]]:
    """The rows of a 指标 section (first cell → row values), after its heading (and header row) to the next
    empty row."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == heading) + 1 + header
    out = {}
    for r in rows[start:]:
        if r[0] is None:
            break
        out[str(r[0])] = r
    return out


def _cli_rows(text: str) -> dict[str, list[str]]:
    """The CLI table's rows by their first word(s): ``11-30 周一`` → the figures after the opening hours."""
    out = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 11 and words[0][:2].isdigit() and words[0][2] == "-":
            out[f"{words[0]} {words[1]}"] = words[4:]
        elif words[:1] == ["本周"]:
            out["本周"] = words[1:]
    return out


def test_every_output_shows_the_same_figures(planned: tuple[WeekPlan, Path, str]) -> None:
    """summary.json, the 指标 and 窗口计划 sheets, the CLI table and compare() show the same numbers per day
    and for the week; the arrivals are requirements.csv's forecast, the week's salary the objective's term."""
    plan, out, printed = planned
    k = plan.kpis
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    book = load_workbook(out / "roster.xlsx")
    kpi_ws, windows_ws = book["指标"], book["窗口计划"]
    per_day, simulated = _section(kpi_ws, "每日指标"), _section(kpi_ws, "模拟结果 (各次重复合并)")
    cost = _section(kpi_ws, "本周成本 (求解目标的各项, 元)", header=False)
    windows = {}  # the daily summary: from row 4 to the first empty row
    for r in windows_ws.iter_rows(min_row=4, values_only=True):
        if r[0] is None:
            break
        windows[str(r[0])] = r
    cli = _cli_rows(printed)
    requirements = pd.read_csv(out / "requirements.csv")
    table = compare([Scenario(plan.branch, plan.monday, name="base")], plans=[plan]).iloc[0]

    for d in k.days:
        if not d.is_open:
            continue
        title, waits = day_title(d.date, "zh"), summary["expected_waits"][d.date.isoformat()]
        forecast = requirements.loc[requirements["date"] == d.date.isoformat(), "forecast_arrivals"].sum()
        assert d.forecast_arrivals == pytest.approx(forecast, abs=0.01)
        assert waits["arrivals"] == per_day[title][6] == windows[title][2] == d.forecast_arrivals
        assert waits["mean_wait_minutes"] == per_day[title][7] == d.expected_wait_min
        assert (per_day[title][2], per_day[title][3], per_day[title][4]) == (
            d.people,
            d.staff_hours,
            d.salary_cny,
        )
        sim = [
            waits["simulated_arrivals"],
            waits["simulated_mean_wait_minutes"],
            waits["simulated_share_within_target"],
            waits["simulated_p90_wait_minutes"],
            waits["simulated_abandoned"],
        ]
        assert (
            sim
            == list(simulated[title][2:7])
            == [
                d.simulated_arrivals,
                d.mean_wait_min,
                d.share_within_target,
                d.p90_wait_min,
                d.abandoned,
            ]
        )
        assert cli[title] == [
            str(d.people),
            f"{d.staff_hours:.1f}",
            f"{waits['arrivals']:.1f}",
            f"{sim[1]:.1f}",
            f"{sim[2]:.0%}",
            f"{sim[3]:.1f}",
            f"{sim[4]:.1f}",
        ]

    week = per_day["本周"]
    assert sum(summary["staff_hours"].values()) == pytest.approx(week[3]) and week[3] == k.staff_hours
    assert week[4] == cost["工资"][2] == summary["penalties"][labour.SALARY] == k.salary_cny
    assert week[6] == table["forecast_arrivals"] == k.forecast_arrivals
    assert list(simulated["本周"][2:7]) == [
        table["simulated_arrivals"],
        table["mean_wait_min"],
        table["share_within_target"],
        table["p90_wait_min"],
        table["abandoned"],
    ]
    assert cli["本周"] == [
        str(k.people),
        f"{k.staff_hours:.1f}",
        f"{k.forecast_arrivals:.1f}",
        f"{table['mean_wait_min']:.1f}",
        f"{table['share_within_target']:.0%}",
        f"{table['p90_wait_min']:.1f}",
        f"{table['abandoned']:.1f}",
    ]
    assert cost["人工成本合计"][2] == table["cost_cny"] == k.cost_cny
    assert f"工资 {k.salary_cny:,.0f}" in printed
    assert summary["objective"] == cost["目标值"][2] == table["objective"]
    assert summary["objective"] == round(plan.result.progress[-1].objective, 2)  # the progress bar's last
    assert table["staff_hours"] == k.staff_hours
