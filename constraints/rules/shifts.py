"""shifts — 班次 (the shifts a branch posts, and lunch in waves).

Hard, ``mode = "posted"`` (the default): everyone who works a day works one of the day's posted shifts
(:func:`posted_shifts`: those of ``[shifts] posted``, cut to the day's staff hours, or, when none are listed, at
most four derived from the staff hours — 正常班 the whole staff day up to the daily cap and lunch, 早班 leaving
before lunch is due, 晚班 to the close when the staff day is longer than a shift or a 班前会 is set, 半天班 the
shortest shift) and takes lunch at one of its waves (:func:`wave_starts`: ``[shifts] waves`` or two derived from
the lunch window). The roster model builds its shifts from these (``scheduler.solver.variables``), so the rule
holds by construction; when it is relaxed or explained it is encoded on free shifts instead.

Hard, ``mode = "limits"``: free starts, but on each day at most ``max_starts`` start and ``max_ends`` end times and
``lunch_waves`` lunch starts.

``shifts = "free"`` in branch.toml (or ``[rules.shifts] enabled = false``) keeps every start and end open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from constraints.calendar import Day
from constraints.config import fmt_hhmm
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from constraints.rules.base import Lit, ModelVars, PenaltyTerm, Rule, names, when
from constraints.rules.lunch import lunch_slots, lunch_starts, slots_without_lunch

DERIVED_NAMES = ("正常班", "早班", "晚班", "半天班")
"""Names of the derived shifts, in the order they are derived."""


@dataclass(frozen=True)
class DayShift:
    """A posted shift on one day's grid: slots [start, end) and the slots its lunch may start at."""

    name: str
    start: int
    end: int
    lunch: tuple[int, ...]  # lunch start slots (empty: a shift too short for lunch)

    @property
    def length(self) -> int:
        """Slots long."""
        return self.end - self.start

    def hours(self, day: Day) -> str:
        """``08:30–17:30``."""
        return f"{fmt_hhmm(day.slot_starts[self.start])}–{fmt_hhmm(day.slot_starts[self.end - 1] + day.slot_minutes)}"


def wave_starts(problem: Problem, day: Day) -> list[int]:
    """Slots the lunch waves start at on ``day``: ``[shifts] waves`` on the grid, or ``lunch_waves`` of them
    spaced a lunch apart back from the end of the lunch window (11:30 and 12:30 for 11:00–13:30 and an hour)."""
    prm = problem.config.rules.shifts
    starts = lunch_starts(problem, day)
    if not starts:
        return []
    if prm.waves:
        return sorted(k for k in starts if day.slot_starts[k] in prm.waves)
    length = lunch_slots(problem, day)
    out: list[int] = []
    k = starts[-1]
    while len(out) < prm.lunch_waves and k >= starts[0]:
        out.append(k)
        k -= length
    if len(out) < prm.lunch_waves and starts[0] not in out:
        out.append(starts[0])
    return sorted(out)


def _fitting(problem: Problem, day: Day, start: int, end: int, waves: list[int]) -> tuple[int, ...] | None:
    """The waves a shift of slots [start, end) may lunch at: () when it is too short for lunch, None when it
    needs a lunch none of ``waves`` fits strictly inside."""
    if end - start <= slots_without_lunch(problem, day) or not problem.config.rules.lunch.enabled:
        return ()
    length = lunch_slots(problem, day)
    fit = tuple(k for k in waves if start + 1 <= k and k + length + 1 <= end)
    return fit or None


def posted_shifts(problem: Problem, day: Day) -> list[DayShift]:
    """The shifts posted for ``day`` (:mod:`this module <constraints.rules.shifts>`), distinct by hours."""
    if day.staff_hours is None or not day.slot_starts:
        return []
    prm = problem.config.rules.shifts
    slot, n = day.slot_minutes, len(day.slot_starts)
    first = day.slot_starts[0]
    waves = wave_starts(problem, day)

    def to_slots(a: int, b: int) -> tuple[int, int]:
        return max(0, math.ceil((a - first) / slot)), min(n, (b - first) // slot)

    wanted: list[tuple[str, int, int, int | None]] = []  # name, start slot, end slot, wave (1-based)
    if prm.posted:
        for s in prm.posted:
            a, b = to_slots(s.start, s.end)
            wanted.append((s.name, a, b, s.lunch))
    else:
        wanted = [(name, a, b, None) for name, a, b in _derived(problem, day)]
    least = max(1, math.ceil(problem.config.rules.labour.min_shift_hours * 60 / slot - 1e-9))
    out: list[DayShift] = []
    for name, a, b, wave in wanted:
        if b - a < min(least, n) or any((x.start, x.end) == (a, b) for x in out):
            continue
        allowed = waves if wave is None else [waves[wave - 1]] if wave <= len(waves) else []
        lunch = _fitting(problem, day, a, b, allowed)
        if lunch is not None:
            out.append(DayShift(name, a, b, lunch))
    return out


def person_shifts(problem: Problem, day: Day, staff_id: str) -> list[DayShift]:
    """The shifts ``staff_id`` may work on ``day``: the posted ones, and — when leave or an event takes part of
    the day — each posted shift cut at its edge (in after a morning 经营分析会, off after an afternoon's leave)."""
    base = posted_shifts(problem, day)
    away = [a.hours for a in problem.absences_of(staff_id, day.date) if a.hours is not None]
    if not away or not base:
        return base
    out = list(base)
    first, slot = day.slot_starts[0], day.slot_minutes
    for hours in away:
        back = math.ceil((hours.end - first) / slot)  # first slot after it
        gone = (hours.start - first) // slot  # first slot of it
        for s in base:
            for a, b in ((back, s.end), (s.start, gone)):
                # however short: leave cuts a shift, as the labour rule's shortest shift allows
                if s.start <= a < b <= s.end and (a, b) != (s.start, s.end):
                    lunch = _fitting(problem, day, a, b, list(s.lunch))
                    if lunch is not None and not any((x.start, x.end) == (a, b) for x in out):
                        out.append(DayShift(s.name, a, b, lunch))
    return out


def _derived(problem: Problem, day: Day) -> list[tuple[str, int, int]]:
    """正常班, 早班, 晚班, 半天班 on ``day``'s grid (slots), as the staff hours allow; see the module docstring."""
    cfg = problem.config
    n, slot = len(day.slot_starts), day.slot_minutes
    lunch = lunch_slots(problem, day) if cfg.rules.lunch.enabled else 0
    full = math.floor(cfg.labor.max_daily_hours * 60 / slot + 1e-9) + lunch
    no_lunch = slots_without_lunch(problem, day)
    least = max(1, math.ceil(cfg.rules.labour.min_shift_hours * 60 / slot - 1e-9))
    normal = min(n, full)
    if normal > no_lunch and not _fitting(problem, day, 0, normal, wave_starts(problem, day)):
        normal = min(normal, no_lunch)  # no lunch fits: the whole day is a shift too short for one
    out = [("正常班", 0, normal)]
    if no_lunch < normal:
        out.append(("早班", 0, no_lunch))
    late = cfg.rules.daily_routine.late_meeting if cfg.rules.daily_routine.enabled else None
    late_start = None
    if late is not None:
        late_start = next((s for s, t in enumerate(day.slot_starts) if t >= late.start), None)
    if late_start is not None and 0 < late_start <= n - least:
        out.append(("晚班", max(late_start, n - full), n))
    elif normal < n:
        out.append(("晚班", n - full, n))
    if least < min(no_lunch, normal):
        out.append(("半天班", 0, least))
    return out[:4]


def shift_of(
    problem: Problem, day: Day, start: int, end: int, staff_id: str | None = None
) -> DayShift | None:
    """The posted shift of ``day`` from minute ``start`` to ``end`` (of ``staff_id``: :func:`person_shifts`);
    None when none is."""
    shifts = posted_shifts(problem, day) if staff_id is None else person_shifts(problem, day, staff_id)
    for s in shifts:
        a = day.slot_starts[s.start]
        if (a, day.slot_starts[s.end - 1] + day.slot_minutes) == (start, end):
            return s
    return None


def shift_label(problem: Problem, day: Day, start: int, end: int, staff_id: str | None = None) -> str:
    """The posted shift's name for a shift from ``start`` to ``end`` (minutes), or "" when it is none or the
    rule is off or in ``limits`` mode."""
    prm = problem.config.rules.shifts
    if not prm.enabled or prm.mode != "posted":
        return ""
    s = shift_of(problem, day, start, end, staff_id)
    return s.name if s is not None else ""


def day_shapes(roster: Roster, day: Day, ids: list[str]) -> tuple[set[int], set[int], set[int]]:
    """Start minutes, end minutes and lunch start minutes of the day's shifts."""
    starts: set[int] = set()
    ends: set[int] = set()
    lunches: set[int] = set()
    for sid in ids:
        blocks = roster.blocks_of(day.date, sid)
        if not blocks:
            continue
        starts.add(min(b.start for b in blocks))
        ends.add(max(b.end for b in blocks))
        lunches.update(b.start for b in blocks if b.activity == "break")
    return starts, ends, lunches


class Shifts(Rule):
    """Posted shifts and lunch waves (or, in ``limits`` mode, few start and end times a day)."""

    name = "shifts"
    label_zh = "班次"
    label_en = "Posted shifts"
    kind = "hard"

    def encode(self, vars: ModelVars, problem: Problem) -> list[PenaltyTerm]:
        """Posted: nothing when the model's shifts are the posted ones; else one posted shift per person-day
        (its presence, its lunch waves). Limits: used[s] ≥ a shift starts (ends, a lunch starts) at s."""
        if self.params(problem.config).mode == "limits":
            self._encode_limits(vars, problem)
        elif vars.shifts != "posted":
            self._encode_posted(vars, problem)
        return []

    def _encode_posted(self, vars: ModelVars, problem: Problem) -> None:
        for day in vars.days():
            d = day.date
            for p in problem.staff.ids():
                shifts = person_shifts(problem, day, p)
                pick = [vars.new_bool(f"posted_{p}_{d}_{k}") for k in range(len(shifts))]
                vars.add(sum(pick) == vars.works(p, d), self.name, d)
                for s in range(len(day.slot_starts)):
                    cover = sum(y for t, y in zip(shifts, pick, strict=True) if t.start <= s < t.end)
                    vars.add(vars.present(p, d, s) == cover, self.name, d)
                for k, lit in vars.lunch_starts(p, d).items():
                    vars.add(
                        lit <= sum(y for t, y in zip(shifts, pick, strict=True) if k in t.lunch), self.name, d
                    )

    def _encode_limits(self, vars: ModelVars, problem: Problem) -> None:
        prm = self.params(problem.config)
        ids = problem.staff.ids()
        for day in vars.days():
            d, n = day.date, len(day.slot_starts)
            starts = [vars.new_bool(f"shift_start_{d}_{s}") for s in range(n)]
            ends = [vars.new_bool(f"shift_end_{d}_{s}") for s in range(n)]
            waves: dict[int, Lit] = {}
            for p in ids:
                for s in range(n):
                    before = vars.present(p, d, s - 1) if s > 0 else 0
                    after = vars.present(p, d, s + 1) if s + 1 < n else 0
                    vars.add(starts[s] >= vars.present(p, d, s) - before)
                    vars.add(ends[s] >= vars.present(p, d, s) - after)
                for s, lit in vars.lunch_starts(p, d).items():
                    wave = waves.setdefault(s, vars.new_bool(f"lunch_wave_{d}_{s}"))
                    vars.add(wave >= lit)
            vars.add(sum(starts) <= prm.max_starts, self.name, d)
            vars.add(sum(ends) <= prm.max_ends, self.name, d)
            if waves:
                vars.add(sum(waves.values()) <= prm.lunch_waves, self.name, d)

    def check(self, problem: Problem, roster: Roster) -> list[Violation]:
        """Posted: shifts that are none of the day's posted ones, lunches off their waves. Limits: days with
        more start times, end times or lunch waves than allowed."""
        if self.params(problem.config).mode == "limits":
            return self._check_limits(problem, roster)
        out = []
        for day in problem.days:
            shifts = posted_shifts(problem, day)
            listed = ", ".join(f"{s.name} {s.hours(day)}" for s in shifts) or "无 (none)"
            for sid in problem.staff.ids():
                blocks = roster.blocks_of(day.date, sid)
                if not blocks:
                    continue
                start, end = min(b.start for b in blocks), max(b.end for b in blocks)
                shift = shift_of(problem, day, start, end, sid)
                who = names(problem, [sid])
                if shift is None:
                    out.append(
                        self.violation(
                            day.date,
                            start,
                            end,
                            f"{when(day, start, end)}: {who} 的班次不是公布的班次 ({listed})",
                            f"{when(day, start, end, lang='en')}: {who}'s shift is none of the posted shifts "
                            f"({listed})",
                            [sid],
                        )
                    )
                    continue
                waves = {day.slot_starts[k] for k in shift.lunch}
                off = sorted({b.start for b in blocks if b.activity == "break"} - waves)
                if off:
                    at = ", ".join(fmt_hhmm(t) for t in sorted(waves)) or "—"
                    out.append(
                        self.violation(
                            day.date,
                            off[0],
                            off[0] + problem.config.lunch.minutes,
                            f"{when(day)}: {who} ({shift.name}) {fmt_hhmm(off[0])} 午餐, 不在该班次的午餐批次 ({at})",
                            f"{when(day, lang='en')}: {who} ({shift.name}) lunches at {fmt_hhmm(off[0])}, not at "
                            f"a lunch wave of that shift ({at})",
                            [sid],
                        )
                    )
        return out

    def _check_limits(self, problem: Problem, roster: Roster) -> list[Violation]:
        prm = self.params(problem.config)
        out = []
        for day in problem.days:
            got = day_shapes(roster, day, problem.staff.ids())
            for found, most, zh, en in zip(
                got,
                (prm.max_starts, prm.max_ends, prm.lunch_waves),
                ("上班时间", "下班时间", "午餐批次"),
                ("start times", "end times", "lunch waves"),
                strict=True,
            ):
                if len(found) > most:
                    times = ", ".join(fmt_hhmm(t) for t in sorted(found))
                    out.append(
                        self.violation(
                            day.date,
                            None,
                            None,
                            f"{when(day)}: {len(found)} 种{zh} ({times}), 最多 {most} 种",
                            f"{when(day, lang='en')}: {len(found)} {en} ({times}), at most {most}",
                        )
                    )
        return out

    def describe(self, problem: Problem, day: Day | None) -> tuple[str, str]:
        """The posted shifts (of ``day``, or of the first open day) or the limits, in words."""
        prm = self.params(problem.config)
        if prm.mode == "limits":
            return (
                f"每天最多 {prm.max_starts} 种上班时间、{prm.max_ends} 种下班时间、{prm.lunch_waves} 批午餐",
                f"each day at most {prm.max_starts} start times, {prm.max_ends} end times and "
                f"{prm.lunch_waves} lunch waves",
            )
        shown = day or next((d for d in problem.days if d.staff_hours is not None), None)
        if shown is None:
            return "按公布的班次上班", "everyone works a posted shift"
        shifts = posted_shifts(problem, shown)
        waves = ", ".join(fmt_hhmm(shown.slot_starts[k]) for k in wave_starts(problem, shown))
        listed = ", ".join(f"{s.name} {s.hours(shown)}" for s in shifts)
        return (
            f"按公布的班次上班 ({listed}); 午餐批次 {waves}",
            f"everyone works a posted shift ({listed}); lunch waves at {waves}",
        )
