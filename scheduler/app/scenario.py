"""What-if scenarios: a frozen value that derives variants without mutation, their comparison, and curves.

A :class:`Scenario` is a branch, a week and the knobs a branch president turns: demand scaling, leave, staff,
windows, rule parameters, service targets, slot length, solver budget. Every helper returns a new scenario.

    base = Scenario.from_files(tickets=..., staff=..., config=..., leave=...)
    variants = [base, base.with_demand(1.2, "春节前 +20%"), base.with_leave("S08", "2026-12-04")]
    table = compare(variants)
    curve = headcount_curve(base, "personal_teller")

How :func:`compare` (and the curves) plan: the first scenario, the baseline, is solved first; its roster is
then the warm start (``SolveParams.start``) of every scenario, the baseline included, all solved again with
the baseline's seed — so a variant differs from the baseline only where its change forces it, and a variant
whose week is the baseline's (same branch, week, demand, rules, seed and limit) gets the baseline's plan.
Those second solves run side by side in processes, one per core (CP-SAT threads per solve: the cores left
over), each with one progress line. Each solve's time limit is ``time_limit_seconds`` when given, else the
scenario's own, else ``PAIBAN_TIME_LIMIT``, else ``[solver] time_limit_seconds`` of branch.toml (30 s by
default), so a comparison of n scenarios takes about ``limit × (1 + ⌈n / cores⌉)`` (deterministic mode:
longer on a loaded machine, see :class:`~scheduler.solver.result.SolveParams`).

Each solve reports a certified interval ``[best_bound, objective]`` on the week's total cost (staff pay,
waiting valued at ``costs.customer_wait_minute``, penalties). Two scenarios' costs differ *certainly* only
when their intervals do not overlap (``delta_certain``); otherwise the difference may be the solver's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from constraints.config import TimeRange
from constraints.i18n import STATUS_LABELS, label, language
from constraints.roster import Roster, Violation
from constraints.rules import get_rule
from constraints.staff import POSTS, Absence, Staff, parse_post
from scheduler.app.horizon import HorizonPlan, check_weeks, plan_horizon
from scheduler.app.pipeline import Branch, WeekPlan, default_time_limit, load_branch, plan_week
from scheduler.app.replan import Replan, given_absences, given_roster, merged_absences, parse_cut, replan_week
from scheduler.app.runner import cores, run_plans
from scheduler.solver.explain import find_conflict
from scheduler.solver.result import Progress, SolveParams


def _describe(params: dict[str, Any]) -> str:
    """``window=09:00-17:00, count=3``: parameters as a person writes them (never a Python dict)."""

    def text(v: Any) -> str:
        if isinstance(v, list | tuple | set | frozenset):
            return "/".join(text(x) for x in v)
        return str(v)

    return ", ".join(f"{k}={text(v)}" for k, v in params.items())


@dataclass(frozen=True)
class Scenario:
    """One what-if: the branch, the week, and how the plan is made."""

    branch: Branch
    monday: dt.date
    name: str = "基准 (baseline)"
    demand_scale: float = 1.0
    time_limit_seconds: float | None = None
    seed: int | None = None
    relax: tuple[str, ...] = ()
    replications: int = 20
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def from_files(
        cls,
        tickets: str | Path | Sequence[str | Path],
        staff: str | Path,
        config: str | Path | None = None,
        leave: str | Path | None = None,
        events: str | Path | None = None,
        week: str | dt.date | None = None,
        name: str = "基准 (baseline)",
    ) -> Scenario:
        """Read a branch's files; the week defaults to the Monday after the last ticket."""
        branch = load_branch(tickets, staff, config, leave, events)
        monday = dt.date.fromisoformat(week) if isinstance(week, str) else week
        return cls(branch=branch, monday=monday or branch.next_monday(), name=name)

    # ---- deriving variants (never mutate) ------------------------------------------------------------------

    def replace(self, **changes: Any) -> Scenario:
        """A copy with fields changed."""
        return dataclasses.replace(self, **changes)

    def with_config(self, name: str, **updates: Any) -> Scenario:
        """Change branch.toml values by dotted key, e.g. ``{"windows.high_counter": 5}``."""
        config = self.branch.config.copy_with(**updates)
        return self.replace(name=name, branch=self.branch.replace(config=config))

    def with_demand(self, factor: float, name: str | None = None) -> Scenario:
        """Scale the forecast arrivals (e.g. 1.2 before Spring Festival)."""
        return self.replace(name=name or f"客流 ×{factor:g} (demand ×{factor:g})", demand_scale=factor)

    def with_leave(
        self,
        staff_id: str,
        date: str | dt.date,
        hours: str | None = None,
        name: str | None = None,
        reason: str = "请假",
    ) -> Scenario:
        """Someone on leave for a day (or ``hours`` like ``"09:00-12:00"``)."""
        self.branch.staff.by_id(staff_id)  # KeyError for an unknown person
        day = dt.date.fromisoformat(date) if isinstance(date, str) else date
        absence = Absence(
            staff_id=staff_id, date=day, hours=TimeRange.parse(hours) if hours else None, reason=reason
        )
        who = self.branch.staff.by_id(staff_id).name
        return self.replace(
            name=name or f"{who} {day:%m-%d} 请假 (on leave)",
            branch=self.branch.replace(absences=(*self.branch.absences, absence)),
        )

    def with_windows(self, counter: str, count: int, name: str | None = None) -> Scenario:
        """Change the physical windows of a counter type."""
        return self.with_config(name or f"{counter} 窗口 {count} (windows)", **{f"windows.{counter}": count})

    def with_rule(self, rule: str, name: str | None = None, **params: Any) -> Scenario:
        """Tune a rule's parameters, e.g. ``with_rule("noon_two_at_high_counter", window="09:00-17:00")``."""
        r, text = get_rule(rule), _describe(params)
        return self.with_config(
            name or f"{r.label_zh} {text} ({r.label_en}: {text})", **{f"rules.{rule}": params}
        )

    def with_service_level(self, name: str | None = None, **targets: Any) -> Scenario:
        """Change the waiting-time promise, e.g. ``max_mean_wait_minutes=10``."""
        text = _describe(targets)
        return self.with_config(name or f"服务目标 {text} (service level: {text})", service_level=targets)

    def with_slot_minutes(self, minutes: int, name: str | None = None) -> Scenario:
        """Plan on a coarser or finer grid (15 or 30 minutes)."""
        return self.with_config(
            name or f"{minutes} 分钟时段 ({minutes}-min slots)", **{"grid.slot_minutes": minutes}
        )

    def with_pension_days(self, days: Iterable[int], name: str | None = None) -> Scenario:
        """Move the pension payout day(s) of the month."""
        ds = tuple(days)
        return self.with_config(name or f"养老金发放日 {ds} (pension days)", **{"calendar.pension_days": ds})

    def without(self, *staff_ids: str, name: str | None = None) -> Scenario:
        """The week without some people (moved, seconded, not replaced); their leave and events go too."""
        gone = [self.branch.staff.by_id(sid) for sid in staff_ids]  # KeyError for an unknown person
        ids = {p.staff_id for p in gone}
        staff = Staff(people=tuple(p for p in self.branch.staff if p.staff_id not in ids))
        away = tuple(a for a in self.branch.absences if a.staff_id not in ids)
        who_zh, who_en = "、".join(p.name for p in gone), ", ".join(p.staff_id for p in gone)
        return self.replace(
            name=name or f"少 {who_zh} (without {who_en})",
            branch=self.branch.replace(staff=staff, absences=away),
        )

    # ---- running -------------------------------------------------------------------------------------------

    def time_limit(self) -> float:
        """Seconds per solve: ``time_limit_seconds``, else ``PAIBAN_TIME_LIMIT``, else branch.toml's
        ``[solver] time_limit_seconds`` (30 s by default)."""
        return self.time_limit_seconds or default_time_limit() or self.branch.config.solver.time_limit_seconds

    def params(self, **changes: Any) -> SolveParams:
        """Solver parameters of this scenario (``changes``: other :class:`SolveParams` fields)."""
        return SolveParams.from_config(
            self.branch.config,
            **{"time_limit_seconds": self.time_limit(), "seed": self.seed, "relax": self.relax, **changes},
        )

    def run(
        self, params: SolveParams | None = None, on_progress: Callable[[Progress], None] | None = None
    ) -> WeekPlan:
        """Forecast, requirement, roster and simulation for this scenario (``params``: :meth:`params`)."""
        return plan_week(
            self.branch,
            self.monday,
            params or self.params(),
            demand_scale=self.demand_scale,
            replications=self.replications,
            on_progress=on_progress,
        )

    def replan(
        self,
        roster: Roster | WeekPlan | str | Path,
        from_: str | dt.date | dt.datetime,
        leave: Iterable[Absence] | str | Path = (),
    ) -> Replan:
        """Repair this scenario's week from ``from_`` (a date, or ``"2026-12-03 12:00"``) with few changes:
        ``roster`` (a plan, a Roster, or roster.csv/.xlsx) is kept before it, the rest re-planned under the
        scenario's leave plus ``leave`` (Absences or a leave.csv) and its demand (``with_demand`` for a surprise).
        See :mod:`scheduler.app.replan`; the result has the week's plan, the changes and their reasons."""
        days = self.branch.calendar.week(self.monday)
        cut = parse_cut(from_, days, argument="from_")
        before, in_book = given_roster(roster, self.branch.staff, days)
        away = merged_absences(in_book, self.branch.absences, given_absences(leave, self.branch.staff))
        return replan_week(
            self.branch.replace(absences=away),
            self.monday,
            before,
            cut,
            self.params(),
            demand_scale=self.demand_scale,
            replications=self.replications,
        )

    def horizon(self, weeks: int, rolling: bool = False) -> HorizonPlan:
        """Plan ``weeks`` (1–6) consecutive weeks from this scenario's Monday as one model (or, ``rolling``,
        one after the other, each carried into the next; :mod:`scheduler.app.horizon`); the time limit is
        per week (the one model gets ``weeks`` × it)."""
        check_weeks(weeks, "weeks")
        params = self.params(time_limit_seconds=self.time_limit() * weeks)
        return plan_horizon(
            self.branch,
            self.monday,
            weeks,
            params,
            demand_scale=self.demand_scale,
            replications=self.replications,
            rolling=rolling,
        )

    def same_week(self, other: Scenario) -> bool:
        """True when planning ``other`` is planning this scenario (its name aside)."""
        a, b = self.branch, other.branch
        same_branch = a is b or (
            a.config == b.config
            and a.staff == b.staff
            and a.absences == b.absences
            and (a.tickets is b.tickets or a.tickets.equals(b.tickets))
        )
        return same_branch and dataclasses.replace(other, name=self.name, branch=a, notes=self.notes) == self


@dataclass(frozen=True)
class _Job:
    """One scenario planned with some solver parameters (picklable, for a child process)."""

    scenario: Scenario
    params: SolveParams

    def __call__(self, on_progress: Callable[[Progress], None]) -> WeekPlan:
        return explain_unknown(self.scenario.run(self.params, on_progress))


def explain_unknown(plan: WeekPlan) -> WeekPlan:
    """A plan whose solve found no roster in time (UNKNOWN), with the rules × days that cannot hold together
    when CP-SAT proves that within ``explain_seconds`` (status INFEASIBLE then), or the word that a roster
    exists and only time was short; other plans as they are."""
    r = plan.result
    if r.status != "UNKNOWN":
        return plan
    found = find_conflict(r.problem, relax=r.params.relax, time_limit_seconds=r.params.explain_seconds)
    if found and found[0].rule != "solver":
        result = dataclasses.replace(r, status="INFEASIBLE", explanation=tuple(found))
    elif not found:
        limit = r.params.time_limit_seconds
        exists = Violation(
            "solver",
            None,
            None,
            None,
            f"规则可以同时满足, 但 {limit:g} 秒内未找到班表; 请延长时限",
            f"the rules can all hold (a roster exists), but none was found in {limit:g} s; allow more time",
        )
        result = dataclasses.replace(r, explanation=(exists,))
    else:
        return plan
    return dataclasses.replace(plan, result=result)


def plan_all(
    scenarios: Sequence[Scenario],
    time_limit_seconds: float | None = None,
    workers: int | None = None,
    *,
    progress: bool = True,
) -> list[WeekPlan]:
    """Plan every scenario as :func:`compare` does (see the module's docstring): the baseline first, then
    every scenario warm-started from its roster (one of another week: cold) with its seed, ``workers``
    processes at a time (default: one per core)."""
    if not scenarios:
        return []
    if time_limit_seconds is not None and not time_limit_seconds > 0:
        raise ValueError(f"time_limit_seconds must be positive, not {time_limit_seconds}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    runs = [s.replace(time_limit_seconds=time_limit_seconds or s.time_limit()) for s in scenarios]
    base, n = runs[0], cores()
    title = f"{base.name} · 首轮 (first pass)" if len(runs) > 1 else base.name
    first = run_plans(
        [(title, _Job(base, base.params(workers=n)))],
        1,
        [base.time_limit()],
        show=progress,
    )[0]
    if len(runs) == 1:
        return [first]
    seed = base.params().seed
    todo = [i for i, s in enumerate(runs) if (i == 0 and first.roster is not None) or not base.same_week(s)]
    processes = max(1, min(workers or n, len(todo)))
    jobs = [
        (
            runs[i].name,
            _Job(
                runs[i],
                runs[i].params(
                    seed=seed if runs[i].seed is None else runs[i].seed,
                    workers=max(1, n // processes),
                    start=first.roster if runs[i].monday == base.monday else None,
                ),
            ),
        )
        for i in todo
    ]
    done = dict(
        zip(
            todo, run_plans(jobs, processes, [runs[i].time_limit() for i in todo], show=progress), strict=True
        )
    )
    baseline = done.get(0, first)
    return [done.get(i, baseline) for i in range(len(runs))]


KPI_COLUMNS: tuple[str, ...] = (
    "scenario",
    "status",
    "gap",
    "objective",
    "staff_hours",
    "cost_cny",
    "forecast_arrivals",
    "expected_wait_min",
    "simulated_arrivals",
    "mean_wait_min",
    "share_within_target",
    "p90_wait_min",
    "abandoned",
    "hard_violations",
    "soft_violations",
    "solve_seconds",
)
"""Today's columns of :func:`compare`: the week's figures keep their names from :mod:`scheduler.report.kpis`."""

COMPARE_COLUMNS: tuple[str, ...] = (
    *KPI_COLUMNS,
    "best_bound",
    "delta_cost",
    "delta_staff_hours",
    "delta_mean_wait_min",
    "delta_certain",
    "verdict",
)
"""The columns of :func:`compare`: :data:`KPI_COLUMNS`, the certified lower bound of ``objective``, the
differences to the first row (``delta_cost``: of ``objective``, the total cost the solver minimises),
whether the cost difference is certain (the two intervals ``[best_bound, objective]`` do not overlap) and
that verdict in words."""


def kpis(plan: WeekPlan, name: str = "") -> dict[str, Any]:
    """One row of :func:`compare`: the plan's week figures (:class:`~scheduler.report.kpis.WeekKpis`), its
    status, gap, certified bound, rule breaks and solve time (NaN where a figure does not exist, e.g. waits
    without a roster)."""
    r, k = plan.result, plan.kpis
    solved = r.roster is not None

    def figure(value: float | None) -> float:
        return float(value) if value is not None and solved else np.nan

    return {
        "scenario": name,
        "status": r.status,
        "gap": np.nan if r.gap is None else r.gap,
        "objective": np.nan if k.objective is None else k.objective,
        "best_bound": np.nan if r.best_bound is None else round(r.best_bound, 2),
        "staff_hours": figure(k.staff_hours),
        "cost_cny": figure(k.cost_cny),
        "forecast_arrivals": k.forecast_arrivals,
        "expected_wait_min": figure(k.expected_wait_min),
        "simulated_arrivals": figure(k.simulated_arrivals),
        "mean_wait_min": figure(k.mean_wait_min),
        "share_within_target": figure(k.share_within_target),
        "p90_wait_min": figure(k.p90_wait_min),
        "abandoned": figure(k.abandoned),
        "hard_violations": len(r.hard_violations) if solved else len(r.explanation),
        "soft_violations": len([v for v in r.violations if not v.hard]),
        "solve_seconds": r.solve_seconds,
    }


VERDICTS: dict[str, str] = {
    "baseline": "基准 (baseline)",
    "costlier": "确定更贵 (costlier, proven)",
    "cheaper": "确定更省 (cheaper, proven)",
    "unproven": "差异未证实, 在求解间隙内 (not proven: within the solver's gap)",
    "no_roster": "无排班, 无法比较 (no roster to compare)",
}
"""The ``verdict`` column of :func:`compare`."""


def certain(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when two rows' certified cost intervals ``[best_bound, objective]`` do not overlap."""
    ends = (a["best_bound"], a["objective"], b["best_bound"], b["objective"])
    if not all(np.isfinite(ends)):
        return False
    return bool(b["best_bound"] > a["objective"] or a["best_bound"] > b["objective"])


def _against(base: dict[str, Any], row: dict[str, Any], first: bool) -> dict[str, Any]:
    """The delta columns of a row against the baseline's."""

    def delta(col: str) -> float:
        a, b = base[col], row[col]
        return np.nan if a is None or b is None else round(float(b) - float(a), 2)

    sure = not first and certain(base, row)
    if not (np.isfinite(base["objective"]) and np.isfinite(row["objective"])):
        verdict = "no_roster"
    elif first:
        verdict = "baseline"
    elif sure:
        verdict = "costlier" if row["objective"] > base["objective"] else "cheaper"
    else:
        verdict = "unproven"
    return {
        "delta_cost": delta("objective"),
        "delta_staff_hours": delta("staff_hours"),
        "delta_mean_wait_min": delta("mean_wait_min"),
        "delta_certain": sure,
        "verdict": VERDICTS[verdict],
    }


def compare(
    scenarios: Sequence[Scenario],
    time_limit_seconds: float | None = None,
    workers: int | None = None,
    *,
    plans: Sequence[WeekPlan] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Plan every scenario (:func:`plan_all`; or take the given ``plans``) and return their figures side by
    side, one row each, the first row the baseline the deltas are taken against (:data:`COMPARE_COLUMNS`).

    ``time_limit_seconds``: per solve (default: the scenario's own, else ``PAIBAN_TIME_LIMIT``, else
    branch.toml's ``[solver] time_limit_seconds``, 30 s); ``workers``: scenarios solved at once, one process
    each (default: one per core); ``progress``: one progress line per scenario (notebook or terminal).
    """
    if not isinstance(time_limit_seconds, int | float | type(None)):
        raise TypeError("compare(scenarios, plans) is now compare(scenarios, plans=plans)")
    if plans is None:
        plans = plan_all(scenarios, time_limit_seconds, workers, progress=progress)
    rows = [kpis(p, s.name) for s, p in zip(scenarios, plans, strict=True)]
    rows = [{**row, **_against(rows[0], row, i == 0)} for i, row in enumerate(rows)]
    return pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))


# ---- curves: how the week changes with the headcount of a post, or with demand ------------------------------

DEMAND_SCALES: tuple[float, ...] = (0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4)
"""The demand factors :func:`demand_curve` plans by default."""

CURVE_COLUMNS: tuple[str, ...] = ("holds_rules", "meets_target", "reason")
"""Columns a curve adds to :data:`COMPARE_COLUMNS` (after its x column, ``headcount`` and ``removed`` or
``demand_scale``): every hard rule holds; it holds and the simulated waits keep the service level (mean wait
≤ ``max_mean_wait_minutes`` and ≥ ``target_share`` called within ``target_wait_minutes``); why the rules do not
hold (the rules and their first reasons, empty when they hold)."""


def removal_order(scenario: Scenario, post: str) -> list[str]:
    """The people of ``post`` (id or Chinese name) in the order :func:`headcount_curve` removes them, the one
    whose absence should cost least first: the one whose skills and authorities most others also hold
    (scarcity: Σ 1 / holders over their skills and authorities), then the one with the fewest contract hours
    left this week (weekly hours less whole days away, at ``standard_days_per_week`` days a week), then the
    last in the staff list."""
    pid = parse_post(post)
    staff, branch = list(scenario.branch.staff), scenario.branch

    def tags(p: Any) -> set[str]:
        return {f"skill:{k}" for k in p.skills} | {f"authority:{k}" for k in p.authorities}

    holders: dict[str, int] = {}
    for p in staff:
        for t in tags(p):
            holders[t] = holders.get(t, 0) + 1
    week = {scenario.monday + dt.timedelta(days=k) for k in range(7)}
    away = {(a.staff_id, a.date) for a in branch.absences if a.hours is None and a.date in week}
    per_day = 1 / branch.config.rules.labour.standard_days_per_week

    def key(item: tuple[int, Any]) -> tuple[float, float, int]:
        index, p = item
        scarcity = sum(1 / holders[t] for t in tags(p))
        days_away = sum(1 for sid, _ in away if sid == p.staff_id)
        return round(scarcity, 9), p.weekly_hours * max(0.0, 1 - days_away * per_day), -index

    members = [(i, p) for i, p in enumerate(staff) if p.post == pid]
    return [p.staff_id for _, p in sorted(members, key=key)]


def reason(plan: WeekPlan, lang: str | None = None) -> str:
    """Why the plan does not hold every hard rule, by rule (the first reason of each); "" when it does."""
    r = plan.result
    if r.ok:
        return ""
    found = list(r.hard_violations if r.roster is not None else r.explanation)
    lang = lang or language()
    if not found:
        return label(STATUS_LABELS, r.status, lang)
    first: dict[str, Violation] = {}
    for v in found:
        first.setdefault(v.rule, v)
    parts = [_labelled(v, lang) for v in list(first.values())[:3]]
    more = len(found) - len(parts)
    return "; ".join(parts) + (f" (+{more})" if more else "")


def _labelled(v: Violation, lang: str) -> str:
    """A violation's message headed by its rule's label (none for the solver's own words: no roster in
    time, the rules in conflict)."""
    try:
        r = get_rule(v.rule)
    except KeyError:
        return v.message(lang)
    return f"[{r.label_en if lang == 'en' else r.label_zh}] {v.message(lang)}"


def _curve(
    variants: list[Scenario],
    front: dict[str, list[Any]],
    time_limit_seconds: float | None,
    workers: int | None,
    progress: bool,
) -> pd.DataFrame:
    """Plan the variants (the first is the reference), their comparison with ``front``'s columns first and
    :data:`CURVE_COLUMNS` added, sorted by the first of ``front``."""
    plans = plan_all(variants, time_limit_seconds, workers, progress=progress)
    table = compare(variants, plans=plans)
    for k, (col, values) in enumerate(front.items()):
        table.insert(k, col, values)
    sl = variants[0].branch.config.service_level
    table["holds_rules"] = [p.result.ok for p in plans]
    table["meets_target"] = (
        table["holds_rules"]
        & (table["mean_wait_min"] <= sl.max_mean_wait_minutes)
        & (table["share_within_target"] >= sl.target_share)
    )
    table["reason"] = [reason(p) for p in plans]
    x = next(iter(front))
    out = table.sort_values(x, kind="stable").reset_index(drop=True)
    out.attrs.update(x=x, service_level=sl.model_dump())
    return out


def headcount_curve(
    scenario: Scenario,
    post: str,
    counts: Iterable[int] | None = None,
    time_limit_seconds: float | None = None,
    workers: int | None = None,
    *,
    progress: bool = True,
) -> pd.DataFrame:
    """The week planned with fewer people of ``post`` (id or Chinese name, e.g. ``"personal_teller"`` or
    ``"个人业务柜员"``): one row per headcount in ``counts`` (default: today's down to 0) and today's, which
    is planned first and warm-starts the others (:func:`plan_all`); the people removed are chosen by
    :func:`removal_order`. Columns: ``headcount``, ``removed`` (their ids), :data:`COMPARE_COLUMNS` (deltas
    against today's headcount) and :data:`CURVE_COLUMNS`; sorted by headcount."""
    order = removal_order(scenario, post)
    have, pid = len(order), parse_post(post)
    wanted = sorted({have, *(range(have + 1) if counts is None else counts)}, reverse=True)
    if any(not 0 <= c <= have for c in wanted):
        raise ValueError(f"counts must be between 0 and today's {have} people of {pid}, not {wanted}")
    zh, en = POSTS[pid]
    variants = [scenario.replace(name=f"{zh} {have} 人 (today: {have} × {en})")] + [
        scenario.without(*order[: have - c], name=f"{zh} {c} 人 ({c} × {en})") for c in wanted[1:]
    ]
    removed = [", ".join(order[: have - c]) for c in wanted]
    out = _curve(variants, {"headcount": wanted, "removed": removed}, time_limit_seconds, workers, progress)
    out.attrs["post"] = pid
    return out


def demand_curve(
    scenario: Scenario,
    scales: Iterable[float] = DEMAND_SCALES,
    time_limit_seconds: float | None = None,
    workers: int | None = None,
    *,
    progress: bool = True,
) -> pd.DataFrame:
    """The week planned with the forecast demand scaled by each factor of ``scales`` (relative to the
    scenario's; ×1 is always planned, first, and warm-starts the others). Columns: ``demand_scale``,
    :data:`COMPARE_COLUMNS` (deltas against ×1) and :data:`CURVE_COLUMNS`; sorted by the factor."""
    factors = [1.0, *sorted({float(f) for f in scales} - {1.0})]
    if any(not f > 0 for f in factors):
        raise ValueError(f"demand scales must be positive, not {factors}")
    variants = [
        scenario.with_demand(scenario.demand_scale * f, name=f"客流 ×{f:g} (demand ×{f:g})") for f in factors
    ]
    return _curve(variants, {"demand_scale": factors}, time_limit_seconds, workers, progress)


def needed_headcount(curve: pd.DataFrame) -> int | None:
    """The fewest people of the post with which the week, and every larger headcount planned, holds the rules
    and keeps the service level (``meets_target``); None when even the largest does not."""
    rows = curve.sort_values("headcount", ascending=False)
    needed = None
    for count, ok in zip(rows["headcount"], rows["meets_target"], strict=True):
        if not ok:
            break
        needed = int(count)
    return needed
