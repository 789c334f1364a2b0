"""lobby_manager — 大堂经理100%在岗, 并有后备大堂经理.

Hard: exactly one person on the lobby floor (activity ``lobby``) in every open slot (``coverage`` = 1.0; a
lower coverage allows uncovered slots up to that share, never two on the floor). With ``backup = true``, in
every open slot a backup lobby manager (后备大堂经理) stands by: a lobby-skilled person who is present, not at
lunch, not the one on the floor, and *free to take over* — doing one of ``backup_activities`` (by default back
office or the low counter, where work can be put down at once; not the cash counter, not the meeting). Each
stint on the floor lasts at least ``min_stint_minutes`` (an hour by default; a stint cannot start in the last
hour before closing), so the floor does not change hands every quarter of an hour.

启用后备大堂经理 (the seed: the backup is called onto the floor at 业务高峰期): with ``backup`` and full coverage,
on *peak slots* (:func:`peak_slots`: every open slot of a pension or payroll day, ``peak_days``, and the slots whose
forecast arrivals are at least ``peak_factor`` times the plan's mean) two people may be on the floor — the
backup beside the lobby manager, no other backup needed then. ``peak_backup = "hard"`` requires both;
``"soft"`` costs ``peak_cost_cny`` per peak hour with one alone; ``"off"`` (the default for now) keeps one.

The handovers of the floor (lunch, end of shift, other duties) are derived from the roster for the
lobby-manager log (大堂经理工作日志) by ``constraints.handovers``.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from constraints.calendar import BranchCalendar, Day
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import (
    ModelVars,
    PenaltyTerm,
    Rule,
    encode_min_run,
    grid_of,
    is_free,
    names,
    runs,
    short_runs,
    span,
    when,
)


def _pay_days(problem: Problem) -> frozenset[dt.date]:
    """The plan's open pay days named by ``peak_days``."""
    kinds = problem.config.rules.lobby_manager.peak_days
    dates = [d.date for d in problem.days]
    if not kinds or not dates:
        return frozenset()
    paid = BranchCalendar(problem.config).paydays(min(dates), max(dates))
    return frozenset().union(*(getattr(paid, k) for k in kinds))


def _arrivals(problem: Problem) -> dict[dt.date, np.ndarray]:
    """Forecast arrivals per slot of each day, all counters together."""
    out: dict[dt.date, np.ndarray] = {}
    for (d, _), dem in problem.demand.items():
        a = np.asarray(dem.arrivals, dtype=float)
        out[d] = out[d] + a if d in out else a.copy()
    return out


def peak_slots(problem: Problem, day: Day) -> list[int]:
    """The open slots of ``day`` on which the backup lobby manager is called onto the floor: all of a pay day
    (``peak_days``), else those whose forecast arrivals reach ``peak_factor`` × the mean of every slot with
    arrivals in the problem's demand (the whole week's, so a one-day plan of it finds the same peaks); none
    when ``peak_backup`` is off or there is no backup or full coverage."""
    prm = problem.config.rules.lobby_manager
    if prm.peak_backup == "off" or not prm.backup or prm.coverage < 1.0 or not day.is_open:
        return []
    if day.date in _pay_days(problem):
        return list(day.open_slots)
    if prm.peak_factor <= 0 or not problem.demand:
        return []
    arrivals = _arrivals(problem)
    busy = np.concatenate([a[a > 0] for a in arrivals.values()]) if arrivals else np.zeros(0)
    if day.date not in arrivals or busy.size == 0:
        return []
    level = prm.peak_factor * float(busy.mean())
    a = arrivals[day.date]
    return [s for s in day.open_slots if s < len(a) and a[s] > 0 and a[s] >= level]


class LobbyManager(Rule):
    """One lobby manager on the floor every open slot, and a free backup."""

    name = "lobby_manager"
    label_zh = "大堂经理在岗"
    label_en = "Lobby manager on duty"
    kind = "hard"

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Σ lobby = 1 per open slot (or ≤ 1 with a coverage share); Σ free lobby-skilled ≥ 1 per open slot."""
        prm = self.params(problem.config)
        skilled = [p.staff_id for p in problem.staff.with_skill("lobby")]
        alone: list[tuple[float, object]] = []
        for day in vars.days():
            if not day.is_open:
                continue
            d = day.date
            floor = {s: sum(vars.doing(p, d, s, "lobby") for p in skilled) for s in day.open_slots}
            peak = set(peak_slots(problem, day))
            if prm.coverage >= 1.0:
                for s in day.open_slots:
                    if s not in peak:
                        vars.add(floor[s] == 1, self.name, d)
                    elif prm.peak_backup == "hard":
                        vars.add(floor[s] == 2, self.name, d)
                    else:
                        vars.add(floor[s] >= 1, self.name, d)
                        vars.add(floor[s] <= 2, self.name, d)
                        one = vars.new_bool(f"lobby_alone_{d}_{s}")
                        vars.add(floor[s] + one >= 2)
                        alone.append((prm.peak_cost_cny * day.slot_minutes / 60, one))
            else:
                for s in day.open_slots:
                    vars.add(floor[s] <= 1, self.name, d)
                need = math.ceil(prm.coverage * len(day.open_slots) - 1e-9)
                vars.add(sum(floor.values()) >= need, self.name, d)
            for p in skilled:
                encode_min_run(vars, p, day, "lobby", self.stint_slots(problem), self.name, to_closing=False)
            if prm.backup:
                for s in day.open_slots:
                    free = sum(vars.doing(p, d, s, a) for p in skilled for a in prm.backup_activities)
                    if s in peak:  # the backup on the floor: nobody else need stand by
                        vars.add(free + floor[s] >= 2, self.name, d)
                    else:
                        vars.add(free >= 1, self.name, d)
        if not alone:
            return []
        label = ("高峰未启用后备大堂", "Peak without the backup on the floor")
        return [vars.cost("lobby_manager.peak_alone", self.name, alone, 0.0, label)]

    def stint_slots(self, problem: Problem) -> int:
        """Slots a stint on the floor lasts at least."""
        return max(
            1, math.ceil(self.params(problem.config).min_stint_minutes / problem.config.grid.slot_minutes)
        )

    def headcount(self, problem: Problem, day: Day) -> dict[str, int]:
        """Floor + backup + one to cover their lunches."""
        if not day.is_open:
            return {}
        prm = self.params(problem.config)
        return {"lobby": (1 if prm.coverage > 0 else 0) + (2 if prm.backup else 1)}

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Open slots with nobody or several on the floor, coverage short, or no free backup."""
        prm = self.params(problem.config)
        ids = problem.staff.ids()
        skilled = [ids.index(p.staff_id) for p in problem.staff.with_skill("lobby")]
        out = []
        for day in problem.days:
            if not day.is_open:
                continue
            g = grid_of(problem, roster, day)
            on = (g == "lobby").sum(axis=0)
            peak = np.zeros(len(day.slot_starts), dtype=bool)
            peak[peak_slots(problem, day)] = True
            if prm.coverage >= 1.0:
                bad = (on != 1) & ~peak | peak & ((on < 1) | (on > 2))
                out += self._peak_alone(problem, day, on, peak)
            else:
                bad = on > 1
                covered = int((on[list(day.open_slots)] == 1).sum())
                need = math.ceil(prm.coverage * len(day.open_slots) - 1e-9)
                if covered < need:
                    out.append(
                        self.violation(
                            day.date,
                            None,
                            None,
                            f"{when(day)}: 大堂经理在岗 {covered}/{len(day.open_slots)} 个时段, 低于 {prm.coverage:.0%}",
                            f"{when(day, lang='en')}: lobby manager on the floor {covered}/{len(day.open_slots)} "
                            f"slots, below {prm.coverage:.0%}",
                        )
                    )
            for r in runs(bad, day.open_slots):
                a, b = span(day, r)
                there = sorted({ids[p] for s in r for p in range(len(ids)) if g[p, s] == "lobby"})
                if on[r].max() == 0:
                    zh, en = "大堂无人值守", "nobody on the lobby floor"
                else:
                    zh, en = (
                        f"大堂有 {int(on[r].max())} 人同时值守",
                        f"{int(on[r].max())} on the lobby floor at once",
                    )
                out.append(
                    self.violation(
                        day.date,
                        a,
                        b,
                        f"{when(day, a, b)}: {zh}",
                        f"{when(day, a, b, lang='en')}: {en}",
                        there,
                    )
                )
            out += self._short_stints(problem, day, g)
            if not prm.backup:
                continue
            free = np.zeros(len(day.slot_starts), dtype=bool)
            for p in skilled:
                for s in day.open_slots:
                    if g[p, s] in prm.backup_activities and is_free(problem, ids[p], day, s):
                        free[s] = True
            free |= peak & (on >= 2)  # the backup already on the floor
            for r in runs(~free, day.open_slots):
                a, b = span(day, r)
                out.append(
                    self.violation(
                        day.date,
                        a,
                        b,
                        f"{when(day, a, b)}: 没有可随时接替的后备大堂经理",
                        f"{when(day, a, b, lang='en')}: no backup lobby manager free to take over",
                    )
                )
        return out

    def _peak_alone(self, problem: Problem, day: Day, on: np.ndarray, peak: np.ndarray) -> list[Violation]:
        """Peak slots with one person on the floor (hard or soft by ``peak_backup``)."""
        prm = self.params(problem.config)
        out = []
        for r in runs(peak & (on == 1), day.open_slots):
            a, b = span(day, r)
            out.append(
                self.violation(
                    day.date,
                    a,
                    b,
                    f"{when(day, a, b)}: 业务高峰, 后备大堂经理未到大堂 (大堂只有 1 人)",
                    f"{when(day, a, b, lang='en')}: a peak, and the backup lobby manager is not on the floor "
                    "(one on the floor)",
                    hard=prm.peak_backup == "hard",
                )
            )
        return out

    def _short_stints(self, problem: Problem, day: Day, g: np.ndarray) -> list[Violation]:
        """Stints on the floor shorter than ``min_stint_minutes``."""
        least = self.params(problem.config).min_stint_minutes
        out = []
        for p, sid in enumerate(problem.staff.ids()):
            for r in short_runs(g[p], "lobby", self.stint_slots(problem), day, to_closing=False):
                a, b = span(day, r)
                who = names(problem, [sid])
                out.append(
                    self.violation(
                        day.date,
                        a,
                        b,
                        f"{when(day, a, b)}: {who} 在大堂只站了 {b - a} 分钟 (每次至少 {least} 分钟)",
                        f"{when(day, a, b, lang='en')}: {who} on the lobby floor only {b - a} min "
                        f"(at least {least} a stint)",
                        [sid],
                    )
                )
        return out

    def precheck(self, problem: Problem) -> list[Violation]:
        """Open slots with fewer lobby-skilled people free than the floor (+ backup) needs."""
        prm = self.params(problem.config)
        need = (1 if prm.coverage >= 1.0 else 0) + (1 if prm.backup else 0)
        skilled = [p.staff_id for p in problem.staff.with_skill("lobby")]
        out = []
        for day in problem.days:
            if not day.is_open or need == 0:
                continue
            free = {s: [p for p in skilled if is_free(problem, p, day, s)] for s in day.open_slots}
            mask = [len(free.get(s, skilled)) < need for s in range(len(day.slot_starts))]
            for r in runs(mask, day.open_slots):
                a, b = span(day, r)
                avail = free[r[0]]
                out.append(
                    self.violation(
                        day.date,
                        a,
                        b,
                        f"{when(day, a, b)}: 大堂经理及后备需要 {need} 名大堂人员, 只有 {len(avail)} 名可用: "
                        f"{names(problem, avail)}",
                        f"{when(day, a, b, lang='en')}: the lobby manager and backup need {need} lobby-skilled "
                        f"people, {len(avail)} available: {names(problem, avail)}",
                        skilled,
                    )
                )
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """Floor and backup, with who can do it (and the peak slots of ``day`` when the backup must be on the
        floor then)."""
        who = names(problem, [p.staff_id for p in problem.staff.with_skill("lobby")])
        zh, en = "", ""
        if day is not None and self.params(problem.config).peak_backup == "hard":
            peak = peak_slots(problem, day)
            if peak:
                zh = f"; {len(peak)} 个高峰时段后备大堂经理也到大堂"
                en = f"; on the {len(peak)} peak slots the backup is on the floor too"
        return (
            f"营业时间大堂始终一人值守 (每次至少 {self.params(problem.config).min_stint_minutes} 分钟), "
            f"另有一名空闲的后备大堂经理 (大堂人员: {who})" + zh,
            f"one person on the lobby floor every open slot (stints of at least "
            f"{self.params(problem.config).min_stint_minutes} min), plus a free backup (lobby-skilled: {who})"
            + en,
        )
