"""Copies of the week's model cut down to one day, for the search's neighbourhoods.

A neighbourhood of the LNS frees a few person-days and fixes the rest; CP-SAT then spends much of a small
solve loading and presolving the whole week, almost all of it fixed (the sizes and the time this saves:
benchmarks/README.md, "Day models"). A :class:`DayModel` keeps only the constraints a change on one day can reach: those on that
day's person-day variables (the *toggled* ones, fixed or freed per neighbourhood) and, transitively through
auxiliary variables only (window counts, switches, weekly hours, fairness spreads), those on the auxiliary
variables they mention. Other days' person-day variables such a constraint mentions are fixed to the
incumbent; the objective keeps the terms of the reached variables and takes the rest as its offset, so a
solve reports the week's objective. Variable indexes stay those of the week (the variables nothing mentions
cost little to load), so a solution is read back without remapping.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

_LITERAL_KINDS = ("bool_and", "bool_or", "at_most_one", "exactly_one")

FREE = -(2**62)
"""State of a toggled variable left to the solver (its own domain)."""
_UNSET = FREE - 1


def export_model(model: cp_model.CpModel) -> bytes:
    """The model in protobuf's binary form (CP-SAT's Python proto is slow to read field by field; its
    binary export is fast, and protobuf reads that back fast)."""
    with tempfile.TemporaryDirectory(prefix="paiban_model_") as tmp:
        path = Path(tmp) / "model.pb"
        if not model.export_to_file(str(path)):
            raise RuntimeError("CP-SAT could not export the model")
        return path.read_bytes()


class WeekIndex:
    """What the day models need of the week's model (:func:`export_model`), read once: each constraint's
    variables (a negated literal as its variable), the constraints on each variable, each variable's
    domain, the objective, and a copy of the variables with every one fixed to its lowest value (the start
    of every day model)."""

    def __init__(self, data: bytes) -> None:
        proto = cp_model_pb2.CpModelProto.FromString(data)
        self.obj_vars = np.asarray(proto.objective.vars, dtype=np.int64)
        self.obj_coeffs = np.asarray(proto.objective.coeffs, dtype=np.int64)
        self.obj_offset = proto.objective.offset
        self.obj_scaling = proto.objective.scaling_factor or 1.0
        self.refs: list[list[int]] = []
        for c in proto.constraints:
            kind = c.WhichOneof("constraint")
            if kind == "linear":
                refs = list(c.linear.vars)
            elif kind in _LITERAL_KINDS:
                refs = list(getattr(c, kind).literals)
            else:
                raise ValueError(f"constraint kind {kind!r} is not supported by the day models")
            refs.extend(c.enforcement_literal)
            self.refs.append([i if i >= 0 else -i - 1 for i in refs])
        self.domains = [list(v.domain) for v in proto.variables]
        self.by_var: list[list[int]] = [[] for _ in self.domains]
        for k, r in enumerate(self.refs):
            for i in r:
                self.by_var[i].append(k)
        self.blank = cp_model.CpModel()
        self.blank.proto.parse_text_format(
            "\n".join(f"variables {{ domain: [{d[0]}, {d[0]}] }}" for d in self.domains)
        )


class DayModel:
    """One day's cut-down model: build once, then :meth:`prepare` a neighbourhood and solve :attr:`model`.

    ``index``: the variables its constraints mention. Auxiliary ones keep their domains (the solver
    re-optimises them); toggled ones are fixed to the incumbent unless freed.
    """

    def __init__(
        self,
        model: cp_model.CpModel,
        week_index: WeekIndex,
        seeds: Sequence[int],
        toggled: np.ndarray,
    ) -> None:
        refs, by_var = week_index.refs, week_index.by_var
        cons: set[int] = set()
        seen = set(seeds)
        stack = list(seeds)
        while stack:
            v = stack.pop()
            for k in by_var[v]:
                if k in cons:
                    continue
                cons.add(k)
                for i in refs[k]:
                    if i not in seen:
                        seen.add(i)
                        if not toggled[i]:
                            stack.append(i)
        week = model.proto
        self.index = np.array(sorted(seen), dtype=np.int64)
        self.model = cp_model.CpModel()
        proto = self.model.proto
        proto.variables.extend(week_index.blank.proto.variables)  # all fixed: presolve drops the unmentioned
        domains = week_index.domains
        for i in self.index[~toggled[self.index]].tolist():
            proto.variables[i].domain.clear()
            proto.variables[i].domain.extend(domains[i])
        proto.constraints.extend([week.constraints[k] for k in sorted(cons)])
        ov, oc = week_index.obj_vars, week_index.obj_coeffs
        inside = np.isin(ov, self.index)
        proto.objective.vars.extend(ov[inside].tolist())
        proto.objective.coeffs.extend(oc[inside].tolist())
        proto.objective.scaling_factor = week_index.obj_scaling
        self._offset = week_index.obj_offset
        self._out_vars, self._out_coeffs = ov[~inside], oc[~inside]
        self.size = len(self.index) + len(cons)
        """Mentioned variables + constraints (what loading it costs)."""
        self._vars = self.index[toggled[self.index]]  # the toggled variables it mentions
        self._domains = {i: domains[i] for i in self._vars.tolist()}
        self._state = np.full(len(self._vars), _UNSET, dtype=np.int64)

    def prepare(self, values: np.ndarray, free: Iterable[int]) -> None:
        """Fix every toggled variable to ``values`` except ``free`` (which must be this day's), hint the
        incumbent, and set the offset: the objective outside at ``values``."""
        target = values[self._vars].copy()
        free_mask = np.isin(self._vars, np.fromiter(free, dtype=np.int64))
        target[free_mask] = FREE
        variables = self.model.proto.variables
        for j in np.flatnonzero(target != self._state).tolist():
            i = int(self._vars[j])
            dom = variables[i].domain
            dom.clear()
            dom.extend(self._domains[i] if target[j] == FREE else [int(target[j])] * 2)
        self._state = target
        proto = self.model.proto
        proto.objective.offset = float(self._offset + int(self._out_coeffs @ values[self._out_vars]))
        self.model.clear_hints()
        proto.solution_hint.vars.extend(self.index.tolist())
        proto.solution_hint.values.extend(values[self.index].tolist())

    def solution(self, solver: cp_model.CpSolver, values: np.ndarray) -> np.ndarray:
        """``values`` with this model's variables set from the solver's solution."""
        out = values.copy()
        out[self.index] = np.asarray(solver.response_proto.solution, dtype=np.int64)[self.index]
        return out


def day_models(
    model: cp_model.CpModel, data: bytes, day_vars: dict[dt.date, list[int]], toggled: Iterable[int]
) -> dict[dt.date, DayModel]:
    """A :class:`DayModel` for each day of ``day_vars`` (its person-day variables) of ``model`` (``data``:
    its :func:`export_model`, domains unfixed); ``toggled``: every person-day variable of the week (fixed or
    freed by the neighbourhoods; the others are auxiliary). Only reads ``model``'s constraints, so it may
    run while the model is solved or its domains change."""
    week_index = WeekIndex(data)
    mask = np.zeros(len(week_index.domains), dtype=bool)
    mask[list(toggled)] = True
    return {d: DayModel(model, week_index, idx, mask) for d, idx in day_vars.items()}
