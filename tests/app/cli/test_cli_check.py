"""``paiban check``: an edited roster.xlsx (or roster.csv) audited by the rules' own checks; exit 0/1/2."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import roster_fixtures as rf
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

pytest.importorskip(
    "constraints.rules", reason="the rules registry (constraints/rules) is not in the tree yet"
)

from constraints.config import load_config
from constraints.io import write_csv
from constraints.periodic import PeriodicDuties
from constraints.problem import Problem
from constraints.roster import OFF_FLOOR, Roster, with_outreach
from constraints.rules import check_roster
from constraints.staff import read_absences, read_staff
from scheduler.app.cli import main
from scheduler.report.duties import DutyPlan, Talk
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook import write_workbook
from scheduler.sample.generator import SampleBranch, generate_sample

TIME_LIMIT = float(os.environ.get("PAIBAN_TIME_LIMIT", "5"))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """roster.xlsx of the hand-made week (which holds every hard rule)."""
    problem = rf.example_problem(rf.examples_dir())
    path = tmp_path_factory.mktemp("check") / "roster.xlsx"
    write_workbook(path, rf.example_roster(), problem)
    return path


@functools.cache
def _config() -> Path:
    """The example branch.toml with the hand-made week's settings, in a folder of its own (the roster's folder
    must hold only what the tests put there)."""
    return rf.hand_made_config(rf.examples_dir(), Path(tempfile.mkdtemp(prefix="paiban_check_cfg_")))


def _check(roster: Path, *extra: str) -> list[str]:
    """``check`` of the example week's roster (its branch settings beside it), with extra options after it."""
    ex = rf.examples_dir()
    config = _config()
    return [
        "check",
        "--roster",
        str(roster),
        "--staff",
        str(ex / "staff.csv"),
        "--config",
        str(config),
        "--week",
        "2026-11-30",
        *extra,
    ]


def _args(roster: Path, *extra: str) -> list[str]:
    """``check`` with ``--leave`` given explicitly; ``extra`` are global options before it."""
    return [*extra, *_check(roster, "--leave", str(rf.examples_dir() / "leave.csv"))]


def _set(path: Path, sheet: str, staff_id: str, hhmm: str, value: object) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    row = next(c.row for c in ws["A"] if c.value == staff_id)
    col = next(c.column for c in ws[4] if c.value == hhmm)
    ws.cell(row, col).value = value
    wb.save(path)


def test_unedited_workbook_passes(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The hand-made week read back from roster.xlsx holds every hard rule: exit 0."""
    assert main(_args(book)) == 0
    assert "所有硬规则均满足" in capsys.readouterr().out


def test_noon_rule_broken_by_an_edit(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Moving a high-counter teller to 后台 at 12:00 on Monday leaves one at the high counter: exit 1, named."""
    _set(book, "11-30 周一", "S08", "12:00", "后台")
    assert main(_args(book)) == 1
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "noon_two_at_high_counter" in ln)
    assert "2026-11-30" in line and "12:00" in line and "徐明" in line and "硬" in line


def test_english_output(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--lang en reports the same violation in English."""
    _set(book, "11-30 周一", "S08", "12:00", "Back office")
    assert main([*_args(book), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "noon_two_at_high_counter" in out and "hard rule violations" in out and "hard" in out


def test_csv_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """roster.csv goes through the same check."""
    problem = rf.example_problem(rf.examples_dir())
    path = tmp_path / "roster.csv"
    write_csv(rf.example_roster().to_frame(problem.staff), path)
    assert main(_args(path)) == 0


def test_bad_cell_is_bad_input(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unreadable cell exits 2 with one message naming the sheet, row, column and value."""
    _set(book, "12-03 周四", "S07", "15:00", "休假中")
    assert main(_args(book)) == 2
    err = capsys.readouterr().err
    assert "roster.xlsx [12-03 周四]" in err and "(15:00)" in err and "休假中" in err


def test_week_must_be_a_monday(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--week on a Tuesday is bad input (exit 2)."""
    args = _args(book)
    args[args.index("2026-11-30")] = "2026-12-01"
    assert main(args) == 2
    assert "--week" in capsys.readouterr().err


# ---- the whole workbook is read: the week sheet, merged cells, ids and names, leave --------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the folder with its bytes: `check` must write nothing."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _week_cell(ws: Worksheet, staff_id: str, date: str) -> Cell:
    row = next(c.row for c in ws["A"] if c.value == staff_id)
    col = next(c.column for c in ws[2] if c.value and date in str(c.value))
    return ws.cell(row, col)


def _off_in_week_sheet(wb: Workbook) -> None:
    _week_cell(wb["周排班"], "S08", "2026-11-30").value = "休"


def _shift_moved_in_week_sheet(wb: Workbook) -> None:
    _week_cell(wb["周排班"], "S10", "2026-12-03").value = "09:00–17:30\n午餐 12:30–13:30\n高柜"


def _merged_day_cells(wb: Workbook) -> None:
    wb["12-01 周二"].merge_cells("F7:H7")


def _merged_week_cells(wb: Workbook) -> None:
    ws = wb["周排班"]
    first = _week_cell(ws, "S08", "2026-11-30")
    ws.merge_cells(
        start_row=first.row, start_column=first.column, end_row=first.row, end_column=first.column + 1
    )


def _id_cleared(wb: Workbook) -> None:
    ws = wb["11-30 周一"]
    next(c for c in ws["A"] if c.value == "S11").value = None


def _id_and_name_cleared(wb: Workbook) -> None:
    ws = wb["11-30 周一"]
    cell = next(c for c in ws["A"] if c.value == "S11")
    cell.value = None
    ws.cell(cell.row, 2).value = None


def _name_of_another(wb: Workbook) -> None:
    ws = wb["11-30 周一"]
    row = next(c.row for c in ws["A"] if c.value == "S08")
    ws.cell(row, 2).value = "徐明"


def _name_in_week_sheet(wb: Workbook) -> None:
    ws = wb["周排班"]
    row = next(c.row for c in ws["A"] if c.value == "S12")
    ws.cell(row, 2).value = "马超"


def _unreadable_week_cell(wb: Workbook) -> None:
    _week_cell(wb["周排班"], "S07", "2026-12-02").value = "上午班"


def _row_deleted(wb: Workbook) -> None:
    ws = wb["12-04 周五"]
    ws.delete_rows(next(c.row for c in ws["A"] if c.value == "S14"))


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        pytest.param(
            _off_in_week_sheet,
            ["[周排班]", "C", "S08 黄丽", "11-30 周一", "'休'", "08:30–17:30"],
            id="week says 休",
        ),
        pytest.param(
            _shift_moved_in_week_sheet,
            ["S10 吴娜", "12-03 周四", "09:00–17:30", "08:30–17:30"],
            id="week shift moved",
        ),
        pytest.param(
            _merged_day_cells, ["roster.xlsx [12-01 周二]", "F7:H7", "合并单元格"], id="merged day cells"
        ),
        pytest.param(_merged_week_cells, ["roster.xlsx [周排班]", "合并单元格"], id="merged week cells"),
        pytest.param(_id_cleared, ["roster.xlsx [11-30 周一]", "列 A", "徐明", "S11"], id="id cleared"),
        pytest.param(
            _id_and_name_cleared,
            ["roster.xlsx [11-30 周一]", "列 A", "no staff id"],
            id="id and name cleared",
        ),
        pytest.param(
            _name_of_another,
            ["roster.xlsx [11-30 周一]", "列 B", "S08", "黄丽", "徐明"],
            id="name/id mismatch",
        ),
        pytest.param(
            _name_in_week_sheet, ["roster.xlsx [周排班]", "列 B", "S12", "孙燕", "马超"], id="week name/id"
        ),
        pytest.param(_unreadable_week_cell, ["roster.xlsx [周排班]", "上午班"], id="unreadable week cell"),
        pytest.param(_row_deleted, ["roster.xlsx [12-04 周五]", "S14", "朱红"], id="person's row deleted"),
    ],
)
def test_workbook_defects_exit_2_naming_the_cell(
    book: Path, capsys: pytest.CaptureFixture[str], edit: Callable[[Workbook], None], words: list[str]
) -> None:
    """Each defect of an edited workbook is bad input: exit 2, a message naming the sheet, cell and person, and
    nothing written — never skipped into a false 'all rules hold'."""
    wb = load_workbook(book)
    edit(wb)
    wb.save(book)
    before = _snapshot(book.parent)
    assert main(_args(book)) == 2
    captured = capsys.readouterr()
    assert "所有硬规则均满足" not in captured.out
    for w in words:
        assert w in captured.err, (w, captured.err)
    assert _snapshot(book.parent) == before


def test_week_sheet_disagreement_lists_every_cell(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two week-sheet cells that disagree with the day sheets are both listed, with their coordinates."""
    wb = load_workbook(book)
    _off_in_week_sheet(wb)
    _shift_moved_in_week_sheet(wb)
    coords = [
        _week_cell(wb["周排班"], s, d).coordinate for s, d in (("S08", "2026-11-30"), ("S10", "2026-12-03"))
    ]
    wb.save(book)
    assert main(_args(book)) == 2
    err = capsys.readouterr().err
    assert "2 处不一致" in err and all(f"{c} (" in err for c in coords)


def test_day_sheet_edit_with_matching_week_sheet_is_checked(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Taking a person off a day on both sheets is a consistent edit: the rules decide (here exit 1: the lobby
    loses its manager on Monday morning), and the week sheet's 休 is accepted."""
    wb = load_workbook(book)
    ws = wb["11-30 周一"]
    row = next(c.row for c in ws["A"] if c.value == "S04")
    for col in range(5, 5 + 36):
        ws.cell(row, col).value = None
    _week_cell(wb["周排班"], "S04", "2026-11-30").value = "休"
    wb.save(book)
    assert main(_args(book)) == 1
    out = capsys.readouterr().out
    assert "lobby_manager" in out and "2026-11-30" in out


# ---- leave carried in the workbook ----------------------------------------------------------------------------

TUESDAY = "2026-12-01"


@pytest.fixture(scope="module")
def leave_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made week with 朱红 (S14) on leave on Tuesday and off that day: her 32 hours are right only with
    the leave (36 h expected otherwise)."""
    import datetime as dt

    from constraints.roster import Roster
    from constraints.staff import Absence

    base = rf.example_problem(rf.examples_dir())
    tuesday = dt.date.fromisoformat(TUESDAY)
    leave = Absence(staff_id="S14", date=tuesday, reason="年休假", kind="leave")
    problem = base.replace(absences=(*base.absences, leave))
    roster = Roster(
        tuple(b for b in rf.example_roster().blocks if not (b.staff_id == "S14" and b.date == tuesday))
    )
    path = tmp_path_factory.mktemp("leave") / "roster.xlsx"
    write_workbook(path, roster, problem)
    return path


def test_leave_is_read_from_the_workbook(leave_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The 请假与活动 sheet carries the week's leave: no --leave needed; the day sheet shows 请假 in the row."""
    assert main(_check(leave_book)) == 0
    assert "所有硬规则均满足" in capsys.readouterr().out
    wb = load_workbook(leave_book)
    rows = [[c.value for c in r] for r in wb["请假与活动"].iter_rows(min_row=4)]
    assert rows == [["S14", "朱红", TUESDAY, None, None, "请假", "年休假"]]
    ws = wb["12-01 周二"]
    row = next(c.row for c in ws["A"] if c.value == "S14")
    assert ws.cell(row, ws.max_column).value == "请假 年休假"


def test_old_workbook_without_leave_gives_a_hint(
    leave_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A workbook without the leave sheet (written by an older paiban), checked without --leave: the hours
    shortfall (exit 1) comes with a hint naming the person, the day the week sheet marks 请假, and --leave."""
    wb = load_workbook(leave_book)
    del wb["请假与活动"]
    old = tmp_path / "roster.xlsx"
    wb.save(old)
    assert main(_check(old)) == 1
    out = capsys.readouterr().out
    assert "低于应出勤" in out
    hint = next(ln for ln in out.splitlines() if ln.startswith("提示"))
    assert "朱红" in hint and "12-01" in hint and "--leave" in out


def test_explicit_leave_wins_and_a_difference_is_noted(
    leave_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--leave given explicitly replaces the workbook's leave; when they differ a note says which is used."""
    same = tmp_path / "same.csv"
    same.write_text(f"staff_id,date,start,end,reason\nS14,{TUESDAY},,,年休假\n", encoding="utf-8")
    assert main(_check(leave_book, "--leave", str(same))) == 0
    assert "以 --leave 为准" not in capsys.readouterr().out
    empty = tmp_path / "empty.csv"
    empty.write_text("staff_id,date,start,end,reason\n", encoding="utf-8")
    assert main(_check(leave_book, "--leave", str(empty))) == 1
    out = capsys.readouterr().out
    assert "以 --leave 为准" in out and "低于应出勤" in out


def _with_a_talk(problem: Problem, roster: Roster) -> Roster:
    """The hand-made week with one safe 季度谈话: the first hour where the 支行长 and someone else both work off
    the floor and, with both busy, every hard rule still holds (as ``plan_duties`` places one)."""
    boss = next(p.staff_id for p in problem.staff if p.post == "branch_president")
    ids = problem.staff.ids()
    for day in problem.open_days:
        grid = roster.grid(day, ids)
        n = 60 // day.slot_minutes
        for sid in ids:
            if sid == boss:
                continue
            off = [all(grid[ids.index(x), s] in OFF_FLOOR for x in (boss, sid)) for s in day.open_slots]
            for k in range(len(off) - n + 1):
                if all(off[k : k + n]):
                    start = day.slot_starts[day.open_slots[k]]
                    plan = DutyPlan(PeriodicDuties(convenor=boss), (Talk(sid, day.date, start, start + 60),))
                    talked = plan.roster_with_talks(problem, roster)
                    if not [v for v in check_roster(problem, talked) if v.hard]:
                        return talked
    raise AssertionError("the hand-made week has no safe hour for a talk")


def test_a_roster_with_a_talk_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A written roster with a talk (谈话 on both people's rows) re-checks clean from roster.csv and roster.xlsx:
    the talk is work, not leave, and it reads back as a talk."""
    problem = rf.example_problem(rf.examples_dir())
    talked = _with_a_talk(problem, rf.example_roster())
    assert sum(b.activity == "talk" for b in talked.blocks) == 2
    csv = tmp_path / "roster.csv"
    write_csv(with_outreach(talked, problem.staff).to_frame(problem.staff), csv)
    xlsx = tmp_path / "roster.xlsx"
    write_workbook(xlsx, talked, problem)
    for path in (csv, xlsx):
        back = read_roster(path, problem.staff, problem.days)
        assert sorted(b for b in back.blocks if b.activity == "talk") == sorted(
            b for b in talked.blocks if b.activity == "talk"
        )
        assert main(_args(path)) == 0
        assert "所有硬规则均满足" in capsys.readouterr().out


# ---- a horizon's roster (plan --weeks N) checked as one problem: check --weeks N ----------------------------


@pytest.fixture(scope="module")
def horizon_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleBranch, Path]:
    """The sample branch's next two weeks planned as one model (``plan --weeks 2``, a short time limit)."""
    s = generate_sample(tmp_path_factory.mktemp("horizon_sample"), weeks=5, seed=3)
    out = tmp_path_factory.mktemp("horizon_out")
    code = main(
        [
            *("plan", "--tickets", str(s.tickets), "--staff", str(s.staff), "--config", str(s.config)),
            *("--leave", str(s.leave), "--week", s.plan_week.isoformat(), "--weeks", "2"),
            *("--time-limit", str(2 * TIME_LIMIT), "--replications", "0", "--out", str(out)),
        ]
    )
    if code != 0:
        pytest.skip("no roster holding every rule within the time limit")
    return s, out


def _check_horizon(s: SampleBranch, roster: Path, weeks: int, *extra: str) -> list[str]:
    return [
        *("check", "--roster", str(roster), "--staff", str(s.staff), "--config", str(s.config)),
        *("--week", s.plan_week.isoformat(), "--weeks", str(weeks), *extra),
    ]


def test_a_horizon_roster_passes_check_weeks(
    horizon_out: tuple[SampleBranch, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """``plan --weeks 2``'s roster.csv (with the leave) and roster.xlsx (the leave from its sheet) re-check clean
    as one problem over both weeks; roster.xlsx has per week its week sheet and day sheets."""
    s, out = horizon_out
    mondays = [s.plan_week, s.plan_week + dt.timedelta(days=7)]
    names = load_workbook(out / "roster.xlsx").sheetnames
    assert [n for n in names if n.startswith("周排班")] == [f"周排班 {m:%m-%d}" for m in mondays]
    assert all(f"{m + dt.timedelta(days=k):%m-%d}" in " ".join(names) for m in mondays for k in range(7))
    assert main(_check_horizon(s, out / "roster.csv", 2, "--leave", str(s.leave))) == 0
    assert main(_check_horizon(s, out / "roster.xlsx", 2)) == 0
    out_text = capsys.readouterr().out
    assert out_text.count("所有硬规则均满足") == 2
    assert f"{mondays[0]} 至 {mondays[1] + dt.timedelta(days=6)}" in out_text


def test_a_horizon_roster_checked_as_one_week_says_weeks(
    horizon_out: tuple[SampleBranch, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Checked with --weeks 1 (the default), the horizon's roster.csv and roster.xlsx are bad input in one line
    that names --weeks 2; --weeks 7 is bad input naming the option."""
    s, out = horizon_out
    for name in ("roster.csv", "roster.xlsx"):
        assert main(_check_horizon(s, out / name, 1)) == 2
        err = capsys.readouterr().err.strip()
        assert "--weeks 2" in err and len(err.splitlines()) == 1, err
    assert main(_check_horizon(s, out / "roster.csv", 7)) == 2
    assert "--weeks" in capsys.readouterr().err


def _run_across_sunday(roster: Roster, problem: Problem) -> tuple[str, list[tuple[dt.date, dt.date]]]:
    """A person and the (day off in week 2, day worked in week 2 with the same slots) pairs that, copied, make
    their days in a row from week 1's Sunday into week 2 one more than the limit."""
    most = problem.config.labor.max_consecutive_days
    dates = [d.date for d in problem.days]
    sunday = dates[6]
    best: tuple[int, str] | None = None
    for sid in problem.staff.ids():
        run = 0
        while run < 7 and roster.works(sunday - dt.timedelta(days=run), sid):
            run += 1
        if run and (best is None or run > best[0]):
            best = (run, sid)
    assert best is not None, "nobody works on the first Sunday"
    run, sid = best
    week2 = problem.days[7:]
    edits = []
    for day in week2[: most + 1 - run]:
        if roster.works(day.date, sid):
            continue
        source = next(
            d for d in week2 if roster.works(d.date, sid) and d.slot_starts == day.slot_starts and d != day
        )
        edits.append((day.date, source.date))
    assert edits, "already a run over the limit"
    return sid, edits


def _copy_day_row(wb: Workbook, sid: str, target: dt.date, source: dt.date) -> None:
    """In an opened horizon workbook: the person's day-sheet row of ``source`` copied to ``target``'s day
    sheet, and their week-sheet cell with it (the workbook stays consistent)."""
    sheets = {ws.title[:5]: ws for ws in wb.worksheets}
    src, dst = sheets[f"{source:%m-%d}"], sheets[f"{target:%m-%d}"]
    row_of = {ws.title: next(c.row for c in ws["A"] if c.value == sid) for ws in (src, dst)}
    for col in (c.column for c in src[4] if c.column >= 5 and ":" in str(c.value or "")):  # the slot times
        dst.cell(row_of[dst.title], col).value = src.cell(row_of[src.title], col).value
    monday = target - dt.timedelta(days=target.weekday())
    week = wb[f"周排班 {monday:%m-%d}"]
    _week_cell(week, sid, target.isoformat()).value = _week_cell(week, sid, source.isoformat()).value


def test_an_edit_in_week_two_breaking_days_in_a_row_is_reported(
    horizon_out: tuple[SampleBranch, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Days off in week 2 edited into work so that someone's run from week 1's Sunday goes past the limit
    (only the horizon checked as one problem can see it): exit 1 naming the labour rule, the person and a date
    of week 1 where the run starts — from roster.csv and from roster.xlsx (day sheets and week sheet edited
    alike)."""
    s, out = horizon_out
    problem = Problem.for_horizon(
        load_config(s.config),
        read_staff(s.staff),
        s.plan_week,
        2,
        read_absences(s.leave, read_staff(s.staff)),
    )
    roster = read_roster(out / "roster.csv", problem.staff, problem.days)
    sid, edits = _run_across_sunday(roster, problem)
    name = problem.staff.by_id(sid).name
    copied = [
        dataclasses.replace(b, date=target) for target, source in edits for b in roster.blocks_of(source, sid)
    ]
    csv = tmp_path / "roster.csv"
    write_csv(with_outreach(Roster((*roster.blocks, *copied)), problem.staff).to_frame(problem.staff), csv)
    wb = load_workbook(out / "roster.xlsx")
    for target, source in edits:
        _copy_day_row(wb, sid, target, source)
    xlsx = tmp_path / "roster.xlsx"
    wb.save(xlsx)
    for path, extra in ((csv, ("--leave", str(s.leave))), (xlsx, ())):
        assert main(_check_horizon(s, path, 2, *extra)) == 1
        text = capsys.readouterr().out
        line = next(ln for ln in text.splitlines() if "连续上班超过" in ln)
        assert "labour" in line and name in line and "硬" in line
        first = dt.date.fromisoformat(line.split("│")[4].strip())  # the run's first day: in week 1
        assert s.plan_week <= first < s.plan_week + dt.timedelta(days=7)
