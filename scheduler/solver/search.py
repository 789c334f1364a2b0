"""The search behind :func:`scheduler.solver.solve.solve`: construct, improve (LNS), polish.

Plain CP-SAT on the whole week struggles here: a week of 14 people on 15-minute slots is ~20k Booleans whose
days are tied together only by the weekly labour rules, and the portfolio spends its time finding a first
roster. The search therefore runs in three steps on the *one* model built by :mod:`scheduler.solver.model`:

1. **construct** — a feasible roster from CP-SAT's local search (``use_ls_only``), without the objective and
   with a temporary shape constraint (nobody works more than the standard days a week, so the start is a
   normal week, not six short days); without the shape if that fails; and a full CP-SAT solve (which can
   *prove* infeasibility) if local search finds nothing.
2. **improve** — large-neighbourhood search: every person-day's variables are fixed to the incumbent and
   CP-SAT re-optimises a neighbourhood, hinted with the incumbent — first each whole day once, then a few
   people on one day (an adaptive number of those who work it, related by counter skill), which CP-SAT
   with its LP mostly proves optimal in hundredths of a unit, so the budget buys hundreds of moves. Each
   neighbourhood is solved on its day's cut-down model (:mod:`scheduler.solver.submodel`: the constraints a change
   on that day can reach, the rest fixed), built in a thread beside the construct, so a small solve does
   not load the whole week; each sub-solve is also charged the wall time of loading that model
   (``SOLVE_OVERHEAD_UNITS``), which deterministic time leaves out. With two workers the neighbourhoods run
   two at a time on different days (the second in a thread), charged once; when both improve, the second's
   changes are put into the first's roster and a solve with every person-day fixed completes it (or finds
   that they do not fit together; a whole day lost that way is redone alone).
3. **polish** — whole-model CP-SAT from the incumbent: for small plans (one or two days) a share of the
   budget, which usually proves optimality; for a week what the moves leave when they stop for lack of
   progress (its budget sized again from its own pace). Meanwhile, on the core the polish leaves free,
   CP-SAT's lower-bound tree search on a copy of the model raises the certified bound (:class:`_Prover`).
   Otherwise the certified bound is the unavoidable costs plus the capacity relaxation of
   :mod:`scheduler.solver.bound` (:meth:`BuiltModel.lower_bound`): CP-SAT's own bound on a full week stays
   far from the incumbent within a minute (its LP relaxation is large and degenerate). A horizon of several
   weeks computes it in a process of its own from the start (a week's each, tens of seconds on a big
   branch), reporting the quick part (:meth:`BuiltModel.quick_bound`) meanwhile.

Determinism: every CP-SAT call of the search is single-threaded with a fixed seed, and in deterministic mode
limited by *deterministic* time (work units, plus the fixed load charge), and the neighbourhoods are drawn
from ``random.Random(seed)``, so the same seed gives the same roster whatever the machine's load (two
neighbourhoods side by side are each deterministic, and merged in a fixed order).

``python -m benchmarks.bench_roster`` measures the search (cost, certified gap, time to 1 % and 2 %) against
plain CP-SAT on the same model; what each tuning constant below was measured at, and what was tried and
dropped, is in benchmarks/README.md, "Roster solver: design history".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from constraints.roster import Roster
from scheduler.solver import stop
from scheduler.solver.bound_process import capacity_in_process
from scheduler.solver.construct import add_paid_bounds, day_problem, days_pattern, hours_left
from scheduler.solver.model import CHANGES, BuiltModel, build_model
from scheduler.solver.submodel import DayModel, day_models, export_model

MIN_UNITS = 0.05
"""The least deterministic work a solve is given (a zero limit would return at once)."""

MIN_SECONDS = 0.05
"""The least wall time a solve is given, and how close to a deadline the search still starts a step."""

PACE_SHARE = 0.1
"""Share of the seconds left that the few-people moves run before the work budget is sized (again) from the
pace they showed since the last sizing (at least ``MIN_PACE_SECONDS``): long enough to average over many
sub-solves, short enough to follow a machine whose load changes."""

MIN_PACE_SECONDS = 1.0
"""The shortest pace measurement: shorter follows the load sooner, but averages over fewer sub-solves."""

CONSTRUCT_SHARES = (0.5, 0.4, 0.3, 0.5)
"""Shares of the seconds left to the target that the construct's attempts may take: the days-off pattern,
then local search with the five-day shape twice, then without it (each runs to its first roster)."""


FROM_DAYS_SHARE = 0.9
"""Share of the seconds left that the whole model may take to complete the roster built day by day (every
person-day fixed; loading a big model is most of it: a 28-day model of 80 people takes 10–20 s)."""

SOLVE_OVERHEAD_UNITS = 2e-7
"""Deterministic units charged per sub-solve of the LNS for each variable and constraint of the model it
loads: loading and presolving it, most of it fixed, takes wall time CP-SAT's deterministic time barely
counts, so hundreds of small neighbourhoods would otherwise take far longer than the limit. More charges
the budget closer to the wall clock, at the price of fewer moves."""

PATTERN_UNITS = 0.2
"""Deterministic units for the days-off pattern of the construct (per calendar week of the plan): more finds a
better pattern, less leaves more of the budget to the moves."""

CONSTRUCT_PARAMETERS: dict[str, int | bool] = {
    "max_presolve_iterations": 1,
    "cp_model_probing_level": 0,
    "use_sat_inprocessing": False,
    "linearization_level": 0,
}
"""CP-SAT parameters of a day of the day-by-day construct (its own model, hinted with everyone working the
whole day, minimising the minutes short of the contract): light presolve, no probing, no LP — a day's
first roster fast rather than a proof."""

CHECK_PARAMETERS: dict[str, int | bool] = {**CONSTRUCT_PARAMETERS, "stop_after_first_solution": True}
"""A day solve that only tells whether the day can be staffed (the days after one that cannot)."""

PATTERN_TRIES = 5
"""Days-off patterns the construct tries day by day, each with one more of every estimate on the days the
one before could not staff."""

DAY_UNITS_PER_PERSON = 0.0075
"""Deterministic units for each of the first pass's whole-day solves, per person of the branch (0.105 for 14
people, 0.3 for 40): more improves each day's first pass, less leaves more to the few-people moves."""

POLISH_SHARE = 0.3
"""Share of the budget a plan of one or two days (and a re-plan) keeps for the whole-model polish, which usually
proves it optimal; a week polishes only what its moves leave when they stop for lack of progress."""

POLISH_LEAST_SHARE = 0.05
"""A week polishes when its moves leave more than this share of the units they and the construct used."""

STALE_ROUNDS = 4
"""The moves stop for lack of progress after this many neighbourhoods per person-day without a gain."""

SMALL_UNITS = 0.05
"""Deterministic units for a solve of a few people's day: more proves more neighbourhoods, fewer are tried."""

POLISH_PROBE_UNITS = 3.0
"""Deterministic units of the polish's first whole-model solve, whose pace sizes the budget for the rest."""

SUB_SOLVE_PARAMETERS: dict[str, int | bool] = {"max_presolve_iterations": 1, "use_sat_inprocessing": False}
"""CP-SAT parameters of every neighbourhood's solve besides one thread and no symmetry detection: one presolve
round and no inprocessing, as a small solve is mostly presolve on a model that is mostly fixed."""

SMALL_LINEARIZATION = 2
"""CP-SAT's ``linearization_level`` for a few people's day (whole days and merges take 0, no LP): the full LP
proves many more small neighbourhoods optimal, while on whole days its cost outweighs what it finds."""


@dataclass
class SearchOutcome:
    """What the search found."""

    status: str  # OPTIMAL / FEASIBLE / INFEASIBLE / UNKNOWN / MODEL_INVALID
    values: list[int] | None = None
    objective: float | None = None  # model units
    bound: float | None = None  # model units (global)
    first_feasible_seconds: float | None = None
    cut: bool = False  # the roster depends on the clock (not reproducible from the seed and work units)
    work_units: float = 0.0  # the work budget (deterministic units and load charges)
    log: list[str] = field(default_factory=list)


@dataclass
class _Moves:
    """Where the LNS of :meth:`DaySearch.improve` stands."""

    size: int  # people in a few-people neighbourhood (adapts)
    k: int = 0  # the next neighbourhood's number (:meth:`DaySearch.neighbourhood`)
    stale: int = 0  # neighbourhoods since the last gain
    redo: list[dt.date] = field(default_factory=list)  # whole days to solve again, lost in a failed merge
    redone: set[dt.date] = field(default_factory=set)  # whole days redone already
    pace_until: float | None = None  # when the pace is measured next (None: the few-people moves not started)


class Background:
    """``work`` started in a thread; :meth:`result` waits for it (or raises its error), up to a deadline.

    For pure-Python work beside the search: CP-SAT releases the GIL while it solves, so on two cores this
    overlaps the single-threaded solves almost for free."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self._box: dict[str, Any] = {}

        def run() -> None:
            try:
                self._box["result"] = work()
            except BaseException as e:  # re-raised in the caller's thread
                self._box["error"] = e

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def done(self) -> bool:
        """True when the work has finished."""
        return not self._thread.is_alive()

    def result(self, until: float | None = None) -> Any:
        """The work's result; None when it is not done by ``until`` (a ``time.perf_counter()`` moment)."""
        self._thread.join(None if until is None else max(0.0, until - time.perf_counter()))
        if self._thread.is_alive():
            return None
        if "error" in self._box:
            raise self._box["error"]
        return self._box["result"]


class _Prover:
    """CP-SAT's lower-bound tree search (``optimize_with_lb_tree_search``) on a copy of the whole model, in a
    thread on the core the single-threaded polish leaves free, until :meth:`stop`: each bound it proves
    raises the certified bound (on tight weeks it proves within seconds what the capacity relaxation of
    :mod:`scheduler.solver.bound` misses, such as the demand cost of three people on leave); its rosters are
    not used, so the roster stays a function of the seed and the work budget."""

    def __init__(self, search: DaySearch) -> None:
        self.solver = search._solver(1)
        prm = self.solver.parameters
        prm.optimize_with_lb_tree_search = True
        prm.linearization_level = 2
        prm.max_time_in_seconds = max(MIN_SECONDS, search.budget.wall_left())
        self.solver.best_bound_callback = search._new_bound
        model = search.model.clone()
        model.clear_hints()
        self._work = Background(lambda: self.solver.solve(model))

    def stop(self) -> None:
        """Stop the solve and wait for it (asked again until it ends: it may not have started at the first)."""
        while not self._work.done():
            self.solver.stop_search()
            self._work.result(time.perf_counter() + stop.STOP_POLL_SECONDS)


def round_down(units: float) -> float:
    """``units`` rounded down to two significant digits (so that the same instance on the same machine
    mostly gets the same budget from a slightly different measured pace)."""
    if units <= 0:
        return 0.0
    step = 10.0 ** (math.floor(math.log10(units)) - 1)
    return math.floor(units / step + 1e-9) * step


class Budget:
    """What the search may still spend: work units, and two wall-clock moments that always hold.

    ``target`` is when the search's work should be done; ``deadline`` (later) is the hard stop that no
    solve runs past. *Deterministic mode*: every solve is limited by CP-SAT's deterministic time, and the
    work budget :attr:`total` (deterministic units plus each sub-solve's load charge) is either given or
    sized once by :meth:`size` from the pace *this* search measured on this instance and machine (units per
    wall second since :meth:`mark`), so that the work planned ends at ``target`` — no seconds-to-units
    constant. Until it is sized the search runs steps of fixed work (they do not depend on the total) and
    stops at ``target``. The roster is a function of the seed and :attr:`total` unless the deadline or the
    target cut a solve or the search short: then :attr:`cut` is set (``reproducible: false``); otherwise a
    rerun with ``work_units = total`` gives the same roster on any machine. *Wall-clock mode*: the budget
    is the seconds from the start to ``target``; nothing is reproducible.
    """

    def __init__(
        self, target: float, deadline: float, deterministic: bool, units: float | None = None
    ) -> None:
        self.deterministic = deterministic
        self.start = time.perf_counter()
        self.target = target
        self.deadline = max(deadline, target)
        self.total: float | None = units if deterministic else max(0.0, target - self.start)
        self.given = units is not None
        self.used = 0.0
        self.cut = False
        self._mark = (self.start, 0.0)

    def spent(self) -> float:
        """Units used (deterministic mode) or seconds since the start (wall-clock mode)."""
        return self.used if self.deterministic else time.perf_counter() - self.start

    def left(self) -> float:
        """Budget left in its units: infinite while a deterministic budget is not sized yet."""
        return math.inf if self.total is None else self.total - self.spent()

    def wall_left(self) -> float:
        """Seconds to the hard deadline."""
        return self.deadline - time.perf_counter()

    def running(self, reserve: float = 0.0) -> bool:
        """True while the search may start another step (the budget less ``reserve`` not spent, the target
        not passed while the budget is not sized, the deadline not passed). Sets :attr:`cut` when the clock
        stops an unfinished deterministic budget."""
        if self.left() - reserve <= MIN_UNITS:
            return False
        clock = self.target if self.total is None else self.deadline
        if time.perf_counter() < clock - MIN_SECONDS:
            return True
        self.cut = self.cut or self.deterministic
        return False

    def mark(self) -> None:
        """Measure the pace from here (the steps before differ in pace from those after)."""
        self._mark = (time.perf_counter(), self.used)

    def resizable(self, reserve: float, widest: float) -> bool:
        """True when the budget may be sized (again) from the pace: deterministic, not given, and with room
        left for the widest solve — so no solve so far was cut short by it, and the roster stays a function
        of the final budget alone."""
        if not self.deterministic or self.given:
            return False
        return self.total is None or self.total - self.used - reserve >= widest

    def size(self, least: float = 0.0) -> None:
        """Size the deterministic budget: the units used plus what the pace measured since the mark fits
        before the target, rounded down to two significant digits, never below what is used nor below
        ``least`` (rounded up: the room a replay with this budget given from the start needs to take every
        step the same way); a given budget stays."""
        if self.given:
            return
        now = time.perf_counter()
        t, u = self._mark
        if now - t < MIN_SECONDS or self.used <= u:  # too short a measurement: the pace since the start
            t, u = self.start, 0.0
        pace = (self.used - u) / max(now - t, 1e-6)
        self.total = max(
            self.used, round_up(least), round_down(self.used + pace * max(0.0, self.target - now))
        )

    def charge(self, solver: cp_model.CpSolver, overhead: float = 0.0) -> None:
        """Account for a finished solve (``overhead``: units for what deterministic time leaves out, such as
        loading the model); a deterministic solve the clock stopped marks the run :attr:`cut`."""
        self.used += solver.deterministic_time + overhead
        if self.deterministic and stopped_by_clock(solver):
            self.cut = True

    def limit(
        self, solver: cp_model.CpSolver, units: float, reserve: float = 0.0, seconds: float = math.inf
    ) -> None:
        """Limit a solve to ``units`` of deterministic work in either mode (in deterministic mode at most the
        budget left less ``reserve``), and to at most ``seconds`` of wall time before the deadline
        (deterministic mode) or before the target less ``reserve`` (wall-clock mode)."""
        now = time.perf_counter()
        if self.deterministic:
            work, clock = min(units, self.left() - reserve), self.deadline - now
        else:
            work, clock = units, self.target - now - reserve
        if math.isfinite(work):
            solver.parameters.max_deterministic_time = max(MIN_UNITS, work)
        solver.parameters.max_time_in_seconds = max(MIN_SECONDS, min(clock, seconds))


def round_up(units: float) -> float:
    """``units`` rounded up to two significant digits."""
    if units <= 0:
        return 0.0
    step = 10.0 ** (math.floor(math.log10(units)) - 1)
    return math.ceil(units / step - 1e-9) * step


def grace_seconds(limit: float) -> float:
    """How far past its target a search may run before the hard deadline stops it: half the promise's slack
    (``--time-limit T`` returns within T + max(2 s, 5 %)), the other half for the work around the search."""
    return max(1.0, 0.025 * limit)


def stopped_by_clock(solver: cp_model.CpSolver) -> bool:
    """True when a finished solve was stopped by its wall-time limit, not by its work limit or a proof."""
    prm = solver.parameters
    status = solver.response_proto.status
    if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        return False
    return solver.wall_time >= 0.98 * prm.max_time_in_seconds and (
        solver.deterministic_time < 0.98 * prm.max_deterministic_time
    )


class _Incumbent(cp_model.CpSolverSolutionCallback):
    """Reports improving solutions of a sub-solve (their objective is global: other days are fixed)."""

    def __init__(self, on_solution: Callable[[float], None]) -> None:
        super().__init__()
        self.on_solution = on_solution

    def on_solution_callback(self) -> None:
        self.on_solution(self.objective_value)


class DaySearch:
    """Construct / improve-by-day / polish on one built model."""

    def __init__(
        self,
        built: BuiltModel,
        *,
        seed: int,
        workers: int,
        time_limit_seconds: float,
        deterministic: bool,
        log_progress: bool = False,
        on_progress: Callable[[float | None, float | None], None] | None = None,
        t0: float | None = None,
        start: Any = None,
        target: float | None = None,
        deadline: float | None = None,
        work_units: float | None = None,
    ) -> None:
        """``target``/``deadline``: ``time.perf_counter()`` moments when the work should end and the hard stop
        (default: ``time_limit_seconds`` after ``t0``, and :func:`grace_seconds` later); ``work_units``: a
        fixed deterministic budget instead of one sized from the measured pace (see :class:`Budget`)."""
        self.built = built
        self.start = start
        self.model = built.model
        self.seed = seed
        self.workers = max(1, workers)
        self.log_progress = log_progress
        self.on_progress = on_progress or (lambda obj, bound: None)
        self.t0 = t0 if t0 is not None else time.perf_counter()
        target = self.t0 + time_limit_seconds if target is None else target
        deadline = target + grace_seconds(time_limit_seconds) if deadline is None else deadline
        self.budget = Budget(target, deadline, deterministic, work_units)
        self.objective = sum(t.expr for t in built.terms)
        proto = self.model.proto
        self.n = len(proto.variables)
        self._domains: dict[int, list[int]] = {}  # the domains :meth:`_fix` narrowed, to restore
        self.day_vars = {  # a re-plan's days kept whole are fixed: no neighbourhood frees them
            d.date: built.vars.primary_indexes(d.date)
            for d in built.vars.days()
            if d.date not in built.kept_dates
        }
        self._kept = [i for d in sorted(built.kept_dates) for i in built.vars.primary_indexes(d)]
        self._works = built.vars.works_indexes()
        self._skills = {p.staff_id: set(p.skills) for p in built.vars.problem.staff}
        o = proto.objective
        self._obj_vars = np.asarray(o.vars, dtype=np.int64)
        self._obj_coeffs = np.asarray(o.coeffs, dtype=np.int64)
        self._obj_offset = o.offset
        self._toggled = np.zeros(self.n, dtype=bool)
        self._pending_models: Background | None = None
        self._days = {d.date: d for d in built.vars.days()}
        self.bound: float | None = None
        self.best: float | None = None
        self.first_feasible: float | None = None
        self._lock = threading.Lock()
        self._proved_infeasible = False
        self.log: list[str] = []

    def note(self, what: str) -> None:
        """Record a step (for benchmarks and debugging)."""
        self.log.append(
            f"{time.perf_counter() - self.t0:6.1f}s used={self.budget.used:6.2f} best={self.best} bound={self.bound} {what}"
        )

    # ---- helpers ---------------------------------------------------------------------------------------

    def _solver(self, workers: int = 1) -> cp_model.CpSolver:
        s = stop.CpSolver()
        s.parameters.random_seed = self.seed
        s.parameters.num_workers = workers
        s.parameters.log_search_progress = self.log_progress
        return s

    def _values(self, solver: cp_model.CpSolver) -> list[int]:
        return list(solver.response_proto.solution)

    def _eval(self, values: list[int] | np.ndarray) -> float:
        """The objective of a roster (model units)."""
        return float(self._obj_coeffs @ np.asarray(values, dtype=np.int64)[self._obj_vars] + self._obj_offset)

    def _fix(self, indexes: list[int], values: list[int]) -> None:
        proto = self.model.proto
        for i in indexes:
            dom = proto.variables[i].domain
            self._domains.setdefault(i, list(dom))
            dom.clear()
            dom.extend([values[i], values[i]])

    def _restore(self, indexes: list[int]) -> None:
        proto = self.model.proto
        for i in indexes:
            saved = self._domains.pop(i, None)
            if saved is not None:  # (restored already otherwise)
                dom = proto.variables[i].domain
                dom.clear()
                dom.extend(saved)

    def _hint(self, values: list[int]) -> None:
        m = self.model
        m.clear_hints()
        hint = m.proto.solution_hint
        hint.vars.extend(range(self.n))
        hint.values.extend(values)

    def _improved(self, obj: float) -> None:
        with self._lock:
            if self.best is None or obj < self.best:
                self.best = obj
                if self.first_feasible is None:
                    self.first_feasible = time.perf_counter() - self.t0
                self.on_progress(self.best, self.bound)

    def _new_bound(self, bound: float) -> None:
        with self._lock:
            if self.bound is None or bound > self.bound:
                self.bound = bound
                self.on_progress(self.best, self.bound)

    # ---- the three steps ------------------------------------------------------------------------------

    def _ordered(self, pattern: dict[tuple[str, dt.date], int]) -> dict[tuple[str, dt.date], int]:
        """The pattern with identical people's weeks sorted as the symmetry breaking wants (descending)."""
        rv = self.built.vars
        dates = [d.date for d in rv.days()]
        out = dict(pattern)
        for group in rv.symmetry_groups:
            weeks = sorted((tuple(pattern.get((p, d), 0) for d in dates) for p in group), reverse=True)
            for p, week in zip(group, weeks, strict=True):
                for d, v in zip(dates, week, strict=True):
                    out[(p, d)] = v
        return out

    def _from_roster(
        self, roster: Any, repair_days: bool = True, share: float | None = None
    ) -> list[int] | None:
        """A start from a given roster: as it is if it still holds, else (``repair_days``) its days-off pattern
        repaired; ``share``: of the seconds left, for taking it as it is (default ``CONSTRUCT_SHARES[0]``)."""
        rv = self.built.vars
        given = rv.roster_values(roster)
        idx = sorted(given)
        values = [0] * self.n
        for i, v in given.items():
            values[i] = v
        self._fix(idx, values)
        self.model.minimize(self.objective)  # what the roster leaves free (waits, slacks) at its cheapest
        s = self._solver(1)
        self.budget.limit(s, math.inf, seconds=self._share(CONSTRUCT_SHARES[0] if share is None else share))
        st = s.solve(self.model)
        self.budget.charge(s)
        self._restore(idx)
        self.model.clear_objective()
        self.note(f"start roster as given: {s.status_name(st)}")
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return self._values(s)
        if not repair_days or not self.budget.running():
            return None
        works = rv.works_indexes()
        fixed = list(works.values())
        self._fix(fixed, values)
        found = self._local_search(CONSTRUCT_SHARES[0])
        self._restore(fixed)
        self._proved_infeasible = False
        self.note(f"start roster's days off: found={found is not None}")
        return found

    def _replan_days(
        self,
    ) -> tuple[
        dict[tuple[str, dt.date], int] | None,
        dict[tuple[str, dt.date], int] | None,
        dict[tuple[str, dt.date], int] | None,
    ]:
        """A re-plan's days-off constraints for :func:`days_pattern`: the person-days its kept part decides,
        the roster it repairs as the pattern to prefer, and the paid minutes of the days kept whole (None ×
        3 for a plan)."""
        keep = self.built.keep
        if keep is None:
            return None, None, None
        rv = self.built.vars
        days = rv.days()
        prefer = {(p, d.date): int(keep.roster.works(d.date, p)) for d in days for p in rv.ids}
        kept = self._kept_roster()
        paid = {(p, d): kept.paid_minutes(d, p) for d in self.built.kept_dates for p in rv.ids}
        return keep.kept_works(days, rv.ids), prefer, paid

    def _kept_roster(self) -> Roster:
        """The blocks of a re-plan's days kept whole (an empty roster for a plan)."""
        keep, dates = self.built.keep, self.built.kept_dates
        if keep is None or not dates:
            return Roster(())
        return Roster(tuple(b for b in keep.roster.blocks if b.date in dates))

    def _share(self, share: float) -> float:
        """``share`` of the seconds left to the target (at least ``MIN_SECONDS``)."""
        return max(MIN_SECONDS, share * (self.budget.target - time.perf_counter()))

    def _set_shape(self, on: bool | None) -> None:
        shape = self.built.vars.shape_literal
        if shape is None:
            return
        dom = self.model.proto.variables[shape.index].domain
        dom.clear()
        dom.extend([1, 1] if on else [0, 1])

    def _local_search(self, share: float) -> list[int] | None:
        """Feasibility by CP-SAT's local search: ``workers`` single-thread runs with consecutive seeds in
        parallel, each to its first roster (no work limit; at most ``share`` of the seconds left to the
        target); the lowest seed that finds one wins, so a run stops once a lower seed has found one, and
        only the winner's work is charged (deterministic unless the clock stopped a lower seed)."""
        runs = max(1, min(self.workers, 4))
        results: dict[int, list[int] | None] = {}
        solvers = [self._solver(1) for _ in range(runs)]
        seconds = self._share(share)
        found = threading.Event()

        def one(k: int, model: cp_model.CpModel) -> None:
            s = solvers[k]
            s.parameters.random_seed = self.seed + k
            s.parameters.use_ls_only = True
            s.parameters.symmetry_level = 0
            s.parameters.cp_model_probing_level = 0
            s.parameters.max_presolve_iterations = 1
            self.budget.limit(s, math.inf, seconds=seconds)
            st = s.solve(model)
            results[k] = self._values(s) if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
            if st == cp_model.INFEASIBLE:
                self._proved_infeasible = True
            if k == 0 and results[k] is not None:
                found.set()

        models = [self.model]
        for _ in range(runs - 1):
            c = cp_model.CpModel()
            c.proto.copy_from(self.model.proto)
            models.append(c)
        threads = [threading.Thread(target=one, args=(k, models[k])) for k in range(1, runs)]
        for th in threads:
            th.start()
        one(0, models[0])
        for th in threads:  # seed 0 found one: the others cannot win (asked again until they stop)
            while found.is_set() and th.is_alive():
                for s in solvers[1:]:
                    s.stop_search()
                th.join(0.05)
            th.join()
        winner = next((k for k in range(runs) if results.get(k) is not None), None)
        deciding = solvers if winner is None else solvers[: winner + 1]  # the seeds that decided it
        self.budget.used += (
            solvers[winner].deterministic_time
            if winner is not None
            else max(s.deterministic_time for s in deciding)
        )
        if self.budget.deterministic and any(stopped_by_clock(s) for s in deciding):
            self.budget.cut = True
        return None if winner is None else results[winner]

    def _by_day(self, pattern: dict[tuple[str, dt.date], int]) -> tuple[list[int] | None, list[dt.date]]:
        """A first roster day by day (:mod:`scheduler.solver.construct`): each day alone, as a plan of its
        own with the pattern's people (:func:`day_problem`), paid minutes within what the weekly hours leave
        and as close to the contract as the day allows, one day after the other, those with fewest people
        first (they have least room; the full weekdays take up what is left); then the week's model takes
        the days together (:meth:`_from_roster`: kept if every rule across days holds, else the days off
        repaired). The roster, or None and the days that could not be staffed (once one fails, the days
        after it are only checked: a pattern boosted on all of them at once needs fewer tries)."""
        week = self.built.vars
        left = hours_left(week.problem, pattern, self._replan_days()[2])
        if left is None:
            return None, []
        kept = self._kept_roster()
        for d in sorted(self.built.kept_dates):  # a re-plan's days kept whole are built already
            for p, hours in left.items():
                if pattern.get((p, d)) and d in hours.most:
                    hours.built(d, kept.paid_minutes(d, p))
        number = {d: k for k, d in enumerate(self.day_vars)}
        seconds = self._share(CONSTRUCT_SHARES[0])
        rosters = []
        failed: list[dt.date] = []
        for d in sorted(
            self.day_vars, key=lambda d: (sum(pattern.get((p, d), 0) for p in week.ids), number[d])
        ):
            keep = self.built.keep
            one = build_model(
                day_problem(week.problem, self._days[d], pattern, kept if keep is not None else None),
                relax=week.relax,
                relax_penalty_cny=week.relax_penalty_cny,
                symmetry_breaking=False,
                keep=None if keep is None else dataclasses.replace(keep, fixed_dates=frozenset()),
            )
            rv, model = one.vars, one.model
            model.clear_objective()
            short, present = [], []
            for p in (p for p in rv.ids if pattern.get((p, d))):
                model.add(rv.works(p, d) == 1)
                present += rv.present_indexes(p, d)
                if p in left:
                    short += add_paid_bounds(model, rv.paid_terms(p, d), *left[p].bounds(d))
            if keep is None:
                model.proto.objective.vars.extend(short)
                model.proto.objective.coeffs.extend([1] * len(short))
                # whole days: the search starts near the contract
                model.proto.solution_hint.vars.extend(present)
                model.proto.solution_hint.values.extend([1] * len(present))
            else:  # a re-plan's day: a minute short costs about a staff minute, and every change its price
                changes = sum(t.expr for t in one.terms if t.name == CHANGES)
                minutes = sum(model.get_int_var_from_proto_index(i) for i in short)
                model.minimize(round(rv.scale) * minutes + changes)
                rv.hint(keep.roster)  # the roster it repairs, where it still holds
            units = DAY_UNITS_PER_PERSON * len(week.ids)
            ((s, st),) = self._in_pairs(
                [(model, units, seconds)], CHECK_PARAMETERS if failed else CONSTRUCT_PARAMETERS
            )
            self.note(
                f"by day: {d} {s.status_name(st)} dtime={s.deterministic_time:.3f} wall={s.wall_time:.2f}"
            )
            if st == cp_model.INFEASIBLE:  # the other days still tell whether they can be staffed so
                self.note(f"by day: {d} cannot be staffed so (INFEASIBLE)")
                failed.append(d)
                continue
            if st != cp_model.OPTIMAL and st != cp_model.FEASIBLE:
                self.note(f"by day: {d} cannot be staffed so ({s.status_name(st)})")
                return None, failed
            if failed:
                continue
            solution = np.asarray(s.response_proto.solution, dtype=np.int64)
            for p, hours in left.items():
                if pattern.get((p, d)):
                    terms, coeffs = rv.paid_terms(p, d)
                    hours.built(d, int(np.dot(coeffs, solution[terms])))
            rosters.append(rv.roster(s))
        if failed:
            return None, failed
        # the days built: the whole model takes them (a horizon's takes seconds just to load, so it may
        # have most of what is left)
        return self._from_roster(Roster.concat([kept, *rosters]), share=FROM_DAYS_SHARE), []

    def _in_pairs(
        self, jobs: list[tuple[cp_model.CpModel, float | None, float]], parameters: dict[str, int | bool]
    ) -> list[tuple[cp_model.CpSolver, Any]]:
        """One or two solves (model, work units or None, seconds) at once, the second in a thread, each on
        one thread with ``parameters``; charged once, for the longer, and marked cut if the clock stopped
        either."""
        out: dict[int, tuple[cp_model.CpSolver, Any]] = {}

        def run(j: int) -> None:
            model, units, seconds = jobs[j]
            s = self._solver(1)
            s.parameters.symmetry_level = 0
            for name, value in parameters.items():
                setattr(s.parameters, name, value)
            self.budget.limit(s, math.inf if units is None else units, seconds=seconds)
            out[j] = (s, s.solve(model))

        threads = [threading.Thread(target=run, args=(j,)) for j in range(1, len(jobs))]
        for th in threads:
            th.start()
        run(0)
        for th in threads:
            th.join()
        solvers = [out[j][0] for j in range(len(jobs))]
        self.budget.used += max(s.deterministic_time for s in solvers)
        if self.budget.deterministic and any(stopped_by_clock(s) for s in solvers):
            self.budget.cut = True
        return [out[j] for j in range(len(jobs))]

    def construct(self) -> tuple[str, list[int] | None]:
        """A first feasible roster (or a proof there is none)."""
        m = self.model
        m.clear_objective()
        self._proved_infeasible = False
        if self.start is not None:
            # a re-plan's start breaks a rule where someone is now away: its days-off pattern (which
            # :meth:`_replan_days` prefers anyway) cannot be kept, so no time goes into repairing it
            found = self._from_roster(self.start, repair_days=self.built.keep is None)
            if found is not None:
                m.minimize(self.objective)
                self._improved(self._eval(found))
                return "FEASIBLE", found
        boost: dict[dt.date, int] = {}
        last_failed: set[dt.date] = set()
        problem = self.built.vars.problem
        units = PATTERN_UNITS * len(problem.week_dates())  # a horizon's pattern: as much a week
        for _ in range(PATTERN_TRIES):
            pattern = days_pattern(problem, self.seed, units, boost, *self._replan_days())
            self.budget.used += units
            self.note(f"pattern {'found' if pattern else 'none'} (more on {len(boost)} days)")
            if pattern is None or not self.budget.running():
                break
            pattern = self._ordered(pattern)
            by_day, failed = self._by_day(pattern)
            if by_day is not None:
                m.minimize(self.objective)
                self._improved(self._eval(by_day))
                return "FEASIBLE", by_day
            if set(failed) == last_failed:  # boosting those days changed nothing
                break
            last_failed = set(failed)
            if not failed:
                break
            for d in failed:  # those days want more people than the estimates say
                boost[d] = boost.get(d, 0) + 1
        # a pattern some day cannot be staffed by is no start; a big model takes seconds just to load
        if pattern is not None and not last_failed and self.budget.running():
            works = self.built.vars.works_indexes()
            values = [0] * self.n
            for (p, d), i in works.items():
                values[i] = pattern.get((p, d), 0)
            fixed = list(works.values())
            self._fix(fixed, values)
            found = self._local_search(CONSTRUCT_SHARES[0])
            self._restore(fixed)
            self._proved_infeasible = False  # the pattern was a restriction
            self.note(f"construct pattern found={found is not None}")
            if found is not None:
                m.minimize(self.objective)
                self._improved(self._eval(found))
                return "FEASIBLE", found
        shape = self.built.vars.shape_literal is not None
        attempts = [(True, CONSTRUCT_SHARES[1]), (True, CONSTRUCT_SHARES[2])] if shape else []
        attempts.append((False, CONSTRUCT_SHARES[3]))
        for k, (use_shape, share) in enumerate(attempts):
            if not self.budget.running():
                break
            self._set_shape(use_shape)
            seed = self.seed
            self.seed = seed + 10 * k
            found = self._local_search(share)
            self.seed = seed
            self.note(f"construct shape={use_shape} found={found is not None}")
            if found is None and self._proved_infeasible and not use_shape:
                return "INFEASIBLE", None  # presolve proved it: no restriction was active
            if found is not None:
                self._set_shape(False)
                m.minimize(self.objective)
                self._improved(self._eval(found))
                return "FEASIBLE", found
        # local search found nothing: a complete solve can prove infeasibility (or still find a roster)
        self._set_shape(False)
        m.minimize(self.objective)
        if not self.budget.running():
            return "UNKNOWN", None
        s = self._solver(self.workers)
        self.budget.limit(s, math.inf)
        st = s.solve(m, _Incumbent(self._improved))
        self.budget.charge(s)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.budget.cut = self.budget.cut or self.workers > 1  # a portfolio's roster depends on timing
            return "FEASIBLE", self._values(s)
        return {cp_model.INFEASIBLE: "INFEASIBLE", cp_model.MODEL_INVALID: "MODEL_INVALID"}.get(
            st, "UNKNOWN"
        ), None

    def _blocks(self) -> dict[tuple[str, dt.date], list[int]]:
        """Proto indexes of each person-day's variables: :meth:`RosterVars.primary_indexes` of the day, split
        where a person's ``works`` variable starts their block."""
        owner = {i: key for key, i in self._works.items()}
        out: dict[tuple[str, dt.date], list[int]] = {}
        for d, idx in self.day_vars.items():
            block: list[int] | None = None
            for i in idx:
                if i in owner:
                    if owner[i][1] != d:
                        raise ValueError(f"works variable {i} of {owner[i]} among {d}'s variables")
                    block = out[owner[i]] = []
                if block is None:
                    raise ValueError(f"{d}'s variables do not start with a works variable")
                block.append(i)
        return out

    def neighbourhood(
        self, k: int, values: list[int] | np.ndarray, size: int, rng: random.Random
    ) -> tuple[list[dt.date], list[str]]:
        """The ``k``-th neighbourhood (days, people): each whole day first, then ``size`` people on a day
        drawn in proportion to the people who work it — one who works it, then the others who work it
        (those sharing a counter skill with the first before the rest), then those off that day."""
        days = list(self.day_vars)
        people = self.built.vars.ids
        if k < len(days):
            return [days[k]], list(people)
        at_work = {
            x: [p for p in people if (p, x) in self._works and values[self._works[(p, x)]]] for x in days
        }
        d = rng.choices(days, weights=[max(1, len(at_work[x])) for x in days])[0]
        working = at_work[d]
        first = rng.choice(working or people)
        near = [p for p in people if p != first and self._skills[p] & self._skills[first]]
        far = [p for p in people if p != first and not self._skills[p] & self._skills[first]]
        rng.shuffle(near)
        rng.shuffle(far)
        on = set(working)
        order = sorted(near + far, key=lambda p: p not in on)  # stable: near before far in each part
        return [d], [first, *order[: size - 1]]

    def _day_solve(
        self,
        dm: DayModel,
        values: np.ndarray,
        free: list[int],
        units: float,
        reserve: float,
        charge: bool = True,
        linearization: int = 0,
    ) -> tuple[cp_model.CpSolver, Any, np.ndarray | None]:
        """A neighbourhood of one day (``free``: the variables it frees) solved on its :class:`DayModel`,
        hinted with the incumbent, charged with its load overhead unless the caller charges (two side by
        side): the solver, its status, and the roster when it found one."""
        dm.prepare(values, free)
        s = self._solver(1)
        s.parameters.symmetry_level = 0
        s.parameters.linearization_level = linearization
        for name, value in SUB_SOLVE_PARAMETERS.items():
            setattr(s.parameters, name, value)
        self.budget.limit(s, units, reserve)
        # no solution callback: it would wait for the GIL while a background thread (the bound, the day
        # models) holds it, stalling the solver; what the sub-solve found is reported after it
        st = s.solve(dm.model)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._improved(s.objective_value)
        if charge:
            self.budget.charge(s, SOLVE_OVERHEAD_UNITS * dm.size)
        found = dm.solution(s, values) if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
        return s, st, found

    def _side_by_side(
        self,
        jobs: list[tuple[DayModel, list[int]]],
        values: np.ndarray,
        units: float,
        reserve: float,
        linearization: int = 0,
    ) -> list[tuple[cp_model.CpSolver, Any, np.ndarray | None]]:
        """Two neighbourhoods of ``values`` on different days at once, the second in a thread (each solve
        single-threaded and deterministic); the budget is charged once, for the longer of the two."""
        out: dict[int, tuple[cp_model.CpSolver, Any, np.ndarray | None]] = {}

        def run(j: int) -> None:
            dm, free = jobs[j]
            out[j] = self._day_solve(
                dm, values, free, units, reserve, charge=False, linearization=linearization
            )

        th = threading.Thread(target=run, args=(1,))
        th.start()
        run(0)
        th.join()
        j = max(out, key=lambda j: out[j][0].deterministic_time)
        self.budget.charge(out[j][0], SOLVE_OVERHEAD_UNITS * jobs[j][0].size)
        if self.budget.deterministic and stopped_by_clock(out[1 - j][0]):
            self.budget.cut = True
        self.note("side by side")
        return [out[0], out[1]]

    def _merged(
        self,
        first: tuple[DayModel, np.ndarray],
        second: tuple[DayModel, list[int], np.ndarray],
        units: float,
        reserve: float,
    ) -> np.ndarray | None:
        """Two improved neighbourhoods on different days put together: the first's roster with the
        second's freed person-day variables and the auxiliary ones only the second's day model reaches,
        completed on the first's day model with every person-day variable fixed (which recomputes the
        auxiliary variables both reach: weekly hours, fairness) — None when they do not fit together (a
        weekly rule of someone both changed, rest between two adjacent days)."""
        dm, roster = first
        dm2, free2, roster2 = second
        both = roster.copy()
        both[free2] = roster2[free2]
        only2 = np.setdiff1d(dm2.index, dm.index)
        aux2 = only2[~self._toggled[only2]]
        both[aux2] = roster2[aux2]
        return self._day_solve(dm, both, [], units, reserve)[2]

    def start_day_models(self) -> None:
        """Start building the day models (:mod:`scheduler.solver.submodel`) in a thread, from the model as it is
        now (the construct changes its domains; the build only reads its constraints)."""
        if self._pending_models is None and len(self.day_vars) > 1:
            every = [i for idx in self._blocks().values() for i in idx] + self._kept
            data = export_model(self.model)

            self._pending_models = Background(lambda: day_models(self.model, data, self.day_vars, every))

    def _day_models(self) -> dict[dt.date, DayModel] | None:
        """The day models, waited for until the deadline (None if they are not ready by then)."""
        self.start_day_models()
        assert self._pending_models is not None
        models: dict[dt.date, DayModel] | None = self._pending_models.result(self.budget.deadline)
        return models

    def improve(self, values_in: list[int], keep: float = 0.0) -> tuple[list[int], bool]:
        """LNS until the budget (less the share ``keep`` of it) is spent; True when it stopped for lack of
        progress.

        Every person-day's variables are fixed to the incumbent; a neighbourhood frees some of them, CP-SAT
        re-optimises those (hinted), and they are fixed again to the (possibly new) incumbent — each on its
        day's cut-down model (:mod:`scheduler.solver.submodel`). First each whole day once (the constructed
        roster's days are far from good: a day's solve staffs its windows), then a few people on one day —
        small enough that CP-SAT (with its full LP, ``SMALL_LINEARIZATION``) usually proves the
        neighbourhood optimal in a few hundredths of a unit, so the budget buys hundreds of moves. The
        number of people adapts: one more after a proved neighbourhood, one fewer after one that ran out of
        time. People are drawn as :meth:`neighbourhood` says. The work budget is sized (:meth:`Budget.size`)
        each time the few-people moves have run ``PACE_SHARE`` of the time left, from the pace they showed,
        while no solve can yet be cut short by it (:meth:`Budget.resizable`).
        """
        values = np.asarray(values_in, dtype=np.int64)
        best = self._eval(values)
        days = list(self.day_vars)
        if len(days) <= 1:
            return values_in, False
        blocks = self._blocks()
        people = self.built.vars.ids
        every = [i for idx in blocks.values() for i in idx] + self._kept
        self._toggled = np.zeros(self.n, dtype=bool)
        self._toggled[every] = True
        rng = random.Random(self.seed)
        moves = _Moves(size=min(len(people), 4))
        day_model = self._day_models()
        if day_model is None:
            self.budget.cut = self.budget.deterministic
            return values_in, False

        def freed(d: dt.date, who: list[str]) -> list[int]:
            return [i for p in who if (p, d) in blocks for i in blocks[(p, d)]]

        reserve = 0.0
        while moves.stale < STALE_ROUNDS * len(blocks) and self.budget.running(reserve):
            self._pace(moves, moves.k >= len(days) and not moves.redo, keep)
            if self.budget.total is not None:
                reserve = keep * self.budget.total
                if not self.budget.running(reserve):
                    break
            hoods = self._next_hoods(moves, values, rng)
            jobs = [(day_model[free_days[0]], freed(free_days[0], who)) for free_days, who in hoods]
            whole = len(hoods[0][1]) == len(people)
            units = DAY_UNITS_PER_PERSON * len(people) if whole else SMALL_UNITS
            lp = 0 if whole else SMALL_LINEARIZATION
            if len(jobs) == 2:
                runs = self._side_by_side(jobs, values, units, reserve, lp)
            else:
                runs = [self._day_solve(jobs[0][0], values, jobs[0][1], units, reserve, linearization=lp)]
            found = self._judge(moves, hoods, runs, best)
            options = self._merge_found(moves, hoods, jobs, found, whole, reserve)
            if options:
                best, values = min(((self._eval(v), v) for v in options), key=lambda t: t[0])
        return values.tolist(), moves.stale >= STALE_ROUNDS * len(blocks)

    def _pace(self, moves: _Moves, started: bool, keep: float) -> None:
        """Once the few-people moves have ``started``, measure their pace, and each time its measurement is
        due size the work budget from it while it may be sized (:meth:`Budget.resizable`)."""
        if moves.pace_until is None and started:  # the few-people moves start here
            self.budget.mark()
            now = time.perf_counter()
            moves.pace_until = now + max(MIN_PACE_SECONDS, PACE_SHARE * (self.budget.target - now))
        widest = DAY_UNITS_PER_PERSON * len(self.built.vars.ids)
        if moves.pace_until is not None and time.perf_counter() >= moves.pace_until:
            if self.budget.resizable(keep * (self.budget.total or 0.0), widest):
                self._size_budget(keep)  # again and again while it has room: the pace changes with the load
                self.note(f"budget sized: {self.budget.total:.3f} units")
                self.budget.mark()
            now = time.perf_counter()
            moves.pace_until = now + max(MIN_PACE_SECONDS, PACE_SHARE * (self.budget.target - now))

    def _size_budget(self, keep: float) -> None:
        """Size the work budget from the pace (:meth:`Budget.size`), at least so large that a replay given it
        from the start — which keeps the share ``keep`` for the polish from its first step — has left every
        step so far, and the widest one next, their full units: the moves then take the same path."""
        widest = DAY_UNITS_PER_PERSON * len(self.built.vars.ids)
        self.budget.size(least=(self.budget.used + widest) / (1.0 - keep))

    def _next_hoods(
        self, moves: _Moves, values: np.ndarray, rng: random.Random
    ) -> list[tuple[list[dt.date], list[str]]]:
        """The next neighbourhoods: a whole day to redo, else the next one — and with two workers the one
        after it on another day, when both are whole days or both are a few people's."""
        if moves.redo:  # a whole day whose solve was lost in a failed merge, once more on its own
            return [([moves.redo.pop(0)], list(self.built.vars.ids))]
        n_days = len(self.day_vars)
        hoods = [self.neighbourhood(moves.k, values, moves.size, rng)]
        moves.k += 1
        if self.workers >= 2 and (moves.k < n_days) == (moves.k - 1 < n_days):  # whole days pair up
            other = self.neighbourhood(moves.k, values, moves.size, rng)
            moves.k += 1
            if other[0] != hoods[0][0]:
                hoods.append(other)
        return hoods

    def _judge(
        self,
        moves: _Moves,
        hoods: list[tuple[list[dt.date], list[str]]],
        runs: list[tuple[cp_model.CpSolver, Any, np.ndarray | None]],
        best: float,
    ) -> list[np.ndarray | None]:
        """Each neighbourhood's roster when it beats ``best`` (else None); counts the moves without gain and
        adapts the few-people size (one more after a proof of optimality, one fewer otherwise)."""
        found: list[np.ndarray | None] = []
        n_days = len(self.day_vars)
        for (free_days, who), (s, st, roster) in zip(hoods, runs, strict=True):
            good = roster is not None and s.objective_value < best - 0.5
            found.append(roster if good else None)
            moves.stale = 0 if good else moves.stale + 1
            if moves.k > n_days:
                n = len(self.built.vars.ids)
                moves.size = min(n, moves.size + 1) if st == cp_model.OPTIMAL else max(2, moves.size - 1)
            self.note(
                f"improve {[str(d) for d in free_days]} × {len(who)} {s.status_name(st)} "
                f"dtime={s.deterministic_time:.3f}"
            )
        return found

    def _merge_found(
        self,
        moves: _Moves,
        hoods: list[tuple[list[dt.date], list[str]]],
        jobs: list[tuple[DayModel, list[int]]],
        found: list[np.ndarray | None],
        whole: bool,
        reserve: float,
    ) -> list[np.ndarray]:
        """The improved rosters, and when both neighbourhoods improved, the second's changes put into the
        first's roster; two whole days that do not fit together: the one dropped is redone (once)."""
        options = [v for v in found if v is not None]
        if len(options) == 2:
            r0, r1 = found
            assert r0 is not None and r1 is not None
            merged = self._merged((jobs[0][0], r0), (jobs[1][0], jobs[1][1], r1), SMALL_UNITS, reserve)
            self.note(f"merge {'ok' if merged is not None else 'failed'}")
            if merged is not None:
                options.append(merged)
            elif whole:
                lost = hoods[1 if self._eval(r0) <= self._eval(r1) else 0][0][0]
                if lost not in moves.redone:
                    moves.redo.append(lost)
                    moves.redone.add(lost)
        return options

    def polish(self, values: list[int], room: float | None = None) -> tuple[list[int], str]:
        """Whole-model CP-SAT from the incumbent for what is left (may prove optimality).

        A whole-model solve goes at its own pace (faster in units per second than the moves' many small
        solves, whose pace sized the budget). ``room`` given (a week's polish, started because more than
        ``room`` units were left): when the budget has room for it, a probe of ``POLISH_PROBE_UNITS`` runs
        first and the budget is sized again from the probe's pace, never so small that a replay given it
        would not polish or probe; the rest is one more solve hinted with the probe's roster. A small plan's
        polish (``room`` None) keeps the share its moves reserved from the start: its budget stays."""
        prover = _Prover(self) if self.workers >= 2 else None
        try:
            return self._polish(values, room)
        finally:
            if prover is not None:
                prover.stop()

    def _polish(self, values: list[int], room: float | None) -> tuple[list[int], str]:
        """:meth:`polish`'s solves."""
        start = self.budget.used
        if (
            room is not None
            and self.budget.deterministic
            and self.budget.left() >= 2 * POLISH_PROBE_UNITS - 1e-9
        ):
            self.budget.mark()
            values, status = self._polish_once(values, POLISH_PROBE_UNITS)
            if status == "OPTIMAL":
                return values, status
            if not self.budget.given:
                self.budget.size(least=start + max(2 * POLISH_PROBE_UNITS, room + 2 * MIN_UNITS))
                self.note(f"budget sized: {self.budget.total:.3f} units")
            if not self.budget.running():
                return values, status
        return self._polish_once(values, self.budget.left())

    def _polish_once(self, values: list[int], units: float) -> tuple[list[int], str]:
        """One whole-model solve of at most ``units``, hinted with ``values``."""
        self._hint(values)
        s = self._solver(1)
        s.parameters.linearization_level = 2  # the LP closes small plans' gap fast
        self.budget.limit(s, units)
        st = s.solve(self.model, _Incumbent(self._improved))
        if st == cp_model.FEASIBLE:
            self._new_bound(s.best_objective_bound)
        self.budget.charge(s)
        self.note(f"polish step {s.status_name(st)} dtime={s.deterministic_time:.3f} wall={s.wall_time:.2f}")
        if st == cp_model.OPTIMAL:
            self._new_bound(s.objective_value)
            return self._values(s), "OPTIMAL"
        if st == cp_model.FEASIBLE and s.objective_value < self._eval(values) - 0.5:
            return self._values(s), "FEASIBLE"
        return values, "FEASIBLE"

    def run(self) -> SearchOutcome:
        """Construct, improve, polish small plans; the outcome in model units.

        The bound is :meth:`BuiltModel.lower_bound` (the capacity relaxation of :mod:`scheduler.solver.bound`)
        unless the polish proves more: the reported gap is therefore an honest upper limit, never a guess.
        """
        # the bound is pure Python and CP-SAT releases the GIL: it costs the search little in a thread; a
        # horizon's (a capacity bound per week) takes as long as its construct: it starts at once, in a
        # process of its own, and the quick part of it is reported meanwhile
        horizon = len(self.built.vars.problem.week_dates()) > 1
        children: list[Any] = []
        if horizon:
            self._new_bound(float(self.built.quick_bound()))
            apart = functools.partial(capacity_in_process, started=children.append)
            bound = Background(lambda: self._new_bound(float(self.built.lower_bound(apart))))
        try:
            return self._run(horizon, bound if horizon else None)
        finally:
            for child in children:  # a bound still being computed is no longer wanted
                if child.poll() is None:
                    child.terminate()

    def _run(self, horizon: bool, bound: Background | None) -> SearchOutcome:
        """:meth:`run` once the bound of a horizon is under way."""
        # the day models are built beside the construct's single-threaded steps; a horizon's (its days × its
        # size: tens of seconds of Python) would starve its day-by-day construct, so they wait for it
        if not horizon:
            self.start_day_models()
        status, values = self.construct()
        if values is None:
            return self._outcome(status)
        if bound is None:
            bound = Background(lambda: self._new_bound(float(self.built.lower_bound())))
        # a re-plan polishes like a small plan: its change cost ties the days (a moved day off changes two),
        # which one-day moves cannot trade, and the whole model hinted with the incumbent often proves it
        small = len(self.day_vars) <= 2 or self.built.keep is not None
        values, _ = self.improve(values, keep=POLISH_SHARE if small else 0.0)
        if self.budget.total is None:  # the moves stopped before it was sized
            self._size_budget(POLISH_SHARE if small else 0.0)
        assert self.budget.total is not None
        room = 0.0 if small else POLISH_LEAST_SHARE * self.budget.used
        if self.budget.running(room):
            values, status = self.polish(values, None if small else room)
            self.note(f"polish {status}")
        bound.result(self.budget.deadline)
        if not bound.done():
            self.note("no bound by the deadline")
        obj = self._eval(values)
        if self.bound is not None and self.bound >= obj - 0.5:
            status = "OPTIMAL"
        self.note(f"done {status}")
        return self._outcome(status, values, obj)

    def _outcome(
        self, status: str, values: list[int] | None = None, obj: float | None = None
    ) -> SearchOutcome:
        """The outcome with the budget's account: reproducible unless the clock cut it."""
        return SearchOutcome(
            status,
            values,
            obj,
            self.bound if values is not None else None,
            self.first_feasible,
            cut=self.budget.cut or not self.budget.deterministic,
            work_units=self.budget.total if self.budget.total is not None else self.budget.used,
            log=self.log,
        )
