"""Tests of forecasts.tickets: queue-machine exports (CSV in any encoding, .xlsx) into one normalized frame."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from constraints.calendar import PACKAGE_YEARS, BranchCalendar
from constraints.config import BranchConfig, load_config
from constraints.errors import InputError, InputWarning
from forecasts.tickets import OUTPUT_COLUMNS, read_tickets, service_minutes, wait_minutes

T = pd.Timestamp


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` (a CSV) in ``encoding`` and return the path."""
    path.write_bytes(text.encode(encoding))
    return path


def read_quietly(*args: object, **kwargs: object) -> pd.DataFrame:
    """read_tickets, failing the test on any warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read_tickets(*args, **kwargs)  # type: ignore[arg-type]


def test_example_file_loads_as_it_stands(examples: Path) -> None:
    """../shared/examples/tickets_head.csv: statuses, counters, VIP, abandoned with no service times."""
    df = read_quietly(examples / "tickets_head.csv", load_config(examples / "branch.toml"))
    assert tuple(df.columns) == OUTPUT_COLUMNS
    assert df["ticket_id"].tolist() == ["A001", "B001", "A002", "C001"]
    assert df["counter"].tolist() == ["high_counter", "low_counter", "high_counter", "corporate_counter"]
    assert df["status"].tolist() == ["served", "served", "abandoned", "served"]
    assert df["vip"].tolist() == [False, True, False, False]
    assert df["window"].tolist() == ["1", "5", "2", "7"]
    assert df["teller"].iloc[0] == "S07"
    for c in ("issued_at", "called_at", "started_at", "finished_at"):
        assert df[c].dtype == "datetime64[ns]"
    a002 = df.set_index("ticket_id").loc["A002"]
    assert a002["called_at"] == T("2026-11-02 09:05:00")
    assert pd.isna(a002["started_at"]) and pd.isna(a002["finished_at"])
    assert df["issued_at"].is_monotonic_increasing


def test_gbk_file_with_other_chinese_headers(tmp_path: Path) -> None:
    """A GBK export with 排队号/业务名称/开始服务时间/完成时间/操作员号/客户类型 and every status word."""
    text = (
        "排队号,业务名称,取号时间,叫号时间,开始服务时间,完成时间,窗口号,操作员号,状态,客户类型\n"
        "A001,个人现金,2026-11-02 09:00:00,2026-11-02 09:01:00,2026-11-02 09:01:30,2026-11-02 09:05:00,1,S07,完成,贵宾\n"
        "A002,个人现金,2026-11-02 09:02:00,2026-11-02 09:06:00,,,2,S08,空号,普通\n"
        "A003,个人现金,2026-11-02 09:03:00,,,,,,弃号,\n"
        "B001,外汇兑换,2026-11-02 09:04:00,2026-11-02 09:06:00,2026-11-02 09:06:10,2026-11-02 09:07:00,5,S04,退办,金卡客户\n"
        "B002,个人非现金,2026-11-02 09:05:00,2026-11-02 09:08:00,2026-11-02 09:08:20,2026-11-02 09:30:00,6,S05,挂起,0\n"
        "B003,个人非现金,2026-11-02 09:06:00,2026-11-02 09:09:00,2026-11-02 09:09:20,2026-11-02 09:20:00,6,S05,已办结,VIP\n"
    )
    df = read_quietly(write(tmp_path / "t.csv", text, "gbk"))
    assert df["status"].tolist() == ["served", "abandoned", "abandoned", "served", "served", "served"]
    assert df["vip"].tolist() == [True, False, False, True, False, True]
    assert df["counter"].tolist()[3] == "high_counter"  # 外汇兑换 is unmapped → the default counter
    assert df["counter"].tolist()[4] == "low_counter"
    assert df["window"].tolist()[2] == "" and df["teller"].tolist()[2] == ""
    assert pd.isna(df["called_at"].iloc[2])


def test_utf8_bom_file_with_english_headers(tmp_path: Path) -> None:
    """UTF-8 with BOM and English headers in any case and spacing."""
    text = (
        "Ticket_No, Business Type ,ISSUE_TIME,call_time,start_time,end_time,counter_no,operator,Status,customer_level\n"
        "A1,对公业务,2026-11-02 09:00:00,2026-11-02 09:00:30,2026-11-02 09:01:00,2026-11-02 09:16:00,7,S12,completed,true\n"
        "A2,个人现金,2026-11-02 09:01:00,,,,,,no_show,false\n"
    )
    df = read_quietly(write(tmp_path / "t.csv", text, "utf-8-sig"))
    assert df["ticket_id"].tolist() == ["A1", "A2"]
    assert df["counter"].tolist() == ["corporate_counter", "high_counter"]
    assert df["status"].tolist() == ["served", "abandoned"]
    assert df["vip"].tolist() == [True, False]
    assert service_minutes(df).iloc[0] == pytest.approx(15.0)


def test_xlsx_export_with_datetime_cells_and_serials(tmp_path: Path) -> None:
    """An .xlsx with native datetime cells, an Excel-serial column and numeric windows loads."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["票号", "业务类型", "取号时间", "叫号时间", "开始时间", "办结时间", "窗口", "柜员号", "状态"])
    issued = dt.datetime(2026, 11, 2, 9, 0, 41)
    serial = (dt.datetime(2026, 11, 2, 9, 4, 55) - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)
    ws.append(["A001", "个人现金", issued, issued + dt.timedelta(seconds=21), "2026-11-02 09:01:20", serial, 1,
               "S07", "已办结"])  # fmt: skip
    ws.append(["A002", "个人现金", issued + dt.timedelta(minutes=2), None, None, None, None, None, "过号"])
    path = tmp_path / "tickets.xlsx"
    wb.save(path)
    df = read_quietly(path)
    assert df["issued_at"].tolist() == [T("2026-11-02 09:00:41"), T("2026-11-02 09:02:41")]
    assert df["called_at"].iloc[0] == T("2026-11-02 09:01:02")
    assert df["started_at"].iloc[0] == T("2026-11-02 09:01:20")
    assert df["finished_at"].iloc[0] == T("2026-11-02 09:04:55")  # the serial, rounded to the millisecond
    assert df["window"].tolist() == ["1", ""]
    assert df["status"].tolist() == ["served", "abandoned"]


def test_mixed_formats_in_one_file(tmp_path: Path) -> None:
    """One file may mix formats row by row (exports merged by hand)."""
    text = (
        "票号,业务类型,取号时间,开始时间,办结时间,状态\n"
        "A1,个人现金,2026-03-02 09:05:07,2026/3/2 9:06,2026年3月2日 9:10:00,已办结\n"
        "A2,个人现金,2026/3/2 9:07,2026-03-02T09:08:00,46083.382,已办结\n"
    )
    df = read_quietly(write(tmp_path / "t.csv", text))
    assert df["started_at"].tolist() == [T("2026-03-02 09:06"), T("2026-03-02 09:08")]
    assert df["finished_at"].tolist() == [T("2026-03-02 09:10"), T("2026-03-02 09:10:04.800")]


def test_separate_date_and_time_columns(tmp_path: Path) -> None:
    """An export with 日期 plus clock-only 取号时间/开始时间/办结时间 joins each time to its date."""
    text = (
        "日期,票号,业务类型,取号时间,开始时间,办结时间,状态\n"
        "2026/3/2,A1,个人现金,9:05,09:06:30,09:10:00,已办结\n"
        "2026-03-03,A1,个人现金,9:05:07,,,过号\n"
    )
    df = read_quietly(write(tmp_path / "t.csv", text))
    assert df["issued_at"].tolist() == [T("2026-03-02 09:05"), T("2026-03-03 09:05:07")]
    assert df["finished_at"].iloc[0] == T("2026-03-02 09:10")


def test_duration_fills_missing_end_or_start(tmp_path: Path) -> None:
    """办理时长(秒) gives finished = started + duration, or started = finished − duration (also HH:MM:SS)."""
    text = (
        "票号,业务类型,取号时间,开始时间,办结时间,办理时长(秒),状态\n"
        "A1,个人现金,2026-03-02 09:00:00,2026-03-02 09:01:00,,215,已办结\n"
        "A2,个人现金,2026-03-02 09:02:00,,2026-03-02 09:10:00,00:03:00,已办结\n"
    )
    df = read_quietly(write(tmp_path / "t.csv", text))
    assert df["finished_at"].iloc[0] == T("2026-03-02 09:04:35")
    assert df["started_at"].iloc[1] == T("2026-03-02 09:07:00")
    assert service_minutes(df).tolist() == pytest.approx([215 / 60, 3.0])


def test_missing_status_is_inferred(tmp_path: Path) -> None:
    """An empty status is served when the ticket has a start time, abandoned otherwise."""
    text = (
        "票号,业务类型,取号时间,开始时间,办结时间,状态\n"
        "A1,个人现金,2026-03-02 09:00:00,2026-03-02 09:01:00,2026-03-02 09:04:00,\n"
        "A2,个人现金,2026-03-02 09:02:00,,,\n"
    )
    assert read_quietly(write(tmp_path / "t.csv", text))["status"].tolist() == ["served", "abandoned"]


def test_export_taken_during_the_day_reads_waiting_and_in_service(tmp_path: Path) -> None:
    """等待/未叫号 → waiting, 办理中/已叫号 → served (no finish: not odd when live; no start: the call); live: an
    empty status never called is waiting, while a history export infers it abandoned."""
    text = (
        "票号,业务类型,取号时间,叫号时间,开始时间,办结时间,状态\n"
        "A001,个人现金,2026-12-01 10:00:00,2026-12-01 10:01:00,2026-12-01 10:01:20,2026-12-01 10:05:00,已办结\n"
        "A002,个人现金,2026-12-01 10:02:00,2026-12-01 10:06:00,2026-12-01 10:06:20,,办理中\n"
        "A003,个人现金,2026-12-01 10:03:00,,,,等待\n"
        "A004,个人现金,2026-12-01 10:04:00,,,,未叫号\n"
        "A005,个人现金,2026-12-01 10:05:00,,,,\n"
        "A006,个人现金,2026-12-01 10:05:30,2026-12-01 10:07:00,,,已叫号\n"
    )
    path = write(tmp_path / "today.csv", text, "gb18030")
    live = read_quietly(path, live=True)
    assert live["status"].tolist() == ["served", "served", "waiting", "waiting", "waiting", "served"]
    assert live["started_at"].iat[5] == T("2026-12-01 10:07:00")
    with pytest.raises(
        InputError, match="没有开始时间"
    ):  # in a history export, called and never started is broken
        read_tickets(path)
    with pytest.warns(InputWarning, match="无结束时间"):
        history = read_tickets(write(tmp_path / "h.csv", text.rsplit("A006", 1)[0], "gb18030"))
    assert history["status"].tolist() == ["served", "served", "waiting", "waiting", "abandoned"]


def test_no_start_column_takes_the_call_time(tmp_path: Path) -> None:
    """An export without a start column uses the call time as the start of service of served tickets."""
    text = (
        "票号,业务类型,取号时间,叫号时间,结束时间,状态\n"
        "A1,个人现金,2026-03-02 09:00:00,2026-03-02 09:01:00,2026-03-02 09:04:00,已办结\n"
        "A2,个人现金,2026-03-02 09:02:00,2026-03-02 09:03:00,,过号\n"
    )
    df = read_quietly(write(tmp_path / "t.csv", text))
    assert df["started_at"].iloc[0] == T("2026-03-02 09:01:00")
    assert pd.isna(df["started_at"].iloc[1])
    assert df["status"].tolist() == ["served", "abandoned"]


def test_config_column_mapping_overrides_detection(tmp_path: Path) -> None:
    """[tickets.columns] picks the header even when a synonym of the same field is also present."""
    text = (
        "票号,业务类型,取号时间,到达时刻,开始时间,办结时间,状态\n"
        "A1,个人现金,2026-03-02 10:00:00,2026-03-02 09:00:00,2026-03-02 10:01:00,2026-03-02 10:04:00,已办结\n"
    )
    path = write(tmp_path / "t.csv", text)
    assert read_quietly(path)["issued_at"].iloc[0] == T("2026-03-02 10:00")
    config = BranchConfig().copy_with(**{"tickets.columns": {"issued_at": "到达时刻"}})
    assert read_quietly(path, config)["issued_at"].iloc[0] == T("2026-03-02 09:00")


@pytest.mark.parametrize(
    ("mapping", "column"),
    [({"issued_at": "no such header"}, "no such header"), ({"arrival": "取号时间"}, "arrival")],
)
def test_bad_config_mapping_is_an_error(tmp_path: Path, mapping: dict[str, str], column: str) -> None:
    """A mapping to a header not in the file, or from an unknown field name, names it."""
    path = write(tmp_path / "t.csv", "票号,业务类型,取号时间,状态\nA1,个人现金,2026-03-02 10:00:00,过号\n")
    config = BranchConfig().copy_with(**{"tickets.columns": mapping})
    with pytest.raises(InputError) as ei:
        read_tickets(path, config)
    assert (ei.value.file, ei.value.row, ei.value.column) == (str(path), 1, column)


def test_odd_rows_are_counted_in_one_warning(tmp_path: Path, examples: Path) -> None:
    """Outside hours, exact duplicates, same-id-same-day, abandoned with times: one warning, counted, handled."""
    text = (
        "票号,业务类型,取号时间,叫号时间,开始时间,办结时间,状态,客户等级\n"
        "A001,个人现金,2026-11-02 08:40:00,2026-11-02 09:00:00,2026-11-02 09:00:20,2026-11-02 09:04:00,已办结,0\n"
        "A002,个人现金,2026-11-02 09:10:00,2026-11-02 09:12:00,2026-11-02 09:12:20,2026-11-02 09:15:00,已办结,0\n"
        "A002,个人现金,2026-11-02 09:10:00,2026-11-02 09:12:00,2026-11-02 09:12:20,2026-11-02 09:15:00,已办结,0\n"
        "A003,个人现金,2026-11-02 09:20:00,2026-11-02 09:22:00,2026-11-02 09:22:30,2026-11-02 09:25:00,过号,0\n"
        "A003,个人现金,2026-11-02 15:00:00,2026-11-02 15:02:00,2026-11-02 15:02:30,2026-11-02 15:05:00,已办结,钻石\n"
        "A001,个人现金,2026-11-03 09:10:00,2026-11-03 09:11:00,2026-11-03 09:11:20,2026-11-03 09:15:00,已办结,白板\n"
        "A002,个人现金,2026-11-03 17:30:00,,,,弃号,0\n"
    )
    calendar = BranchCalendar(load_config(examples / "branch.toml"))
    with pytest.warns(InputWarning) as record:
        df = read_tickets(write(tmp_path / "t.csv", text), calendar=calendar)
    assert len(record) == 1
    assert df.attrs["odd_tickets"] == {
        "outside_hours": 2,
        "duplicate_exact": 1,
        "duplicate_id": 1,
        "abandoned_with_service": 1,
        "unknown_vip": 1,
    }
    assert "营业时间外" in str(record[0].message) and "exact duplicates, dropped" in str(record[0].message)
    assert len(df) == 6  # the exact duplicate is dropped; A001 on two days is not a duplicate
    a003 = df[df["ticket_id"] == "A003"].iloc[0]
    assert a003["status"] == "abandoned" and pd.isna(a003["started_at"]) and pd.isna(a003["finished_at"])
    assert df["vip"].tolist() == [False, False, False, True, False, False]


def test_several_files_concatenate_and_overlaps_drop(tmp_path: Path) -> None:
    """A list of exports reads as one frame; a ticket in two overlapping exports counts once."""
    head = "票号,业务类型,取号时间,开始时间,办结时间,状态\n"
    a = "A1,个人现金,2026-03-03 09:00:00,2026-03-03 09:01:00,2026-03-03 09:04:00,已办结\n"
    b = "A1,个人现金,2026-03-02 09:00:00,2026-03-02 09:01:00,2026-03-02 09:04:00,已办结\n"
    p1 = write(tmp_path / "week1.csv", head + b + a, "gbk")
    p2 = write(tmp_path / "week2.csv", head + a, "utf-8-sig")
    with pytest.warns(InputWarning, match="exact duplicates"):
        df = read_tickets([p1, p2])
    assert df["issued_at"].tolist() == [T("2026-03-02 09:00"), T("2026-03-03 09:00")]


def test_wait_minutes_falls_back_to_the_start(tmp_path: Path) -> None:
    """wait = called − issued; the start when no call time; NaN for a ticket never called."""
    text = (
        "票号,业务类型,取号时间,叫号时间,开始时间,办结时间,状态\n"
        "A1,个人现金,2026-03-02 09:00:00,2026-03-02 09:06:00,2026-03-02 09:06:30,2026-03-02 09:10:00,已办结\n"
        "A2,个人现金,2026-03-02 09:01:00,,2026-03-02 09:03:00,2026-03-02 09:10:00,已办结\n"
        "A3,个人现金,2026-03-02 09:02:00,,,,弃号\n"
    )
    df = read_quietly(write(tmp_path / "t.csv", text))
    w = wait_minutes(df)
    assert w.iloc[:2].tolist() == [6.0, 2.0] and np.isnan(w.iloc[2])
    assert np.isnan(service_minutes(df).iloc[2])


@pytest.mark.parametrize(
    ("row", "column", "value", "words"),
    [
        ("A1,个人现金,2026-03-02 09:00:00,2026-03-02 08:59:00,,,过号", "叫号时间", "2026-03-02 08:59:00", "called before"),
        ("A1,个人现金,2026-03-02 09:00:00,,2026-03-02 08:00:00,,已办结", "开始时间", "2026-03-02 08:00:00", "started before"),
        ("A1,个人现金,2026-03-02 09:00:00,,2026-03-02 09:05:00,2026-03-02 09:04:00,已办结", "办结时间",
         "2026-03-02 09:04:00", "finished before started"),
        ("A1,个人现金,2026-03-02 09:00:00,,,2026-03-02 09:04:00,已办结", "开始时间", "", "without a start"),
        (",个人现金,2026-03-02 09:00:00,,,,过号", "票号", "", "empty ticket id"),
        ("A1,个人现金,,,,,过号", "取号时间", "", "missing issue time"),
        ("A1,个人现金,2026-03-02 09:00:00,,,,转外地", "状态", "转外地", "unknown status"),
    ],
)  # fmt: skip
def test_impossible_rows_name_row_column_value(
    tmp_path: Path, row: str, column: str, value: str, words: str
) -> None:
    """Each impossible row is an InputError naming the file line, the header and the cell."""
    ok = "A0,个人现金,2026-03-02 08:58:00,,2026-03-02 08:59:00,2026-03-02 09:00:00,已办结\n"
    path = write(
        tmp_path / "t.csv", "票号,业务类型,取号时间,叫号时间,开始时间,办结时间,状态\n" + ok + row + "\n"
    )
    with pytest.raises(InputError) as ei:
        read_tickets(path)
    e = ei.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 3, column, value)
    assert words in e.describe()


def test_first_bad_row_is_reported_with_a_count(tmp_path: Path) -> None:
    """Of several bad rows the earliest in the file is named, and the others counted."""
    rows = "".join(f"A{i},个人现金,2026-03-02 09:0{i}:00,坏,已办结\n" for i in range(3))
    path = write(tmp_path / "t.csv", "票号,业务类型,取号时间,开始时间,状态\n" + rows)
    with pytest.raises(InputError, match="2 more rows") as ei:
        read_tickets(path)
    assert ei.value.row == 2


@pytest.mark.parametrize(
    ("issued", "says"),
    [
        (
            f"{PACKAGE_YEARS[1] + 1}-03-03 09:00:00",
            "add an override row",
        ),  # the package lags: overrides fill it
        (f"{PACKAGE_YEARS[1] + 5}-03-03 09:00:00", "outside the supported years"),
        ("1900-01-01 09:00:00", "outside the supported years"),  # Excel's day 1: a broken cell
    ],
)
def test_year_the_calendar_does_not_cover_names_the_ticket(tmp_path: Path, issued: str, says: str) -> None:
    """With a calendar, a ticket in a year no package covers names its file and row: an override for next
    year, a typo or broken cell for a year far out (never an override for 1900)."""
    text = f"票号,业务类型,取号时间,状态\nA1,个人现金,2026-03-02 09:00:00,过号\nA2,个人现金,{issued},过号\n"
    path = write(tmp_path / "t.csv", text)
    with pytest.raises(InputError, match=says) as ei:
        read_tickets(path, calendar=BranchCalendar(BranchConfig()))
    assert (ei.value.file, ei.value.row, ei.value.column) == (str(path), 3, "取号时间")


def test_header_only_file_gives_an_empty_frame(tmp_path: Path) -> None:
    """A header without rows is an empty frame with the normalized columns."""
    df = read_quietly(write(tmp_path / "t.csv", "票号,业务类型,取号时间,状态\n"))
    assert tuple(df.columns) == OUTPUT_COLUMNS and df.empty
    assert df["issued_at"].dtype == "datetime64[ns]"


def test_file_without_status_or_service_times_is_an_error(tmp_path: Path) -> None:
    """Arrivals alone cannot tell served from abandoned: the header row is named."""
    path = write(tmp_path / "t.csv", "票号,业务类型,取号时间\nA1,个人现金,2026-03-02 09:00:00\n")
    with pytest.raises(InputError) as ei:
        read_tickets(path)
    assert ei.value.row == 1 and "status" in ei.value.describe()


@pytest.mark.parametrize(
    ("called", "error"),
    [
        ("2026-03-02 09:0", "unreadable time"),  # cut off: named as unreadable, not "called before issued"
        ("2026-03-02 09:00:4", "unreadable time"),
        ("2026-03-02 08:59", "called before issued"),  # a whole minute earlier: a real inversion
        ("2026-03-02 09:00", None),  # no seconds: the same minute as the issue time, fine
    ],
)
def test_called_time_cut_off_or_to_the_minute(tmp_path: Path, called: str, error: str | None) -> None:
    """A called time cut short is an unreadable cell (file, row, column, value named); one given to the
    minute only is compared to the minute, so 09:00 after an issue at 09:00:11 is no inversion."""
    text = (
        "票号,业务类型,取号时间,叫号时间,开始时间,办结时间,状态\n"
        f"A1,个人现金,2026-03-02 09:00:11,{called},2026-03-02 09:01:00,2026-03-02 09:04:00,已办结\n"
    )
    path = write(tmp_path / "t.csv", text)
    if error is None:
        assert read_quietly(path)["called_at"].iloc[0] == pd.Timestamp(called)
        return
    with pytest.raises(InputError, match=error) as ei:
        read_tickets(path)
    assert (ei.value.row, ei.value.column, ei.value.value) == (2, "叫号时间", called)
