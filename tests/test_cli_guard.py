"""scheduler.app.cli.guard and the CLI's exit statuses: what the user can fix is exit 2 with one line naming it,
checked before any work; a failed or broken run leaves a good --out as it was; an unexpected error is one line
and a log file (exit 3); Ctrl-C / SIGTERM reach a running CP-SAT solve (130 / 143)."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import factories as f
import pytest
from plan_fixtures import GoodPlan, snapshot

from scheduler.app.cli import INTERNAL_ERROR, main
from scheduler.app.cli import plan as plan_cli
from scheduler.app.cli.guard import Interrupted, interruptible
from scheduler.solver import stop


@pytest.fixture
def out(good_plan: GoodPlan, tmp_path: Path) -> Path:
    """A copy of a good run's --out (bytes and modification times kept)."""
    folder = tmp_path / "out"
    shutil.copytree(good_plan.out, folder)
    return folder


def _with(args: list[str], option: str, value: str) -> list[str]:
    args = list(args)
    args[args.index(option) + 1] = value
    return args


def _lunch_outside_hours(g: GoodPlan, tmp: Path) -> Path:
    text = g.sample.config.read_text(encoding="utf-8")
    assert 'window = "11:00-13:30"' in text
    path = tmp.parent / "branch.toml"  # beside the scratch folder, which must stay empty
    path.write_text(text.replace('window = "11:00-13:30"', 'window = "06:00-07:30"', 1), encoding="utf-8")
    return path


Case = Callable[[GoodPlan, Path, Path], list[str]]
"""(good plan, the good --out copy, a scratch folder) → the command line."""

BAD_COMMAND_LINES: list[tuple[str, Case, str]] = [
    ("out_is_a_file", lambda g, o, t: g.plan_args(o / "roster.csv"), "--out"),
    ("out_under_a_file", lambda g, o, t: g.plan_args(o / "roster.csv" / "new"), "--out"),
    ("time_limit_nan", lambda g, o, t: g.plan_args(o, "nan"), "--time-limit"),
    ("time_limit_inf", lambda g, o, t: g.plan_args(o, "inf"), "--time-limit"),
    ("time_limit_zero", lambda g, o, t: g.plan_args(o, "0"), "--time-limit"),
    ("time_limit_negative", lambda g, o, t: g.plan_args(o, "-5"), "--time-limit"),
    ("seed_negative", lambda g, o, t: g.plan_args(o, "1", "--seed", "-1"), "--seed"),
    ("year_2099", lambda g, o, t: _with(g.plan_args(o), "--week", "2099-01-05"), "--week"),
    ("year_1900", lambda g, o, t: _with(g.plan_args(o), "--week", "1900-01-01"), "--week"),
    ("lunch_outside_hours", lambda g, o, t: _with(g.plan_args(o), "--config", str(_lunch_outside_hours(g, t))), "lunch.window"),
    ("tickets_a_folder", lambda g, o, t: _with(g.plan_args(o), "--tickets", str(t)), str(Path("scratch"))),
    ("forecast_out_a_file", lambda g, o, t: ["forecast", "--tickets", str(g.sample.tickets), "--config", str(g.sample.config), "--week", g.sample.plan_week.isoformat(), "--out", str(o / "roster.csv")], "--out"),
    ("backtest_out_a_file", lambda g, o, t: ["backtest", "--tickets", str(g.sample.tickets), "--config", str(g.sample.config), "--out", str(o / "roster.csv")], "--out"),
    ("simulate_out_a_file", lambda g, o, t: ["simulate", "--roster", str(o / "roster.csv"), "--tickets", str(g.sample.tickets), "--config", str(g.sample.config), "--out", str(o / "summary.json")], "--out"),
    ("sample_out_a_file", lambda g, o, t: ["sample", "--out", str(o / "roster.csv")], "--out"),
    ("demo_out_a_file", lambda g, o, t: ["demo", "--out", str(o / "roster.csv")], "--out"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "names"), [c[1:] for c in BAD_COMMAND_LINES], ids=[c[0] for c in BAD_COMMAND_LINES]
)
def test_what_the_user_can_fix_exits_2_naming_it_and_changes_nothing(
    good_plan: GoodPlan,
    out: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: Case,
    names: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--out a file (or under one), a time limit that is not a finite positive number, a negative seed, a year
    out of range, a lunch window outside the staff day, a folder given as tickets: exit 2, one line naming
    the option (or key, or path), no traceback, and the good --out untouched."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.chdir(tmp_path)
    before = snapshot(out)
    assert main(case(good_plan, out, scratch)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert names in err and "Traceback" not in err
    assert snapshot(out) == before
    assert not any(scratch.iterdir())


def test_time_limit_from_the_environment_is_checked(
    good_plan: GoodPlan, out: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PAIBAN_TIME_LIMIT=inf is refused like --time-limit inf, naming the variable."""
    monkeypatch.setenv("PAIBAN_TIME_LIMIT", "inf")
    before = snapshot(out)
    args = good_plan.plan_args(out)
    i = args.index("--time-limit")
    assert main(args[:i] + args[i + 2 :]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "PAIBAN_TIME_LIMIT" in err
    assert snapshot(out) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in any folder")
def test_out_in_a_folder_without_write_permission_exits_2(
    good_plan: GoodPlan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An --out paiban may not write in is exit 2 naming --out, before any work."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        assert main(good_plan.plan_args(locked / "out")) == 2
    finally:
        locked.chmod(0o700)
    assert "--out" in capsys.readouterr().err


def test_failed_run_leaves_a_good_out_as_it_was(
    good_plan: GoodPlan, out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A week no roster can staff (everyone at the high counter on leave on Monday) is exit 1 with the
    reason on stderr; the good roster in --out stays exactly as it was, and the console says nothing was
    written and why."""
    monday = good_plan.sample.plan_week.isoformat()
    leave = tmp_path / "leave.csv"
    rows = ["staff_id,date,start,end,reason"] + [
        f"{sid},{monday},,,年休假" for sid in ("S02", "S07", "S08", "S09", "S10", "S11")
    ]
    leave.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = snapshot(out)
    assert main(_with(good_plan.plan_args(out), "--leave", str(leave))) == 1
    captured = capsys.readouterr()
    assert "noon_two_at_high_counter" in captured.err or "高柜" in captured.err
    assert "未写入任何文件" in captured.out and "Traceback" not in captured.err
    assert snapshot(out) == before


def test_unexpected_error_is_one_line_and_a_log_file(
    good_plan: GoodPlan,
    out: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug mid-run: exit 3, one line naming the error and a log file that holds the traceback; --out as it was."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom in the solver")

    monkeypatch.setattr(plan_cli, "solve_with_progress", broken)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    before = snapshot(out)
    assert main(good_plan.plan_args(out)) == INTERNAL_ERROR
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "boom in the solver" in err and "Traceback" not in err
    logs = list((tmp_path / "cache" / "paiban").glob("paiban-error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: boom in the solver" in text
    assert snapshot(out) == before


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_reaches_a_solve_running_in_the_main_thread(
    signum: int, status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the main thread is inside CP-SAT (no Python handler can run there), a stop signal still stops the
    solve: the watcher thread calls request_stop on the running solve, then Interrupted carries 128 + the
    signal number."""
    running_at_stop: list[int] = []
    request_stop = stop.request_stop

    def recorded() -> None:
        running_at_stop.append(len(stop._active))
        request_stop()

    monkeypatch.setattr(stop, "request_stop", recorded)
    solver = stop.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60.0  # unstopped, the test fails after a minute
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signum))
    with pytest.raises(Interrupted) as ei, interruptible():
        timer.start()
        solver.solve(f.hard_model())
    timer.join()
    assert ei.value.exit_status == status
    assert running_at_stop == [1]  # the watcher stopped the solve while it ran
    assert not stop.stop_requested()  # the block ended: later solves run again
