"""Reading queue-machine tickets: ``read_tickets`` against plain ``pandas.read_csv`` of the same file.

Generates a seeded synthetic export (GBK, Chinese headers, a realistic mix of datetime formats, ~5% abandoned
tickets, ticket ids that restart every day) in a temporary folder, then times, best of ``--repeat`` runs:

* ``pandas.read_csv`` (baseline): decode GBK and split the columns, no validation;
* ``constraints.io.read_table``: encoding detection (BOM → UTF-8 → GB18030) and every cell as a string;
* ``forecasts.tickets.read_tickets``: the above plus header detection, vectorized datetime parsing, status,
  counter and VIP mapping, the impossible-row checks and duplicate detection.

Usage: ``python -m benchmarks.bench_read_tickets [--rows N] [--repeat R] [--seed S]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from constraints.io import read_table
from forecasts.tickets import read_tickets

SERVICES = (("个人现金", "A", 4.0), ("个人非现金", "B", 10.0), ("理财", "D", 15.0), ("对公业务", "C", 15.0))
FORMATS = (("iso", 0.85), ("slash", 0.08), ("chinese", 0.05), ("t", 0.02))


def _fmt(ts: pd.Series, kind: np.ndarray) -> pd.Series:
    """Datetimes as text, each row in its own format; NaT → empty."""
    out = pd.Series("", index=ts.index, dtype=object)
    ok = ts.notna().to_numpy()
    for name, _ in FORMATS:
        m = ok & (kind == name)
        t = ts[m]
        if name == "iso":
            out[m] = t.dt.strftime("%Y-%m-%d %H:%M:%S")
        elif name == "t":
            out[m] = t.dt.strftime("%Y-%m-%dT%H:%M:%S")
        else:
            y, mo, d = t.dt.year.astype(str), t.dt.month.astype(str), t.dt.day.astype(str)
            clock = t.dt.hour.astype(str) + ":" + t.dt.strftime("%M:%S")
            date = y + "/" + mo + "/" + d if name == "slash" else y + "年" + mo + "月" + d + "日"
            out[m] = date + " " + clock
    return out


def make_tickets(rows: int, seed: int = 0, per_day: int = 600, start: str = "2021-01-04") -> pd.DataFrame:
    """A synthetic queue export with Chinese headers (all cells text), ``rows`` tickets, ``per_day`` a day from
    ``start``."""
    rng = np.random.default_rng(seed)
    n_days = -(-rows // per_day)
    day = np.repeat(pd.date_range(start, periods=n_days, freq="D").to_numpy(), per_day)[:rows]
    issued = pd.Series(day + (9 * 3600 + rng.integers(0, 8 * 3600, rows)) * np.timedelta64(1, "s"))
    order = np.lexsort((issued.to_numpy(),))
    issued = issued.iloc[order].reset_index(drop=True)
    svc = rng.choice(len(SERVICES), rows, p=[0.45, 0.3, 0.1, 0.15])
    mean = np.array([s[2] for s in SERVICES])[svc] * 60
    sec = np.timedelta64(1, "s")
    called = issued + np.round(rng.exponential(480, rows)) * sec
    started = called + rng.integers(5, 60, rows) * sec
    duration = np.round(rng.lognormal(np.log(mean) - 0.18, 0.6)).astype(int)
    finished = started + duration * sec
    u = rng.random(rows)
    status = np.select([u < 0.03, u < 0.05, u < 0.06, u < 0.065], ["过号", "弃号", "退办", "挂起"], "已办结")
    abandoned = np.isin(status, ["过号", "弃号"])
    called = called.mask(status == "弃号")
    started, finished = started.mask(abandoned), finished.mask(abandoned)
    prefix = np.array([s[1] for s in SERVICES])[svc]
    seq = pd.DataFrame({"d": issued.dt.normalize(), "p": prefix}).groupby(["d", "p"]).cumcount() + 1
    kind = rng.choice([f[0] for f in FORMATS], rows, p=[f[1] for f in FORMATS])
    return pd.DataFrame(
        {
            "票号": pd.Series(prefix) + seq.map("{:03d}".format),
            "业务类型": np.array([s[0] for s in SERVICES])[svc],
            "取号时间": _fmt(issued, kind),
            "叫号时间": _fmt(called, kind),
            "开始时间": _fmt(started, kind),
            "办结时间": _fmt(finished, kind),
            "办理时长(秒)": np.where(abandoned, "", duration.astype(str)),
            "窗口": rng.integers(1, 8, rows).astype(str),
            "柜员号": np.char.add("S", np.char.zfill(rng.integers(2, 14, rows).astype(str), 2)),
            "状态": status,
            "客户等级": rng.choice(["普通", "0", "VIP", "金卡", ""], rows, p=[0.5, 0.3, 0.08, 0.07, 0.05]),
        }
    )


def _best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of ``repeat`` runs (CPU time is steadier on a shared machine)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def main(argv: list[str] | None = None) -> None:
    """Generate, time and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tickets.csv"
        t0 = time.perf_counter()
        make_tickets(args.rows, args.seed).to_csv(path, index=False, encoding="gbk")
        print(f"generated {args.rows:,} tickets ({path.stat().st_size / 1e6:.0f} MB, GBK) "
              f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip

        def tickets() -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = read_tickets(path)
            assert len(df) == args.rows, len(df)

        steps: list[tuple[str, Callable[[], object]]] = [
            ("pandas.read_csv (baseline)", lambda: pd.read_csv(path, encoding="gb18030")),
            ("constraints.io.read_table", lambda: read_table(path)),
            ("forecasts.tickets.read_tickets", tickets),
        ]
        results = [(name, _best(fn, args.repeat)) for name, fn in steps]
    base = results[0][1][0]
    print(f"\n{'step':<32} {'rows':>10} {'seconds':>8} {'tickets/s':>12} {'ratio':>6} {'cpu s':>6}")
    for name, (sec, cpu) in results:
        print(
            f"{name:<32} {args.rows:>10,} {sec:>8.2f} {args.rows / sec:>12,.0f} {sec / base:>6.2f} {cpu:>6.2f}"
        )
    print(f"\nbest of {args.repeat}; ratio = seconds / baseline seconds; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")  # fmt: skip


if __name__ == "__main__":
    main()
