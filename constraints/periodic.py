"""The seed's periodic duties in a plan week: the 季度谈话 and the 网点经营分析会 (``[periodic]`` in branch.toml).

* 季度谈话: the 支行长 talks with every employee one to one, within the first ``talk_within_days`` (15) days of
  a quarter's first month (January, April, July, October), at most two hours each.
* 网点经营分析会: held monthly at the regional office before the ``meeting_before_day`` (10th); the 支行长
  attends, off-site.

A duty is *done* when the events/leave files record it: an entry whose reason names it (季度谈话/谈话,
经营分析会) on a date in the window — the week's entries and any earlier ones the files list. Solver-free:
what is due; :mod:`scheduler.report.duties` suggests times for the talks in a finished roster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from constraints.calendar import Day
from constraints.config import BranchConfig
from constraints.staff import Absence, Staff

TALK_WORDS: tuple[str, ...] = ("季度谈话", "谈话", "quarterly talk", "talk")
"""Reasons in the events/leave files that record a 季度谈话."""
MEETING_WORDS: tuple[str, ...] = ("经营分析会", "经营分析", "business review", "analysis meeting")
"""Reasons that record the 网点经营分析会."""
QUARTER_FIRST_MONTHS: tuple[int, ...] = (1, 4, 7, 10)
CONVENOR_POST = "branch_president"
"""Who holds the talks and attends the meeting: the 支行长."""


def _names(reason: str, words: Sequence[str]) -> bool:
    text = reason.strip().lower()
    return any(w in text for w in words)


@dataclass(frozen=True)
class DutyWindow:
    """The dates a duty falls due in (both ends included)."""

    first: dt.date
    last: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last


def talk_window(config: BranchConfig, day: dt.date) -> DutyWindow | None:
    """The 季度谈话 window of ``day``'s month, when it is a quarter's first month."""
    if day.month not in QUARTER_FIRST_MONTHS:
        return None
    first = day.replace(day=1)
    last = min(config.periodic.talk_within_days, _month_days(day))
    return DutyWindow(first, day.replace(day=last))


def meeting_window(config: BranchConfig, day: dt.date) -> DutyWindow:
    """The 经营分析会 window of ``day``'s month (from the 1st to the day before ``meeting_before_day``)."""
    last = min(config.periodic.meeting_before_day - 1, _month_days(day))
    return DutyWindow(day.replace(day=1), day.replace(day=last))


def _month_days(day: dt.date) -> int:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (nxt - dt.timedelta(days=1)).day


@dataclass(frozen=True)
class PeriodicDuties:
    """What the plan week owes the periodic duties (empty when it lies in no window)."""

    talk_window: DutyWindow | None = None  # the window the week overlaps (None: no talks due this week)
    talk_days: tuple[dt.date, ...] = ()  # the week's open days in the window
    talks_done: tuple[tuple[str, dt.date], ...] = ()  # (staff id, date) recorded in the window
    talks_due: tuple[str, ...] = ()  # staff ids still owed a talk (staff-list order)
    convenor: str | None = None  # the 支行长 who holds the talks (None: no such post)
    meeting_window: DutyWindow | None = None
    meeting_days: tuple[dt.date, ...] = ()  # the week's open days in the window
    meeting_done: tuple[dt.date, ...] = ()  # dates the files record the meeting on, in the window

    @property
    def any(self) -> bool:
        """True when the week lies in a window."""
        return self.talk_window is not None or self.meeting_window is not None


def periodic_duties(
    config: BranchConfig, staff: Staff, days: Sequence[Day], absences: Iterable[Absence]
) -> PeriodicDuties:
    """The duties whose window the week's open days (``days``) overlap, and who or what is still due, from the
    events and leave recorded in ``absences`` (all of them, not just the week's)."""
    open_days = [d.date for d in days if d.is_open]
    away = list(absences)
    convenor = next((p.staff_id for p in staff if p.post == CONVENOR_POST), None)
    talks = [w for d in open_days if (w := talk_window(config, d)) is not None and d in w]
    meetings = [w for d in open_days if d in (w := meeting_window(config, d))]
    talk = min(talks, key=lambda w: w.first) if config.periodic.talks and talks else None
    meeting = min(meetings, key=lambda w: w.first) if config.periodic.meeting and meetings else None
    done = sorted(
        {(a.staff_id, a.date) for a in away if talk and a.date in talk and _names(a.reason, TALK_WORDS)}
    )
    talked = {sid for sid, _ in done} | {convenor}
    return PeriodicDuties(
        talk_window=talk,
        talk_days=tuple(d for d in open_days if talk and d in talk),
        talks_done=tuple(done),
        talks_due=tuple(p.staff_id for p in staff if p.staff_id not in talked) if talk else (),
        convenor=convenor if talk or meeting else None,
        meeting_window=meeting,
        meeting_days=tuple(d for d in open_days if meeting and d in meeting),
        meeting_done=tuple(
            sorted(
                {a.date for a in away if meeting and a.date in meeting and _names(a.reason, MEETING_WORDS)}
            )
        ),
    )


__all__ = [
    "MEETING_WORDS",
    "TALK_WORDS",
    "DutyWindow",
    "PeriodicDuties",
    "meeting_window",
    "periodic_duties",
    "talk_window",
]
