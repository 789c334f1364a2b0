"""Forecast accuracy: the calendar-aware model against the seasonal-naive and historical-average baselines.

Rolling-origin, one-week-ahead backtests (:func:`forecasts.backtest.backtest`) on

(a) the sample branch (``scheduler.sample.generator.generate_sample``, ``--history-weeks`` weeks ending 2026-11-29,
    default 12, seed 0), its last ``--weeks`` weeks as origins (default 4), at the roster's 15-minute slots (the
    issue's target) and at 30-minute slots; plus an *oracle* row: the generator's own expected counts (what a
    perfect model could know; only the day-level noise and Poisson noise remain), and WAPE by day kind
    (normal workday, weekend, holiday-adjacent, 调休 make-up workday, pension/payroll day). With
    ``--history-weeks 52 --weeks 44`` the origins cover Spring Festival, Qingming, May Day, Dragon Boat and
    Mid-Autumn/National Day 2026 and their 调休 days;
(b) the real call-centre series in ``--external`` (default ``../shared/data/external`` or ``$PAIBAN_EXTERNAL``;
    skipped with a message when absent), each at 15- and 30-minute slots over the hours the data covers:

    - Anonymous Bank (Israel) 1999 per-call files, arrivals = ``vru_entry`` (PHANTOM calls dropped), as two
      series: January–February (Jan 11–12 missing → excluded) and October;
    - Anonymous Bank 1999 full year, 6-minute counts (1999-05-23 imputed in the source → excluded; 6-minute
      counts split evenly over the 15-minute slots they straddle);
    - US bank 2003, 5-minute counts, weekdays 07:00–21:00 (holidays closed; 04-04, 04-07, 10-14 missing →
      excluded).

    Israeli week: Sunday–Thursday 07:00–24:00 (workdays), Friday 07:00–14:00 (its own short day type),
    Saturday and the Israeli holidays closed. US week: Monday–Friday. The same model code runs on these
    generic calendars (:class:`forecasts.features.WeekCalendar`) as on the Chinese branch calendar.

Prints per series WAPE, RMSE, MAE and 80 % coverage per model, and the main model's WAPE ratio to the better
baseline. Usage: ``python -m benchmarks.bench_forecast [--external DIR] [--part sample|external|all]
[--history-weeks N] [--weeks N] [--seed N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import load_config
from forecasts.arrivals import count_arrivals
from forecasts.backtest import (
    backtest,
    backtest_slots,
    default_models,
    join_actual,
    origins,
    score_backtest_slots,
    summarize,
)
from forecasts.features import WeekCalendar, day_features
from forecasts.tickets import read_tickets
from forecasts.weekly import forecast_week

MAIN, BASELINES = "calendar_model", ("seasonal_naive", "historical_average")
ORACLE = "oracle (generator's expected counts)"
DEFAULT_EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "external"


# ---- calendars ----------------------------------------------------------------------------------------------
def israeli_calendar(slot_minutes: int) -> WeekCalendar:
    """Sun–Thu 07:00–24:00, Fri 07:00–14:00 (own day type), Sat and Israeli holidays closed; week from Sunday."""
    hours = {6: "07:00-24:00", 0: "07:00-24:00", 1: "07:00-24:00", 2: "07:00-24:00", 3: "07:00-24:00"}
    hours[4] = "07:00-14:00"
    return WeekCalendar(
        hours=hours,
        slot_minutes=slot_minutes,
        holidays=frozenset(holidays.country_holidays("IL", years=1999)),
        day_types={6: "workday", 0: "workday", 1: "workday", 2: "workday", 3: "workday", 4: "friday"},
        week_start=6,
    )


def us_calendar(slot_minutes: int) -> WeekCalendar:
    """Mon–Fri 07:00–21:00; US federal holidays closed."""
    return WeekCalendar(
        hours=dict.fromkeys(range(5), "07:00-21:00"),
        slot_minutes=slot_minutes,
        holidays=frozenset(holidays.country_holidays("US", years=2003)),
    )


# ---- series -------------------------------------------------------------------------------------------------
def calls_series(paths: list[Path], slot_minutes: int) -> tuple[WeekCalendar, pd.DataFrame]:
    """Per-call files → arrivals per slot (dates inside the range that have no calls are excluded)."""
    parts = []
    for p in paths:
        df = pd.read_csv(p, sep=r"\s+", dtype=str)
        df = df[df["outcome"] != "PHANTOM"]
        day = pd.to_datetime("19" + df["date"], format="%Y%m%d")
        parts.append(pd.DataFrame({"issued_at": day + pd.to_timedelta(df["vru_entry"]), "counter": "calls"}))
    calls = pd.concat(parts, ignore_index=True)
    cal = israeli_calendar(slot_minutes)
    seen = set(calls["issued_at"].dt.date)
    first, last = min(seen), max(seen)
    missing = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    missing = [d for d in missing if d not in seen]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # calls outside the evaluated hours (nights, Saturdays) are left out
        frame = count_arrivals(calls, cal, first, last, exclude=missing, grace_minutes=0)
    return cal, frame


def _to_slots(
    dates: np.ndarray, start_min: np.ndarray, width: int, counts: np.ndarray, slot_minutes: int
) -> pd.DataFrame:
    """Counts of intervals [start, start+width) spread evenly over the slots they overlap."""
    rows_d, rows_s, rows_y = [], [], []
    lo = start_min
    while True:
        slot = (lo // slot_minutes) * slot_minutes
        hi = np.minimum(slot + slot_minutes, start_min + width)
        frac = np.clip(hi - lo, 0, None) / width
        take = frac > 0
        rows_d.append(dates[take])
        rows_s.append(slot[take])
        rows_y.append(counts[take] * frac[take])
        lo = hi
        if not (lo < start_min + width).any():
            break
    out = pd.DataFrame(
        {"date": np.concatenate(rows_d), "slot": np.concatenate(rows_s), "y": np.concatenate(rows_y)}
    )
    return out.groupby(["date", "slot"], as_index=False)["y"].sum()


def _onto_grid(
    counts: pd.DataFrame, cal: WeekCalendar, first: dt.date, last: dt.date, exclude: list[dt.date]
) -> pd.DataFrame:
    """Slot counts (date, slot, y) placed on the calendar's grid, closed slots NaN, ``exclude`` marked."""
    empty = pd.DataFrame({"issued_at": pd.to_datetime([]), "counter": pd.Series([], dtype=str)})
    grid = count_arrivals(empty.assign(counter="calls").iloc[:0], cal, first, last, exclude=exclude)
    grid["counter"] = "calls"
    merged = grid.drop(columns=["y"]).merge(counts, on=["date", "slot"], how="left")
    usable = merged["is_open"] & ~merged["excluded"]
    merged["y"] = np.where(usable, merged["y"].fillna(0.0), np.nan)
    return merged[["date", "slot", "counter", "y", "is_open", "excluded"]]


def sixmin_series(path: Path, slot_minutes: int) -> tuple[WeekCalendar, pd.DataFrame]:
    """The full-year 6-minute counts on the Israeli calendar (1999-05-23 excluded)."""
    df = pd.read_csv(path)
    dates = np.array([dt.date.fromisoformat(d) for d in df["date"]], dtype=object)
    counts = _to_slots(
        dates, (df["slot_6min"].to_numpy() - 1) * 6, 6, df["calls"].to_numpy(float), slot_minutes
    )
    cal = israeli_calendar(slot_minutes)
    return cal, _onto_grid(counts, cal, min(dates), max(dates), [dt.date(1999, 5, 23)])


def us_series(path: Path, slot_minutes: int) -> tuple[WeekCalendar, pd.DataFrame]:
    """The US bank 5-minute counts on Mon–Fri 07:00–21:00 (missing non-holiday weekdays excluded)."""
    df = pd.read_csv(path)
    stamp = pd.to_datetime(df["DateTime"].str.rstrip("Z"))
    dates = np.array(stamp.dt.date, dtype=object)
    minutes = (stamp.dt.hour * 60 + stamp.dt.minute).to_numpy()
    counts = _to_slots(dates, minutes, 5, df["Calls"].to_numpy(float), slot_minutes)
    cal = us_calendar(slot_minutes)
    first, last = min(dates), max(dates)
    seen = set(dates)
    missing = [
        first + dt.timedelta(days=k)
        for k in range((last - first).days + 1)
        if (first + dt.timedelta(days=k)).weekday() < 5
        and first + dt.timedelta(days=k) not in seen
        and first + dt.timedelta(days=k) not in cal.holidays
    ]
    return cal, _onto_grid(counts, cal, first, last, missing)


def sample_history(folder: Path, slot_minutes: int) -> tuple[BranchCalendar, pd.DataFrame]:
    """The sample branch in ``folder`` (tickets.csv, branch.toml) as arrivals per slot of ``slot_minutes``."""
    config = load_config(folder / "branch.toml").copy_with(**{"grid.slot_minutes": slot_minutes})
    cal = BranchCalendar(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tickets = read_tickets(folder / "tickets.csv", config, cal)
        return cal, count_arrivals(tickets, cal)


def sample_oracle(cal: BranchCalendar, history: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Held-out slots (:data:`forecasts.backtest.SLOT_COLUMNS`) of the generator's own expected counts.

    Day-level noise excluded: the floor no forecast of the mean can go below (on average).
    """
    from scheduler.sample.generator import expected_arrivals

    mu = expected_arrivals(cal, min(history["date"]), max(history["date"]))
    mu["q10"] = mu["q90"] = np.nan
    out = []
    for origin in origins(history, cal, weeks):
        test = history[(history["date"] >= origin) & (history["date"] < origin + dt.timedelta(days=7))]
        both = join_actual(mu, test)
        both.insert(0, "origin", origin)
        both.insert(0, "model", ORACLE)
        out.append(both)
    return pd.concat(out, ignore_index=True)


# ---- day kinds ----------------------------------------------------------------------------------------------
DAY_KINDS: tuple[str, ...] = (
    "normal workday",
    "weekend",
    "holiday-adjacent",
    "调休 makeup workday",
    "pension/payroll day",
)


def day_kinds(cal: BranchCalendar, first: dt.date, last: dt.date) -> pd.DataFrame:
    """``date, kind`` for [first, last]: one of :data:`DAY_KINDS`, the first that applies in the order

    调休 make-up workday › holiday-adjacent (1–2 days before or after a statutory holiday) › pension/payroll
    day › weekend › normal workday.
    """
    f = day_features(cal, first, last)
    adjacent = f[["holiday_before_1", "holiday_before_2", "holiday_after_1", "holiday_after_2"]].any(axis=1)
    kind = np.select(
        [f["makeup"], adjacent, f["pension"] | f["payroll"], f["day_type"] == "weekend"],
        ["调休 makeup workday", "holiday-adjacent", "pension/payroll day", "weekend"],
        default="normal workday",
    )
    return pd.DataFrame({"date": f["date"], "kind": kind})


def report_kinds(slots: pd.DataFrame, cal: BranchCalendar) -> None:
    """WAPE per model by day kind (pooled over counters and origins), with the held-out days and volume."""
    kinds = day_kinds(cal, min(slots["date"]), max(slots["date"]))
    both = slots.merge(kinds, on="date", how="left")
    both["abs"] = (both["y"] - both["mean"]).abs()
    models = [m for m in (ORACLE, MAIN, *reversed(BASELINES)) if m in set(both["model"])]
    main = both[both["model"] == MAIN]
    total = main["y"].sum()
    print("\nWAPE by day kind (days = held-out open days; volume = share of held-out arrivals):\n")
    names = {ORACLE: "oracle", MAIN: "cal", "historical_average": "HA", "seasonal_naive": "SN"}
    print(
        "| day kind | days | volume | "
        + " | ".join(f"WAPE {names.get(m, m)}" for m in models)
        + " | cal / better baseline | coverage80 cal |"
    )
    print("|---|---:|---:|" + "---:|" * len(models) + "---:|---:|")
    for kind in (*DAY_KINDS, "all"):
        sel = both if kind == "all" else both[both["kind"] == kind]
        if sel.empty:
            continue
        per = sel.groupby("model")[["abs", "y"]].sum()
        wape = per["abs"] / per["y"]
        m = sel[sel["model"] == MAIN]
        cov = float(((m["y"] >= m["q10"]) & (m["y"] <= m["q90"])).mean())
        ratio = wape[MAIN] / min(wape[b] for b in BASELINES if b in wape.index)
        print(
            f"| {kind} | {m['date'].nunique()} | {m['y'].sum() / total:.3f} | "
            + " | ".join(f"{wape[x]:.4f}" for x in models)
            + f" | {ratio:.3f} | {cov:.3f} |"
        )


# ---- reporting ----------------------------------------------------------------------------------------------
def report(title: str, results: pd.DataFrame, seconds: float) -> dict[str, float]:
    """Print one series' summary table; return the main model's WAPE ratio to the better baseline."""
    summary = summarize(results)
    print(f"\n### {title}\n")
    print(
        f"origins: {summary['origins'].max()}, held-out slots per model: {summary['slots'].max()}, "
        f"backtest wall time {seconds:.1f} s\n"
    )
    print("| model | WAPE | RMSE | MAE | coverage80 |")
    print("|---|---:|---:|---:|---:|")
    for r in summary.itertuples():
        cov = "–" if str(r.model).startswith("oracle") else f"{r.coverage80:.3f}"
        print(f"| {r.model} | {r.wape:.4f} | {r.rmse:.3f} | {r.mae:.3f} | {cov} |")
    by = summary.set_index("model")
    best = min(BASELINES, key=lambda m: by.loc[m, "wape"])
    ratio = by.loc[MAIN, "wape"] / by.loc[best, "wape"]
    rmse_ratio = by.loc[MAIN, "rmse"] / min(by.loc[m, "rmse"] for m in BASELINES)
    print(
        f"\n{MAIN} WAPE / better baseline ({best}) = {ratio:.3f} ({(1 - ratio) * 100:+.1f} % lower); "
        f"RMSE / best baseline RMSE = {rmse_ratio:.3f}"
    )
    oracle = [m for m in by.index if str(m).startswith("oracle")]
    if oracle:
        floor = by.loc[oracle[0], "wape"] / by.loc[best, "wape"]
        print(
            f"oracle WAPE / better baseline = {floor:.3f} ({(1 - floor) * 100:+.1f} % lower): the most any "
            "forecast of the mean can gain here"
        )
    return {"wape_ratio": ratio, "rmse_ratio": rmse_ratio, "coverage80": by.loc[MAIN, "coverage80"]}


def time_week(cal: BranchCalendar, history: pd.DataFrame, monday: dt.date, repeat: int = 3) -> None:
    """Print fit + predict seconds of each model for the plan week (best of ``repeat``), via forecast_week."""
    print(f"\n### Fit and predict the plan week {monday} (forecast_week, best of {repeat})\n")
    print("| model | seconds | ratio to seasonal_naive |")
    print("|---|---:|---:|")
    times = {}
    for name, model in default_models().items():
        best = np.inf
        for _ in range(repeat):
            t0 = time.perf_counter()
            forecast_week(history, cal, monday, model=type(model)(**model.get_params()))
            best = min(best, time.perf_counter() - t0)
        times[name] = best
    for name, sec in times.items():
        print(f"| {name} | {sec:.3f} | {sec / times['seasonal_naive']:.1f} |")


def run_sample(weeks: int, seed: int = 0, history_weeks: int = 12, kinds: bool = True) -> None:
    """Part (a): ``history_weeks`` weeks of sample history, its last ``weeks`` weeks as origins."""
    from scheduler.sample.generator import generate_sample

    print(f"\n## (a) Sample branch (generate_sample, {history_weeks} weeks, seed {seed})")
    with tempfile.TemporaryDirectory(prefix="paiban-bench-") as tmp:
        branch = generate_sample(Path(tmp), weeks=history_weeks, seed=seed)
        cal, history = sample_history(branch.out_dir, 15)
        time_week(cal, history, branch.plan_week)
        for slot in (15, 30):
            cal, history = sample_history(branch.out_dir, slot)
            t0 = time.perf_counter()
            slots = backtest_slots(history, cal, weeks=weeks)
            seconds = time.perf_counter() - t0
            slots = pd.concat([slots, sample_oracle(cal, history, weeks)], ignore_index=True)
            res = score_backtest_slots(slots)
            res.loc[res["model"] == ORACLE, "coverage80"] = np.nan
            first = min(slots["origin"])
            report(
                f"sample branch, {slot}-minute slots, {history_weeks} weeks to {branch.history_end}, "
                f"{res['origin'].nunique()} origins from {first}",
                res,
                seconds,
            )
            if kinds:
                report_kinds(slots, cal)


def run_external(root: Path, min_train_days: int) -> list[tuple[str, dict[str, float]]]:
    """Part (b); returns (series, ratios) rows."""
    print(f"\n## (b) Real call-centre series from {root}")
    calls = root / "anonymous_bank_1999_calls"
    series = [
        (
            "Anonymous Bank 1999 Jan–Feb per-call",
            lambda s: calls_series([calls / "january_1999.txt", calls / "february_1999.txt"], s),
        ),
        ("Anonymous Bank 1999 Oct per-call", lambda s: calls_series([calls / "october_1999.txt"], s)),
        (
            "Anonymous Bank 1999 full year 6-min",
            lambda s: sixmin_series(root / "anonymous_bank_1999_6min" / "callcenter_1999_6min.csv", s),
        ),
        ("US bank 2003 5-min", lambda s: us_series(root / "us_bank_calls_2003" / "bank_calls.csv", s)),
    ]
    out = []
    for name, load in series:
        for slot in (15, 30):
            cal, history = load(slot)
            t0 = time.perf_counter()
            res = backtest(history, cal, weeks=1000, min_train_days=min_train_days)
            seconds = time.perf_counter() - t0
            out.append((f"{name}, {slot} min", report(f"{name}, {slot}-minute slots", res, seconds)))
    print("\n### Summary: main model vs the better baseline\n")
    print("| series | WAPE ratio | RMSE ratio | coverage80 |")
    print("|---|---:|---:|---:|")
    for name, r in out:
        print(f"| {name} | {r['wape_ratio']:.3f} | {r['rmse_ratio']:.3f} | {r['coverage80']:.3f} |")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark parts asked for."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--external", type=Path, default=Path(os.environ.get("PAIBAN_EXTERNAL", DEFAULT_EXTERNAL))
    )
    ap.add_argument("--part", choices=("sample", "external", "all"), default="all")
    ap.add_argument("--weeks", type=int, default=4, help="origins on the sample branch (last N weeks)")
    ap.add_argument(
        "--history-weeks", type=int, default=12, help="weeks of sample history (ending 2026-11-29)"
    )
    ap.add_argument("--seed", type=int, default=0, help="seed of the sample branch")
    ap.add_argument("--min-train-days", type=int, default=14, help="real series: history before an origin")
    args = ap.parse_args(argv)
    if args.part in ("sample", "all"):
        run_sample(args.weeks, args.seed, args.history_weeks)
    if args.part in ("external", "all"):
        if not args.external.exists():
            print(
                f"\n(b) skipped: external data not found at {args.external} "
                "(pass --external DIR or set PAIBAN_EXTERNAL)"
            )
        else:
            run_external(args.external, args.min_train_days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
