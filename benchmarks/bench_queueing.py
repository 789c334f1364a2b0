"""Queueing models against the real Anonymous Bank (Israel, 1999) call centre, half-hour by half-hour.

Data: the per-call files in ``--external`` (default ``../shared/data/external`` or ``$PAIBAN_EXTERNAL``;
skipped with a message when absent), read with ``sep=r"\\s+"``; PHANTOM calls ignored. Per half-hour of each
date (by the moment the caller reached the agent queue: ``q_start``, or the start of service for callers
served without queueing):

* arrivals = calls that queued (``q_time > 0``) or were served (``outcome == AGENT``); callers who hung up in
  the IVR never reached the agents and are left out;
* service = mean ``ser_time`` of those served (the month's mean where a half-hour served nobody);
* agents = distinct named servers (not NO_SERVER) whose service overlaps the half-hour;
* observed mean wait = mean ``q_time`` over the arrivals (0 for the unqueued, time to hang up for the
  abandoned) and observed abandonment = share of arrivals that hung up in the queue.

Patience is estimated per month from the same data with censoring (:func:`forecasts.service.patience_mle`,
exponential MLE: a hang-up after q_time is an exact abandonment, a served caller's q_time is right-censored;
no prior). Predictions per half-hour, from its arrivals, service mean and agents:

* Erlang C (M/M/c): mean wait (infinite when the half-hour is overloaded, λ ≥ cμ; those are counted and left
  out of its errors); abandonment 0 by construction;
* Erlang A (M/M/c+M), stationary per half-hour (PSA);
* Erlang A with carry-over: the transient chain of :mod:`forecasts.staffing` run through each day, the queue
  left by one half-hour passed to the next (the model used to staff the branch).

Also prints a small time-varying check: a capped peak followed by a trough, transient vs PSA vs simulation.
Usage: ``python -m benchmarks.bench_queueing [--external DIR] [--months february ...]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecasts.queueing import erlang_a, erlang_c
from forecasts.service import patience_mle
from forecasts.transient import propagate, slot_metrics

DEFAULT_EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "external"
FOLDER = "anonymous_bank_1999_calls"
MONTHS = ("january", "february", "october")
HALF_HOUR = 30.0


def _seconds(text: pd.Series) -> np.ndarray:
    parts = text.astype(str).str.split(":", expand=True).astype(int)
    return (parts[0] * 3600 + parts[1] * 60 + parts[2]).to_numpy(float)


def load_month(path: Path) -> pd.DataFrame:
    """One row per call that reached the agents: date, arrival (s after midnight), wait, served, service, server."""
    df = pd.read_csv(path, sep=r"\s+", dtype=str)
    df = df[df["outcome"] != "PHANTOM"]
    q_time = df["q_time"].astype(float).to_numpy()
    served = (df["outcome"] == "AGENT").to_numpy()
    keep = (q_time > 0) | served
    df, q_time, served = df[keep], q_time[keep], served[keep]
    q_start, ser_start, vru_exit = (
        _seconds(df["q_start"]),
        _seconds(df["ser_start"]),
        _seconds(df["vru_exit"]),
    )
    arrival = np.where(q_time > 0, q_start, np.where(ser_start > 0, ser_start, vru_exit))
    ser_time = df["ser_time"].astype(float).to_numpy()
    return pd.DataFrame(
        {
            "date": df["date"].to_numpy(),
            "arrival": arrival,
            "wait": q_time / 60.0,
            "served": served,
            "service": np.where(served & (ser_time > 0), ser_time / 60.0, np.nan),
            "ser_start": np.where(served, ser_start, np.nan),
            "ser_end": np.where(served, ser_start + ser_time, np.nan),
            "server": df["server"].to_numpy(),
        }
    )


def half_hours(calls: pd.DataFrame) -> pd.DataFrame:
    """Observed arrivals, service mean, distinct agents, mean wait and abandonment per date × half-hour."""
    calls = calls.assign(slot=(calls["arrival"] // (HALF_HOUR * 60)).astype(int))
    g = calls.groupby(["date", "slot"])
    obs = g.agg(
        arrivals=("wait", "size"),
        mean_wait=("wait", "mean"),
        abandon=("served", lambda s: 1.0 - s.mean()),
        service=("service", "mean"),
    )
    obs["service"] = obs["service"].fillna(calls["service"].mean())
    named = calls[calls["served"] & (calls["server"] != "NO_SERVER")]
    presence = agent_presence(named)
    agents: dict[tuple[str, int], set[str]] = {}
    first = (named["ser_start"] // (HALF_HOUR * 60)).astype(int).to_numpy()
    last = ((named["ser_end"] - 1e-9) // (HALF_HOUR * 60)).astype(int).to_numpy()
    for d, a, b, srv in zip(named["date"], first, last, named["server"], strict=True):
        for s in range(a, max(a, b) + 1):
            agents.setdefault((d, s), set()).add(srv)
    obs["agents"] = [len(agents.get(k, ())) for k in obs.index]
    obs["present"] = [presence.get(k, 0.0) for k in obs.index]
    return obs.reset_index()


def agent_presence(named: pd.DataFrame, bridge_minutes: float = 10.0) -> dict[tuple[str, int], float]:
    """Time-average number of agents logged in per (date, half-hour): an agent's services with gaps of at most
    ``bridge_minutes`` form one session (idle between calls counts as present)."""
    out: dict[tuple[str, int], float] = {}
    width = HALF_HOUR * 60
    for (d, _), g in named.sort_values("ser_start").groupby(["date", "server"]):
        starts, ends = g["ser_start"].to_numpy(), g["ser_end"].to_numpy()
        a, b = starts[0], ends[0]
        sessions = []
        for s0, e0 in zip(starts[1:], ends[1:], strict=True):
            if s0 - b <= bridge_minutes * 60:
                b = max(b, e0)
            else:
                sessions.append((a, b))
                a, b = s0, e0
        sessions.append((a, b))
        for a, b in sessions:
            for k in range(int(a // width), int(b // width) + 1):
                lo, hi = max(a, k * width), min(b, (k + 1) * width)
                if hi > lo:
                    key = (str(d), k)
                    out[key] = out.get(key, 0.0) + (hi - lo) / width
    return out


def transient_waits(day: pd.DataFrame, theta: float) -> np.ndarray:
    """Mean wait per half-hour of one day by the transient Erlang A chain, carrying the queue over."""
    day = day.sort_values("slot")
    lam = day["arrivals"].to_numpy(float) / HALF_HOUR
    mu = 1.0 / day["service"].to_numpy(float)
    c = day["agents"].to_numpy(int)
    slots = day["slot"].to_numpy(int)
    peak = float(lam.max()) * HALF_HOUR
    size = int(c.max() + 20 + 1.5 * peak + 8 * np.sqrt(peak))
    state = np.zeros((1, size))
    state[0, 0] = 1.0
    out = np.zeros(len(day))
    for i in range(len(day)):
        if i and slots[i] != slots[i - 1] + 1:  # a gap (no arrivals): the system empties meanwhile
            state = np.zeros((1, size))
            state[0, 0] = 1.0
        end, avg = propagate(state, lam[i], mu[i], theta, np.array([c[i]]), HALF_HOUR)
        out[i] = slot_metrics(avg, np.array([c[i]]), mu[i], theta, HALF_HOUR, 0.0).mean_wait[0]
        state = end
    return out


def evaluate(obs: pd.DataFrame, theta: float) -> pd.DataFrame:
    """Observed and predicted mean wait and abandonment per half-hour."""
    lam = obs["arrivals"].to_numpy(float) / HALF_HOUR
    mu = 1.0 / obs["service"].to_numpy(float)
    c = obs["agents"].to_numpy(int)
    ec = erlang_c(lam, mu, c)
    ea = erlang_a(lam, mu, theta, c)
    out = obs.assign(
        wait_C=ec.mean_wait,
        wait_A=ea.mean_wait,
        abandon_C=0.0,
        abandon_A=ea.p_abandon,
    )
    tw = np.zeros(len(out))
    for _, idx in out.groupby("date").groups.items():
        pos = out.index.get_indexer(idx)
        tw[pos] = transient_waits(out.loc[idx], theta)
    out["wait_At"] = tw
    out["abandon_At"] = tw * theta  # exponential patience: P(Ab) = θ E[W]
    # agents present (time-average, fractional): interpolate Erlang A between the neighbouring integers
    pres = np.maximum(obs["present"].to_numpy(float), 1.0)
    lo = np.floor(pres).astype(int)
    frac = pres - lo
    a_lo, a_hi = erlang_a(lam, mu, theta, lo), erlang_a(lam, mu, theta, lo + 1)
    out["wait_Ap"] = (1 - frac) * a_lo.mean_wait + frac * a_hi.mean_wait
    out["abandon_Ap"] = (1 - frac) * a_lo.p_abandon + frac * a_hi.p_abandon
    return out


def errors(obs: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """MAE, bias (pred − obs) and Pearson correlation."""
    d = pred - obs
    corr = float(np.corrcoef(obs, pred)[0, 1]) if len(obs) > 2 and np.std(pred) > 0 else float("nan")
    return float(np.abs(d).mean()), float(d.mean()), corr


def summary(ev: pd.DataFrame, month: str, patience: float) -> list[dict[str, object]]:
    """Error rows per model for one month (all half-hours; Erlang C on its stable ones)."""
    rows = []
    stable = np.isfinite(ev["wait_C"].to_numpy())
    for model, w, a, mask in (
        ("Erlang C", "wait_C", "abandon_C", stable),
        ("Erlang A (PSA)", "wait_A", "abandon_A", np.ones(len(ev), bool)),
        ("Erlang A carry-over", "wait_At", "abandon_At", np.ones(len(ev), bool)),
        ("Erlang A (PSA), C-stable", "wait_A", "abandon_A", stable),
        ("Erlang A, agents present", "wait_Ap", "abandon_Ap", np.ones(len(ev), bool)),
    ):
        e = ev[mask]
        mw = errors(e["mean_wait"].to_numpy(), e[w].to_numpy())
        ma = errors(e["abandon"].to_numpy(), e[a].to_numpy())
        rows.append(
            {
                "month": month,
                "patience_min": round(patience, 2),
                "model": model,
                "half_hours": int(mask.sum()),
                "obs_wait": round(float(e["mean_wait"].mean()), 3),
                "pred_wait": round(float(e[w].mean()), 3),
                "wait_MAE": round(mw[0], 3),
                "wait_bias": round(mw[1], 3),
                "wait_corr": round(mw[2], 3),
                "obs_aband": round(float(e["abandon"].mean()), 4),
                "aband_MAE": round(ma[0], 4),
                "aband_bias": round(ma[1], 4),
                "aband_corr": round(ma[2], 3),
            }
        )
    return rows


def time_varying_check() -> pd.DataFrame:
    """A capped peak then a trough (4 windows, 4-min service, 20-min patience): mean wait per 15-min slot."""
    from constraints.config import ServiceLevel
    from forecasts.transient import day_demand
    from scheduler.simulation.simulate import serve_queue

    arrivals, t = np.array([5, 40, 40, 40, 5, 5.0]), 15.0
    dd = day_demand(arrivals, np.full(6, 4.0), 20.0, np.ones(6, bool), 4, t, ServiceLevel())
    rng = np.random.default_rng(5)
    waits: list[list[np.ndarray]] = [[] for _ in arrivals]
    for _ in range(2000):
        counts = rng.poisson(arrivals)
        arr = np.concatenate([s * t + rng.uniform(0, t, k) for s, k in enumerate(counts)])
        sv = serve_queue(
            arr, rng.exponential(4.0, len(arr)), rng.exponential(20.0, len(arr)), dd.required, t, drain=4
        )
        for s in range(len(arrivals)):
            waits[s].append(sv.wait[(arr >= s * t) & (arr < (s + 1) * t)])
    psa = erlang_a(arrivals / t, 0.25, 0.05, dd.required).mean_wait
    return pd.DataFrame(
        {
            "slot": range(1, len(arrivals) + 1),
            "arrivals": arrivals,
            "windows": dd.required,
            "simulated": [round(float(np.concatenate(w).mean()), 2) for w in waits],
            "carry_over": np.round(dd.mean_wait, 2),
            "psa": np.round(psa, 2),
        }
    )


def _finite_mean(x: pd.Series) -> float:
    v = x.to_numpy(float)
    ok = np.isfinite(v)
    return float(v[ok].mean()) if ok.any() else float("nan")


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--external", type=Path, default=Path(os.environ.get("PAIBAN_EXTERNAL", DEFAULT_EXTERNAL))
    )
    ap.add_argument("--months", nargs="*", default=list(MONTHS), choices=MONTHS)
    args = ap.parse_args(argv)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    print("Time-varying check (mean wait, minutes, per 15-min slot; 2000 simulated days):")
    print(time_varying_check().to_string(index=False))
    folder = args.external / FOLDER
    if not folder.exists():
        print(f"\nSKIPPED: Anonymous Bank data not found at {folder} (set --external or PAIBAN_EXTERNAL)")
        return 0
    rows = []
    profiles = []
    for month in args.months:
        t0 = time.perf_counter()
        calls = load_month(folder / f"{month}_1999.txt")
        patience = patience_mle(
            exact=calls.loc[~calls["served"], "wait"].to_numpy(),
            right=calls.loc[calls["served"], "wait"].to_numpy(),
            prior_events=0,
        )
        obs = half_hours(calls)
        obs = obs[(obs["agents"] >= 1) & (obs["arrivals"] >= 1)].reset_index(drop=True)
        ev = evaluate(obs, 1.0 / patience)
        rows += summary(ev, month, patience)
        ev["half_hour"] = ev["slot"].map(lambda s: f"{s // 2:02d}:{30 * (s % 2):02d}")
        profiles.append(ev.assign(month=month))
        print(
            f"\n{month}: {len(calls)} calls to agents, {len(ev)} half-hours, {time.perf_counter() - t0:.1f} s"
        )
    table = pd.DataFrame(rows)
    print("\nError summary (wait in minutes; abandonment as a share of arrivals):")
    print(table.to_string(index=False))
    allev = pd.concat(profiles, ignore_index=True)
    by = allev.groupby("half_hour")[
        [
            "arrivals",
            "agents",
            "present",
            "mean_wait",
            "wait_C",
            "wait_A",
            "wait_At",
            "wait_Ap",
            "abandon",
            "abandon_A",
            "abandon_At",
            "abandon_Ap",
        ]
    ]
    prof = by.agg(_finite_mean)
    prof["n"] = allev.groupby("half_hour").size()
    print("\nBy half-hour of day, all months (means; Erlang C over its stable half-hours):")
    print(prof[prof["n"] >= 20].round(3).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
