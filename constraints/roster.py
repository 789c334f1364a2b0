"""A finished roster, solver-free: who does what, when. The shape of roster.csv.

A roster is a set of contiguous blocks ``(date, staff_id, start, end, activity)``; a person not listed on a
date is off. Rules audit it through :meth:`Roster.grid`, the people × slots activity matrix of one day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES, TimeRange, fmt_hhmm, parse_hhmm
from constraints.errors import InputError
from constraints.staff import OUTREACH_POSTS, Absence, Staff

ACTIVITIES: tuple[str, ...] = (
    "high_counter",
    "low_counter",
    "corporate_counter",
    "lobby",
    "back_office",
    "outreach",
    "talk",
    "meeting",
    "break",
)
"""Activities of roster.csv. back_office is 后台 work; outreach is 营销/外拓, the sales posts' time away from the
counters and the lobby (:func:`with_outreach`); talk is a 季度谈话 scheduled into the roster, on both the
employee's and the 支行长's blocks (:func:`talk_events`: the rules read it as back office with both busy);
meeting is the 晨会; break is lunch."""

TALK_REASON = "季度谈话"
"""The reason of the event a ``talk`` block stands for (what events.csv would record)."""

TALK_KIND = "talk"
"""The ``Absence.kind`` of a talk scheduled into the roster (:func:`talk_events`): busy at work in the branch,
unlike an event recorded in events.csv (time away), so it excuses nobody from the 晨会."""

OFF_FLOOR: tuple[str, ...] = ("back_office", "outreach")
"""Work away from the counters and the lobby: a person doing it is in the branch's reach (a backup, a move)."""

OFF = ""
"""Grid value of a slot the person is not at work."""

ROSTER_COLUMNS: tuple[str, ...] = ("date", "staff_id", "name", "post", "start", "end", "activity")

_ACTIVITY_ALIASES = {
    "高柜": "high_counter",
    "低柜": "low_counter",
    "对公": "corporate_counter",
    "大堂": "lobby",
    "后台": "back_office",
    "营销": "outreach",
    "外拓": "outreach",
    "营销外拓": "outreach",
    "营销/外拓": "outreach",
    "外出营销": "outreach",
    "谈话": "talk",
    "季度谈话": "talk",
    "晨会": "meeting",
    "会议": "meeting",
    "午餐": "break",
    "午休": "break",
    "休息": "break",
}


def with_outreach(roster: Roster, staff: Staff) -> Roster:
    """``roster`` with the back-office time of the sales posts (:data:`constraints.staff.OUTREACH_POSTS`: 销售主管,
    理财经理, 客户经理, 信贷员) labelled ``outreach`` (营销/外拓), as roster.csv and roster.xlsx show it. The model
    plans that time as work off the floor; every rule treats the two alike (:data:`OFF_FLOOR`)."""
    sales = {p.staff_id for p in staff if p.post in OUTREACH_POSTS}
    if not sales:
        return roster
    return Roster(
        tuple(
            dataclasses.replace(b, activity="outreach")
            if b.activity == "back_office" and b.staff_id in sales
            else b
            for b in roster.blocks
        )
    )


def without_outreach(roster: Roster, *, keep_talks: bool = False) -> Roster:
    """``roster`` with ``outreach`` and ``talk`` read as the model plans them, ``back_office`` (the inverse of
    :func:`with_outreach` and of the talks scheduled into a written roster: a roster read back from roster.csv
    or roster.xlsx, as the solver takes it); ``keep_talks``: the ``talk`` blocks stay (a re-plan compares
    the talks too)."""
    read = ("outreach",) if keep_talks else ("outreach", "talk")
    if not any(b.activity in read for b in roster.blocks):
        return roster
    return Roster(
        tuple(
            dataclasses.replace(b, activity="back_office") if b.activity in read else b for b in roster.blocks
        )
    )


def without_talks(roster: Roster) -> Roster:
    """``roster`` with its ``talk`` blocks read as ``back_office`` (the talk is work in the branch, off the
    floor; :func:`talk_events` says who is busy then)."""
    if not any(b.activity == "talk" for b in roster.blocks):
        return roster
    return Roster(
        tuple(
            dataclasses.replace(b, activity="back_office") if b.activity == "talk" else b
            for b in roster.blocks
        )
    )


def talk_events(roster: Roster) -> tuple[Absence, ...]:
    """An event (reason ``季度谈话``) for every ``talk`` block: the person is busy then — not free to take over
    the lobby or to be moved, as an event in events.csv would say."""
    return tuple(
        Absence(
            staff_id=b.staff_id,
            date=b.date,
            hours=TimeRange(start=b.start, end=b.end),
            reason=TALK_REASON,
            kind=TALK_KIND,
        )
        for b in roster.blocks
        if b.activity == "talk"
    )


def parse_activity(text: str) -> str:
    """Activity id from an id or its Chinese label; ``ValueError`` when unknown."""
    t = str(text).strip()
    t = _ACTIVITY_ALIASES.get(t, t)
    if t not in ACTIVITIES:
        raise ValueError(f"未知活动 (unknown activity); 可选 (choose from) {list(ACTIVITIES)}")
    return t


@dataclass(frozen=True, order=True)
class Block:
    """One person doing one activity from ``start`` to ``end`` (minutes after midnight) on ``date``."""

    date: dt.date
    staff_id: str
    start: int
    end: int
    activity: str


@dataclass(frozen=True)
class Roster:
    """A week's (or any period's) roster as sorted blocks."""

    blocks: tuple[Block, ...]
    _index: dict[tuple[dt.date, str], list[Block]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", tuple(sorted(self.blocks)))
        idx: dict[tuple[dt.date, str], list[Block]] = defaultdict(list)
        for b in self.blocks:
            idx[(b.date, b.staff_id)].append(b)
        object.__setattr__(self, "_index", dict(idx))

    # ---- building ------------------------------------------------------------------------------------------

    @classmethod
    def from_grid(cls, day: Day, staff_ids: Sequence[str], grid: np.ndarray) -> Roster:
        """Blocks from one day's people × slots activity matrix (``OFF`` = not at work)."""
        blocks: list[Block] = []
        starts = day.slot_starts
        for p, sid in enumerate(staff_ids):
            row = grid[p]
            s = 0
            while s < len(row):
                act = row[s]
                e = s
                while e + 1 < len(row) and row[e + 1] == act:
                    e += 1
                if act != OFF:
                    blocks.append(Block(day.date, sid, starts[s], starts[e] + day.slot_minutes, str(act)))
                s = e + 1
        return cls(tuple(blocks))

    @classmethod
    def concat(cls, rosters: Iterable[Roster]) -> Roster:
        """One roster from several (e.g. one per day)."""
        return cls(tuple(b for r in rosters for b in r.blocks))

    @classmethod
    def from_frame(cls, df: pd.DataFrame, source: str | Path = "roster.csv") -> Roster:
        """Read the roster.csv shape (times HH:MM; activity id or Chinese label), naming any bad cell."""
        missing = [c for c in ("date", "staff_id", "start", "end", "activity") if c not in df.columns]
        if missing:
            raise InputError(f"缺少列 (missing columns) {missing}", file=source, row=1, column=missing[0])
        blocks = []
        for i, rec in enumerate(df.to_dict("records"), start=2):
            try:
                date = pd.Timestamp(str(rec["date"])).date()
            except ValueError:
                raise InputError(
                    "无法识别的日期 (unparsable date)", file=source, row=i, column="date", value=rec["date"]
                ) from None
            try:
                start, end = parse_hhmm(str(rec["start"])), parse_hhmm(str(rec["end"]))
            except ValueError as exc:
                raise InputError(
                    str(exc), file=source, row=i, column="start", value=f"{rec['start']}-{rec['end']}"
                ) from None
            if end <= start:
                raise InputError(
                    "结束时间不晚于开始时间 (end is not after start)",
                    file=source,
                    row=i,
                    column="end",
                    value=rec["end"],
                )
            try:
                act = parse_activity(str(rec["activity"]))
            except ValueError as exc:
                raise InputError(
                    str(exc), file=source, row=i, column="activity", value=rec["activity"]
                ) from None
            blocks.append(Block(date, str(rec["staff_id"]).strip(), start, end, act))
        return cls(tuple(blocks))

    # ---- reading -------------------------------------------------------------------------------------------

    def dates(self) -> list[dt.date]:
        """Dates with at least one block."""
        return sorted({b.date for b in self.blocks})

    def blocks_of(self, date: dt.date, staff_id: str) -> list[Block]:
        """One person's blocks on one date, in time order."""
        return self._index.get((date, staff_id), [])

    def works(self, date: dt.date, staff_id: str) -> bool:
        """True when the person has any block that date."""
        return bool(self.blocks_of(date, staff_id))

    def paid_minutes(self, date: dt.date, staff_id: str) -> int:
        """Minutes the person is at work that date, lunch left out (as the labour rule counts them)."""
        return sum(b.end - b.start for b in self.blocks_of(date, staff_id) if b.activity != "break")

    def shift(self, date: dt.date, staff_id: str) -> tuple[int, int] | None:
        """(first start, last end) of the person's day, or None when off."""
        bl = self.blocks_of(date, staff_id)
        return (bl[0].start, max(b.end for b in bl)) if bl else None

    def grid(self, day: Day, staff_ids: Sequence[str]) -> np.ndarray:
        """People × slots matrix of activity ids for one day (``OFF`` where not at work).

        A block that covers only part of a slot counts for the slot it starts in; blocks outside staff time
        are clipped (the ``daily_routine`` and ``labour`` checks see shifts through :meth:`shift`).
        """
        n = len(day.slot_starts)
        g = np.full((len(staff_ids), n), OFF, dtype=object)
        if not n:
            return g
        for p, sid in enumerate(staff_ids):
            for b in self.blocks_of(day.date, sid):
                s0 = max(0, day.slot_of(b.start))
                s1 = min(n, -(-(b.end - day.slot_starts[0]) // day.slot_minutes))
                g[p, s0:s1] = b.activity
        return g

    def open_windows(self, day: Day, staff_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Per counter type, people at that counter in each slot of the day."""
        g = self.grid(day, staff_ids)
        return {c: (g == c).sum(axis=0).astype(int) for c in COUNTER_TYPES}

    def hours(self, staff_id: str, dates: Iterable[dt.date] | None = None) -> float:
        """Paid hours (lunch excluded) of a person over the dates (all when None)."""
        ds = set(dates) if dates is not None else None
        return (
            sum(
                b.end - b.start
                for b in self.blocks
                if b.staff_id == staff_id and b.activity != "break" and (ds is None or b.date in ds)
            )
            / 60.0
        )

    def to_frame(self, staff: Staff | None = None) -> pd.DataFrame:
        """roster.csv: date, staff_id, name, post, start, end, activity (times HH:MM)."""
        names = {p.staff_id: (p.name, p.post) for p in staff} if staff is not None else {}
        rows = [
            {
                "date": b.date.isoformat(),
                "staff_id": b.staff_id,
                "name": names.get(b.staff_id, ("", ""))[0],
                "post": names.get(b.staff_id, ("", ""))[1],
                "start": fmt_hhmm(b.start),
                "end": fmt_hhmm(b.end),
                "activity": b.activity,
            }
            for b in self.blocks
        ]
        return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, when, who, and why in Chinese and English."""

    rule: str
    date: dt.date | None
    start: int | None
    end: int | None
    message_zh: str
    message_en: str
    staff_ids: tuple[str, ...] = ()
    hard: bool = True

    def message(self, lang: str = "zh") -> str:
        """The message in the chosen language."""
        return self.message_en if lang == "en" else self.message_zh

    def as_dict(self, lang: str = "zh") -> dict[str, object]:
        """The summary.json shape: rule, date, start, end, message (+ staff, hard)."""
        return {
            "rule": self.rule,
            "date": self.date.isoformat() if self.date else None,
            "start": fmt_hhmm(self.start) if self.start is not None else None,
            "end": fmt_hhmm(self.end) if self.end is not None else None,
            "message": self.message(lang),
            "staff": list(self.staff_ids),
            "hard": self.hard,
        }
