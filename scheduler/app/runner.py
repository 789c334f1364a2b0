"""Plan several weeks at once: one process per core, one progress line per week.

:func:`run_plans` takes ``(name, plan)`` jobs — ``plan`` is a picklable callable that plans one week with the
progress callback it is given — and runs them in a :class:`~concurrent.futures.ProcessPoolExecutor` (the
``forkserver`` start method where the platform has it, else ``spawn``: never ``fork``, which copies the
parent's threads and locks), or in this process when only one process is wanted. Each job's progress
reaches the parent through a queue and shows as one line per job: a live rich progress bar on a terminal,
an updated text block in a Jupyter notebook, and each job's final line on stderr when that is a file or a
pipe.

In a script, start the runs under ``if __name__ == "__main__":`` (the child processes import the main module).
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import queue as queue_mod
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from constraints.i18n import STATUS_LABELS, label, tr
from scheduler.app.pipeline import WeekPlan
from scheduler.solver.result import Progress as SolveProgress


class PlanJob(Protocol):
    """Plans one week, calling ``on_progress`` as the solver improves (picklable: it may run in a child)."""

    def __call__(self, on_progress: Callable[[SolveProgress], None]) -> WeekPlan: ...


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def picklable(plan: WeekPlan) -> WeekPlan:
    """The plan without its progress callback (a closure), so it can cross a process boundary."""
    params = dataclasses.replace(plan.result.params, progress_callback=None)
    return dataclasses.replace(plan, result=dataclasses.replace(plan.result, params=params))


# ---- one progress line per job -----------------------------------------------------------------------


def _in_jupyter() -> bool:
    return Console().is_jupyter


@dataclass
class _Line:
    name: str
    limit: float
    seconds: float = 0.0
    objective: float | None = None
    gap: float | None = None
    status: str | None = None  # set when done
    started: bool = False

    def info(self) -> str:
        obj = "—" if self.objective is None else f"{self.objective:,.0f}"
        gap = "—" if self.gap is None else f"{self.gap:.1%}"
        text = tr(f"目标 {obj} 元 · 间隙 {gap}", f"objective {obj} CNY · gap {gap}")
        if self.status is not None:
            return f"{label(STATUS_LABELS, self.status)} · {text}"
        return text if self.started else tr("等待中", "waiting")

    def text(self) -> str:
        width = 20
        done = 1.0 if self.status is not None else min(self.seconds / self.limit, 1.0) if self.limit else 0.0
        bar = "█" * round(done * width) + "·" * (width - round(done * width))
        return f"{self.name}  {bar} {self.seconds:5.0f} s  {self.info()}"


class Board:
    """One progress line per job (``show=False``: none); update from the solver's progress events."""

    def __init__(self, names: Sequence[str], limits: Sequence[float], show: bool = True) -> None:
        self.lines = [_Line(n, lim) for n, lim in zip(names, limits, strict=True)]
        self.show = show
        self._jupyter = show and _in_jupyter()
        self._handle: Any = None
        self._shown = 0.0
        self._rich: Progress | None = None
        self._tasks: list[TaskID] = []

    def __enter__(self) -> Board:
        if not self.show:
            return self
        if self._jupyter:
            from IPython.display import Pretty, display

            self._handle = display(Pretty(self._block()), display_id=True)
            return self
        console = Console(stderr=True)
        if console.is_terminal:
            self._rich = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[info]}"),
                console=console,
            )
            self._rich.start()
            self._tasks = [
                self._rich.add_task(ln.name, total=ln.limit, start=False, info=ln.info()) for ln in self.lines
            ]
        return self

    def __exit__(self, *exc: object) -> None:
        self._refresh(force=True)
        if self._rich is not None:
            self._rich.stop()

    def _block(self) -> str:
        return "\n".join(ln.text() for ln in self.lines)

    def _refresh(self, i: int | None = None, force: bool = False) -> None:
        if self._handle is not None and (force or time.monotonic() - self._shown > 0.5):
            from IPython.display import Pretty

            self._handle.update(Pretty(self._block()))
            self._shown = time.monotonic()
        if self._rich is not None and i is not None:
            ln, task = self.lines[i], self._tasks[i]
            if not self._rich.tasks[task].started:
                self._rich.start_task(task)
            done = ln.limit if ln.status is not None else min(ln.seconds, ln.limit)
            self._rich.update(task, completed=done, info=ln.info())
            if ln.status is not None:
                self._rich.stop_task(task)

    def reporter(self, i: int) -> Callable[[SolveProgress], None]:
        """The progress callback of job ``i``."""
        return lambda event: self.progress(i, event)

    def progress(self, i: int, event: SolveProgress) -> None:
        """Job ``i`` reported progress (ignored once it is done: events from a child may come late)."""
        ln = self.lines[i]
        if ln.status is not None:
            return
        ln.started = True
        ln.seconds = event.seconds
        ln.objective, ln.gap = event.objective, event.gap
        self._refresh(i)

    def done(self, i: int, plan: WeekPlan) -> None:
        """Job ``i`` finished with ``plan``."""
        ln, r = self.lines[i], plan.result
        ln.started = True
        ln.status, ln.seconds, ln.objective, ln.gap = r.status, r.solve_seconds, r.objective, r.gap
        self._refresh(i, force=True)
        if self.show and self._handle is None and self._rich is None:  # a file or a pipe: the final line only
            print(ln.text(), file=sys.stderr, flush=True)


# ---- running the jobs -----------------------------------------------------------------------------------

_QUEUE: Any = None
"""In a child process: where progress goes (set by :func:`_child_init`)."""


def _child_init(q: Any) -> None:
    global _QUEUE
    _QUEUE = q


def _run_in_child(i: int, job: PlanJob) -> WeekPlan:
    def report(event: SolveProgress) -> None:
        _QUEUE.put((i, event))

    return picklable(job(report))


def _context() -> mp.context.BaseContext:
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])  # children fork with the project already imported
        return ctx
    return mp.get_context("spawn")


def run_plans(
    jobs: Sequence[tuple[str, PlanJob]],
    processes: int,
    limits: Sequence[float],
    *,
    show: bool = True,
) -> list[WeekPlan]:
    """Run the jobs, ``processes`` at a time (in this process when 1), with one progress line each
    (``limits``: each job's time limit, the length of its bar); the plans in the jobs' order."""
    plans: list[WeekPlan | None] = [None] * len(jobs)
    with Board([n for n, _ in jobs], limits, show) as board:
        if processes <= 1 or len(jobs) <= 1:
            for i, (_, job) in enumerate(jobs):
                plan = picklable(job(board.reporter(i)))
                plans[i] = plan
                board.done(i, plan)
            return [p for p in plans if p is not None]
        ctx = _context()
        events = ctx.Queue()
        with ProcessPoolExecutor(
            max_workers=min(processes, len(jobs)), mp_context=ctx, initializer=_child_init, initargs=(events,)
        ) as pool:
            pending: dict[Future[WeekPlan], int] = {
                pool.submit(_run_in_child, i, job): i for i, (_, job) in enumerate(jobs)
            }
            try:
                while pending:
                    finished, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                    _drain(events, board)
                    for f in finished:
                        i = pending.pop(f)
                        plan = plans[i] = f.result()
                        board.done(i, plan)
                _drain(events, board)  # what a child reported just before it returned
            except BaseException:  # an error or an interrupt: do not start the jobs still waiting
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return [p for p in plans if p is not None]


def _drain(events: Any, board: Board) -> None:
    while True:
        try:
            i, event = events.get_nowait()
        except queue_mod.Empty:
            return
        board.progress(i, event)


__all__ = ["Board", "PlanJob", "cores", "picklable", "run_plans"]
