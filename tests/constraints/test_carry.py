"""Tests of constraints.carry: what last week's roster carries into the next week, and the rules that use it."""

from __future__ import annotations

import datetime as dt

from factories import MONDAY, TINY_WEEK_STAFF, days_of, tiny_config, tiny_problem

from constraints.carry import carried_staff
from constraints.config import parse_hhmm
from constraints.roster import Block, Roster
from constraints.rules import check_roster

LAST_WEEK = [MONDAY - dt.timedelta(days=7 - i) for i in range(7)]
SUNDAY = LAST_WEEK[-1]


def shift(date: dt.date, sid: str, start: str, end: str) -> Block:
    """A block of back-office work."""
    return Block(date, sid, parse_hhmm(start), parse_hhmm(end), "back_office")


def test_runs_rest_and_duties_are_carried() -> None:
    """C worked Tuesday to Sunday (the weekend to closing), D only Monday to Friday: C carries six days in a
    row, Sunday's end, two weekend and two late days; D none of them (the staff file's value is replaced)."""
    cfg = tiny_config()
    days = days_of(cfg, LAST_WEEK)
    staff = TINY_WEEK_STAFF
    d_file = staff.by_id("D").model_copy(update={"prev_consecutive_days": 3})
    staff = staff.model_copy(update={"people": tuple(d_file if p.staff_id == "D" else p for p in staff)})
    blocks = [shift(d, "C", "09:00", "16:30") for d in LAST_WEEK[1:]]
    blocks += [shift(d, "D", "08:30", "17:30") for d in LAST_WEEK[:5]]
    carried = carried_staff(staff, Roster(tuple(blocks)), days)
    c, d = carried.by_id("C"), carried.by_id("D")
    assert (c.prev_consecutive_days, c.prev_shift_end) == (6, parse_hhmm("16:30"))
    assert (c.prev_weekend_days, c.prev_holiday_days, c.prev_late_days) == (2, 0, 2)
    assert (d.prev_consecutive_days, d.prev_shift_end, d.prev_weekend_days) == (0, None, 0)
    assert d.prev_late_days == 5
    assert carried.by_id("A").prev_consecutive_days == 0


def test_check_flags_a_seventh_day_and_short_rest_across_the_week() -> None:
    """With six days carried in, working Monday breaks the consecutive-days limit; with Sunday's shift ending
    at 23:00, starting Monday at 08:30 breaks the 12 h rest — the labour check names both, dated Monday."""
    cfg = tiny_config()
    days = days_of(cfg, LAST_WEEK)
    blocks = [shift(d, "C", "09:00", "16:30") for d in LAST_WEEK[1:]]
    previous = Roster((*blocks, shift(SUNDAY, "D", "14:00", "23:00")))
    staff = carried_staff(TINY_WEEK_STAFF, previous, days)
    prob = tiny_problem([MONDAY], staff=staff, demand=False)
    monday = Roster((shift(MONDAY, "C", "09:00", "13:00"), shift(MONDAY, "D", "08:30", "12:30")))
    found = [v for v in check_roster(prob, monday) if v.rule == "labour"]
    assert any(v.date == MONDAY and v.staff_ids == ("C",) and "连续" in v.message_zh for v in found)
    rest = [v for v in found if v.staff_ids == ("D",) and "间隔" in v.message_zh]
    assert len(rest) == 1 and rest[0].date == MONDAY and "23:00" in rest[0].message_zh
    later = Roster((shift(MONDAY, "D", "11:00", "15:00"),))
    assert not [v for v in check_roster(prob, later) if v.rule == "labour" and "间隔" in v.message_zh]
