"""Tests of ``paiban forecast`` and ``paiban backtest`` on a small generated sample branch."""

from __future__ import annotations

from pathlib import Path

import pytest

from constraints.io import read_table
from scheduler.app.cli import main
from scheduler.sample.generator import SampleBranch, generate_sample


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> SampleBranch:
    """Three weeks of sample tickets (seed 1)."""
    return generate_sample(tmp_path_factory.mktemp("sample"), weeks=3, seed=1)


def _args(branch: SampleBranch, *more: str) -> list[str]:
    return ["--tickets", str(branch.tickets), "--config", str(branch.config), *more]


def test_forecast_writes_the_csv(
    branch: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """forecast.csv has the documented columns, a UTF-8 BOM, every counter, and the table is printed."""
    rc = main(["--lang", "zh", "forecast", *_args(branch, "--week", "2026-11-30", "--out", str(tmp_path))])
    assert rc == 0
    path = tmp_path / "forecast.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    df = read_table(path)
    assert list(df.columns) == [
        "date",
        "start",
        "end",
        "counter",
        "mean",
        "q50",
        "q80",
        "q95",
        "label",
        "label_text",
    ]
    assert set(df["label"]) <= {"peak", "normal", "trough"} and "高峰" in set(df["label_text"])
    assert all(df["label_text"] == df["label"].map({"peak": "高峰", "normal": "平峰", "trough": "低谷"}))
    assert set(df["counter"]) == {"high_counter", "low_counter", "corporate_counter"}
    assert df["date"].min() == "2026-11-30" and df["date"].max() == "2026-12-06"
    assert "高峰" in capsys.readouterr().out


def test_forecast_rejects_a_non_monday(
    branch: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--week on a Tuesday exits 2 with one message naming --week, and writes nothing."""
    rc = main(["forecast", *_args(branch, "--week", "2026-12-01", "--out", str(tmp_path))])
    assert rc == 2
    assert "--week" in capsys.readouterr().err
    assert not (tmp_path / "forecast.csv").exists()


def test_forecast_rejects_bad_exclude(branch: SampleBranch, tmp_path: Path) -> None:
    """An unparsable --exclude date is bad input (exit 2)."""
    args = _args(branch, "--week", "2026-11-30", "--out", str(tmp_path), "--exclude", "2026-13-01")
    assert main(["forecast", *args]) == 2


def test_backtest_writes_the_csv(
    branch: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """backtest.csv has one row per model × origin × counter; the summary lists the models."""
    rc = main(["--lang", "en", "backtest", *_args(branch, "--weeks", "1", "--out", str(tmp_path))])
    assert rc == 0
    df = read_table(tmp_path / "backtest.csv")
    assert list(df.columns) == ["model", "origin", "counter", "wape", "rmse", "mae", "coverage80"]
    assert len(df) == 3 * 1 * 3 and set(df["origin"]) == {"2026-11-23"}
    out = capsys.readouterr().out
    assert "calendar_model" in out and "seasonal_naive" in out


def test_backtest_needs_enough_history(tmp_path: Path) -> None:
    """One week of tickets cannot be backtested: exit 2."""
    one = generate_sample(tmp_path / "one", weeks=1, seed=0)
    rc = main(["backtest", *_args(one, "--out", str(tmp_path / "out"))])
    assert rc == 2 and not (tmp_path / "out" / "backtest.csv").exists()
