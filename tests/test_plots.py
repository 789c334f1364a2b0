"""Plots: heatmap, Gantt and comparison draw the expected artists from small frames; save writes a PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plot_fixtures as fx
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer

from scheduler.report import plots

pytestmark = pytest.mark.usefixtures("restore_rc")


def _bars(ax: Axes) -> int:
    return sum(len(c) for c in ax.containers if isinstance(c, BarContainer))


# ---- forecast heatmap -------------------------------------------------------------------------------------


def test_heatmap_is_days_by_slots_with_one_mark_per_peak_cell() -> None:
    """The image is days × slots; one hatched patch per peak slot, one wash per trough slot, one outline."""
    fc = fx.forecast()
    fig = plots.forecast_heatmap(fc, "high_counter", lang="en")
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (2, 4)
    high = fc[fc["counter"] == "high_counter"]
    assert sum(p.get_gid() == "peak" for p in ax.patches) == (high["label"] == "peak").sum() == 3
    assert sum(p.get_gid() == "trough" for p in ax.patches) == (high["label"] == "trough").sum() == 2
    outline = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_gid() == "peak_outline"]
    assert len(outline) == 1 and len(outline[0].get_segments()) == 8  # the rim of an L of three cells
    assert [t.get_text() for t in ax.get_yticklabels()] == ["11-30 Mon", "12-01 Tue"]


def test_heatmap_all_counters_sums_arrivals_and_marks_any_peak() -> None:
    """counter=None sums the counters; a slot peaks when any counter peaks, is a trough only when all are."""
    ax = plots.forecast_heatmap(fx.forecast(), lang="en").axes[0]
    assert ax.images[0].get_array()[0, 2] == pytest.approx(10.0)  # 6 + 4 at Monday 10:00
    assert sum(p.get_gid() == "peak" for p in ax.patches) == 3
    assert sum(p.get_gid() == "trough" for p in ax.patches) == 0  # low counter is normal at 09:00


def test_heatmap_leaves_closed_slots_blank() -> None:
    """A slot open one day and closed another is masked (drawn grey) on the closed day."""
    fc = fx.forecast()
    fc = fc[~((fc["date"] == fx.TUE) & (fc["slot"] == 540))]
    arr = plots.forecast_heatmap(fc, "high_counter", lang="en").axes[0].images[0].get_array()
    assert np.ma.is_masked(arr[1, 0]) or np.isnan(arr[1, 0])
    assert not np.ma.is_masked(arr[0, 0])


def test_heatmap_unknown_counter_is_an_error() -> None:
    """Asking for a counter with no rows raises instead of drawing an empty plot."""
    with pytest.raises(ValueError, match="corporate_counter"):
        plots.forecast_heatmap(fx.forecast(), "corporate_counter")


# ---- roster Gantt -----------------------------------------------------------------------------------------


def test_gantt_one_day_has_one_bar_per_block_coloured_by_activity() -> None:
    """One panel, as many bars as the day's blocks, each in its activity's colour."""
    roster = fx.roster()
    fig = plots.roster_gantt(roster, fx.staff(), day=fx.MON, lang="en")
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    mon = [b for b in roster.blocks if b.date == fx.MON]
    assert _bars(ax) == len(mon)
    colours = [to_hex(p.get_facecolor()).upper() for p in ax.containers[0]]
    assert sorted(colours) == sorted(plots.ACTIVITY_COLORS[b.activity] for b in mon)


def test_gantt_week_is_small_multiples_with_all_blocks() -> None:
    """day=None draws one panel per roster date; the bars add up to the roster's blocks."""
    roster = fx.roster()
    fig = plots.roster_gantt(roster, fx.staff(), lang="en")
    assert len(fig.axes) == 2
    assert sum(_bars(a) for a in fig.axes) == len(roster.blocks)
    assert [a.get_title() for a in fig.axes] == ["11-30 Mon", "12-01 Tue"]


def test_gantt_groups_people_by_post_and_marks_who_is_off() -> None:
    """Rows follow the post order (president, wealth manager, teller); an absent person reads 休."""
    fx.require_cjk_font()
    fig = plots.roster_gantt(fx.roster(), fx.staff(), day=fx.MON, lang="zh")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["王建国", "刘洋", "赵敏"]
    assert "休" in fx.texts(fig)
    assert {"支行长", "理财经理", "个人业务柜员"} <= set(fx.texts(fig))


def test_gantt_without_staff_uses_ids_and_accepts_a_day_string() -> None:
    """Without a staff list rows are staff ids; a day may be given as YYYY-MM-DD."""
    fig = plots.roster_gantt(fx.roster(), day="2026-12-01", lang="en")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["P1", "T1", "W1"]
    assert _bars(fig.axes[0]) == 2


def test_gantt_keeps_blocks_of_people_missing_from_the_staff_list() -> None:
    """A roster id absent from the staff list still gets its row and bars (under '?'), never silently dropped."""
    roster = fx.roster()
    staff = fx.staff().model_copy(update={"people": fx.staff().people[:2]})  # no W1
    fig = plots.roster_gantt(roster, staff, day=fx.TUE, lang="en")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][-1] == "W1"
    assert _bars(fig.axes[0]) == 2 and "?" in fx.texts(fig)


# ---- comparison -------------------------------------------------------------------------------------------


def test_compare_plot_has_one_bar_per_scenario_and_metric() -> None:
    """Scenarios × metrics bars; the infeasible scenario is hatched and flagged; deltas against the baseline."""
    fig = plots.compare_plot(fx.comparison(), lang="en")
    assert len(fig.axes) == 3
    assert sum(_bars(a) for a in fig.axes) == 3 * 3
    assert len([p for a in fig.axes for p in a.containers[0] if p.get_hatch()]) == 3
    assert fig.axes[0].get_yticklabels()[2].get_text().endswith("(infeasible)")
    shown = [t.strip() for t in fx.texts(fig)]
    assert "430 (+30)" in shown and "78% (−7 pp)" in shown


def test_compare_plot_skips_absent_metrics_and_needs_one() -> None:
    """Metrics missing from the frame are left out; none at all is an error."""
    fig = plots.compare_plot(fx.comparison(), metrics=("cost_cny", "staff_hours"), lang="en")
    assert len(fig.axes) == 1
    with pytest.raises(ValueError, match="nothing to compare"):
        plots.compare_plot(fx.comparison(), metrics=("cost_cny",))


def test_compare_plot_marks_differences_not_proven() -> None:
    """A scenario whose cost difference is not certain is drawn pale and named "not proven"; a certain one
    and a failed one are not; a footnote says what pale means."""
    table = fx.comparison().assign(delta_certain=[False, False, False])
    fig = plots.compare_plot(table, lang="en")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[1].endswith("(not proven)") and ticks[2].endswith("(infeasible)") and ticks[0] == "基准"
    pale = [to_hex(b.get_facecolor()) for b in fig.axes[0].containers[0]]
    assert pale[1] != pale[0] and "not proven" in fig.get_supxlabel()
    sure = plots.compare_plot(table.assign(delta_certain=[False, True, False]), lang="en")
    assert not any(t.get_text().endswith("(not proven)") for t in sure.axes[0].get_yticklabels())
    assert sure.get_supxlabel() == ""


# ---- curves ------------------------------------------------------------------------------------------------


def _gids(ax: Axes, gid: str) -> int:
    return sum(1 for a in ax.get_children() if a.get_gid() == gid)


def test_curve_plot_marks_where_the_rules_stop_holding() -> None:
    """Two panels over the headcounts; impossible headcounts hatched red, a timed-out one grey, the one that
    misses the service level hollow; the certified interval shaded; the target line at 15 minutes."""
    fig = plots.curve_plot(fx.curve(), lang="en")
    cost, wait = fig.axes
    for ax in (cost, wait):
        assert _gids(ax, "rules_break") == 2 and _gids(ax, "timed_out") == 1
        assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3", "4", "5"]
        assert ax.get_xlabel() == "Personal tellers"
    hollow = [c for c in wait.collections if c.get_gid() == "misses_target"]
    assert len(hollow) == 1 and hollow[0].get_offsets().tolist() == [[3.0, 16.0]]
    assert any(line.get_ydata()[0] == 15.0 for line in wait.lines if line.get_linestyle() == ":")
    legend = [t.get_text() for t in wait.get_legend().get_texts()]
    assert "Rules cannot hold" in legend and "No roster found in time" in legend
    assert {"61%", "90%", "97%"} <= set(fx.texts(fig))


def test_curve_plot_of_demand_and_its_errors() -> None:
    """A demand curve is drawn against ×factors; a table without a curve's columns is refused."""
    demand = fx.curve().drop(columns="headcount").assign(demand_scale=[0.8, 0.9, 1.0, 1.1, 1.2, 1.3])
    demand.attrs = {"x": "demand_scale"}
    fig = plots.curve_plot(demand, lang="en")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()][-1] == "×1.3"
    assert fig.axes[0].get_xlabel() == "Demand factor"
    with pytest.raises(ValueError, match="headcount_curve"):
        plots.curve_plot(pd.DataFrame({"x": [1]}))


# ---- saving -----------------------------------------------------------------------------------------------


def test_save_writes_a_png_atomically(tmp_path: Path) -> None:
    """save writes a complete PNG and leaves no temporary file beside it."""
    out = plots.save(plots.compare_plot(fx.comparison(), lang="en"), tmp_path / "sub" / "compare.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in out.parent.iterdir()] == ["compare.png"]
