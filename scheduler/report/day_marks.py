"""What a day's header says besides its type: the statutory holiday, the 调休 make-up working day (补班) and
the pension and payroll days (养老金发放日, 代发工资日) — the days a branch prepares for.

The week and day sheets of roster.xlsx and the 指标 sheet read them from :func:`day_marks`; the calendar
(:class:`~constraints.calendar.BranchCalendar`: chinesecalendar, the overrides CSV, ``[calendar]``
pension/payroll days carried past closed days) is the one source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from constraints.calendar import BranchCalendar, holiday_name
from constraints.errors import InputError
from constraints.i18n import HOLIDAY_LABELS, label, tr
from constraints.problem import Problem


@dataclass(frozen=True)
class DayMarks:
    """The marks of one day (``holiday``: chinesecalendar's name of the holiday the day belongs to)."""

    date: dt.date
    day_type: str
    holiday: str | None = None
    pension: bool = False
    payroll: bool = False

    def labels(self, lang: str) -> list[str]:
        """``国庆节`` / ``国庆节补班`` / ``养老金发放日`` / ``代发工资日``, in that order (empty for a plain day)."""
        out: list[str] = []
        name = label(HOLIDAY_LABELS, self.holiday, lang) if self.holiday else ""
        if self.day_type == "holiday" and name:
            out.append(name)
        if self.day_type == "makeup_workday":
            out.append(tr(f"{name}补班", f"make-up day ({name})" if name else "make-up day", lang))
        if self.pension:
            out.append(tr("养老金发放日", "pension day", lang))
        if self.payroll:
            out.append(tr("代发工资日", "payroll day", lang))
        return out

    def text(self, lang: str, sep: str = " ") -> str:
        """The labels joined (empty for a plain day)."""
        return sep.join(self.labels(lang))

    @property
    def payday(self) -> bool:
        """A pension or payroll day: a crowd at the cash counter."""
        return self.pension or self.payroll


def day_marks(problem: Problem) -> dict[dt.date, DayMarks]:
    """The marks of every day of the problem. Pension and payroll days come from the branch's calendar; a
    calendar that cannot say (a year the holiday package lacks, an unreadable overrides file — already
    reported where the week was planned) marks none."""
    dates = [d.date for d in problem.days]
    if not dates:
        return {}
    try:
        paid = BranchCalendar(problem.config).paydays(min(dates), max(dates))
        pension, payroll = paid.pension, paid.payroll
    except InputError:
        pension = payroll = frozenset()
    return {
        d.date: DayMarks(
            date=d.date,
            day_type=d.day_type,
            holiday=holiday_name(d.date) if d.day_type in ("holiday", "makeup_workday") else None,
            pension=d.date in pension,
            payroll=d.date in payroll,
        )
        for d in problem.days
    }


__all__ = ["DayMarks", "day_marks"]
