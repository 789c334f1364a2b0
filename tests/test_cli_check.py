"""``paiban check``: an edited roster.xlsx (or roster.csv) audited by the rules' own checks; exit 0/1/2."""

from __future__ import annotations

from pathlib import Path

import pytest
import roster_fixtures as rf
from openpyxl import load_workbook

pytest.importorskip(
    "constraints.rules", reason="the rules registry (constraints/rules) is not in the tree yet"
)

from constraints.io import write_csv
from scheduler.app.cli import main
from scheduler.report.workbook import write_workbook


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """roster.xlsx of the hand-made week (which holds every hard rule)."""
    problem = rf.example_problem(rf.examples_dir())
    path = tmp_path_factory.mktemp("check") / "roster.xlsx"
    write_workbook(path, rf.example_roster(), problem)
    return path


def _args(roster: Path, *extra: str) -> list[str]:
    ex = rf.examples_dir()
    return [
        *extra,
        "check",
        "--roster",
        str(roster),
        "--staff",
        str(ex / "staff.csv"),
        "--config",
        str(ex / "branch.toml"),
        "--week",
        "2026-11-30",
        "--leave",
        str(ex / "leave.csv"),
    ]


def _set(path: Path, sheet: str, staff_id: str, hhmm: str, value: object) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    row = next(c.row for c in ws["A"] if c.value == staff_id)
    col = next(c.column for c in ws[4] if c.value == hhmm)
    ws.cell(row, col).value = value
    wb.save(path)


def test_unedited_workbook_passes(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The hand-made week read back from roster.xlsx holds every hard rule: exit 0."""
    assert main(_args(book)) == 0
    assert "所有硬规则均满足" in capsys.readouterr().out


def test_noon_rule_broken_by_an_edit(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Moving a high-counter teller to 后台 at 12:00 on Monday leaves one at the high counter: exit 1, named."""
    _set(book, "11-30 周一", "S08", "12:00", "后台")
    assert main(_args(book)) == 1
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "noon_two_at_high_counter" in ln)
    assert "2026-11-30" in line and "12:00" in line and "徐明" in line and "硬" in line


def test_english_output(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--lang en reports the same violation in English."""
    _set(book, "11-30 周一", "S08", "12:00", "Back office")
    assert main([*_args(book), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "noon_two_at_high_counter" in out and "hard rule violations" in out and "hard" in out


def test_csv_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """roster.csv goes through the same check."""
    problem = rf.example_problem(rf.examples_dir())
    path = tmp_path / "roster.csv"
    write_csv(rf.example_roster().to_frame(problem.staff), path)
    assert main(_args(path)) == 0


def test_bad_cell_is_bad_input(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable cell exits 2 with one message naming the sheet, row, column and value."""
    _set(book, "12-03 周四", "S07", "15:00", "休假中")
    assert main(_args(book)) == 2
    err = capsys.readouterr().err
    assert "roster.xlsx [12-03 周四]" in err and "(15:00)" in err and "休假中" in err


def test_week_must_be_a_monday(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--week on a Tuesday is bad input (exit 2)."""
    args = _args(book)
    args[args.index("2026-11-30")] = "2026-12-01"
    assert main(args) == 2
    assert "--week" in capsys.readouterr().err
