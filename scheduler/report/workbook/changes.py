"""What a re-plan changed, person-day by person-day, and why: changes.csv and the 变更通知 sheet read it.

A person-day *changed* when what one of its slots holds differs between the roster being repaired and the
re-planned one (from the cut on; a 季度谈话 `talk` counts). Each change gets one reason, the first that applies:

1. the person is away now (leave or an event that overlaps what they were rostered to do) — ``请假: 病假``;
2. only a 季度谈话 moved (the person's work is the same otherwise) — ``季度谈话改期 (与 朱红): 朱红 请假: 病假``;
3. someone else is away that day and their work had to be covered — ``顶替 黄丽``;
4. the person's week changed on such a day, so their hours and rest elsewhere follow — ``随 12-03 周四 调整``;
5. otherwise a rule needs it (the week's hours, cover that moved) or it saves more than it costs (new demand, a
   better spread) — ``重新安排``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from constraints.config import fmt_hhmm
from constraints.i18n import tr
from constraints.problem import Problem
from constraints.roster import Block, Roster
from constraints.rules.base import day_label, names
from constraints.staff import Absence
from scheduler.report.workbook.style import activity_label
from scheduler.report.workbook.week_sheet import WeekCell, week_cell

CHANGES_COLUMNS: tuple[str, ...] = ("date", "staff_id", "name", "before", "after", "reason")
"""changes.csv (DESIGN.md): one row per person-day changed."""


def cut_minute(cut: dt.datetime) -> int:
    """Minutes after midnight of the cut."""
    return cut.hour * 60 + cut.minute


def cut_label(cut: dt.datetime, lang: str) -> str:
    """``12-03 周四`` or ``12-03 周四 12:00``."""
    text = day_label(cut.date(), lang)
    return text if cut_minute(cut) == 0 else f"{text} {cut:%H:%M}"


def away_conflicts(problem: Problem, roster: Roster, cut: dt.datetime) -> dict[tuple[str, dt.date], Absence]:
    """(staff id, date) → the absence that overlaps what ``roster`` has the person do from ``cut`` on."""
    out: dict[tuple[str, dt.date], Absence] = {}
    for a in problem.absences:
        if a.date < cut.date() or (a.staff_id, a.date) in out:
            continue
        start = cut_minute(cut) if a.date == cut.date() else 0
        for b in roster.blocks_of(a.date, a.staff_id):
            lo = max(b.start, start, a.hours.start if a.hours else 0)
            hi = min(b.end, a.hours.end if a.hours else 24 * 60)
            if lo < hi:
                out[(a.staff_id, a.date)] = a
                break
    return out


def cell_text(cell: WeekCell, lang: str) -> str:
    """A week-sheet cell on one line (``休`` / ``off`` when off)."""
    return cell.text(lang).replace("\n", " ") or tr("休", "off", lang)


def _activity_at(blocks: Sequence[Block], minute: int) -> str:
    return next((b.activity for b in blocks if b.start <= minute < b.end), "")


def switched(before: Sequence[Block], after: Sequence[Block]) -> list[tuple[int, int, str, str]]:
    """(start, end, activity before, activity after) of each stretch of a day whose activity changed."""
    marks = sorted({t for b in (*before, *after) for t in (b.start, b.end)})
    out: list[tuple[int, int, str, str]] = []
    for t0, t1 in itertools.pairwise(marks):
        was, now = _activity_at(before, t0), _activity_at(after, t0)
        if was == now:
            continue
        if out and out[-1][1] == t0 and out[-1][2:] == (was, now):
            out[-1] = (out[-1][0], t1, was, now)
        else:
            out.append((t0, t1, was, now))
    return out


@dataclass(frozen=True)
class RosterChange:
    """One person-day that differs: its blocks before and after, and why (Chinese and English)."""

    date: dt.date
    staff_id: str
    name: str
    before: tuple[Block, ...]
    after: tuple[Block, ...]
    reason_zh: str
    reason_en: str

    def reason(self, lang: str) -> str:
        """The reason in the chosen language."""
        return tr(self.reason_zh, self.reason_en, lang)

    def _cells(self) -> tuple[WeekCell, WeekCell]:
        return week_cell(Roster(self.before), self.date, self.staff_id), week_cell(
            Roster(self.after), self.date, self.staff_id
        )

    def same_shift(self) -> bool:
        """True when only activities changed (the same hours and lunch)."""
        was, now = self._cells()
        return was.span is not None and (was.span, was.lunches) == (now.span, now.lunches)

    def texts(self, lang: str) -> tuple[str, str]:
        """(before, after) on one line each: the whole day (``08:30–17:30 午餐 … 高柜``, ``休``), or, when
        only activities changed, the shift and the stretches that changed (``08:30–17:30: 14:00–15:00 高柜``)."""
        was, now = self._cells()
        if not self.same_shift():
            return cell_text(was, lang), cell_text(now, lang)
        runs = switched(self.before, self.after)
        before = ", ".join(f"{_span(t0, t1)} {activity_label(a, lang)}" for t0, t1, a, _ in runs)
        after = ", ".join(f"{_span(t0, t1)} {activity_label(b, lang)}" for t0, t1, _, b in runs)
        return f"{self._shift()}: {before}", f"{self._shift()}: {after}"

    def _shift(self) -> str:
        return _span(self.before[0].start, max(b.end for b in self.before)) if self.before else ""

    def row(self, lang: str) -> dict[str, str]:
        """The changes.csv row."""
        before, after = self.texts(lang)
        return {
            "date": self.date.isoformat(),
            "staff_id": self.staff_id,
            "name": self.name,
            "before": before,
            "after": after,
            "reason": self.reason(lang),
        }

    def sentence(self, lang: str) -> str:
        """``12-03 周四 08:30–17:30 … → 休 (请假: 病假)``; an activity change within the same hours as
        ``12-03 周四 08:30–17:30 班次不变, 14:00–15:00 高柜 → 后台 (顶替 赵敏)``."""
        day, why = day_label(self.date, lang), self.reason(lang)
        if not self.same_shift():
            before, after = self.texts(lang)
            return f"{day} {before} → {after} ({why})"
        runs = ", ".join(
            f"{_span(t0, t1)} {activity_label(a, lang)} → {activity_label(b, lang)}"
            for t0, t1, a, b in switched(self.before, self.after)
        )
        return f"{day} {self._shift()} {tr('班次不变', 'same hours', lang)}, {runs} ({why})"


def _span(start: int, end: int) -> str:
    return f"{fmt_hhmm(start)}–{fmt_hhmm(end)}"


def _away_words(a: Absence) -> tuple[str, str]:
    kind_zh, kind_en = ("活动", "event") if a.kind == "event" else ("请假", "on leave")
    return (f"{kind_zh}: {a.reason}", f"{kind_en}: {a.reason}") if a.reason else (kind_zh, kind_en)


def roster_changes(problem: Problem, before: Roster, after: Roster, cut: dt.datetime) -> list[RosterChange]:
    """Every person-day from the cut's date on whose blocks differ, with its reason, by date then staff order."""
    conflicts = away_conflicts(problem, before, cut)
    covered: dict[dt.date, list[str]] = {}
    for sid, date in conflicts:
        covered.setdefault(date, []).append(sid)
    ids = problem.staff.ids()
    changed: list[tuple[dt.date, str]] = []
    talk_only: dict[tuple[str, dt.date], list[str]] = {}  # only a 季度谈话 moved: with whom
    for d in problem.days:
        if d.date < cut.date():
            continue
        was, now = before.grid(d, ids), after.grid(d, ids)
        same_work = np.where(was == "talk", "back_office", was) == np.where(now == "talk", "back_office", now)
        for i, sid in enumerate(ids):  # by what each slot holds, not how the blocks are cut
            if (was[i] != now[i]).any():
                changed.append((d.date, sid))
                if same_work[i].all():
                    moved = (was[i] != now[i]).nonzero()[0]
                    talk_only[(sid, d.date)] = [
                        other
                        for k, other in enumerate(ids)
                        if k != i and ((was[k, moved] == "talk") | (now[k, moved] == "talk")).any()
                    ]
    caused = {(sid, date) for date, sid in changed if (sid, date) in conflicts or date in covered}
    out = []
    for date, sid in changed:
        if (sid, date) in conflicts:
            zh, en = _away_words(conflicts[(sid, date)])
        elif (sid, date) in talk_only:
            partners = talk_only[(sid, date)]
            zh = "季度谈话改期" + (f" (与 {names(problem, partners)})" if partners else "")
            en = "quarterly talk moved" + (f" (with {names(problem, partners)})" if partners else "")
            why = next((a for (s, _), a in conflicts.items() if s in partners), None)
            if why is not None:  # the partner is away: the talk could not stay
                zh += f": {names(problem, [why.staff_id])} {_away_words(why)[0]}"
                en += f": {names(problem, [why.staff_id])} {_away_words(why)[1]}"
        elif date in covered:
            who = names(problem, [s for s in problem.staff.ids() if s in covered[date]])
            zh, en = f"顶替 {who}", f"covers for {who}"
        else:
            days = sorted(d for s, d in caused if s == sid)
            if days:
                zh = f"随 {', '.join(day_label(d) for d in days)} 的调整 (工时与休息)"
                en = f"follows the change on {', '.join(day_label(d, 'en') for d in days)} (hours and rest)"
            else:
                zh = "重新安排 (规则需要, 或省下的多于变更成本)"
                en = "re-planned (a rule needs it, or it saves more than it costs)"
        out.append(
            RosterChange(
                date,
                sid,
                names(problem, [sid]),
                tuple(before.blocks_of(date, sid)),
                tuple(after.blocks_of(date, sid)),
                zh,
                en,
            )
        )
    return out


@dataclass(frozen=True)
class ChangeNotice:
    """A re-plan's changes for the people affected: changes.csv, the 变更通知 sheet and summary.json's ``replan``."""

    cut: dt.datetime
    changes: tuple[RosterChange, ...]
    change_cost_per_hour: float
    change_cost_cny: float = 0.0
    staffed: bool = True
    """False when the rest of the week could not be staffed (then there are no changes to tell)."""

    def people(self) -> list[str]:
        """Staff ids of the people affected, in the order their first change appears."""
        return list(dict.fromkeys(c.staff_id for c in self.changes))

    def by_person(self) -> Mapping[str, list[RosterChange]]:
        """Each affected person's changes, in date order."""
        out: dict[str, list[RosterChange]] = {}
        for c in sorted(self.changes, key=lambda c: c.date):
            out.setdefault(c.staff_id, []).append(c)
        return {sid: out[sid] for sid in self.people()}

    def frame(self, lang: str) -> pd.DataFrame:
        """changes.csv."""
        return pd.DataFrame([c.row(lang) for c in self.changes], columns=list(CHANGES_COLUMNS))

    def cut_text(self, lang: str) -> str:
        """``12-03 周四`` or ``12-03 周四 12:00``."""
        return cut_label(self.cut, lang)

    def as_dict(self) -> dict[str, object]:
        """summary.json's ``replan``."""
        return {
            "from": self.cut.isoformat(timespec="minutes"),
            "change_cost_per_hour": self.change_cost_per_hour,
            "change_cost_cny": round(self.change_cost_cny, 2),
            "changed_person_days": len(self.changes),
            "people_affected": len(self.people()),
            "staffed": self.staffed,
        }
