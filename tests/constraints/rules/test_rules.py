"""Tests generated from the rule registry: for every rule a feasible and an infeasible tiny case (the infeasible
one becomes feasible when only that rule is switched off), and a hand-made roster its ``check`` flags."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from factories import (
    MONDAY,
    SATURDAY,
    TINY_STAFF,
    TINY_WEEK_STAFF,
    days_of,
    leave,
    person,
    tiny_config,
    tiny_problem,
)
from roster_fixtures import blocks

from constraints.config import RULE_NAMES, BranchConfig
from constraints.config import parse_hhmm as hm
from constraints.problem import Problem
from constraints.roster import Block, Roster
from constraints.rules import RULES, check_roster, enabled_rules, get_rule, precheck
from constraints.staff import Staff
from scheduler.solver.result import SolveParams
from scheduler.solver.solve import solve

FAST = SolveParams(time_limit_seconds=4.0, seed=0, workers=2)


def only(*rules: str, **updates: object) -> BranchConfig:
    """The tiny config with every rule but ``rules`` switched off (dotted-key updates apply)."""
    off = {f"rules.{r}.enabled": False for r in RULE_NAMES if r not in rules}
    return tiny_config(**off, **updates)


ONLY_C = Staff(people=(person("C", "personal_teller", ["high_counter", "low_counter"]),))
"""One teller: the smallest branch for the run-length cases."""


@dataclass
class Case:
    """The tiny cases of one rule."""

    feasible: Callable[[], Problem]
    infeasible: Callable[[], Problem] | None
    flagged: Callable[[], tuple[Problem, Roster]]
    explained_by: str | None = None  # the rule an explanation names (default: the rule itself)
    notes: list[str] = field(default_factory=list)


def _short_stay(rules: tuple[str, ...], **updates: object) -> Problem:
    """Teller C can only be at work 12:00–12:30 and the noon rule wants one at the high counter then."""
    cfg = only(
        *rules,
        **{
            "rules.noon_two_at_high_counter.count": 1,
            "rules.noon_two_at_high_counter.window": "12:00-12:30",
            "rules.noon_two_at_high_counter.all_day_on": [],
            "rules.labour.min_shift_hours": 0.5,
        },
        **updates,
    )
    away = [leave("C", MONDAY, "08:30-12:00", "培训"), leave("C", MONDAY, "12:30-17:30", "培训")]
    return tiny_problem([MONDAY], config=cfg, staff=ONLY_C, absences=away)


def _flag_demand() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY])
    r = Roster(
        tuple(
            b
            for sid in ("B", "C", "D")
            for b in blocks(MONDAY, sid, ("10:00", "11:00", "high_counter"))  # 3 people, 2 windows
        )
    )
    return prob, r


def _flag_noon() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY])
    r = Roster(tuple(blocks(MONDAY, "C", ("11:30", "13:30", "high_counter"))))
    return prob, r


def _flag_permission() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY])
    r = Roster(tuple(blocks(MONDAY, "C", ("09:00", "17:00", "back_office"))))
    return prob, r


def _flag_lobby() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY])
    r = Roster(tuple(blocks(MONDAY, "E", ("09:00", "12:00", "lobby"), ("12:00", "17:00", "back_office"))))
    return prob, r


def _flag_lunch() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY])
    r = Roster(tuple(blocks(MONDAY, "C", ("08:30", "16:30", "back_office"))))
    return prob, r


def _flag_routine() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY])
    r = Roster(
        tuple(blocks(MONDAY, "C", ("08:30", "12:00", "back_office")))
    )  # on the opening shift, no meeting
    return prob, r


def _posted_morning_only() -> Problem:
    """The branch posts one morning shift (08:30–12:30) but the noon rule wants a teller at the high counter
    until 13:30: no posted shift reaches it (a free shift would)."""
    cfg = only(
        "shifts",
        "noon_two_at_high_counter",
        **{
            "rules.shifts.posted": [{"name": "早班", "start": "08:30", "end": "12:30"}],
            "rules.noon_two_at_high_counter.count": 1,
            "rules.noon_two_at_high_counter.window": "12:00-13:30",
            "rules.noon_two_at_high_counter.all_day_on": [],
        },
    )
    return tiny_problem([MONDAY], config=cfg, staff=ONLY_C)


def _flag_shifts() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY])
    r = Roster(
        tuple(
            blocks(MONDAY, "B", ("08:30", "17:30", "back_office"))
            + blocks(MONDAY, "C", ("09:30", "17:30", "back_office"))
            + blocks(MONDAY, "D", ("10:30", "16:30", "back_office"))
        )
    )  # three start times
    return prob, r


def _flag_labour() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY])
    r = Roster(
        tuple(blocks(MONDAY, "C", ("08:30", "10:00", "back_office"), ("14:00", "17:30", "back_office")))
    )
    return prob, r


def _flag_availability() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY], absences=[leave("C", MONDAY, "09:00-12:00", "经营分析会")])
    r = Roster(tuple(blocks(MONDAY, "C", ("08:30", "13:00", "back_office"))))
    return prob, r


def _flag_skills() -> tuple[Problem, Roster]:
    prob = tiny_problem([MONDAY])
    r = Roster(
        tuple(blocks(MONDAY, "A", ("09:00", "11:00", "high_counter")))
    )  # the president has no cash skill
    return prob, r


def _flag_fairness() -> tuple[Problem, Roster]:
    staff = Staff(
        people=tuple(
            p if p.staff_id != "C" else p.model_copy(update={"prefer_off": frozenset({0})})
            for p in TINY_STAFF
        )
    )
    prob = tiny_problem([MONDAY], staff=staff)
    r = Roster(tuple(blocks(MONDAY, "C", ("09:00", "12:00", "back_office"))))
    return prob, r


CASES: dict[str, Case] = {
    "demand": Case(
        feasible=lambda: tiny_problem([MONDAY]),
        infeasible=lambda: _short_stay(
            ("demand", "noon_two_at_high_counter", "availability"), **{"rules.demand.min_open_minutes": 60}
        ),
        flagged=_flag_demand,
    ),
    "noon_two_at_high_counter": Case(
        feasible=lambda: tiny_problem([SATURDAY]),
        infeasible=lambda: tiny_problem([SATURDAY], absences=[leave("C", SATURDAY), leave("D", SATURDAY)]),
        flagged=_flag_noon,
    ),
    "permission_holder": Case(
        feasible=lambda: tiny_problem([MONDAY], config=only("permission_holder", "availability")),
        infeasible=lambda: tiny_problem(
            [MONDAY],
            config=only("permission_holder", "availability"),
            absences=[leave("A", MONDAY), leave("B", MONDAY, "13:00-17:30", "季度谈话")],
        ),
        flagged=_flag_permission,
    ),
    "lobby_manager": Case(
        feasible=lambda: tiny_problem([MONDAY], config=only("lobby_manager", "availability")),
        infeasible=lambda: tiny_problem(
            [MONDAY],
            config=only("lobby_manager", "availability"),
            absences=[leave("E", MONDAY), leave("F", MONDAY)],
        ),
        flagged=_flag_lobby,
    ),
    "lunch": Case(
        feasible=lambda: tiny_problem([SATURDAY], config=only("lunch", "noon_two_at_high_counter")),
        infeasible=lambda: tiny_problem(
            [SATURDAY],
            config=only(
                "lunch",
                "noon_two_at_high_counter",
                **{
                    "rules.noon_two_at_high_counter.count": 3,
                    "windows": {"high_counter": 3, "low_counter": 1, "corporate_counter": 0},
                },
            ),
        ),
        flagged=_flag_lunch,
    ),
    "daily_routine": Case(
        feasible=lambda: tiny_problem([MONDAY], config=only("daily_routine", "availability")),
        infeasible=lambda: tiny_problem(
            [MONDAY],
            config=only("daily_routine", "availability"),
            absences=[leave("A", MONDAY, "15:00-17:30", "外出"), leave("B", MONDAY, "16:00-17:30", "外出")],
        ),
        flagged=_flag_routine,
    ),
    "labour": Case(
        feasible=lambda: tiny_problem([MONDAY], config=only("labour")),
        infeasible=lambda: tiny_problem([MONDAY], config=only("labour", **{"labor.max_daily_hours": 3})),
        flagged=_flag_labour,
    ),
    "availability": Case(
        feasible=lambda: tiny_problem([MONDAY], absences=[leave("C", MONDAY)]),
        infeasible=lambda: tiny_problem(
            [SATURDAY],
            config=only("availability", "noon_two_at_high_counter"),
            absences=[leave("C", SATURDAY), leave("D", SATURDAY)],
        ),
        flagged=_flag_availability,
        explained_by="noon_two_at_high_counter",
    ),
    "skills": Case(
        feasible=lambda: tiny_problem([MONDAY], config=only("skills")),
        infeasible=lambda: _short_stay(("skills", "noon_two_at_high_counter", "availability")),
        flagged=_flag_skills,
    ),
    "shifts": Case(
        feasible=lambda: tiny_problem([MONDAY]),
        infeasible=_posted_morning_only,
        flagged=_flag_shifts,
    ),
    "fairness": Case(
        feasible=lambda: tiny_problem([MONDAY, SATURDAY]),
        infeasible=None,  # soft: it prices, it never forbids
        flagged=_flag_fairness,
    ),
}


def test_every_rule_has_cases() -> None:
    """The registry and the cases list the same rules, so a new rule cannot ship without tests."""
    assert set(CASES) == {r.name for r in RULES} == set(RULE_NAMES)


def test_registry_order_and_lookup() -> None:
    """RULES follows config.rules; get_rule finds each by name and rejects unknown names."""
    assert tuple(r.name for r in RULES) == RULE_NAMES
    for r in RULES:
        assert get_rule(r.name) is r
        assert r.label_zh and r.label_en and r.kind in ("hard", "soft")
    with pytest.raises(KeyError, match="unknown rule"):
        get_rule("no_such_rule")


def test_disabled_rules_are_skipped() -> None:
    """A rule switched off in the config is neither encoded nor checked."""
    cfg = tiny_config(**{"rules.noon_two_at_high_counter.enabled": False})
    assert "noon_two_at_high_counter" not in [r.name for r in enabled_rules(cfg)]
    prob, roster = _flag_noon()
    prob = prob.replace(config=cfg)
    assert not [v for v in check_roster(prob, roster) if v.rule == "noon_two_at_high_counter"]


@pytest.mark.parametrize("name", list(CASES))
def test_feasible_case_solves_and_passes_the_check(name: str) -> None:
    """The rule's feasible tiny case gives a roster that its own check (and every other) accepts."""
    prob = CASES[name].feasible()
    result = solve(prob, FAST)
    assert result.status in ("OPTIMAL", "FEASIBLE"), result.explanation
    assert result.roster is not None
    assert not [v for v in get_rule(name).check(prob, result.roster) if v.hard]
    assert not result.hard_violations


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.infeasible is not None])
def test_infeasible_case_is_reported_and_blames_the_rule(name: str) -> None:
    """The infeasible case has no roster, names the rule, and solves once only this rule is off."""
    case = CASES[name]
    assert case.infeasible is not None
    prob = case.infeasible()
    result = solve(prob, FAST)
    assert result.status == "INFEASIBLE"
    assert result.roster is None
    assert (case.explained_by or name) in {v.rule for v in result.explanation}
    off = prob.replace(config=prob.config.copy_with(**{f"rules.{name}.enabled": False}))
    again = solve(off, FAST)
    assert again.status in ("OPTIMAL", "FEASIBLE"), again.explanation


@pytest.mark.parametrize("name", list(CASES))
def test_hand_made_roster_is_flagged(name: str) -> None:
    """A roster written by hand that breaks the rule is flagged by its check, with a bilingual message."""
    prob, roster = CASES[name].flagged()
    found = get_rule(name).check(prob, roster)
    assert found, f"{name} did not flag the hand-made roster"
    for v in found:
        assert v.rule == name
        assert v.message_zh and v.message_en
        assert v.hard == (get_rule(name).kind == "hard") or not v.hard


def test_check_survives_odd_rosters() -> None:
    """Shifts in pieces, overlaps, unknown people, work on a closed day: every check runs and labour flags them."""
    prob = tiny_problem([MONDAY, dt.date(2026, 10, 1)])  # National Day: closed
    odd = Roster(
        tuple(
            blocks(MONDAY, "C", ("08:30", "10:00", "high_counter"), ("09:30", "11:00", "back_office"))
            + blocks(MONDAY, "C", ("14:00", "15:00", "low_counter"))
            + blocks(MONDAY, "ZZ", ("09:00", "10:00", "back_office"))
            + blocks(dt.date(2026, 10, 1), "D", ("09:00", "12:00", "back_office"))
            + blocks(MONDAY, "E", ("07:00", "09:00", "back_office"))
        )
    )
    found = check_roster(prob, odd)
    labour = " ".join(v.message_en for v in found if v.rule == "labour")
    assert "in pieces" in labour
    assert "two activities at once" in labour
    assert "not in the staff list" in labour
    assert "closed" in labour
    assert "outside staff time" in labour


def test_precheck_names_people_and_leave_reasons() -> None:
    """The noon precheck says who is available and why the others are not, in Chinese and English."""
    prob = tiny_problem(
        [SATURDAY], absences=[leave("C", SATURDAY, reason="年休假"), leave("D", SATURDAY, reason="病假")]
    )
    found = [v for v in precheck(prob) if v.rule == "noon_two_at_high_counter"]
    assert found
    v = found[0]
    assert "只有 1 名可用: PB" in v.message_zh and "PC 年休假" in v.message_zh and "PD 病假" in v.message_zh
    assert "1 available: PB" in v.message_en
    assert v.start == hm("09:30") and v.end == hm("16:00")


def test_fairness_check_reports_soft_notes_only() -> None:
    """Fairness never produces a hard violation."""
    prob, roster = _flag_fairness()
    found = get_rule("fairness").check(prob, roster)
    assert found and all(not v.hard for v in found)


def test_lunch_geometry_follows_the_window_and_the_shift_limit() -> None:
    """Lunch starts keep the whole lunch inside the window; more than min_shift_hours needs a lunch."""
    from constraints.rules.lunch import lunch_slots, lunch_starts, slots_without_lunch

    prob = tiny_problem([MONDAY])
    day, cfg = prob.days[0], prob.config.lunch
    starts = lunch_starts(prob, day)
    assert starts and lunch_slots(prob, day) * day.slot_minutes == cfg.minutes
    assert all(cfg.window.start <= day.slot_starts[k] <= cfg.window.end - cfg.minutes for k in starts)
    inside = [
        k
        for k in range(len(day.slot_starts))
        if cfg.window.start <= day.slot_starts[k] <= cfg.window.end - cfg.minutes
    ]
    assert starts == inside
    assert slots_without_lunch(prob, day) * day.slot_minutes == cfg.min_shift_hours * 60
    none = tiny_problem([MONDAY], config=tiny_config(**{"lunch.minutes": 0}))
    assert lunch_starts(none, none.days[0]) == []


def test_labour_pay_prices_hours_overtime_rest_day_and_holiday() -> None:
    """labour.pay: 60 CNY/h for every paid hour, overtime above 40 h at +50 %, a sixth day at +100 % of a full
    day, holiday hours at +200 %, and the contract hours of someone who does not work paid all the same."""
    from constraints.rules import labour

    days = list(days_of(tiny_config(), [MONDAY + dt.timedelta(days=k) for k in range(7)]))
    days[2] = dataclasses.replace(days[2], day_type="holiday")  # Wednesday, open as on a workday
    staff = Staff(people=(person("C", "personal_teller", ["high_counter"]), person("Z", "personal_teller")))
    prob = Problem(config=tiny_config(), staff=staff, days=tuple(days))
    week = [
        b
        for k in range(6)  # Monday to Saturday, 8 h a day
        for b in blocks(
            MONDAY + dt.timedelta(days=k),
            "C",
            ("09:00", "11:00", "high_counter"),
            ("11:00", "12:00", "break"),
            ("12:00", "16:00", "high_counter"),
            ("16:00", "18:00", "back_office"),
        )
    ]
    pay = labour.pay(prob, Roster(tuple(week)))
    assert pay.worked[MONDAY] == 480.0 and pay.worked[MONDAY + dt.timedelta(days=6)] == 0.0
    assert pay.holiday == {d.date: 960.0 if d.day_type == "holiday" else 0.0 for d in days}
    assert pay.overtime == 8 * 30.0  # 48 h against a 40 h contract
    assert pay.rest_day == 1 * 8 * 60.0  # one day beyond the standard five, priced as a full day
    assert pay.unused_contract == 32 * 60.0  # Z works none of the contract's 32 h of a week with a holiday
    assert pay.salary == 48 * 60.0 + 32 * 60.0
    assert pay.terms()[labour.SALARY] == pay.salary and pay.unused_penalty == 32 * 10.0


def test_each_authority_precheck_names_the_lone_holder_and_the_leave() -> None:
    """Under ``each`` (the default) a day with one branch holder free is explained by authority, date, lunch
    time and people; the solver reports it as infeasible; under ``any`` the message names the pooled group."""
    assert tiny_config().rules.permission_holder.require == "each"
    prob = tiny_problem([MONDAY], absences=[leave("B", MONDAY, reason="年休假")])
    found = [v for v in precheck(prob) if v.rule == "permission_holder"]
    assert found, "a lone branch holder all day was not flagged"
    v = found[0]
    assert "只有 PA 能担当支行长权限" in v.message_zh and "PB 年休假" in v.message_zh
    assert "only PA can hold the branch authority" in v.message_en
    assert (v.date, v.start, v.end) == (MONDAY, hm("11:00"), hm("13:30"))
    result = solve(prob, FAST)
    assert result.status == "INFEASIBLE"
    assert any("PA" in e.message_zh and e.rule == "permission_holder" for e in result.explanation)
    relaxed = prob.replace(config=prob.config.copy_with(**{"rules.permission_holder.require": "any"}))
    pooled = [v for v in precheck(relaxed) if v.rule == "permission_holder"]
    assert len(pooled) == 1 and "只有 PA 能担当支行长权限或营业主管权限" in pooled[0].message_zh


def test_each_authority_check_flags_an_operations_gap_while_branch_is_covered() -> None:
    """With only the branch-only delegate present over lunch, ``each`` flags the operations authority, ``any``
    does not."""
    staff = Staff(people=(*TINY_STAFF.people, person("H", "sales_supervisor", ["lobby"], ["branch"])))
    prob = tiny_problem([MONDAY], staff=staff)
    roster = Roster(
        tuple(
            blocks(MONDAY, "A", ("08:30", "12:00", "lobby"), ("13:00", "17:30", "lobby"))
            + blocks(MONDAY, "H", ("08:30", "17:30", "back_office"))
        )
    )
    found = get_rule("permission_holder").check(prob, roster)
    assert [(v.start, v.end) for v in found] == [(hm("12:00"), hm("13:00"))]
    assert "营业主管权限" in found[0].message_zh
    relaxed = prob.replace(config=prob.config.copy_with(**{"rules.permission_holder.require": "any"}))
    assert not get_rule("permission_holder").check(relaxed, roster)


def test_everyone_on_duty_attends_the_morning_meeting() -> None:
    """Without a 班前会 every person who works the day is at the whole 晨会 (the seed), hosted by a
    branch-authority holder; a roster with someone starting at 10:00 is flagged, unless the branch asks only
    the opening shift, or a 班前会 they attend covers the later shift."""
    cfg = tiny_config(
        **{"rules.daily_routine.late_meeting": None, "rules.noon_two_at_high_counter.enabled": False}
    )
    prob = tiny_problem([MONDAY], config=cfg)
    result = solve(prob, FAST)
    assert result.roster is not None, result.explanation
    day = prob.days[0]
    meet = [s for s, t in enumerate(day.slot_starts) if hm("08:30") <= t < hm("08:45")]
    grid = result.roster.grid(day, prob.staff.ids())
    on_duty = [p for p, sid in enumerate(prob.staff.ids()) if result.roster.works(MONDAY, sid)]
    assert on_duty and all(grid[p, s] == "meeting" for p in on_duty for s in meet)
    assert any(grid[prob.staff.ids().index(h), meet[0]] == "meeting" for h in ("A", "B"))

    late = Roster(
        tuple(
            blocks(MONDAY, "A", ("08:30", "09:00", "meeting"), ("09:00", "17:30", "lobby"))
            + blocks(MONDAY, "C", ("10:00", "17:30", "back_office"))
        )
    )
    rule = get_rule("daily_routine")
    missed = [v for v in rule.check(prob, late) if "晨会" in v.message_zh and "PC" in v.message_zh]
    assert missed and "当天在岗者未参加晨会" in missed[0].message_zh
    for updates in (
        {"rules.daily_routine.meeting_for": "opening_shift"},
        {"rules.daily_routine.late_meeting": "11:30-12:00"},
    ):
        other = prob.replace(config=prob.config.copy_with(**updates))
        assert not [v for v in rule.check(other, late) if "未参加晨会" in v.message_zh]
    briefing_missed = prob.replace(
        config=prob.config.copy_with(**{"rules.daily_routine.late_meeting": "09:30-10:30"})
    )
    assert [v for v in rule.check(briefing_missed, late) if "未参加晨会" in v.message_zh]


def test_a_late_shift_may_start_at_opening_when_a_briefing_is_set() -> None:
    """With a 班前会 a later shift may start when the doors open (an hourly branch's 晚班 09:00–18:00 after the
    08:00 晨会) and be briefed there; whoever is at work during the 晨会 attends it, so an early starter doing
    back-office work through it is flagged, and the late starter missing the 班前会 is flagged."""
    cfg = tiny_config(
        **{
            "grid.slot_minutes": 60,
            "hours.weekend": "10:00-16:00",
            "hours.before_open_minutes": 60,
            "hours.after_close_minutes": 60,
            "lunch.window": "11:00-14:00",
            "rules.daily_routine.late_meeting": "09:00-10:00",
        }
    )
    prob = tiny_problem([MONDAY], config=cfg)
    rule = get_rule("daily_routine")

    def missed(*parts: list[Block]) -> list[str]:
        roster = Roster(tuple(b for bs in parts for b in bs))
        return [v.message_zh for v in rule.check(prob, roster) if "未参加晨会" in v.message_zh]

    host = blocks(MONDAY, "A", ("08:00", "09:00", "meeting"), ("09:00", "17:00", "lobby"))
    late = blocks(MONDAY, "C", ("09:00", "12:00", "high_counter"), ("12:00", "13:00", "break"))
    late += blocks(MONDAY, "C", ("13:00", "18:00", "high_counter"))
    assert missed(host, late) == []
    early = blocks(MONDAY, "D", ("08:00", "12:00", "back_office"))
    assert [m for m in missed(host, late, early) if "PD" in m and "PC" not in m]
    after = blocks(MONDAY, "C", ("10:00", "12:00", "high_counter"), ("13:00", "18:00", "high_counter"))
    assert [m for m in missed(host, after) if "PC" in m]


def test_lobby_stints_last_an_hour_and_a_branch_holder_opens_and_closes() -> None:
    """A half-hour stint on the floor (or a last one starting at 16:30) is flagged; solved tiny days have none;
    a day the branch holders neither open nor close is flagged, unless the branch switches that off."""
    prob = tiny_problem([MONDAY])
    short = Roster(
        tuple(
            blocks(MONDAY, "E", ("09:00", "12:00", "lobby"), ("12:00", "12:30", "back_office"))
            + blocks(MONDAY, "F", ("12:00", "12:30", "lobby"), ("12:30", "16:30", "back_office"))
            + blocks(MONDAY, "E", ("12:30", "16:30", "lobby"), ("16:30", "17:00", "back_office"))
            + blocks(MONDAY, "F", ("16:30", "17:00", "lobby"))
        )
    )
    stints = [v for v in get_rule("lobby_manager").check(prob, short) if "只站了" in v.message_zh]
    assert [(v.staff_ids, v.start, v.end) for v in stints] == [
        (("F",), hm("12:00"), hm("12:30")),
        (("F",), hm("16:30"), hm("17:00")),
    ]
    week = tiny_problem([MONDAY, SATURDAY], staff=TINY_WEEK_STAFF)
    result = solve(week, FAST)
    assert result.roster is not None, result.explanation
    for day in week.days:
        for row in result.roster.grid(day, week.staff.ids()):
            stint = 0
            for s in day.open_slots:
                if row[s] == "lobby":
                    stint += 1
                elif stint:
                    assert stint * day.slot_minutes >= 60, (day.date, s)
                    stint = 0
            assert stint == 0 or stint * day.slot_minutes >= 60

    late_branch = Roster(tuple(blocks(MONDAY, "A", ("09:00", "17:00", "lobby"))))
    rule = get_rule("daily_routine")
    found = [v for v in rule.check(prob, late_branch) if "时没有支行长权限人" in v.message_zh]
    assert [v.start for v in found] == [hm("08:30"), hm("17:00")]
    off = prob.replace(config=prob.config.copy_with(**{"rules.daily_routine.branch_at_open_close": False}))
    assert not [v for v in rule.check(off, late_branch) if "时没有支行长" in v.message_zh]


WEEK = [MONDAY + dt.timedelta(days=k) for k in range(7)]


def test_rest_days_count_neither_leave_nor_statutory_holidays() -> None:
    """做五休二: five days due in a normal week, six at most (one rest day kept); a day of leave lowers both;
    a 补休 owed is granted as a day off (due and contract hours lower); in the National Day week only the three
    days before the holidays are due, and work on the holidays is no rest-day work."""
    from constraints.rules.labour import rest_days, weekly_hours

    c = TINY_STAFF.by_id("C")
    normal = tiny_problem(WEEK)
    assert (rest_days(normal, c).due, rest_days(normal, c).most) == (5, 6)
    on_leave = tiny_problem(WEEK, absences=[leave("C", MONDAY, reason="年休假")])
    assert (rest_days(on_leave, c).due, rest_days(on_leave, c).most) == (4, 5)
    owed = c.model_copy(update={"comp_days_owed": 1})
    staff = Staff(people=tuple(owed if p.staff_id == "C" else p for p in TINY_STAFF.people))
    comp = tiny_problem(WEEK, staff=staff)
    rd = rest_days(comp, owed)
    assert (rd.due, rd.most, rd.granted) == (4, 6, 1)
    assert weekly_hours(comp, owed).expected == weekly_hours(normal, c).expected - 8 * 60
    national = [dt.date(2026, 9, 28) + dt.timedelta(days=k) for k in range(7)]  # Oct 1–3 closed holidays
    holiday = tiny_problem(national)
    rd = rest_days(holiday, c)
    assert len(rd.counted) == 3 and rd.most == 6 and rd.due == 3


def _works_six_days_after_leave() -> Problem:
    """C on leave Monday, D (who covers Monday) away the rest of the week: the noon rule wants C at the high
    counter every other day of the week."""
    cfg = only(
        "labour",
        "availability",
        "noon_two_at_high_counter",
        **{
            "rules.noon_two_at_high_counter.count": 1,
            "rules.noon_two_at_high_counter.window": "12:00-12:30",
            "rules.noon_two_at_high_counter.all_day_on": [],
            "rules.labour.min_shift_hours": 4,
        },
    )
    staff = Staff(people=tuple(p for p in TINY_STAFF.people if p.staff_id in ("C", "D")))
    away = [leave("C", MONDAY, reason="年休假"), *(leave("D", d, reason="培训") for d in WEEK[1:])]
    return tiny_problem(WEEK, config=cfg, staff=staff, absences=away)


def test_leave_is_not_a_rest_day_infeasible_and_flagged() -> None:
    """Six days of work around a day of leave leave no rest day: infeasible (with no rest day required it solves), and a
    hand-made such week is flagged naming the leave."""
    prob = _works_six_days_after_leave()
    result = solve(prob, FAST)
    assert result.status == "INFEASIBLE"
    assert {"labour", "noon_two_at_high_counter"} & {v.rule for v in result.explanation}
    no_rest = prob.replace(config=prob.config.copy_with(**{"labor.min_rest_days": 0}))
    assert solve(no_rest, FAST).roster is not None
    week = [
        b
        for d in WEEK[1:]
        for b in blocks(d, "C", ("08:30", "11:30", "back_office"), ("11:30", "12:30", "high_counter"))
    ]
    found = [v for v in get_rule("labour").check(prob, Roster(tuple(week))) if "rest day" in v.message_en]
    assert found and "请假 1 天" in found[0].message_zh


def test_comp_days_owed_after_the_week() -> None:
    """补休 after a week: a sixth day worked is owed back; a comp day owed and granted (four days worked) is paid
    back; with comp_days off nothing is carried."""
    from constraints.rules.labour import comp_days_after

    def days(n: int) -> Roster:
        return Roster(tuple(b for d in WEEK[:n] for b in blocks(d, "C", ("08:30", "17:30", "back_office"))))

    prob = tiny_problem(WEEK, demand=False)
    assert comp_days_after(prob, days(6))["C"] == 1 and comp_days_after(prob, days(5))["C"] == 0
    owed = Staff(
        people=tuple(
            p.model_copy(update={"comp_days_owed": 1}) if p.staff_id == "C" else p for p in TINY_STAFF
        )
    )
    back = prob.replace(staff=owed)
    assert comp_days_after(back, days(4))["C"] == 0 and comp_days_after(back, days(5))["C"] == 1
    off = prob.replace(config=prob.config.copy_with(**{"rules.labour.comp_days": False}))
    assert comp_days_after(off, days(6)) == {}


PEAK = "rules.lobby_manager.peak_backup"
FACTOR = "rules.lobby_manager.peak_factor"


def test_peak_slots_are_pay_days_and_forecast_peaks() -> None:
    """A pension day (30th) is a peak all day; on another day the slots whose forecast arrivals reach 1.4 × the
    mean (the synthetic 10–11 and 14–16 peaks; 1.5 × by default) are; none with the rule off, no backup or no
    demand."""
    from constraints.rules.lobby_manager import peak_slots

    assert tiny_config().rules.lobby_manager.peak_backup == "off"  # the default for now
    pension = tiny_problem([MONDAY], config=tiny_config(**{PEAK: "soft", "calendar.pension_days": [30]}))
    day = pension.days[0]
    assert peak_slots(pension, day) == list(day.open_slots)
    payroll = tiny_config(
        **{
            PEAK: "soft",
            "calendar.payroll_days": [30],
            "rules.lobby_manager.peak_days": ["pension"],
            FACTOR: 1.4,
        }
    )
    prob = tiny_problem([MONDAY], config=payroll)
    peaks = [day.slot_starts[s] for s in peak_slots(prob, prob.days[0])]
    assert peaks and all(hm("10:00") <= t < hm("11:00") or hm("14:00") <= t < hm("16:00") for t in peaks)
    for updates in ({PEAK: "off"}, {"rules.lobby_manager.backup": False}):
        off = prob.replace(config=prob.config.copy_with(**updates))
        assert peak_slots(off, off.days[0]) == []
    assert peak_slots(tiny_problem([MONDAY], config=tiny_config(**{PEAK: "soft"}), demand=False), day) == []


def test_the_backup_is_on_the_floor_at_peaks_when_hard() -> None:
    """Hard: the tiny day puts two on the floor in every forecast peak slot (1.4 × the mean) and one elsewhere, and its check
    passes; a rush in the last half hour alone cannot be met (a stint on the floor cannot start in the last
    hour, and the slot before is no peak, so the backup cannot be there already) — infeasible, explained by the
    lobby rule — and solves when the rule is soft."""
    from constraints.rules.lobby_manager import peak_slots

    prob = tiny_problem([MONDAY], config=tiny_config(**{PEAK: "hard", FACTOR: 1.4}))
    result = solve(prob, FAST)
    assert result.roster is not None, result.explanation
    assert not [v for v in check_roster(prob, result.roster) if v.hard]
    day = prob.days[0]
    on = (result.roster.grid(day, prob.staff.ids()) == "lobby").sum(axis=0)
    peak = set(peak_slots(prob, day))
    assert peak and all(on[s] == (2 if s in peak else 1) for s in day.open_slots)

    last = tiny_problem([MONDAY], config=tiny_config(**{PEAK: "hard"}))
    end = day.open_slots[-1]
    rush = {
        k: dataclasses.replace(
            v, arrivals=v.arrivals * [10 if s == end else 1 for s in range(len(v.arrivals))]
        )
        for k, v in last.demand.items()
    }
    last = last.replace(demand=rush)
    assert peak_slots(last, day) == [end]
    hard = solve(last, FAST)
    assert hard.status == "INFEASIBLE"
    assert "lobby_manager" in {v.rule for v in hard.explanation}
    soft = solve(last.replace(config=last.config.copy_with(**{PEAK: "soft"})), FAST)
    assert soft.roster is not None, soft.explanation


def test_one_on_the_floor_at_a_peak_is_flagged_hard_or_soft() -> None:
    """A pension day with A alone on the floor: hard breaks under ``hard``, soft notes under ``soft``, nothing
    with the rule off; two on the floor off-peak stays a hard break."""
    prob = tiny_problem([MONDAY], config=tiny_config(**{PEAK: "hard", "calendar.pension_days": [30]}))
    alone = Roster(
        tuple(
            blocks(MONDAY, "A", ("09:00", "12:00", "lobby"))
            + blocks(MONDAY, "E", ("09:00", "12:00", "back_office"))
        )
    )
    rule = get_rule("lobby_manager")

    def peaks(p: Problem) -> list[bool]:
        return [
            v.hard for v in rule.check(p, alone) if "backup lobby manager is not on the floor" in v.message_en
        ]

    assert peaks(prob) == [True]
    assert peaks(prob.replace(config=prob.config.copy_with(**{PEAK: "soft"}))) == [False]
    assert peaks(prob.replace(config=prob.config.copy_with(**{PEAK: "off"}))) == []
    two = Roster(
        tuple(
            blocks(MONDAY, "A", ("09:00", "10:00", "lobby"))
            + blocks(MONDAY, "E", ("09:00", "10:00", "lobby"))
        )
    )
    off_peak = tiny_problem([MONDAY], config=tiny_config(**{PEAK: "hard"}))
    assert [v for v in rule.check(off_peak, two) if "2 on the lobby floor at once" in v.message_en and v.hard]
    assert not [v for v in rule.check(prob, two) if "at once" in v.message_en]


def test_a_recorded_morning_talk_excuses_from_the_meeting_a_rostered_one_does_not() -> None:
    """A 季度谈话 recorded in events.csv over the 晨会 is time away (the person comes in after it and is excused);
    a talk scheduled into the roster (``talk`` block, kind ``talk``) is work in the branch and excuses nobody."""
    from constraints.config import TimeRange
    from constraints.roster import TALK_KIND, TALK_REASON
    from constraints.rules.daily_routine import excused
    from constraints.staff import Absence

    hours = TimeRange(start=8 * 60 + 30, end=9 * 60 + 30)
    for kind, want in (("event", True), (TALK_KIND, False)):
        talk = Absence(staff_id="C", date=MONDAY, hours=hours, reason=TALK_REASON, kind=kind)
        prob = tiny_problem([MONDAY], absences=[talk])
        assert excused(prob, prob.days[0], "C") is want
