"""Sample days the forecast did not see coming: a day's tickets with a share more customers from a given time.

A *surprise day* (a pension rumour, a rate change, a new product) is the sample branch's own day
(:func:`scheduler.sample.generator.generate_tickets`) plus, from ``from_minute`` on, a random ``surge`` share of
a second, independent draw of the same day: the arrival intensity after that time is (1 + surge) times the
usual one, with the same services, service times and patience. The extra tickets are numbered ``X…`` so ids
stay unique. The queue-machine columns (called, started, finished, window) of the export come from the
generator's own window plan; a replay uses only issue times, services, durations and outcomes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig
from scheduler.sample.generator import generate_tickets

SURGE = 0.30
"""The issue's example: a day running 30 % above its forecast."""

SURGE_FROM = 10 * 60
"""From 10:00."""


def surprise_tickets(
    config: BranchConfig,
    calendar: BranchCalendar,
    date: dt.date,
    seed: int = 0,
    *,
    surge: float = SURGE,
    from_minute: int = SURGE_FROM,
) -> pd.DataFrame:
    """The export (Chinese headers, text cells) of ``date`` with ``surge`` more arrivals from ``from_minute``.

    ``surge = 0`` gives the plain day. Same seed, same rows.
    """
    base = generate_tickets(config, calendar, date, date, np.random.default_rng([seed, 0]))
    if surge <= 0:
        return base
    extra = generate_tickets(config, calendar, date, date, np.random.default_rng([seed, 1]))
    issued = pd.to_datetime(extra["取号时间"])
    minute = issued.dt.hour * 60 + issued.dt.minute
    keep = (minute >= from_minute).to_numpy() & (np.random.default_rng([seed, 2]).random(len(extra)) < surge)
    extra = extra[keep].assign(票号=lambda f: "X" + f["票号"])
    out = pd.concat([base, extra], ignore_index=True)
    order = np.argsort(pd.to_datetime(out["取号时间"]).to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)
