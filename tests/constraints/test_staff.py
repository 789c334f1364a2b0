"""Tests of constraints.staff: staff.csv (Chinese or English headers), leave and events that take people away."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from constraints.config import TimeRange
from constraints.errors import InputError
from constraints.staff import (
    DEFAULT_SKILLS,
    POSTS,
    Absence,
    find_columns,
    parse_date,
    parse_post,
    read_absences,
    read_staff,
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` in ``encoding`` and return the path."""
    path.write_bytes(text.encode(encoding))
    return path


def test_example_staff_loads_as_it_stands(examples: Path) -> None:
    """The shared staff.csv: 14 people, posts from Chinese names, skills and authorities as written."""
    staff = read_staff(examples / "staff.csv")
    assert len(staff) == 14
    assert staff.ids()[:3] == ["S01", "S02", "S03"]
    s01 = staff.by_id("S01")
    assert (s01.name, s01.post, s01.post_label) == ("王建国", "branch_president", "支行长")
    assert s01.authorities == {"branch", "operations"}
    assert staff.by_id("S02").post == "operations_supervisor"
    assert staff.by_id("S12").skills == {"corporate_counter", "low_counter"}
    assert staff.by_id("S11").holds("operations") and not staff.by_id("S07").holds("operations")
    assert staff.by_id("S14").skills == frozenset() and staff.by_id("S14").post == "loan_officer"
    assert {p.post for p in staff} == set(POSTS)
    assert all(p.weekly_hours == 40 for p in staff)
    assert [p.staff_id for p in staff.with_skill("corporate_counter")] == ["S12", "S13"]


def test_empty_cells_take_the_posts_defaults(tmp_path: Path) -> None:
    """An empty skills or authorities cell takes the post's defaults; 40 h when weekly hours are empty."""
    text = (
        "工号,姓名,岗位,技能,权限,周工时\nT1,甲,个人业务柜员,,,\nT2,乙,营业主管,,,38\nT3,丙,支行长,大堂,,40\n"
    )
    staff = read_staff(write(tmp_path / "staff.csv", text))
    t1, t2, t3 = staff.people
    assert t1.skills == set(DEFAULT_SKILLS["personal_teller"]) and t1.weekly_hours == 40.0
    assert t2.authorities == {"operations"} and t2.weekly_hours == 38.0
    assert t3.skills == {"lobby"} and t3.authorities == {"branch"}


def test_english_headers_post_ids_and_options(tmp_path: Path) -> None:
    """English headers, post ids, Chinese skill aliases, preferences and limits, in a GBK file."""
    text = (
        "Staff_ID,Name,Post,Skills,Authorities,Weekly_Hours,max_daily_hours,prefer_off,avoid_late\n"
        "E1,Ann,personal_teller,高柜、低柜,,36,7,周六;Sun,是\n"
        "E2,Bob,柜员,对公,运营,40,,星期三,\n"
    )
    staff = read_staff(write(tmp_path / "staff.csv", text, "gbk"))
    e1, e2 = staff.people
    assert e1.skills == {"high_counter", "low_counter"}
    assert (e1.weekly_hours, e1.max_daily_hours, e1.prefer_off, e1.avoid_late) == (36, 7, {5, 6}, True)
    assert e2.post == "personal_teller" and e2.skills == {"corporate_counter"}
    assert e2.authorities == {"operations"} and e2.prefer_off == {2} and not e2.avoid_late
    assert staff.frame()["skills"].tolist() == ["high_counter;low_counter", "corporate_counter"]


@pytest.mark.parametrize(
    ("row", "column", "value", "words"),
    [
        ("S1,甲,柜员长,,,40", "岗位", "柜员长", "unknown post"),
        (",甲,柜员,,,40", "工号", "", "empty staff id"),
        ("S1,甲,柜员,飞行,,40", "技能", "飞行", "unknown skill"),
        ("S1,甲,柜员,,皇帝,40", "权限", "皇帝", "unknown authority"),
        ("S1,甲,柜员,,,九十", "周工时", "九十", "must be a number"),
        ("S1,甲,柜员,,,90", "周工时", "90", "between 0 and 84"),
    ],
)
def test_bad_staff_rows_name_row_column_value(
    tmp_path: Path, row: str, column: str, value: str, words: str
) -> None:
    """Each bad cell is an InputError naming file, line, header and value."""
    path = write(tmp_path / "staff.csv", "工号,姓名,岗位,技能,权限,周工时\nS0,乙,柜员,,,40\n" + row + "\n")
    with pytest.raises(InputError) as ei:
        read_staff(path)
    e = ei.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 3, column, value)
    assert words in e.describe()


def test_missing_required_column_names_the_header_row(tmp_path: Path) -> None:
    """A staff list without a post column fails on line 1 naming the missing column."""
    path = write(tmp_path / "staff.csv", "工号,姓名\nS1,甲\n")
    with pytest.raises(InputError) as ei:
        read_staff(path)
    assert (ei.value.row, ei.value.column) == (1, "岗位/职位")


def test_find_columns_ignores_case_space_and_brackets() -> None:
    """Header matching ignores case, spaces, underscores and (full-width) brackets."""
    import pandas as pd

    df = pd.DataFrame(columns=["办理时长（秒）", " Staff ID "])
    cols = find_columns(
        df, {"d": ("办理时长(秒)",), "s": ("staff_id",), "x": ("nope",)}, "f.csv", required=()
    )
    assert cols == {"d": "办理时长（秒）", "s": " Staff ID "}


def test_parse_post_and_date() -> None:
    """Posts by id or Chinese name; dates in the three ways branches write them."""
    assert parse_post("信贷员") == "loan_officer" and parse_post("wealth_manager") == "wealth_manager"
    with pytest.raises(ValueError, match="unknown post"):
        parse_post("CEO")
    for text in ("2026-11-04", "2026/11/4", "2026年11月4日", "2026-11-04 00:00:00"):
        assert parse_date(text) == dt.date(2026, 11, 4)
    for text in ("", "today", "2026-13-01", "04/11/2026"):
        with pytest.raises(ValueError):
            parse_date(text)


def test_example_leave_whole_day_and_time_range(examples: Path) -> None:
    """The shared leave.csv: a whole day off and a morning away."""
    staff = read_staff(examples / "staff.csv")
    leave = read_absences(examples / "leave.csv", staff)
    assert leave == [
        Absence(staff_id="S09", date=dt.date(2026, 11, 4), hours=None, reason="年休假"),
        Absence(
            staff_id="S01",
            date=dt.date(2026, 11, 6),
            hours=TimeRange.parse("09:00-12:00"),
            reason="经营分析会",
        ),
    ]
    assert leave[0].covers(600) and leave[1].covers(540) and not leave[1].covers(720)


def test_events_with_several_ids_and_everyone(tmp_path: Path, examples: Path) -> None:
    """An events file: several ids in one cell, 全体 for everyone, an open-ended start, Chinese headers."""
    staff = read_staff(examples / "staff.csv")
    text = (
        "参加人员,日期,开始时间,结束时间,事项\n"
        "S02;S03、S04,2026/11/3,14:00,16:00,季度谈话\n"
        "全体,2026年11月5日,08:30,09:00,晨会加长\n"
        "S05,2026-11-06,16:00,,培训\n"
    )
    events = read_absences(write(tmp_path / "events.csv", text), staff, kind="event")
    assert [e.staff_id for e in events[:3]] == ["S02", "S03", "S04"]
    assert {e.staff_id for e in events if e.date == dt.date(2026, 11, 5)} == set(staff.ids())
    assert all(e.kind == "event" for e in events)
    assert events[-1].hours == TimeRange.parse("16:00-24:00")


@pytest.mark.parametrize(
    ("row", "column", "value", "words"),
    [
        ("S99,2026-11-04,,,年休假", "staff_id", "S99", "no such staff id"),
        ("S01,2026-11-31,,,年休假", "date", "2026-11-31", "unparsable date"),
        ("S01,,,,年休假", "date", "", "unparsable date"),
        ("S01,2026-11-04,12:00,09:00,病假", "start", "12:00-09:00", "not after"),
        (",2026-11-04,,,病假", "staff_id", "", "empty staff id"),
    ],
)
def test_bad_leave_rows_name_row_column_value(
    tmp_path: Path, examples: Path, row: str, column: str, value: str, words: str
) -> None:
    """Each bad leave row is an InputError naming file, line, header and value."""
    staff = read_staff(examples / "staff.csv")
    path = write(tmp_path / "leave.csv", "staff_id,date,start,end,reason\nS01,2026-11-03,,,x\n" + row + "\n")
    with pytest.raises(InputError) as ei:
        read_absences(path, staff)
    e = ei.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 3, column, value)
    assert words in e.describe()


def test_comp_days_owed_column(tmp_path: Path) -> None:
    """staff.csv 补休天数: the 补休 a person is owed (default 0); out of range is one clear message."""
    path = tmp_path / "staff.csv"
    path.write_text("工号,姓名,岗位,补休天数\nS1,甲,个人业务柜员,2\nS2,乙,个人业务柜员,\n", encoding="utf-8")
    staff = read_staff(path)
    assert staff.by_id("S1").comp_days_owed == 2 and staff.by_id("S2").comp_days_owed == 0
    path.write_text("工号,姓名,岗位,补休天数\nS1,甲,个人业务柜员,40\n", encoding="utf-8")
    with pytest.raises(InputError, match="0–31"):
        read_staff(path)
