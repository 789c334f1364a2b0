"""Tests of scheduler.sample.surprise: a sample day with more customers than usual from a given time."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig
from scheduler.sample.surprise import surprise_tickets

DATE = dt.date(2026, 12, 1)


def test_a_surprise_day_adds_a_share_of_customers_after_its_start() -> None:
    """+30 % from 10:00: the morning before 10:00 unchanged, about 1.3× the tickets after, unique ids, seeded."""
    cfg = BranchConfig()
    cal = BranchCalendar(cfg)
    plain = surprise_tickets(cfg, cal, DATE, seed=4, surge=0.0)
    busy = surprise_tickets(cfg, cal, DATE, seed=4, surge=0.3)
    t_plain, t_busy = pd.to_datetime(plain["取号时间"]), pd.to_datetime(busy["取号时间"])
    ten = pd.Timestamp("2026-12-01 10:00")
    assert (t_plain < ten).sum() == (t_busy < ten).sum()
    ratio = (t_busy >= ten).sum() / (t_plain >= ten).sum()
    assert 1.15 < ratio < 1.45
    assert busy["票号"].is_unique and busy["票号"].str.startswith("X").sum() == len(busy) - len(plain)
    assert t_busy.is_monotonic_increasing
    pd.testing.assert_frame_equal(busy, surprise_tickets(cfg, cal, DATE, seed=4, surge=0.3))
