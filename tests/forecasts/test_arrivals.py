"""Tests of forecasts.arrivals: counts per date × slot × counter, zero slots, closed and excluded days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig
from constraints.errors import InputError, InputWarning
from forecasts.arrivals import ARRIVAL_COLUMNS, count_arrivals

WED, HOLIDAY, THU = dt.date(2026, 9, 30), dt.date(2026, 10, 1), dt.date(2026, 10, 8)


def _tickets(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"issued_at": pd.to_datetime([t for t, _ in rows]), "counter": [c for _, c in rows]})


@pytest.fixture
def counted() -> pd.DataFrame:
    """Tickets on Sep 30 (workday), one on National Day (closed), one early on Oct 8; Oct 8 excluded."""
    tickets = _tickets(
        [
            ("2026-09-30 09:01:00", "high_counter"),
            ("2026-09-30 09:14:59", "high_counter"),
            ("2026-09-30 09:15:00", "high_counter"),
            ("2026-09-30 08:50:00", "low_counter"),  # 10 min before opening: first slot
            ("2026-09-30 16:59:00", "corporate_counter"),
            ("2026-10-01 10:00:00", "high_counter"),  # closed day: left out
            ("2026-09-30 20:00:00", "high_counter"),  # long after closing: left out
        ]
    )
    with pytest.warns(InputWarning, match="2 tickets"):
        return count_arrivals(tickets, BranchCalendar(BranchConfig()), WED, THU, exclude=[THU])


def test_columns_and_rectangular_grid(counted: pd.DataFrame) -> None:
    """Every date × slot × counter is present, in the documented columns."""
    assert tuple(counted.columns) == ARRIVAL_COLUMNS
    n_days, n_slots, n_counters = 9, counted["slot"].nunique(), 3
    assert len(counted) == n_days * n_slots * n_counters
    assert set(counted["counter"]) == {"high_counter", "low_counter", "corporate_counter"}


def test_counts_land_in_their_slots(counted: pd.DataFrame) -> None:
    """09:01 and 09:14:59 count in 09:00, 09:15:00 in 09:15; an early ticket in the first slot."""
    day = counted[counted["date"] == WED].set_index(["slot", "counter"])["y"]
    assert day[(540, "high_counter")] == 2 and day[(555, "high_counter")] == 1
    assert day[(540, "low_counter")] == 1 and day[(1005, "corporate_counter")] == 1
    assert counted.loc[counted["date"] == WED, "y"].sum() == 5


def test_zero_slots_are_zero_not_missing(counted: pd.DataFrame) -> None:
    """An open slot without tickets has y = 0; slots outside the hours have y NaN and is_open False."""
    day = counted[counted["date"] == WED]
    assert (day.loc[day["is_open"], "y"].notna()).all()
    assert (day.loc[day["is_open"] & (day["slot"] == 600), "y"] == 0).all()
    assert day.loc[~day["is_open"], "y"].isna().all()
    assert day["is_open"].sum() == 32 * 3


def test_closed_day_is_marked_not_zero(counted: pd.DataFrame) -> None:
    """National Day rows are present, is_open False, y NaN (not zero demand)."""
    hol = counted[counted["date"] == HOLIDAY]
    assert len(hol) > 0 and not hol["is_open"].any() and hol["y"].isna().all()


def test_excluded_day_is_marked(counted: pd.DataFrame) -> None:
    """An excluded open day keeps is_open True, gets excluded True and y NaN."""
    day = counted[counted["date"] == THU]
    assert day["excluded"].all() and day["is_open"].any() and day["y"].isna().all()
    assert not counted.loc[counted["date"] == WED, "excluded"].any()


def test_slot_length_from_config() -> None:
    """With 30-minute slots, 09:01 and 09:15 both count in the 09:00 slot."""
    cal = BranchCalendar(BranchConfig().copy_with(**{"grid.slot_minutes": 30}))
    out = count_arrivals(
        _tickets([("2026-09-30 09:01", "high_counter"), ("2026-09-30 09:15", "high_counter")]), cal
    )
    high = out[(out["counter"] == "high_counter") & out["is_open"]]
    assert list(high["slot"])[:2] == [540, 570] and list(high["y"])[:2] == [2.0, 0.0]
    assert len(high) == 16


def test_service_maps_to_counter_when_no_counter_column() -> None:
    """Without a counter column the config's service map decides (对公业务 → corporate_counter)."""
    tickets = pd.DataFrame({"issued_at": pd.to_datetime(["2026-09-30 10:00"]), "service": ["对公业务"]})
    out = count_arrivals(tickets, BranchCalendar(BranchConfig()))
    assert out.loc[out["y"] > 0, "counter"].tolist() == ["corporate_counter"]


def test_bad_inputs_raise() -> None:
    """No issue-time column, or no tickets and no range, is an InputError."""
    cal = BranchCalendar(BranchConfig())
    with pytest.raises(InputError, match="issued_at"):
        count_arrivals(pd.DataFrame({"counter": ["high_counter"]}), cal)
    with pytest.raises(InputError):
        count_arrivals(_tickets([]).iloc[:0], cal)
    empty = count_arrivals(_tickets([]).iloc[:0], cal, WED, WED)
    assert np.nansum(empty["y"]) == 0 and empty["is_open"].any()
