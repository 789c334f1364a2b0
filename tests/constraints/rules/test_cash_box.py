"""Tests of constraints.rules.cash_box (领尾箱/交尾箱, part of the daily routine): a solved day keeps back-office
time before each person's first counter slot and after the last; a day where a teller can reach the counter
only straight from leave is infeasible, and feasible with the rule off; a hand-made roster is flagged."""

from __future__ import annotations

import dataclasses

from factories import MONDAY, TINY_STAFF, TINY_WEEK_STAFF, leave, person, tiny_config, tiny_problem
from roster_fixtures import blocks

from constraints.config import COUNTER_TYPES, RULE_NAMES, BranchConfig
from constraints.config import parse_hhmm as hm
from constraints.problem import Problem
from constraints.roster import Block, Roster
from constraints.rules import check_roster, get_rule
from constraints.rules.cash_box import box_slots, meeting_room
from constraints.rules.daily_routine import meeting_slots
from constraints.staff import Staff
from scheduler.solver.result import SolveParams
from scheduler.solver.solve import solve

FAST = SolveParams(time_limit_seconds=4.0, seed=0, workers=2)


BOX = "rules.daily_routine.cash_box_minutes"


def boxed(**updates: object) -> BranchConfig:
    """The tiny config with a 15-minute cash box (off by default; the factory leaves it off)."""
    return tiny_config(**{BOX: 15, **updates})


def only(*rules: str, **updates: object) -> BranchConfig:
    """The boxed tiny config with every rule but ``rules`` switched off."""
    return boxed(**{f"rules.{r}.enabled": False for r in RULE_NAMES if r not in rules}, **updates)


def box_messages(prob: Problem, roster: Roster) -> list[str]:
    """The daily routine's cash-box violations (English)."""
    return [v.message_en for v in get_rule("daily_routine").check(prob, roster) if "cash box" in v.message_en]


def test_the_box_takes_whole_slots_and_fits_beside_a_short_meeting() -> None:
    """15 minutes take one slot of 30; a 15-minute 晨会 leaves room for it in its 30-minute slot, not for 20
    minutes, and a 60-minute meeting fills its slots; 0 switches the rule off."""
    assert (
        BranchConfig().rules.daily_routine.cash_box_minutes == 0
    )  # off by default for now (benchmarks/README)
    prob = tiny_problem([MONDAY], config=boxed())
    day = prob.days[0]
    meet = meeting_slots(prob, day)
    assert box_slots(prob, day) == 1 and meeting_room(prob, day, meet) == set(meet) == {0}
    twenty = tiny_problem([MONDAY], config=boxed(**{BOX: 20}))
    assert meeting_room(twenty, twenty.days[0], meet) == set()
    off = tiny_problem([MONDAY], config=boxed(**{BOX: 0}))
    assert box_slots(off, off.days[0]) == 0
    long = tiny_problem([MONDAY], config=boxed(**{BOX: 45}))
    assert box_slots(long, long.days[0]) == 2


def test_a_solved_day_draws_and_hands_in_the_box() -> None:
    """A day of the tiny branch's week staff (every rule on): each person who works a counter does back office
    (or the 晨会 with room beside it) right before the first counter slot and back office right after the last."""
    prob = tiny_problem([MONDAY], config=boxed(), staff=TINY_WEEK_STAFF)
    result = solve(prob, FAST)
    assert result.roster is not None, result.explanation
    assert not [v for v in check_roster(prob, result.roster) if v.hard]
    day = prob.days[0]
    grid = result.roster.grid(day, prob.staff.ids())
    room = meeting_room(prob, day, meeting_slots(prob, day))
    tellers = 0
    for row in grid:
        at = [s for s, a in enumerate(row) if a in COUNTER_TYPES]
        if not at:
            continue
        tellers += 1
        assert row[at[0] - 1] == "back_office" or (row[at[0] - 1] == "meeting" and at[0] - 1 in room)
        assert row[at[-1] + 1] == "back_office"
    assert tellers >= 2


def _straight_from_leave(minutes: int) -> Problem:
    """Teller C is away until 12:00 and the noon rule wants one at the high counter 12:00–12:30: C can only go
    to the counter at 12:00, with no time before it to draw the cash box (A opens, hosts and closes)."""
    cfg = only(
        "daily_routine",
        "availability",
        "skills",
        "noon_two_at_high_counter",
        **{
            "rules.noon_two_at_high_counter.count": 1,
            "rules.noon_two_at_high_counter.window": "12:00-12:30",
            "rules.noon_two_at_high_counter.all_day_on": [],
            "rules.daily_routine.min_at_open_close": 1,
            "rules.daily_routine.late_meeting": None,
            BOX: minutes,
        },
    )
    staff = Staff(people=(TINY_STAFF.by_id("A"), person("C", "personal_teller", ["high_counter"])))
    return tiny_problem(
        [MONDAY], config=cfg, staff=staff, absences=[leave("C", MONDAY, "08:30-12:00", "培训")]
    )


def test_no_time_to_draw_the_box_is_infeasible_and_explained() -> None:
    """Straight from leave to the counter: infeasible with the box, explained by the daily routine; with
    ``cash_box_minutes = 0`` the same day solves."""
    result = solve(_straight_from_leave(15), FAST)
    assert result.status == "INFEASIBLE"
    assert "daily_routine" in {v.rule for v in result.explanation}
    off = solve(_straight_from_leave(0), FAST)
    assert off.roster is not None, off.explanation


def test_a_hand_made_roster_without_the_box_is_flagged() -> None:
    """C goes from the 晨会 to the counter and hands in after (fine); D comes from lunch to a first counter slot
    and leaves the counter straight for the door; E at the 晨会 leaves no room for 20 minutes."""
    prob = tiny_problem([MONDAY], config=boxed())
    c = blocks(
        MONDAY,
        "C",
        ("08:30", "09:00", "meeting"),
        ("09:00", "11:00", "high_counter"),
        ("11:00", "12:00", "break"),
        ("12:00", "17:00", "high_counter"),
        ("17:00", "17:30", "back_office"),
    )
    d = blocks(
        MONDAY,
        "D",
        ("08:30", "09:00", "meeting"),
        ("09:00", "11:00", "back_office"),
        ("11:00", "12:00", "break"),
        ("12:00", "17:00", "high_counter"),
    )
    found = box_messages(prob, Roster(tuple(c + d)))
    assert len(found) == 2 and all("PD" in m for m in found)
    assert "starts at the counter at 12:00" in found[0] and "leaves the counter at 17:00" in found[1]
    v = next(x for x in get_rule("daily_routine").check(prob, Roster(tuple(d))) if "领尾箱" in x.message_zh)
    assert (v.start, v.end, v.staff_ids) == (hm("11:30"), hm("12:00"), ("D",))
    twenty = prob.replace(config=prob.config.copy_with(**{BOX: 20}))
    assert [m for m in box_messages(twenty, Roster(tuple(c))) if "09:00" in m]
    off = prob.replace(config=prob.config.copy_with(**{BOX: 0}))
    assert box_messages(off, Roster(tuple(c + d))) == []


def test_outreach_read_back_is_draw_time() -> None:
    """A written roster labels a sales post's back office 营销外拓 (outreach): read back, that time still counts
    as the draw and the hand-in (the rules treat the two alike); the lobby does not."""
    prob = tiny_problem([MONDAY], config=boxed())
    e = blocks(
        MONDAY,
        "E",
        ("08:30", "09:00", "meeting"),
        ("09:00", "10:00", "outreach"),
        ("10:00", "11:00", "low_counter"),
        ("11:00", "11:30", "outreach"),
        ("11:30", "12:30", "break"),
        ("12:30", "17:30", "lobby"),
    )
    assert box_messages(prob, Roster(tuple(e))) == []
    lobby_first = [b if b.end != hm("10:00") else Block(MONDAY, "E", b.start, b.end, "lobby") for b in e]
    found = box_messages(prob, Roster(tuple(lobby_first)))
    assert len(found) == 1 and "starts at the counter at 10:00" in found[0]


def test_a_relaxed_box_is_broken_only_where_it_must_be() -> None:
    """With ``--relax daily_routine`` the day straight from leave to the counter gets a roster, and the only
    cash-box finding is C's draw at 12:00 (the clauses take the rule's relaxation literal like any other)."""
    result = solve(_straight_from_leave(15), dataclasses.replace(FAST, relax=("daily_routine",)))
    assert result.roster is not None
    found = box_messages(_straight_from_leave(15), result.roster)
    assert found and all("PC" in m and "starts at the counter at 12:00" in m for m in found)
