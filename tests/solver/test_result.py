"""Tests of scheduler.solver.result: RosterResult's summary.json and roster.csv shapes, and SolveParams."""

from __future__ import annotations

import dataclasses
import json

import pytest
from factories import MONDAY, tiny_config, tiny_problem

from constraints.roster import ROSTER_COLUMNS
from scheduler.solver.result import Progress, RosterResult, SolveParams
from scheduler.solver.solve import solve


@pytest.fixture(scope="module")
def solved() -> RosterResult:
    """One solved tiny day, shared by the tests of this module."""
    return solve(tiny_problem([MONDAY]), SolveParams(time_limit_seconds=3))


def test_summary_is_json_with_the_design_keys(solved: RosterResult) -> None:
    """summary() has status, objective, bound, gap, timings, staff hours, violations, parameters, versions."""
    s = solved.summary()
    for key in (
        "status",
        "objective",
        "best_bound",
        "gap",
        "solve_seconds",
        "staff_hours",
        "violations",
        "parameters",
        "versions",
        "penalties",
        "handovers",
        "seed",
    ):
        assert key in s
    json.dumps(s, ensure_ascii=False)
    assert set(s["versions"]) == {"python", "ortools", "paiban"}
    assert s["parameters"]["seed"] == 0 and s["parameters"]["deterministic"] is True


def test_to_frame_has_the_roster_csv_columns(solved: RosterResult) -> None:
    """to_frame() is roster.csv: date, staff_id, name, post, start, end, activity."""
    df = solved.to_frame()
    assert list(df.columns) == list(ROSTER_COLUMNS)
    assert set(df["activity"]) <= {
        "high_counter",
        "low_counter",
        "corporate_counter",
        "lobby",
        "back_office",
        "meeting",
        "break",
    }
    assert (df["name"] != "").all()


def test_empty_result_has_empty_frame_and_no_hours() -> None:
    """Without a roster: empty roster.csv with its columns, no staff hours, not ok."""
    r = RosterResult("INFEASIBLE", tiny_problem([MONDAY]), SolveParams())
    assert list(r.to_frame().columns) == list(ROSTER_COLUMNS) and r.to_frame().empty
    assert r.staff_hours() == {} and not r.ok


def test_staff_hours_exclude_lunch(solved: RosterResult) -> None:
    """Staff hours are paid hours: a full day with lunch counts 8 h."""
    hours = solved.staff_hours()
    assert set(hours) == set(solved.problem.staff.ids())
    assert max(hours.values()) <= 8.0


def test_time_to_gap_reads_the_progress() -> None:
    """time_to_gap gives the first moment the gap fell to the target."""
    progress = (Progress(1.0, 110, 100, 0.09, 1), Progress(2.0, 101, 100, 0.0099, 2))
    r = RosterResult("FEASIBLE", tiny_problem([MONDAY]), SolveParams(), progress=progress)
    assert r.time_to_gap(0.01) == 2.0 and r.time_to_gap(0.1) == 1.0 and r.time_to_gap(0.001) is None


def test_params_from_config_take_the_solver_section() -> None:
    """SolveParams.from_config reads config.solver and lets changes (not None) override."""
    cfg = tiny_config(**{"solver.seed": 7, "solver.time_limit_seconds": 12})
    p = SolveParams.from_config(cfg, seed=None, relax=["lunch"])
    assert p.seed == 7 and p.time_limit_seconds == 12 and p.relax == ("lunch",)


def test_result_is_frozen(solved: RosterResult) -> None:
    """A result is a value: its fields cannot be reassigned after the solve built it."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        solved.objective = 0.0  # type: ignore[misc]
    assert isinstance(solved.violations, tuple) and isinstance(solved.progress, tuple)


def test_handovers_are_derived_for_the_lobby_log(solved: RosterResult) -> None:
    """Every change of lobby manager in the roster is a handover with a reason."""
    for h in solved.handovers:
        assert h.date == MONDAY and h.reason
