"""The replayed day on one plot: customers waiting, roster alone vs advice followed, moves shaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import matplotlib
import numpy as np
import pandas as pd
import pytest

from scheduler.report import plots


@pytest.fixture(autouse=True)
def _restore_rc() -> Iterator[None]:
    """Keep each test's font settings to itself."""
    with matplotlib.rc_context():
        yield


def frame() -> pd.DataFrame:
    """Two counters over 09:00–10:00; the advice halves the high counter's queue from 09:30."""
    t = np.arange(540, 600)
    high = np.minimum(t - 540, 12)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "time": t,
                    "counter": "high_counter",
                    "roster": high,
                    "advice": np.where(t < 570, high, high // 2),
                }
            ),
            pd.DataFrame({"time": t, "counter": "low_counter", "roster": 1, "advice": 1}),
        ],
        ignore_index=True,
    )


def test_intraday_plot_draws_both_totals_and_shades_each_move() -> None:
    """Totals per minute (roster, advice) as the first two lines, one shaded span and label per move."""
    fig = plots.intraday_plot(frame(), [(570, 630, "S09→High counter")], dt.date(2026, 12, 1), lang="en")
    (ax,) = fig.axes
    roster, advice = ax.lines[:2]
    assert roster.get_label() == "Roster alone" and advice.get_label() == "Advice followed"
    np.testing.assert_array_equal(roster.get_xdata(), np.arange(540, 600) / 60)
    assert roster.get_ydata()[-1] == 13 and advice.get_ydata()[-1] == 7
    assert len(ax.patches) == 1 and ax.patches[0].get_x() == pytest.approx(9.5)
    assert [t.get_text() for t in ax.texts] == ["S09→High counter"]
    assert ax.get_ylim()[1] > 13


def test_intraday_plot_draws_on_given_axes() -> None:
    """An Axes handed in is drawn on; no new figure title."""
    fig = matplotlib.figure.Figure()
    ax = fig.add_subplot()
    assert plots.intraday_plot(frame(), [], dt.date(2026, 12, 1), ax=ax, lang="en") is fig
    assert len(ax.lines) >= 2
