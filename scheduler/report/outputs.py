"""The files ``paiban plan`` writes — roster.csv, requirements.csv, summary.json, roster.xlsx — all or nothing.

Every file is first written completely into a temporary folder inside ``out_dir``; only then are the existing
outputs replaced (``os.replace``, one by one, each atomic). A failure on the way leaves the old files as they
were and no temporary files behind.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from constraints.io import atomic_write, write_csv
from constraints.problem import Problem
from constraints.roster import Roster
from constraints.rules import check_roster
from scheduler.report.gaps import service_gaps, turned_away
from scheduler.report.kpis import WeekKpis, week_kpis
from scheduler.report.workbook import write_workbook
from scheduler.report.workbook.changes import ChangeNotice
from scheduler.report.workbook.kpi_sheet import input_hashes, plain
from scheduler.report.workbook.tables import requirements_table
from scheduler.solver.result import RosterResult

OUTPUT_FILES: tuple[str, ...] = ("roster.csv", "requirements.csv", "summary.json", "roster.xlsx")

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
    inputs: Mapping[str, str | Path] | None = None,
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
    inputs: Mapping[str, str | Path] | None = None,
    kpis: WeekKpis | None = None,
    notice: ChangeNotice | None = None,
) -> dict[str, Path]:
    """Write roster.csv, requirements.csv, summary.json and roster.xlsx into ``out_dir``, all or nothing.

    ``summary`` is usually ``result.summary(lang)``; missing DESIGN.md keys come from the result and the KPIs.
    ``roster`` None (the week cannot be staffed) writes a header-only roster.csv and a workbook whose KPI sheet
    explains why.
    ``inputs`` names the input files (their sha256 go into summary.json and the KPI sheet); ``kpis`` are the
    week's figures (:func:`scheduler.report.kpis.week_kpis`, with the simulation's when there is one),
    computed here from the roster and result when not given. ``notice`` (a re-plan's changes) adds
    changes.csv, the workbook's 变更通知 sheet and summary.json's ``replan``. Returns {file name: path}.
    """
    plan = roster if roster is not None else Roster(())  # no roster: the files say why (summary, KPI sheet)
    figures = kpis or week_kpis(problem, plan, result=result)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".paiban-outputs-", dir=out))
    try:
        write_csv(plan.to_frame(problem.staff), tmp / "roster.csv")
        write_csv(requirements_table(problem, roster, requirements), tmp / "requirements.csv")
        if notice is not None:
            write_csv(notice.frame(lang), tmp / "changes.csv")
            summary = {**summary, "replan": notice.as_dict()}
        doc = build_summary(
            summary, roster=plan, problem=problem, kpis=figures, result=result, inputs=inputs, lang=lang
        )
        with atomic_write(tmp / "summary.json") as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=2, allow_nan=False)
            fh.write("\n")
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
        )
        written = {}
        names = OUTPUT_FILES + (("changes.csv",) if notice is not None else ())
        for name in names:  # every file is complete: now replace the old ones
            os.replace(tmp / name, out / name)
            written[name] = out / name
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
