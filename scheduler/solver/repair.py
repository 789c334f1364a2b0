"""A roster repaired in place: plain CP-SAT on a re-plan's model, hinted with the roster to repair.

A re-plan (:class:`scheduler.solver.model.Keep`) whose start no longer holds — someone in it is now away — is
repaired first on the few days the absence touches, every other day fixed. There the week's search
(:mod:`scheduler.solver.search`) starts from a days-off pattern and local search, which staffs the day afresh
and leaves the change cost to its improvement phase; CP-SAT hinted with the roster (``RosterVars.hint``)
instead follows the roster wherever it still holds, so the repair changes few people from the start
(``benchmarks/bench_replan.py`` measures it; figures in benchmarks/README.md). A roster that still holds as it
is comes back as it is. Single-threaded with a fixed seed and, by default, a deterministic-time limit: the
same inputs give the same repair.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from constraints.problem import Problem
from constraints.roster import Roster
from scheduler.solver.model import build_model
from scheduler.solver.result import SolveParams
from scheduler.solver.search import DTIME_PER_SECOND


@dataclass(frozen=True)
class Repair:
    """What a hinted repair found: its status, the roster (when one was found) and the share of
    ``time_limit_seconds`` it used."""

    status: str
    roster: Roster | None
    used: float


AS_GIVEN_SHARE = 0.1
"""Share of the budget for the check that the roster to repair still holds as it is (every person-day
variable fixed: presolve mostly decides it)."""


def _solver(params: SolveParams, seconds: float) -> cp_model.CpSolver:
    """One thread, the params' seed, and ``seconds`` of budget (deterministic units by default)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = params.seed
    if params.deterministic:
        solver.parameters.max_deterministic_time = seconds * DTIME_PER_SECOND
        solver.parameters.max_time_in_seconds = 3 * seconds + 5  # the search's safety cap
    else:
        solver.parameters.max_time_in_seconds = seconds
    return solver


def _spent(params: SolveParams, solver: cp_model.CpSolver) -> float:
    return solver.deterministic_time / DTIME_PER_SECOND if params.deterministic else solver.wall_time


def hinted_repair(problem: Problem, params: SolveParams, start: Roster) -> Repair:
    """The best roster CP-SAT finds for ``params.keep``'s re-plan within ``params.time_limit_seconds``:
    ``start`` itself when it still holds every rule, else CP-SAT's search hinted with it."""
    if params.keep is None:
        raise ValueError("hinted_repair needs params.keep: the roster to keep and the cut")
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
        return Repair("AS_GIVEN", start, min(1.0, _spent(params, check) / limit))
    spent = _spent(params, check)
    built.vars.hint(start)
    solver = _solver(params, max(0.0, limit - spent))
    status = solver.solve(built.model)
    spent += _spent(params, solver)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return Repair(
        solver.status_name(status),
        built.vars.roster(solver) if found else None,
        min(1.0, spent / limit) if limit > 0 else 1.0,
    )
