"""Solve a week: prechecks, build, search, result.

``solve(problem, params)`` first runs the rules' cheap prechecks (a week no roster can staff is reported at
once, with the rule, day, time and people); then builds the model (:mod:`scheduler.solver.model`), searches it
(:mod:`scheduler.solver.search`: construct, improve day by day, polish small plans) and returns a
:class:`~scheduler.solver.result.RosterResult` whose roster has been audited by every rule's ``check``. When the
week is proved infeasible, :func:`scheduler.solver.explain.find_conflict` names the rules × days that cannot hold
together.

Objective and gap: ``objective`` and ``best_bound`` are the week's total cost in CNY (salaries and premiums,
customer waiting, window-hours, soft penalties); ``gap`` is relative to that total. Parts no roster can
avoid (contract salaries, the waiting left with every window open) are constants outside the model, so
``avoidable_gap`` — the same absolute gap over the avoidable cost only — is the stricter figure. On a full
week the certified bound is that unavoidable part plus what every roster pays on top of it — the capacity
relaxation of :mod:`scheduler.solver.bound` (``BuiltModel.lower_bound``), or CP-SAT's own bound when higher —
so ``gap`` is an honest upper limit, not an estimate; ``benchmarks/bench_roster.py`` measures both bounds and the
distance to the best roster known.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from constraints.handovers import derive_handovers
from constraints.problem import Problem
from constraints.roster import Violation
from constraints.rules import check_roster, enabled_rules, precheck
from scheduler.solver.bound import staffing_conflict
from scheduler.solver.explain import find_conflict
from scheduler.solver.model import BuiltModel, build_model
from scheduler.solver.result import Progress, RosterResult, SolveParams
from scheduler.solver.search import DaySearch, SearchOutcome, grace_seconds
from scheduler.solver.variables import Assignment

AFTER_SEARCH_SHARE = 0.2
"""Seconds kept after the search for reading the roster back and auditing it, as a share of the seconds the
model took to build (the same kind of Python work over the same people and slots): more keeps the time limit
with room to spare, less leaves the search more (``benchmarks/bench_family.py``: wall seconds against the
limit on every shape)."""


STAFFING_SHARE = 0.05
"""Share of the time limit the check of the days alone may take (:func:`scheduler.solver.bound.staffing_conflict`:
a small model, proved either way in milliseconds on the branch family)."""

MIN_EXPLAIN_SECONDS = 1.0
"""Seconds an infeasible week's explanation gets even when the search used the whole time limit: a small
conflict is found in well under a second; a hard one then is reported as not found in time."""


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, 0 when both are 0."""
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else 1.0
    return max(0.0, (objective - bound) / abs(objective))


class _ProgressLog:
    """The solve's progress in CNY, kept for the result and passed on to the caller's callback as it comes."""

    def __init__(self, t0: float, built: BuiltModel, callback: Callable[[Progress], None] | None) -> None:
        self.t0 = t0
        self.built = built
        self.callback = callback
        self.events: list[Progress] = []

    def emit(self, objective: float | None, bound: float | None, gap: float | None) -> None:
        """One progress event (CNY)."""
        ev = Progress(time.perf_counter() - self.t0, objective, bound, gap, len(self.events) + 1)
        self.events.append(ev)
        if self.callback is not None:
            self.callback(ev)

    def report(self, obj: float | None, bound: float | None) -> None:
        """The search's progress (model units) in CNY."""
        cny = self.built.objective_cny(obj) if obj is not None else None
        bound_cny = self.built.objective_cny(bound) if bound is not None else None
        self.emit(
            cny,
            bound_cny,
            relative_gap(cny, bound_cny) if cny is not None and bound_cny is not None else None,
        )


def _search(
    built: BuiltModel, params: SolveParams, t0: float, target: float, progress: _ProgressLog
) -> DaySearch:
    """The search of ``built`` as ``params`` ask, its work due by ``target``."""
    return DaySearch(
        built,
        seed=params.seed,
        workers=params.workers,
        time_limit_seconds=params.time_limit_seconds,
        deterministic=params.deterministic,
        log_progress=params.log_progress,
        on_progress=progress.report,
        t0=t0,
        start=params.start,
        target=target,
        deadline=target + grace_seconds(params.time_limit_seconds),
        work_units=params.work_units,
    )


def solve(
    problem: Problem, params: SolveParams | None = None, built: BuiltModel | None = None
) -> RosterResult:
    """The best roster found within the limits, audited by every rule, or the reason there is none.

    ``built``: the model of ``problem`` and ``params`` already built (a re-plan's, shared with its first
    stages; the search never changes what it is given for good)."""
    params = params or SolveParams.from_config(problem.config)
    t0 = time.perf_counter()
    finish_by = t0 + params.time_limit_seconds - params.after_seconds
    found = precheck(problem, skip=params.relax)
    if not found:  # the days alone: more people needed than their working days give
        active = [
            r.name for r in enabled_rules(problem.config) if r.kind == "hard" and r.name not in params.relax
        ]
        found = staffing_conflict(problem, active, STAFFING_SHARE * params.time_limit_seconds)
    if found:
        return RosterResult(
            "INFEASIBLE", problem, params, explanation=tuple(found), solve_seconds=time.perf_counter() - t0
        )
    built = built or build_model(
        problem,
        relax=params.relax,
        relax_penalty_cny=params.relax_penalty_cny,
        symmetry_breaking=params.symmetry_breaking and params.keep is None,
        keep=params.keep,
    )
    built_in = time.perf_counter() - t0
    target = finish_by - AFTER_SEARCH_SHARE * built_in
    progress = _ProgressLog(t0, built, params.progress_callback)
    out = _search(built, params, t0, target, progress).run()
    if out.values is None or out.objective is None:
        return RosterResult(
            out.status,
            problem,
            params,
            explanation=tuple(
                _no_roster(problem, params, out.status, _explain_budget(params, finish_by, built_in))
            ),
            progress=tuple(progress.events),
            reproducible=not out.cut,
            work_units=out.work_units,
            first_feasible_seconds=out.first_feasible_seconds,
            search_log=tuple(out.log),
            solve_seconds=time.perf_counter() - t0,
        )
    return _with_roster(problem, params, built, out, progress, t0)


def _explain_budget(params: SolveParams, finish_by: float, build_seconds: float) -> float:
    """Seconds for explaining a week proved infeasible: what the time limit has left once the explaining
    model is built (it takes about as long as the first), at most ``explain_seconds``, at least
    ``MIN_EXPLAIN_SECONDS``."""
    left = finish_by - time.perf_counter() - build_seconds
    return max(MIN_EXPLAIN_SECONDS, min(params.explain_seconds, left))


def _with_roster(
    problem: Problem,
    params: SolveParams,
    built: BuiltModel,
    out: SearchOutcome,
    progress: _ProgressLog,
    t0: float,
) -> RosterResult:
    """The result of a search that found a roster: read back in CNY, audited, with its handovers."""
    assert out.values is not None and out.objective is not None
    assignment = Assignment(out.values)
    roster = built.vars.roster(assignment)
    objective = built.objective_cny(out.objective)
    best_bound = gap = avoidable_gap = None
    if out.bound is not None:
        best_bound = min(objective, built.objective_cny(out.bound))
        gap = relative_gap(objective, best_bound)
        avoidable_gap = relative_gap(out.objective, min(out.objective, out.bound))
    progress.emit(
        objective, best_bound, gap
    )  # the last progress is the result's, whatever the search reported
    return RosterResult(
        out.status,
        problem,
        params,
        roster=roster,
        objective=objective,
        best_bound=best_bound,
        gap=gap,
        avoidable_gap=avoidable_gap,
        penalties=built.term_values(assignment),
        violations=tuple(check_roster(problem, roster)),
        handovers=tuple(derive_handovers(roster, problem)),
        progress=tuple(progress.events),
        reproducible=not out.cut,
        work_units=out.work_units,
        first_feasible_seconds=out.first_feasible_seconds,
        search_log=tuple(out.log),
        solve_seconds=time.perf_counter() - t0,
    )


def _no_roster(problem: Problem, params: SolveParams, status: str, explain_budget: float) -> list[Violation]:
    """Why there is no roster: nothing found in time, or the rules × days that cannot hold together (found
    within ``explain_budget`` seconds)."""
    if status == "UNKNOWN":
        return [
            Violation(
                "solver",
                None,
                None,
                None,
                f"{params.time_limit_seconds:g} 秒内未找到满足所有规则的班表; 请延长时限, 或用 relax 放宽规则找出原因",
                f"no roster holding every rule was found in {params.time_limit_seconds:g} s; allow more time, or "
                "relax rules to see which one bites",
            )
        ]
    if status == "INFEASIBLE":
        return find_conflict(problem, relax=params.relax, time_limit_seconds=explain_budget, keep=params.keep)
    return []
