"""A hand-made week for the example branch (../shared/examples), week of Monday 2026-11-30.

Built to hold the branch's hard rules: four at the high counter on weekdays with lunches in waves
(11:00/11:30/12:00/12:30) so two are always there at noon; on weekends three full shifts and a late shift keep
two at the high counter all day; a lobby manager, a cover at lunch and a backup at every open slot (the branch
president stands by as backup 12:30–13:00 on the days he works, and covers the floor at lunch on Sunday); an
authority holder present at every open slot; ≤ 40 h and ≥ 1 rest day each.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import load_config, parse_hhmm
from constraints.problem import CounterDemand, Problem
from constraints.roster import Block, Roster
from constraints.staff import read_absences, read_staff

MONDAY = dt.date(2026, 11, 30)
EXAMPLES = (
    Path(os.environ.get("PAIBAN_SHARED", Path(__file__).resolve().parents[1].parent / "shared")) / "examples"
)


def examples_dir() -> Path:
    """../shared/examples, or skip the test (module-scoped fixtures cannot use conftest's ``examples``)."""
    import pytest

    if not EXAMPLES.exists():
        pytest.skip(f"examples folder not found at {EXAMPLES}")
    return EXAMPLES


Seg = tuple[str, str, str]


def _blocks(date: dt.date, sid: str, segs: list[Seg]) -> list[Block]:
    return [Block(date, sid, parse_hhmm(a), parse_hhmm(b), act) for a, b, act in segs]


def blocks(date: dt.date, sid: str, *parts: Seg) -> list[Block]:
    """Blocks of one person from ``(start, end, activity)`` triples (``HH:MM``)."""
    return _blocks(date, sid, list(parts))


def _teller(lunch: str, *, weekend: bool = False) -> list[Seg]:
    l0 = parse_hhmm(lunch)
    l1 = f"{(l0 + 60) // 60:02d}:{(l0 + 60) % 60:02d}"
    if weekend:
        return [
            ("09:00", "09:15", "meeting"),
            ("09:15", "09:30", "back_office"),
            ("09:30", lunch, "high_counter"),
            (lunch, l1, "break"),
            (l1, "16:00", "high_counter"),
            ("16:00", "16:30", "back_office"),
        ]
    return [
        ("08:30", "08:45", "meeting"),
        ("08:45", "09:00", "back_office"),
        ("09:00", lunch, "high_counter"),
        (lunch, l1, "break"),
        (l1, "17:00", "high_counter"),
        ("17:00", "17:30", "back_office"),
    ]


WEEKDAY: dict[str, list[Seg]] = {
    "A": [
        ("08:30", "08:45", "meeting"),
        ("08:45", "09:00", "back_office"),
        ("09:00", "12:00", "lobby"),
        ("12:00", "13:00", "break"),
        ("13:00", "17:00", "lobby"),
        ("17:00", "17:30", "back_office"),
    ],
    "B": [
        ("08:30", "08:45", "meeting"),
        ("08:45", "11:00", "back_office"),
        ("11:00", "12:00", "break"),
        ("12:00", "13:00", "lobby"),
        ("13:00", "17:30", "back_office"),
    ],
    "C": [
        ("08:30", "08:45", "meeting"),
        ("08:45", "12:30", "back_office"),
        ("12:30", "13:30", "break"),
        ("13:30", "17:30", "back_office"),
    ],
    "P": [
        ("08:30", "08:45", "meeting"),
        ("08:45", "11:00", "back_office"),
        ("11:00", "12:00", "break"),
        ("12:00", "17:30", "back_office"),
    ],
    "D": [("11:30", "17:30", "back_office")],
    "office": [
        ("08:30", "08:45", "meeting"),
        ("08:45", "12:00", "back_office"),
        ("12:00", "13:00", "break"),
        ("13:00", "17:30", "back_office"),
    ],
    "corp_am": [
        ("08:30", "08:45", "meeting"),
        ("08:45", "09:00", "back_office"),
        ("09:00", "12:00", "corporate_counter"),
        ("12:00", "13:00", "break"),
        ("13:00", "17:30", "back_office"),
    ],
    "corp_pm": [
        ("08:30", "08:45", "meeting"),
        ("08:45", "11:00", "back_office"),
        ("11:00", "12:00", "break"),
        ("12:00", "17:00", "corporate_counter"),
        ("17:00", "17:30", "back_office"),
    ],
}

WEEKEND: dict[str, list[Seg]] = {
    "A": [
        ("09:00", "09:15", "meeting"),
        ("09:15", "09:30", "back_office"),
        ("09:30", "12:30", "lobby"),
        ("12:30", "13:30", "break"),
        ("13:30", "16:00", "lobby"),
        ("16:00", "16:30", "back_office"),
    ],
    "B": [
        ("09:00", "09:15", "meeting"),
        ("09:15", "11:30", "back_office"),
        ("11:30", "12:30", "break"),
        ("12:30", "13:30", "lobby"),
        ("13:30", "16:30", "back_office"),
    ],
    "C": [("11:30", "16:30", "back_office")],
    "late_teller": [("11:00", "16:00", "high_counter"), ("16:00", "16:30", "back_office")],
}

# weekday → (high-counter people in lunch-wave order, lobby A, B, C (or None), president role, S02 role)
WEEKDAY_PLAN: dict[int, tuple[list[str], str, str, str, bool]] = {
    0: (["S08", "S09", "S10", "S11"], "S04", "S05", "S03", True),
    1: (["S08", "S09", "S11", "S02"], "S04", "S06", "S03", True),
    2: (["S07", "S09", "S10", "S02"], "S05", "S06", "S04", True),
    3: (["S07", "S08", "S10", "S02"], "S04", "S03", "S05", False),
    4: (["S07", "S08", "S10", "S11"], "S05", "S06", "S03", True),
}
WAVES = ["11:00", "11:30", "12:00", "12:30"]


HAND_MADE_SETTINGS = {
    "rules.shifts.enabled": False,
    "rules.daily_routine.meeting_for": "opening_shift",
    "rules.daily_routine.cash_box_minutes": 0,
}
"""The hand-made week staggers four lunch starts, has late shifts that skip the 晨会 and tellers who go to the
counter straight from the door: the example branch it belongs to posts free shifts, seats the opening shift at
the 晨会 and leaves the cash box (领尾箱) out of the plan, as branch.toml lets a branch."""


def hand_made_config(examples: Path, out_dir: Path) -> Path:
    """A copy of the example branch.toml with :data:`HAND_MADE_SETTINGS`, for the CLI (``check``)."""
    text = (examples / "branch.toml").read_text(encoding="utf-8")
    path = out_dir / "branch.toml"
    path.write_text(
        f'shifts = "free"\n{text}\n[rules.daily_routine]\nmeeting_for = "opening_shift"\ncash_box_minutes = 0\n',
        encoding="utf-8",
    )
    return path


def example_problem(examples: Path) -> Problem:
    """The example branch's week of 2026-11-30 (staff, config and leave from ../shared/examples)."""
    config = load_config(examples / "branch.toml").copy_with(**HAND_MADE_SETTINGS)
    staff = read_staff(examples / "staff.csv")
    leave = read_absences(examples / "leave.csv", staff)
    problem = Problem.for_week(config, staff, MONDAY, leave, calendar=BranchCalendar(config))
    return problem.replace(demand=example_demand(problem))


def example_roster() -> Roster:
    """The hand-made week (see the module docstring)."""
    blocks: list[Block] = []
    for wd, (high, a, b, c, president) in WEEKDAY_PLAN.items():
        date = MONDAY + dt.timedelta(days=wd)
        for sid, wave in zip(high, WAVES, strict=True):
            blocks += _blocks(date, sid, _teller(wave))
        blocks += (
            _blocks(date, a, WEEKDAY["A"]) + _blocks(date, b, WEEKDAY["B"]) + _blocks(date, c, WEEKDAY["C"])
        )
        if president:
            blocks += _blocks(date, "S01", WEEKDAY["P"])
        else:
            blocks += _blocks(date, "S06", WEEKDAY["D"])
        if "S02" not in high:
            blocks += _blocks(date, "S02", WEEKDAY["office"])
        blocks += _blocks(date, "S12", WEEKDAY["corp_am"]) + _blocks(date, "S13", WEEKDAY["corp_pm"])
        blocks += _blocks(date, "S14", WEEKDAY["office"])
    sat, sun = MONDAY + dt.timedelta(days=5), MONDAY + dt.timedelta(days=6)
    for date, tellers, late, (a, b, c) in (
        (sat, ["S07", "S08", "S11"], "S09", ("S04", "S03", "S06")),
        (sun, ["S09", "S10", "S11"], "S07", ("S05", "S01", "S06")),
    ):
        for sid, wave in zip(tellers, ["11:00", "12:00", "12:30"], strict=True):
            blocks += _blocks(date, sid, _teller(wave, weekend=True))
        blocks += _blocks(date, late, WEEKEND["late_teller"])
        blocks += (
            _blocks(date, a, WEEKEND["A"]) + _blocks(date, b, WEEKEND["B"]) + _blocks(date, c, WEEKEND["C"])
        )
    return Roster(tuple(blocks))


def example_demand(problem: Problem) -> dict[tuple[dt.date, str], CounterDemand]:
    """Made-up demand with the usual shape (peaks 10–11 and 14–16, Monday busier, weekends quieter)."""
    scale = {"high_counter": 9.0, "low_counter": 3.0, "corporate_counter": 1.2}
    service = {"high_counter": 4.0, "low_counter": 10.0, "corporate_counter": 15.0}
    out: dict[tuple[dt.date, str], CounterDemand] = {}
    for day in problem.open_days:
        factor = 1.1 if day.date.weekday() == 0 else 0.46 if day.day_type == "weekend" else 1.0
        n = len(day.slot_starts)
        for counter, base in scale.items():
            arrivals = np.zeros(n)
            for s in day.open_slots:
                h = (day.slot_starts[s] + day.slot_minutes / 2) / 60
                hump = 1.0 + 0.8 * np.exp(-((h - 10.5) ** 2) / 0.5) + 0.6 * np.exp(-((h - 15.0) ** 2) / 0.8)
                arrivals[s] = round(base * factor * hump, 2)
            windows = problem.windows(counter)
            load = arrivals * service[counter] / day.slot_minutes
            required = np.minimum(windows, np.ceil(load / 0.85)).astype(int)
            required[list(day.open_slots)] = np.maximum(required[list(day.open_slots)], 1)
            c = np.arange(windows + 1)
            wait = np.where(
                c[None, :] == 0,
                arrivals[:, None] * 30.0,
                arrivals[:, None] * 6.0 * (load[:, None] / np.maximum(c[None, :], 1)) ** 2,
            )
            out[(day.date, counter)] = CounterDemand(day.date, counter, arrivals, required, wait)
    return out


def example_forecast(problem: Problem) -> pd.DataFrame:
    """The made-up demand as a forecast frame (date, slot minute, counter, mean) labelled by forecasts.peaks."""
    from forecasts.peaks import add_labels

    rows = []
    for (date, counter), cd in example_demand(problem).items():
        day = problem.day(date)
        for s in day.open_slots:
            rows.append(
                {"date": date, "slot": day.slot_starts[s], "counter": counter, "mean": float(cd.arrivals[s])}
            )
    return add_labels(pd.DataFrame(rows))
