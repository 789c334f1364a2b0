"""Tests of forecasts.timeparse: every datetime form queue machines write, vectorized, and durations."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecasts.timeparse import cell_text, parse_datetimes, parse_durations

T = pd.Timestamp


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02 09:05:07",
        "2026/3/2 9:05:07",
        "2026/03/02 09:05:07",
        "2026年3月2日 9:05:07",
        "2026年3月2日9:05:07",
        "2026-03-02T09:05:07",
        "2026-3-2 9:05:07",
        "2026.03.02 09:05:07",
        "46083.37855324",  # Excel serial as text
        "20260302090507",
    ],
)
def test_each_datetime_format(text: str) -> None:
    """Every accepted datetime form reads as 2026-03-02 09:05:07."""
    got = parse_datetimes(pd.Series([text], dtype=str)).iloc[0]
    assert got == T("2026-03-02 09:05:07")


@pytest.mark.parametrize("text", ["2026/3/2 9:05", "2026年3月2日 9:05", "2026-03-02 09:05"])
def test_minutes_without_seconds(text: str) -> None:
    """Times without seconds read as the whole minute."""
    assert parse_datetimes(pd.Series([text], dtype=str)).iloc[0] == T("2026-03-02 09:05")


@pytest.mark.parametrize("text", ["2026-13-02 09:05", "9:05", "tomorrow", "12", "2026-03-02 25:00"])
def test_unparsable_datetimes_are_nat(text: str) -> None:
    """Impossible dates, bare clock times (no date column), words and stray numbers do not parse."""
    assert pd.isna(parse_datetimes(pd.Series([text], dtype=str)).iloc[0])


def test_an_impossible_date_among_good_ones_is_the_only_nat() -> None:
    """One impossible date (02-30) in a column of valid ones leaves the others parsed (fast path falls back)."""
    s = pd.Series(["2026-03-01 09:00:00", "2026-02-30 09:00:00", "2026-03-02T09:05:07.250", ""], dtype=str)
    got = parse_datetimes(s)
    assert got.iloc[0] == T("2026-03-01 09:00") and got.iloc[2] == T("2026-03-02 09:05:07.25")
    assert got.iloc[[1, 3]].isna().all()


def test_excel_object_column_mixes_native_values() -> None:
    """An Excel column of datetimes, serial numbers, text and blanks reads each kind its own way."""
    s = pd.Series(
        [dt.datetime(2026, 3, 2, 9, 5, 7), 46083.37855324, "2026/3/2 9:05", None, np.nan], dtype=object
    )
    got = parse_datetimes(s)
    assert got.iloc[:3].tolist() == [
        T("2026-03-02 09:05:07"),
        T("2026-03-02 09:05:07"),
        T("2026-03-02 09:05"),
    ]
    assert got.iloc[3:].isna().all() and got.dtype == "datetime64[ns]"


def test_clock_times_join_a_date_column() -> None:
    """Clock-only text, Excel time cells and day fractions join the given dates; full datetimes keep theirs."""
    dates = pd.Series(pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]))
    s = pd.Series(["9:05", dt.time(10, 30), 0.5, "2026-03-01 08:00"], dtype=object)
    got = parse_datetimes(s, dates).tolist()
    assert got == [T("2026-03-02 09:05"), T("2026-03-03 10:30"), T("2026-03-04 12:00"), T("2026-03-01 08:00")]


def test_date_only_values_need_date_only() -> None:
    """A bare date is not a ticket time (NaT) unless the column is a date column."""
    s = pd.Series(["2026-03-02", "2026/3/3", "2026年3月4日"], dtype=str)
    assert parse_datetimes(s).isna().all()
    assert parse_datetimes(s, date_only=True).tolist() == [T("2026-03-02"), T("2026-03-03"), T("2026-03-04")]


def test_durations_in_seconds_or_clock_form() -> None:
    """Durations: seconds as numbers, HH:MM:SS or MM:SS; empty and words are NaT."""
    got = parse_durations(pd.Series(["215", "12.5", "0:03:05", "3:05", "", "long"], dtype=str))
    secs = got.dt.total_seconds().tolist()
    assert secs[:4] == [215.0, 12.5, 185.0, 185.0] and np.isnan(secs[4]) and np.isnan(secs[5])


def test_cell_text_of_excel_cells() -> None:
    """Excel cells as text: integers without '.0', blanks empty, text stripped."""
    assert cell_text(pd.Series([7.0, 7.5, None, np.nan, " A1 ", 3], dtype=object)).tolist() == [
        "7", "7.5", "", "", "A1", "3"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "cut",
    [
        "2026-03-02 09:05:0",
        "2026-03-02 09:0",
        "2026-03-02 09:",
        "2026-03-02 9:5",
        "2026/3/2 9:0",
        "2026年3月2日 9:0",
    ],
)
def test_a_cut_off_cell_is_unparsable_not_an_earlier_time(cut: str) -> None:
    """A datetime cut short (a column too narrow when the export was saved) is NaT, never read as 09:00."""
    assert parse_datetimes(pd.Series([cut, "2026-03-02 09:05:07"])).isna().tolist() == [True, False]
