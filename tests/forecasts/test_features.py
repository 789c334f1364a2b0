"""Tests of forecasts.features: China's holidays, 调休, paydays and the generic week calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig
from constraints.errors import InputError
from forecasts.features import (
    DAY_FEATURES,
    BranchDays,
    DayCalendar,
    WeekCalendar,
    day_features,
    slot_features,
)


@pytest.fixture(scope="module")
def national_day() -> dict[dt.date, dict[str, object]]:
    """Day features from 2026-09-28 to 2026-10-12 keyed by date."""
    frame = day_features(BranchCalendar(BranchConfig()), dt.date(2026, 9, 28), dt.date(2026, 10, 12))
    return {r["date"]: r for r in frame.to_dict("records")}


def test_holiday_week_neighbours(national_day: dict[dt.date, dict[str, object]]) -> None:
    """National Day 2026 (Oct 1–7) is closed; Sep 29/30 are 2/1 days before it, Oct 8/9 1/2 days after."""
    f = national_day
    for k in range(1, 8):
        day = f[dt.date(2026, 10, k)]
        assert day["day_type"] == "holiday" and not day["is_open"]
        assert not day["holiday_before_1"] and not day["holiday_after_1"]
    assert f[dt.date(2026, 9, 30)]["holiday_before_1"] and not f[dt.date(2026, 9, 30)]["holiday_before_2"]
    assert f[dt.date(2026, 9, 29)]["holiday_before_2"]
    assert f[dt.date(2026, 10, 8)]["holiday_after_1"] and f[dt.date(2026, 10, 9)]["holiday_after_2"]
    assert not f[dt.date(2026, 10, 12)]["holiday_after_2"]


def test_makeup_saturday(national_day: dict[dt.date, dict[str, object]]) -> None:
    """Saturday 2026-10-10 is a 调休 make-up workday: flagged, open, weekday 5; Oct 11 is a plain Sunday."""
    sat = national_day[dt.date(2026, 10, 10)]
    assert sat["day_type"] == "makeup_workday" and sat["makeup"] and sat["is_open"] and sat["weekday"] == 5
    sun = national_day[dt.date(2026, 10, 11)]
    assert sun["day_type"] == "weekend" and not sun["makeup"]


def test_makeup_saturday_opens_workday_hours() -> None:
    """The 调休 Saturday's open slots are the workday's 09:00–17:00, not the weekend's 09:30–16:00."""
    grid = slot_features(BranchCalendar(BranchConfig()), dt.date(2026, 10, 10), dt.date(2026, 10, 11))
    sat = grid[(grid["date"] == dt.date(2026, 10, 10)) & grid["is_open"]]
    sun = grid[(grid["date"] == dt.date(2026, 10, 11)) & grid["is_open"]]
    assert (sat["slot"].min(), sat["slot"].max()) == (540, 1005)
    assert (sun["slot"].min(), sun["slot"].max()) == (570, 945)


def test_pension_and_payroll_days() -> None:
    """Pension day 15 and payroll day 10 of November 2026 are flagged on those dates only."""
    f = day_features(BranchCalendar(BranchConfig()), dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert list(f.loc[f["pension"], "date"]) == [dt.date(2026, 11, 15)]
    assert list(f.loc[f["payroll"], "date"]) == [dt.date(2026, 11, 10)]


def test_pension_on_a_closed_day_moves_to_the_next_open_day() -> None:
    """A pension day on National Day (Oct 1) is paid on Oct 8, the first open day on/after it."""
    cal = BranchCalendar(BranchConfig().copy_with(**{"calendar.pension_days": [1]}))
    f = day_features(cal, dt.date(2026, 9, 25), dt.date(2026, 10, 12))
    assert list(f.loc[f["pension"], "date"]) == [dt.date(2026, 10, 8)]


def test_pension_in_spring_festival_moves_past_the_nine_closed_days() -> None:
    """Pension day Feb 15 2026 falls in the 9-day Spring Festival (Feb 15–23): it is paid on Feb 24."""
    f = day_features(BranchCalendar(BranchConfig()), dt.date(2026, 2, 24), dt.date(2026, 3, 1))
    assert list(f.loc[f["pension"], "date"]) == [dt.date(2026, 2, 24)]
    assert f.loc[f["date"] == dt.date(2026, 2, 24), "holiday_after_1"].item()


def test_month_start_and_end_are_open_days() -> None:
    """October 2026's first two open days are Oct 8–9 (1–7 closed); its last two are Oct 30–31."""
    f = day_features(BranchCalendar(BranchConfig()), dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert list(f.loc[f["month_start"], "date"]) == [dt.date(2026, 10, 8), dt.date(2026, 10, 9)]
    assert list(f.loc[f["month_end"], "date"]) == [dt.date(2026, 10, 30), dt.date(2026, 10, 31)]


def test_columns_and_trend() -> None:
    """Every documented column is there and the trend grows by 1/365.25 a day."""
    f = day_features(BranchCalendar(BranchConfig()), dt.date(2026, 11, 2), dt.date(2026, 11, 3))
    assert list(f.columns) == ["date", *DAY_FEATURES]
    assert f["trend"].iloc[1] - f["trend"].iloc[0] == pytest.approx(1 / 365.25)


def test_padding_beyond_the_package_years_is_guessed_but_the_range_is_not() -> None:
    """Late-December ranges work (neighbours in 2027 are guessed); a 2027 date itself is an InputError."""
    cal = BranchCalendar(BranchConfig())
    assert len(day_features(cal, dt.date(2026, 12, 28), dt.date(2026, 12, 31))) == 4
    with pytest.raises(InputError):
        day_features(cal, dt.date(2026, 12, 30), dt.date(2027, 1, 4))


def test_slot_grid_is_rectangular_with_closed_days_present() -> None:
    """Every date × slot × counter is a row; a closed holiday's rows are all is_open False."""
    grid = slot_features(
        BranchCalendar(BranchConfig()), dt.date(2026, 9, 30), dt.date(2026, 10, 2), ["a", "b"]
    )
    slots = grid["slot"].nunique()
    assert len(grid) == 3 * slots * 2
    assert not grid.loc[grid["date"] == dt.date(2026, 10, 1), "is_open"].any()
    open_sep30 = grid[(grid["date"] == dt.date(2026, 9, 30)) & grid["is_open"] & (grid["counter"] == "a")]
    assert list(open_sep30["slot_index"]) == list(range(32))


def test_week_calendar_israeli_week() -> None:
    """A Sun–Thu calendar: Friday short, Saturday and a holiday closed, holiday neighbours flagged."""
    cal = WeekCalendar(
        hours={
            6: "07:00-24:00",
            0: "07:00-24:00",
            1: "07:00-24:00",
            2: "07:00-24:00",
            3: "07:00-24:00",
            4: "07:00-14:00",
        },
        slot_minutes=30,
        holidays=frozenset({dt.date(1999, 9, 20)}),
        day_types={4: "friday"},
        week_start=6,
    )
    assert isinstance(cal, DayCalendar) and isinstance(
        BranchDays(BranchCalendar(BranchConfig())), DayCalendar
    )
    f = day_features(cal, dt.date(1999, 9, 17), dt.date(1999, 9, 22)).set_index("date")
    assert f.loc[dt.date(1999, 9, 17), "day_type"] == "friday"
    assert not f.loc[dt.date(1999, 9, 18), "is_open"]
    assert f.loc[dt.date(1999, 9, 20), "day_type"] == "holiday"
    assert f.loc[dt.date(1999, 9, 19), "holiday_before_1"] and f.loc[dt.date(1999, 9, 21), "holiday_after_1"]
    grid = slot_features(cal, dt.date(1999, 9, 17), dt.date(1999, 9, 17))
    assert grid.loc[grid["is_open"], "slot"].max() == 13 * 60 + 30
