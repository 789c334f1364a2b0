"""Tests of scheduler.app.cli.plan: `paiban plan` writes the contracts and exits 0/1/2 per DESIGN.md."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from constraints.io import read_table
from scheduler.app.cli import main
from scheduler.app.cli.plan import parse_relax
from scheduler.sample.generator import SampleBranch, generate_sample

TIME_LIMIT = os.environ.get("PAIBAN_TIME_LIMIT", "10")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleBranch:
    """A 5-week sample branch."""
    return generate_sample(tmp_path_factory.mktemp("sample"), weeks=5, seed=3)


def _args(s: SampleBranch, out: Path, *extra: str) -> list[str]:
    return [
        "plan",
        "--tickets",
        str(s.tickets),
        "--staff",
        str(s.staff),
        "--config",
        str(s.config),
        "--leave",
        str(s.leave),
        "--out",
        str(out),
        "--time-limit",
        TIME_LIMIT,
        "--replications",
        "2",
        *extra,
    ]


def test_plan_writes_outputs_and_exits_zero(sample: SampleBranch, tmp_path: Path) -> None:
    """The sample's next week plans with exit 0 and every contract file written."""
    code = main(_args(sample, tmp_path, "--week", sample.plan_week.isoformat()))
    assert code == 0
    for name in ("roster.csv", "requirements.csv", "summary.json", "roster.xlsx"):
        assert (tmp_path / name).exists(), name


def test_plan_not_a_monday_exits_two(
    sample: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--week on a Tuesday is bad input: one line naming --week, nothing written."""
    code = main(_args(sample, tmp_path / "o", "--week", "2026-12-01"))
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--week" in err[0]
    assert not (tmp_path / "o").exists()


def test_relax_names_known_rules() -> None:
    """--relax accepts rule names and refuses unknown ones."""
    assert parse_relax("noon_two_at_high_counter, lobby_manager") == (
        "noon_two_at_high_counter",
        "lobby_manager",
    )
    with pytest.raises(Exception, match="unknown rule"):
        parse_relax("no_such_rule")


def test_impossible_week_exits_one(
    sample: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With every high-counter person on leave on a day the noon rule cannot hold: exit 1 with the reason."""
    monday = sample.plan_week
    leave = tmp_path / "leave.csv"
    rows = ["staff_id,date,start,end,reason"] + [
        f"{sid},{monday.isoformat()},,,年休假" for sid in ("S02", "S07", "S08", "S09", "S10", "S11")
    ]
    leave.write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = _args(sample, tmp_path / "o", "--week", monday.isoformat())
    args[args.index("--leave") + 1] = str(leave)
    code = main(args)
    assert code == 1
    err = capsys.readouterr().err
    assert "noon_two_at_high_counter" in err or "高柜" in err
    assert (tmp_path / "o" / "summary.json").exists()


def test_service_calendar_turns_weekend_corporate_customers_away(
    sample: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A branch that closes 对公 at weekends on purpose ([counters.corporate_counter] days) gets no weekend
    corporate gap: the console and summary.json list those customers as turned away, requirements.csv asks no
    window and the simulation leaves them out; the status reads in Chinese and forecast.csv has 高峰/平峰/低谷."""
    config = tmp_path / "branch.toml"
    config.write_text(
        sample.config.read_text(encoding="utf-8")
        + '\n[counters.corporate_counter]\ndays = ["workday", "makeup_workday"]\n',
        encoding="utf-8",
    )
    args = _args(sample, tmp_path / "o", "--week", sample.plan_week.isoformat())
    args[args.index("--config") + 1] = str(config)
    assert main(args) == 0
    out = capsys.readouterr().out
    assert any(word in out.splitlines()[0] for word in ("可行", "最优"))
    for date in ("12-05 周六", "12-06 周日"):
        line = next(ln for ln in out.splitlines() if ln.startswith(date) and "按服务日历不营业" in ln)
        assert "对公" in line and "位客户无法办理" in line
    doc = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    away = doc["turned_away"]
    assert [(t["date"], t["counter"]) for t in away] == [
        ("2026-12-05", "corporate_counter"),
        ("2026-12-06", "corporate_counter"),
    ]
    assert all(t["expected_customers"] > 0 and (t["start"], t["end"]) == ("09:30", "16:00") for t in away)
    weekend = {"2026-12-05", "2026-12-06"}
    assert not [
        g for g in doc["service_gaps"] if g["counter"] == "corporate_counter" and g["date"] in weekend
    ]
    req = read_table(tmp_path / "o" / "requirements.csv")
    corp = req[(req["counter"] == "corporate_counter") & req["date"].isin(weekend)]
    assert len(corp) and set(corp["required_windows"]) == {"0"}
    sim = read_table(tmp_path / "o" / "simulation.csv")
    assert (
        sim[(sim["counter"] == "corporate_counter") & sim["date"].isin(weekend)]["arrivals"]
        .astype(float)
        .sum()
        == 0
    )
    fc = read_table(tmp_path / "o" / "forecast.csv")
    assert set(fc["label_text"]) <= {"高峰", "平峰", "低谷"} and "高峰" in set(fc["label_text"])


@pytest.mark.parametrize(
    ("weeks", "shift", "code", "says"),
    [
        (1, 0, "thin_history", "少于两周"),  # one week of tickets
        (3, -7, "after_plan_week", "请确认 --week"),  # --week a week before the last tickets
    ],
)
def test_thin_or_odd_history_is_warned_on_the_console_and_in_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], weeks: int, shift: int, code: str, says: str
) -> None:
    """One week of history, or tickets after the plan week: the run still plans (exit 0) and says so on the
    console before solving and in summary.json's warnings, with what the forecast does about it."""
    s = generate_sample(tmp_path / "sample", weeks=weeks, seed=4)
    week = (s.plan_week + dt.timedelta(days=shift)).isoformat()
    assert main(_args(s, tmp_path / "out", "--week", week)) == 0
    err = capsys.readouterr().err
    assert says in err
    doc = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert [w["code"] for w in doc["warnings"]] == [code]
    assert says in doc["warnings"][0]["message"]


def test_plan_cut_by_its_time_limit_says_so_in_one_line_and_in_the_summary(
    sample: SampleBranch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A work budget the time limit cannot hold: the roster is written all the same, summary.json says it
    is not reproducible and which budget it had, and the console says so in one line."""
    week = sample.plan_week.isoformat()
    code = main(_args(sample, tmp_path, "--week", week, "--time-limit", "20", "--work-units", "1000"))
    assert code == 0
    doc = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert doc["reproducible"] is False and doc["parameters"]["work_units"] == 1000
    lines = [line for line in capsys.readouterr().out.splitlines() if "不可复现" in line]
    assert len(lines) == 1


def test_plan_work_units_must_be_positive(sample: SampleBranch, tmp_path: Path) -> None:
    """--work-units 0 is bad input (exit 2), nothing written."""
    code = main(_args(sample, tmp_path / "o", "--week", sample.plan_week.isoformat(), "--work-units", "0"))
    assert code == 2 and not (tmp_path / "o").exists()
