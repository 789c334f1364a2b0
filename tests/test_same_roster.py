"""The same inputs and seed give the same roster, across refactors: a snapshot of one week's roster.

The tiny nine-person week (tests/factories.py) is solved deterministically (seed 0, deterministic work budget)
and compared, row by row, with ``tests/data/tiny_week_roster.csv``. A change that moves code without meaning to
change the answer must keep this test green. A change meant to change rosters (a rule, the objective, the
search) regenerates the snapshot on purpose, and its commit says why::

    PAIBAN_UPDATE_SNAPSHOT=1 pytest tests/test_same_roster.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from factories import MONDAY, TINY_WEEK_STAFF, synthetic_demand, tiny_config

from constraints.problem import Problem
from scheduler.solver import SolveParams, solve

SNAPSHOT = Path(__file__).parent / "data" / "tiny_week_roster.csv"


def tiny_week_roster() -> pd.DataFrame:
    prob = Problem.for_week(tiny_config(), TINY_WEEK_STAFF, MONDAY)
    prob = prob.replace(demand=synthetic_demand(prob))
    result = solve(prob, SolveParams(time_limit_seconds=6.0, seed=0, deterministic=True))
    assert result.roster is not None, result.explanation
    if not result.reproducible:  # the wall-clock guard cut the deterministic budget: no snapshot can hold
        pytest.skip(
            f"machine too busy: the wall clock cut the deterministic budget ({result.solve_seconds:.0f} s)"
        )
    return result.roster.to_frame(prob.staff).astype(str).reset_index(drop=True)


def test_same_seed_same_roster_as_the_snapshot() -> None:
    roster = tiny_week_roster()
    if os.environ.get("PAIBAN_UPDATE_SNAPSHOT"):
        roster.to_csv(SNAPSHOT, index=False)
    expected = pd.read_csv(SNAPSHOT, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(roster, expected)
