"""The files ``paiban plan`` writes — roster.csv, requirements.csv, summary.json, roster.xlsx, and
forecast.csv and simulation.csv when given — as one set, all or nothing.

Every file is first written completely into a temporary folder inside ``out_dir``; only then is the set swapped
in: the previous run's files (the whole set, also those this run does not write, so no stale simulation.csv
stays beside a new roster) move aside into that folder, the new ones take their place, and the old ones are
deleted. A failure or a Ctrl-C/SIGTERM at any point before the end — writing, or between two renames — puts the
previous set back as it was (same bytes, same modification times) and leaves no temporary files behind.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from constraints.io import atomic_write, signals_held, write_csv
from constraints.problem import Problem
from constraints.roster import Roster, with_outreach
from constraints.rules import check_roster
from scheduler.report.duties import DutyPlan, plan_duties
from scheduler.report.gaps import service_gaps, turned_away
from scheduler.report.kpis import WeekKpis, week_kpis
from scheduler.report.workbook import write_workbook
from scheduler.report.workbook.changes import ChangeNotice
from scheduler.report.workbook.kpi_sheet import InputRef, input_hashes, plain
from scheduler.report.workbook.lobby_sheet import LOG_FILE, read_lobby_log
from scheduler.report.workbook.tables import requirements_table
from scheduler.solver.result import RosterResult

OUTPUT_FILES: tuple[str, ...] = ("roster.csv", "requirements.csv", "summary.json", "roster.xlsx")
"""Written by every :func:`write_outputs`."""
TABLE_FILES: tuple[str, ...] = ("forecast.csv", "simulation.csv")
"""Written when given (``tables``); part of the set all the same: an older one is removed when not given."""
CHANGES_FILE = "changes.csv"
"""A re-plan's changes (``notice``); part of the set too: a plan's run removes an older re-plan's."""

SUMMARY_KEYS: tuple[str, ...] = (
    "status",
    "objective",
    "best_bound",
    "gap",
    "solve_seconds",
    "staff_hours",
    "expected_waits",
    "violations",
    "service_gaps",
    "turned_away",
    "parameters",
    "versions",
)
"""Keys summary.json always has (DESIGN.md); ``result.summary()`` may add more (penalties, handovers, …)."""


def _json_safe(obj: Any) -> Any:
    """Plain JSON: NaN/inf become null, dates ISO text."""
    obj = plain(obj)
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def build_summary(
    summary: Mapping[str, Any],
    *,
    roster: Roster,
    problem: Problem,
    kpis: WeekKpis,
    result: RosterResult | None = None,
    inputs: Mapping[str, InputRef] | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """summary.json: the given summary over ``result.summary()``, staff hours and expected waits from ``kpis``.

    Without a ``result`` the DESIGN.md keys it would give are empty, and the violations are every rule's
    check of ``roster``.
    """
    base: dict[str, Any] = (
        result.summary(lang)
        if result is not None
        else {
            "status": None,
            "objective": None,
            "best_bound": None,
            "gap": None,
            "solve_seconds": None,
            "violations": [v.as_dict(lang) for v in check_roster(problem, roster)],
            "parameters": {},
            "versions": {},
        }
    )
    out = {**base, **summary}
    out["staff_hours"] = dict(kpis.staff_hours_by_person)
    out["expected_waits"] = {
        d.date.isoformat(): d.expected_waits()
        for d in kpis.days
        if d.forecast_arrivals or d.simulated_arrivals
    }
    staffed = result is None or result.roster is not None
    out.setdefault("service_gaps", [g.as_dict() for g in service_gaps(problem, roster)] if staffed else [])
    out.setdefault("turned_away", [t.as_dict() for t in turned_away(problem)])
    out.setdefault("teller_workload", kpis.workload.as_dict() if kpis.workload is not None else None)
    if inputs:
        out.setdefault("inputs", input_hashes(inputs))
    return _json_safe(out)


def write_outputs(
    out_dir: str | Path,
    *,
    roster: Roster | None,
    problem: Problem,
    result: RosterResult | None = None,
    requirements: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    summary: Mapping[str, Any],
    lang: str = "zh",
    inputs: Mapping[str, InputRef] | None = None,
    kpis: WeekKpis | None = None,
    notice: ChangeNotice | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    duties: DutyPlan | None = None,
    workbook: Callable[[Path], None] | None = None,
) -> dict[str, Path]:
    """Write roster.csv, requirements.csv, summary.json and roster.xlsx into ``out_dir``, all or nothing.

    ``tables`` adds CSV files to the set by name (:data:`TABLE_FILES`: forecast.csv, simulation.csv).

    ``summary`` is usually ``result.summary(lang)``; missing DESIGN.md keys come from the result and the KPIs.
    ``roster`` None (the week cannot be staffed) writes a header-only roster.csv and a workbook whose KPI sheet
    explains why.
    ``inputs`` names the input files (their sha256 go into summary.json and the KPI sheet); ``kpis`` are the
    week's figures (:func:`scheduler.report.kpis.week_kpis`, with the simulation's when there is one),
    computed here from the roster and result when not given; ``duties`` the week's periodic duties
    (:func:`scheduler.report.duties.plan_duties`; from this week's events when not given). A live lobby log already in ``out_dir``
    (:data:`~scheduler.report.workbook.lobby_sheet.LOG_FILE`, from ``paiban now --log``) goes into the
    workbook's lobby-manager log. ``notice`` (a re-plan's changes) adds changes.csv, the workbook's 变更通知
    sheet and summary.json's ``replan``. ``workbook(path)`` writes roster.xlsx instead of the week's workbook
    (a horizon's: a week sheet per week). Returns {file name: path}.
    """
    plan = roster if roster is not None else Roster(())  # no roster: the files say why (summary, KPI sheet)
    figures = kpis or week_kpis(problem, plan, result=result)
    if duties is None:
        duties = plan_duties(problem, roster if result is None or result.roster is not None else None)
    plan = duties.roster_with_talks(problem, plan)  # the 季度谈话 scheduled into the written roster
    out = Path(out_dir)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".paiban-outputs-", dir=out))
    done = False
    try:
        write_csv(with_outreach(plan, problem.staff).to_frame(problem.staff), tmp / "roster.csv")
        write_csv(requirements_table(problem, roster, requirements), tmp / "requirements.csv")
        if notice is not None:
            write_csv(notice.frame(lang), tmp / CHANGES_FILE)
            summary = {**summary, "replan": notice.as_dict()}
        doc = build_summary(
            {**summary, "periodic_duties": duties.as_dict()},
            roster=plan,
            problem=problem,
            kpis=figures,
            result=result,
            inputs=inputs,
            lang=lang,
        )
        with atomic_write(tmp / "summary.json") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=2, allow_nan=False)
            fh.write("\n")
        if workbook is not None:
            workbook(tmp / "roster.xlsx")
        else:
            write_workbook(
                tmp / "roster.xlsx",
                plan,
                problem,
                result=result,
                requirements=requirements,
                forecast=forecast,
                kpis=figures,
                inputs=inputs,
                lang=lang,
                notice=notice,
                lobby_log=read_lobby_log(out / LOG_FILE) if (out / LOG_FILE).exists() else (),
                duties=duties,
            )
        for name, frame in (tables or {}).items():
            if name not in TABLE_FILES:
                raise ValueError(f"unknown output table {name!r}; expected one of {TABLE_FILES}")
            write_csv(frame, tmp / name)
        names = [*OUTPUT_FILES, *(n for n in TABLE_FILES if n in (tables or {}))]
        if notice is not None:
            names.append(CHANGES_FILE)
        swap_in(tmp, out, names)
        done = True
        return {name: out / name for name in names}
    finally:
        with signals_held():
            shutil.rmtree(tmp, ignore_errors=True)
            if created and not done:
                with contextlib.suppress(OSError):
                    out.rmdir()  # the folder this run made, empty again


def swap_in(tmp: Path, out: Path, names: list[str]) -> None:
    """Replace the output set in ``out`` by the files ``names`` of ``tmp`` (a folder inside ``out``).

    The previous files of the set move into ``tmp/previous`` first (deleted with ``tmp``); on any failure or
    signal before the swap is complete they move back, so ``out`` is as it was.
    """
    previous = tmp / "previous"
    previous.mkdir()
    moved: list[str] = []
    placed: list[str] = []
    try:
        with signals_held():  # a signal here takes effect at the end of the block: caught below
            for name in (*OUTPUT_FILES, *TABLE_FILES, CHANGES_FILE):
                if (out / name).exists():
                    os.replace(out / name, previous / name)
                    moved.append(name)
            for name in names:
                os.replace(tmp / name, out / name)
                placed.append(name)
    except BaseException:
        with signals_held():
            for name in placed:
                os.replace(out / name, tmp / name)
            for name in moved:
                os.replace(previous / name, out / name)
        raise


def holds_good_roster(out: Path) -> bool:
    """True when ``out`` holds the outputs of a run whose roster held every hard rule (summary.json ``ok``).

    A folder with a roster.csv but no readable summary.json counts as good too: unknown files are kept.
    """
    try:
        doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return (out / "roster.csv").exists()
    return isinstance(doc, dict) and doc.get("ok") is True
