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
from constraints.roster import Roster, Violation
from scheduler.report.workbook import check_violations, write_workbook
from scheduler.report.workbook.kpi_sheet import InputRef, input_hashes, per_day_kpis, plain
from scheduler.report.workbook.tables import expected_waits, requirements_table

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
    result: Any = None,
    kpis: Mapping[str, Any] | None = None,
    inputs: Mapping[str, InputRef] | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """summary.json: the given summary (usually ``result.summary()``) with every DESIGN.md key filled in."""
    out: dict[str, Any] = dict(summary)
    out.setdefault("status", getattr(result, "status", None))
    for key in ("objective", "best_bound", "gap", "solve_seconds"):
        out.setdefault(key, getattr(result, key, None))
    if "staff_hours" not in out:
        dates = [d.date for d in problem.days]
        out["staff_hours"] = {sid: round(roster.hours(sid, dates), 2) for sid in problem.staff.ids()}
    if "expected_waits" not in out:
        waits: dict[str, dict[str, Any]] = {
            d.isoformat(): {"arrivals": w["arrivals"], "mean_wait_minutes": w["mean_wait_minutes"]}
            for d, w in expected_waits(problem, roster).items()
        }
        for date, rec in per_day_kpis(kpis).items():  # the simulator's figures, when given
            for key in ("mean_wait_minutes", "share_within_target", "p90_wait_minutes"):
                if rec.get(key) is not None:
                    waits.setdefault(date, {})[f"simulated_{key}"] = rec[key]
        out["expected_waits"] = waits
    if "violations" not in out:
        found: list[Violation] | None = getattr(result, "violations", None)
        if found is None:
            found = check_violations(problem, roster) or []
        out["violations"] = [v.as_dict(lang) for v in found]
    if "parameters" not in out:
        params: Any = getattr(result, "params", None)
        out["parameters"] = params.as_dict() if hasattr(params, "as_dict") else plain(params) or {}
    if "versions" not in out:
        out["versions"] = plain(getattr(result, "versions", None)) or {}
    if inputs:
        out.setdefault("inputs", input_hashes(inputs))
    return _json_safe(out)


def write_outputs(
    out_dir: str | Path,
    *,
    roster: Roster | None,
    problem: Problem,
    result: Any = None,
    requirements: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    summary: Mapping[str, Any],
    lang: str = "zh",
    inputs: Mapping[str, InputRef] | None = None,
    kpis: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write roster.csv, requirements.csv, summary.json and roster.xlsx into ``out_dir``, all or nothing.

    ``summary`` is usually ``result.summary(lang)``; missing DESIGN.md keys are filled from the roster.
    ``roster`` None (the week cannot be staffed) writes a header-only roster.csv and a workbook whose KPI sheet
    explains why.
    ``inputs`` names the input files (their sha256 go into summary.json and the KPI sheet); ``kpis`` may
    carry ``per_day`` (e.g. ``SimulationResult.per_day()``). Returns {file name: path}.
    """
    plan = roster if roster is not None else Roster(())  # no roster: the files say why (summary, KPI sheet)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".paiban-outputs-", dir=out))
    try:
        write_csv(plan.to_frame(problem.staff), tmp / "roster.csv")
        write_csv(requirements_table(problem, roster, requirements), tmp / "requirements.csv")
        doc = build_summary(
            summary, roster=plan, problem=problem, result=result, kpis=kpis, inputs=inputs, lang=lang
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
            kpis=kpis,
            inputs=inputs,
            lang=lang,
        )
        written = {}
        for name in OUTPUT_FILES:  # every file is complete: now replace the old ones
            os.replace(tmp / name, out / name)
            written[name] = out / name
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
