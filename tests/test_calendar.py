"""Tests of constraints.calendar: China's day types, 调休, overrides, hours and slot grids."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from constraints.calendar import (
    SUPPORTED_YEARS,
    BranchCalendar,
    Override,
    carry_to_open,
    package_day_type,
    parse_week,
)
from constraints.config import BranchConfig, load_config
from constraints.errors import InputError


def test_day_types_2026() -> None:
    """National Day is a holiday, its 调休 Saturday a make-up workday, a plain Saturday a weekend."""
    assert package_day_type(dt.date(2026, 10, 1)) == "holiday"
    assert package_day_type(dt.date(2026, 10, 10)) == "makeup_workday"
    assert package_day_type(dt.date(2026, 11, 7)) == "weekend"
    assert package_day_type(dt.date(2026, 11, 2)) == "workday"


def test_cross_check_with_holidays_package() -> None:
    """chinesecalendar and holidays agree on every 2025–2026 statutory holiday date holidays lists."""
    holidays = pytest.importorskip("holidays")
    for year in (2025, 2026):
        for day, _ in holidays.country_holidays("CN", years=year).items():
            assert package_day_type(day) == "holiday", day


def test_uncovered_year_is_an_error_unless_overridden(tmp_path: Path) -> None:
    """2027 without an override is a clear error; with one it is accepted."""
    cal = BranchCalendar(BranchConfig())
    with pytest.raises(InputError, match="override"):
        cal.day(dt.date(2027, 3, 1))
    ov = tmp_path / "ov.csv"
    ov.write_text(
        "date,day_type,open,close\n2027-03-01,workday,,\n2027-03-02,工作日,10:00,15:00\n", encoding="utf-8"
    )
    (tmp_path / "b.toml").write_text('[calendar]\noverrides = "ov.csv"\n', encoding="utf-8")
    cal = BranchCalendar(load_config(tmp_path / "b.toml"))
    assert cal.day(dt.date(2027, 3, 1)).open_hours == BranchConfig().hours.workday
    d = cal.day(dt.date(2027, 3, 2))
    assert d.open_hours is not None and (d.open_hours.start, d.open_hours.end) == (600, 900)


def test_slot_grid_spans_staff_time() -> None:
    """A workday's grid runs 08:30–17:30 in 15-min slots; 09:00–17:00 are open slots."""
    day = BranchCalendar(BranchConfig()).day(dt.date(2026, 11, 2))
    assert len(day.slot_starts) == 36 and day.slot_label(0) == "08:30"
    assert len(day.open_slots) == 32 and day.slot_label(day.open_slots[0]) == "09:00"
    sat = BranchCalendar(BranchConfig()).day(dt.date(2026, 11, 7))
    assert sat.slot_label(sat.open_slots[0]) == "09:30" and len(sat.open_slots) == 26


def test_holiday_is_closed_by_default() -> None:
    """Statutory holidays are closed unless the config opens them."""
    cal = BranchCalendar(BranchConfig())
    assert not cal.day(dt.date(2026, 10, 1)).is_open
    opened = BranchConfig().copy_with(**{"hours.holiday": "10:00-16:00"})
    assert BranchCalendar(opened).day(dt.date(2026, 10, 1)).is_open


def test_week_must_be_a_monday() -> None:
    """--week names the argument when it is not a Monday."""
    assert parse_week("2026-11-02") == dt.date(2026, 11, 2)
    with pytest.raises(InputError) as ei:
        parse_week("2026-11-03")
    assert ei.value.argument == "--week"


def test_paydays_on_a_closed_day_move_to_the_next_open_day() -> None:
    """Pension day 1 is National Day (closed): paid on Oct 8, also when the range starts then; payroll day 10 is
    a 调休 Saturday (open) and stays."""
    cal = BranchCalendar(BranchConfig().copy_with(**{"calendar.pension_days": [1]}))
    paid = cal.paydays(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert paid.pension == {dt.date(2026, 10, 8)} and paid.payroll == {dt.date(2026, 10, 10)}
    assert cal.paydays(dt.date(2026, 10, 8), dt.date(2026, 10, 9)).pension == {dt.date(2026, 10, 8)}


def test_carry_to_open_stops_after_max_shift() -> None:
    """A flagged closed day carries to the first open day within ``max_shift`` days, or is dropped."""
    assert carry_to_open([True, False, False], [False, False, True]).tolist() == [False, False, True]
    assert not carry_to_open([True, False, False], [False, False, True], max_shift=1).any()


@pytest.mark.parametrize(
    "day", [dt.date(1900, 1, 1), dt.date(1899, 12, 30), dt.date(2099, 1, 5), dt.date(2003, 6, 2)]
)
def test_a_date_far_outside_the_supported_years_says_so(day: dt.date) -> None:
    """1900 (Excel's day 1), 2099 or a year before the package: "outside the supported years", not a request
    for a holiday override that would never make sense; the overrides still win when they name the date."""
    lo, hi = SUPPORTED_YEARS
    with pytest.raises(InputError, match=f"outside the supported years {lo}–{hi}") as ei:
        BranchCalendar(BranchConfig()).day(day)
    assert "override" not in ei.value.describe() and ei.value.value == day.isoformat()
    cal = BranchCalendar(BranchConfig(), overrides={day: Override(day_type="workday", hours=None)})
    assert cal.day(day).day_type == "workday"
