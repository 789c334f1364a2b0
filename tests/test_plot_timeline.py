"""Week timelines: open vs required windows with shortfall shaded, simulated waits with target lines."""

from __future__ import annotations

import numpy as np
import plot_fixtures as fx
import pytest

from scheduler.report import plots

pytestmark = pytest.mark.usefixtures("restore_rc")


def test_windows_plot_shades_one_bar_per_shortfall_slot() -> None:
    """One panel per counter; a shaded bar for every slot where open < required, spanning the gap."""
    req = fx.requirements()
    fig = plots.windows_plot(req, lang="en")
    assert [a.get_title(loc="left") for a in fig.axes] == ["High counter", "Low counter"]
    short = [p for p in fig.axes[0].patches if p.get_gid() == "shortfall"]
    assert len(short) == int((req["open_windows"] < req["required_windows"]).sum()) == 4
    assert sorted(p.get_height() for p in short) == [1, 1, 2, 2]
    assert not [p for p in fig.axes[1].patches if p.get_gid() == "shortfall"]


def test_windows_plot_without_open_windows_draws_requirement_only() -> None:
    """A requirements frame before any roster (no open_windows) shows the required line alone."""
    req = fx.requirements().drop(columns="open_windows")
    fig = plots.windows_plot(req, counter="high_counter", lang="en")
    assert len(fig.axes) == 1
    assert [ln.get_label() for ln in fig.axes[0].lines if not ln.get_label().startswith("_")] == ["Required"]
    assert not [p for p in fig.axes[0].patches if p.get_gid() == "shortfall"]


def test_windows_plot_unknown_counter_is_an_error() -> None:
    """Asking for a counter with no rows raises instead of drawing an empty panel."""
    with pytest.raises(ValueError, match="corporate_counter"):
        plots.windows_plot(fx.requirements(), "corporate_counter")


def test_wait_plot_has_mean_p90_and_target_lines() -> None:
    """Each counter panel has the mean and P90 lines and horizontal target lines at 15 and 30 minutes."""
    fig = plots.wait_plot(fx.simulation(), lang="en")
    assert len(fig.axes) == 2
    labels = [ln.get_label() for ln in fig.axes[0].lines]
    assert {"Mean wait", "P90 wait", "Mean target 15 min", "P90 target 30 min"} <= set(labels)
    mean = next(ln for ln in fig.axes[0].lines if ln.get_label() == "Mean wait")
    y = np.asarray(mean.get_ydata(), dtype=float)
    assert np.nanmax(y) == 25.0 and np.isnan(y).any()  # the slot without customers is a gap
    target = next(ln for ln in fig.axes[0].lines if ln.get_label() == "P90 target 30 min")
    assert list(target.get_ydata()) == [30.0, 30.0]


def test_wait_plot_targets_can_be_left_out() -> None:
    """mean_target=None and p90_target=None draw no target lines."""
    fig = plots.wait_plot(fx.simulation(), "high_counter", mean_target=None, p90_target=None, lang="en")
    assert not any("target" in ln.get_label() for ln in fig.axes[0].lines)


def test_single_day_timeline_shows_clock_hours() -> None:
    """With one day the x axis is labelled with clock hours, with several days by day."""
    req = fx.requirements()
    one = req[req["date"] == fx.MON.isoformat()]
    fig = plots.windows_plot(one, "high_counter", lang="en")
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert "09:00" in ticks and "10:00" in ticks
    many = [t.get_text() for t in plots.windows_plot(req, lang="en").axes[-1].get_xticklabels()]
    assert many == ["11-30 Mon", "12-01 Tue"]
