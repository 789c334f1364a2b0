"""Who is lobby manager (大堂经理) when, who stands by as backup (后备大堂经理), and every handover.

Derived from a finished roster alone (the ``lobby`` activity changing hands), so the lobby-manager log
(大堂经理工作日志) can be written for any roster — a solved one without explicit handovers, or one a person
edited in Excel. The branch plan asks that every handover be logged, and that the branch president log it
whenever standing in (as lobby manager or as backup while the lobby manager is on duty).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np

from constraints.calendar import Day
from constraints.config import fmt_hhmm
from constraints.i18n import label, tr
from constraints.problem import Problem
from constraints.roster import OFF, OFF_FLOOR, Roster
from constraints.rules.permission_holder import AUTHORITY_LABELS

PRESIDENT_POST = "branch_president"

REASONS: dict[str, tuple[str, str]] = {
    "lunch": ("午餐", "lunch"),
    "shift_end": ("下班交接", "end of shift"),
    "other_duty": ("转其他岗位", "to other duty"),
    "back_from_lunch": ("午餐后接回", "back from lunch"),
    "cover_resumes": ("恢复在岗", "cover resumes"),
    "uncovered": ("无人接班", "no one takes over"),
}
"""Reason keys of derived handovers and their labels (zh, en)."""


@dataclass(frozen=True)
class Handover:
    """One lobby handover for the lobby-manager log: at ``time`` (minutes) ``from_staff`` hands the floor to
    ``to_staff``; ``president`` is set when the branch president stands in (they must log it)."""

    date: dt.date
    time: int
    from_staff: str | None
    to_staff: str | None
    reason: str
    president: bool = False


@dataclass(frozen=True)
class LobbyPeriod:
    """A run of open slots with the same lobby manager on the floor, and who stood by as backup."""

    date: dt.date
    start: int
    end: int
    manager: str | None  # None: nobody on the floor
    backups: tuple[tuple[str, int, int], ...]  # (staff_id, start, end) segments within the period


def handover_is_president(h: Handover, problem: Problem) -> bool:
    """True when the branch president takes the floor in this handover (flagged, or by the person's post)."""
    return h.president or _is_president(problem, h.to_staff)


def reason_label(reason: str, lang: str | None = None) -> str:
    """Label of a derived reason key; free text from a solver result passes through."""
    return label(REASONS, reason, lang)


def _is_president(problem: Problem, staff_id: str | None) -> bool:
    if not staff_id:
        return False
    try:
        return problem.staff.by_id(staff_id).post == PRESIDENT_POST
    except KeyError:
        return False


def _managers(grid: np.ndarray, ids: list[str], slots: tuple[int, ...]) -> list[str | None]:
    """Lobby manager per open slot: the one on the floor, keeping the current one when two are."""
    out: list[str | None] = []
    current: str | None = None
    for s in slots:
        on_floor = [ids[p] for p in range(len(ids)) if grid[p, s] == "lobby"]
        if current not in on_floor:
            current = on_floor[0] if on_floor else None
        out.append(current)
    return out


def _backup_segments(
    problem: Problem, day: Day, grid: np.ndarray, ids: list[str], slots: list[int], manager: str | None
) -> tuple[tuple[str, int, int], ...]:
    """Backups over the slots: keep one as long as they stay free; prefer lobby/back office, not the president."""
    idx = {sid: p for p, sid in enumerate(ids)}
    lobby_skilled = [p.staff_id for p in problem.staff if p.can("lobby") and p.staff_id != manager]

    def free(sid: str, s: int) -> bool:
        act = grid[idx[sid], s]
        return act not in (OFF, "break", "meeting") and problem.available(sid, day, s)

    segments: list[tuple[str, int, int]] = []
    current: str | None = None
    for k, s in enumerate(slots):
        if current is None or not free(current, s):
            cands = [sid for sid in lobby_skilled if free(sid, s)]
            if cands:

                def rank(sid: str, k: int = k) -> tuple[int, int, int, int]:
                    act = grid[idx[sid], slots[k]]
                    run = 0
                    while k + run < len(slots) and free(sid, slots[k + run]):
                        run += 1
                    act_rank = 0 if act == "lobby" else 1 if act in OFF_FLOOR else 2
                    return (act_rank, int(_is_president(problem, sid)), -run, idx[sid])

                current = min(cands, key=rank)
            else:
                current = None
        start = day.slot_starts[s]
        end = start + day.slot_minutes
        if current is not None:
            if segments and segments[-1][0] == current and segments[-1][2] == start:
                segments[-1] = (current, segments[-1][1], end)
            else:
                segments.append((current, start, end))
    return tuple(segments)


def lobby_periods(roster: Roster, problem: Problem, day: Day) -> list[LobbyPeriod]:
    """The day's lobby-manager periods over opening hours, each with its backup segments."""
    if not day.is_open:
        return []
    ids = problem.staff.ids()
    grid = roster.grid(day, ids)
    slots = day.open_slots
    managers = _managers(grid, ids, slots)
    out: list[LobbyPeriod] = []
    k = 0
    while k < len(slots):
        j = k
        while j + 1 < len(slots) and managers[j + 1] == managers[k]:
            j += 1
        run = list(slots[k : j + 1])
        start = day.slot_starts[run[0]]
        end = day.slot_starts[run[-1]] + day.slot_minutes
        out.append(
            LobbyPeriod(
                day.date, start, end, managers[k], _backup_segments(problem, day, grid, ids, run, managers[k])
            )
        )
        k = j + 1
    return out


def derive_handovers(roster: Roster, problem: Problem) -> list[Handover]:
    """Every change of lobby manager during opening hours, with its reason and the president flag."""
    out: list[Handover] = []
    ids = problem.staff.ids()
    idx = {sid: p for p, sid in enumerate(ids)}
    for day in problem.open_days:
        periods = lobby_periods(roster, problem, day)
        grid = roster.grid(day, ids)
        for prev, nxt in itertools.pairwise(periods):
            a, b = prev.manager, nxt.manager
            if b is None:
                reason = "uncovered"
            elif a is None:
                reason = "cover_resumes"
            else:
                s = day.slot_of(nxt.start)
                act = grid[idx[a], s]
                if act == "break":
                    reason = "lunch"
                elif s > 0 and grid[idx[b], s - 1] == "break":
                    reason = "back_from_lunch"
                else:
                    reason = "shift_end" if act == OFF else "other_duty"
            out.append(Handover(day.date, nxt.start, a, b, reason, _is_president(problem, b)))
    return out


NATURAL_POST: dict[str, str] = {"branch": PRESIDENT_POST, "operations": "operations_supervisor"}
"""The post an authority belongs to (the branch president holds both by office); anyone else listing it in
staff.csv holds it by delegation (临时授权)."""


@dataclass(frozen=True)
class DelegatedCover:
    """A run of open slots in which no holder of the authority's own post is present (not at lunch) and
    ``delegates`` — people holding it by delegation — carry it."""

    date: dt.date
    authority: str
    start: int
    end: int
    delegates: tuple[str, ...]


def delegated_cover(roster: Roster, problem: Problem, day: Day) -> list[DelegatedCover]:
    """Where the day's authorities rest on delegates alone, for the lobby-manager log."""
    if not day.is_open:
        return []
    ids = problem.staff.ids()
    grid = roster.grid(day, ids)
    out: list[DelegatedCover] = []
    for authority in problem.config.rules.permission_holder.authorities:
        own = [
            p
            for p, sid in enumerate(ids)
            if problem.staff.by_id(sid).post in (NATURAL_POST.get(authority), PRESIDENT_POST)
        ]
        others = [
            p for p, sid in enumerate(ids) if problem.staff.by_id(sid).holds(authority) and p not in own
        ]
        for s in day.open_slots:
            if any(grid[p, s] not in (OFF, "break") for p in own):
                continue
            there = tuple(ids[p] for p in others if grid[p, s] not in (OFF, "break"))
            if not there:
                continue
            start = day.slot_starts[s]
            last = out[-1] if out else None
            if last and (last.authority, last.delegates, last.end) == (authority, there, start):
                out[-1] = DelegatedCover(day.date, authority, last.start, start + day.slot_minutes, there)
            else:
                out.append(DelegatedCover(day.date, authority, start, start + day.slot_minutes, there))
    return out


def describe_delegation(c: DelegatedCover, problem: Problem, lang: str | None = None) -> str:
    """``12:00–13:00 营业主管权限: 徐明 临时授权`` for the log."""
    names = ", ".join(problem.staff.by_id(sid).name for sid in c.delegates)
    zh, en = AUTHORITY_LABELS.get(c.authority, (c.authority, c.authority))
    span = f"{fmt_hhmm(c.start)}–{fmt_hhmm(c.end)}"
    return tr(f"{span} {zh}: {names} 临时授权", f"{span} {en}: {names} (delegated)", lang)


def describe_handover(h: Handover, problem: Problem, lang: str | None = None) -> str:
    """``10:30 刘洋 → 王建国(支行长)`` for a log or a message."""
    names = {p.staff_id: p.name for p in problem.staff}

    def who(sid: str | None) -> str:
        if not sid:
            return tr("无人", "nobody", lang)
        mark = tr("(支行长)", " (president)", lang) if _is_president(problem, sid) else ""
        return f"{names.get(sid, sid)}{mark}"

    return f"{fmt_hhmm(h.time)} {who(h.from_staff)} → {who(h.to_staff)}"


__all__ = [
    "NATURAL_POST",
    "REASONS",
    "DelegatedCover",
    "Handover",
    "LobbyPeriod",
    "delegated_cover",
    "derive_handovers",
    "describe_delegation",
    "describe_handover",
    "handover_is_president",
    "lobby_periods",
    "reason_label",
]
