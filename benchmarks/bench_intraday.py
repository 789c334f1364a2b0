"""Intraday advice (``paiban now``) replayed: waiting with the roster alone against with the advice followed.

Each day is replayed minute by minute (:func:`scheduler.app.intraday_replay.replay_day`): the day's tickets are
the customers (real issue times and service durations, patience drawn with a fixed seed, the same for both
runs), served by the simulator through the roster's windows; every ``--every`` minutes the export as it would
read at that moment goes to the advice, whose moves starting before the next look are followed. Reported per
day: customers, mean and P90 wait (minutes, abandoned customers until they left) with the roster alone and with
the advice, and the moves made (a move continued right after counts once).

(a) **Sample branch surprise days**: the sample's plan week (12 weeks of history, seed 0) planned by the
    pipeline, then for Monday–Friday the sample's own day and the same day +30 % from 10:00
    (:func:`scheduler.sample.surprise.surprise_tickets`). Two rosters: the plan as configured (window value
    ``rules.demand.open_window_cny_per_hour`` = 10 CNY/h, most windows open) and a lean plan (60 CNY/h: the back
    office worth what a staff-hour costs, windows open only where they save an hour of waiting an hour).
(b) **Held-out real days** (when ``--external`` is present, else skipped with a message): the Anonymous Bank
    call centre (Israel, 1999; Technion SEE, Brown et al. 2005 — see the folder's SOURCE.md) as the branch's
    cash counter. Calls that reached the agents between 09:00 and 17:00 of Sunday–Thursday are thinned at
    random to the sample's cash volume (≈180 a day) and laid, in order, on the branch's Monday–Friday; their
    real service times are the service, a hang-up is an abandoned ticket. The last real week of each source is
    held out, the weeks before it are its history (the forecast, service times, the day level's uncertainty);
    the other counters keep the sample's tickets. Each held-out week is planned by the pipeline and replayed.

With ``--sweep 30 60 120 …`` part (a) also replays the lean roster's surprise days at each price of a move
(``MOVE_CNY``): the trade-off between waiting and moves that the default sets.

Usage: ``python -m benchmarks.bench_intraday [--part sample|external|all] [--time-limit S] [--every M]
[--sweep P …] [--external DIR]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from forecasts.tickets import read_tickets
from scheduler.app.intraday import MOVE_CNY
from scheduler.app.intraday_files import history_forecast, today_of
from scheduler.app.intraday_replay import replay_day
from scheduler.app.pipeline import Branch, WeekPlan, load_branch, plan_week
from scheduler.sample.generator import generate_sample
from scheduler.sample.surprise import surprise_tickets
from scheduler.solver.result import SolveParams

DEFAULT_EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "external"
SETTINGS = {"as configured": None, "lean (60 CNY/h)": 60.0}
CASH_PER_DAY = 180.0  # the sample's weekday cash tickets (245 × 0.74)
SOURCES = {"Anonymous Bank Jan–Feb 1999": ("january_1999.txt", "february_1999.txt"), "Anonymous Bank Oct 1999": ("october_1999.txt",)}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class DayResult:
    """One replayed day."""

    date: dt.date
    kind: str
    customers: int
    waits_roster: np.ndarray
    waits_advice: np.ndarray
    moves: int


def plan(branch: Branch, monday: dt.date, window_cny: float | None, seconds: float) -> WeekPlan:
    """The week planned by the pipeline (no simulation), with the window value changed when given."""
    if window_cny is not None:
        branch = branch.replace(
            config=branch.config.copy_with(**{"rules.demand.open_window_cny_per_hour": window_cny})
        )
    params = SolveParams.from_config(branch.config, time_limit_seconds=seconds)
    return plan_week(branch, monday, params, replications=0)


def replay_week(
    branch: Branch,
    week: WeekPlan,
    days: dict[dt.date, dict[str, pd.DataFrame]],
    every: int,
    move_cny: float = MOVE_CNY,
) -> list[DayResult]:
    """Replay each day's variants through the advice, the forecast fitted on the history before the week."""
    roster, monday, cal = week.roster, week.monday, branch.calendar
    if roster is None:
        raise RuntimeError(f"no roster for the week of {monday}: {week.result.status}")
    fc, profiles, alphas, seen = history_forecast(branch.tickets, branch.config, cal, monday)
    out = []
    for date, variants in days.items():
        today = today_of(
            branch.config, branch.staff, branch.absences, roster, date, fc, profiles, alphas, seen
        )
        for kind, tickets in variants.items():
            r = replay_day(today, tickets, every=every, move_cny=move_cny)
            s = r.summary()
            out.append(
                DayResult(date, kind, int(s["customers"]), r.waits_roster, r.waits_advice, int(s["moves"]))
            )
    return out


def print_days(title: str, rows: list[DayResult]) -> None:
    """One row per day and kind, then per kind the pooled figures."""
    print(f"\n### {title}\n")
    print("| date | day | customers | mean roster | mean advice | change | P90 roster | P90 advice | moves |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        a, b = _fin(r.waits_roster), _fin(r.waits_advice)
        print(
            f"| {r.date} | {r.kind} | {r.customers} | {a.mean():.2f} | {b.mean():.2f} | "
            f"{_change(a.mean(), b.mean())} | {np.quantile(a, 0.9):.1f} | {np.quantile(b, 0.9):.1f} | {r.moves} |"
        )
    for kind in dict.fromkeys(r.kind for r in rows):
        part = [r for r in rows if r.kind == kind]
        a = np.concatenate([_fin(r.waits_roster) for r in part])
        b = np.concatenate([_fin(r.waits_advice) for r in part])
        moves = np.mean([r.moves for r in part])
        print(
            f"| **all {len(part)} days** | **{kind}** | {len(a)} | {a.mean():.2f} | {b.mean():.2f} | "
            f"**{_change(a.mean(), b.mean())}** | {np.quantile(a, 0.9):.1f} | {np.quantile(b, 0.9):.1f} | "
            f"{moves:.1f}/day |"
        )


def _fin(w: np.ndarray) -> np.ndarray:
    return w[np.isfinite(w)]


def _change(before: float, after: float) -> str:
    return f"{(after - before) / before:+.0%}" if before > 0 else "—"


# ---- (a) sample surprise days ----------------------------------------------------------------------------


def run_sample(seconds: float, every: int, sweep: list[float]) -> None:
    """Part (a); with ``sweep``, the lean roster's surprise days again at each price of a move."""
    with tempfile.TemporaryDirectory(prefix="paiban-bench-") as tmp:
        sample = generate_sample(Path(tmp) / "sample", weeks=12, seed=0)
        branch = load_branch(sample.tickets, sample.staff, sample.config, sample.leave, sample.events)
        cal = branch.calendar
        weekdays = [d.date for d in cal.week(sample.plan_week) if d.is_open and d.day_type != "weekend"]
        days = {}
        for k, date in enumerate(weekdays):
            days[date] = {
                kind: _read(
                    surprise_tickets(branch.config, cal, date, seed=k, surge=surge), Path(tmp), branch
                )
                for kind, surge in (("normal", 0.0), ("+30 % from 10:00", 0.3))
            }
        for name, window_cny in SETTINGS.items():
            t0 = time.perf_counter()
            week = plan(branch, sample.plan_week, window_cny, seconds)
            rows = replay_week(branch, week, days, every)
            print_days(
                f"(a) sample branch {sample.plan_week}, roster {name} ({week.result.status}, "
                f"{time.perf_counter() - t0:.0f} s with the replays)",
                rows,
            )
        if sweep:
            surprise = {d: {k: v for k, v in kinds.items() if k != "normal"} for d, kinds in days.items()}
            print_sweep(branch, week, surprise, every, sweep)


def print_sweep(
    branch: Branch,
    week: WeekPlan,
    days: dict[dt.date, dict[str, pd.DataFrame]],
    every: int,
    prices: list[float],
) -> None:
    """Waiting and moves on the days at each price of a move (MOVE_CNY): the trade-off it sets."""
    print("\n### The price of a move (MOVE_CNY) on the lean roster's surprise days\n")
    print("| MOVE_CNY | mean roster | mean advice | change | P90 roster | P90 advice | moves/day |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for price in prices:
        rows = replay_week(branch, week, days, every, move_cny=price)
        a = np.concatenate([_fin(r.waits_roster) for r in rows])
        b = np.concatenate([_fin(r.waits_advice) for r in rows])
        print(
            f"| {price:g} | {a.mean():.2f} | {b.mean():.2f} | {_change(a.mean(), b.mean())} | "
            f"{np.quantile(a, 0.9):.1f} | {np.quantile(b, 0.9):.1f} | {np.mean([r.moves for r in rows]):.1f} |"
        )


def _read(export: pd.DataFrame, folder: Path, branch: Branch) -> pd.DataFrame:
    """A generated export through the ticket reader (as ``paiban now`` reads one)."""
    path = folder / "day.csv"
    export.to_csv(path, index=False)
    return read_tickets(path, branch.config, branch.calendar)


# ---- (b) held-out real days ------------------------------------------------------------------------------


def real_days(files: list[Path], seed: int) -> list[pd.DataFrame]:
    """Per Sunday–Thursday with calls, the calls that reached the agents 09:00–17:00, thinned to the sample's
    cash volume: issue minute, served, wait and service minutes."""
    parts = [pd.read_csv(p, sep=r"\s+", dtype=str) for p in files]
    df = pd.concat(parts, ignore_index=True)
    df = df[df["outcome"] != "PHANTOM"]

    def seconds(col: str) -> np.ndarray:
        hms = df[col].str.split(":", expand=True).astype(int)
        return (hms[0] * 3600 + hms[1] * 60 + hms[2]).to_numpy(float)

    q_time = df["q_time"].astype(float).to_numpy()
    served = (df["outcome"] == "AGENT").to_numpy()
    arrival = np.where(q_time > 0, seconds("q_start"), np.where(served, seconds("ser_start"), np.nan)) / 60.0
    calls = pd.DataFrame(
        {
            "date": pd.to_datetime("19" + df["date"], format="%Y%m%d").dt.date,
            "minute": arrival,
            "served": served,
            "wait": q_time / 60.0,
            "service": df["ser_time"].astype(float).to_numpy() / 60.0,
        }
    )
    calls = calls[(calls["minute"] >= 9 * 60) & (calls["minute"] < 17 * 60) & ((q_time > 0) | served)]
    calls = calls[~(calls["served"] & (calls["service"] <= 0))]
    sun_thu = [d for d in sorted(calls["date"].unique()) if d.weekday() in (6, 0, 1, 2, 3)]
    counts = calls.groupby("date").size()
    keep = [d for d in sun_thu if counts.get(d, 0) >= 0.5 * counts.loc[sun_thu].median()]
    share = CASH_PER_DAY / counts.loc[keep].mean()
    rng = np.random.default_rng(seed)
    kept = calls[calls["date"].isin(keep)].sort_values(["date", "minute"], kind="stable")
    return [g[rng.random(len(g)) < share] for _, g in kept.groupby("date", sort=True)]


def as_tickets(day: pd.DataFrame, date: dt.date) -> pd.DataFrame:
    """Real calls of one day as the branch's cash tickets on ``date`` (read_tickets columns)."""
    d0 = pd.Timestamp(date)

    def at(minutes: np.ndarray) -> pd.DatetimeIndex:
        return d0 + pd.to_timedelta(np.round(minutes * 60), unit="s")

    minute = day["minute"].to_numpy()
    issued = at(minute)
    waited = at(minute + day["wait"].to_numpy())
    served = day["served"].to_numpy()
    finished = at(minute + day["wait"].to_numpy() + day["service"].to_numpy())
    return pd.DataFrame(
        {
            "ticket_id": [f"R{i:04d}" for i in range(len(day))],
            "service": "个人现金",
            "counter": "high_counter",
            "issued_at": issued,
            "called_at": waited,
            "started_at": pd.Series(waited).where(served),
            "finished_at": pd.Series(finished).where(served),
            "window": "",
            "teller": "",
            "status": np.where(served, "served", "abandoned"),
            "vip": False,
        }
    )


def run_external(root: Path, seconds: float, every: int) -> None:
    """Part (b)."""
    folder = root / "anonymous_bank_1999_calls"
    if not folder.exists():
        print(f"\n(b) skipped: {folder} not found (pass --external DIR or set PAIBAN_EXTERNAL)")
        return
    with tempfile.TemporaryDirectory(prefix="paiban-bench-") as tmp:
        sample = generate_sample(Path(tmp) / "sample", weeks=12, seed=0)
        base = load_branch(sample.tickets, sample.staff, sample.config, sample.leave, sample.events)
        cal = base.calendar
        for name, files in SOURCES.items():
            real = real_days([folder / f for f in files], seed=1)
            slots = branch_weekdays(cal, sample.plan_week, len(real))
            mapped = {date: as_tickets(day, date) for date, day in zip(slots, real, strict=True)}
            week = slots[-5:]
            tickets = _with_real_cash(base, cal, mapped, sample.plan_week)
            branch = base.replace(tickets=tickets)
            for label, window_cny in SETTINGS.items():
                t0 = time.perf_counter()
                wk = plan(branch, sample.plan_week, window_cny, seconds)
                days = {d: {"real": tickets[tickets["issued_at"].dt.date == d]} for d in week}
                rows = replay_week(branch, wk, days, every)
                print_days(
                    f"(b) {name}: held-out week as {week[0]}–{week[-1]}, history {len(real) - 5} real days, "
                    f"roster {label} ({wk.result.status}, {time.perf_counter() - t0:.0f} s)",
                    rows,
                )


def branch_weekdays(cal: BranchCalendar, plan_week: dt.date, n: int) -> list[dt.date]:
    """The last ``n`` open Monday–Friday workdays up to the plan week's Friday, oldest first."""
    out: list[dt.date] = []
    d = plan_week + dt.timedelta(days=4)
    while len(out) < n:
        day = cal.day(d)
        if day.is_open and day.day_type == "workday" and d.weekday() < 5:
            out.append(d)
        d -= dt.timedelta(days=1)
    return out[::-1]


def _with_real_cash(
    branch: Branch, cal: BranchCalendar, mapped: dict[dt.date, pd.DataFrame], plan_week: dt.date
) -> pd.DataFrame:
    """The sample's tickets with its weekday cash tickets replaced by the real ones (and the held-out week's
    other counters generated as the sample's)."""
    t = branch.tickets
    day = t["issued_at"].dt.date
    weekday_cash = (t["counter"] == "high_counter") & t["issued_at"].dt.weekday.lt(5)
    first = min(mapped)
    keep = t[~(weekday_cash & (day >= first))]
    extra = []
    for k, d in enumerate(sorted(x for x in mapped if x >= plan_week)):
        gen = _read_frame(surprise_tickets(branch.config, cal, d, seed=100 + k, surge=0.0), branch)
        extra.append(gen[gen["counter"] != "high_counter"])
    out = pd.concat([keep, *mapped.values(), *extra], ignore_index=True)
    return out.sort_values("issued_at", kind="stable", ignore_index=True)


def _read_frame(export: pd.DataFrame, branch: Branch) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        return _read(export, Path(tmp), branch)


def main(argv: list[str] | None = None) -> int:
    """Run the parts asked for."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=("sample", "external", "all"), default="all")
    ap.add_argument("--time-limit", type=float, default=20.0, help="solver seconds per planned week")
    ap.add_argument("--every", type=int, default=5, help="minutes between two looks at the queue")
    ap.add_argument(
        "--sweep", type=float, nargs="*", default=[], help="(a): prices of a move to try on the lean roster"
    )
    ap.add_argument(
        "--external", type=Path, default=Path(os.environ.get("PAIBAN_EXTERNAL", DEFAULT_EXTERNAL))
    )
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")  # the generated exports' odd rows are counted, not news here
    if args.part in ("sample", "all"):
        run_sample(args.time_limit, args.every, args.sweep)
    if args.part in ("external", "all"):
        if not args.external.exists():
            print(
                f"\n(b) skipped: external data not found at {args.external} (set --external or PAIBAN_EXTERNAL)"
            )
        else:
            run_external(args.external, args.time_limit, args.every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
