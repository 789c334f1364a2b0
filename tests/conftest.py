"""Shared fixtures: the examples of ../shared (read as they stand), the hand-made week of the example branch,
and the process-wide settings (language, matplotlib rc) each test leaves as it found them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import roster_fixtures as rf
from plan_fixtures import GoodPlan

from constraints.i18n import language, set_language
from constraints.problem import Problem
from constraints.roster import Roster

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PAIBAN_SHARED", ROOT.parent / "shared"))
EXAMPLES = SHARED / "examples"
EXTERNAL = Path(os.environ.get("PAIBAN_EXTERNAL", SHARED / "data" / "external"))


@pytest.fixture
def examples() -> Path:
    """The folder ../shared/examples (skips when it is not beside the project)."""
    if not EXAMPLES.exists():
        pytest.skip(f"examples folder not found at {EXAMPLES}")
    return EXAMPLES


@pytest.fixture
def external() -> Path:
    """The research data sets (skips with a message when absent)."""
    if not EXTERNAL.exists():
        pytest.skip(f"external data not found at {EXTERNAL}; set PAIBAN_EXTERNAL to run these tests")
    return EXTERNAL


@pytest.fixture(scope="session")
def problem() -> Problem:
    """The example branch's week of 2026-11-30 with made-up demand (tests/roster_fixtures.py)."""
    return rf.example_problem(rf.examples_dir())


@pytest.fixture(scope="session")
def roster() -> Roster:
    """The hand-made week of the example branch, which holds every hard rule (tests/roster_fixtures.py)."""
    return rf.example_roster()


@pytest.fixture
def book(tmp_path: Path, written: Path) -> Path:
    """A private copy, to edit, of the module's ``written`` roster.xlsx."""
    return Path(shutil.copy(written, tmp_path / "roster.xlsx"))


@pytest.fixture(autouse=True)
def _keep_language() -> Iterator[None]:
    """``--lang`` sets the language for the whole process: each test leaves it as it found it."""
    before = language()
    yield
    set_language(before)


@pytest.fixture
def restore_rc() -> Iterator[None]:
    """Keep a test's matplotlib settings (fonts) to itself."""
    import matplotlib  # only the plot tests pay for the import

    with matplotlib.rc_context():
        yield


@pytest.fixture(scope="session")
def good_plan(tmp_path_factory: pytest.TempPathFactory) -> GoodPlan:
    """A 3-week sample branch planned once with a 5-s budget (exit 0) — the good --out later runs must not spoil."""
    from scheduler.app.cli import main
    from scheduler.sample.generator import generate_sample

    sample = generate_sample(tmp_path_factory.mktemp("sample"), weeks=3, seed=5)
    plan = GoodPlan(sample, tmp_path_factory.mktemp("good"))
    assert main(plan.plan_args(plan.out)) == 0
    return plan
