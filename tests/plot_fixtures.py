"""Small frames and font helpers shared by the plot tests (plots, plot_common, plot_timeline).

Tests call these directly (``import plot_fixtures as fx``); each test module keeps rcParams to itself.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from constraints.roster import Block, Roster
from constraints.staff import Person, Staff
from scheduler.report import plot_common, plots

MON = dt.date(2026, 11, 30)
TUE = MON + dt.timedelta(days=1)
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def pretend_no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the plots believe no CJK font is installed, with matplotlib left on DejaVu Sans only."""
    monkeypatch.setattr(plot_common, "_find_cjk_font", lambda: None)
    monkeypatch.setattr(plot_common, "_warned", False)  # this test sees the warning given once
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    matplotlib.rcParams["font.sans-serif"] = ["DejaVu Sans"]


def require_cjk_font() -> str:
    """The installed CJK font, configured; skips the test when the machine has none."""
    name = plots.setup_cjk_font()
    if name is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    return name


def forecast() -> pd.DataFrame:
    """Two days × four slots × two counters; high counter: 3 peak slots (an L shape), 2 troughs."""
    rows = []
    labels = {600: "peak", 615: "peak", 540: "trough"}
    for d in (MON, TUE):
        for slot in (540, 555, 600, 615):
            for counter, share in (("high_counter", 0.6), ("low_counter", 0.4)):
                lab = labels.get(slot, "normal") if counter == "high_counter" or slot != 540 else "normal"
                if d == TUE and slot == 615:
                    lab = "normal"
                mean = share * (10 if lab == "peak" else 4)
                rows.append(
                    {"date": d, "slot": slot, "start": f"{slot // 60:02d}:{slot % 60:02d}",
                     "end": f"{(slot + 15) // 60:02d}:{(slot + 15) % 60:02d}", "counter": counter, "mean": mean,
                     "q50": mean, "q80": mean * 1.3, "q95": mean * 1.7, "label": lab}
                )  # fmt: skip
    return pd.DataFrame(rows)


def staff() -> Staff:
    """A teller, a president and a wealth manager, listed out of post order."""
    return Staff(
        people=(
            Person(staff_id="T1", name="赵敏", post="personal_teller"),
            Person(staff_id="P1", name="王建国", post="branch_president"),
            Person(staff_id="W1", name="刘洋", post="wealth_manager"),
        )
    )


def roster() -> Roster:
    """Seven blocks over two days; the wealth manager is off on Monday."""
    b = [
        Block(MON, "T1", 510, 540, "meeting"),
        Block(MON, "T1", 540, 690, "high_counter"),
        Block(MON, "T1", 690, 750, "break"),
        Block(MON, "T1", 750, 1020, "high_counter"),
        Block(MON, "P1", 510, 1050, "lobby"),
        Block(TUE, "W1", 540, 1020, "low_counter"),
        Block(TUE, "P1", 540, 1020, "back_office"),
    ]
    return Roster(tuple(b))


def requirements() -> pd.DataFrame:
    """Two days; high counter short in two slots a day (by 1 and 2); low counter one slot, no shortfall."""
    rows = []
    for d in (MON, TUE):
        for i, (req, opn) in enumerate([(1, 1), (3, 2), (3, 1), (2, 2)]):
            s = 540 + 15 * i
            rows.append(
                {"date": d.isoformat(), "start": f"{s // 60:02d}:{s % 60:02d}",
                 "end": f"{(s + 15) // 60:02d}:{(s + 15) % 60:02d}", "counter": "high_counter",
                 "forecast_arrivals": 5.0, "required_windows": req, "open_windows": opn}
            )  # fmt: skip
        rows.append({**rows[-1], "counter": "low_counter", "required_windows": 1, "open_windows": 1})
    return pd.DataFrame(rows)


def simulation() -> pd.DataFrame:
    """The requirements slots with waits; the last high-counter slot has no customers (NaN)."""
    req = requirements()
    return req.assign(
        arrivals=5,
        mean_wait_min=[4.0, 12.0, 25.0, np.nan, 3.0] * 2,
        share_within_target=0.8,
        p90_wait_min=[8.0, 25.0, 48.0, np.nan, 6.0] * 2,
        abandoned=0,
        utilization=0.7,
    )


def comparison() -> pd.DataFrame:
    """Baseline, +20% demand, and an infeasible scenario (no numbers)."""
    return pd.DataFrame(
        {
            "scenario": ["基准", "需求 +20%", "全天双人"],
            "staff_hours": [400.0, 430.0, np.nan],
            "mean_wait_min": [9.0, 13.5, np.nan],
            "share_within_target": [0.85, 0.78, np.nan],
            "status": ["OPTIMAL", "FEASIBLE", "INFEASIBLE"],
        }
    )


def curve() -> pd.DataFrame:
    """A headcount curve: 0 and 1 tellers cannot hold the rules, 2 found no roster in time, 3 misses the
    service level, 4 and 5 meet it."""
    frame = pd.DataFrame(
        {
            "headcount": [0, 1, 2, 3, 4, 5],
            "scenario": [f"个人业务柜员 {n} 人 ({n} × Personal teller)" for n in range(6)],
            "status": ["INFEASIBLE", "INFEASIBLE", "UNKNOWN", "FEASIBLE", "FEASIBLE", "OPTIMAL"],
            "objective": [np.nan, np.nan, np.nan, 44_000.0, 40_500.0, 41_000.0],
            "best_bound": [np.nan, np.nan, np.nan, 36_000.0, 39_000.0, 40_800.0],
            "cost_cny": [np.nan, np.nan, np.nan, 28_800.0, 31_200.0, 33_600.0],
            "mean_wait_min": [np.nan, np.nan, np.nan, 16.0, 4.0, 2.0],
            "p90_wait_min": [np.nan, np.nan, np.nan, 40.0, 11.0, 5.0],
            "share_within_target": [np.nan, np.nan, np.nan, 0.61, 0.9, 0.97],
            "holds_rules": [False, False, False, True, True, True],
            "meets_target": [False, False, False, False, True, True],
        }
    )
    frame.attrs.update(
        x="headcount",
        post="personal_teller",
        service_level={"max_mean_wait_minutes": 15.0, "target_wait_minutes": 20.0, "target_share": 0.8},
    )
    return frame


def all_figures(lang: str) -> list[Figure]:
    """Every plot, drawn from the small frames."""
    return [
        plots.forecast_heatmap(forecast(), lang=lang),
        plots.roster_gantt(roster(), staff(), lang=lang),
        plots.windows_plot(requirements(), lang=lang),
        plots.wait_plot(simulation(), lang=lang),
        plots.compare_plot(comparison(), lang=lang),
        plots.curve_plot(curve(), lang=lang),
    ]


def texts(fig: Figure) -> list[str]:
    """Every non-empty text of the figure."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def render(fig: Figure) -> list[str]:
    """Draw the figure to PNG and return any missing-glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]
