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

from constraints.handovers import derive_handovers
from constraints.problem import Problem
from constraints.roster import Violation
from constraints.rules import check_roster, precheck
from scheduler.solver.explain import find_conflict
from scheduler.solver.model import BuiltModel, build_model
from scheduler.solver.result import Progress, RosterResult, SolveParams
from scheduler.solver.search import DaySearch, grace_seconds
from scheduler.solver.variables import Assignment

AFTER_SEARCH_SHARE = 0.2
"""Seconds kept after the search for reading the roster back and auditing it, as a share of the seconds the
model took to build (the same kind of Python work over the same people and slots: 0.07–0.13 of it on the
family of ``benchmarks/bench_family.py``)."""


def relative_gap(objective: float, bound: float) -> float:
    """(objective − bound) / |objective|, 0 when both are 0."""
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else 1.0
    return max(0.0, (objective - bound) / abs(objective))


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
    target = finish_by - AFTER_SEARCH_SHARE * (time.perf_counter() - t0)
    events: list[Progress] = []

    def emit(objective: float | None, bound: float | None, gap: float | None) -> None:
        ev = Progress(time.perf_counter() - t0, objective, bound, gap, len(events) + 1)
        events.append(ev)
        if params.progress_callback is not None:
            params.progress_callback(ev)

    def report(obj: float | None, bound: float | None) -> None:
        """The search's progress (model units) in CNY."""
        cny = built.objective_cny(obj) if obj is not None else None
        bound_cny = built.objective_cny(bound) if bound is not None else None
        emit(
            cny,
            bound_cny,
            relative_gap(cny, bound_cny) if cny is not None and bound_cny is not None else None,
        )

    search = DaySearch(
        built,
        seed=params.seed,
        workers=params.workers,
        time_limit_seconds=params.time_limit_seconds,
        deterministic=params.deterministic,
        log_progress=params.log_progress,
        on_progress=report,
        t0=t0,
        start=params.start,
        target=target,
        deadline=target + grace_seconds(params.time_limit_seconds),
        work_units=params.work_units,
    )
    out = search.run()
    if out.values is None or out.objective is None:
        return RosterResult(
            out.status,
            problem,
            params,
            explanation=tuple(_no_roster(problem, params, out.status)),
            progress=tuple(events),
            reproducible=not out.cut,
            work_units=out.work_units,
            first_feasible_seconds=out.first_feasible_seconds,
            search_log=tuple(out.log),
            solve_seconds=time.perf_counter() - t0,
        )
    assignment = Assignment(out.values)
    roster = built.vars.roster(assignment)
    objective = built.objective_cny(out.objective)
    best_bound = gap = avoidable_gap = None
    if out.bound is not None:
        best_bound = min(objective, built.objective_cny(out.bound))
        gap = relative_gap(objective, best_bound)
        avoidable_gap = relative_gap(out.objective, min(out.objective, out.bound))
    emit(objective, best_bound, gap)  # the last progress is the result's, whatever the search reported
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
        progress=tuple(events),
        reproducible=not out.cut,
        work_units=out.work_units,
        first_feasible_seconds=out.first_feasible_seconds,
        search_log=tuple(out.log),
        solve_seconds=time.perf_counter() - t0,
    )


def _no_roster(problem: Problem, params: SolveParams, status: str) -> list[Violation]:
    """Why there is no roster: nothing found in time, or the rules × days that cannot hold together."""
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
        return find_conflict(
            problem, relax=params.relax, time_limit_seconds=params.explain_seconds, keep=params.keep
        )
    return []
