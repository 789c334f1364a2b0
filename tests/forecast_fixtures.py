"""Small seeded arrival histories for the forecasting tests (built in code, no files).

``synthetic_history(weeks)`` — the default branch (09:00–17:00 workdays, 09:30–16:00 weekends, 15-minute
slots), one counter ``high_counter``, ``weeks`` weeks ending Sunday 2026-11-29: Poisson counts around a known
mean = ``level`` × weekday factor (Monday ×1.10, weekend ×0.46) × pension-day ×2 × a two-peak intraday shape
(10–11 and 14–16). ``true_mean(frame)`` gives that mean for any rows with day features.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig
from forecasts.features import slot_features

END = dt.date(2026, 11, 29)
PLAN_MONDAY = dt.date(2026, 11, 30)


def calendar() -> BranchCalendar:
    """The default branch calendar (pension day 15th, payroll day 10th)."""
    return BranchCalendar(BranchConfig())


def true_mean(frame: pd.DataFrame, level: float = 6.0) -> np.ndarray:
    """The generating mean of each row (0 where closed); needs ``slot``, ``weekday``, ``day_type``, ``pension``."""
    t = frame["slot"].to_numpy(float) / 60.0
    shape = 1 + 0.8 * np.exp(-(((t - 10.5) / 0.8) ** 2)) + 0.6 * np.exp(-(((t - 15.0) / 1.0) ** 2))
    shape -= 0.45 * np.exp(-(((t - 12.5) / 0.7) ** 2))
    day = np.where(frame["day_type"].to_numpy() == "weekend", 0.46, 1.0)
    day = day * np.where(frame["weekday"].to_numpy() == 0, 1.10, 1.0)
    day = day * np.where(frame["pension"].to_numpy(bool), 2.0, 1.0)
    return level * shape * day * frame["is_open"].to_numpy(bool)


def synthetic_history(weeks: int = 8, seed: int = 0, level: float = 6.0) -> pd.DataFrame:
    """Arrivals long frame (date, slot, counter, y, is_open, excluded) with Poisson counts."""
    start = END - dt.timedelta(days=7 * weeks - 1)
    grid = slot_features(calendar(), start, END, ["high_counter"])
    rng = np.random.default_rng(seed)
    mu = true_mean(grid, level)
    y = np.where(grid["is_open"], rng.poisson(mu).astype(float), np.nan)
    return grid[["date", "slot", "counter", "is_open"]].assign(y=y, excluded=False)[
        ["date", "slot", "counter", "y", "is_open", "excluded"]
    ]
