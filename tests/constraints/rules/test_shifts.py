"""The shifts rule: posted shifts derived from the hours or listed in branch.toml, lunch waves, cuts around
leave, the ``limits`` mode, and the model built from the posted shifts."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import MONDAY, SATURDAY, TINY_STAFF, leave, tiny_config, tiny_problem
from roster_fixtures import blocks

from constraints.calendar import Day
from constraints.config import RULE_NAMES, BranchConfig, fmt_hhmm
from constraints.config import parse_hhmm as hm
from constraints.errors import InputError
from constraints.problem import Problem
from constraints.roster import Roster
from constraints.rules import get_rule
from constraints.rules.shifts import DayShift, person_shifts, posted_shifts, shift_label, wave_starts
from constraints.staff import Staff
from scheduler.solver.model import build_model
from scheduler.solver.result import SolveParams
from scheduler.solver.solve import solve

FAST = SolveParams(time_limit_seconds=4.0, seed=0, workers=2)


def only(*rules: str, **updates: object) -> BranchConfig:
    """The tiny config with every rule but ``rules`` switched off (dotted-key updates apply)."""
    return tiny_config(**{f"rules.{r}.enabled": False for r in RULE_NAMES if r not in rules}, **updates)


def hours(prob: Problem, day: Day, shifts: list[DayShift]) -> list[tuple[str, str, list[str]]]:
    """(name, hours, lunch waves) of each shift, for reading."""
    return [(s.name, s.hours(day), [fmt_hhmm(day.slot_starts[k]) for k in s.lunch]) for s in shifts]


def sample_like(**updates: object) -> BranchConfig:
    """The sample's hours (09:00–17:00, weekends 09:30–16:00, half an hour either side) on a 15-min grid."""
    return tiny_config(**{"grid.slot_minutes": 15, "rules.daily_routine.late_meeting": None, **updates})


def _two_starts() -> Problem:
    """One teller at the high counter all day; C is away after 13:00 and D before 12:00: two start times."""
    cfg = only(
        "shifts",
        "availability",
        "noon_two_at_high_counter",
        **{
            "rules.shifts.mode": "limits",
            "rules.shifts.max_starts": 1,
            "rules.noon_two_at_high_counter.count": 1,
            "rules.noon_two_at_high_counter.window": "09:00-17:00",
            "rules.noon_two_at_high_counter.all_day_on": [],
        },
    )
    staff = Staff(people=tuple(p for p in TINY_STAFF.people if p.staff_id in ("C", "D")))
    away = [leave("C", MONDAY, "13:00-17:30", "培训"), leave("D", MONDAY, "08:30-12:00", "培训")]
    return tiny_problem([MONDAY], config=cfg, staff=staff, absences=away)


def test_derived_shifts_follow_the_staff_hours_of_each_day() -> None:
    """Without a list: 正常班 the whole staff day with lunch at either wave (11:30, 12:30), 早班 leaving before
    lunch is due, 半天班 the shortest shift; weekends the same cut to 09:00–16:30; no 晚班 without a 班前会."""
    prob = tiny_problem([MONDAY, SATURDAY], config=sample_like())
    mon, sat = prob.days
    assert hours(prob, mon, posted_shifts(prob, mon)) == [
        ("正常班", "08:30–17:30", ["11:30", "12:30"]),
        ("早班", "08:30–14:30", []),
        ("半天班", "08:30–12:30", []),
    ]
    assert hours(prob, sat, posted_shifts(prob, sat)) == [
        ("正常班", "09:00–16:30", ["11:30", "12:30"]),
        ("早班", "09:00–15:00", []),
        ("半天班", "09:00–13:00", []),
    ]


def test_a_late_meeting_or_a_long_staff_day_brings_a_late_shift() -> None:
    """With a 班前会 at 12:45 the 晚班 runs from it to the close; a 10-hour staff day has a 晚班 of a full shift
    ending at the close (so both ends of the day are covered); never more than four shifts."""
    late = tiny_problem([MONDAY], config=sample_like(**{"rules.daily_routine.late_meeting": "12:45-13:00"}))
    shifts = posted_shifts(late, late.days[0])
    assert ("晚班", "12:45–17:30", []) in hours(late, late.days[0], shifts) and len(shifts) == 4
    long = tiny_problem([MONDAY], config=sample_like(**{"hours.workday": "08:30-17:30"}))
    names = hours(long, long.days[0], posted_shifts(long, long.days[0]))
    assert names[0] == ("正常班", "08:00–17:00", ["11:30", "12:30"])
    assert ("晚班", "09:00–18:00", ["11:30", "12:30"]) in names and len(names) <= 4


def test_listed_shifts_are_cut_to_the_day_and_keep_their_wave() -> None:
    """[[shifts.posted]]: a shift is cut to a shorter day's staff hours; its lunch wave is the one listed."""
    cfg = sample_like(
        **{
            "rules.shifts.posted": [
                {"name": "正常班", "start": "08:30", "end": "17:30", "lunch": 1},
                {"name": "晚班", "start": "09:30", "end": "18:30", "lunch": 2},
            ]
        }
    )
    prob = tiny_problem([MONDAY, SATURDAY], config=cfg)
    mon, sat = prob.days
    assert hours(prob, mon, posted_shifts(prob, mon)) == [
        ("正常班", "08:30–17:30", ["11:30"]),
        ("晚班", "09:30–17:30", ["12:30"]),
    ]
    assert [s.hours(sat) for s in posted_shifts(prob, sat)] == ["09:00–16:30", "09:30–16:30"]


def test_waves_listed_or_derived() -> None:
    """``waves`` on the grid as listed; otherwise ``lunch_waves`` spaced a lunch apart back from the window's end."""
    prob = tiny_problem([MONDAY], config=sample_like(**{"rules.shifts.waves": ["11:00", "12:15"]}))
    assert [fmt_hhmm(prob.days[0].slot_starts[k]) for k in wave_starts(prob, prob.days[0])] == [
        "11:00",
        "12:15",
    ]
    three = tiny_problem([MONDAY], config=sample_like(**{"rules.shifts.lunch_waves": 3}))
    got = [fmt_hhmm(three.days[0].slot_starts[k]) for k in wave_starts(three, three.days[0])]
    assert got == ["11:00", "11:30", "12:30"]


def test_leave_for_part_of_the_day_cuts_the_posted_shifts() -> None:
    """Back from a morning 经营分析会 at 12:00, C may work the rest of a posted shift (named as it); others may not."""
    prob = tiny_problem(
        [MONDAY], config=sample_like(), absences=[leave("C", MONDAY, "08:30-12:00", "经营分析会")]
    )
    day = prob.days[0]
    mine = hours(prob, day, person_shifts(prob, day, "C"))
    assert ("正常班", "12:00–17:30", []) in mine
    assert ("正常班", "12:00–17:30", []) not in hours(prob, day, person_shifts(prob, day, "D"))
    assert shift_label(prob, day, hm("12:00"), hm("17:30"), "C") == "正常班"
    assert shift_label(prob, day, hm("12:00"), hm("17:30"), "D") == ""


def test_the_model_has_only_the_posted_shifts() -> None:
    """Built by default, the model's shifts are the posted ones (the rule adds nothing); relaxed or explained,
    the shifts are free and the rule is encoded on them."""
    prob = tiny_problem([MONDAY], config=sample_like())
    built = build_model(prob)
    assert built.vars.shifts == "posted"
    assert {(t.start, t.end) for t, _ in built.vars._x[("C", MONDAY)]} == {
        (s.start, s.end) for s in posted_shifts(prob, prob.days[0])
    }
    assert build_model(prob, relax=("shifts",)).vars.shifts == "free"
    assert build_model(prob, assumptions=True).vars.shifts == "free"
    free = tiny_problem([MONDAY], config=sample_like(shifts="free"))
    assert build_model(free).vars.shifts == "free"


def test_relaxed_posted_shifts_still_solve_to_posted_shifts() -> None:
    """Relaxed (encoded on free shifts, each breach priced), the tiny day still keeps to the posted shifts."""
    prob = tiny_problem([MONDAY])
    result = solve(prob, SolveParams(time_limit_seconds=4.0, seed=0, workers=2, relax=("shifts",)))
    assert result.roster is not None
    assert not get_rule("shifts").check(prob, result.roster)


def test_a_lunch_off_its_wave_is_flagged() -> None:
    """A 正常班 whose lunch starts at 11:45 (waves 11:30 and 12:30) is flagged, naming the waves."""
    prob = tiny_problem([MONDAY], config=sample_like())
    roster = Roster(
        tuple(
            blocks(
                MONDAY,
                "C",
                ("08:30", "11:45", "back_office"),
                ("11:45", "12:45", "break"),
                ("12:45", "17:30", "back_office"),
            )
        )
    )
    found = get_rule("shifts").check(prob, roster)
    assert len(found) == 1 and "11:30, 12:30" in found[0].message_zh and "lunch wave" in found[0].message_en


def test_limits_mode_is_infeasible_with_two_starts_and_flags_three() -> None:
    """mode = "limits": one start time allowed and two needed → infeasible, blamed on the rule; a hand-made
    day with three start times is flagged."""
    result = solve(_two_starts(), FAST)
    assert result.status == "INFEASIBLE" and "shifts" in {v.rule for v in result.explanation}
    prob = tiny_problem([MONDAY], config=tiny_config(**{"rules.shifts.mode": "limits"}))
    roster = Roster(
        tuple(
            blocks(MONDAY, "B", ("08:30", "17:30", "back_office"))
            + blocks(MONDAY, "C", ("09:30", "17:30", "back_office"))
            + blocks(MONDAY, "D", ("10:30", "16:30", "back_office"))
        )
    )
    found = get_rule("shifts").check(prob, roster)
    assert any("3 start times" in v.message_en for v in found)


def test_free_shifts_switch_the_rule_off() -> None:
    """``shifts = "free"`` disables the rule; a ``[shifts]`` table sets its parameters."""
    assert not BranchConfig.model_validate({"shifts": "free"}).rules.shifts.enabled
    cfg = BranchConfig.model_validate({"shifts": {"waves": ["11:30", "12:30"]}})
    assert cfg.rules.shifts.enabled and cfg.rules.shifts.waves == (690, 750)


@pytest.mark.parametrize(
    ("shifts", "says"),
    [
        ({"posted": [{"name": "X", "start": "17:30", "end": "08:30"}]}, "must end after it starts"),
        ({"posted": [{"name": "X", "start": "08:30", "end": "17:30", "lunch": 3}]}, "lunch wave 3"),
        ({"posted": [{"name": "X", "start": "8h", "end": "17:30"}]}, "HH:MM"),
        ("flexible", 'shifts must be "free"'),
    ],
)
def test_bad_shifts_are_one_clear_message(tmp_path: Path, shifts: object, says: str) -> None:
    """A bad [shifts] section fails with one message naming the problem."""
    from constraints.config import load_config

    path = tmp_path / "branch.toml"
    if isinstance(shifts, str):
        path.write_text(f'shifts = "{shifts}"\n', encoding="utf-8")
    else:
        assert isinstance(shifts, dict)
        lines = ["[[shifts.posted]]"]
        for key, value in shifts["posted"][0].items():
            lines.append(f"{key} = {value!r}".replace("'", '"'))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=says):
        load_config(path)


def test_a_day_of_posted_shifts_solves_for_the_tiny_staff() -> None:
    """The tiny branch's Monday (a 班前会 at 11:30 brings a 晚班): a roster whose every shift is posted, checked
    clean."""
    prob = tiny_problem([MONDAY], staff=TINY_STAFF)
    result = solve(prob, FAST)
    assert result.roster is not None and not result.hard_violations
    for sid in prob.staff.ids():
        shift = result.roster.shift(MONDAY, sid)
        if shift:
            assert shift_label(prob, prob.days[0], *shift, sid), (sid, shift)


def test_the_week_sheet_names_a_posted_shift_and_reads_it_back() -> None:
    """A week-sheet cell says 正常班 08:30–17:30; read back it is the same shift (the name is a label only)."""
    from scheduler.report.workbook.week_sheet import parse_week_cell, week_cell

    prob = tiny_problem([MONDAY], config=sample_like())
    roster = Roster(
        tuple(
            blocks(
                MONDAY,
                "C",
                ("08:30", "11:30", "high_counter"),
                ("11:30", "12:30", "break"),
                ("12:30", "17:30", "high_counter"),
            )
            + blocks(MONDAY, "D", ("09:00", "17:30", "back_office"))
        )
    )
    cell = week_cell(roster, MONDAY, "C", prob)
    text = cell.text("zh")
    assert text.splitlines()[0] == "正常班 08:30–17:30"
    back = parse_week_cell(text)
    assert back == cell and back is not None and back.name == "正常班"
    assert week_cell(roster, MONDAY, "D", prob).text("zh").splitlines()[0] == "09:00–17:30"  # not posted
