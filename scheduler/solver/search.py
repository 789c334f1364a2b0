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
3. **polish** — for small plans (one or two days), whole-model CP-SAT from the incumbent, which usually
   proves optimality. On a full week CP-SAT's own bound stays far from the incumbent within a minute (its LP
   relaxation is large and degenerate), so the certified bound there is the unavoidable costs plus the
   capacity relaxation of :mod:`scheduler.solver.bound` (:meth:`BuiltModel.lower_bound`).

Determinism: every CP-SAT call of the search is single-threaded with a fixed seed, and in deterministic mode
limited by *deterministic* time (work units, plus the fixed load charge), and the neighbourhoods are drawn
from ``random.Random(seed)``, so the same seed gives the same roster whatever the machine's load (two
neighbourhoods side by side are each deterministic, and merged in a fixed order). (A concurrent bound
thread was tried and dropped: on two cores it halved the search's throughput and its bound stayed below the
trivial one.)
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from ortools.sat.python import cp_model

from constraints.problem import Problem
from scheduler.solver.model import BuiltModel
from scheduler.solver.submodel import DayModel, day_models, export_model

T = TypeVar("T")

DTIME_PER_SECOND = 0.3
"""Deterministic-time units budgeted per second of ``time_limit_seconds``. Single-thread CP-SAT did 0.25–0.5
units a second on these models on the 2-vCPU development machine of 2026-12-01 (fewer on bigger branches);
0.3 made a 14-person week take about the limit there. A faster machine finishes sooner, a slower or loaded
one later — with the same roster (a VM half as fast took 29–32 s for a 20-s sample run and 112–119 s for a
60-s 40-person run of the search of then; with the faster sub-solves of 2026-12-02 the 20-s sample run takes
13 s and the 60-s runs 40 s / 48 s on a VM like the first; ``deterministic=False`` keeps to the limit)."""


SOLVE_OVERHEAD_UNITS = 2e-7
"""Deterministic units charged per sub-solve of the LNS for each variable and constraint of the model it
loads (a day model: ≈19k on the 14-person week, ≈53k on a 40-person one): loading and presolving it, most
of it fixed, takes wall time CP-SAT's deterministic time barely counts, so hundreds of small neighbourhoods
would otherwise take far longer than the limit."""

PATTERN_UNITS = 0.2
"""Deterministic units (at most 5 % of the budget) for the days-off pattern of the construct."""

DAY_UNITS_PER_PERSON = 0.0075
"""Deterministic units for each of the first pass's whole-day solves, per person of the branch (0.105 for 14
people, 0.3 for 40): 20-s sample runs, seeds 0–3, averaged 39,409 CNY at 0.1 units, 39,417 at 0.2, 39,424 at
0.3 and 39,439 at 0.45; the 40-person 60-s run 109,276 at 0.2, 108,838 at 0.3 and at 0.45."""

SMALL_UNITS = 0.05
"""Deterministic units for a solve of a few people's day."""

SUB_SOLVE_PARAMETERS: dict[str, int | bool] = {"max_presolve_iterations": 1, "use_sat_inprocessing": False}
"""CP-SAT parameters of every neighbourhood's solve besides one thread and no symmetry detection: on 200 fixed
4-person neighbourhoods of a sample incumbent (0.05 units each) they took 44 ms a solve instead of 53 ms and
proved more of them optimal (161 against 148); on a 40-person incumbent 94 ms against 99 ms, with more gain
per solve (5.8 against 3.8 CNY)."""

SMALL_LINEARIZATION = 2
"""CP-SAT's ``linearization_level`` for a few people's day (whole days and merges take 0, no LP): on 150 fixed
6-person neighbourhoods of a sample incumbent the full LP proved 124 optimal against 56 without it, with 8 ×
the gain per solve; 8 people 57 against 19; 40 persons, 5 people: 65 against 25 of 100, 3 × the gain. On
whole days the LP's cost outweighs it (sample 20 s: 39,575 at level 2, 39,495 at 1, 39,454 at 0)."""


@dataclass
class SearchOutcome:
    """What the search found."""

    status: str  # OPTIMAL / FEASIBLE / INFEASIBLE / UNKNOWN / MODEL_INVALID
    values: list[int] | None = None
    objective: float | None = None  # model units
    bound: float | None = None  # model units (global)
    first_feasible_seconds: float | None = None
    wall_capped: bool = False
    log: list[str] = field(default_factory=list)


def days_pattern(
    problem: Problem, seed: int = 0, seconds: float = 0.5
) -> dict[tuple[str, dt.date], int] | None:
    """A days-off pattern to start from: who works which day (a small CP-SAT model, deterministic).

    Everyone available works ``standard_days_per_week`` days of a full week (every day of a shorter plan),
    within the labour rule's day limits; each day has at least the rules' ``headcount`` estimates of each
    skill and authority (as far as the staff allows); the rest is spread over the days in proportion to their
    forecast arrivals.
    A heuristic: the roster search checks it and drops it if it cannot be staffed.
    """
    from constraints.rules import enabled_rules
    from constraints.rules.labour import consecutive_windows, daily_cap_minutes, weekly_hours

    cfg = problem.config
    days = [d for d in problem.days if d.slot_starts]
    if not days:
        return None
    m = cp_model.CpModel()
    ids = problem.staff.ids()
    w = {(p, d.date): m.new_bool_var(f"w_{p}_{d.date}") for p in ids for d in days}
    full_week = len(problem.days) >= 7
    lab = cfg.rules.labour
    for person in problem.staff:
        p = person.staff_id
        avail = [d for d in days if not problem.away_all_day(p, d.date)]
        for d in days:
            if d not in avail:
                m.add(w[(p, d.date)] == 0)
        k = len(avail)
        if full_week and lab.enabled:
            k = min(k, lab.standard_days_per_week, len(problem.days) - cfg.labor.min_rest_days)
        m.add(sum(w[(p, d.date)] for d in days) == k)
        if lab.enabled:
            cap = daily_cap_minutes(problem, person)
            lunch = cfg.lunch.minutes
            most = {
                d.date: min(
                    cap,
                    len(d.slot_starts) * d.slot_minutes
                    - (lunch if len(d.slot_starts) * d.slot_minutes > cfg.lunch.min_shift_hours * 60 else 0),
                )
                for d in days
            }
            m.add(sum(most[d.date] * w[(p, d.date)] for d in days) >= weekly_hours(problem, person).floor)
            for part, limit in consecutive_windows(problem, person):
                m.add(sum(w[(p, d)] for d in part if (p, d) in w) <= limit)
    rules = [r for r in enabled_rules(cfg) if r.kind == "hard"]

    def members(key: str) -> list[str]:
        if key == "*":
            return ids
        if key.startswith("any:"):
            auths = key[4:].split("|")
            return [x.staff_id for x in problem.staff if any(x.holds(a) for a in auths)]
        return [x.staff_id for x in problem.staff if x.can(key) or x.holds(key)]

    weight = {}
    for d in days:
        arrivals = sum(float(np.sum(problem.demand[k].arrivals)) for k in problem.demand if k[0] == d.date)
        weight[d.date] = arrivals if arrivals > 0 else float(len(d.open_slots) or 1)
    total_w = sum(weight.values()) or 1.0
    dev = []
    groups: dict[str, list[str]] = {"*": ids}
    for d in days:
        for r in rules:
            for key, need in r.headcount(problem, d).items():
                group = [p for p in members(key) if not problem.away_all_day(p, d.date)]
                groups.setdefault(key, members(key))
                want = min(need, len(group))
                short = m.new_int_var(0, want, f"short_{key}_{d.date}")
                m.add(sum(w[(p, d.date)] for p in group) + short >= want)
                dev.append(10_000 * short)  # the estimates come first, as far as they can be met
    for key, group in groups.items():
        size = sum(1 for p in group for d in days)  # person-days of the group
        if not group or size == 0:
            continue
        total = m.new_int_var(0, size, f"total_{key}")
        m.add(total == sum(w[(p, d.date)] for p in group for d in days))
        for d in days:
            count = sum(w[(p, d.date)] for p in group)
            # |count · Σweight − total · weight_d| in integer units
            scale_d = round(100 * weight[d.date] / total_w)
            e = m.new_int_var(0, 100 * size, f"dev_{key}_{d.date}")
            m.add(e >= 100 * count - scale_d * total)
            m.add(e >= scale_d * total - 100 * count)
            dev.append((3 if key == "*" else 1) * e)
    m.minimize(sum(dev))
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.random_seed = seed
    s.parameters.max_deterministic_time = seconds
    st = s.solve(m)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {k: int(s.value(v)) for k, v in w.items()}


def in_background(work: Callable[[], T]) -> Callable[[], T]:
    """Start ``work`` in a thread; the returned function waits for its result (or raises its error).

    For pure-Python work beside the search: CP-SAT releases the GIL while it solves, so on two cores this
    overlaps the single-threaded solves almost for free."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except BaseException as e:  # re-raised in the caller's thread
            box["error"] = e

    th = threading.Thread(target=run, daemon=True)
    th.start()

    def wait() -> T:
        th.join()
        if "error" in box:
            raise box["error"]
        result: T = box["result"]
        return result

    return wait


class Budget:
    """Time left, in deterministic units or wall seconds."""

    def __init__(self, seconds: float, deterministic: bool, t0: float) -> None:
        self.deterministic = deterministic
        self.total = seconds * DTIME_PER_SECOND if deterministic else seconds
        self.used = 0.0
        self.t0 = t0
        self.wall_cap = (3.0 * seconds + 5.0) if deterministic else seconds
        # before the first roster a loaded machine gets longer (deterministic mode): no roster is worse
        self.first_wall_cap = max(self.wall_cap, 10.0 * seconds + 60.0) if deterministic else seconds
        self.found = False

    def left(self) -> float:
        """Units left."""
        if self.deterministic:
            return self.total - self.used
        return self.total - (time.perf_counter() - self.t0)

    def wall_left(self) -> float:
        """Wall seconds left before the safety cap (a longer one until the first roster is found)."""
        cap = self.wall_cap if self.found else self.first_wall_cap
        return cap - (time.perf_counter() - self.t0)

    def charge(self, solver: cp_model.CpSolver, overhead: float = 0.0) -> None:
        """Account for a finished solve (``overhead``: deterministic units for what its time leaves out)."""
        self.used += solver.deterministic_time + overhead if self.deterministic else solver.wall_time

    def limit_work(self, solver: cp_model.CpSolver, units: float, reserve: float) -> None:
        """Limit an LNS sub-solve to ``units`` of deterministic work in either mode, and to the budget left
        less ``reserve`` (so in wall-clock mode a sub-solve does the same work as in deterministic mode,
        whatever the branch's size, unless the limit is reached)."""
        if self.deterministic:
            self.limit(solver, min(units, self.left() - reserve))
        else:
            solver.parameters.max_deterministic_time = units
            solver.parameters.max_time_in_seconds = max(0.05, self.left() - reserve)

    def limit(self, solver: cp_model.CpSolver, units: float) -> None:
        """Limit a solve to ``units`` (and the wall cap)."""
        units = max(0.05, min(units, self.left()))
        if self.deterministic:
            solver.parameters.max_deterministic_time = units
            solver.parameters.max_time_in_seconds = max(0.5, self.wall_left())
        else:
            solver.parameters.max_time_in_seconds = max(0.05, units)


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
    ) -> None:
        self.built = built
        self.start = start
        self.model = built.model
        self.seed = seed
        self.workers = max(1, workers)
        self.log_progress = log_progress
        self.on_progress = on_progress or (lambda obj, bound: None)
        self.t0 = t0 if t0 is not None else time.perf_counter()
        self.budget = Budget(time_limit_seconds, deterministic, self.t0)
        self.objective = sum(t.expr for t in built.terms)
        proto = self.model.proto
        self.n = len(proto.variables)
        self.domains = [list(v.domain) for v in proto.variables]
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
        self._pending_models: Callable[[], dict[dt.date, DayModel]] | None = None
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
        s = cp_model.CpSolver()
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
            dom.clear()
            dom.extend([values[i], values[i]])

    def _restore(self, indexes: list[int]) -> None:
        proto = self.model.proto
        for i in indexes:
            dom = proto.variables[i].domain
            dom.clear()
            dom.extend(self.domains[i])

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
                self.budget.found = True
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

    def _from_roster(self, roster: Any) -> list[int] | None:
        """A start from a given roster: as it is if it still holds, else its days-off pattern repaired."""
        rv = self.built.vars
        given = rv.roster_values(roster)
        idx = sorted(given)
        values = [0] * self.n
        for i, v in given.items():
            values[i] = v
        self._fix(idx, values)
        s = self._solver(1)
        self.budget.limit(s, 0.1 * self.budget.total)
        st = s.solve(self.model)
        self.budget.charge(s)
        self._restore(idx)
        self.note(f"start roster as given: {s.status_name(st)}")
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return self._values(s)
        works = rv.works_indexes()
        fixed = list(works.values())
        self._fix(fixed, values)
        found = self._local_search(self.budget.total * 0.12)
        self._restore(fixed)
        self._proved_infeasible = False
        self.note(f"start roster's days off: found={found is not None}")
        return found

    def _set_shape(self, on: bool | None) -> None:
        shape = self.built.vars.shape_literal
        if shape is None:
            return
        dom = self.model.proto.variables[shape.index].domain
        dom.clear()
        dom.extend([1, 1] if on else [0, 1])

    def _local_search(self, units: float) -> list[int] | None:
        """Feasibility by CP-SAT's local search: ``workers`` single-thread runs with consecutive seeds in
        parallel, each to its first roster or ``units``; the lowest seed that found one wins (deterministic)."""
        runs = max(1, min(self.workers, 4))
        results: dict[int, list[int] | None] = {}
        used: dict[int, float] = {}

        def one(k: int, model: cp_model.CpModel) -> None:
            s = self._solver(1)
            s.parameters.random_seed = self.seed + k
            s.parameters.use_ls_only = True
            s.parameters.symmetry_level = 0
            s.parameters.cp_model_probing_level = 0
            s.parameters.max_presolve_iterations = 1
            self.budget.limit(s, units)
            st = s.solve(model)
            used[k] = s.deterministic_time if self.budget.deterministic else s.wall_time
            results[k] = self._values(s) if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
            if st == cp_model.INFEASIBLE:
                self._proved_infeasible = True

        models = [self.model]
        for _ in range(runs - 1):
            c = cp_model.CpModel()
            c.proto.copy_from(self.model.proto)
            models.append(c)
        threads = [threading.Thread(target=one, args=(k, models[k])) for k in range(1, runs)]
        for th in threads:
            th.start()
        one(0, models[0])
        for th in threads:
            th.join()
        self.budget.used += max(used.values()) if self.budget.deterministic else 0.0
        for k in range(runs):
            if results.get(k) is not None:
                return results[k]
        return None

    def construct(self) -> tuple[str, list[int] | None]:
        """A first feasible roster (or a proof there is none)."""
        m = self.model
        m.clear_objective()
        self._proved_infeasible = False
        if self.start is not None:
            found = self._from_roster(self.start)
            if found is not None:
                m.minimize(self.objective)
                self._improved(self._eval(found))
                return "FEASIBLE", found
        units = min(PATTERN_UNITS, 0.05 * self.budget.total)
        pattern = days_pattern(self.built.vars.problem, self.seed, units)
        self.budget.used += units
        self.note(f"pattern {'found' if pattern else 'none'}")
        if pattern is not None:
            pattern = self._ordered(pattern)
            works = self.built.vars.works_indexes()
            values = [0] * self.n
            for (p, d), i in works.items():
                values[i] = pattern.get((p, d), 0)
            fixed = list(works.values())
            self._fix(fixed, values)
            found = self._local_search(self.budget.total * 0.12)
            self._restore(fixed)
            self._proved_infeasible = False  # the pattern was a restriction
            self.note(f"construct pattern found={found is not None}")
            if found is not None:
                m.minimize(self.objective)
                self._improved(self._eval(found))
                return "FEASIBLE", found
        attempts = (
            [(True, 0.3), (True, 0.15), (False, 0.2)]
            if self.built.vars.shape_literal is not None
            else [(False, 0.3), (False, 0.2)]
        )
        for k, (use_shape, share) in enumerate(attempts):
            self._set_shape(use_shape)
            seed = self.seed
            self.seed = seed + 10 * k
            found = self._local_search(self.budget.total * share)
            self.seed = seed
            self.note(f"construct shape={use_shape} found={found is not None}")
            if found is None and self._proved_infeasible and not use_shape:
                return "INFEASIBLE", None  # presolve proved it: no restriction was active
            if found is not None:
                values = found
                self._set_shape(False)
                m.minimize(self.objective)
                self._improved(self._eval(values))
                return "FEASIBLE", values
            if self.budget.left() <= 0 or self.budget.wall_left() <= 1.0:
                break
        # local search found nothing: a complete solve can prove infeasibility (or still find a roster)
        self._set_shape(False)
        m.minimize(self.objective)
        s = self._solver(self.workers)
        self.budget.limit(s, max(self.budget.left(), 0.1 * self.budget.total))
        st = s.solve(m, _Incumbent(self._improved))
        self.budget.charge(s)
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
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
        self.budget.limit_work(s, units, reserve)
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
            self._pending_models = in_background(lambda: day_models(self.model, data, self.day_vars, every))

    def _day_models(self) -> dict[dt.date, DayModel]:
        self.start_day_models()
        assert self._pending_models is not None
        return self._pending_models()

    def improve(self, values_in: list[int], reserve: float) -> tuple[list[int], bool]:
        """LNS until the budget (less ``reserve``) is spent; True when it stopped for lack of progress.

        Every person-day's variables are fixed to the incumbent; a neighbourhood frees some of them, CP-SAT
        re-optimises those (hinted), and they are fixed again to the (possibly new) incumbent — each on its
        day's cut-down model (:mod:`scheduler.solver.submodel`). First each whole day once (the constructed
        roster's days are far from good: a day's solve staffs its windows), then a few people on one day —
        small enough that CP-SAT (with its full LP, ``SMALL_LINEARIZATION``) usually proves the
        neighbourhood optimal in a few hundredths of a unit, so the budget buys hundreds of moves. The
        number of people adapts: one more after a proved neighbourhood, one fewer after one that ran out of
        time. People are drawn as :meth:`neighbourhood` says.
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
        size = min(len(people), 4)
        stale = 0
        day_model = self._day_models()

        def freed(d: dt.date, who: list[str]) -> list[int]:
            return [i for p in who if (p, d) in blocks for i in blocks[(p, d)]]

        k = 0
        redo: list[dt.date] = []
        redone: set[dt.date] = set()
        while (
            self.budget.left() - reserve > 0.05 and self.budget.wall_left() > 1.0 and stale < 4 * len(blocks)
        ):
            if redo:  # a whole day whose solve was lost in a failed merge, once more on its own
                hoods = [([redo.pop(0)], list(people))]
            else:
                hoods = [self.neighbourhood(k, values, size, rng)]
                k += 1
                if self.workers >= 2 and (k < len(days)) == (k - 1 < len(days)):  # whole days pair up
                    other = self.neighbourhood(k, values, size, rng)
                    k += 1
                    if other[0] != hoods[0][0]:
                        hoods.append(other)
            jobs = [(day_model[free_days[0]], freed(free_days[0], who)) for free_days, who in hoods]
            whole = len(hoods[0][1]) == len(people)
            units = DAY_UNITS_PER_PERSON * len(people) if whole else SMALL_UNITS
            lp = 0 if whole else SMALL_LINEARIZATION
            if len(jobs) == 2:
                runs = self._side_by_side(jobs, values, units, reserve, lp)
            else:
                runs = [self._day_solve(jobs[0][0], values, jobs[0][1], units, reserve, linearization=lp)]
            found: list[np.ndarray | None] = []
            for (free_days, who), (s, st, roster) in zip(hoods, runs, strict=True):
                good = roster is not None and s.objective_value < best - 0.5
                found.append(roster if good else None)
                stale = 0 if good else stale + 1
                if k > len(days):
                    size = min(len(people), size + 1) if st == cp_model.OPTIMAL else max(2, size - 1)
                self.note(
                    f"improve {[str(d) for d in free_days]} × {len(who)} {s.status_name(st)} "
                    f"dtime={s.deterministic_time:.3f}"
                )
            options = [v for v in found if v is not None]
            if len(options) == 2:  # both improved: put the second's changes into the first's roster
                r0, r1 = found
                assert r0 is not None and r1 is not None
                merged = self._merged((jobs[0][0], r0), (jobs[1][0], jobs[1][1], r1), SMALL_UNITS, reserve)
                self.note(f"merge {'ok' if merged is not None else 'failed'}")
                if merged is not None:
                    options.append(merged)
                elif whole:  # two whole days that do not fit together: redo the one dropped
                    lost = hoods[1 if self._eval(r0) <= self._eval(r1) else 0][0][0]
                    if lost not in redone:
                        redo.append(lost)
                        redone.add(lost)
            if options:
                best, values = min(((self._eval(v), v) for v in options), key=lambda t: t[0])
        return values.tolist(), stale >= 4 * len(blocks)

    def polish(self, values: list[int]) -> tuple[list[int], str]:
        """Whole-model CP-SAT from the incumbent for what is left (may prove optimality)."""
        self._hint(values)
        s = self._solver(1)
        s.parameters.linearization_level = 2  # the LP closes small plans' gap fast
        self.budget.limit(s, self.budget.left())
        st = s.solve(self.model, _Incumbent(self._improved))
        if st == cp_model.FEASIBLE:
            self._new_bound(s.best_objective_bound)
        self.budget.charge(s)
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
        self.start_day_models()  # beside the construct's single-threaded steps
        status, values = self.construct()
        if values is None:
            return SearchOutcome(status, first_feasible_seconds=self.first_feasible, log=self.log)
        # the bound is pure Python and CP-SAT releases the GIL: it costs the search little in a thread
        bound = in_background(lambda: self._new_bound(float(self.built.lower_bound())))
        small = len(self.day_vars) <= 2
        reserve = 0.3 * self.budget.total if small else 0.0
        values, _ = self.improve(values, reserve)
        bound()
        if small or self.budget.left() > 0.05 * self.budget.total:
            values, status = self.polish(values)
            self.note(f"polish {status}")
        obj = self._eval(values)
        if self.bound is not None and self.bound >= obj - 0.5:
            status = "OPTIMAL"
        self.note(f"done {status}")
        return SearchOutcome(
            status,
            values,
            obj,
            self.bound,
            self.first_feasible,
            wall_capped=self.budget.deterministic and self.budget.wall_left() <= 1.0,
            log=self.log,
        )
