"""Ctrl-C and SIGTERM during `paiban plan`, sent to the real CLI in a subprocess: exit 130 / 143, the good
--out exactly as it was (bytes and modification times), no temporary folder left behind.

The subprocess runs the ``paiban`` console script's entry point (``scheduler.app.cli.console``) with one seam for the test to know where it is: a line on stderr
when the CP-SAT search starts ("solve": the time limit is long, the signal lands mid-search) or when the
workbook is being written ("write": the writer then waits, so the signal lands while the outputs are half
written in their temporary folder).
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from plan_fixtures import GoodPlan, snapshot

ROOT = Path(__file__).resolve().parents[1]
MARKER = "PAIBAN-TEST-PHASE"

RUNNER = f"""
import sys, time
phase = sys.argv[1]
import scheduler.report.outputs as outputs
import scheduler.solver.search as search
if phase == "solve":
    run = search.DaySearch.run
    def marked_run(self):
        print("{MARKER}", file=sys.stderr, flush=True)
        return run(self)
    search.DaySearch.run = marked_run
else:
    write_workbook = outputs.write_workbook
    def slow_write(*args, **kwargs):
        write_workbook(*args, **kwargs)  # roster.xlsx half-way: in the temporary folder, the swap still to come
        print("{MARKER}", file=sys.stderr, flush=True)
        time.sleep(120)
    outputs.write_workbook = slow_write
sys.argv = ["paiban", *sys.argv[2:]]
from scheduler.app.cli import console  # the console script's entry point
console()
"""


def _wait_for_marker(proc: subprocess.Popen[str], timeout: float) -> str:
    """stderr up to the test seam's line; fails when the process ends or the time is up first."""
    assert proc.stderr is not None
    seen: list[str] = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not sel.select(timeout=1.0):
            continue
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if MARKER in line:
            return "".join(seen)
    proc.kill()
    pytest.fail(f"the run never reached the phase (exit {proc.wait()}): {''.join(seen)}")


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["solve", "write"])
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_the_run_and_writes_nothing(
    good_plan: GoodPlan, tmp_path: Path, phase: str, signum: int, status: int
) -> None:
    """A stop signal mid-solve or mid-write: exit 128 + signal, "interrupted: nothing written", the good
    --out unchanged (same files, bytes and mtimes), no .paiban-outputs-* folder."""
    out = tmp_path / "out"
    shutil.copytree(good_plan.out, out)  # copy2: bytes and mtimes kept
    before = snapshot(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", "COLUMNS": "200"}
    env.pop("PAIBAN_TIME_LIMIT", None)
    # the solve: long enough that the signal lands mid-search; the write: short, to get there soon
    limit = "120" if phase == "solve" else "5"  # 5 s: a roster found even on a busy machine
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, phase, *good_plan.plan_args(out, limit)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    _wait_for_marker(proc, timeout=300)
    if phase == "solve":
        time.sleep(1.0)  # into the search proper (construct / improve)
    proc.send_signal(signum)
    try:
        _, rest = proc.communicate(timeout=60)  # a swallowed signal would run the 120-s solve to its end
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the run did not stop within a minute of the signal")
    assert proc.returncode == status, rest
    assert "nothing written" in rest and "Traceback" not in rest
    assert snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".paiban-outputs-")]
