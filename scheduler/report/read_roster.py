"""Read a roster back — roster.csv as paiban wrote it, or roster.xlsx after a person edited it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from constraints.calendar import Day
from constraints.errors import InputError
from constraints.io import EXCEL_SUFFIXES, read_table
from constraints.roster import Roster
from constraints.staff import Staff
from scheduler.report.workbook import read_workbook


def read_roster(
    path: str | Path, staff: Staff, days: Sequence[Day], weeks_option: str | None = None
) -> Roster:
    """The roster in ``path`` (.csv or .xlsx day sheets); unknown staff ids or dates outside ``days`` are errors
    — after ``days``, the error says how many weeks to give ``weeks_option`` (``--weeks``) when it is named."""
    p = Path(path)
    if p.suffix.lower() in EXCEL_SUFFIXES:
        return read_workbook(p, staff, days)
    df = read_table(p)
    roster = Roster.from_frame(df, source=p)  # validates dates, times and activities cell by cell
    known = set(staff.ids())
    dates = {d.date for d in days}
    for i, (sid, raw_date) in enumerate(zip(df["staff_id"], df["date"], strict=True), start=2):
        if str(sid).strip() not in known:
            raise InputError(
                "员工名单中没有这个工号 (no such staff id in the staff list)",
                file=p,
                row=i,
                column="staff_id",
                value=sid,
            )
        date = pd.Timestamp(str(raw_date)).date() if dates else None
        if date is not None and date not in dates:
            hint = ""
            if weeks_option is not None and date > max(dates):
                n = (date - min(dates)).days // 7 + 1
                hint = f"; 多周的排班请加 {weeks_option} {n} 或更多 (a roster of several weeks: {weeks_option} {n} or more)"
            raise InputError(
                f"日期不在所查的{'一周' if len(dates) <= 7 else '几周'}内 (date outside the "
                f"{'week' if len(dates) <= 7 else 'weeks'} checked, {min(dates)} – {max(dates)}){hint}",
                file=p,
                row=i,
                column="date",
                value=raw_date,
            )
    return roster
