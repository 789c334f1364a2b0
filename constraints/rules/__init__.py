"""The branch's rules: one module each, in an explicit ordered registry.

``RULES`` lists every rule in the order they are encoded and checked (the order of ``config.rules``);
``[rules.<name>]`` in branch.toml tunes a rule and ``enabled = false`` switches it off. ``check_roster`` audits
any finished roster against the enabled rules without a solver.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from constraints.config import RULE_NAMES, BranchConfig
from constraints.problem import Problem
from constraints.roster import Roster, Violation, talk_events, without_talks
from constraints.rules.availability import Availability
from constraints.rules.base import ModelVars, PenaltyTerm, Rule
from constraints.rules.daily_routine import DailyRoutine
from constraints.rules.demand import Demand
from constraints.rules.fairness import Fairness
from constraints.rules.labour import Labour
from constraints.rules.lobby_manager import LobbyManager
from constraints.rules.lunch import Lunch
from constraints.rules.noon_two_at_high_counter import NoonTwoAtHighCounter
from constraints.rules.permission_holder import PermissionHolder
from constraints.rules.shifts import Shifts
from constraints.rules.skills import Skills

RULES: tuple[Rule, ...] = (
    Demand(),
    NoonTwoAtHighCounter(),
    PermissionHolder(),
    LobbyManager(),
    Lunch(),
    DailyRoutine(),
    Shifts(),
    Labour(),
    Availability(),
    Skills(),
    Fairness(),
)
"""Every rule, in encoding and reporting order."""

assert tuple(r.name for r in RULES) == RULE_NAMES, "the registry and config.rules must list the same rules"


def get_rule(name: str) -> Rule:
    """The rule of that name; ``KeyError`` naming the choices otherwise."""
    for r in RULES:
        if r.name == name:
            return r
    raise KeyError(f"未知规则 (unknown rule) {name!r}; 可选 (choose from) {list(RULE_NAMES)}")


def enabled_rules(config: BranchConfig, names: Iterable[str] | None = None) -> list[Rule]:
    """The rules switched on in the config, in registry order (only ``names`` when given)."""
    wanted = None if names is None else {get_rule(n).name for n in names}
    return [r for r in RULES if r.enabled(config) and (wanted is None or r.name in wanted)]


def check_roster(
    problem: Problem, roster: Roster, rules: Sequence[str | Rule] | None = None
) -> list[Violation]:
    """Every violation of the enabled rules (or only ``rules``) in the roster, rule by rule.

    A roster with 季度谈话 scheduled into it (``talk`` blocks) is checked as the work it is: back office with
    both people busy (:func:`constraints.roster.talk_events`: not free to take over the lobby, not there for
    anything else); being at work during one's own talk is no breach of availability."""
    talks = talk_events(roster)
    busy = problem.replace(absences=(*problem.absences, *talks)) if talks else problem
    plain = without_talks(roster)
    if rules is None:
        chosen = enabled_rules(problem.config)
    else:
        chosen = [r if isinstance(r, Rule) else get_rule(r) for r in rules]
        chosen = [r for r in chosen if r.enabled(problem.config)]
    out: list[Violation] = []
    for r in chosen:
        # availability against the leave and events alone: working through one's own talk is work
        out.extend(r.check(problem if r.name == "availability" else busy, plain))
    return out


def precheck(problem: Problem, skip: Iterable[str] = ()) -> list[Violation]:
    """Cheap necessary conditions of the enabled hard rules (except ``skip``): what no roster can meet."""
    skipped = set(skip)
    out: list[Violation] = []
    for r in enabled_rules(problem.config):
        if r.kind == "hard" and r.name not in skipped:
            out.extend(r.precheck(problem))
    return out


__all__ = [
    "RULES",
    "ModelVars",
    "PenaltyTerm",
    "Rule",
    "check_roster",
    "enabled_rules",
    "get_rule",
    "precheck",
]
