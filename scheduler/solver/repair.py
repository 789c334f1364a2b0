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

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from constraints.problem import Problem
from constraints.roster import Roster
from scheduler.solver import stop
from scheduler.solver.model import BuiltModel, build_model
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


def repair_model(problem: Problem, params: SolveParams) -> BuiltModel:
    """The re-plan's model (``params.keep``), built once for every stage of a repair."""
    if params.keep is None:
        raise ValueError("a repair needs params.keep: the roster to keep and the cut")
    return build_model(
        problem,
        relax=params.relax,
        relax_penalty_cny=params.relax_penalty_cny,
        symmetry_breaking=False,
        keep=params.keep,
    )


def _fixed(model: cp_model.CpModel, values: Mapping[int, int], indexes: Iterable[int]) -> cp_model.CpModel:
    """A copy of ``model`` with the variables ``indexes`` fixed to ``values``."""
    out = cp_model.CpModel()
    out.proto.copy_from(model.proto)
    variables = out.proto.variables
    for i in indexes:
        if i in values:
            variables[i].domain.clear()
            variables[i].domain.extend([values[i], values[i]])
    return out


def hinted_repair(
    problem: Problem,
    params: SolveParams,
    start: Roster,
    built: BuiltModel | None = None,
    fixed_dates: Iterable[dt.date] = (),
    as_given: bool = True,
) -> Repair:
    """The best roster CP-SAT finds for ``params.keep``'s re-plan within ``params.time_limit_seconds``:
    ``start`` itself when it still holds every rule, else CP-SAT's search hinted with it. ``built``: the
    re-plan's model already built (:func:`repair_model`); ``fixed_dates``: days kept as ``start`` has them
    (as ``Keep.fixed_dates`` does, without building the model again); ``as_given`` False skips the check that
    ``start`` holds as it is (a later stage of the same repair)."""
    t0 = time.perf_counter()
    built = built or repair_model(problem, params)
    limit = params.time_limit_seconds
    values = built.vars.roster_values(start)
    units, cut = 0.0, False
    if as_given:
        check = _solver(params, AS_GIVEN_SHARE * limit)
        if check.solve(_fixed(built.model, values, values)) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Repair(
                "AS_GIVEN", start, _share(time.perf_counter() - t0, limit), check.deterministic_time
            )
        units, cut = check.deterministic_time, stopped_by_clock(check)
    model = _fixed(built.model, values, [i for d in fixed_dates for i in built.vars.primary_indexes(d)])
    model.proto.solution_hint.vars.extend(list(values))
    model.proto.solution_hint.values.extend(list(values.values()))
    solver = _solver(params, max(0.0, limit - (time.perf_counter() - t0)))
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return Repair(
        solver.status_name(status),
        built.vars.roster(solver) if found else None,
        _share(time.perf_counter() - t0, limit),
        units + solver.deterministic_time,
        cut or stopped_by_clock(solver),
    )


def _share(seconds: float, limit: float) -> float:
    return min(1.0, seconds / limit) if limit > 0 else 1.0
