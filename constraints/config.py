"""The branch configuration (branch.toml) as frozen pydantic models, every key defaulted.

``load_config(path)`` reads the TOML file; any bad value becomes one :class:`InputError` sentence naming the
file, the key and the value. A what-if is a new object (``config.model_copy(update=...)``), never a mutation.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from constraints.errors import InputError

COUNTER_TYPES: tuple[str, ...] = ("high_counter", "low_counter", "corporate_counter")
"""The counter types a branch has: 高柜 (cash), 低柜 (non-cash), 对公 (corporate)."""

AUTHORITIES: tuple[str, ...] = ("branch", "operations")
"""Authorities a person can hold: 支行长权限 (branch), 营业主管权限 (operations)."""

_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_hhmm(text: str) -> int:
    """Minutes after midnight of ``HH:MM`` (24:00 allowed); ``ValueError`` otherwise."""
    m = _HHMM.match(str(text))
    if not m:
        raise ValueError(f"时间应为 HH:MM 格式 (time must be HH:MM), 而不是 {text!r}")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi >= 60 or h > 24 or (h == 24 and mi):
        raise ValueError(f"不存在的时间 (no such time) {text!r}")
    return h * 60 + mi


def fmt_hhmm(minutes: int) -> str:
    """``HH:MM`` for minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class TimeRange(BaseModel):
    """A half-open range of clock time [start, end) in minutes after midnight."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0, le=24 * 60)
    end: int = Field(ge=0, le=24 * 60)

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end <= self.start:
            raise ValueError(
                f"结束时间 {fmt_hhmm(self.end)} 不晚于开始时间 {fmt_hhmm(self.start)} "
                f"(closing/end {fmt_hhmm(self.end)} is not after opening/start {fmt_hhmm(self.start)})"
            )
        return self

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """Read ``"09:00-17:00"`` (also ``–``, ``~`` or ``至`` as the separator)."""
        parts = re.split(r"\s*(?:-|–|~|至)\s*", str(text).strip())
        if len(parts) != 2:
            raise ValueError(f"时间段应为 HH:MM-HH:MM (range must be HH:MM-HH:MM), 而不是 {text!r}")
        return cls(start=parse_hhmm(parts[0]), end=parse_hhmm(parts[1]))

    @property
    def minutes(self) -> int:
        """Length in minutes."""
        return self.end - self.start

    def __str__(self) -> str:
        return f"{fmt_hhmm(self.start)}-{fmt_hhmm(self.end)}"


def _range_or_text(v: Any) -> Any:
    if isinstance(v, str):
        return TimeRange.parse(v)
    return v


def _hours_or_closed(v: Any) -> Any:
    if isinstance(v, str) and v.strip().lower() in ("closed", "休业", "不营业", ""):
        return None
    return _range_or_text(v)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BranchInfo(_Frozen):
    """Who the branch is."""

    id: str = Field("BRANCH", description="Branch code (网点号)")
    name: str = Field("示例支行", description="Branch name (网点名称)")


class CalendarConfig(_Frozen):
    """Calendar: country, overrides file, and the days of month that bring crowds."""

    country: Literal["CN"] = Field("CN", description="Statutory holidays and 调休 of this country")
    overrides: str = Field("", description="Optional CSV date,day_type,open,close, relative to branch.toml")
    pension_days: tuple[int, ...] = Field((15,), description="养老金发放日 (day of month)")
    payroll_days: tuple[int, ...] = Field((10,), description="代发工资日 (day of month)")

    @field_validator("pension_days", "payroll_days")
    @classmethod
    def _days_of_month(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        for d in v:
            if not 1 <= d <= 31:
                raise ValueError(f"日期应在 1–31 之间 (day of month must be 1–31), 而不是 {d}")
        return v


class HoursConfig(_Frozen):
    """Opening hours to customers (对外营业) by day type, and staff time around them."""

    workday: TimeRange | None = Field(TimeRange(start=540, end=1020), description="工作日营业时间")
    weekend: TimeRange | None = Field(TimeRange(start=570, end=960), description="周末营业时间")
    holiday: TimeRange | None = Field(None, description="节假日营业时间; None = closed")
    before_open_minutes: int = Field(30, ge=0, le=180, description="签到、晨会、领用尾箱")
    after_close_minutes: int = Field(30, ge=0, le=180, description="轧账、上缴尾箱、签退")

    _v = field_validator("workday", "weekend", "holiday", mode="before")(_hours_or_closed)

    def for_day_type(self, day_type: str) -> TimeRange | None:
        """Opening hours of a day type (make-up workdays open as workdays)."""
        if day_type in ("workday", "makeup_workday"):
            return self.workday
        if day_type == "weekend":
            return self.weekend
        if day_type == "holiday":
            return self.holiday
        return None


class GridConfig(_Frozen):
    """Time grid of the roster."""

    slot_minutes: int = Field(15, description="Slot length; must divide 60")

    @field_validator("slot_minutes")
    @classmethod
    def _divides_60(cls, v: int) -> int:
        if v <= 0 or 60 % v:
            raise ValueError(f"时段长度必须整除 60 (slot_minutes must divide 60), 而不是 {v}")
        return v


class ServiceLevel(_Frozen):
    """The waiting-time promise."""

    max_mean_wait_minutes: float = Field(15.0, gt=0)
    target_wait_minutes: float = Field(20.0, gt=0)
    target_share: float = Field(0.80, gt=0, le=1)
    max_occupancy: float = Field(0.85, gt=0, le=1)


class LunchConfig(_Frozen):
    """Staggered lunch (错峰就餐)."""

    window: TimeRange = Field(TimeRange(start=660, end=810))
    minutes: int = Field(60, ge=0, le=180)
    min_shift_hours: float = Field(6.0, description="Lunch is taken when present more than this")

    _v = field_validator("window", mode="before")(_range_or_text)

    @model_validator(mode="after")
    def _fits(self) -> LunchConfig:
        if self.minutes > self.window.minutes:
            raise ValueError(
                f"午餐 {self.minutes} 分钟放不进午餐时段 {self.window} "
                f"(lunch of {self.minutes} min does not fit in the window {self.window})"
            )
        return self


class LaborConfig(_Frozen):
    """Labour law and contract limits."""

    max_daily_hours: float = Field(8.0, gt=0, le=24)
    weekly_hours: float = Field(40.0, gt=0, le=84)
    max_weekly_overtime_hours: float = Field(0.0, ge=0, le=36)
    min_rest_days: int = Field(1, ge=0, le=7)
    max_consecutive_days: int = Field(6, ge=1, le=14)
    min_rest_hours: float = Field(12.0, ge=0, le=24)


class CostsConfig(_Frozen):
    """Costs in CNY (and CNY-equivalents)."""

    staff_hour: float = Field(60.0, ge=0)
    customer_wait_minute: float = Field(1.0, ge=0)
    overtime_multiplier: float = Field(1.5, ge=1)
    rest_day_multiplier: float = Field(2.0, ge=1)
    holiday_multiplier: float = Field(3.0, ge=1)


class ReplanConfig(_Frozen):
    """Re-planning the rest of a week (``paiban replan``): what a change to someone's arranged day costs."""

    change_cost_per_hour: float = Field(
        100.0,
        ge=0,
        description="CNY per hour of a person's day that differs from the roster being repaired (a shift moved, "
        "added or removed, another activity): above a staff hour (60) and every soft nudge, so nobody's day is "
        "changed to save a few CNY, yet below the waiting a missing window causes at a peak",
    )


class SolverConfig(_Frozen):
    """Deterministic solve defaults."""

    time_limit_seconds: float = Field(30.0, gt=0)
    seed: int = Field(0, ge=0)
    workers: int = Field(2, ge=1)


# ---- rules: every rule has a section [rules.<name>]; these are their parameters ----------------------------


class RuleParams(_Frozen):
    """Parameters common to every rule."""

    enabled: bool = True


class DemandParams(RuleParams):
    """Open windows follow the requirement."""

    min_open_minutes: int = Field(30, ge=0, le=120, description="A window stays open at least this long")
    quantile: Literal["mean", "q50", "q80", "q95"] = Field("mean", description="Forecast statistic to staff")
    open_window_cny_per_hour: float = Field(
        10.0,
        ge=0,
        description="Value of the back-office/marketing work a window-hour takes away: a window opens only when "
        "it saves more waiting than this",
    )


class NoonParams(RuleParams):
    """高柜内两人同时在岗 at noon and on listed day types."""

    window: TimeRange = Field(TimeRange(start=690, end=810))
    count: int = Field(2, ge=1, le=10)
    all_day_on: tuple[Literal["holiday", "weekend", "workday", "makeup_workday"], ...] = (
        "holiday",
        "weekend",
    )

    _v = field_validator("window", mode="before")(_range_or_text)


class PermissionParams(RuleParams):
    """有人担当支行长和营业主管的权限."""

    authorities: tuple[str, ...] = AUTHORITIES
    require: Literal["any", "each"] = "each"
    when: Literal["open", "staffed"] = "open"

    @field_validator("authorities")
    @classmethod
    def _known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for a in v:
            if a not in AUTHORITIES:
                raise ValueError(
                    f"未知权限 (unknown authority) {a!r}; 可选 (choose from) {list(AUTHORITIES)}"
                )
        return v


class LobbyParams(RuleParams):
    """大堂经理100%在岗, with a backup (后备大堂经理)."""

    coverage: float = Field(1.0, ge=0, le=1)
    backup: bool = True
    min_stint_minutes: int = Field(
        60,
        ge=0,
        le=240,
        description="Each stint on the lobby floor lasts at least this long (closing included)",
    )
    backup_activities: tuple[
        Literal["back_office", "outreach", "low_counter", "corporate_counter", "high_counter"], ...
    ] = Field(
        ("back_office", "outreach", "low_counter"),
        description="What a backup may be doing and still be free to take over (not cash, lunch or the meeting)",
    )
    peak_backup: Literal["off", "soft", "hard"] = Field(
        "off",
        description="启用后备大堂经理: on peak slots (with backup = true) the backup is on the floor too, two in "
        "all; soft: each peak hour with one on the floor costs peak_cost_cny; off (the default for now)",
    )
    peak_days: tuple[Literal["pension", "payroll"], ...] = Field(
        ("pension", "payroll"),
        description="Every open slot of these pay days (养老金发放日, 代发工资日) is a peak slot",
    )
    peak_factor: float = Field(
        1.5,
        ge=0,
        le=10,
        description="A slot is a peak slot when its forecast arrivals (all counters) are at least this many "
        "times the mean of the plan's open slots (0: pay days only)",
    )
    peak_cost_cny: float = Field(60.0, ge=0, description="soft: CNY per peak hour with one on the floor")


class LunchRuleParams(RuleParams):
    """Lunch in one piece inside the window, staggered."""


class RoutineParams(RuleParams):
    """晨会 before opening; 轧账 after closing; dual control."""

    meeting_minutes: int = Field(15, ge=0, le=60)
    min_at_open_close: int = Field(2, ge=1, le=10)
    branch_at_open_close: bool = Field(
        True,
        description="A branch-authority holder at the first and last slot of staff time (开门/关门三件事)",
    )
    meeting_for: Literal["everyone", "opening_shift"] = Field(
        "everyone",
        description="Who attends the 晨会: everyone on duty that day (the seed), or only those there at opening",
    )
    late_meeting: TimeRange | None = Field(
        None,
        description='班前会 for a late shift (e.g. "12:45-13:00"): who misses the 晨会 is at work all through it',
    )
    cash_box_minutes: int = Field(
        0,
        ge=0,
        le=120,
        description="领尾箱/交尾箱: back-office minutes right before a person's first counter slot of the day and "
        "right after the last (0: off, the default for now: with 15 the sample's 2026-10-12 week found no roster "
        "in 60 s; benchmarks/README.md)",
    )
    cash_box_counters: tuple[Literal["high_counter", "low_counter", "corporate_counter"], ...] = Field(
        ("high_counter", "low_counter", "corporate_counter"),
        description="The counters worked with a cash box (尾箱: cash, seals, 重要空白凭证)",
    )

    _v = field_validator("late_meeting", mode="before")(_hours_or_closed)


def _clock(v: Any) -> Any:
    return parse_hhmm(v) if isinstance(v, str) else v


class PostedShift(_Frozen):
    """A posted shift (班次): ``name``, ``start``–``end`` (HH:MM) and its lunch wave (1 = the first of
    ``[shifts] waves``; left out: any wave). On a day with shorter staff hours it is cut to them."""

    name: str = Field(min_length=1, max_length=20)
    start: int = Field(ge=0, le=24 * 60)
    end: int = Field(ge=0, le=24 * 60)
    lunch: int | None = Field(None, ge=1, le=10, description="Lunch wave (1, 2, …); none: any wave")

    _v = field_validator("start", "end", mode="before")(_clock)

    @model_validator(mode="after")
    def _ordered(self) -> PostedShift:
        if self.end <= self.start:
            raise ValueError(
                f"班次 {self.name}: 下班 {fmt_hhmm(self.end)} 须晚于上班 {fmt_hhmm(self.start)} "
                f"(shift {self.name} must end after it starts)"
            )
        return self


class ShiftsParams(RuleParams):
    """班次: the shifts a branch posts and its lunch waves (``shifts = "free"`` switches the rule off).

    ``mode = "posted"`` (the default): everyone works one of the ``posted`` shifts — or, when none are listed,
    the shifts derived from each day's staff hours (正常班, 早班, 晚班, 半天班; at most four) — and lunches at
    the ``waves`` (derived from the lunch window when none are given). ``mode = "limits"``: free starts, but at
    most ``max_starts`` start and ``max_ends`` end times and ``lunch_waves`` lunch starts a day.
    """

    mode: Literal["posted", "limits"] = "posted"
    posted: tuple[PostedShift, ...] = Field((), description="The posted shifts; none: derived from the hours")
    waves: tuple[int, ...] = Field((), description="Lunch wave start times (HH:MM); none: derived")
    max_starts: int = Field(2, ge=1, le=20, description="limits: different shift start times a day")
    max_ends: int = Field(2, ge=1, le=20, description="limits: different shift end times a day")
    lunch_waves: int = Field(2, ge=1, le=10, description="Lunch waves a day (derived waves; limits)")

    @field_validator("waves", mode="before")
    @classmethod
    def _times(cls, v: Any) -> Any:
        return tuple(_clock(t) for t in v) if isinstance(v, list | tuple) else v

    @model_validator(mode="after")
    def _waves_known(self) -> ShiftsParams:
        count = len(self.waves) or self.lunch_waves
        names = [s.name for s in self.posted]
        for s in self.posted:
            if s.lunch is not None and s.lunch > count:
                raise ValueError(
                    f"shifts.posted 班次 {s.name} 的午餐批次 {s.lunch} 不存在, 只有 {count} 批 "
                    f"(shift {s.name}: lunch wave {s.lunch}, but there are {count})"
                )
        if len(set(names)) != len(names):
            raise ValueError(f"shifts.posted 班次名称重复 (shift names repeat): {names}")
        return self


class LabourParams(RuleParams):
    """Labour law as set in [labor]."""

    contract_slack_hours: float = Field(
        4.0,
        ge=0,
        le=40,
        description="Weekly hours may fall this far below the contract (salaried staff come in)",
    )
    min_shift_hours: float = Field(4.0, gt=0, le=24, description="Shortest shift")
    shift_step_minutes: int = Field(60, ge=15, le=240, description="Shift lengths step by this much")
    standard_days_per_week: int = Field(
        5,
        ge=1,
        le=7,
        description="做五休二: days a week beyond these (leave and comp days less) are rest-day work",
    )
    comp_days: bool = Field(
        True,
        description="补休: each rest day worked is owed back as a day off (summary.json comp_days_owed, read by "
        "the next plan); false: it is only paid at rest_day_multiplier",
    )
    unused_hour_cny: float = Field(
        10.0, ge=0, description="Soft cost of a contract hour left unused, on top of the salary paid for it"
    )


class AvailabilityParams(RuleParams):
    """Leave and events."""


class SkillsParams(RuleParams):
    """Skills, high-counter blocks and few switches."""

    min_high_counter_block_minutes: int = Field(60, ge=0, le=240)
    max_switches_per_day: int = Field(6, ge=0, le=40)
    switch_cny: float = Field(2.0, ge=0, description="Soft cost of one activity switch (keeps days calm)")


class FairnessParams(RuleParams):
    """Spread weekend/holiday/late work; honour preferences (soft)."""

    weight_cny: float = Field(20.0, ge=0, description="CNY per unit of unevenness / unmet preference")


class RulesConfig(_Frozen):
    """Every rule by name; a section not in the file takes its defaults."""

    demand: DemandParams = DemandParams()
    noon_two_at_high_counter: NoonParams = NoonParams()
    permission_holder: PermissionParams = PermissionParams()
    lobby_manager: LobbyParams = LobbyParams()
    lunch: LunchRuleParams = LunchRuleParams()
    daily_routine: RoutineParams = RoutineParams()
    shifts: ShiftsParams = ShiftsParams()
    labour: LabourParams = LabourParams()
    availability: AvailabilityParams = AvailabilityParams()
    skills: SkillsParams = SkillsParams()
    fairness: FairnessParams = FairnessParams()


RULE_NAMES: tuple[str, ...] = tuple(RulesConfig.model_fields)


class TicketsConfig(_Frozen):
    """How to read queue-machine exports: a column mapping overrides header detection."""

    columns: dict[str, str] = Field(default_factory=dict, description="normalized name -> header in the file")
    timezone_naive: bool = True


class PeriodicConfig(_Frozen):
    """The seed's periodic duties (网点转型工作计划): 季度谈话 — the 支行长 talks with every employee one to one
    within the first days of a quarter's first month, at most two hours each — and the monthly 网点经营分析会
    at the regional office before the 10th, which the 支行长 attends."""

    talks: bool = Field(True, description="List (and suggest times for) the 季度谈话 in their window")
    talk_minutes: int = Field(60, ge=15, le=120, description="One talk's length (≤ 2 h)")
    talk_within_days: int = Field(
        15, ge=1, le=31, description="Talks fall within this many days of the month"
    )
    meeting: bool = Field(True, description="Remind of the 网点经营分析会 in its window")
    meeting_before_day: int = Field(10, ge=2, le=31, description="The meeting is held before this day")


_WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

SERVICE_DAY_NAMES: dict[str, str] = {
    **{en: en for en in _WEEKDAY_KEYS},
    **dict(zip(("周一", "周二", "周三", "周四", "周五", "周六", "周日"), _WEEKDAY_KEYS, strict=True)),
    **{d: d for d in ("workday", "weekend", "holiday", "makeup_workday")},
    "工作日": "workday",
    "周末": "weekend",
    "节假日": "holiday",
    "调休": "makeup_workday",
}
"""Names a counter's ``days`` may list: weekdays (``mon``…``sun``, 周一…周日) and day types (工作日, 周末, 节假日, 调休)."""


class CounterCalendar(_Frozen):
    """When a counter type serves customers (对公 weekdays only, …): ``[counters.<counter>] days = [...]``, and
    the numbers its windows carry on the queue machine (``windows = [1, 2]``).

    A counter serves on an open day whose weekday or day type is listed; ``days`` left out means every open day.
    On the other open days the counter is closed on purpose: its forecast customers are turned away (reported,
    not queued) and no window needs staffing.
    """

    windows: tuple[int, ...] | None = Field(
        None,
        description="排队机窗口号 of the counter's windows, in the order they open (default: numbered on "
        "from 1, 高柜 → 低柜 → 对公)",
    )

    @field_validator("windows")
    @classmethod
    def _numbers(cls, v: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if v is None:
            return None
        for n in v:
            if not isinstance(n, int) or not 1 <= n <= 999:
                raise ValueError(
                    f"窗口号应为 1–999 的整数 (window numbers must be integers 1–999), 而不是 {n!r}"
                )
        if len(set(v)) != len(v):
            raise ValueError(f"窗口号重复 (a window number is repeated): {list(v)}")
        return v

    days: tuple[str, ...] | None = Field(
        None,
        description="Weekdays (mon…sun, 周一…周日) and day types (workday, weekend, holiday, makeup_workday)",
    )

    @field_validator("days")
    @classmethod
    def _known_days(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is None:
            return None
        out = []
        for name in v:
            key = SERVICE_DAY_NAMES.get(str(name).strip()) or SERVICE_DAY_NAMES.get(str(name).strip().lower())
            if key is None:
                raise ValueError(
                    f"未知的日子 (unknown day) {name!r}; 可选 (choose from) "
                    f"{list(_WEEKDAY_KEYS)} 或日期类型 (or day types) workday/weekend/holiday/makeup_workday"
                )
            out.append(key)
        return tuple(dict.fromkeys(out))

    def serves(self, weekday: int, day_type: str) -> bool:
        """True when the counter serves on a day of this weekday (0 = Monday) and day type."""
        return self.days is None or _WEEKDAY_KEYS[weekday] in self.days or day_type in self.days


class BranchConfig(_Frozen):
    """Everything paiban needs to know about one branch."""

    branch: BranchInfo = BranchInfo()
    calendar: CalendarConfig = CalendarConfig()
    hours: HoursConfig = HoursConfig()
    grid: GridConfig = GridConfig()
    windows: dict[str, int] = Field(
        default_factory=lambda: {"high_counter": 4, "low_counter": 2, "corporate_counter": 1}
    )
    services: dict[str, str] = Field(
        default_factory=lambda: {
            "个人现金": "high_counter",
            "个人非现金": "low_counter",
            "理财": "low_counter",
            "对公业务": "corporate_counter",
            "default": "high_counter",
        }
    )
    counters: dict[str, CounterCalendar] = Field(
        default_factory=dict, description="Per counter type: the days it serves (default: every open day)"
    )
    service_level: ServiceLevel = ServiceLevel()
    lunch: LunchConfig = LunchConfig()
    labor: LaborConfig = LaborConfig()
    rules: RulesConfig = RulesConfig()
    costs: CostsConfig = CostsConfig()
    solver: SolverConfig = SolverConfig()
    replan: ReplanConfig = ReplanConfig()
    tickets: TicketsConfig = TicketsConfig()
    periodic: PeriodicConfig = PeriodicConfig()
    base_dir: str = Field("", description="Folder of branch.toml; relative paths resolve against it")

    @model_validator(mode="before")
    @classmethod
    def _shifts(cls, data: Any) -> Any:
        """``shifts = "free"`` (every start and end open) or ``[shifts]`` (posted shifts, waves) → ``rules.shifts``."""
        if not isinstance(data, dict) or "shifts" not in data:
            return data
        data = dict(data)
        v = data.pop("shifts")
        if v == "free":
            v = {"enabled": False}
        elif not isinstance(v, dict):
            raise ValueError(
                f'shifts 应为 "free" 或一节 [shifts] (shifts must be "free" or a [shifts] table), 而不是 {v!r}'
            )
        rules = dict(data.get("rules") or {})
        rules["shifts"] = {**dict(rules.get("shifts") or {}), **v}
        data["rules"] = rules
        return data

    @field_validator("windows")
    @classmethod
    def _windows(cls, v: dict[str, int]) -> dict[str, int]:
        for k, n in v.items():
            if k not in COUNTER_TYPES:
                raise ValueError(
                    f"不存在的柜台类型 (no such counter type) {k!r}; 可选 (choose from) {list(COUNTER_TYPES)}"
                )
            if not isinstance(n, int) or n < 0 or n > 50:
                raise ValueError(
                    f"{k} 的窗口数应为 0–50 的整数 (window count must be an integer 0–50), 而不是 {n!r}"
                )
        return {c: v.get(c, 0) for c in COUNTER_TYPES}

    @field_validator("counters")
    @classmethod
    def _counters(cls, v: dict[str, CounterCalendar]) -> dict[str, CounterCalendar]:
        for k in v:
            if k not in COUNTER_TYPES:
                raise ValueError(
                    f"不存在的柜台类型 (no such counter type) {k!r}; 可选 (choose from) {list(COUNTER_TYPES)}"
                )
        seen: dict[int, str] = {}
        for k, cal in v.items():
            for n in cal.windows or ():
                if n in seen:
                    raise ValueError(
                        f"counters.{k}.windows 窗口号 {n} 已用于 {seen[n]} "
                        f"(window number {n} is already {seen[n]}'s)"
                    )
                seen[n] = k
        return v

    @field_validator("services")
    @classmethod
    def _services(cls, v: dict[str, str]) -> dict[str, str]:
        for name, counter in v.items():
            if counter not in COUNTER_TYPES:
                raise ValueError(
                    f"业务 {name!r} 映射到不存在的柜台类型 {counter!r} "
                    f"(service maps to no such counter type; choose from {list(COUNTER_TYPES)})"
                )
        return {"default": "high_counter", **v}

    @model_validator(mode="after")
    def _cross(self) -> BranchConfig:
        slot = self.grid.slot_minutes
        for name in ("workday", "weekend", "holiday"):
            rng = getattr(self.hours, name)
            if rng is not None and (rng.start % slot or rng.end % slot):
                raise ValueError(
                    f"hours.{name} {rng} 不在 {slot} 分钟时段边界上 (opening hours must lie on the {slot}-minute grid)"
                )
        for what, minutes in (
            ("hours.before_open_minutes", self.hours.before_open_minutes),
            ("hours.after_close_minutes", self.hours.after_close_minutes),
            ("lunch.minutes", self.lunch.minutes),
        ):
            if minutes % slot:
                raise ValueError(
                    f"{what} = {minutes} 不是 {slot} 的整数倍 (must be a multiple of slot_minutes)"
                )
        return self

    @model_validator(mode="after")
    def _lunch_fits_the_day(self) -> BranchConfig:
        """The lunch window leaves room for a lunch inside every staff day long enough to need one — else no
        roster can hold the lunch rule on such a day whatever the staff, which is the config's doing."""
        lunch, h, slot = self.lunch, self.hours, self.grid.slot_minutes
        if lunch.minutes == 0:
            return self
        for name, label in (("workday", "工作日"), ("weekend", "周末"), ("holiday", "节假日")):
            rng = getattr(h, name)
            if rng is None:
                continue
            start, end = (
                max(0, rng.start - h.before_open_minutes),
                min(24 * 60, rng.end + h.after_close_minutes),
            )
            if end - start <= lunch.min_shift_hours * 60:
                continue  # nobody there long enough to need lunch
            # not in the first or the last slot of the staff day (lunch is never at the edge of a shift)
            room = min(end - slot, lunch.window.end) - max(start + slot, lunch.window.start)
            if room < lunch.minutes:
                day = f"{fmt_hhmm(start)}–{fmt_hhmm(end)}"
                raise ValueError(
                    f"lunch.window {lunch.window} 在{label}员工在岗时间 {day} 内放不下 {lunch.minutes} 分钟午餐, "
                    f"无人能工作超过 {lunch.min_shift_hours:g} 小时 (the lunch window leaves no room for a "
                    f"{lunch.minutes}-min lunch within the {name} staff day {day}: nobody could work over "
                    f"{lunch.min_shift_hours:g} h); 请把午餐时段设在营业时间内"
                )
        return self

    def window_numbers(self) -> dict[str, tuple[int, ...]]:
        """Per counter type, the queue-machine numbers of its physical windows (``[windows]`` of them): those
        ``[counters.<counter>] windows`` lists, then the lowest numbers no counter lists, 高柜 → 低柜 → 对公 (so
        by default 1–4 高柜, 5–6 低柜, 7 对公). A list longer than the counter's windows is cut to them."""
        given = {c: self.counters[c].windows or () for c in COUNTER_TYPES if c in self.counters}
        taken = {n for nums in given.values() for n in nums}
        free = (n for n in range(1, 10_000) if n not in taken)
        out: dict[str, tuple[int, ...]] = {}
        for c in COUNTER_TYPES:
            own = list(given.get(c, ()))[: self.windows[c]]
            out[c] = (*own, *(next(free) for _ in range(self.windows[c] - len(own))))
        return out

    def counter_of(self, service: str) -> str:
        """Counter type serving a queue-machine service name (unmapped → default)."""
        return self.services.get(str(service).strip(), self.services["default"])

    def counter_serves(self, counter: str, weekday: int, day_type: str) -> bool:
        """True when ``counter`` serves customers on a day of this weekday (0 = Monday) and day type."""
        cal = self.counters.get(counter)
        return cal is None or cal.serves(weekday, day_type)

    def resolve(self, relative: str) -> Path:
        """A path from the config, relative to the folder of branch.toml."""
        p = Path(relative)
        return p if p.is_absolute() or not self.base_dir else Path(self.base_dir) / p

    def copy_with(self, **updates: Any) -> BranchConfig:
        """A validated copy with nested updates, e.g. ``copy_with(windows={"high_counter": 5})``.

        Keys may be dotted (``"rules.noon_two_at_high_counter.count"``); dict values merge into sections.
        """
        data = self.model_dump()
        for key, value in updates.items():
            node = data
            parts = key.replace("__", ".").split(".")
            for part in parts[:-1]:
                node = node[part]
            last = parts[-1]
            if isinstance(value, dict) and isinstance(node.get(last), dict):
                node[last] = {**node[last], **value}
            else:
                node[last] = value
        return _validate(data, source=None)


def _validate(data: dict[str, Any], source: Path | None) -> BranchConfig:
    try:
        return BranchConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-after"))
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            section = loc.rsplit(".", 1)[0] if "." in loc else ""
            if section == "rules":
                msg = f"未知规则名 (unknown rule name); 可选 (choose from) {list(RULE_NAMES)}"
            else:
                msg = "未知的配置项 (unknown key)"
        value = err.get("input")
        if isinstance(value, dict):
            value = None
        key = re.match(r"([a-z_]+\.[a-z_.]+) ", msg)  # a check across keys names its key first
        if not loc and key:
            loc = key.group(1)
        raise InputError(msg, file=source, column=loc or None, value=value) from None


def load_config(path: str | Path | None = None) -> BranchConfig:
    """Read branch.toml (or the defaults when ``path`` is None) into a validated :class:`BranchConfig`."""
    if path is None:
        return BranchConfig()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("文件不存在 (file not found)", file=p) from None
    except UnicodeDecodeError:
        raise InputError("配置文件必须是 UTF-8 编码 (branch.toml must be UTF-8)", file=p) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"TOML 语法错误 (TOML syntax error): {exc}", file=p, row=int(m.group(1)) if m else None
        ) from None
    data.setdefault("base_dir", str(p.resolve().parent))
    return _validate(data, source=p)
