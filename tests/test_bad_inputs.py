"""Broken inputs across every file a user hands in: each is ONE InputError naming file, row, column and value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from constraints.calendar import parse_week
from constraints.config import load_config
from constraints.errors import InputError
from constraints.staff import read_absences, read_staff
from forecasts.tickets import read_tickets

STAFF = "工号,姓名,岗位\nS01,王建国,支行长\nS02,李秀英,营业主管\n"
TICKETS = "票号,业务类型,取号时间,叫号时间,开始时间,办结时间,状态\n"
OK_TICKET = (
    "A001,个人现金,2026-11-02 09:00:41,2026-11-02 09:01:02,2026-11-02 09:01:20,2026-11-02 09:04:55,已办结\n"
)


def _leave(path: Path) -> object:
    staff_path = path.parent / "staff.csv"
    staff_path.write_text(STAFF, encoding="utf-8")
    return read_absences(path, read_staff(staff_path))


@dataclass(frozen=True)
class Case:
    """A broken file (or argument), how it is read, and where the error must point."""

    name: str
    content: str | bytes
    read: Callable[[Path], object]
    row: int | None
    column: str | None
    value: object = None
    words: str = ""
    encoding: str = "utf-8"
    argument: str | None = None  # a command-line argument instead of a file


CASES = [
    # branch.toml: errors name the key (TOML keys have no row, the syntax error has its line)
    Case("branch.toml", '[hours]\nworkday = "17:00-09:00"\n', load_config, None, "hours.workday", None,
         "not after opening"),
    Case("branch.toml", "[windows]\nvip_counter = 2\n", load_config, None, "windows", None, "vip_counter"),
    Case("branch.toml", "[grid]\nslot_minutes = 7\n", load_config, None, "grid.slot_minutes", 7, "divide 60"),
    Case("branch.toml", "[rules.no_such_rule]\ncount = 1\n", load_config, None, "rules.no_such_rule", None,
         "unknown rule name"),
    Case("branch.toml", '[branch]\nname = "x"\n[hours\n', load_config, 3, None, None, "TOML syntax error"),
    # staff.csv
    Case("staff.csv", STAFF + "S03,张伟,董事长\n", read_staff, 4, "岗位", "董事长", "unknown post"),
    Case("staff.csv", STAFF + "S02,张伟,柜员\n", read_staff, 4, "工号", "S02", "duplicate staff id"),
    Case("staff.csv", "工号,姓名,岗位,周工时\nS01,王建国,支行长,forty\n", read_staff, 2, "周工时", "forty",
         "must be a number"),
    # leave.csv
    Case("leave.csv", "staff_id,date,start,end,reason\nS09,2026-11-04,,,年休假\n", _leave, 2, "staff_id", "S09",
         "no such staff id"),
    Case("leave.csv", "staff_id,date,start,end,reason\nS01,2026-11-04,,,x\nS02,2026-02-30,,,x\n", _leave, 3,
         "date", "2026-02-30", "unparsable date"),
    # tickets
    Case("tickets.csv", TICKETS + OK_TICKET + "A002,个人现金,2026-11-02 09:30:00,,,2026-11-02 09:20:00,过号\n",
         read_tickets, 3, "办结时间", "2026-11-02 09:20:00", "finished before issued"),
    Case("tickets.csv", TICKETS + OK_TICKET + "A002,个人现金,2026-11-02 9点30分,,,,过号\n", read_tickets, 3,
         "取号时间", "2026-11-02 9点30分", "unreadable time", "gbk"),
    Case("tickets.csv", (TICKETS + OK_TICKET).encode("gbk") + b"A002,\xff\xfe\x00,2026-11-02 09:30:00,,,,\n",
         read_tickets, 3, "业务类型", "ff fe 00 2c", "neither UTF-8 nor GBK"),
    Case("tickets.csv", "票号,业务类型,叫号时间,状态\nA001,个人现金,2026-11-02 09:01:02,已办结\n", read_tickets, 1,
         "取号时间/出票时间", None, "missing required column"),
    Case("tickets.csv", TICKETS + OK_TICKET.replace("2026-11-02 09:01:20", "2026-11-02 09:00:00"), read_tickets,
         2, "开始时间", "2026-11-02 09:00:00", "started before issued"),
    # the command line: the file holds what the user typed after --week
    Case("week.txt", "2026-11-04", lambda p: parse_week(p.read_text()), None, None, "2026-11-04",
         "must be a Monday", argument="--week"),
    Case("week.txt", "next week", lambda p: parse_week(p.read_text()), None, None, "next week", "YYYY-MM-DD",
         argument="--week"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}:{c.words}" for c in CASES])
def test_broken_input_names_file_row_column_value(tmp_path: Path, case: Case) -> None:
    """Each broken input raises one InputError whose location and sentence point at the defect."""
    path = tmp_path / case.name
    raw = case.content if isinstance(case.content, bytes) else case.content.encode(case.encoding)
    path.write_bytes(raw)
    with pytest.raises(InputError) as ei:
        case.read(path)
    e = ei.value
    assert (e.file, e.argument) == ((None, case.argument) if case.argument else (str(path), None))
    assert (e.row, e.column) == (case.row, case.column)
    if case.value is not None:
        assert e.value == case.value
    text = e.describe()
    assert case.words in text and "\n" not in text
    assert (f"参数 {case.argument}" if case.argument else f"文件 {path}") in text
    if case.row is not None:
        assert f"第 {case.row} 行" in text
    if case.column is not None:
        assert f"列 {case.column}" in text
