"""Tests of scheduler.sample.generator: the sample branch's files, and its customer flow measured against DESIGN.md.

Run ``python tests/test_sample.py`` to print the measured flow statistics of the default sample.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from constraints.calendar import BranchCalendar
from constraints.config import load_config
from constraints.errors import InputError, InputWarning
from constraints.io import read_table
from constraints.staff import read_absences, read_staff
from forecasts.features import day_features
from forecasts.tickets import read_tickets
from scheduler.sample import generator as sample_mod
from scheduler.sample.generator import SERVICES, TICKET_HEADER, SampleBranch, day_factors, generate_sample

WINDOW_COUNTER = {
    **dict.fromkeys("1234", "high_counter"),
    "5": "low_counter",
    "6": "low_counter",
    "7": "corporate_counter",
}


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> SampleBranch:
    """The default sample (12 weeks, seed 0), generated once for the module."""
    return generate_sample(tmp_path_factory.mktemp("sample"), weeks=12, seed=0)


@pytest.fixture(scope="module")
def stats(branch: SampleBranch) -> dict[str, Any]:
    """Flow statistics of the default sample."""
    return flow_stats(branch)


def flow_stats(branch: SampleBranch) -> dict[str, Any]:
    """Measure the customer-flow facts of DESIGN.md on a generated sample (read through read_tickets)."""
    config = load_config(branch.config)
    calendar = BranchCalendar(config)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        t = read_tickets(branch.tickets, config, calendar)
    t["date"] = t["issued_at"].dt.date
    t["cash"] = t["service"] == "个人现金"
    factors = {f.day.date: f for f in day_factors(calendar, branch.history_start, branch.history_end)}
    dates = pd.date_range(branch.history_start, branch.history_end).date
    days = pd.DataFrame(
        {
            "date": dates,
            "weekday": [d.weekday() for d in dates],
            "day_type": [calendar.day_type(d) for d in dates],
            "special": [
                d in factors and (factors[d].pension or factors[d].payroll or factors[d].factor > 1.2)
                for d in dates
            ],
            "pension": [d in factors and factors[d].pension for d in dates],
        }
    ).set_index("date")
    days["tickets"] = t.groupby("date").size().reindex(days.index, fill_value=0)
    days["cash"] = t[t["cash"]].groupby("date").size().reindex(days.index, fill_value=0)
    plain = days[(days["day_type"] == "workday") & ~days["special"]]
    weekday_mean = float(plain["tickets"].mean())
    weekend = days[days["day_type"] == "weekend"]
    workday_tickets = t[t["date"].map(days["day_type"]).isin(["workday", "makeup_workday"])]
    hourly = workday_tickets.groupby(workday_tickets["issued_at"].dt.hour).size()
    pension_ratios = {}
    for d, row in days[days["pension"]].iterrows():
        same = days[
            (days["weekday"] == row["weekday"]) & (days["day_type"] == row["day_type"]) & ~days["pension"]
        ]
        pension_ratios[d] = float(row["cash"] / same["cash"].median())
    served = t[t["status"] == "served"]
    service_minutes = (served["finished_at"] - served["started_at"]).dt.total_seconds().groupby(
        served["service"]
    ).mean() / 60
    wait = (t["called_at"] - t["issued_at"]).dt.total_seconds() / 60
    return {
        "tickets": len(t),
        "weekday_mean": weekday_mean,
        "monday_ratio": float(
            plain[plain["weekday"] == 0]["tickets"].mean() / plain[plain["weekday"] > 0]["tickets"].mean()
        ),
        "weekend_ratio": float(weekend["tickets"].mean() / weekday_mean),
        "hourly": hourly.to_dict(),
        "pension_cash_ratio": pension_ratios,
        "holiday_tickets": int(days[days["day_type"] == "holiday"]["tickets"].sum()),
        "holidays": int((days["day_type"] == "holiday").sum()),
        "makeup_2026_10_10_ratio": float(days.loc[dt.date(2026, 10, 10), "tickets"] / weekday_mean),
        "abandoned_share": float((t["status"] == "abandoned").mean()),
        "service_minutes": service_minutes.to_dict(),
        "service_share": (t["service"].value_counts(normalize=True)).to_dict(),
        "vip_share": t.groupby("service")["vip"].mean().to_dict(),
        "mean_wait_minutes": wait.groupby(t["counter"]).mean().to_dict(),
        "p90_wait_minutes": wait.groupby(t["counter"]).quantile(0.9).to_dict(),
        "abandoned_by_counter": (t["status"] == "abandoned").groupby(t["counter"]).mean().to_dict(),
        "frame": t,
    }


def test_files_written(branch: SampleBranch) -> None:
    """The sample holds tickets, staff, config, leave and README; the plan week is the Monday after the history."""
    for p in (branch.tickets, branch.staff, branch.config, branch.leave, branch.readme):
        assert p.exists() and p.stat().st_size > 0, p
    assert branch.plan_week == dt.date(2026, 11, 30)
    assert branch.history_start == dt.date(2026, 9, 7)
    assert "排队机" in branch.readme.read_text(encoding="utf-8-sig")
    assert not [p for p in branch.out_dir.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_tickets_are_a_gbk_export_with_chinese_headers(branch: SampleBranch) -> None:
    """tickets.csv is GB18030 (not UTF-8), with exactly the example's Chinese header."""
    raw = branch.tickets.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gb18030").split("\r\n", 1)[0] == ",".join(TICKET_HEADER)
    assert set(read_table(branch.tickets)["状态"]) == {"已办结", "过号", "空号"}


def test_ticket_numbers_restart_each_day_per_prefix(branch: SampleBranch) -> None:
    """A001, A002, … count up in issue order per day and prefix, restarting every morning."""
    df = read_table(branch.tickets)
    df["date"] = df["取号时间"].str[:10]
    df["prefix"] = df["票号"].str[0]
    df["n"] = df["票号"].str[1:].astype(int)
    for _, g in df.groupby(["date", "prefix"]):
        assert list(g["n"]) == list(range(1, len(g) + 1))
        assert g["取号时间"].is_monotonic_increasing


def test_staff_config_and_examples_agree(branch: SampleBranch, examples: Path) -> None:
    """staff.csv (UTF-8 with BOM) has the 14 people of the example; branch.toml means the example config."""
    assert branch.staff.read_bytes().startswith(b"\xef\xbb\xbf")
    ours, theirs = read_staff(branch.staff), read_staff(examples / "staff.csv")
    assert ours == theirs and len(ours) == 14
    a = load_config(branch.config).model_dump(exclude={"base_dir"})
    assert a == load_config(examples / "branch.toml").model_dump(exclude={"base_dir"})


def test_leave_is_in_the_plan_week(branch: SampleBranch) -> None:
    """leave.csv loads against staff.csv and every row falls in the plan week, on an open day."""
    staff = read_staff(branch.staff)
    leave = read_absences(branch.leave, staff)
    cal = BranchCalendar(load_config(branch.config))
    assert 2 <= len(leave) <= 5
    for a in leave:
        assert branch.plan_week <= a.date < branch.plan_week + dt.timedelta(days=7)
        assert cal.day(a.date).is_open
    assert branch.events is None and not (branch.out_dir / "events.csv").exists()


def test_quarter_start_week_has_quarterly_talks(tmp_path: Path) -> None:
    """A plan week in the first 15 days of a quarter gets events.csv with 季度谈话 (president + one person)."""
    b = generate_sample(tmp_path, weeks=1, end=dt.date(2026, 6, 28))
    assert b.events is not None and b.plan_week == dt.date(2026, 6, 29)
    events = read_absences(b.events, read_staff(b.staff), kind="event")
    assert {e.reason for e in events} == {"季度谈话"}
    assert all(e.date.month == 7 and e.date.day <= 15 for e in events)
    assert {e.staff_id for e in events} >= {"S01"}


def test_weekday_volume(stats: dict[str, Any]) -> None:
    """A normal weekday has 200–300 tickets (DESIGN: ~250 for a mid-size branch)."""
    assert 200 <= stats["weekday_mean"] <= 300


def test_monday_and_weekend_factors(stats: dict[str, Any]) -> None:
    """Monday is busier than Tue–Fri (×1.10); a weekend day has about half a weekday's traffic (×0.46).

    The ratio over the ~10 plain Mondays of 12 weeks has a standard error of about 0.036 (day-level noise CV
    0.08 and Poisson counts): the bounds are ×1.10 ± 3.5 of them.
    """
    assert 1.02 <= stats["monday_ratio"] <= 1.23
    assert 0.35 <= stats["weekend_ratio"] <= 0.6


def test_intraday_peaks_and_lunch_dip(stats: dict[str, Any]) -> None:
    """The busiest hour is 10–11 or 14–16, and 12:00–13:00 is below both peaks."""
    hourly = stats["hourly"]
    assert max(hourly, key=hourly.get) in (10, 14, 15)
    assert hourly[12] < hourly[10] and hourly[12] < max(hourly[14], hourly[15])
    assert hourly[12] < 0.7 * hourly[10]


def test_pension_days(stats: dict[str, Any]) -> None:
    """Every pension day has at least 1.5× the cash tickets of the same weekday's median."""
    assert len(stats["pension_cash_ratio"]) == 3  # 15 Sep, 15 Oct, 15 Nov 2026
    assert min(stats["pension_cash_ratio"].values()) >= 1.5


def test_pension_crowd_comes_in_the_morning(stats: dict[str, Any]) -> None:
    """On pension days a clearly larger share of cash tickets is issued before noon (the elderly come early)."""
    t = stats["frame"]
    cash = t[t["cash"]]
    morning = cash["issued_at"].dt.hour < 12
    pension = cash["date"].isin(list(stats["pension_cash_ratio"]))
    assert morning[pension].mean() > morning[~pension].mean() + 0.1


def test_holidays_closed_and_makeup_day_open(stats: dict[str, Any]) -> None:
    """Statutory holidays (Mid-Autumn, National Day) have no tickets; the 调休 Saturday 2026-10-10 is weekday-busy."""
    assert stats["holidays"] >= 10
    assert stats["holiday_tickets"] == 0
    assert stats["makeup_2026_10_10_ratio"] >= 0.8


def test_abandoned_share(stats: dict[str, Any]) -> None:
    """About 5% of tickets end abandoned (过号/空号)."""
    assert 0.03 <= stats["abandoned_share"] <= 0.07


def test_service_times_match_targets(stats: dict[str, Any]) -> None:
    """Mean service time per service is within ±20% of its target (cash 4, non-cash 10, wealth/corporate 15 min)."""
    for spec in SERVICES:
        assert stats["service_minutes"][spec.name] == pytest.approx(spec.service_minutes, rel=0.2), spec.name


def test_times_are_ordered(stats: dict[str, Any]) -> None:
    """Every served ticket has issued ≤ called ≤ started ≤ finished; abandoned ones have a call and no service."""
    t = stats["frame"]
    s = t[t["status"] == "served"]
    assert (s["issued_at"] <= s["called_at"]).all()
    assert (s["called_at"] <= s["started_at"]).all()
    assert (s["started_at"] < s["finished_at"]).all()
    a = t[t["status"] == "abandoned"]
    assert a["called_at"].notna().all() and a["started_at"].isna().all() and a["finished_at"].isna().all()


def test_tellers_have_the_skill(branch: SampleBranch, stats: dict[str, Any]) -> None:
    """Every ticket's window belongs to its counter type, and its teller has that counter's skill."""
    staff = read_staff(branch.staff)
    t = stats["frame"]
    assert (t["window"].map(WINDOW_COUNTER) == t["counter"]).all()
    for (teller, counter), _ in t.groupby(["teller", "counter"]):
        assert staff.by_id(teller).can(counter), (teller, counter)


def test_no_window_serves_two_customers_at_once(stats: dict[str, Any]) -> None:
    """On each window and day, a service starts only after the previous one finished."""
    t = stats["frame"]
    s = t[t["status"] == "served"].sort_values(["window", "started_at"])
    prev_end = s.groupby(["window", "date"])["finished_at"].shift()
    assert (prev_end.isna() | (prev_end <= s["called_at"])).all()


def test_same_seed_same_bytes_other_seed_other_bytes(branch: SampleBranch, tmp_path: Path) -> None:
    """Generating again with seed 0 gives byte-identical files; seed 1 gives different tickets."""
    again = generate_sample(tmp_path / "again", weeks=12, seed=0)
    for name in ("tickets.csv", "staff.csv", "branch.toml", "leave.csv", "README.txt"):
        assert (again.out_dir / name).read_bytes() == (branch.out_dir / name).read_bytes(), name
    other = generate_sample(tmp_path / "other", weeks=12, seed=1)
    assert other.tickets.read_bytes() != branch.tickets.read_bytes()


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [({"weeks": 0}, "--weeks"), ({"weeks": -3}, "--weeks"), ({"end": dt.date(2026, 11, 28)}, "--end")],
)
def test_bad_arguments(tmp_path: Path, kwargs: dict[str, Any], argument: str) -> None:
    """Zero or negative weeks and an end that is not a Sunday are InputErrors naming the argument."""
    with pytest.raises(InputError) as exc:
        generate_sample(tmp_path, **kwargs)
    assert exc.value.argument == argument
    assert not any(tmp_path.iterdir())


def test_failure_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When generation fails midway, files from an earlier run stay as they were and no temp folder remains."""
    (tmp_path / "tickets.csv").write_text("old", encoding="utf-8")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(sample_mod, "write_csv", boom)
    with pytest.raises(RuntimeError):
        generate_sample(tmp_path, weeks=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tickets.csv"]
    assert (tmp_path / "tickets.csv").read_text(encoding="utf-8") == "old"


def test_calls_follow_the_branch_window_plan(branch: SampleBranch, stats: dict[str, Any]) -> None:
    """Each number is called at a window the branch's plan opens at that moment (or keeps after closing)."""
    t = stats["frame"]
    calendar = BranchCalendar(load_config(branch.config))
    used = set()
    for f in day_factors(calendar, branch.history_start, branch.history_end):
        day = f.day
        calls = t[t["date"] == day.date]
        for counter, numbers in sample_mod.WINDOW_NUMBERS.items():
            is_open, drain = sample_mod.window_plan(counter, f.kind, day)
            c = calls[calls["counter"] == counter]
            minute = (c["called_at"] - pd.Timestamp(day.date)).dt.total_seconds().to_numpy() / 60
            slot = ((minute - day.slot_starts[0]) // day.slot_minutes).astype(int)
            index = np.array([numbers.index(int(w)) for w in c["window"]], dtype=int)
            late = slot >= is_open.shape[1]
            ok = np.where(late, drain[index], is_open[index, np.minimum(slot, is_open.shape[1] - 1)])
            assert ok.all(), (day.date, counter, c[~ok].head())
            used |= {(f.kind, int(w)) for w in c["window"]}
    assert {("pension", 4), ("busy", 4), ("normal", 3), ("weekend", 3)} <= used


def test_paydays_carried_as_the_forecasts_see_them(branch: SampleBranch) -> None:
    """The sample's pension and payroll days are the forecast features' (one carry-over over closed days)."""
    calendar = BranchCalendar(load_config(branch.config).copy_with(**{"calendar.pension_days": [1]}))
    factors = day_factors(calendar, branch.history_start, branch.history_end)
    feats = day_features(calendar, branch.history_start, branch.history_end)
    for flag in ("pension", "payroll"):
        assert {f.day.date for f in factors if getattr(f, flag)} == set(feats.loc[feats[flag], "date"])
    assert dt.date(2026, 10, 8) in {f.day.date for f in factors if f.pension}  # 1 Oct is National Day


def test_expected_counts_carry_the_design_factors(branch: SampleBranch) -> None:
    """Without noise the generator expects Monday ×1.10 a Tuesday, a pension day's cash ×2 and ~0.46 on weekends."""
    calendar = BranchCalendar(load_config(branch.config))
    e = sample_mod.expected_arrivals(calendar, branch.history_start, branch.history_end)
    per_day = e.groupby("date")["mean"].sum()
    cash = e[e["counter"] == "high_counter"].groupby("date")["mean"].sum()
    assert per_day[dt.date(2026, 11, 16)] / per_day[dt.date(2026, 11, 17)] == pytest.approx(1.10)
    assert cash[dt.date(2026, 10, 15)] / cash[dt.date(2026, 10, 22)] == pytest.approx(2.0)
    assert 0.4 <= per_day[dt.date(2026, 11, 21)] / per_day[dt.date(2026, 11, 17)] <= 0.5
    assert e["slot"].isin(calendar.day(dt.date(2026, 11, 17)).slot_starts).all()


if __name__ == "__main__":  # print the measured statistics of the default sample
    import tempfile
    import time

    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        b = generate_sample(Path(d), weeks=12, seed=0)
        print(f"generated in {time.perf_counter() - t0:.2f} s")
        for key, value in flow_stats(b).items():
            if key != "frame":
                if isinstance(value, dict):
                    value = {str(k): round(v, 3) if isinstance(v, float) else v for k, v in value.items()}
                print(f"{key}: {round(value, 3) if isinstance(value, float) else value}")
