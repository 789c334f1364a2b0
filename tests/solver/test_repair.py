"""Tests of scheduler.solver.repair: CP-SAT hinted with the roster to repair."""

from __future__ import annotations

import datetime as dt

from factories import MONDAY, TINY_WEEK_STAFF, leave, tiny_problem

from constraints.rules import check_roster
from scheduler.app.replan import without_conflicts
from scheduler.solver.model import Keep
from scheduler.solver.repair import hinted_repair
from scheduler.solver.result import SolveParams
from scheduler.solver.solve import solve

TUESDAY = MONDAY + dt.timedelta(days=1)
CUT = dt.datetime.combine(TUESDAY, dt.time(0))


def test_a_roster_that_still_holds_comes_back_as_given() -> None:
    """Nothing new: the repair returns the roster itself, having used little of its budget."""
    prob = tiny_problem([MONDAY, TUESDAY], staff=TINY_WEEK_STAFF)
    before = solve(prob, SolveParams(time_limit_seconds=2.0)).roster
    assert before is not None
    fixed = hinted_repair(prob, SolveParams(time_limit_seconds=2.0, keep=Keep(before, CUT, 100.0)), before)
    assert fixed.status == "AS_GIVEN" and fixed.roster == before and fixed.used < 1


def test_an_absence_is_repaired_around_the_roster() -> None:
    """Someone off sick on Tuesday: the repair keeps Monday, leaves them off, holds every rule, and changes
    fewer people than worked Tuesday (it follows the roster, it does not staff the day afresh)."""
    prob = tiny_problem([MONDAY, TUESDAY], staff=TINY_WEEK_STAFF)
    before = solve(prob, SolveParams(time_limit_seconds=2.0)).roster
    assert before is not None
    who = next(p for p in prob.staff.ids() if before.works(TUESDAY, p))
    new = prob.replace(absences=(leave(who, TUESDAY),))
    start = without_conflicts(new, before, CUT)
    fixed = hinted_repair(new, SolveParams(time_limit_seconds=3.0, keep=Keep(before, CUT, 100.0)), start)
    after = fixed.roster
    assert after is not None and fixed.status in ("OPTIMAL", "FEASIBLE")
    assert not after.works(TUESDAY, who)
    assert all(after.blocks_of(MONDAY, p) == before.blocks_of(MONDAY, p) for p in prob.staff.ids())
    assert not [v for v in check_roster(new, after) if v.hard]
    ids = prob.staff.ids()
    day = new.day(TUESDAY)
    changed = [p for i, p in enumerate(ids) if (after.grid(day, ids)[i] != before.grid(day, ids)[i]).any()]
    assert who in changed and len(changed) < len([p for p in ids if before.works(TUESDAY, p)])
