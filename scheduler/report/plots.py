"""Plots for notebooks and reports: forecast heatmap, roster Gantt, windows, waits, scenario comparison.

Every function draws with matplotlib's object API (no pyplot state, safe under the Agg backend), returns the
:class:`~matplotlib.figure.Figure`, and takes ``ax`` (an Axes, or one Axes per panel for small multiples) and
``lang`` ("zh" or "en"; default: the language in force, :func:`constraints.i18n.language`). Chinese labels need a
CJK font: :func:`setup_cjk_font` finds one; when there is none every label is English, whatever the language,
and names written in Chinese (people, scenarios) are replaced by ids, so no glyph ever renders as a box.
The palette, fonts and helpers live in :mod:`scheduler.report.plot_common`, the week timelines (windows, waits) in
:mod:`scheduler.report.plot_timeline`, a replayed day (:func:`intraday_plot`) in
:mod:`scheduler.report.plot_intraday`; everything public is importable from here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import blended_transform_factory

from constraints.i18n import ACTIVITY_LABELS, STATUS_LABELS, label, tr
from constraints.io import atomic_write
from constraints.roster import ACTIVITIES, Roster
from constraints.staff import POSTS, Staff
from scheduler.report.plot_common import (
    ACTIVITY_COLORS,
    as_date,
    counter_name,
    day_label,
    minutes,
    panels,
    readable_name,
    resolve_lang,
    safe_text,
    set_title,
    setup_cjk_font,
)
from scheduler.report.plot_intraday import intraday_plot
from scheduler.report.plot_timeline import wait_plot, windows_plot

__all__ = [
    "ACTIVITY_COLORS",
    "METRICS",
    "compare_plot",
    "curve_plot",
    "day_label",
    "forecast_heatmap",
    "intraday_plot",
    "roster_gantt",
    "save",
    "setup_cjk_font",
    "wait_plot",
    "windows_plot",
]

_PEAK_LABELS = {"peak": "peak", "高峰": "peak", "trough": "trough", "低谷": "trough"}


# ---- forecast heatmap ------------------------------------------------------------------------------------

_PEAK_INK = "#1B2A49"
_CLOSED = "#E4E4E4"


def _outline(mask: np.ndarray) -> list[list[tuple[float, float]]]:
    """Segments around the True cells of an image-like mask (cell (i, j) spans j±0.5, i±0.5)."""
    segs: list[list[tuple[float, float]]] = []
    rows, cols = mask.shape
    for i, j in zip(*np.nonzero(mask), strict=True):
        x0, x1, y0, y1 = j - 0.5, j + 0.5, i - 0.5, i + 0.5
        if i == 0 or not mask[i - 1, j]:
            segs.append([(x0, y0), (x1, y0)])
        if i == rows - 1 or not mask[i + 1, j]:
            segs.append([(x0, y1), (x1, y1)])
        if j == 0 or not mask[i, j - 1]:
            segs.append([(x0, y0), (x0, y1)])
        if j == cols - 1 or not mask[i, j + 1]:
            segs.append([(x1, y0), (x1, y1)])
    return segs


def forecast_heatmap(
    forecast: pd.DataFrame,
    counter: str | None = None,
    *,
    value: str = "mean",
    ax: Axes | None = None,
    lang: str | None = None,
) -> Figure:
    """Days × slots heatmap of forecast arrivals; peak cells outlined, trough cells washed out.

    ``counter=None`` sums the counters; a cell is then a peak when any counter peaks there and a trough when
    every counter is in a trough. Outlines are patches with gid ``"peak"``, wash-outs gid ``"trough"``.
    """
    lg = resolve_lang(lang)
    df = forecast if counter is None else forecast[forecast["counter"] == counter]
    if df.empty:
        raise ValueError(f"no forecast rows for counter {counter!r}")
    df = df.assign(_date=[as_date(v) for v in df["date"]], _slot=minutes(df["slot"]))
    grid = df.pivot_table(index="_date", columns="_slot", values=value, aggfunc="sum").sort_index()
    dates, slots = list(grid.index), [int(s) for s in grid.columns]
    kinds: dict[tuple[dt.date, int], str] = {}
    if "label" in df.columns:
        for (d, s), labels in df.groupby(["_date", "_slot"])["label"]:
            ks = {_PEAK_LABELS.get(str(x), "normal") for x in labels}
            kinds[(as_date(d), int(str(s)))] = (
                "peak" if "peak" in ks else "trough" if ks == {"trough"} else "normal"
            )

    fig, (a,), new = panels(1, ax, (max(7.0, 0.2 * len(slots) + 2.5), 0.42 * len(dates) + 1.8))
    cmap = colormaps["YlOrRd"].with_extremes(bad=_CLOSED)
    values = grid.to_numpy(dtype=float)
    img = a.imshow(values, aspect="auto", cmap=cmap, interpolation="nearest")
    peak = np.zeros(grid.shape, dtype=bool)
    for (d, s), kind in kinds.items():
        i, j = dates.index(d), slots.index(s)
        if kind == "peak":
            peak[i, j] = True
            a.add_patch(
                Rectangle(
                    (j - 0.5, i - 0.5),
                    1,
                    1,
                    fill=False,
                    lw=0,
                    hatch="///",
                    hatchcolor=_PEAK_INK,
                    alpha=0.55,
                    gid="peak",
                )
            )
        elif kind == "trough":
            a.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fc="white", alpha=0.6, lw=0, gid="trough"))
    a.add_collection(LineCollection(_outline(peak), colors=_PEAK_INK, linewidths=1.6, gid="peak_outline"))
    hours = [j for j, s in enumerate(slots) if s % 60 == 0]
    a.set_xticks([j - 0.5 for j in hours], [f"{slots[j] // 60:02d}:00" for j in hours])
    a.set_yticks(range(len(dates)), [day_label(d, lg) for d in dates])
    a.set_xlabel(tr("时刻", "Time of day", lg))
    cbar = fig.colorbar(img, ax=a, pad=0.01, fraction=0.04)
    cbar.set_label(tr("预测到达人数 / 时段", "Forecast arrivals per slot", lg))
    if kinds:
        a.legend(
            handles=[
                Patch(fc="none", ec=_PEAK_INK, lw=1.6, hatch="///", label=tr("高峰", "Peak", lg)),
                Patch(fc="#FBF7EC", ec="#BBBBBB", label=tr("低谷 (淡化)", "Trough (washed out)", lg)),
            ]
            + (
                [Patch(fc=_CLOSED, ec="#BBBBBB", label=tr("不营业", "Closed", lg))]
                if np.isnan(values).any()
                else []
            ),
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncol=3,
            frameon=False,
            fontsize=9,
        )
    what = counter_name(counter, lg) if counter else tr("全部柜台", "all counters", lg)
    set_title(fig, [a], new, tr(f"预测客流 · {what}", f"Forecast arrivals · {what}", lg))
    return fig


# ---- roster Gantt ----------------------------------------------------------------------------------------


_POST_ORDER = {p: i for i, p in enumerate(POSTS)}


def _people(roster: Roster, staff: Staff | None, lg: str) -> list[tuple[str, str, str]]:
    """(staff_id, shown name, post label) in post order then file order; ids not on the staff list last."""
    known = [] if staff is None else sorted(staff, key=lambda p: _POST_ORDER.get(p.post, len(_POST_ORDER)))
    rows = [(p.staff_id, safe_text(p.name, p.staff_id), label(POSTS, p.post, lg)) for p in known]
    listed = {sid for sid, _, _ in rows}
    unknown = sorted({b.staff_id for b in roster.blocks} - listed)
    return rows + [(sid, sid, "" if staff is None else "?") for sid in unknown]


def roster_gantt(
    roster: Roster,
    staff: Staff | None = None,
    day: dt.date | str | None = None,
    *,
    ax: Axes | Sequence[Axes] | None = None,
    lang: str | None = None,
) -> Figure:
    """People (grouped by post) × time of day, one bar per roster block coloured by :data:`ACTIVITY_COLORS`.

    ``day=None`` draws every date of the roster as side-by-side small multiples sharing the people axis.
    Each panel's bars are one ``BarContainer`` (one bar per block).
    """
    lg = resolve_lang(lang)
    dates = [as_date(day)] if day is not None else roster.dates()
    if not dates:
        raise ValueError("the roster has no blocks")
    people = _people(roster, staff, lg)
    row = {sid: i for i, (sid, _, _) in enumerate(people)}
    t0 = min((b.start for b in roster.blocks), default=8 * 60) // 60
    t1 = -(-max((b.end for b in roster.blocks), default=18 * 60) // 60)
    many = len(dates) > 1
    size = (max(8.0, 2.3 * len(dates) + 1.8), 0.3 * len(people) + 1.9)
    fig, axes, new = panels(len(dates), ax, size, ncols=len(dates), sharey=True)
    for a, d in zip(axes, dates, strict=True):
        blocks = [b for b in roster.blocks if b.date == d and b.staff_id in row]
        a.barh(
            [row[b.staff_id] for b in blocks],
            [(b.end - b.start) / 60 for b in blocks],
            left=[b.start / 60 for b in blocks],
            height=0.72,
            color=[ACTIVITY_COLORS.get(b.activity, "#000000") for b in blocks],
            edgecolor="white",
            linewidth=0.6,
        )
        for sid, i in row.items():
            if not roster.works(d, sid):
                a.text(
                    (t0 + t1) / 2,
                    i,
                    tr("休", "off", lg),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="#A0A0A0",
                )
        a.set_xlim(t0, t1)
        step = 2 if many else 1
        a.set_xticks(range(t0 + (t0 % step), t1 + 1, step))
        a.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{int(x)}" if many else f"{int(x):02d}:00"))
        a.grid(axis="x", color="#E0E0E0", lw=0.6)
        a.set_axisbelow(True)
        if many:
            a.set_title(day_label(d, lg), fontsize=10)
        bounds = [i for i in range(1, len(people)) if people[i][2] != people[i - 1][2]]
        for y in bounds:
            a.axhline(y - 0.5, color="#888888", lw=0.6)
        a.tick_params(axis="y", length=0)
    axes[0].set_yticks(range(len(people)), [name for _, name, _ in people], fontsize=9)
    axes[0].set_ylim(len(people) - 0.5, -0.5)
    if any(post for _, _, post in people):
        edges = [0, *[i for i in range(1, len(people)) if people[i][2] != people[i - 1][2]], len(people)]
        last = axes[-1]
        tf = blended_transform_factory(last.transAxes, last.transData)
        for lo, hi in itertools.pairwise(edges):
            last.text(
                1.02, (lo + hi - 1) / 2, people[lo][2], transform=tf, va="center", fontsize=8, color="#555555"
            )
    present = [a for a in ACTIVITIES if any(b.activity == a for b in roster.blocks)]
    handles = [Patch(color=ACTIVITY_COLORS[a], label=label(ACTIVITY_LABELS, a, lg)) for a in present]
    if new:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False)
    else:
        axes[0].legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(handles))
    title = tr("排班甘特图", "Roster", lg) + ("" if many else f" · {day_label(dates[0], lg)}")
    set_title(fig, axes, new, title)
    return fig


# ---- scenario comparison ---------------------------------------------------------------------------------

METRICS: dict[str, tuple[str, str, str]] = {
    "objective": ("目标值 (元)", "Objective (CNY)", "{:,.0f}"),
    "staff_hours": ("员工工时 (小时)", "Staff hours", "{:.0f}"),
    "cost_cny": ("人工成本 (元)", "Staff cost (CNY)", "{:,.0f}"),
    "forecast_arrivals": ("预测到达", "Forecast arrivals", "{:.0f}"),
    "expected_wait_min": ("预期平均等待 (分钟)", "Expected mean wait (min)", "{:.1f}"),
    "simulated_arrivals": ("模拟到达", "Simulated arrivals", "{:.0f}"),
    "mean_wait_min": ("平均等待 (分钟)", "Mean wait (min)", "{:.1f}"),
    "share_within_target": ("目标内叫号比例", "Share within target", "{:.0%}"),
    "p90_wait_min": ("P90 等待 (分钟)", "P90 wait (min)", "{:.1f}"),
    "abandoned": ("放弃人数", "Abandoned", "{:.0f}"),
    "hard_violations": ("违反硬性规则数", "Hard-rule breaks", "{:.0f}"),
}
"""Columns of ``compare()`` (the week's figures of :mod:`scheduler.report.kpis`) that :func:`compare_plot`
draws: (Chinese label, English label, value format)."""

_SOLVED = {"optimal", "feasible", "ok", ""}


def compare_plot(
    comparison: pd.DataFrame,
    metrics: Sequence[str] = ("staff_hours", "mean_wait_min", "share_within_target"),
    *,
    ax: Axes | Sequence[Axes] | None = None,
    lang: str | None = None,
) -> Figure:
    """Scenarios side by side: one panel per metric, one horizontal bar per scenario, first row = baseline.

    The baseline bar is dark and its value a dotted reference line; each other bar is labelled with its value
    and the change against the baseline. A scenario whose ``status`` is not optimal/feasible is hatched; one
    whose cost difference to the baseline is not certain (``delta_certain`` False, see
    :func:`~scheduler.app.scenario.compare`) is drawn pale and its name marked "差异未证实" (not proven).
    """
    lg = resolve_lang(lang)
    metrics = [m for m in metrics if m in comparison.columns]
    if not metrics or comparison.empty:
        raise ValueError(f"nothing to compare: need rows and at least one of {list(METRICS)} as columns")
    given = [str(v) for v in comparison["scenario"]] if "scenario" in comparison.columns else []
    names = [readable_name(n, i + 1) for i, n in enumerate(given)] or [
        f"#{i + 1}" for i in range(len(comparison))
    ]
    status = [str(s).lower() for s in comparison.get("status", pd.Series([""] * len(comparison)))]
    failed = [s not in _SOLVED for s in status]
    sure = comparison["delta_certain"] if "delta_certain" in comparison.columns else None
    unproven = [
        i > 0 and not failed[i] and sure is not None and not bool(sure.iloc[i]) for i in range(len(names))
    ]
    ticks = [
        n
        + (
            f" ({label(STATUS_LABELS, status[i].upper(), lg) or tr('无解', 'no roster', lg)})"
            if failed[i]
            else tr(" (差异未证实)", " (not proven)", lg)
            if unproven[i]
            else ""
        )
        for i, n in enumerate(names)
    ]
    size = (3.4 * len(metrics) + 1.6, 0.42 * len(names) + 1.6)
    fig, axes, new = panels(len(metrics), ax, size, ncols=len(metrics), sharey=True)
    ys = np.arange(len(names))
    for a, m in zip(axes, metrics, strict=True):
        vals = pd.to_numeric(comparison[m], errors="coerce").to_numpy(dtype=float)
        colours = ["#4D4D4D"] + ["#C9DCEF" if pale else "#5B9BD5" for pale in unproven[1:]]
        bars = a.barh(ys, np.nan_to_num(vals), color=colours, height=0.62)
        for b, bad in zip(bars, failed, strict=True):
            if bad:
                b.set_hatch("///")
                b.set_edgecolor("#C62828")
        zh, en, fmt = METRICS.get(m, (m, m, "{:g}"))
        top = np.nanmax(np.abs(vals)) if np.isfinite(vals).any() else 1.0
        for i, v in enumerate(vals):
            text = "—" if not np.isfinite(v) else fmt.format(v)
            if i and np.isfinite(v) and np.isfinite(vals[0]) and v != vals[0]:
                sign = "+" if v > vals[0] else "−"
                if m == "share_within_target":
                    pp = f"{abs(v - vals[0]) * 100:.0f}"
                    text += tr(f" ({sign}{pp} 个百分点)", f" ({sign}{pp} pp)", lg)
                else:
                    text += f" ({sign}{fmt.format(abs(v - vals[0]))})"
            a.text(max(v, 0) if np.isfinite(v) else 0, i, " " + text, va="center", fontsize=8)
        if np.isfinite(vals[0]):
            a.axvline(vals[0], color="#4D4D4D", lw=0.8, ls=":")
        if m == "share_within_target":
            a.set_xlim(0, 1.5)
            a.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
            a.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0%}"))
        else:
            a.set_xlim(0, top * 1.45 if top > 0 else 1)
        a.set_title(tr(zh, en, lg), fontsize=10)
        a.grid(axis="x", color="#EBEBEB", lw=0.6)
        a.set_axisbelow(True)
        a.tick_params(axis="y", length=0)
    axes[0].set_yticks(ys, ticks)
    axes[0].set_ylim(len(names) - 0.5, -0.5)
    set_title(fig, axes, new, tr("情景比较 (第一行为基准)", "Scenarios compared (first row = baseline)", lg))
    if new and any(unproven):
        fig.supxlabel(
            tr(
                "浅色 = 差异未证实: 与基准的成本区间 [下界, 目标值] 重叠, 差异可能来自求解器而非方案本身",
                "Pale = not proven: its cost interval [bound, objective] overlaps the baseline's, so the "
                "difference may be the solver's, not the scenario's",
                lg,
            ),
            fontsize=8,
            color="#555555",
        )
    return fig


# ---- cost and waiting against headcount or demand ------------------------------------------------------


def _numbers(df: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(df[name], errors="coerce").to_numpy(dtype=float)


def _shade_breaks(df: pd.DataFrame, xs: np.ndarray, axes: Sequence[Axes], half: float, lg: str) -> None:
    """Hatch the x where the rules cannot hold (red) or no roster was found in time (grey), on every panel;
    the legend entries go on the last."""
    holds = df["holds_rules"].to_numpy(dtype=bool)
    timed_out = ~holds & (df["status"].astype(str).to_numpy() == "UNKNOWN")
    shades = (
        (~holds & ~timed_out, "#C62828", "rules_break", tr("规则无法满足", "Rules cannot hold", lg)),
        (timed_out, "#9E9E9E", "timed_out", tr("时限内未找到班表", "No roster found in time", lg)),
    )
    for where, ink, gid, text in shades:
        for a in axes:
            for xi in xs[where]:
                a.axvspan(xi - half, xi + half, fc=ink, alpha=0.12, hatch="//", ec=ink, lw=0, gid=gid)
        if where.any():
            axes[-1].fill_between([], [], fc=ink, alpha=0.12, hatch="//", ec=ink, label=text)


def _cost_panel(a: Axes, df: pd.DataFrame, xs: np.ndarray, lg: str) -> None:
    """Total cost with its certified interval, and staff pay."""
    a.fill_between(
        xs, _numbers(df, "best_bound"), _numbers(df, "objective"), color="#5B9BD5", alpha=0.25, lw=0
    )
    a.plot(
        xs,
        _numbers(df, "objective"),
        "o-",
        color="#1F4E79",
        label=tr("总成本 (目标值)", "Total cost (objective)", lg),
    )
    a.plot(xs, _numbers(df, "cost_cny"), "s--", color="#7F7F7F", label=tr("人工成本", "Staff pay", lg))
    a.fill_between(
        [],
        [],
        color="#5B9BD5",
        alpha=0.25,
        label=tr("证实区间 [下界, 目标值]", "Certified [bound, objective]", lg),
    )
    a.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    a.set_title(tr("每周成本 (元)", "Weekly cost (CNY)", lg), fontsize=10)


def _wait_panel(a: Axes, df: pd.DataFrame, xs: np.ndarray, level: dict[str, float], lg: str) -> None:
    """Mean and P90 wait, each point's share called within the target, the longest mean wait allowed; the
    points that hold the rules but miss the service level hollow."""
    mean = _numbers(df, "mean_wait_min")
    misses = df["holds_rules"].to_numpy(dtype=bool) & ~df["meets_target"].to_numpy(dtype=bool)
    a.plot(xs, mean, "o-", color="#D55E00", label=tr("平均等待", "Mean wait", lg))
    a.plot(xs, _numbers(df, "p90_wait_min"), "^--", color="#E69F00", label=tr("P90 等待", "P90 wait", lg))
    a.scatter(
        xs[misses],
        mean[misses],
        s=70,
        fc="white",
        ec="#C62828",
        zorder=3,
        gid="misses_target",
        label=tr("未达服务目标", "Misses the service level", lg),
    )
    for xi, m, share in zip(xs, mean, _numbers(df, "share_within_target"), strict=True):
        if np.isfinite(m) and np.isfinite(share):
            a.annotate(
                f"{share:.0%}", (xi, m), textcoords="offset points", xytext=(0, -13), ha="center", fontsize=7
            )
    title = tr("等待 (分钟)", "Waiting (min)", lg)
    if level.get("max_mean_wait_minutes") is not None:
        a.axhline(
            float(level["max_mean_wait_minutes"]),
            color="#555555",
            ls=":",
            lw=1,
            label=tr("平均等待上限", "Longest mean wait", lg),
        )
    if level.get("target_share") is not None:
        within, share = level["target_wait_minutes"], level["target_share"]
        title += tr(
            f"; 数字 = {within:g} 分钟内叫号比例, 目标 {share:.0%}",
            f"; % = called within {within:g} min, target {share:.0%}",
            lg,
        )
    a.set_ylim(bottom=0)
    a.set_title(title, fontsize=10)


def curve_plot(curve: pd.DataFrame, *, ax: Sequence[Axes] | None = None, lang: str | None = None) -> Figure:
    """Cost and waiting against headcount or demand: a :func:`~scheduler.app.scenario.headcount_curve` or
    :func:`~scheduler.app.scenario.demand_curve` table.

    Left, the week's total cost (the objective) with its certified interval ``[best_bound, objective]``
    shaded, and the staff pay; right, the simulated mean and P90 wait with the service level's longest mean
    wait dotted and each point's share called within the target. Where the branch's rules cannot hold
    (``holds_rules`` False) both panels are hatched red (patches with gid ``"rules_break"``), grey where no
    roster was found in time but none was proved impossible either (status UNKNOWN, gid ``"timed_out"``);
    a point that holds the rules but misses the service level (``meets_target`` False) is drawn hollow
    (gid ``"misses_target"``).
    """
    lg = resolve_lang(lang)
    x = str(curve.attrs.get("x") or ("headcount" if "headcount" in curve.columns else "demand_scale"))
    if curve.empty or x not in curve.columns:
        raise ValueError("nothing to draw: need a headcount_curve or demand_curve table")
    df = curve.sort_values(x)
    xs = df[x].to_numpy(dtype=float)
    fig, (cost, wait), new = panels(2, ax, (10.5, 4.4), ncols=2)
    half = (float(np.min(np.diff(xs))) if len(xs) > 1 else 1.0) / 2
    _shade_breaks(df, xs, (cost, wait), half, lg)
    _cost_panel(cost, df, xs, lg)
    _wait_panel(wait, df, xs, curve.attrs.get("service_level") or {}, lg)
    post = curve.attrs.get("post")
    if x == "headcount":
        xlabel = (
            tr(f"{label(POSTS, post, 'zh')}人数", f"{label(POSTS, post, 'en')}s", lg)
            if post
            else tr("人数", "Headcount", lg)
        )
    else:
        xlabel = tr("客流倍数", "Demand factor", lg)
    for a in (cost, wait):
        a.set_xticks(xs, [f"{v:g}" if x == "headcount" else f"×{v:g}" for v in xs])
        a.set_xlim(xs[0] - half, xs[-1] + half)
        a.set_xlabel(xlabel)
        a.grid(color="#EBEBEB", lw=0.6)
        a.set_axisbelow(True)
        a.legend(fontsize=8, frameon=False)
    what = tr("编制曲线", "Headcount curve", lg) if x == "headcount" else tr("客流曲线", "Demand curve", lg)
    set_title(fig, [cost, wait], new, what)
    return fig


def save(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write the figure as PNG, atomically (nothing half-written on failure); returns the path."""
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=dpi, bbox_inches="tight")
    return Path(path)
