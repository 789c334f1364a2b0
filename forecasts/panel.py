"""One counter's history as a days × slots panel, and the day keys the models group by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasts.features import DAY_FEATURES, FLAG_FEATURES

_CLASS = {"makeup_workday": "workday", "holiday": "weekend"}


def day_class(day_type: str) -> str:
    """Broad class of a day type: a 调休 make-up day counts as a workday, an open holiday as a weekend."""
    return _CLASS.get(day_type, day_type)


@dataclass
class Panel:
    """One counter's history as arrays: days × slots, with the day keys precomputed."""

    dates: list[dt.date]
    slots: np.ndarray  # start minutes (S,)
    y: np.ndarray  # (D, S), NaN where closed or excluded
    open: np.ndarray  # (D, S) bool
    days: pd.DataFrame  # day features, one row per date (index 0..D-1)
    keys: dict[str, np.ndarray] = field(default_factory=dict)  # groups, classes, flags (filled in)

    def __post_init__(self) -> None:
        if not self.keys:
            raw = [str(t) for t in self.days["day_type"]]
            types = [day_class(t) for t in raw]
            self.keys = {
                "classes": np.array(types, dtype=object),
                "groups": np.array(
                    [
                        f"{c}:{w}" if t == c else f"{c}:"
                        for t, c, w in zip(raw, types, self.days["weekday"], strict=True)
                    ],
                    dtype=object,
                ),
                "flags": flag_matrix(self.days),
            }

    def take(self, rows: np.ndarray) -> Panel:
        """The panel restricted to the days where ``rows`` is True."""
        idx = np.flatnonzero(rows)
        return Panel(
            [self.dates[i] for i in idx],
            self.slots,
            self.y[idx],
            self.open[idx],
            self.days.iloc[idx].reset_index(drop=True),
            {k: v[idx] for k, v in self.keys.items()},
        )

    @property
    def usable(self) -> np.ndarray:
        """Days with at least one open, observed slot."""
        return (self.open & np.isfinite(self.y)).any(axis=1)

    @property
    def totals(self) -> np.ndarray:
        """Day totals over open slots (NaN for unusable days)."""
        t = np.where(self.open, np.nan_to_num(self.y), 0.0).sum(axis=1)
        return np.where(self.usable, t, np.nan)

    def groups(self) -> np.ndarray:
        """``class:weekday`` key per day; ``class:`` (no weekday) for a day of another type in the class.

        A 调休 Saturday is a workday but not one of the workdays' regular weekdays: it has no weekday group
        of its own (which only such days would ever fill), so it takes the workday class level and shape and
        its own ``makeup`` effect, pooled over every make-up day whatever its weekday. Likewise an open
        holiday in the weekend class.
        """
        return self.keys["groups"]

    def classes(self) -> np.ndarray:
        """Day class per day."""
        return self.keys["classes"]

    def flags(self) -> np.ndarray:
        """Days × :data:`FLAG_NAMES` 0/1 matrix."""
        return self.keys["flags"]


def make_panel(frame: pd.DataFrame, slots: np.ndarray | None = None) -> Panel:
    """Pivot one counter's rows to a :class:`Panel` (``slots`` fixes the columns)."""
    dates = sorted(frame["date"].unique())
    slot_values = np.asarray(sorted(frame["slot"].unique()) if slots is None else slots, dtype=int)
    y = frame.pivot(index="date", columns="slot", values="y").reindex(index=dates, columns=slot_values)
    op = frame.pivot(index="date", columns="slot", values="is_open").reindex(index=dates, columns=slot_values)
    opened = op.fillna(False).to_numpy(dtype=bool)
    values = y.to_numpy(dtype=float, copy=True)
    if "excluded" in frame.columns:
        ex = frame.groupby("date")["excluded"].any().reindex(dates).fillna(False).to_numpy(dtype=bool)
        values[ex] = np.nan
    values = np.where(opened, values, np.nan)
    cols = ["date", *[c for c in DAY_FEATURES if c in frame.columns]]
    days = frame[cols].drop_duplicates("date").set_index("date").reindex(dates).reset_index()
    return Panel(list(dates), slot_values, values, opened, days)


def slot_lookup(src_slots: np.ndarray, values: np.ndarray, dst_slots: np.ndarray) -> np.ndarray:
    """Values (…, S_src) re-indexed onto ``dst_slots`` (NaN where a slot is unknown)."""
    pos = pd.Index(src_slots).get_indexer(dst_slots)
    out = np.full((*values.shape[:-1], len(dst_slots)), np.nan)
    known = pos >= 0
    out[..., known] = values[..., pos[known]]
    return out


FLAG_NAMES: tuple[str, ...] = ("holiday_open", *FLAG_FEATURES)


def flag_matrix(days: pd.DataFrame) -> np.ndarray:
    """Days × :data:`FLAG_NAMES` 0/1 matrix (absent columns are 0)."""
    out = np.zeros((len(days), len(FLAG_NAMES)))
    out[:, 0] = (days["day_type"].astype(str) == "holiday").to_numpy()
    for j, name in enumerate(FLAG_FEATURES, start=1):
        if name in days.columns:
            out[:, j] = days[name].fillna(False).to_numpy(dtype=float)
    return out
