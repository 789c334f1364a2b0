"""Day marks: the holiday, the 补班 make-up day and the pension/payroll days every header shows."""

from __future__ import annotations

import datetime as dt

import factories as f

from constraints.calendar import holiday_name
from constraints.problem import Problem
from scheduler.report.day_marks import day_marks

NATIONAL_DAY_WEEK = dt.date(2026, 10, 5)
"""Mon 5 – Wed 7 National Day (closed), Thu 8 – Fri 9 workdays, Sat 10 a 补班 make-up day, Sun 11 weekend."""


def _week(**updates: object) -> Problem:
    cfg = f.tiny_config(**updates)
    dates = [NATIONAL_DAY_WEEK + dt.timedelta(days=k) for k in range(7)]
    return Problem(config=cfg, staff=f.TINY_STAFF, days=f.days_of(cfg, dates))


def test_holiday_name_for_the_holiday_and_its_make_up_day() -> None:
    """chinesecalendar names the holiday on its days and on its 调休 make-up working day, nothing else."""
    assert holiday_name(dt.date(2026, 10, 5)) == "National Day"
    assert holiday_name(dt.date(2026, 10, 10)) == "National Day"
    assert holiday_name(dt.date(2026, 10, 9)) is None
    assert holiday_name(dt.date(2026, 10, 11)) is None  # a plain Sunday


def test_marks_of_a_national_day_week() -> None:
    """Holiday days say 国庆节, the make-up Saturday 国庆节补班, plain days nothing."""
    marks = day_marks(_week(**{"calendar.pension_days": [20], "calendar.payroll_days": [25]}))
    assert marks[dt.date(2026, 10, 5)].text("zh") == "国庆节"
    assert marks[dt.date(2026, 10, 10)].text("zh") == "国庆节补班"
    assert marks[dt.date(2026, 10, 10)].text("en") == "make-up day (National Day)"
    assert marks[dt.date(2026, 10, 9)].text("zh") == ""
    assert marks[dt.date(2026, 10, 11)].labels("zh") == []


def test_pension_day_on_a_closed_holiday_is_marked_on_the_first_open_day() -> None:
    """A pension day (6th) that falls in the closed holiday is paid, and marked, on Thu 8th; payroll on 9th."""
    marks = day_marks(_week(**{"calendar.pension_days": [6], "calendar.payroll_days": [9]}))
    assert [d for d, m in marks.items() if m.pension] == [dt.date(2026, 10, 8)]
    assert marks[dt.date(2026, 10, 8)].text("zh") == "养老金发放日"
    assert marks[dt.date(2026, 10, 9)].text("zh") == "代发工资日"
    assert marks[dt.date(2026, 10, 9)].payday and not marks[dt.date(2026, 10, 6)].payday
