"""A region's branches in one run, on Dask: every branch folder planned as ``paiban plan`` plans it.

Each sub-folder of the region folder is one branch: ``tickets.csv`` (or ``tickets.xlsx``), ``staff.csv``,
``branch.toml`` and, when present, ``leave.csv``, ``events.csv`` and the calendar overrides file its toml names
(relative to the toml). The submitter reads those files into a :class:`BranchJob` — their bytes and sha256 —
and submits one task per branch to a Dask cluster: an embedded :class:`~distributed.LocalCluster` (one process
per core, one thread each, every solve with :data:`REGION_SOLVER_WORKERS`) or an existing scheduler by address
(``tcp://`` or ``tls://`` with Dask's security settings). A worker needs none of the submitter's disk: it
writes the files into its own temporary folder, runs :func:`~scheduler.app.pipeline.load_branch`,
:func:`~scheduler.app.pipeline.plan_week` and :func:`~scheduler.app.pipeline.write_plan` there, and returns the
output files as bytes; the submitter writes them into ``OUT/<folder>/`` (each file atomically, summary.json
last) as each branch finishes.

A branch's failure stays its own: bad input is exit status 2 with the one-line reason, a week that cannot be
staffed exit status 1, a worker that dies is retried once elsewhere (then exit status 3, like any unexpected
error), and every other branch is planned. ``OUT/region_summary.csv`` and ``OUT/region.xlsx`` hold one row
per branch, read from its summary.json. ``resume`` skips a branch whose outputs are complete and whose
summary.json records the same input hashes and week. The run's exit status is the worst branch's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import json
import logging
import os
import posixpath
import queue
import tempfile
import time
import tomllib
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from constraints.calendar import parse_week
from constraints.config import load_config
from constraints.errors import InputError, InputWarning
from constraints.i18n import tr
from constraints.io import atomic_write, write_csv
from scheduler.app.pipeline import load_branch, plan_week, write_plan
from scheduler.report.outputs import OUTPUT_FILES
from scheduler.report.region_workbook import (
    BAD_INPUT,
    ERROR,
    RegionRow,
    region_frame,
    write_region_workbook,
)
from scheduler.report.workbook.kpi_sheet import InputFile, sha256_file
from scheduler.solver.result import SolveParams

if TYPE_CHECKING:
    from distributed import Client, Future

REGION_SOLVER_WORKERS = 1
"""CP-SAT searches per branch solve: one, so a process per core keeps every core busy without oversubscribing it
(two would run two neighbourhoods at a time, :mod:`scheduler.solver.search`, and take a second core from the
next branch). ``paiban plan`` with ``[solver] workers = 1`` plans the same roster."""

IN_FLIGHT_PER_THREAD = 2
"""Branches submitted per worker thread at a time: enough that no worker waits, while the submitter holds
only these branches' bytes in memory (a region of 200 branches is not read at once)."""

LOCAL_ALLOWED_FAILURES = 1
"""Worker deaths a branch survives on the embedded cluster: the second ends it (exit status 3), so a branch that
kills its worker (out of memory) does not take down every worker in turn."""

REFRESH_SECONDS = 0.5
"""How often the progress view is refreshed while no branch finishes."""

TICKET_FILES = ("tickets.csv", "tickets.xlsx")
OPTIONAL_FILES = {"leave": "leave.csv", "events": "events.csv"}
SUMMARY_CSV = "region_summary.csv"
REGION_XLSX = "region.xlsx"

log = logging.getLogger(__name__)


# ---- what travels to a worker, and what comes back ---------------------------------------------------------


@dataclass(frozen=True)
class RegionSettings:
    """How every branch of the run is planned (``None``: the branch's own branch.toml decides)."""

    time_limit: float | None = None
    seed: int | None = None
    solver_workers: int = REGION_SOLVER_WORKERS
    replications: int = 20
    lang: str = "zh"


@dataclass(frozen=True)
class ShippedFile:
    """One input file as data: its role (tickets, staff, config, …), its path relative to the branch folder,
    the path a person knows it by on the submitter, its bytes and their sha256."""

    role: str
    relpath: str
    display: str
    data: bytes
    sha256: str


@dataclass(frozen=True)
class BranchJob:
    """Everything a worker needs to plan one branch's week."""

    folder: str
    display_folder: str
    files: tuple[ShippedFile, ...]
    week: dt.date
    settings: RegionSettings


@dataclass(frozen=True)
class BranchOutcome:
    """A worker's answer: exit status, the one-line reason when it failed, and the output files' bytes."""

    folder: str
    exit_status: int
    message: str
    seconds: float
    files: Mapping[str, bytes] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


# ---- the branch folders ------------------------------------------------------------------------------------


def branch_folders(directory: str | Path, out: str | Path | None = None) -> list[Path]:
    """The region's branch folders: every sub-folder by name, but hidden ones (``.calendar``) and the output
    folder ``out`` when it lies inside; ``InputError`` when there is none."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError("文件夹不存在 (no such folder)", argument="--branches", value=str(root))
    skip = Path(out).resolve() if out is not None else None
    folders = sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.resolve() != skip
    )
    if not folders:
        raise InputError(
            "没有网点文件夹: 每个网点一个子文件夹 (no branch folders: one sub-folder per branch)",
            argument="--branches",
            value=str(root),
        )
    return folders


def branch_inputs(folder: Path) -> dict[str, Path]:
    """{role: path} of a branch folder's input files; ``InputError`` naming the file that is missing."""
    tickets = [folder / name for name in TICKET_FILES if (folder / name).is_file()]
    if len(tickets) != 1:
        raise InputError(
            "需要且只能有一个 tickets.csv 或 tickets.xlsx (exactly one of tickets.csv or tickets.xlsx)",
            file=folder / TICKET_FILES[0],
        )
    inputs = {"tickets": tickets[0], "staff": folder / "staff.csv", "config": folder / "branch.toml"}
    for path in inputs.values():
        if not path.is_file():
            raise InputError("文件不存在 (file not found)", file=path)
    inputs |= {role: folder / name for role, name in OPTIONAL_FILES.items() if (folder / name).is_file()}
    overrides = _overrides_file(inputs["config"])
    if overrides is not None:
        inputs["overrides"] = overrides
    return inputs


def _overrides_file(config: Path) -> Path | None:
    """The calendar overrides file branch.toml names (relative to it); a toml that does not parse is left to
    the worker's ``load_config``, which names the line."""
    try:
        value = tomllib.loads(config.read_text(encoding="utf-8-sig")).get("calendar", {}).get("overrides", "")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, AttributeError):
        return None
    if not isinstance(value, str) or not value:
        return None
    if Path(value).is_absolute() or posixpath.isabs(value.replace("\\", "/")):
        raise InputError(
            "区域排班时须写成相对于 branch.toml 的路径, 以便随网点一起发送 "
            "(in a region run the overrides file must be relative to branch.toml, so it travels with the branch)",
            file=config,
            column="calendar.overrides",
            value=value,
        )
    path = config.parent / value
    if not path.is_file():
        raise InputError("文件不存在 (file not found)", file=path)
    return path


def input_digests(inputs: Mapping[str, Path]) -> dict[str, str]:
    """{role: sha256} of a branch's input files."""
    return {role: sha256_file(path) for role, path in inputs.items()}


def build_job(folder: Path, inputs: Mapping[str, Path], week: dt.date, settings: RegionSettings) -> BranchJob:
    """Read a branch's files into a job (bytes and hashes) for a worker."""
    shipped = []
    for role, path in inputs.items():
        data = path.read_bytes()
        relpath = posixpath.normpath(os.path.relpath(path, folder).replace(os.sep, "/"))
        shipped.append(ShippedFile(role, relpath, str(path), data, hashlib.sha256(data).hexdigest()))
    return BranchJob(folder.name, str(folder), tuple(shipped), week, settings)


def branch_identity(config: Path) -> tuple[str, str]:
    """(branch id, name) from branch.toml; blank when it cannot be read (the row's message says why)."""
    try:
        info = load_config(config).branch
    except InputError:
        return "", ""
    return info.id, info.name


# ---- the worker's side -------------------------------------------------------------------------------------


def plan_branch(job: BranchJob) -> BranchOutcome:
    """Plan one branch from its shipped files, in a temporary folder of this worker; return the outputs' bytes.

    Bad input is exit status 2 with the one-line reason (paths named as on the submitter); a week that cannot
    hold every hard rule exit status 1 with its outputs (summary.json says why); an unexpected error exit
    status 3. The readers' warnings (odd but possible input) come back with the outcome; they are caught per
    process, so on a worker of several threads one may be reported with a neighbouring branch.
    """
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="paiban-region-") as tmp,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always", InputWarning)
        folder = _materialise(job, Path(tmp).resolve())

        def here_to_there(text: str) -> str:
            return text.replace(str(folder), job.display_folder)

        try:
            exit_status, files = _plan_in(job, folder)
            message = ""
        except InputError as exc:
            exit_status, files, message = 2, {}, here_to_there(exc.describe())
        except Exception as exc:  # one branch's bug must not lose the region; the row names it
            log.exception("branch %s failed", job.folder)
            exit_status, files, message = 3, {}, here_to_there(f"{type(exc).__name__}: {exc}")
        notes = tuple(
            dict.fromkeys(
                here_to_there(str(w.message)) for w in caught if issubclass(w.category, InputWarning)
            )
        )
    return BranchOutcome(job.folder, exit_status, message, time.perf_counter() - start, files, notes)


def _materialise(job: BranchJob, root: Path) -> Path:
    """Write the job's files under ``root`` as they lie around the branch folder; return the folder."""
    ups = max((_leading_ups(f.relpath) for f in job.files), default=0)
    folder = root.joinpath(*(["up"] * max(ups - 1, 0)), job.folder)  # room for ``../`` paths inside root
    for f in job.files:
        target = Path(os.path.normpath(folder / f.relpath))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f.data)
    return folder


def _leading_ups(relpath: str) -> int:
    parts = relpath.split("/")
    return next((k for k, p in enumerate(parts) if p != ".."), len(parts))


def _plan_in(job: BranchJob, folder: Path) -> tuple[int, dict[str, bytes]]:
    """load_branch → plan_week → write_plan on the materialised files; (exit status, output bytes)."""
    path = {f.role: Path(os.path.normpath(folder / f.relpath)) for f in job.files}
    branch = load_branch(
        path["tickets"], path["staff"], path["config"], path.get("leave"), path.get("events")
    )
    branch = branch.replace(files={f.role: InputFile(f.display, f.sha256) for f in job.files})
    s = job.settings
    params = SolveParams.from_config(
        branch.config, time_limit_seconds=s.time_limit, seed=s.seed, workers=s.solver_workers
    )
    plan = plan_week(branch, job.week, params, replications=s.replications)
    written = write_plan(plan, folder.parent / f".{job.folder}-outputs", lang=s.lang)
    return (0 if plan.result.ok else 1), {name: p.read_bytes() for name, p in written.items()}


# ---- the submitter's side: outputs and rows ----------------------------------------------------------------


def write_branch_outputs(out: Path, files: Mapping[str, bytes]) -> None:
    """Write a branch's output files into ``out``, each atomically and summary.json last (so ``--resume``
    never trusts a folder whose files were only partly replaced)."""
    for name in sorted(files, key=lambda n: n == "summary.json"):
        with atomic_write(out / name, "wb") as fh:
            fh.write(files[name])


def row_from_summary(
    doc: Mapping[str, Any],
    *,
    folder: str,
    identity: tuple[str, str],
    seconds: float,
    note: str = "",
    lang: str,
) -> RegionRow:
    """A branch's row from its summary.json: status, figures of the week, and why it failed when it did."""
    hours = doc.get("staff_hours") or {}
    has_roster = doc.get("status") in ("OPTIMAL", "FEASIBLE") and bool(hours)  # a failed week lists 0 h each
    wait, share = _week_waits(doc.get("expected_waits") or {}) if has_roster else (None, None)
    violations = doc.get("violations") or []
    ok = doc.get("ok") is True
    reason = "" if ok else summary_reason(doc, lang)
    return RegionRow(
        folder=folder,
        branch_id=identity[0],
        branch_name=identity[1],
        status=str(doc.get("status") or ""),
        exit_status=0 if ok else 1,
        objective=_number(doc.get("objective")),
        gap=_number(doc.get("gap")),
        staff_hours=round(sum(float(h) for h in hours.values()), 2) if has_roster else None,
        mean_wait_minutes=wait,
        share_within_target=share,
        hard_violations=sum(1 for v in violations if v.get("hard")),
        service_gaps=len(doc.get("service_gaps") or []),
        seconds=round(seconds, 1),
        message="; ".join(m for m in (note, reason) if m),
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _week_waits(per_day: Mapping[str, Mapping[str, Any]]) -> tuple[float | None, float | None]:
    """The week's mean wait and share served within target: the days' figures weighted by forecast arrivals,
    the simulator's where it ran (the queueing estimate of the mean wait otherwise)."""
    total = wait = share = share_weight = 0.0
    for rec in per_day.values():
        n = float(rec.get("arrivals") or 0.0)
        w = rec.get("simulated_mean_wait_minutes", rec.get("mean_wait_minutes"))
        if n <= 0 or w is None:
            continue
        total += n
        wait += n * float(w)
        if rec.get("simulated_share_within_target") is not None:
            share += n * float(rec["simulated_share_within_target"])
            share_weight += n
    if total == 0:
        return None, None
    return round(wait / total, 2), (round(share / share_weight, 4) if share_weight else None)


MESSAGE_REASONS = 3
"""Reasons a failed branch's one-line message quotes (summary.json has them all)."""


def summary_reason(doc: Mapping[str, Any], lang: str) -> str:
    """Why a branch's week has no roster that holds every hard rule, in one line, from its summary.json."""
    reasons = doc.get("explanation") or [v for v in doc.get("violations") or [] if v.get("hard")]
    if not reasons:
        limit = (doc.get("parameters") or {}).get("time_limit_seconds")
        return tr(
            f"在 {limit} 秒内未找到排班 (状态 {doc.get('status')}); 请加大 --time-limit",
            f"no roster found within {limit} s (status {doc.get('status')}); raise --time-limit",
            lang,
        )
    head = tr("无法满足全部硬性规则", "cannot hold every hard rule", lang)
    quoted = [f"[{v.get('rule')}] {v.get('message')}" for v in reasons[:MESSAGE_REASONS]]
    more = len(reasons) - MESSAGE_REASONS
    tail = tr(f" 等共 {len(reasons)} 条", f" and {more} more", lang) if more > 0 else ""
    return f"{head}: " + "; ".join(quoted) + tail


def resumable(out: Path, digests: Mapping[str, str], week: dt.date) -> dict[str, Any] | None:
    """The branch's summary.json when its outputs are complete, for the same input hashes and week."""
    if not all((out / name).is_file() for name in OUTPUT_FILES):
        return None
    try:
        doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        recorded = {k: v.get("sha256") for k, v in (doc.get("inputs") or {}).items() if isinstance(v, dict)}
        dates = [dt.date.fromisoformat(d) for d in doc.get("expected_waits") or {}]
    except (OSError, ValueError, TypeError, AttributeError):  # not a summary.json paiban wrote: plan again
        return None
    same_week = bool(dates) and all(d - dt.timedelta(days=d.weekday()) == week for d in dates)
    return doc if recorded == dict(digests) and same_week else None


# ---- the run -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionProgress:
    """The run so far: branches finished (failed among them), those running with their seconds (slowest
    first), and the Dask dashboard's address when the cluster serves one."""

    total: int
    done: int
    failed: int
    running: tuple[tuple[str, float], ...]
    dashboard: str | None = None


@dataclass(frozen=True)
class RegionReport:
    """A finished region run: one row per branch folder (by name), and which were resumed."""

    rows: tuple[RegionRow, ...]
    resumed: frozenset[str] = frozenset()
    warnings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def exit_status(self) -> int:
        """The worst branch's exit status (0 when there is none)."""
        return max((r.exit_status for r in self.rows), default=0)

    def frame(self) -> pd.DataFrame:
        """region_summary.csv as a frame."""
        return region_frame(self.rows)


def available_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Client]:
    """A Dask client: to the scheduler at ``scheduler`` (``tcp://`` or ``tls://``; TLS certificates from Dask's
    config), else to an embedded local cluster of ``workers`` processes (default: one per core) of one thread.

    The embedded cluster retries a branch whose worker died once elsewhere (:data:`LOCAL_ALLOWED_FAILURES`); an
    existing cluster keeps its own ``distributed.scheduler.allowed-failures``. A branch whose task raised is
    retried once too (``retries=1``), though :func:`plan_branch` turns every error into an outcome.
    """
    from distributed import Client, LocalCluster

    if workers is not None and workers < 1:
        raise InputError("必须至少为 1 (must be at least 1)", argument="--workers", value=workers)
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, ValueError, TypeError) as exc:  # refused, timed out, bad address or TLS settings
            raise InputError(
                f"无法连接 Dask 调度器 (cannot reach the Dask scheduler): {exc}",
                argument="--scheduler",
                value=scheduler,
            ) from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers or available_cores(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: several runs may share the machine
            silence_logs=logging.ERROR,
            scheduler_kwargs={"allowed_failures": LOCAL_ALLOWED_FAILURES},
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def dashboard_link(client: Client) -> str | None:
    """The dashboard's address when the scheduler serves one (it needs bokeh where the scheduler runs)."""
    if "dashboard" not in client.scheduler_info().get("services", {}):
        return None
    try:
        served = bool(client.run_on_scheduler(_has_bokeh))
    except Exception:  # a scheduler that refuses to run code: it still serves what it serves
        served = True
    return str(client.dashboard_link) if served else None


def _has_bokeh() -> bool:
    return importlib.util.find_spec("bokeh") is not None


def run_region(
    directory: str | Path,
    week: dt.date | str,
    out: str | Path,
    *,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    settings: RegionSettings | None = None,
    resume: bool = False,
    on_progress: Callable[[RegionProgress], None] | None = None,
) -> RegionReport:
    """Plan every branch folder of ``directory`` for ``week`` into ``out``; write region_summary.csv and
    region.xlsx. ``client`` (a ``distributed.Client``) is used as it is; otherwise one is made by
    :func:`connect` from ``scheduler`` / ``workers``, only when some branch needs planning."""
    settings = settings or RegionSettings()
    if settings.time_limit is not None and settings.time_limit <= 0:
        raise InputError("必须大于 0 (must be positive)", argument="--time-limit", value=settings.time_limit)
    monday = week if isinstance(week, dt.date) else parse_week(week)
    out = Path(out)
    folders = branch_folders(directory, out)
    rows, todo = _triage(folders, out, monday, resume, settings.lang)
    resumed = frozenset(name for name, row in rows.items() if row.status != BAD_INPUT)
    notes: dict[str, tuple[str, ...]] = {}
    if todo:
        owned = contextlib.nullcontext(client) if client is not None else connect(scheduler, workers)
        with owned as c:
            tracker = _Tracker(len(folders), len(rows), sum(r.exit_status != 0 for r in rows.values()))
            tracker.dashboard = dashboard_link(c)
            for folder, inputs, outcome in _run_jobs(c, todo, monday, settings, tracker, on_progress):
                rows[folder.name] = _settle(out, folder, inputs, outcome, settings.lang)
                if outcome.warnings:
                    notes[folder.name] = outcome.warnings
                tracker.finished(rows[folder.name].exit_status != 0)
    report = RegionReport(tuple(rows[f.name] for f in folders), resumed, notes)
    write_region_outputs(out, report.rows, monday, settings.lang)
    return report


def _triage(
    folders: Sequence[Path], out: Path, week: dt.date, resume: bool, lang: str
) -> tuple[dict[str, RegionRow], list[tuple[Path, dict[str, Path]]]]:
    """Rows of the branches settled before any planning (files missing: bad input; resumed), and the rest."""
    rows: dict[str, RegionRow] = {}
    todo: list[tuple[Path, dict[str, Path]]] = []
    for folder in folders:
        try:
            inputs = branch_inputs(folder)
        except InputError as exc:
            rows[folder.name] = _failed_row(folder, BAD_INPUT, 2, exc.describe())
            continue
        doc = resumable(out / folder.name, input_digests(inputs), week) if resume else None
        if doc is None:
            todo.append((folder, inputs))
            continue
        rows[folder.name] = row_from_summary(
            doc,
            folder=folder.name,
            identity=branch_identity(inputs["config"]),
            seconds=0.0,
            note=tr("沿用上次结果 (输入未变)", "resumed: inputs unchanged", lang),
            lang=lang,
        )
    return rows, todo


def _failed_row(folder: Path, status: str, exit_status: int, message: str, seconds: float = 0.0) -> RegionRow:
    """The row of a branch without outputs (its id and name when its branch.toml reads)."""
    ident = branch_identity(folder / "branch.toml")
    return RegionRow(folder.name, *ident, status, exit_status, seconds=round(seconds, 1), message=message)


def _settle(
    out: Path, folder: Path, inputs: Mapping[str, Path], outcome: BranchOutcome, lang: str
) -> RegionRow:
    """Write a finished branch's outputs and make its row."""
    if not outcome.files:
        status = BAD_INPUT if outcome.exit_status == 2 else ERROR
        return _failed_row(folder, status, outcome.exit_status, outcome.message, outcome.seconds)
    write_branch_outputs(out / folder.name, outcome.files)
    doc = json.loads(outcome.files["summary.json"].decode("utf-8"))
    return row_from_summary(
        doc,
        folder=folder.name,
        identity=branch_identity(inputs["config"]),
        seconds=outcome.seconds,
        lang=lang,
    )


@dataclass
class _Tracker:
    """Counts and running branches for the progress view."""

    total: int
    done: int
    failed: int
    dashboard: str | None = None
    started: dict[str, float] = field(default_factory=dict)

    def finished(self, failed: bool) -> None:
        self.done += 1
        self.failed += int(failed)

    def snapshot(self, running: Sequence[str]) -> RegionProgress:
        now = time.monotonic()
        for name in running:
            self.started.setdefault(name, now)
        ages = sorted(((n, now - self.started[n]) for n in running), key=lambda t: -t[1])
        return RegionProgress(self.total, self.done, self.failed, tuple(ages), self.dashboard)


def _run_jobs(
    client: Client,
    todo: Sequence[tuple[Path, dict[str, Path]]],
    week: dt.date,
    settings: RegionSettings,
    tracker: _Tracker,
    on_progress: Callable[[RegionProgress], None] | None,
) -> Iterator[tuple[Path, dict[str, Path], BranchOutcome]]:
    """Submit the branches a few at a time (:data:`IN_FLIGHT_PER_THREAD`), yield each as it finishes."""
    waiting = list(reversed(todo))
    in_flight: dict[str, tuple[Path, dict[str, Path]]] = {}
    finished: queue.Queue[Future] = queue.Queue()
    while waiting or in_flight:
        limit = IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values()))
        while waiting and len(in_flight) < limit:
            folder, inputs = waiting.pop()
            job = build_job(folder, inputs, week, settings)
            key = f"paiban-region-{folder.name}-{os.urandom(4).hex()}"
            future = client.submit(plan_branch, job, key=key, retries=1, pure=False)
            future.add_done_callback(finished.put)
            in_flight[key] = (folder, inputs)
        if on_progress is not None:
            running = [
                in_flight[k][0].name for keys in client.processing().values() for k in keys if k in in_flight
            ]
            on_progress(tracker.snapshot(running))
        try:
            future = finished.get(timeout=REFRESH_SECONDS)
        except queue.Empty:
            continue
        folder, inputs = in_flight.pop(str(future.key))
        yield folder, inputs, _outcome(future, folder.name)
    if on_progress is not None:
        on_progress(tracker.snapshot([]))


def _outcome(future: Future, folder: str) -> BranchOutcome:
    """The worker's outcome, or an exit-status-3 outcome when the cluster lost the branch."""
    from distributed.scheduler import KilledWorker

    try:
        result: BranchOutcome = future.result()
        return result
    except KilledWorker:
        message = tr("运行该网点的工作进程两次中断", "the worker running this branch died twice")
    except Exception as exc:  # cancelled, scheduler gone, or paiban missing on the worker
        message = f"{type(exc).__name__}: {exc}"
    return BranchOutcome(folder, 3, message, 0.0)


def write_region_outputs(out: Path, rows: Sequence[RegionRow], week: dt.date, lang: str) -> None:
    """OUT/region_summary.csv (UTF-8 with BOM) and OUT/region.xlsx."""
    write_csv(region_frame(rows), out / SUMMARY_CSV)
    write_region_workbook(out / REGION_XLSX, rows, week=week, lang=lang)


def region_plan(
    directory: str | Path,
    week: dt.date | str,
    client: Client | None = None,
    *,
    out: str | Path | None = None,
    time_limit: float | None = None,
    workers: int | None = None,
    resume: bool = False,
    lang: str = "zh",
) -> pd.DataFrame:
    """Plan every branch folder of a region for the week; the region summary as a frame (one row per branch).

    ``client`` is a ``distributed.Client`` to run on (default: an embedded local cluster for this call, of
    ``workers`` processes). Outputs go to ``out`` (default: ``<directory>-<week>`` beside the region folder).
    """
    monday = week if isinstance(week, dt.date) else parse_week(week)
    target = Path(out) if out is not None else Path(directory).with_name(f"{Path(directory).name}-{monday}")
    settings = RegionSettings(time_limit=time_limit, lang=lang)
    report = run_region(
        directory, monday, target, client=client, workers=workers, settings=settings, resume=resume
    )
    return report.frame()
