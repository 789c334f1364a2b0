"""Tests of scheduler.app.runner: jobs run in child processes in order, their progress reaches the parent, and
the progress board shows one line per job."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from scheduler.app import runner
from scheduler.solver.result import Progress


@dataclass(frozen=True)
class FakeParams:
    progress_callback: Callable[[Progress], None] | None = None


@dataclass(frozen=True)
class FakeResult:
    status: str
    params: FakeParams
    pid: int
    solve_seconds: float = 1.5
    objective: float | None = 40_123.0
    gap: float | None = 0.02


@dataclass(frozen=True)
class FakePlan:
    result: FakeResult


@dataclass(frozen=True)
class FakeJob:
    """Reports one progress event, then returns a plan still holding its (unpicklable) callback."""

    status: str

    def __call__(self, on_progress: Callable[[Progress], None]) -> Any:
        on_progress(Progress(0.5, 41_000.0, 39_000.0, 0.05, 1))
        time.sleep(0.5)  # the event travels on its own pipe: let it arrive before the result
        return FakePlan(FakeResult(self.status, FakeParams(on_progress), os.getpid()))


def test_jobs_run_in_child_processes_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two jobs on two processes: plans in the jobs' order, made in other processes, callbacks stripped,
    and each job's progress event reaches the parent's board."""
    seen: list[tuple[int, float]] = []
    original = runner.Board.progress

    def record(self: runner.Board, i: int, event: Progress) -> None:
        seen.append((i, event.seconds))
        original(self, i, event)

    monkeypatch.setattr(runner.Board, "progress", record)
    jobs: list[tuple[str, Any]] = [("甲 (a)", FakeJob("FEASIBLE")), ("乙 (b)", FakeJob("INFEASIBLE"))]
    plans: list[Any] = runner.run_plans(jobs, processes=2, limits=[5.0, 5.0], show=False)
    assert [p.result.status for p in plans] == ["FEASIBLE", "INFEASIBLE"]
    assert all(p.result.pid != os.getpid() for p in plans)
    assert all(p.result.params.progress_callback is None for p in plans)
    assert sorted(seen) == [(0, 0.5), (1, 0.5)]


def test_one_process_runs_here() -> None:
    """With one process the jobs run in this process, one after the other."""
    plans: list[Any] = runner.run_plans([("a", FakeJob("OPTIMAL"))], processes=1, limits=[5.0], show=False)
    assert plans[0].result.pid == os.getpid() and plans[0].result.params.progress_callback is None


def test_board_prints_each_final_line_once_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """Writing to a file or pipe, the board prints one line per job when it ends: name, status, objective and
    gap; progress arriving after a job ended changes nothing."""
    with runner.Board(["基准 (baseline)", "客流 ×1.2"], [10.0, 10.0]) as board:
        board.progress(0, Progress(2.0, 45_000.0, 40_000.0, 0.11, 1))
        board.done(0, FakePlan(FakeResult("FEASIBLE", FakeParams(), 0)))  # type: ignore[arg-type]
        board.progress(0, Progress(9.0, 50_000.0, 40_000.0, 0.2, 2))
        board.done(1, FakePlan(FakeResult("INFEASIBLE", FakeParams(), 0, objective=None, gap=None)))  # type: ignore[arg-type]
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert (
        lines[0].startswith("基准 (baseline)")
        and "可行" in lines[0]
        and "40,123" in lines[0]
        and "2.0%" in lines[0]
    )
    assert lines[1].startswith("客流 ×1.2") and "不可行" in lines[1] and "—" in lines[1]
    assert board.lines[0].objective == 40_123.0


def test_board_can_be_silent(capsys: pytest.CaptureFixture[str]) -> None:
    """show=False prints nothing."""
    with runner.Board(["a"], [1.0], show=False) as board:
        board.done(0, FakePlan(FakeResult("FEASIBLE", FakeParams(), 0)))  # type: ignore[arg-type]
    assert capsys.readouterr().err == ""
