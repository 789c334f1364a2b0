"""Teller workload and window utilisation from the ticket history (柜员号, 窗口), for the 经营分析会."""

from __future__ import annotations

import datetime as dt

import factories as f
import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.staff import Staff
from scheduler.report.workload import ticket_workload

MON, TUE = dt.date(2026, 11, 23), dt.date(2026, 11, 24)


def _ticket(
    day: dt.date, hhmm: str, minutes: float, teller: str, window: str, status: str = "served"
) -> dict:
    start = pd.Timestamp(f"{day} {hhmm}")
    served = status == "served"
    return {
        "ticket_id": "A1",
        "service": "个人现金",
        "counter": "high_counter",
        "issued_at": start - pd.Timedelta(minutes=3),
        "called_at": start,
        "started_at": start if served else pd.NaT,
        "finished_at": start + pd.Timedelta(minutes=minutes) if served else pd.NaT,
        "window": window,
        "teller": teller,
        "status": status,
        "vip": False,
    }


def _tickets() -> pd.DataFrame:
    rows = [
        *(_ticket(MON, t, 4, "S07", "1") for t in ("09:10", "09:20", "09:30")),
        _ticket(MON, "10:00", 10, "S08", "2"),
        _ticket(TUE, "09:10", 8, "S07", "1"),
        _ticket(TUE, "09:40", 6, "", "2"),  # no teller: the window's, not a teller's
        _ticket(TUE, "10:00", 0, "S07", "1", status="abandoned"),  # 过号: nobody's work
        _ticket(dt.date(2026, 11, 30), "09:10", 30, "S07", "1"),  # the plan week itself: not history
    ]
    return pd.DataFrame(rows)


def test_teller_tickets_mean_service_and_busy_share() -> None:
    """S07 served 4 tickets on 2 days, 5 min on average, 20 min of the two days' 960 open minutes."""
    staff = Staff(people=(f.person("S07", "personal_teller", name="赵敏"),))
    got = ticket_workload(_tickets(), BranchCalendar(f.tiny_config()), f.MONDAY, staff)
    assert got is not None
    assert (got.start, got.end) == (dt.date(2026, 11, 2), dt.date(2026, 11, 29))
    s07 = got.tellers[0]
    assert (s07.teller, s07.name, s07.tickets, s07.days, s07.mean_service_min) == ("S07", "赵敏", 4, 2, 5.0)
    assert s07.busy_share == round(20 / 960, 4)
    assert [t.teller for t in got.tellers] == ["S07", "S08"]


def test_window_utilisation_over_every_open_minute_of_the_period() -> None:
    """Window 1's 20 service minutes over the four weeks' open minutes (20 workdays × 480 + 8 weekend days
    × 390); window 2 counts the ticket without a teller; windows in number order."""
    got = ticket_workload(_tickets(), BranchCalendar(f.tiny_config()), f.MONDAY)
    assert got is not None
    w1, w2 = got.windows
    assert (w1.window, w1.counter, w1.tickets, w1.mean_service_min) == ("1", "high_counter", 4, 5.0)
    assert w1.utilisation == round(20 / (20 * 480 + 8 * 390), 4)
    assert (w2.window, w2.tickets) == ("2", 2)
    assert got.as_dict()["windows"][0]["window"] == "1"


def test_no_teller_or_window_columns_give_none() -> None:
    """An export without 柜员号 and 窗口 (empty text) has no workload table."""
    bare = _tickets().assign(teller="", window="")
    assert ticket_workload(bare, BranchCalendar(f.tiny_config()), f.MONDAY) is None
