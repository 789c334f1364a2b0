"""Tests of scheduler.solver.bound_process: the capacity bound computed in a process of its own."""

from __future__ import annotations

import subprocess

from factories import tiny_week

from constraints.problem import Problem
from scheduler.solver.bound import capacity_bound
from scheduler.solver.bound_process import capacity_in_process
from scheduler.solver.model import build_model, least_on_counters


def _inputs() -> tuple[Problem, int, list[str], dict]:
    prob = tiny_week()
    built = build_model(prob)
    return prob, built.vars.scale, [r.name for r in built.rules], least_on_counters(prob, built.rules)


def test_the_process_returns_the_bound_computed_here() -> None:
    """The bound from the child process is the one :func:`capacity_bound` gives in this process."""
    prob, scale, names, least = _inputs()
    here = capacity_bound(prob, scale, names, least)
    assert here is not None
    assert capacity_in_process(prob, scale, names, least) == here


def test_a_process_stopped_before_it_is_done_gives_no_bound() -> None:
    """The caller is given the process; terminated, it gives None (no bound), not an error."""
    prob, scale, names, least = _inputs()
    seen: list[subprocess.Popen[bytes]] = []

    def stop_at_once(proc: subprocess.Popen[bytes]) -> None:
        seen.append(proc)
        proc.terminate()

    assert capacity_in_process(prob, scale, names, least, started=stop_at_once) is None
    assert len(seen) == 1 and seen[0].poll() is not None
