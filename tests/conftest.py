"""Shared fixtures: the examples of ../shared (read as they stand) and small hand-made branches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from plan_fixtures import GoodPlan

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
def good_plan(tmp_path_factory: pytest.TempPathFactory) -> GoodPlan:
    """A 3-week sample branch planned once with a 1-s budget (exit 0) — the good --out later runs must not spoil."""
    from scheduler.app.cli import main
    from scheduler.sample.generator import generate_sample

    sample = generate_sample(tmp_path_factory.mktemp("sample"), weeks=3, seed=5)
    plan = GoodPlan(sample, tmp_path_factory.mktemp("good"))
    assert main(plan.plan_args(plan.out)) == 0
    return plan
