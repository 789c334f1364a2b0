"""A replayed day on one plot: customers waiting with the roster alone against with the live advice followed.

Drawn from plain data (the app's :class:`~scheduler.app.intraday_replay.Replay` hands it over): a frame with
``time`` (minutes after midnight), ``counter``, ``roster`` and ``advice`` (customers waiting at that minute), and
the moves as (start, end, label) spans, shaded along the top.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from constraints.i18n import tr
from scheduler.report.plot_common import (
    ACTIVITY_COLORS,
    counter_name,
    day_label,
    panels,
    resolve_lang,
    safe_text,
    set_title,
)

ROSTER_COLOUR = "#7F7F7F"
ADVICE_COLOUR = "#0072B2"


def intraday_plot(
    frame: pd.DataFrame,
    moves: Sequence[tuple[int, int, str]],
    date: dt.date,
    *,
    ax: Axes | None = None,
    lang: str | None = None,
) -> Figure:
    """Total customers waiting per minute, roster alone (grey) vs advice followed (blue), per counter thin.

    ``moves`` are (start, end, label) in minutes; each is shaded and labelled. Returns the figure.
    """
    lg = resolve_lang(lang)
    fig, (a,), new = panels(1, ax, (10.0, 4.2))
    total = frame.groupby("time", sort=True)[["roster", "advice"]].sum()
    hours = total.index.to_numpy(float) / 60.0
    a.plot(hours, total["roster"], color=ROSTER_COLOUR, lw=1.6, label=tr("按排班", "Roster alone", lg))
    a.plot(hours, total["advice"], color=ADVICE_COLOUR, lw=1.8, label=tr("按建议调配", "Advice followed", lg))
    for counter, part in frame.groupby("counter", sort=False):
        if part["roster"].max() <= 0:
            continue
        colour = ACTIVITY_COLORS.get(str(counter), "C3")
        a.plot(part["time"] / 60.0, part["advice"], color=colour, lw=0.8, alpha=0.7, ls=":",
               label=tr(f"{counter_name(str(counter), lg)} (建议)", f"{counter_name(str(counter), lg)} (advice)",
                        lg))  # fmt: skip
    top = float(max(total["roster"].max(), total["advice"].max(), 1)) if len(total) else 1.0
    for k, (start, end, text) in enumerate(moves):
        a.axvspan(start / 60.0, end / 60.0, color=ADVICE_COLOUR, alpha=0.08, lw=0)
        a.text(start / 60.0, top * (1.02 + 0.07 * (k % 3)), safe_text(text, f"#{k + 1}"), fontsize=7,
               color=ADVICE_COLOUR, va="bottom")  # fmt: skip
    ticks = np.arange(np.floor(hours.min(initial=9)), np.ceil(hours.max(initial=17)) + 1)
    a.set_xticks(ticks, [f"{int(h):02d}:00" for h in ticks])
    a.set_ylim(0, top * 1.3)
    a.set_ylabel(tr("排队人数", "Customers waiting", lg))
    a.set_xlabel(day_label(date, lg))
    a.legend(loc="upper right", frameon=False, fontsize=8)
    set_title(fig, [a], new, tr("现场调配回放: 排队人数", "Intraday replay: customers waiting", lg))
    return fig
