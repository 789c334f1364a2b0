"""A roster repaired in place: plain CP-SAT on a re-plan's model, hinted with the roster to repair.

A re-plan (:class:`scheduler.solver.model.Keep`) whose start no longer holds — someone in it is now away — is
repaired first on the few days the absence touches, every other day fixed. There the week's search
(:mod:`scheduler.solver.search`) starts from a days-off pattern and local search, which staffs the day afresh
and leaves the change cost to its improvement phase; CP-SAT hinted with the roster (``RosterVars.hint``)
instead follows the roster wherever it still holds, so the repair changes few people from the start
(``benchmarks/bench_replan.py`` measures it; figures in benchmarks/README.md). A roster that still holds as it
is comes back as it is. Single-threaded with a fixed seed; its time limit is wall-clock (the search's
:class:`~scheduler.solver.search.Budget` sizes work from a pace measured over many small solves, which one
solve cannot do), so a repair is reproducible when it ends by itself (a roster proved optimal, or days proved
unable to hold every rule) and marked ``cut`` when the clock stopped it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from constraints.problem import Problem
from constraints.roster import Roster
from scheduler.solver import stop
from scheduler.solver.model import build_model
from scheduler.solver.result import SolveParams
from scheduler.solver.search import stopped_by_clock


@dataclass(frozen=True)
class Repair:
    """What a hinted repair found: its status, the roster (when one was found), the share of
    ``time_limit_seconds`` it used, the deterministic units its solves took, and whether the clock stopped
    one of them (the repair then depends on the machine's speed)."""

    status: str
    roster: Roster | None
    used: float
    units: float = 0.0
    cut: bool = False


AS_GIVEN_SHARE = 0.1
"""Share of the budget for the check that the roster to repair still holds as it is (every person-day
variable fixed: presolve mostly decides it)."""


def _solver(params: SolveParams, seconds: float) -> cp_model.CpSolver:
    """One thread, the params' seed, at most ``seconds`` of wall time; stoppable by Ctrl-C
    (:mod:`scheduler.solver.stop`)."""
    solver = stop.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = params.seed
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    return solver


def hinted_repair(problem: Problem, params: SolveParams, start: Roster) -> Repair:
    """The best roster CP-SAT finds for ``params.keep``'s re-plan within ``params.time_limit_seconds``:
    ``start`` itself when it still holds every rule, else CP-SAT's search hinted with it."""
    if params.keep is None:
        raise ValueError("hinted_repair needs params.keep: the roster to keep and the cut")
    t0 = time.perf_counter()
    built = build_model(
        problem,
        relax=params.relax,
        relax_penalty_cny=params.relax_penalty_cny,
        symmetry_breaking=False,
        keep=params.keep,
    )
    limit = params.time_limit_seconds
    as_given = cp_model.CpModel()
    as_given.proto.copy_from(built.model.proto)
    variables = as_given.proto.variables
    for i, v in built.vars.roster_values(start).items():
        variables[i].domain.clear()
        variables[i].domain.extend([v, v])
    check = _solver(params, AS_GIVEN_SHARE * limit)
    if check.solve(as_given) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Repair("AS_GIVEN", start, _share(time.perf_counter() - t0, limit), check.deterministic_time)
    cut = stopped_by_clock(check)
    built.vars.hint(start)
    solver = _solver(params, max(0.0, limit - (time.perf_counter() - t0)))
    status = solver.solve(built.model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return Repair(
        solver.status_name(status),
        built.vars.roster(solver) if found else None,
        _share(time.perf_counter() - t0, limit),
        check.deterministic_time + solver.deterministic_time,
        cut or stopped_by_clock(solver),
    )


def _share(seconds: float, limit: float) -> float:
    return min(1.0, seconds / limit) if limit > 0 else 1.0
