"""permission_holder — 有人担当支行长和营业主管的权限.

Hard: in every open slot (``when = "open"``) — or every slot anyone is at work (``when = "staffed"``) — a person
who is present and not at lunch holds one of the listed authorities (``require = "any"``) or each of them is
held by someone (``require = "each"``).
"""

from __future__ import annotations

import numpy as np

from constraints.calendar import Day
from constraints.problem import Problem
from constraints.roster import OFF, Roster, Violation
from constraints.rules.base import ModelVars, PenaltyTerm, Rule, away_reason, grid_of, names, runs, span, when

AUTHORITY_LABELS: dict[str, tuple[str, str]] = {
    "branch": ("支行长权限", "branch authority"),
    "operations": ("营业主管权限", "operations authority"),
}


class PermissionHolder(Rule):
    """A present, not-at-lunch authority holder in every open slot."""

    name = "permission_holder"
    label_zh = "权限人在岗"
    label_en = "Authority holder present"
    kind = "hard"

    def groups(self, problem: Problem) -> list[tuple[str, ...]]:
        """Groups of authorities of which one must be covered: one group for ``any``, one each for ``each``."""
        prm = self.params(problem.config)
        if prm.require == "any":
            return [tuple(prm.authorities)]
        return [(a,) for a in prm.authorities]

    def holders(self, problem: Problem, group: tuple[str, ...]) -> list[str]:
        """Staff holding any authority of the group."""
        return [p.staff_id for p in problem.staff if any(p.holds(a) for a in group)]

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Σ holders present (not at lunch) ≥ 1 per slot and group; for ``staffed``, whenever anyone works."""
        prm = self.params(problem.config)
        for day in vars.days():
            for group in self.groups(problem):
                hs = self.holders(problem, group)
                for s in self._slots(problem, day):
                    cover = sum(vars.present(h, day.date, s) - vars.at_lunch(h, day.date, s) for h in hs)
                    if prm.when == "open":
                        vars.add(cover >= 1, self.name, day.date)
                    else:
                        for p in problem.staff.ids():
                            vars.add(cover >= vars.present(p, day.date, s), self.name, day.date)
        return []

    def _slots(self, problem: Problem, day: Day) -> list[int]:
        prm = self.params(problem.config)
        return list(day.open_slots) if prm.when == "open" else list(range(len(day.slot_starts)))

    def headcount(self, problem: Problem, day: Day) -> dict[str, int]:
        """Two holders (one may be at lunch) of each group."""
        if not day.is_open:
            return {}
        return {"any:" + "|".join(g): 2 for g in self.groups(problem)}

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Slots with no holder present and not at lunch."""
        prm = self.params(problem.config)
        ids = problem.staff.ids()
        out = []
        for day in problem.days:
            slots = self._slots(problem, day)
            if not slots:
                continue
            g = grid_of(problem, roster, day)
            anyone = (g != OFF).any(axis=0)
            for group in self.groups(problem):
                hs = [ids.index(h) for h in self.holders(problem, group)]
                on = np.zeros(len(day.slot_starts), dtype=bool)
                for p in hs:
                    on |= (g[p] != OFF) & (g[p] != "break")
                need = np.ones(len(day.slot_starts), dtype=bool) if prm.when == "open" else anyone
                for r in runs(need & ~on, slots):
                    a, b = span(day, r)
                    zh_g = "或".join(AUTHORITY_LABELS[x][0] for x in group)
                    en_g = " or ".join(AUTHORITY_LABELS[x][1] for x in group)
                    out.append(
                        self.violation(
                            day.date,
                            a,
                            b,
                            f"{when(day, a, b)}: 无人担当{zh_g} (持有人: {names(problem, [ids[p] for p in hs])})",
                            f"{when(day, a, b, lang='en')}: nobody holding the {en_g} is present "
                            f"(holders: {names(problem, [ids[p] for p in hs])})",
                            [ids[p] for p in hs],
                        )
                    )
        return out

    def precheck(self, problem: Problem) -> list[Violation]:
        """Open slots in which every holder of a group is away (only for ``when = "open"``)."""
        prm = self.params(problem.config)
        if prm.when != "open":
            return []
        out = []
        for day in problem.days:
            if not day.is_open:
                continue
            for group in self.groups(problem):
                hs = self.holders(problem, group)
                mask = [
                    all(away_reason(problem, h, day, s) is not None for h in hs)
                    for s in range(len(day.slot_starts))
                ]
                for r in runs(mask, day.open_slots):
                    a, b = span(day, r)
                    why = "; ".join(f"{names(problem, [h])} {away_reason(problem, h, day, r[0])}" for h in hs)
                    zh_g = "或".join(AUTHORITY_LABELS[x][0] for x in group)
                    en_g = " or ".join(AUTHORITY_LABELS[x][1] for x in group)
                    out.append(
                        self.violation(
                            day.date,
                            a,
                            b,
                            f"{when(day, a, b)}: 需要有人担当{zh_g}, 但持有人都不在: {why or '无持有人'}",
                            f"{when(day, a, b, lang='en')}: someone must hold the {en_g}, but every holder is "
                            f"away: {why or 'nobody holds it'}",
                            hs,
                        )
                    )
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """Which authority and who holds it."""
        parts_zh, parts_en = [], []
        for group in self.groups(problem):
            hs = names(problem, self.holders(problem, group))
            parts_zh.append(f"{'或'.join(AUTHORITY_LABELS[x][0] for x in group)} (持有人: {hs})")
            parts_en.append(f"{' or '.join(AUTHORITY_LABELS[x][1] for x in group)} (holders: {hs})")
        return (
            "营业时间每时段有人在岗(非午餐)担当" + "; ".join(parts_zh),
            "in every open slot someone present (not at lunch) holds the " + "; ".join(parts_en),
        )
