"""Week timelines: windows open vs required, and simulated waits, per slot, one panel per counter type.

Days sit side by side on one axis in hours (a small gap between days); a single day gets clock-hour ticks.
Both functions are re-exported by :mod:`scheduler.report.plots`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from constraints.i18n import tr
from scheduler.report.plot_common import (
    ACTIVITY_COLORS,
    as_date,
    counter_name,
    counters_of,
    day_label,
    minutes,
    panels,
    resolve_lang,
    set_title,
)


class _Timeline:
    """Places (date, minute) on one x axis in hours: days side by side with a small gap."""

    GAP = 0.75

    def __init__(self, frame: pd.DataFrame) -> None:
        self.dates = sorted({as_date(v) for v in frame["date"]})
        starts = minutes(frame["start"])
        ends = minutes(frame["end"]) if "end" in frame.columns else starts
        diffs = ends - starts
        self.slot = int(diffs[diffs > 0].min()) if (diffs > 0).any() else 15
        self.t0 = int(starts.min())
        self.span = (int(max(ends.max(), starts.max() + self.slot)) - self.t0) / 60

    def x(self, date: dt.date, minute: int) -> float:
        return self.dates.index(date) * (self.span + self.GAP) + (minute - self.t0) / 60

    def steps(self, frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Step-post x and y arrays, days separated by NaN, missing slots NaN."""
        xs: list[float] = []
        ys: list[float] = []
        df = frame.assign(_d=[as_date(v) for v in frame["date"]], _m=minutes(frame["start"]))
        for d, part in df.groupby("_d", sort=True):
            vals = dict(zip(part["_m"], pd.to_numeric(part[column], errors="coerce"), strict=True))
            grid = range(min(vals), max(vals) + self.slot, self.slot)
            y = [float(vals.get(m, np.nan)) for m in grid]
            day = as_date(d)
            xs += [self.x(day, m) for m in grid] + [self.x(day, grid[-1] + self.slot), np.nan]
            ys += [*y, y[-1], np.nan]
        return np.array(xs), np.array(ys)

    def decorate(self, a: Axes, lg: str) -> None:
        """Day labels (or clock hours for one day) and faint day separators."""
        if len(self.dates) == 1:
            hours = range(-(-self.t0 // 60), int(self.t0 / 60 + self.span) + 1)
            a.set_xticks([(h * 60 - self.t0) / 60 for h in hours], [f"{h:02d}:00" for h in hours])
            a.set_xlabel(day_label(self.dates[0], lg))
        else:
            w = self.span + self.GAP
            a.set_xticks(
                [i * w + self.span / 2 for i in range(len(self.dates))],
                [day_label(d, lg) for d in self.dates],
            )
            a.tick_params(axis="x", which="major", length=0)
            first, last = -(-self.t0 // 60), int(self.t0 / 60 + self.span)
            a.set_xticks(
                [i * w + h - self.t0 / 60 for i in range(len(self.dates)) for h in range(first, last + 1)],
                minor=True,
            )
            for i in range(len(self.dates)):
                if i:
                    a.axvline(i * w - self.GAP / 2, color="#BBBBBB", lw=0.8)
                if first <= 12 <= last:
                    a.axvline(i * w + 12 - self.t0 / 60, color="#E3E3E3", lw=0.8, ls=":", zorder=0)
        a.set_xlim(-0.1, len(self.dates) * (self.span + self.GAP) - self.GAP + 0.1)
        a.grid(axis="y", color="#EBEBEB", lw=0.6)
        a.set_axisbelow(True)


def windows_plot(
    requirements: pd.DataFrame,
    counter: str | None = None,
    *,
    ax: Axes | Sequence[Axes] | None = None,
    lang: str | None = None,
) -> Figure:
    """Open vs required windows per slot over the week, one panel per counter type; shortfall shaded red.

    Shortfall slots are bars with gid ``"shortfall"`` (one per slot where open < required).
    """
    lg = resolve_lang(lang)
    counters = counters_of(requirements, counter)
    tl = _Timeline(requirements)
    size = (max(8.0, 1.6 * len(tl.dates) + 2.0), 2.3 * len(counters) + 1.0)
    fig, axes, new = panels(len(counters), ax, size, nrows=len(counters), sharex=True)
    has_open = "open_windows" in requirements.columns
    for a, c in zip(axes, counters, strict=True):
        part = requirements[requirements["counter"] == c]
        x, req = tl.steps(part, "required_windows")
        a.plot(
            x, req, drawstyle="steps-post", color="#222222", lw=1.3, ls="--", label=tr("需要", "Required", lg)
        )
        if has_open:
            _, opn = tl.steps(part, "open_windows")
            a.plot(
                x,
                opn,
                drawstyle="steps-post",
                color=ACTIVITY_COLORS.get(c, "C0"),
                lw=1.8,
                label=tr("开放", "Open", lg),
            )
            short = np.isfinite(req) & np.isfinite(opn) & (opn < req)
            short[1:] &= np.isfinite(x[1:])
            idx = [i for i in np.flatnonzero(short) if i + 1 < len(x) and np.isfinite(x[i + 1])]
            bars = a.bar(
                x[idx],
                req[idx] - opn[idx],
                bottom=opn[idx],
                width=tl.slot / 60,
                align="edge",
                color="#E53935",
                alpha=0.35,
                lw=0,
                label=tr("缺口", "Shortfall", lg),
            )
            for b in bars:
                b.set_gid("shortfall")
        a.set_title(counter_name(c, lg), fontsize=10, loc="left")
        a.yaxis.set_major_locator(MaxNLocator(integer=True))
        a.set_ylim(bottom=0)
        a.set_ylabel(tr("窗口数", "Windows", lg))
        tl.decorate(a, lg)
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].legend(
        handles, labels, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, frameon=False, fontsize=9
    )
    set_title(fig, axes, new, tr("开放窗口与需要窗口", "Open vs required windows", lg))
    return fig


def wait_plot(
    simulation: pd.DataFrame,
    counter: str | None = None,
    *,
    mean_target: float | None = 15.0,
    p90_target: float | None = 30.0,
    ax: Axes | Sequence[Axes] | None = None,
    lang: str | None = None,
) -> Figure:
    """Simulated mean and P90 waiting time per slot, one panel per counter type, with the target lines.

    The band between mean and P90 is shaded; slots without customers are gaps. Targets default to the
    design's promise (mean ≤ 15 min, P90 ≤ 30 min); ``None`` leaves a line out.
    """
    lg = resolve_lang(lang)
    counters = counters_of(simulation, counter)
    tl = _Timeline(simulation)
    size = (max(8.0, 1.6 * len(tl.dates) + 2.0), 2.3 * len(counters) + 1.0)
    fig, axes, new = panels(len(counters), ax, size, nrows=len(counters), sharex=True)
    for a, c in zip(axes, counters, strict=True):
        part = simulation[simulation["counter"] == c]
        colour = ACTIVITY_COLORS.get(c, "C0")
        x, mean = tl.steps(part, "mean_wait_min")
        _, p90 = tl.steps(part, "p90_wait_min")
        a.fill_between(x, mean, p90, step="post", color=colour, alpha=0.15, lw=0)
        a.plot(x, mean, drawstyle="steps-post", color=colour, lw=1.8, label=tr("平均等待", "Mean wait", lg))
        a.plot(
            x, p90, drawstyle="steps-post", color=colour, lw=1.0, ls=":", label=tr("P90 等待", "P90 wait", lg)
        )
        if mean_target is not None:
            a.axhline(
                mean_target,
                color="#333333",
                lw=1.0,
                ls="--",
                label=tr(f"平均目标 {mean_target:g} 分钟", f"Mean target {mean_target:g} min", lg),
            )
        if p90_target is not None:
            a.axhline(
                p90_target,
                color="#C62828",
                lw=1.0,
                ls="--",
                label=tr(f"P90 目标 {p90_target:g} 分钟", f"P90 target {p90_target:g} min", lg),
            )
        a.set_title(counter_name(c, lg), fontsize=10, loc="left")
        a.set_ylim(bottom=0)
        a.set_ylabel(tr("等待 (分钟)", "Wait (min)", lg))
        tl.decorate(a, lg)
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].legend(
        handles, labels, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=4, frameon=False, fontsize=9
    )
    set_title(fig, axes, new, tr("模拟等待时间", "Simulated waiting time", lg))
    return fig
