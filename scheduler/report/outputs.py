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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from constraints.io import atomic_write, signals_held, write_csv
from constraints.problem import Problem
from constraints.roster import Roster, Violation
from scheduler.report.workbook import check_violations, write_workbook
from scheduler.report.workbook.kpi_sheet import input_hashes, per_day_kpis, plain
from scheduler.report.workbook.tables import expected_waits, requirements_table

OUTPUT_FILES: tuple[str, ...] = ("roster.csv", "requirements.csv", "summary.json", "roster.xlsx")
"""Written by every :func:`write_outputs`."""
TABLE_FILES: tuple[str, ...] = ("forecast.csv", "simulation.csv")
"""Written when given (``tables``); part of the set all the same: an older one is removed when not given."""

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
    inputs: Mapping[str, str | Path] | None = None,
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
    inputs: Mapping[str, str | Path] | None = None,
    kpis: Mapping[str, Any] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, Path]:
    """Write roster.csv, requirements.csv, summary.json and roster.xlsx into ``out_dir``, all or nothing.

    ``tables`` adds CSV files to the set by name (:data:`TABLE_FILES`: forecast.csv, simulation.csv).

    ``summary`` is usually ``result.summary(lang)``; missing DESIGN.md keys are filled from the roster.
    ``roster`` None (the week cannot be staffed) writes a header-only roster.csv and a workbook whose KPI sheet
    explains why.
    ``inputs`` names the input files (their sha256 go into summary.json and the KPI sheet); ``kpis`` may
    carry ``per_day`` (e.g. ``SimulationResult.per_day()``). Returns {file name: path}.
    """
    plan = roster if roster is not None else Roster(())  # no roster: the files say why (summary, KPI sheet)
    out = Path(out_dir)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".paiban-outputs-", dir=out))
    done = False
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
        for name, frame in (tables or {}).items():
            if name not in TABLE_FILES:
                raise ValueError(f"unknown output table {name!r}; expected one of {TABLE_FILES}")
            write_csv(frame, tmp / name)
        names = [*OUTPUT_FILES, *(n for n in TABLE_FILES if n in (tables or {}))]
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
            for name in (*OUTPUT_FILES, *TABLE_FILES):
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
