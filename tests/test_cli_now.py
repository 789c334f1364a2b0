"""Tests of ``paiban now``: advice in Chinese, English and JSON, the lobby log, bad input, and --watch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import intraday_fixtures as fx
import pytest

from constraints.i18n import set_language
from constraints.io import read_table
from constraints.roster import Roster
from scheduler.app.cli import main
from scheduler.report.workbook import build_workbook
from scheduler.report.workbook.lobby_sheet import LOG_FILE, read_lobby_log
from scheduler.report.workbook.style import sheet_name

ROOT = Path(__file__).resolve().parents[1]


def args(paths: dict[str, Path], *extra: str) -> list[str]:
    """``now`` with the fixture branch's files."""
    return [
        "now",
        "--tickets",
        str(paths["tickets"]),
        "--roster",
        str(paths["roster"]),
        "--config",
        str(paths["config"]),
        "--staff",
        str(paths["staff"]),
        "--leave",
        str(paths["leave"]),
        *extra,
    ]


@pytest.fixture
def busy(tmp_path: Path) -> dict[str, Path]:
    """The fixture branch at 10:30 with 15 waiting at the high counter."""
    return fx.write_branch(tmp_path / "branch", "10:30", {"high_counter": 15})


def test_now_prints_the_advice_in_chinese(busy: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Queue now, rest of day, expected queue, and the move with its reason, for a person in the lobby."""
    assert main(args(busy, "--at", "10:30")) == 0
    out = capsys.readouterr().out
    assert "10:30 排队: 高柜 等候 15 人" in out
    assert "今日余下客流预计: 高柜" in out
    assert "10:30 起 周杰 从后台到高柜 3 号窗口, 11:30 可回后台 (预计高柜排队" in out
    assert "平均等候由" in out and "分钟降到" in out
    assert "吴娜" not in out  # on sick leave (leave.csv)


def test_now_in_english(busy: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """--lang en before the command: the same advice in English."""
    try:
        assert main(["--lang", "en", *args(busy, "--at", "10:30")]) == 0
    finally:
        set_language("zh")
    out = capsys.readouterr().out
    assert "from 10:30 周杰 moves from back office to high counter window 3 until 11:30" in out
    assert "mean wait from" in out


def test_now_json_for_a_screen_or_a_bot(busy: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """--json: at, queue per counter, rest_of_day before/after, advice items with roster.csv activities."""
    assert main(args(busy, "--at", "10:30", "--json")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["at"] == "2026-12-01 10:30"
    assert doc["queue"] == {"high_counter": 15, "low_counter": 0}
    assert set(doc["rest_of_day"]["high_counter"]) >= {"before", "after"}
    assert doc["rest_of_day"]["high_counter"]["after"] > 0
    item = doc["advice"][0]
    assert {
        "time",
        "staff_id",
        "name",
        "from",
        "to",
        "reason",
        "wait_before_min",
        "wait_after_min",
    } <= item.keys()
    assert (item["time"], item["staff_id"], item["name"], item["from"], item["to"]) == (
        "10:30", "T3", "周杰", "back_office", "high_counter")  # fmt: skip
    assert item["wait_after_min"] < item["wait_before_min"]
    assert len(doc["path"]["times"]) == len(doc["path"]["high_counter"]["roster"])


def test_lobby_away_is_logged_once_and_read_by_the_workbook(
    busy: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """--lobby-away 30 --log: the backup takes the floor; two handovers logged, not again on a rerun; the
    workbook's lobby-manager log lists them as 现场记录."""
    extra = ("--at", "10:30", "--lobby-away", "30", "--lobby-reason", "处理投诉", "--log")
    assert main(args(busy, *extra)) == 0
    out = capsys.readouterr().out
    assert "后备大堂经理" in out and "接班 (大堂经理处理投诉)" in out
    log = busy["roster"].parent / LOG_FILE
    handovers = read_lobby_log(log)
    assert (handovers[0].from_staff, handovers[0].time) == ("L", 10 * 60 + 30)
    assert handovers[1].to_staff == "L" and handovers[1].time == 11 * 60
    assert main(args(busy, *extra)) == 0
    assert len(read_lobby_log(log)) == 2
    t = fx.today()
    wb = build_workbook(t.roster, t.problem, lobby_log=handovers)
    cells = [str(c.value) for row in wb[sheet_name("lobby", "zh")].iter_rows() for c in row if c.value]
    assert any("现场记录" in c for c in cells)


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (("--at", "25:00"), "--at"),
        (("--at", "08:00"), "营业时间"),
        (("--watch", "0"), "--watch"),
    ],
)
def test_bad_arguments_exit_2_naming_them(
    busy: dict[str, Path], capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], needle: str
) -> None:
    """A bad time, a time outside opening hours, a non-positive watch: exit 2, one message naming it."""
    assert main(args(busy, *extra)) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_bad_export_row_exit_2_naming_file_row_column(
    busy: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown status in today's export: exit 2 naming the file, the row, the column and the value."""
    text = busy["tickets"].read_bytes().decode("gb18030").splitlines()
    text[3] = text[3].replace("已办结", "半办结")
    busy["tickets"].write_bytes("\n".join(text).encode("gb18030"))
    assert main(args(busy, "--at", "10:30")) == 2
    err = capsys.readouterr().err
    assert "today.csv" in err and "第 4 行" in err and "状态" in err and "半办结" in err


def test_without_history_or_forecast_file_it_says_what_is_missing(
    busy: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """No --history and no forecast.csv beside the roster: exit 2 naming --history."""
    busy["forecast"].unlink()
    assert main(args(busy, "--at", "10:30")) == 2
    assert "--history" in capsys.readouterr().err


def test_watch_prints_only_what_changed(
    busy: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--watch 5 from 14:00: 14:05 unchanged prints nothing; at 14:10 a queue of 20 prints the new move; Ctrl-C
    in the next wait ends it with 130."""
    rounds: list[float] = []

    def fake_sleep(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 2:
            fx.write_export(fx.tickets("14:10", {"high_counter": 20}, level=0.5), busy["tickets"])
        if len(rounds) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr("scheduler.app.cli.now.time.sleep", fake_sleep)
    fx.write_export(fx.tickets("14:00", {}, level=0.5), busy["tickets"])
    code = main(args(busy, "--at", "14:00", "--watch", "5"))
    out, err = capsys.readouterr()
    assert code == 130 and "已停止" in err
    assert rounds == [300, 300, 300]
    first, _, rest = out.partition("暂无调整建议")
    assert "14:00 排队" in first
    assert "14:05" not in rest  # unchanged: nothing printed
    assert rest.count("排队:") == 1 and "14:10 排队: 高柜 等候 20 人" in rest
    assert "  + 14:15 起 周杰 从后台到高柜" in rest


def test_watch_ends_on_ctrl_c_with_exit_130(busy: dict[str, Path]) -> None:
    """A real process: SIGINT while it waits for the next round ends it cleanly with exit status 130."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    code = "import sys; from scheduler.app.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args(busy, "--at", "10:30", "--watch", "1")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the first advice is out: the loop is sleeping now
        assert "10:30" in first
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "已停止" in err and "Traceback" not in err


def test_roster_from_the_fixture_files_reads_back(busy: dict[str, Path]) -> None:
    """The files the CLI tests use hold the fixture's roster (a guard on the fixture itself)."""
    roster = Roster.from_frame(read_table(busy["roster"]))
    assert roster.blocks == fx.roster().blocks
