"""Tests of scheduler.app.replan (and the solver's Keep): the rest of a week repaired with few changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import (
    MONDAY,
    TINY_WEEK_STAFF,
    days_of,
    leave,
    synthetic_demand,
    tiny_config,
    tiny_problem,
)
from ortools.sat.python import cp_model

from constraints.carry import carried_staff
from constraints.config import load_config, parse_hhmm
from constraints.errors import InputError
from constraints.io import read_table, write_csv
from constraints.problem import Problem
from constraints.roster import Block, Roster, with_outreach, without_outreach
from constraints.rules import check_roster
from constraints.staff import Absence, read_absences, read_staff
from scheduler.app import Scenario
from scheduler.app.cli import main
from scheduler.app.replan import parse_cut, repair, without_conflicts
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook.changes import roster_changes
from scheduler.sample.generator import SampleBranch, generate_sample
from scheduler.solver.model import CHANGES, Keep, build_model
from scheduler.solver.result import RosterResult, SolveParams
from scheduler.solver.solve import solve
from scheduler.solver.variables import RosterVars

WEEK = [MONDAY + dt.timedelta(days=i) for i in range(7)]
THURSDAY, FRIDAY, SATURDAY = WEEK[3], WEEK[4], WEEK[5]
TIME_LIMIT = os.environ.get("PAIBAN_TIME_LIMIT", "5")
DOMINANT = 1e5
"""CNY per hour changed so high that any change outweighs every other cost: the re-plan minimises changes."""


@pytest.fixture(scope="module")
def tiny_week() -> tuple[Problem, Roster]:
    """The tiny branch's week (nine people, 30-minute slots) and a roster of it."""
    prob = tiny_problem(WEEK, staff=TINY_WEEK_STAFF)
    r = solve(prob, SolveParams(time_limit_seconds=float(TIME_LIMIT)))
    assert r.roster is not None and r.ok
    return prob, r.roster


def changed_slots(prob: Problem, before: Roster, after: Roster, cut: dt.datetime) -> dict[dt.date, int]:
    """Slots per date (from the cut's date) whose activity differs: what the change cost counts."""
    ids = prob.staff.ids()
    out = {}
    for day in prob.days:
        if day.date >= cut.date():
            n = int((before.grid(day, ids) != after.grid(day, ids)).sum())
            if n:
                out[day.date] = n
    return out


def fewest_changes(prob: Problem, keep: Keep, hint: Roster) -> int | None:
    """The fewest changed slots any roster holding every rule needs (plain CP-SAT, proved optimal); None when
    no roster holds them all (proved infeasible)."""
    built = build_model(prob, keep=keep, symmetry_breaking=False)
    term = next(t for t in built.terms if t.name == CHANGES)
    built.model.minimize(term.expr)
    built.vars.hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 120
    solver.parameters.random_seed = 0
    status = solver.solve(built.model)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    if status == cp_model.INFEASIBLE:
        return None
    per_slot = keep.change_cost_per_hour * prob.days[0].slot_minutes / 60
    return round(solver.objective_value / term.scale / per_slot)


def notice_ids(book: Path, n: int) -> list[str]:
    """The staff ids on the first ``n`` rows of the 变更通知 sheet (roster.xlsx's first sheet)."""
    from openpyxl import load_workbook

    notice = load_workbook(book).worksheets[0]
    assert notice.title == "变更通知"
    return [r[1] for r in notice.iter_rows(min_row=5, max_col=2, values_only=True) if r[1]][:n]


def check_exit(s: SampleBranch, roster: Path) -> int:
    """``paiban check``'s exit status for ``roster`` in the sample's plan week."""
    args = ["--roster", str(roster), "--staff", str(s.staff), "--config", str(s.config)]
    return main(["check", *args, "--week", s.plan_week.isoformat()])


def replan(
    prob: Problem, before: Roster, cut: dt.datetime, cost: float, seconds: float = float(TIME_LIMIT)
) -> RosterResult:
    """The re-plan of ``prob`` from ``cut`` at ``cost`` CNY an hour changed, checked by every rule."""
    result, _ = repair(prob, SolveParams(time_limit_seconds=seconds, keep=Keep(before, cut, cost)))
    assert result.roster is not None
    assert not [v for v in check_roster(prob, result.roster) if v.hard]
    return result


# ---- the solver's Keep -----------------------------------------------------------------------------------


def test_kept_part_is_fixed_and_unchanged_week_costs_nothing(tiny_week: tuple[Problem, Roster]) -> None:
    """With nothing new, the re-plan from Wednesday 12:00 returns the roster as it was: no change costs."""
    prob, before = tiny_week
    cut = dt.datetime.combine(WEEK[2], dt.time(12, 0))
    result = replan(prob, before, cut, DOMINANT)
    assert result.penalties[CHANGES] == 0
    assert changed_slots(prob, before, result.roster or Roster(()), cut) == {}


def test_thursday_leave_changes_fewest_and_only_where_a_rule_forces(
    tiny_week: tuple[Problem, Roster],
) -> None:
    """A whole-day leave on Thursday: days before stay identical, the changes are as few as CP-SAT proves
    possible, and they stay on Thursday and Friday unless the proved minimum needs other days."""
    prob, before = tiny_week
    who = next(p for p in prob.staff.ids() if before.works(THURSDAY, p))
    new = prob.replace(absences=(leave(who, THURSDAY, reason="病假"),))
    cut = dt.datetime.combine(THURSDAY, dt.time(0))
    result = replan(
        new, before, cut, DOMINANT, seconds=3 * float(TIME_LIMIT)
    )  # proving the fewest takes time
    after = result.roster
    assert after is not None
    for d in WEEK[:3]:
        assert after.to_frame().query(f"date == '{d}'").equals(before.to_frame().query(f"date == '{d}'"))
    assert not after.works(THURSDAY, who)
    changes = changed_slots(new, before, after, cut)
    keep = Keep(before, cut, DOMINANT)
    least = fewest_changes(new, keep, after)
    assert least is not None and sum(changes.values()) == least
    later = frozenset(d for d in WEEK if d > FRIDAY)
    if fewest_changes(new, dataclasses.replace(keep, fixed_dates=later), after) == least:
        assert set(changes) <= {THURSDAY, FRIDAY}
    reasons = {(c.staff_id, c.date): c.reason_zh for c in roster_changes(new, before, after, cut)}
    assert reasons[(who, THURSDAY)] == "请假: 病假"
    assert all(r.startswith("顶替") for (p, d), r in reasons.items() if d == THURSDAY and p != who)
    assert all(
        r.startswith("随 ") for (p, d), r in reasons.items() if d != THURSDAY and (p, THURSDAY) in reasons
    )
    assert all(r.startswith("重新安排") for (p, d), r in reasons.items() if (p, THURSDAY) not in reasons)


def test_change_cost_moves_the_trade_off(tiny_week: tuple[Problem, Roster]) -> None:
    """A weekend demand surprise: the dearer a change, the fewer slots change and the more the rest of the
    objective costs; at a prohibitive price nothing changes (the old roster still holds every rule)."""
    prob, before = tiny_week
    busier = {k: v for k, v in synthetic_demand(prob, level=1.6).items() if k[0] >= SATURDAY}
    surprise = prob.replace(demand={**prob.demand, **busier})
    cut = dt.datetime.combine(SATURDAY, dt.time(0))
    runs = []
    for cost in (1.0, 100.0, 1e4):
        r = replan(surprise, before, cut, cost)
        assert r.objective is not None
        slots = sum(changed_slots(surprise, before, r.roster or Roster(()), cut).values())
        runs.append((slots, r.objective - r.penalties[CHANGES]))
    (cheap, cheap_rest), (mid, mid_rest), (dear, dear_rest) = runs
    assert cheap > mid >= dear == 0
    assert cheap_rest < mid_rest <= dear_rest


def test_cut_with_a_time_keeps_the_morning(tiny_week: tuple[Problem, Roster]) -> None:
    """From a time on Thursday morning, someone at work since before it goes home at 15:00: Thursday's slots
    before the cut stay as they were, and that person's shift ends by 15:00 (however short it is then)."""
    prob, before = tiny_week
    day = prob.day(THURSDAY)

    def shift(p: str) -> tuple[int, int]:
        return before.shift(THURSDAY, p) or (24 * 60, 0)

    def candidates(cut: int) -> list[str]:
        """At work before the cut, late into the day, and at no counter before the cut (whoever worked a
        counter stays to close: the daily routine would keep them)."""
        return [
            p
            for p in prob.staff.ids()
            if shift(p)[0] < cut
            and shift(p)[1] > 16 * 60
            and not any(
                b.start < cut and b.activity.endswith("counter") for b in before.blocks_of(THURSDAY, p)
            )
        ]

    hour = next(h for h in (12, 11, 10, 9) if candidates(h * 60))
    who = candidates(hour * 60)[0]
    new = prob.replace(absences=(leave(who, THURSDAY, "15:00-17:30", reason="看病"),))
    cut = dt.datetime.combine(THURSDAY, dt.time(hour, 0))
    after = replan(new, before, cut, 100.0).roster
    assert after is not None
    ids = prob.staff.ids()
    kept = day.slot_of(hour * 60)
    assert (after.grid(day, ids)[:, :kept] == before.grid(day, ids)[:, :kept]).all()
    assert (after.shift(THURSDAY, who) or (0, 0))[1] <= 15 * 60


def test_rest_of_week_that_cannot_be_staffed_names_rule_date_people(
    tiny_week: tuple[Problem, Roster],
) -> None:
    """Both high-counter tellers but two away on Saturday: no re-plan, the reason names the noon rule, the day
    and the people; relaxing that rule gives a roster with the breaks listed."""
    prob, before = tiny_week
    tellers = [p.staff_id for p in prob.staff if p.can("high_counter")]
    away = tuple(leave(p, SATURDAY) for p in tellers[:-1])
    new = prob.replace(absences=away)
    cut = dt.datetime.combine(THURSDAY, dt.time(0))
    result, _ = repair(new, SolveParams(time_limit_seconds=2.0, keep=Keep(before, cut, 100.0)))
    assert result.roster is None and not result.ok
    first = result.explanation[0]
    assert first.rule == "noon_two_at_high_counter" and first.date == SATURDAY
    assert tellers[-1] in first.staff_ids or "P" + tellers[-1] in first.message_zh
    # the tellers away also hold the operations authority: under require = "each" both rules need relaxing
    both = ("noon_two_at_high_counter", "permission_holder")
    relaxed = SolveParams(time_limit_seconds=2.0, keep=Keep(before, cut, 100.0), relax=both)
    result, _ = repair(new, relaxed)
    assert result.roster is not None
    broken = {v.rule for v in result.hard_violations}
    assert "noon_two_at_high_counter" in broken and broken <= set(both)


def test_leave_before_the_cut_is_reported_not_repaired(tiny_week: tuple[Problem, Roster]) -> None:
    """Leave on Tuesday for someone rostered then, re-planning from Thursday: the kept part breaks the
    availability rule, so the re-plan stops and names the rule, the day and the person."""
    prob, before = tiny_week
    who = next(p for p in prob.staff.ids() if before.works(WEEK[1], p))
    new = prob.replace(absences=(leave(who, WEEK[1]),))
    cut = dt.datetime.combine(THURSDAY, dt.time(0))
    result, _ = repair(new, SolveParams(time_limit_seconds=2.0, keep=Keep(before, cut, 100.0)))
    assert result.status == "INFEASIBLE" and result.roster is None
    assert result.explanation[0].rule == "replan"
    broken = result.explanation[1:]
    assert all(v.date == WEEK[1] for v in broken)
    assert any(v.rule == "availability" and who in v.staff_ids for v in broken)


def test_without_conflicts_drops_only_what_the_absence_overlaps(tiny_week: tuple[Problem, Roster]) -> None:
    """The repair's start: the absent person's Thursday is gone, everyone else's week untouched."""
    prob, before = tiny_week
    who = next(p for p in prob.staff.ids() if before.works(THURSDAY, p))
    new = prob.replace(absences=(leave(who, THURSDAY),))
    start = without_conflicts(new, before, dt.datetime.combine(WEEK[2], dt.time(0)))
    assert not start.works(THURSDAY, who)
    assert set(before.blocks) - set(start.blocks) == set(before.blocks_of(THURSDAY, who))


def test_parse_cut() -> None:
    """--from takes a date or a date and a time inside the week; anything else names --from."""
    days = tiny_problem(WEEK, demand=False).days
    assert parse_cut("2026-12-03", days) == dt.datetime(2026, 12, 3)
    assert parse_cut("2026-12-03 12:30", days) == dt.datetime(2026, 12, 3, 12, 30)
    for bad in ("2026-12-07", "next thursday"):
        with pytest.raises(InputError, match="--from"):
            parse_cut(bad, days)


def test_dearer_default_than_soft_nudges() -> None:
    """The default price of a changed hour is above a staff hour and every soft nudge of the objective."""
    cfg = tiny_config()
    cost = cfg.replan.change_cost_per_hour
    assert cost > cfg.costs.staff_hour
    slot_price = cost * cfg.grid.slot_minutes / 60
    assert slot_price > max(cfg.rules.fairness.weight_cny, cfg.rules.skills.switch_cny)


# ---- weeks that follow each other (--previous-roster) ----------------------------------------------------


@pytest.fixture(scope="module")
def carried_week() -> tuple[Problem, Roster]:
    """The tiny week after one where C worked Tuesday to Sunday and D's Sunday shift ended at 23:00, and a
    roster of it."""
    last = [MONDAY - dt.timedelta(days=7 - i) for i in range(7)]
    cfg = tiny_config()
    blocks = [Block(d, "C", 9 * 60, 16 * 60 + 30, "back_office") for d in last[1:]]
    blocks.append(Block(last[-1], "D", 14 * 60, 23 * 60, "back_office"))
    staff = carried_staff(TINY_WEEK_STAFF, Roster(tuple(blocks)), days_of(cfg, last))
    prob = tiny_problem(WEEK, staff=staff)
    r = solve(prob, SolveParams(time_limit_seconds=float(TIME_LIMIT)))
    assert r.roster is not None and r.ok
    assert not [v for v in check_roster(prob, r.roster) if v.hard]
    return prob, r.roster


def forced_is_infeasible(prob: Problem, force: Callable[[RosterVars], list[object]]) -> bool:
    """True when CP-SAT proves the week's model infeasible with the constraints ``force`` returns added."""
    built = build_model(prob, symmetry_breaking=False)
    for ct in force(built.vars):
        built.model.add(ct)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 30
    solver.parameters.num_workers = 1
    return solver.solve(built.model) == cp_model.INFEASIBLE


def test_six_days_last_week_forbid_a_seventh_on_monday(carried_week: tuple[Problem, Roster]) -> None:
    """C worked the last six days of last week: the roster keeps C off on Monday, and no roster may have C at
    work then (the model with C forced in is proved infeasible)."""
    prob, roster = carried_week
    assert prob.staff.by_id("C").prev_consecutive_days == 6
    assert not roster.works(MONDAY, "C")
    assert forced_is_infeasible(prob, lambda v: [v.works("C", MONDAY) == 1])


def test_rest_across_the_week_boundary(carried_week: tuple[Problem, Roster]) -> None:
    """D left at 23:00 on Sunday: with 12 h of rest, D starts no earlier than 11:00 on Monday, and a model
    forcing an earlier start is proved infeasible."""
    prob, roster = carried_week
    start = roster.shift(MONDAY, "D")
    assert start is None or start[0] >= 11 * 60
    assert forced_is_infeasible(
        prob, lambda v: [v.works("D", MONDAY) == 1, v.shift_start("D", MONDAY) <= 630]
    )


# ---- the command ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleBranch, Path]:
    """The sample branch and its week planned by `paiban plan`."""
    s = generate_sample(tmp_path_factory.mktemp("sample"), weeks=5, seed=3)
    out = tmp_path_factory.mktemp("plan")
    code = main(
        [
            *("plan", "--tickets", str(s.tickets), "--staff", str(s.staff), "--config", str(s.config)),
            *("--leave", str(s.leave), "--week", s.plan_week.isoformat(), "--out", str(out)),
            *("--time-limit", TIME_LIMIT, "--replications", "2"),
        ]
    )
    assert code == 0
    return s, out


def _replan_args(s: SampleBranch, roster: Path, leave_csv: Path, out: Path, cut: str) -> list[str]:
    return [
        *("replan", "--roster", str(roster), "--from", cut, "--tickets", str(s.tickets)),
        *("--staff", str(s.staff), "--config", str(s.config), "--leave", str(leave_csv)),
        *("--week", s.plan_week.isoformat(), "--out", str(out), "--time-limit", TIME_LIMIT),
        *("--replications", "2"),
    ]


def test_replan_command_from_the_workbook(planned: tuple[SampleBranch, Path], tmp_path: Path) -> None:
    """`paiban replan` on the planned roster.xlsx with a teller off sick on Thursday: exit 0, the usual files
    plus changes.csv, roster.csv byte-identical before Thursday, a 变更通知 sheet first with one row per person
    affected, and a roster that `paiban check` passes."""
    s, plan_dir = planned
    thursday = s.plan_week + dt.timedelta(days=3)
    roster = read_table(plan_dir / "roster.csv")
    who = sorted(
        set(
            roster[(roster["date"] == thursday.isoformat()) & (roster["activity"] == "high_counter")][
                "staff_id"
            ]
        )
    )[0]
    leave_csv = tmp_path / "leave.csv"
    leave_csv.write_text(
        s.leave.read_text(encoding="utf-8-sig") + f"{who},{thursday},,,病假\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    assert main(_replan_args(s, plan_dir / "roster.xlsx", leave_csv, out, thursday.isoformat())) == 0
    for name in ("roster.csv", "requirements.csv", "summary.json", "roster.xlsx", "changes.csv"):
        assert (out / name).exists(), name
    old_lines = (plan_dir / "roster.csv").read_bytes().splitlines()
    new_lines = (out / "roster.csv").read_bytes().splitlines()
    early = [ln for ln in old_lines[1:] if ln.split(b",")[0].decode() < thursday.isoformat()]
    assert early and early == [
        ln for ln in new_lines[1:] if ln.split(b",")[0].decode() < thursday.isoformat()
    ]
    assert (out / "changes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    changes = read_table(out / "changes.csv")
    assert list(changes.columns) == ["date", "staff_id", "name", "before", "after", "reason"]
    mine = changes[changes["staff_id"] == who]
    # off on Thursday; another day of theirs moves only as the week's hours and rest days follow the leave (which
    # day is the optimizer's: a weekday or a shorter weekend day), and the change says so
    others = mine[mine["date"] != thursday.isoformat()]
    assert len(others) <= 2 and all(r.startswith(f"随 {thursday:%m-%d}") for r in others["reason"])
    assert list(mine.loc[mine["date"] == thursday.isoformat(), "after"]) == ["休"]
    assert list(mine.loc[mine["date"] == thursday.isoformat(), "reason"]) == ["请假: 病假"]
    assert (changes["date"] >= thursday.isoformat()).all()
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert doc["replan"]["changed_person_days"] == len(changes)
    assert doc["replan"]["people_affected"] == changes["staff_id"].nunique()
    ids = notice_ids(out / "roster.xlsx", changes["staff_id"].nunique())
    assert sorted(ids) == sorted(set(changes["staff_id"]))
    assert check_exit(s, out / "roster.xlsx") == 0


def test_replan_command_bad_from_exits_two(
    planned: tuple[SampleBranch, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--from outside the week is bad input: exit 2, one line naming --from, nothing written."""
    s, plan_dir = planned
    code = main(_replan_args(s, plan_dir / "roster.csv", s.leave, tmp_path / "o", "2026-12-09"))
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--from" in err[0]
    assert not (tmp_path / "o").exists()


def test_plan_with_previous_roster_carries_the_week(
    planned: tuple[SampleBranch, Path], tmp_path: Path
) -> None:
    """`paiban plan --previous-roster` for the week after the planned one: exit 0, the roster's hash among the
    inputs, and across the two weeks nobody works more than six days in a row or rests under 12 h."""
    s, plan_dir = planned
    monday = s.plan_week + dt.timedelta(days=7)
    out = tmp_path / "next"
    args = [
        *("plan", "--tickets", str(s.tickets), "--staff", str(s.staff), "--config", str(s.config)),
        *("--week", monday.isoformat(), "--out", str(out), "--time-limit", TIME_LIMIT, "--replications", "2"),
        *("--previous-roster", str(plan_dir / "roster.xlsx")),
    ]
    assert main(args) == 0
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "previous_roster" in doc["inputs"]
    both = read_table(plan_dir / "roster.csv"), read_table(out / "roster.csv")
    frame = pd.concat(both)
    dates = [s.plan_week + dt.timedelta(days=i) for i in range(14)]
    for sid, rows in frame.groupby("staff_id"):
        worked = {dt.date.fromisoformat(d) for d in rows["date"]}
        run = longest = 0
        for d in dates:
            run = run + 1 if d in worked else 0
            longest = max(longest, run)
        assert longest <= 6, sid
    sunday, after = dates[6], dates[7]
    for sid in set(frame["staff_id"]):
        last = frame[(frame["staff_id"] == sid) & (frame["date"] == sunday.isoformat())]
        first = frame[(frame["staff_id"] == sid) & (frame["date"] == after.isoformat())]
        if len(last) and len(first):
            end, start = parse_hhmm(max(last["end"])), parse_hhmm(min(first["start"]))
            assert 24 * 60 + start - end >= 12 * 60, sid


def test_previous_roster_outside_last_week_exits_two(
    planned: tuple[SampleBranch, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A previous roster.csv whose dates are not the week before is bad input: exit 2 naming the file, the row
    and the date column; nothing written."""
    s, plan_dir = planned
    args = [
        *("plan", "--tickets", str(s.tickets), "--staff", str(s.staff), "--config", str(s.config)),
        *("--week", (s.plan_week + dt.timedelta(days=14)).isoformat(), "--out", str(tmp_path / "o")),
        *("--previous-roster", str(plan_dir / "roster.csv")),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "roster.csv" in err[0] and "第 2 行" in err[0] and "date" in err[0]
    assert not (tmp_path / "o").exists()


def test_scenario_replan(planned: tuple[SampleBranch, Path]) -> None:
    """The notebook API: Scenario.replan on the planned workbook with a new sick day repairs Thursday with
    every rule holding, keeps Monday to Wednesday, and tells why each change was made."""
    s, plan_dir = planned
    base = Scenario.from_files(s.tickets, s.staff, s.config, leave=s.leave, week=s.plan_week)
    base = base.replace(time_limit_seconds=float(TIME_LIMIT), replications=0)
    thursday = s.plan_week + dt.timedelta(days=3)
    before = read_roster(plan_dir / "roster.csv", base.branch.staff, base.branch.calendar.week(s.plan_week))
    who = next(p for p in base.branch.staff.ids() if before.works(thursday, p))
    rp = base.replan(
        plan_dir / "roster.xlsx", thursday, leave=[Absence(staff_id=who, date=thursday, reason="病假")]
    )
    assert rp.result.ok and rp.plan.roster is not None
    assert rp.notice.cut == dt.datetime.combine(thursday, dt.time(0))
    for d in (s.plan_week + dt.timedelta(days=i) for i in range(3)):
        for p in base.branch.staff.ids():
            assert rp.plan.roster.blocks_of(d, p) == without_outreach(before).blocks_of(d, p)
    mine = [c for c in rp.changes if c.staff_id == who]
    assert [(c.after, c.reason_zh) for c in mine if c.date == thursday] == [((), "请假: 病假")]
    assert all(c.reason_zh.startswith("随 12-03") for c in mine if c.date != thursday)
    assert all(c.date >= thursday and c.reason_zh for c in rp.changes)


# ---- a roster with 季度谈话 (talk blocks) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def talk_week(tmp_path_factory: pytest.TempPathFactory) -> tuple[SampleBranch, Path, pd.DataFrame]:
    """The sample branch planned for the week of 2026-10-12, inside the October talk window: its roster holds
    talks (``talk`` rows of the employee and the 支行长); the talks as (staff id, date, start, end)."""
    s = generate_sample(tmp_path_factory.mktemp("oct_sample"), weeks=5, seed=3, end=dt.date(2026, 10, 11))
    out = tmp_path_factory.mktemp("oct_plan")
    code = main(
        [
            *("plan", "--tickets", str(s.tickets), "--staff", str(s.staff), "--config", str(s.config)),
            *("--leave", str(s.leave), "--week", s.plan_week.isoformat(), "--out", str(out)),
            *("--time-limit", TIME_LIMIT, "--replications", "0"),
        ]
    )
    assert code == 0
    rows = read_table(out / "roster.csv")
    talks = rows[(rows["activity"] == "talk") & (rows["post"] != "branch_president")]
    if talks.empty or (talks["date"] == s.plan_week.isoformat()).all():
        pytest.skip("no talk after Monday in this plan")
    return s, out, talks


def _talk_replan(s: SampleBranch, plan_dir: Path, leave_csv: Path, out: Path, cut: str) -> list[str]:
    return [*_replan_args(s, plan_dir / "roster.xlsx", leave_csv, out, cut)[:-2], "--replications", "0"]


def _lines_before(path: Path, cut: str) -> list[bytes]:
    return [ln for ln in path.read_bytes().splitlines()[1:] if ln.split(b",")[0].decode() < cut]


def _talks_still_free_stay(s: SampleBranch, before_csv: Path, after_csv: Path, cut: str) -> int:
    """Assert that every talk of ``before_csv`` from ``cut`` on whose employee and 支行长 both still work off the
    floor (or at the talk) for all of it in ``after_csv`` is there at the same time; how many such talks."""
    staff = read_staff(s.staff)
    days = Problem.for_week(load_config(s.config), staff, s.plan_week).days
    before, after = read_roster(before_csv, staff, days), read_roster(after_csv, staff, days)
    boss = next(p.staff_id for p in staff if p.post == "branch_president")
    ids = staff.ids()
    n = 0
    for t in before.blocks:
        if t.activity != "talk" or t.staff_id == boss or t.date.isoformat() < cut:
            continue
        day = next(d for d in days if d.date == t.date)
        grid = after.grid(day, ids)
        span = [k for k, m in enumerate(day.slot_starts) if t.start <= m < t.end]
        rows = [ids.index(boss), ids.index(t.staff_id)]
        if all(grid[r, k] in ("back_office", "outreach", "talk") for r in rows for k in span):
            assert all(grid[r, k] == "talk" for r in rows for k in span), t
            n += 1
    return n


def _talk_moved_by_hand(s: SampleBranch, plan_dir: Path, cut: str, path: Path) -> tuple[str, int]:
    """The plan's roster.csv with its first talk on ``cut`` moved, as a person would in Excel, to another hour
    where both people work off the floor and every hard rule still holds, written to ``path``: the talk's
    employee and its new start (minutes)."""
    staff = read_staff(s.staff)
    problem = Problem.for_week(load_config(s.config), staff, s.plan_week, read_absences(s.leave, staff))
    roster = read_roster(plan_dir / "roster.csv", staff, problem.days)
    ids, boss = staff.ids(), next(p.staff_id for p in staff if p.post == "branch_president")
    talk = next(
        b for b in roster.blocks if b.activity == "talk" and b.staff_id != boss and str(b.date) == cut
    )
    day = problem.day(talk.date)
    rows = [ids.index(boss), ids.index(talk.staff_id)]
    grid = roster.grid(day, ids)
    span = [k for k, m in enumerate(day.slot_starts) if talk.start <= m < talk.end]
    for r in rows:
        grid[r, span] = "back_office"
    others = [b for b in roster.blocks if b.date != day.date]
    for k in day.open_slots:
        new = list(range(k, k + len(span)))
        if k == span[0] or new[-1] >= len(day.slot_starts):
            continue
        if not all(grid[r, j] in ("back_office", "outreach") for r in rows for j in new):
            continue
        trial = grid.copy()
        trial[np.ix_(rows, new)] = "talk"
        moved = Roster((*others, *Roster.from_grid(day, ids, trial).blocks))
        if not [v for v in check_roster(problem, moved) if v.hard]:
            write_csv(with_outreach(moved, staff).to_frame(staff), path)
            return talk.staff_id, day.slot_starts[k]
    pytest.skip("no other safe hour for the talk")


def test_a_talk_moved_in_the_roster_stays_where_it_was_put(
    talk_week: tuple[SampleBranch, Path, pd.DataFrame], tmp_path: Path
) -> None:
    """A talk a person moved to another safe hour in the roster, re-planned from its day with nothing new: it
    stays at that hour (a plan would pick the quietest); the days before are byte-identical; every talk from
    the cut on whose two people still work off the floor then stays where it was."""
    s, plan_dir, talks = talk_week
    cut = max(talks["date"])
    edited = tmp_path / "roster.csv"
    sid, start = _talk_moved_by_hand(s, plan_dir, cut, edited)
    out = tmp_path / "out"
    args = _talk_replan(s, plan_dir, s.leave, out, cut)
    args[args.index("--roster") + 1] = str(edited)
    assert main(args) == 0
    assert _lines_before(edited, cut) == _lines_before(out / "roster.csv", cut)
    assert _talks_still_free_stay(s, edited, out / "roster.csv", cut) >= 1
    rows = read_table(out / "roster.csv")
    mine = rows[(rows["staff_id"] == sid) & (rows["activity"] == "talk")]
    assert list(zip(mine["date"], mine["start"], strict=True)) == [
        (cut, f"{start // 60:02d}:{start % 60:02d}")
    ]


def test_a_talk_whose_person_falls_ill_moves_and_the_changes_say_so(
    talk_week: tuple[SampleBranch, Path, pd.DataFrame], tmp_path: Path
) -> None:
    """The employee of the last talk is off sick on its day, the re-plan from that day: the days before stay
    byte-identical (their talks too); that talk leaves the day and, when a safe time is left, is placed again
    from the cut on, on both rows; changes.csv gives the 支行长 one row per day the talk left or came to, with
    the reason 季度谈话改期 naming the employee; the other talks from the cut on whose people still work off the
    floor then stay; the re-planned roster passes `paiban check`."""
    s, plan_dir, talks = talk_week
    cut = max(talks["date"])
    ill = talks[talks["date"] == cut].iloc[0]
    sid = str(ill["staff_id"])
    leave_csv = tmp_path / "leave.csv"
    leave_csv.write_text(s.leave.read_text(encoding="utf-8-sig") + f"{sid},{cut},,,病假\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(_talk_replan(s, plan_dir, leave_csv, out, cut)) == 0
    early = _lines_before(plan_dir / "roster.csv", cut)
    assert b",talk" in b"".join(early) and early == _lines_before(out / "roster.csv", cut)
    rows = read_table(out / "roster.csv")
    new_talks = rows[rows["activity"] == "talk"]
    boss = str(rows.loc[rows["post"] == "branch_president", "staff_id"].iloc[0])
    mine = new_talks[new_talks["staff_id"] == sid]
    assert cut not in set(mine["date"])
    for _, t in mine.iterrows():  # placed again: from the cut on, with the 支行长 at the same time
        assert t["date"] >= cut
        with_boss = new_talks[(new_talks["staff_id"] == boss) & (new_talks["date"] == t["date"])]
        assert any(b["start"] <= t["start"] and t["end"] <= b["end"] for _, b in with_boss.iterrows())
    changes = read_table(out / "changes.csv")
    boss_rows = changes[changes["staff_id"] == boss]
    moved_to = set(mine["date"])
    assert set(boss_rows["date"]) >= {cut, *moved_to}
    assert boss_rows["date"].is_unique
    name = str(ill["name"])
    assert all(r.startswith(f"季度谈话改期 (与 {name})") for r in boss_rows["reason"])
    assert list(changes.loc[(changes["staff_id"] == sid) & (changes["date"] == cut), "reason"]) == [
        "请假: 病假"
    ]
    for d in moved_to:
        [reason] = changes.loc[(changes["staff_id"] == sid) & (changes["date"] == d), "reason"]
        assert reason.startswith("季度谈话改期")
    _talks_still_free_stay(s, plan_dir / "roster.csv", out / "roster.csv", cut)
    assert {boss, sid} <= set(notice_ids(out / "roster.xlsx", changes["staff_id"].nunique()))
    assert check_exit(s, out / "roster.xlsx") == 0
