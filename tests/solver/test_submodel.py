"""Tests of scheduler.solver.submodel: a day's cut-down model solves a neighbourhood as the week's model does."""

from __future__ import annotations

import numpy as np
import pytest
from factories import MONDAY, SATURDAY, tiny_problem
from ortools.sat.python import cp_model

from scheduler.solver.model import build_model
from scheduler.solver.search import DaySearch
from scheduler.solver.submodel import WeekIndex, day_models, export_model

DAYS = [MONDAY, MONDAY.replace(day=1), SATURDAY]


def _solver() -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.random_seed = 0
    s.parameters.max_time_in_seconds = 20
    return s


def _week() -> tuple[DaySearch, np.ndarray, dict]:
    built = build_model(tiny_problem(DAYS))
    search = DaySearch(built, seed=0, workers=1, time_limit_seconds=3.0, deterministic=True)
    status, values = search.construct()
    assert status == "FEASIBLE" and values is not None
    blocks = search._blocks()
    # the construct's auxiliary variables (window counts, switches) are not yet at their best: a solve with
    # every person-day fixed sets them, as the search's first pass does
    toggled = [i for idx in blocks.values() for i in idx]
    search._fix(toggled, values)
    s = _solver()
    assert s.solve(search.model) == cp_model.OPTIMAL
    search._restore(toggled)
    return search, np.asarray(search._values(s), dtype=np.int64), blocks


def test_a_day_model_finds_the_week_models_optimum_of_a_neighbourhood() -> None:
    """Freeing one person-day: the day model's proved optimum equals the week model's, it reports the
    week's objective, and only that day's variables and auxiliary ones change."""
    search, values, blocks = _week()
    toggled = [i for idx in blocks.values() for i in idx]
    models = day_models(search.model, export_model(search.model), search.day_vars, toggled)
    assert set(models) == set(search.day_vars)
    for (p, d), free in list(blocks.items())[:4]:
        search._fix(toggled, values.tolist())
        search._restore(free)
        week = _solver()
        assert week.solve(search.model) == cp_model.OPTIMAL
        search._restore(toggled)
        dm = models[d]
        dm.prepare(values, free)
        s = _solver()
        assert s.solve(dm.model) == cp_model.OPTIMAL, (p, d)
        assert s.objective_value == pytest.approx(week.objective_value)
        out = dm.solution(s, values)
        assert search._eval(out) == pytest.approx(s.objective_value)
        fixed = np.setdiff1d(np.asarray(toggled), np.asarray(free))
        assert (out[fixed] == values[fixed]).all()
        values = out


def test_prepare_refixes_what_the_last_neighbourhood_freed() -> None:
    """A second ``prepare`` with nothing free fixes every person-day variable back to the roster given."""
    search, values, blocks = _week()
    toggled = [i for idx in blocks.values() for i in idx]
    models = day_models(search.model, export_model(search.model), search.day_vars, toggled)
    (_, d), free = next(iter(blocks.items()))
    dm = models[d]
    dm.prepare(values, free)
    dm.prepare(values, [])
    s = _solver()
    assert s.solve(dm.model) == cp_model.OPTIMAL
    out = dm.solution(s, values)
    assert (out[toggled] == values[toggled]).all()


def test_week_index_refuses_a_constraint_kind_it_cannot_follow() -> None:
    """A model with a constraint the closure does not read (here an all-different) is refused by name."""
    m = cp_model.CpModel()
    x = [m.new_int_var(0, 3, f"x{i}") for i in range(3)]
    m.add_all_different(x)
    with pytest.raises(ValueError, match="all_diff"):
        WeekIndex(export_model(m))
