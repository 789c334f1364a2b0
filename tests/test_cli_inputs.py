"""Tests of the ``paiban sample`` and ``paiban demo`` commands (scheduler.app.cli.inputs)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from constraints.errors import InputWarning
from constraints.i18n import set_language
from scheduler.app.cli import main


@pytest.fixture(autouse=True)
def _chinese() -> None:
    """Each test starts in Chinese, whatever PAIBAN_LANG says (conftest restores the language after it)."""
    set_language("zh")


def test_sample_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`paiban sample --out DIR --weeks 2 --seed 3` exits 0 and writes the sample's files."""
    assert main(["sample", "--out", str(tmp_path), "--weeks", "2", "--seed", "3"]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"tickets.csv", "staff.csv", "branch.toml", "leave.csv", "README.txt"} <= names
    assert "2026-11-30" in capsys.readouterr().out


def test_demo_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`paiban demo` exits 0, writes OUT/sample and prints tickets per day, staff, the plan week and leave; after
    the plan, the service gaps — the corporate counter closed all weekend — on the console and in summary.json."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)  # the sample loads without odd-ticket warnings
        assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "sample" / "tickets.csv").exists()
    for text in ("最近两周每日取号数", "2026-11-29", "高柜", "个人业务柜员", "排班周 2026-11-30", "年休假"):
        assert text in out, text
    # the weekend's corporate counter stays closed: the console says so after the plan, not "all fine"
    assert "全部硬性规则满足, 但有" in out and "服务缺口" in out
    for date in ("12-05 周六", "12-06 周日"):
        row = next(ln for ln in out.splitlines() if date in ln and "对公" in ln)
        assert "09:30–16:00" in row and "0/1" in row, row
    doc = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    weekend = [g for g in doc["service_gaps"] if g["date"] in ("2026-12-05", "2026-12-06")]
    corporate = [g for g in weekend if g["counter"] == "corporate_counter"]
    assert [(g["start"], g["end"], g["open_windows"]) for g in corporate] == [("09:30", "16:00", 0)] * 2
    assert all(g["expected_customers"] > 0 and g["expected_mean_wait_minutes"] > 0 for g in corporate)


def test_demo_in_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With the global --lang en the summary's titles are English."""
    assert main(["--lang", "en", "demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Tickets per day and counter" in out and "Staff by post" in out and "Plan week" in out


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        (["--weeks", "0"], "--weeks"),
        (["--end", "2026-11-28"], "--end"),
        (["--end", "next sunday"], "--end"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], argument: str
) -> None:
    """Zero weeks or an --end that is not a Sunday (or not a date) exit 2 with one line naming the argument."""
    assert main(["sample", "--out", str(tmp_path / "s"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and argument in err
    assert not (tmp_path / "s").exists()
