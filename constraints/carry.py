"""What a week carries into the next: runs of working days, the rest since Sunday night, and the duties to
share fairly — read from last week's roster.

``paiban plan --previous-roster`` reads last week's roster (roster.csv or roster.xlsx) and carries into each
person of the staff list:

* ``prev_consecutive_days`` — days worked in a row up to the day before the plan (the labour rule's
  consecutive-days windows start from it; the staff file's 上周末连续工作天数 is the fallback without a roster);
* ``prev_shift_end`` — when their shift ended that day (the labour rule's rest between shifts holds across the
  week boundary);
* ``prev_weekend_days`` / ``prev_holiday_days`` / ``prev_late_days`` — the duties the fairness rule spreads
  among peers, counted over the weeks carried in and added to this week's.
"""

from __future__ import annotations

from collections.abc import Sequence

from constraints.calendar import Day
from constraints.roster import Roster
from constraints.staff import Person, Staff


def late_at(roster: Roster, day: Day, staff_id: str) -> bool:
    """True when the person is at work in the last minute of the day's staff time (the closing)."""
    if day.staff_hours is None:
        return False
    end = day.staff_hours.end
    return any(b.start <= end - 1 < b.end for b in roster.blocks_of(day.date, staff_id))


def carried_person(person: Person, roster: Roster, days: Sequence[Day]) -> Person:
    """The person with what ``roster`` over ``days`` (the days just before the plan, in order) carries in."""
    p = person.staff_id
    run = 0
    for day in reversed(days):
        if not roster.works(day.date, p):
            break
        run += 1
    last = roster.shift(days[-1].date, p) if days else None
    worked = [d for d in days if roster.works(d.date, p)]
    return person.model_copy(
        update={
            "prev_consecutive_days": min(run, 31),
            "prev_shift_end": last[1] if last else None,
            "prev_weekend_days": sum(1 for d in worked if d.day_type == "weekend"),
            "prev_holiday_days": sum(1 for d in worked if d.day_type == "holiday"),
            "prev_late_days": sum(1 for d in worked if late_at(roster, d, p)),
        }
    )


def carried_staff(staff: Staff, roster: Roster, days: Sequence[Day]) -> Staff:
    """Everyone with what last week's ``roster`` (over its ``days``, ending the day before the plan) carries in."""
    ordered = sorted(days, key=lambda d: d.date)
    return Staff(people=tuple(carried_person(p, roster, ordered) for p in staff))
