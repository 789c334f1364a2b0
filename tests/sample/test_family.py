"""Tests of scheduler.sample.family: the branch shapes cover what the benchmark promises, are written as real
inputs, and their rosters hold every rule (two small shapes here; ``PAIBAN_FAMILY=all`` runs every shape)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.bench_family import family_problem
from constraints.config import COUNTER_TYPES, load_config
from constraints.rules import check_roster
from scheduler.sample.family import SHAPES, overrides_frame, set_toml, shape_named, staff_frame, write_shape
from scheduler.solver.result import SolveParams
from scheduler.solver.solve import solve

QUICK = ("b05_h60_5d", "b08_h30_6d")
CHOSEN = [s.name for s in SHAPES] if os.environ.get("PAIBAN_FAMILY") == "all" else list(QUICK)


def test_the_family_covers_the_promised_shapes() -> None:
    """At least twelve shapes: staff 5, 8, 14, 25, 40 and 80; slots 15, 30, 60; five-, six- and seven-day
    weeks; a statutory holiday; one to eight windows a counter and a branch without a corporate counter;
    exactly two lobby people and two authority holders; three on leave; part-timers."""
    assert len(SHAPES) >= 12 and len({s.name for s in SHAPES}) == len(SHAPES)
    assert {5, 8, 14, 25, 40, 80} <= {s.staff for s in SHAPES}
    assert {15, 30, 60} <= {s.slot_minutes for s in SHAPES}
    assert {5, 6, 7} <= {s.open_days for s in SHAPES}
    windows = {w for s in SHAPES for w in s.windows}
    assert {1, 8} <= windows and max(windows) <= 8 and any(s.windows[2] == 0 for s in SHAPES)
    assert any(s.lobby_people == 2 for s in SHAPES) and any(s.holders == 2 for s in SHAPES)
    assert any(s.leave == 3 for s in SHAPES) and any(s.part_timers > 0 for s in SHAPES)
    assert any(s.holiday_hours != "closed" for s in SHAPES)


def test_scarce_roles_and_part_timers_are_in_the_staff_list() -> None:
    """The staff list keeps the lobby skill and the authorities to exactly the shape's counts, and gives the
    part-timers their hours."""
    lobby = staff_frame(shape_named("b14_q15_lobby2"))
    assert sum("lobby" in s for s in lobby["技能"]) == 2
    holders = staff_frame(shape_named("b14_h30_holders2"))
    assert sum(bool(a) for a in holders["权限"]) == 2
    part = staff_frame(shape_named("b25_q15_parttime"))
    assert (part["周工时"] == "24").sum() == 4 and len(part) == 25


def test_a_six_day_branch_closes_its_sundays_but_not_a_holiday_or_makeup_day() -> None:
    """The overrides close the weekend days of a shorter week the calendar calls weekends — Sundays for a
    six-day branch — and leave statutory holidays and 调休 workdays to the calendar."""
    six = shape_named("b08_h30_6d")
    rows = overrides_frame(six, dt.date(2026, 4, 27), dt.date(2026, 5, 10))
    closed = {dt.date.fromisoformat(d) for d in rows["date"]}
    assert dt.date(2026, 5, 10) in closed and dt.date(2026, 4, 26) not in closed
    assert dt.date(2026, 5, 3) not in closed  # Sunday, but Labour Day: a holiday, not a weekend
    assert dt.date(2026, 5, 9) not in closed  # Saturday, a 调休 workday
    assert all(dt.date.fromisoformat(d).weekday() == 6 for d in rows["date"])


def test_set_toml_replaces_a_key_in_its_section_and_keeps_its_comment() -> None:
    """A key is replaced in its own section only (its comment kept), added when missing, and a missing
    section is appended."""
    text = "[a]\nx = 1   # one\n\n[b]\nx = 2\n"
    out = set_toml(set_toml(set_toml(text, "b", "x", 5), "a", "y", "z"), "c.d", "flag", True)
    assert out.startswith('[a]\ny = "z"\nx = 1   # one\n') and "[b]\nx = 5\n" in out
    assert out.rstrip().endswith("[c.d]\nflag = true")


def test_written_shape_is_a_branch_paiban_reads(tmp_path: Path) -> None:
    """A written shape has the files a branch hands in; its config has the shape's grid and windows and
    its tickets use only the counters it has."""
    shape = shape_named("b05_h60_5d")
    fb = write_shape(shape, tmp_path / shape.name)
    cfg = load_config(fb.config)
    assert cfg.grid.slot_minutes == 60
    assert [cfg.windows[c] for c in COUNTER_TYPES] == list(shape.windows)
    tickets = pd.read_csv(fb.tickets, encoding="gb18030")
    assert len(tickets) > 100 and "对公业务" not in set(tickets["业务类型"])
    assert (fb.folder / "overrides.csv").exists() and fb.plan_week == shape.week


@pytest.mark.parametrize("name", CHOSEN)
def test_family_shape_roster_holds_every_rule(name: str, tmp_path: Path) -> None:
    """A shape read and forecast as ``paiban plan`` does gets a roster (a small fixed work budget) that
    every rule's check passes."""
    shape = shape_named(name)
    problem = family_problem(shape, tmp_path / name)
    r = solve(problem, SolveParams(time_limit_seconds=300.0, work_units=1.0))
    assert r.roster is not None, r.explanation
    assert not [v for v in check_roster(problem, r.roster) if v.hard]
    assert r.gap is not None and r.reproducible
