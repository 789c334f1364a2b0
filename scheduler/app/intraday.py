"""Intraday advice (``paiban now``): the queue now, its expected path, and who should move where.

The lobby manager's live job (网点转型工作计划: 根据客流量及业务量的变化, 随时调配网点资源; 及时启用后备大堂经理):

1. **The queue now** (:func:`queue_now`): from today's queue-machine export, per counter type the tickets issued
   and not yet called (waiting) and those called and not finished (in service).
2. **The rest of today** (:func:`forecasts.intraday.reforecast_day`): the day's forecast updated by what has
   arrived so far — a Gamma–Poisson update of the day's level, never an extrapolation of one busy half-hour.
3. **The next hour** (:class:`_Evaluator`): the M(t)/M/c(t)+M chain the plan staffs with, from the customers
   present now, through the windows the roster opens, over ``horizon`` minutes plus :data:`SPILL_MINUTES`.
4. **Advice** (:func:`advise`): a greedy search over moves of people present now — someone in the back office
   (or at a quieter counter) to a counter window, or the backup lobby manager onto the floor so the lobby
   manager can open a window — each of 15 to ``horizon`` minutes, from the next slot boundary or the one after
   (:data:`START_OFFSETS`); a move is advised
   when the waiting it saves, in CNY (``costs.customer_wait_minute``), beats the back-office time it takes
   (``rules.demand.open_window_cny_per_hour``, the price the plan uses) plus :data:`MOVE_CNY`, the cost of
   interrupting someone; the best first, up to :data:`MAX_MOVES`. Only people present, with the skill, not at
   lunch or the meeting, not on leave; a move is kept only when the modified roster breaks no hard rule the
   roster did not already break (every enabled hard rule's own ``check`` on the day: the lobby covered with a
   free backup, an authority holder present, two at the high counter at noon, cash blocks, skills, leave).
   When the lobby manager is called away (a complaint, a difficult case: :class:`LobbyAway`), the backup who
   costs the queues least takes the floor first.

Every move ends at a stated time: when its window can close again. Moves advised earlier and followed are
passed back in (``followed``) so the next advice starts from the branch as it is. What following the advice
saves on a replayed day is measured by benchmarks/bench_intraday.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from constraints.calendar import Day
from constraints.config import COUNTER_TYPES
from constraints.handovers import PRESIDENT_POST
from constraints.problem import Problem
from constraints.roster import OFF, OFF_FLOOR, Roster, Violation
from constraints.rules import enabled_rules
from forecasts.intraday import Reforecast, Segment, queue_paths, reforecast_day
from forecasts.service import ServiceProfile, default_profile

HORIZON_MINUTES = 60
"""How far ahead the advice looks and the longest move it proposes."""

SPILL_MINUTES = 30
"""The evaluation runs this far past the horizon: a queue left at the horizon still costs waiting."""

MOVE_CNY = 120.0
"""A live move interrupts someone's work: it must save this much waiting (CNY; two customer-hours at 1 CNY a
minute) beyond the back-office time it takes. Lower: more moves and less waiting, higher: fewer moves (the
trade-off measured in benchmarks/README.md, "Intraday advice")."""

MAX_MOVES = 3
"""Moves advised at one time (the best first)."""

IN_SERVICE_MAX_MINUTES = 60.0
"""A ticket called longer ago than this with no finish time is no longer counted as in service."""

FROM_ACTIVITIES: tuple[str, ...] = (*OFF_FLOOR, *COUNTER_TYPES)
"""What someone moved to a counter may be doing (not lunch, the meeting, or the lobby floor)."""

START_OFFSETS: tuple[int, ...] = (0, 1)
"""Moves start at the next slot boundary or the one after (a short lookahead)."""


# ---- the day and the queue now ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Today:
    """What stays fixed through the day: the branch's day, who is rostered, the forecast and service times.

    ``problem`` holds the one day (``days`` = (today,)) with the staff, the config and today's absences;
    ``forecast`` the day's rows (as forecast.csv or :func:`forecasts.weekly.forecast_week`); ``alphas`` the
    day level's prior variance per counter (:func:`forecasts.intraday.day_dispersion`; empty: from the
    forecast); ``window_ids`` the physical window names seen per counter (to name the window to open).
    """

    problem: Problem
    roster: Roster
    forecast: pd.DataFrame
    profiles: Mapping[str, ServiceProfile]
    alphas: Mapping[str, float] = field(default_factory=dict)
    window_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def day(self) -> Day:
        """The day."""
        return self.problem.days[0]

    def profile(self, counter: str) -> ServiceProfile:
        """The counter's service profile (defaults when unknown)."""
        return self.profiles.get(counter) or default_profile(counter)

    def name(self, staff_id: str) -> str:
        """A person's name (the id when unknown)."""
        try:
            return self.problem.staff.by_id(staff_id).name
        except KeyError:
            return staff_id

    def window_name(self, counter: str, ordinal: int) -> str:
        """The physical name of the counter's ``ordinal``-th window (1-based), or the ordinal itself."""
        ids = self.window_ids.get(counter, ())
        return ids[ordinal - 1] if 0 < ordinal <= len(ids) else str(ordinal)


@dataclass(frozen=True)
class CounterQueue:
    """One counter type now: customers waiting, being served, and windows the roster has open."""

    counter: str
    waiting: int
    in_service: int
    open_windows: int


def queue_now(tickets: pd.DataFrame, at: pd.Timestamp) -> dict[str, tuple[int, int]]:
    """Per counter: (waiting, in service) at ``at`` from a ticket frame (:func:`forecasts.tickets.read_tickets`).

    Waiting: issued by ``at`` and not called by then (an explicitly abandoned ticket never called left: not
    waiting). In service: called by ``at``, served, not finished by then and called within
    :data:`IN_SERVICE_MAX_MINUTES`. Times after ``at`` are ignored, so a whole past day can be read as of any
    moment.
    """
    t = tickets[tickets["issued_at"] <= at]
    call = t["called_at"].fillna(t["started_at"])
    called = call.notna() & (call <= at)
    cancelled = (t["status"] == "abandoned") & call.isna()
    waiting = ~called & ~cancelled
    finished = t["finished_at"].notna() & (t["finished_at"] <= at)
    recent = call > at - pd.Timedelta(minutes=IN_SERVICE_MAX_MINUTES)
    serving = called & (t["status"] == "served") & ~finished & recent
    out: dict[str, tuple[int, int]] = {}
    for counter in COUNTER_TYPES:
        mine = (t["counter"] == counter).to_numpy()
        out[counter] = (int((waiting.to_numpy() & mine).sum()), int((serving.to_numpy() & mine).sum()))
    return out


# ---- moves and advice ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """One person doing ``to_activity`` instead of ``from_activity`` in [start, end) (minutes)."""

    staff_id: str
    start: int
    end: int
    from_activity: str
    to_activity: str


@dataclass(frozen=True)
class Move:
    """One advised step: one or two people's assignments, why, and its effect on expected waiting.

    ``kind``: ``open_window`` (someone to a counter), ``cover_lobby`` (the backup onto the floor so the lobby
    manager opens a window) or ``lobby_away`` (the backup takes over while the lobby manager is called away).
    ``counter`` is the counter whose waiting the reason quotes, ``window`` the name of the window opened there;
    ``queue_peak`` the most customers expected waiting there within the horizon without the move;
    ``wait_before``/``wait_after`` its expected mean wait (minutes) without and with the move.
    """

    kind: str
    assignments: tuple[Assignment, ...]
    counter: str
    window: str
    queue_peak: float
    wait_before: float
    wait_after: float
    saving_cny: float
    note: str = ""

    @property
    def start(self) -> int:
        """When the move begins (minutes)."""
        return min(a.start for a in self.assignments)

    @property
    def end(self) -> int:
        """When the window can close again and people go back (minutes)."""
        return max(a.end for a in self.assignments)


@dataclass(frozen=True)
class LobbyAway:
    """The lobby manager is called away from ``at`` for ``minutes`` (a complaint, a difficult case)."""

    minutes: int
    reason: str = ""


@dataclass(frozen=True)
class Advice:
    """The answer of :func:`advise` at one moment: queue now, rest of day, expected path, moves."""

    today: Today
    at: int
    queue: Mapping[str, CounterQueue]
    reforecast: Reforecast
    path_times: tuple[int, ...]  # segment ends (minutes)
    path_before: Mapping[str, np.ndarray]  # expected waiting at each path time, the roster as it is
    path_after: Mapping[str, np.ndarray]  # the same with the moves followed
    moves: tuple[Move, ...]
    roster: Roster  # the day's roster with the moves (and those followed before)
    notes: tuple[tuple[str, str], ...] = ()  # (zh, en) remarks, e.g. no backup free to take over


# ---- the evaluation of a roster over the next hour ----------------------------------------------------------


class _Evaluator:
    """Expected waiting per counter for a day grid, over segments from ``at`` to the evaluation's end."""

    def __init__(
        self, today: Today, queue: Mapping[str, CounterQueue], forecast: Reforecast, at: int, horizon: int
    ) -> None:
        day = today.day
        self.today, self.queue, self.at = today, queue, at
        self.last_open = day.open_slots[-1]
        cuts = [at] + [s for s in day.slot_starts if at < s < at + horizon + SPILL_MINUTES]
        cuts.append(at + horizon + SPILL_MINUTES)
        self.starts = np.asarray(cuts[:-1])
        self.minutes = np.diff(cuts).astype(float)
        self.slots = np.array([max(0, min(day.slot_of(int(t)), len(day.slot_starts) - 1)) for t in cuts[:-1]])
        self.counters = [c for c in COUNTER_TYPES if today.problem.windows(c) > 0]
        self.segments: dict[str, list[Segment]] = {}
        self.customers: dict[str, float] = {}
        for c in self.counters:
            prof = today.profile(c)
            rate = forecast.after[c] if c in forecast.after else np.zeros(len(day.slot_starts))
            segs = [
                Segment(float(t), float(m), float(rate[s]) * m / day.slot_minutes if s <= self.last_open else 0.0,
                        prof.mean_at(int(t // 60)))
                for t, m, s in zip(self.starts, self.minutes, self.slots, strict=True)
            ]  # fmt: skip
            self.segments[c] = segs
            self.customers[c] = queue[c].waiting + sum(s.arrivals for s in segs)
        self._cache: dict[tuple[str, tuple[int, ...]], tuple[float, np.ndarray]] = {}

    def schedule(self, grid: np.ndarray, counter: str) -> tuple[int, ...]:
        """Windows open at the counter in each segment (after closing: the last open slot's, at least one)."""
        cap = self.today.problem.windows(counter)
        per_slot = np.minimum((grid == counter).sum(axis=0), cap)
        drain = max(int(per_slot[self.last_open]), 1)
        return tuple(int(per_slot[s]) if s <= self.last_open else drain for s in self.slots)

    def prepare(self, wanted: Mapping[str, set[tuple[int, ...]]]) -> None:
        """Evaluate every schedule not yet known, one batch per counter."""
        for c, schedules in wanted.items():
            todo = sorted(s for s in schedules if (c, s) not in self._cache)
            if not todo:
                continue
            q = self.queue[c]
            prof = self.today.profile(c)
            paths = queue_paths(
                q.waiting + q.in_service, self.segments[c], prof.patience_minutes, np.array(todo)
            )
            for i, sched in enumerate(todo):
                self._cache[(c, sched)] = (float(paths.queue_minutes[i].sum()), paths.waiting_end[i])

    def waiting(self, counter: str, sched: tuple[int, ...]) -> tuple[float, np.ndarray]:
        """(customer-minutes of waiting, expected waiting at each segment end) of one schedule."""
        if (counter, sched) not in self._cache:
            self.prepare({counter: {sched}})
        return self._cache[(counter, sched)]

    def mean_wait(self, counter: str, sched: tuple[int, ...]) -> float:
        """Expected mean wait (minutes) of the customers waiting now or arriving in the evaluation."""
        total, _ = self.waiting(counter, sched)
        return total / self.customers[counter] if self.customers[counter] > 0 else 0.0

    def overall(self, grid: np.ndarray) -> float:
        """Expected mean wait (minutes) over every counter's customers, for a grid."""
        total = sum(self.waiting(c, self.schedule(grid, c))[0] for c in self.counters)
        people = sum(self.customers[c] for c in self.counters)
        return total / people if people > 0 else 0.0

    def paths(self, grid: np.ndarray) -> dict[str, np.ndarray]:
        """Expected waiting at each segment end, per counter, for a grid."""
        return {c: self.waiting(c, self.schedule(grid, c))[1] for c in self.counters}


# ---- the search ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    kind: str
    assignments: tuple[Assignment, ...]
    counter: str  # the counter whose window opens


class _Search:
    """The day grid as it stands, the moves tried on it, and the hard-rule check."""

    def __init__(
        self, today: Today, grid: np.ndarray, evaluator: _Evaluator, at: int, horizon: int, move_cny: float
    ) -> None:
        self.today, self.grid, self.ev, self.at, self.horizon = today, grid, evaluator, at, horizon
        self.move_cny = move_cny
        day = today.day
        self.ids = today.problem.staff.ids()
        self.s0 = day.slot_of(at) + (0 if (at - day.slot_starts[0]) % day.slot_minutes == 0 else 1)
        self.max_len = max(1, horizon // day.slot_minutes)
        self.config = today.problem.config
        self.base = _hard_keys(today.problem, self._roster(grid))
        self._start = grid

    @cached_property
    def _live(self) -> tuple[Problem, set[tuple[str, int | None, tuple[str, ...]]]]:
        """The day's problem for a handover forced by the lobby manager's leaving (a backup's stint may be
        shorter than a planned lobby stint) and the hard breaks of the grid as it stood under it — only
        computed when a handover is asked for."""
        slot = self.today.day.slot_minutes
        live = self.today.problem.replace(
            config=self.config.copy_with(**{"rules.lobby_manager.min_stint_minutes": slot})
        )
        return live, _hard_keys(live, self._roster(self._start))

    # -- grids and rosters
    def _roster(self, grid: np.ndarray) -> Roster:
        return Roster.from_grid(self.today.day, self.ids, grid)

    def apply(self, grid: np.ndarray, assignments: Sequence[Assignment]) -> np.ndarray:
        """A copy of ``grid`` with the assignments made."""
        return _assign(grid, self.today.day, self.ids, assignments)

    def legal(self, grid: np.ndarray, *, handover: bool = False) -> bool:
        """True when the grid breaks no hard rule the roster as it stood did not already break (``handover``:
        the lobby manager called away — a backup's stint on the floor may then be shorter than the planned
        minimum)."""
        if handover:
            live, base = self._live
            return not (_hard_keys(live, self._roster(grid)) - base)
        return not (_hard_keys(self.today.problem, self._roster(grid)) - self.base)

    def free_run(self, p: int, s: int, activity: str) -> int:
        """Slots from ``s`` on (≤ max_len, open slots only) the person keeps doing ``activity`` and is available."""
        day, problem = self.today.day, self.today.problem
        n = 0
        while (
            n < self.max_len
            and s + n <= day.open_slots[-1]
            and self.grid[p, s + n] == activity
            and problem.available(self.ids[p], day, s + n)
        ):
            n += 1
        return n

    # -- candidates
    def candidates(self) -> list[_Candidate]:
        """Every single move (someone to a counter) and lobby swap starting at the next slots."""
        out: list[_Candidate] = []
        day = self.today.day
        for off in START_OFFSETS:
            s = self.s0 + off
            if s > day.open_slots[-1] or s < day.open_slots[0]:
                continue
            out += self._to_counter(s) + self._swaps(s)
        return out

    def _span(self, s: int, n: int) -> tuple[int, int]:
        day = self.today.day
        return max(self.at, day.slot_starts[s]), day.slot_starts[s + n - 1] + day.slot_minutes

    def _room(self, counter: str, s: int, n: int) -> bool:
        cap = self.today.problem.windows(counter)
        return bool(((self.grid[:, s : s + n] == counter).sum(axis=0) < cap).all())

    def _to_counter(self, s: int) -> list[_Candidate]:
        out = []
        for p, person in enumerate(self.today.problem.staff):
            act = str(self.grid[p, s])
            if act not in FROM_ACTIVITIES:
                continue
            run = self.free_run(p, s, act)
            for counter in self.ev.counters:
                if counter == act or not person.can(counter):
                    continue
                for n in range(1, run + 1):
                    if self._room(counter, s, n):
                        a, b = self._span(s, n)
                        move = Assignment(person.staff_id, a, b, act, counter)
                        out.append(_Candidate("open_window", (move,), counter))
        return out

    def _swaps(self, s: int) -> list[_Candidate]:
        """The backup onto the floor for [s, s+n), the lobby manager to a counter window."""
        floor = [p for p in range(len(self.ids)) if self.grid[p, s] == "lobby"]
        if len(floor) != 1:
            return []
        lm = floor[0]
        manager = self.today.problem.staff.by_id(self.ids[lm])
        lm_run = self.free_run(lm, s, "lobby")
        out = []
        for b, person in enumerate(self.today.problem.staff):
            act = str(self.grid[b, s])
            if b == lm or not person.can("lobby") or act not in FROM_ACTIVITIES:
                continue
            run = min(lm_run, self.free_run(b, s, act))
            for counter in self.ev.counters:
                if not manager.can(counter):
                    continue
                for n in range(1, run + 1):
                    if act == counter or self._room(counter, s, n):
                        a, e = self._span(s, n)
                        pair = (
                            Assignment(person.staff_id, a, e, act, "lobby"),
                            Assignment(manager.staff_id, a, e, "lobby", counter),
                        )
                        out.append(_Candidate("cover_lobby", pair, counter))
        return out

    # -- value
    def value(self, grid: np.ndarray, cand: _Candidate) -> tuple[float, np.ndarray]:
        """Net value (CNY) of a candidate on ``grid``, and the grid it makes."""
        new = self.apply(grid, cand.assignments)
        saved = 0.0
        for c in self.ev.counters:
            before, after = self.ev.schedule(grid, c), self.ev.schedule(new, c)
            if before != after:
                saved += self.ev.waiting(c, before)[0] - self.ev.waiting(c, after)[0]
        slot_h = self.today.day.slot_minutes / 60.0
        office = float((np.isin(new, OFF_FLOOR).sum() - np.isin(grid, OFF_FLOOR).sum()) * slot_h)
        costs = self.config.costs
        value = (
            costs.customer_wait_minute * saved
            + self.config.rules.demand.open_window_cny_per_hour * office
            - self.move_cny
        )
        return value, new

    def prepare(self, cands: Sequence[_Candidate]) -> None:
        """Batch every schedule the candidates need."""
        wanted: dict[str, set[tuple[int, ...]]] = {
            c: {self.ev.schedule(self.grid, c)} for c in self.ev.counters
        }
        for cand in cands:
            new = self.apply(self.grid, cand.assignments)
            for c in {cand.counter, *(a.from_activity for a in cand.assignments)} & set(self.ev.counters):
                wanted[c].add(self.ev.schedule(new, c))
        self.ev.prepare(wanted)


def _hard_keys(problem: Problem, roster: Roster) -> set[tuple[str, int | None, tuple[str, ...]]]:
    """(rule, slot, people) of every hard violation: slot-level ones per slot, day-level ones with slot None."""
    day = problem.days[0]
    out: set[tuple[str, int | None, tuple[str, ...]]] = set()
    for rule in enabled_rules(problem.config):
        if rule.kind != "hard":
            continue
        for v in rule.check(problem, roster):
            out |= _keys_of(v, day)
    return out


def _keys_of(v: Violation, day: Day) -> set[tuple[str, int | None, tuple[str, ...]]]:
    if v.start is None or v.end is None:
        return {(v.rule, None, v.staff_ids)}
    return {(v.rule, s, ()) for s, t in enumerate(day.slot_starts) if v.start <= t < v.end}


# ---- advise -------------------------------------------------------------------------------------------------


def advise(
    today: Today,
    tickets: pd.DataFrame,
    at: int,
    *,
    followed: Sequence[Move] = (),
    lobby_away: LobbyAway | None = None,
    horizon: int = HORIZON_MINUTES,
    max_moves: int = MAX_MOVES,
    move_cny: float = MOVE_CNY,
) -> Advice:
    """The advice at minute ``at`` of ``today`` from the day's tickets so far (see the module doc).

    ``tickets``: a :func:`forecasts.tickets.read_tickets` frame of today (times after ``at`` are ignored);
    ``followed``: moves advised before and carried out (their assignments are made first); ``move_cny``: what a
    move must save beyond the back-office time it takes (:data:`MOVE_CNY`).
    """
    day = today.day
    if not day.is_open:
        raise ValueError(f"{day.date} is not an open day")
    stamp = pd.Timestamp(day.date) + pd.Timedelta(minutes=at)
    mine = tickets[tickets["issued_at"].dt.normalize() == pd.Timestamp(day.date)]
    ids = today.problem.staff.ids()
    grid = _present_grid(today, [a for m in followed for a in m.assignments])
    s_now = min(max(day.slot_of(at), day.open_slots[0]), day.open_slots[-1])
    counts = queue_now(mine, stamp)
    queue = {
        c: CounterQueue(c, *counts[c], int(min((grid[:, s_now] == c).sum(), today.problem.windows(c))))
        for c in COUNTER_TYPES
    }
    minutes = (mine["issued_at"] - pd.Timestamp(day.date)).dt.total_seconds().to_numpy() / 60.0
    counters = mine["counter"].to_numpy()
    issued = {c: minutes[counters == c] for c in COUNTER_TYPES if today.problem.windows(c) > 0}
    forecast = reforecast_day(today.forecast, day, issued, at, alphas=today.alphas)
    ev = _Evaluator(today, queue, forecast, at, horizon)
    search = _Search(today, grid, ev, at, horizon, move_cny)
    moves: list[Move] = []
    notes: list[tuple[str, str]] = []
    if lobby_away is not None:
        move, note = _lobby_away(search, lobby_away)
        moves += [move] if move is not None else []
        notes += [note] if note is not None else []
    while len(moves) < max_moves + (1 if lobby_away is not None else 0):
        move = _best_move(search)
        if move is None:
            break
        moves.append(move)
    path_before = ev.paths(grid)
    return Advice(
        today=today,
        at=at,
        queue=queue,
        reforecast=forecast,
        path_times=tuple(int(t + m) for t, m in zip(ev.starts, ev.minutes, strict=True)),
        path_before=path_before,
        path_after=ev.paths(search.grid),
        moves=tuple(moves),
        roster=Roster.from_grid(day, ids, search.grid),
        notes=tuple(notes),
    )


def _slots_of(day: Day, start: int, end: int) -> range:
    """Slots an assignment [start, end) takes: from the one ``start`` falls in (as :meth:`Roster.grid` counts a
    block that begins inside a slot) to the last one starting before ``end``."""
    first = max(day.slot_of(start), 0)
    last = -(-(end - day.slot_starts[0]) // day.slot_minutes)
    return range(first, min(last, len(day.slot_starts)))


def _assign(grid: np.ndarray, day: Day, ids: Sequence[str], assignments: Sequence[Assignment]) -> np.ndarray:
    """A copy of ``grid`` with the assignments made."""
    out = grid.copy()
    for a in assignments:
        out[ids.index(a.staff_id), list(_slots_of(day, a.start, a.end))] = a.to_activity
    return out


def _present_grid(today: Today, assignments: Sequence[Assignment]) -> np.ndarray:
    """The day's people × slots grid with earlier moves made and everyone's leave taken out (not present)."""
    day, problem = today.day, today.problem
    ids = problem.staff.ids()
    grid = _assign(today.roster.grid(day, ids), day, ids, assignments)
    for p, sid in enumerate(ids):
        if problem.absences_of(sid, day.date):
            for s in range(len(day.slot_starts)):
                if not problem.available(sid, day, s):
                    grid[p, s] = OFF
    return grid


def roster_with(today: Today, moves: Sequence[Move]) -> Roster:
    """The day's roster as people are: the moves made, anyone on leave taken out while away."""
    grid = _present_grid(today, [a for m in moves for a in m.assignments])
    return Roster.from_grid(today.day, today.problem.staff.ids(), grid)


def _best_move(search: _Search) -> Move | None:
    """The candidate worth most on the grid as it stands that breaks no new hard rule; None when none pays."""
    cands = search.candidates()
    search.prepare(cands)
    scored = []
    for i, cand in enumerate(cands):
        value, new = search.value(search.grid, cand)
        if value > 0:
            scored.append((value, i, cand, new))
    scored.sort(key=lambda x: (-x[0], x[1]))
    for value, _, cand, new in scored:
        if search.legal(new):
            move = _describe(search, cand, new, value)
            search.grid = new
            return move
    return None


def _describe(search: _Search, cand: _Candidate, new: np.ndarray, value: float, note: str = "") -> Move:
    """The move of a candidate with the waiting it changes at its counter (all counters when it has none)."""
    ev, c = search.ev, cand.counter
    if not c:
        wait = ev.overall(search.grid)
        return Move(cand.kind, cand.assignments, "", "", 0.0, wait, ev.overall(new), value, note)
    before, after = ev.schedule(search.grid, c), ev.schedule(new, c)
    _, path = ev.waiting(c, before)
    inside = ev.starts + ev.minutes <= search.at + search.horizon
    grew = [i for i, (x, y) in enumerate(zip(before, after, strict=True)) if y > x]
    window = search.today.window_name(c, before[grew[0]] + 1) if grew else ""
    return Move(
        kind=cand.kind,
        assignments=cand.assignments,
        counter=c,
        window=window,
        queue_peak=float(path[inside].max(initial=0.0)),
        wait_before=ev.mean_wait(c, before),
        wait_after=ev.mean_wait(c, after),
        saving_cny=value,
        note=note,
    )


def _lobby_away(search: _Search, away: LobbyAway) -> tuple[Move | None, tuple[str, str] | None]:
    """The backup who costs the queues least takes the floor from now while the lobby manager is away (of two
    alike, not the branch president)."""
    day, today = search.today.day, search.today
    oh = day.open_hours
    assert oh is not None
    end = min(search.at + away.minutes, oh.end)
    span = _slots_of(day, search.at, end)
    floor = [p for p in range(len(search.ids)) if search.grid[p, span.start] == "lobby"]
    if len(floor) != 1 or end <= search.at:
        return None, ("此刻大堂无人值守, 无从交接", "nobody is on the lobby floor now: no handover to make")
    lm = floor[0]
    best: tuple[tuple[float, bool], _Candidate, np.ndarray] | None = None
    for b, person in enumerate(today.problem.staff):
        act = str(search.grid[b, span.start])
        if b == lm or not person.can("lobby") or act not in FROM_ACTIVITIES:
            continue
        if any(
            search.grid[b, k] != act or not today.problem.available(person.staff_id, day, k) for k in span
        ):
            continue
        pair = (
            Assignment(person.staff_id, search.at, end, act, "lobby"),
            Assignment(search.ids[lm], search.at, end, "lobby", "back_office"),
        )
        cand = _Candidate("lobby_away", pair, act if act in search.ev.counters else "")
        value, new = search.value(search.grid, cand)
        rank = (round(value, 6), person.post != PRESIDENT_POST)  # a tie: not the president (who must log it)
        if search.legal(new, handover=True) and (best is None or rank > best[0]):
            best = (rank, cand, new)
    if best is None:
        return None, ("没有空闲的后备大堂经理可以接班", "no backup lobby manager is free to take over")
    (value, _), cand, new = best
    move = _describe(search, cand, new, value + search.move_cny, away.reason)
    search.grid = new
    return move, None
