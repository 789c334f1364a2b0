"""The periodic duties a week owes: 季度谈话 in a quarter's first 15 days, the 经营分析会 before the 10th."""

from __future__ import annotations

import datetime as dt

import factories as f

from constraints.config import TimeRange
from constraints.periodic import meeting_window, periodic_duties, talk_window
from constraints.staff import Absence


def _week(monday: dt.date) -> tuple:
    return f.days_of(f.tiny_config(), [monday + dt.timedelta(days=k) for k in range(7)])


def _event(sid: str, date: dt.date, reason: str) -> Absence:
    return Absence(staff_id=sid, date=date, hours=TimeRange.parse("16:00-17:00"), reason=reason, kind="event")


def test_windows_follow_the_seed() -> None:
    """Talks: 1st–15th of January/April/July/October only; the meeting: 1st–9th of every month."""
    cfg = f.tiny_config()
    w = talk_window(cfg, dt.date(2026, 10, 20))
    assert w is not None and (w.first, w.last) == (dt.date(2026, 10, 1), dt.date(2026, 10, 15))
    assert talk_window(cfg, dt.date(2026, 11, 3)) is None
    m = meeting_window(cfg, dt.date(2026, 2, 20))
    assert (m.first, m.last) == (dt.date(2026, 2, 1), dt.date(2026, 2, 9))


def test_talks_due_are_everyone_but_the_president_and_those_recorded() -> None:
    """In the week of 2026-10-12 (window until the 15th) everyone but 支行长 A is due, less C, whose talk on the
    9th (an earlier week) the events record; the week's open days in the window are 12th–15th."""
    talked = _event("C", dt.date(2026, 10, 9), "季度谈话")
    d = periodic_duties(f.tiny_config(), f.TINY_STAFF, _week(dt.date(2026, 10, 12)), [talked])
    assert d.talk_window is not None and d.convenor == "A"
    assert d.talk_days == tuple(dt.date(2026, 10, k) for k in (12, 13, 14, 15))
    assert d.talks_done == (("C", dt.date(2026, 10, 9)),)
    assert d.talks_due == ("B", "D", "E", "F")
    assert d.meeting_window is None  # the 12th is past the 10th


def test_meeting_due_and_recorded() -> None:
    """The week of 2026-11-30 holds Dec 1–6 of the meeting's window; a leave row naming 经营分析会 records it."""
    week = _week(dt.date(2026, 11, 30))
    d = periodic_duties(f.tiny_config(), f.TINY_STAFF, week, [])
    assert d.meeting_window is not None and d.meeting_window.last == dt.date(2026, 12, 9)
    assert d.meeting_days[0] == dt.date(2026, 12, 1) and d.meeting_done == ()
    held = _event("A", dt.date(2026, 12, 3), "经营分析会(二级分行)")
    assert periodic_duties(f.tiny_config(), f.TINY_STAFF, week, [held]).meeting_done == (
        dt.date(2026, 12, 3),
    )


def test_a_week_in_no_window_owes_nothing_and_config_turns_duties_off() -> None:
    """Mid-November owes nothing; ``[periodic] talks = false`` drops the talks of an October week."""
    assert not periodic_duties(f.tiny_config(), f.TINY_STAFF, _week(dt.date(2026, 11, 16)), []).any
    cfg = f.tiny_config(**{"periodic.talks": False})
    days = f.days_of(cfg, [dt.date(2026, 10, 12) + dt.timedelta(days=k) for k in range(7)])
    assert periodic_duties(cfg, f.TINY_STAFF, days, []).talk_window is None
