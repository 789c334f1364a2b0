"""A seeded sample branch (示例支行): queue-machine history, staff, config, leave — what a real branch hands in.

``generate_sample(out_dir)`` writes ``tickets.csv`` (a GB18030 queue-machine export with Chinese headers),
``staff.csv``, ``branch.toml``, ``leave.csv``, optionally ``events.csv``, and ``README.txt``. The history is
``weeks`` full weeks (Monday..Sunday) ending on ``end``; the plan week is the Monday after.

How the tickets are made, with the simulator's own model (:mod:`scheduler.simulation`): the expected tickets per
slot and service come from an intraday profile scaled by the day's factors below (pension and payroll days as
:meth:`constraints.calendar.BranchCalendar.paydays` carries them over closed days) and a gamma level noise per
day; arrivals, service times and patience are drawn by :func:`~scheduler.simulation.customers.poisson_arrivals`
and :func:`~scheduler.simulation.customers.draw_traits`; each counter type is served by
:func:`~scheduler.simulation.simulate.serve_queue` through the windows a hand-made branch plan opens, customers
walking to the window after the call and absent numbers called all the same (过号). Same seed, same bytes.
Every number below is a documented constant, taken from ../shared/DESIGN.md unless it says otherwise; the flow
they give is measured by tests/test_sample.py (``python tests/test_sample.py`` prints it), the speed by
benchmarks/bench_sample.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar, Day
from constraints.config import BranchConfig, load_config, parse_hhmm
from constraints.errors import InputError
from constraints.io import atomic_write, signals_held, write_csv
from forecasts.service import ServiceProfile
from scheduler.simulation.customers import draw_traits, poisson_arrivals
from scheduler.simulation.simulate import serve_queue

# ==== the customer-flow facts (DESIGN.md, "Numbers a real branch expects") ==================================


@dataclass(frozen=True)
class ServiceSpec:
    """One queue-machine service: its ticket prefix, counter, share of weekday tickets and behaviour."""

    name: str
    prefix: str  # ticket numbers A001, B001, … restart each day per prefix
    counter: str  # must match the [services] map of branch.toml
    share: float  # share of a normal weekday's tickets
    service_minutes: float  # lognormal mean (DESIGN: cash ≈4, non-cash ≈10, wealth/corporate ≈15)
    service_cv: float  # coefficient of variation of the service time
    weekend_factor: float  # day factor on weekends (weighted average ≈ DESIGN's ×0.46)
    vip_share: float  # 客户等级 = 1
    patience_minutes: float  # mean of the exponential patience (how long a customer waits before leaving)
    profile: str  # intraday profile name (PROFILES)

    def service_profile(self, patience_factor: float = 1.0) -> ServiceProfile:
        """The simulator's service-time and patience model of this service (patience scaled by the factor)."""
        return ServiceProfile(
            counter=self.counter,
            mean_minutes=self.service_minutes,
            cv=self.service_cv,
            patience_minutes=self.patience_minutes * patience_factor,
            vip_share=self.vip_share,
        )


# DESIGN.md gives 55/25/8/12 % as the usual split. With the example branch's 2 low-counter windows and
# 1 corporate window, that split at 10–15 min per customer would load those counters beyond 100% at the peaks
# (25%·250·10 min + 8%·250·15 min ≈ 925 window-minutes for 960 available). The shares are therefore tuned to
# what those windows can carry at a plausible ~60% average occupancy; cash takes the rest.
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("个人现金", "A", "high_counter", 0.74, 4.0, 0.7, 0.48, 0.02, 25.0, "personal"),
    ServiceSpec("个人非现金", "B", "low_counter", 0.155, 10.0, 0.7, 0.50, 0.08, 60.0, "personal"),
    ServiceSpec("理财", "D", "low_counter", 0.045, 15.0, 0.8, 0.55, 0.08, 60.0, "personal"),
    ServiceSpec("对公业务", "C", "corporate_counter", 0.06, 15.0, 0.6, 0.12, 0.0, 90.0, "corporate"),
)
BASE_WEEKDAY_TICKETS = 245.0  # a Tue–Fri; with Monday ×1.10 the weekday mean is ≈250 (DESIGN: ~250)
MONDAY_FACTOR = 1.10  # DESIGN: Monday ×1.10
AFTER_HOLIDAY_FACTOR = 1.40  # first open day after a run of closed days (brief of issue 2)
AFTER_HOLIDAY_CLOSED_DAYS = 2  # that run's least length (the branch opens on weekends: holidays close it)
PAYROLL_CASH_FACTOR = 1.30  # 代发工资日 (config.calendar.payroll_days): cash ×1.3
PENSION_CASH_FACTOR = 2.00  # 养老金发放日 (config.calendar.pension_days): cash ×2 (DESIGN), extra is elderly
PENSION_PATIENCE_FACTOR = 1.5  # elderly customers on pension day wait longer before leaving
DAY_NOISE_CV = 0.08  # gamma level noise per day (mean 1): counts are negative-binomial over days
EMPTY_SHARE = 0.15  # of abandoned tickets, recorded as 空号 instead of 过号
CALL_SECONDS = 20  # a window calls an absent number for this long before moving on
WALK_SECONDS = (5, 40)  # from the call to 开始时间 (walking to the window), uniform

# Relative arrival intensity per half hour (at the half-hour's middle; linear in between), 09:00–17:00.
# Peaks 10–11 and 14–16, lunch dip 12:00–13:30 (DESIGN). Corporate clients come later in the day; the
# pension-day extra crowd is elderly and comes early (queueing at the door at opening).
# fmt: off
PROFILES: dict[str, tuple[float, ...]] = {
    #             09:00 09:30 10:00 10:30 11:00 11:30 12:00 12:30 13:00 13:30 14:00 14:30 15:00 15:30 16:00 16:30
    "personal":  (0.80, 1.05, 1.35, 1.40, 1.15, 0.85, 0.60, 0.60, 0.75, 0.95, 1.25, 1.35, 1.35, 1.20, 0.90, 0.65),
    "corporate": (0.60, 0.90, 1.10, 1.20, 1.10, 0.80, 0.50, 0.50, 0.70, 1.00, 1.40, 1.50, 1.50, 1.40, 1.10, 0.70),
    "elderly":   (3.00, 2.40, 1.80, 1.30, 0.90, 0.60, 0.40, 0.40, 0.50, 0.60, 0.60, 0.50, 0.40, 0.30, 0.20, 0.10),
}
# fmt: on
PROFILE_START = 9 * 60  # the first half hour of PROFILES

# 窗口 as the queue machine numbers them (as in ../shared/examples/tickets_head.csv)
WINDOW_NUMBERS: dict[str, tuple[int, ...]] = {
    "high_counter": (1, 2, 3, 4),
    "low_counter": (5, 6),
    "corporate_counter": (7,),
}

# The branch's own (hand-made) window plan: from each time on (on the slot grid), which windows are open. The
# last entry lasts until the queue is empty after closing. Day kinds (normal, busy, pension, weekend): see
# day_factors.
# fmt: off
WINDOW_PLANS: dict[tuple[str, str], tuple[tuple[str, tuple[int, ...]], ...]] = {
    ("high_counter", "normal"): (("09:00", (1, 2)), ("09:45", (1, 2, 3)), ("11:30", (1, 2)), ("13:45", (1, 2, 3)),
                                 ("16:30", (1, 2))),
    ("high_counter", "busy"): (("09:00", (1, 2, 3)), ("10:00", (1, 2, 3, 4)), ("11:30", (1, 2)),
                               ("13:30", (1, 2, 3)), ("14:00", (1, 2, 3, 4)), ("16:00", (1, 2, 3))),
    ("high_counter", "pension"): (("09:00", (1, 2, 3, 4)), ("11:30", (1, 2, 3)), ("13:30", (1, 2, 3, 4)),
                                  ("15:30", (1, 2, 3))),
    ("high_counter", "weekend"): (("09:30", (1, 2)), ("10:00", (1, 2, 3)), ("11:30", (1, 2)), ("14:00", (1, 2, 3))),
    ("low_counter", "weekday"): (("09:00", (5, 6)), ("11:30", (5,)), ("12:30", (6,)), ("13:30", (5, 6))),
    ("low_counter", "weekend"): (("09:30", (5,)), ("10:00", (5, 6)), ("11:30", (5,)), ("14:00", (5, 6)),
                                 ("15:30", (5,))),
    ("corporate_counter", "weekday"): (("09:00", (7,)),),
    ("corporate_counter", "weekend"): (("09:30", (7,)),),
}
# fmt: on

# Who sits at which window (skills as in STAFF_ROWS): personal tellers rotate over windows 1–5 day by day; the
# operations supervisor relieves the high counter at lunch; a wealth manager takes window 6 (理财); the two
# corporate tellers share window 7 (one before 12:30, one after). Lunch in two waves, 11:30 and 12:30.
TELLERS = ("S07", "S08", "S09", "S10", "S11")
RELIEF_TELLER = "S02"
WEALTH_MANAGERS = ("S04", "S05")
CORPORATE_TELLERS = ("S12", "S13")
LUNCH_WAVES = ((690, 750), (750, 810))  # 11:30–12:30 first wave, 12:30–13:30 second

STAFF_HEADER = ("工号", "姓名", "岗位", "技能", "权限", "周工时")
STAFF_ROWS: tuple[tuple[str, ...], ...] = (  # the 14 people of ../shared/examples/staff.csv
    ("S01", "王建国", "支行长", "lobby", "branch;operations", "40"),
    ("S02", "李秀英", "营业主管", "high_counter;low_counter", "operations;branch", "40"),
    ("S03", "张伟", "销售主管", "lobby;low_counter", "branch", "40"),
    ("S04", "刘洋", "理财经理", "lobby;low_counter", "", "40"),
    ("S05", "陈静", "理财经理", "lobby;low_counter", "", "40"),
    ("S06", "杨磊", "客户经理", "lobby", "", "40"),
    ("S07", "赵敏", "个人业务柜员", "high_counter;low_counter", "", "40"),
    ("S08", "黄丽", "个人业务柜员", "high_counter;low_counter", "", "40"),
    ("S09", "周杰", "个人业务柜员", "high_counter;low_counter", "", "40"),
    ("S10", "吴娜", "个人业务柜员", "high_counter;low_counter", "", "40"),
    ("S11", "徐明", "个人业务柜员", "high_counter;low_counter", "operations", "40"),
    ("S12", "孙燕", "公司业务柜员", "corporate_counter;low_counter", "", "40"),
    ("S13", "马超", "公司业务柜员", "corporate_counter", "", "40"),
    ("S14", "朱红", "信贷员", "", "", "40"),
)

TICKET_HEADER = ("票号", "业务类型", "取号时间", "叫号时间", "开始时间", "办结时间", "窗口", "柜员号", "状态", "客户等级")  # fmt: skip
DEFAULT_END = dt.date(2026, 11, 29)

# ==== generation ============================================================================================


@dataclass(frozen=True)
class SampleBranch:
    """The files of a generated sample branch and its plan week."""

    out_dir: Path
    tickets: Path
    staff: Path
    config: Path
    leave: Path
    readme: Path
    events: Path | None
    plan_week: dt.date  # the Monday after the history
    history_start: dt.date
    history_end: dt.date


def generate_sample(
    out_dir: Path, weeks: int = 12, seed: int = 0, end: dt.date = DEFAULT_END
) -> SampleBranch:
    """Write a sample branch into ``out_dir``: ``weeks`` weeks of tickets ending on Sunday ``end``, and inputs.

    All files are written into a temporary folder first and moved into place only when every one succeeded.
    """
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= 260:
        raise InputError(
            "周数应为 1–260 的整数 (weeks must be an integer 1–260)", argument="--weeks", value=weeks
        )
    if end.weekday() != 6:
        raise InputError(
            f"历史必须在周日结束, 而 {end} 不是周日 (--end must be a Sunday)",
            argument="--end",
            value=str(end),
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".sample-", dir=out_dir))
    try:
        config_path = tmp / "branch.toml"
        with atomic_write(config_path) as fh:
            fh.write(
                resources.files("scheduler.sample").joinpath("sample_branch.toml").read_text(encoding="utf-8")
            )
        config = load_config(config_path)
        calendar = BranchCalendar(config)
        start = end - dt.timedelta(days=7 * weeks - 1)
        plan_week = end + dt.timedelta(days=1)
        rng = np.random.default_rng(seed)
        tickets = generate_tickets(config, calendar, start, end, rng)
        with atomic_write(tmp / "tickets.csv", encoding="gb18030") as fh:
            tickets.to_csv(fh, index=False, lineterminator="\r\n")
        write_csv(pd.DataFrame(list(STAFF_ROWS), columns=list(STAFF_HEADER)), tmp / "staff.csv")
        leave, events = _plan_week_absences(calendar, plan_week)
        write_csv(leave, tmp / "leave.csv")
        names = ["tickets.csv", "staff.csv", "branch.toml", "leave.csv", "README.txt"]
        if len(events):
            write_csv(events, tmp / "events.csv")
            names.append("events.csv")
        with atomic_write(tmp / "README.txt", encoding="utf-8-sig") as fh:
            fh.write(_readme(start, end, plan_week, seed, len(tickets), bool(len(events))))
        for name in names:
            os.replace(tmp / name, out_dir / name)
        if "events.csv" not in names:  # a stale one from an earlier run would describe another week
            with contextlib.suppress(FileNotFoundError):
                (out_dir / "events.csv").unlink()
    finally:
        with signals_held():
            shutil.rmtree(tmp, ignore_errors=True)
    return SampleBranch(
        out_dir=out_dir,
        tickets=out_dir / "tickets.csv",
        staff=out_dir / "staff.csv",
        config=out_dir / "branch.toml",
        leave=out_dir / "leave.csv",
        readme=out_dir / "README.txt",
        events=out_dir / "events.csv" if "events.csv" in names else None,
        plan_week=plan_week,
        history_start=start,
        history_end=end,
    )


@dataclass(frozen=True)
class DayFactors:
    """Why a day is busier or quieter than a normal weekday."""

    day: Day
    kind: str  # normal, busy, pension, weekend (selects the window plan)
    factor: float  # all services (day of week, after a holiday)
    pension: bool
    payroll: bool


def day_factors(calendar: BranchCalendar, start: dt.date, end: dt.date) -> list[DayFactors]:
    """The open days in [start, end] with their factors; pension and payroll days as the calendar carries them
    over closed days (:meth:`~constraints.calendar.BranchCalendar.paydays`, as the forecasts see them)."""
    paid = calendar.paydays(start, end)
    out: list[DayFactors] = []
    closed_run = 0  # closed days right before the current one
    d = start - dt.timedelta(days=AFTER_HOLIDAY_CLOSED_DAYS)
    while d <= end:
        day = calendar.day(d)
        if not day.is_open:
            closed_run += 1
            d += dt.timedelta(days=1)
            continue
        if d >= start:
            weekend = day.day_type == "weekend"
            factor = MONDAY_FACTOR if day.day_type == "workday" and d.weekday() == 0 else 1.0
            if closed_run >= AFTER_HOLIDAY_CLOSED_DAYS:
                factor *= AFTER_HOLIDAY_FACTOR
            pension, payroll = d in paid.pension, d in paid.payroll
            kind = "weekend" if weekend else "normal"
            if not weekend and (factor > 1.0 or payroll):
                kind = "busy"
            if pension and not weekend:
                kind = "pension"
            out.append(DayFactors(day, kind, factor, pension, payroll))
        closed_run = 0
        d += dt.timedelta(days=1)
    return out


# ==== expected customers ====================================================================================


@dataclass(frozen=True)
class Stream:
    """One service's customers on one day: the expected count per slot and their service and patience model."""

    service: int  # index into SERVICES
    slot_starts: np.ndarray  # minutes after midnight, slots of ``slot_minutes``
    expected: np.ndarray  # customers per slot, the day's level noise excluded
    profile: ServiceProfile


def _minute_weights(profile: str, open_start: int, open_end: int) -> np.ndarray:
    """Arrival weights of each open minute, summing to 1."""
    values = np.asarray(PROFILES[profile])
    knots = PROFILE_START + 15 + 30 * np.arange(len(values))
    w = np.interp(np.arange(open_start, open_end) + 0.5, knots, values)
    return w / w.sum()


def _slot_weights(profile: str, day: Day, slot_minutes: int) -> tuple[np.ndarray, np.ndarray]:
    """(slot starts, weights): the profile's share of the day's arrivals per slot (slots from midnight)."""
    assert day.open_hours is not None
    o, c = day.open_hours.start, day.open_hours.end
    slot = np.arange(o, c) // slot_minutes * slot_minutes
    starts, index = np.unique(slot, return_inverse=True)
    return starts, np.bincount(index, weights=_minute_weights(profile, o, c))


def day_streams(
    f: DayFactors, slot_minutes: int, *, volume: float = 1.0, services: tuple[ServiceSpec, ...] = SERVICES
) -> list[Stream]:
    """The customer streams of a day: one per service offered, and the elderly pension crowd on a pension day;
    ``volume`` scales them all."""
    out = []
    for k, spec in enumerate(SERVICES):
        if spec not in services:
            continue
        expected = BASE_WEEKDAY_TICKETS * spec.share * f.factor * volume
        expected *= spec.weekend_factor if f.kind == "weekend" else 1.0
        cash = spec.counter == "high_counter"
        if cash and f.payroll:
            expected *= PAYROLL_CASH_FACTOR
        starts, w = _slot_weights(spec.profile, f.day, slot_minutes)
        out.append(Stream(k, starts, expected * w, spec.service_profile()))
        if cash and f.pension:
            starts, w = _slot_weights("elderly", f.day, slot_minutes)
            extra = expected * (PENSION_CASH_FACTOR - 1) * w
            out.append(Stream(k, starts, extra, spec.service_profile(PENSION_PATIENCE_FACTOR)))
    return out


def expected_arrivals(
    calendar: BranchCalendar, start: dt.date, end: dt.date, slot_minutes: int | None = None
) -> pd.DataFrame:
    """``date, slot, counter, mean``: the tickets the generator expects per slot (slots of ``slot_minutes``,
    default the calendar's grid, from midnight), the day's level noise excluded — the floor no forecast of the
    mean can go below on average (benchmarks/bench_forecast.py's oracle)."""
    width = slot_minutes or calendar.config.grid.slot_minutes
    rows = [
        (f.day.date, int(s), SERVICES[st.service].counter, float(v))
        for f in day_factors(calendar, start, end)
        for st in day_streams(f, width)
        for s, v in zip(st.slot_starts, st.expected, strict=True)
    ]
    frame = pd.DataFrame(rows, columns=["date", "slot", "counter", "mean"])
    return frame.groupby(["date", "slot", "counter"], sort=True)["mean"].sum().reset_index()


# ==== the branch's windows and tellers ======================================================================


def window_plan(counter: str, kind: str, day: Day) -> tuple[np.ndarray, np.ndarray]:
    """(open, drain): which of the counter's windows (WINDOW_NUMBERS order) the branch opens in each slot of
    the day up to its last open slot, and which stay open after closing until the queue is empty."""
    if (counter, kind) not in WINDOW_PLANS:  # the low and corporate counters plan weekdays alike
        kind = "weekend" if kind == "weekend" else "weekday"
    plan = [(parse_hhmm(t), frozenset(ws)) for t, ws in WINDOW_PLANS[(counter, kind)]]
    numbers = WINDOW_NUMBERS[counter]
    starts = np.asarray(day.slot_starts[: day.open_slots[-1] + 1])
    is_open = np.zeros((len(numbers), len(starts)), dtype=bool)
    for minute, ws in plan:
        is_open[:, starts >= minute] = np.array([n in ws for n in numbers])[:, None]
    return is_open, np.array([n in plan[-1][1] for n in numbers])


@dataclass(frozen=True)
class Seating:
    """Who sits at which window on one day (skills as in STAFF_ROWS)."""

    high: tuple[str, ...]  # high-counter tellers of the day: windows 1, 2, … in this order
    low: str  # window 5
    wealth: str  # window 6 (理财)
    corporate: tuple[str, str]  # window 7 before and after the second lunch wave

    @classmethod
    def draw(cls, f: DayFactors, rng: np.random.Generator) -> Seating:
        """Personal tellers rotate over windows 1–5; wealth managers and corporate tellers alternate by date."""
        perm = tuple(str(p) for p in rng.permutation(TELLERS))
        on_duty = perm[:4] if f.kind == "weekend" else perm  # weekend: 3 at the high counter, 1 low
        odd = f.day.date.toordinal() % 2
        corporate = CORPORATE_TELLERS if odd else CORPORATE_TELLERS[::-1]
        return cls(on_duty[:-1], on_duty[-1], WEALTH_MANAGERS[odd], (corporate[0], corporate[1]))

    def teller(self, window: int, minute: int) -> str:
        """Who sits at ``window`` at ``minute``: at lunch a wave of high-counter tellers is away and the
        operations supervisor relieves."""
        if window <= 4:
            for k, (a, b) in enumerate(LUNCH_WAVES):
                if a <= minute < b:
                    away = set(self.high[:2]) if k == 0 else set(self.high[2:])
                    pool = [p for p in self.high if p not in away] + [RELIEF_TELLER]
                    return pool[(window - 1) % len(pool)]
            return self.high[min(window, len(self.high)) - 1]
        if window == 5:
            return self.low
        if window == 6:
            return self.wealth
        return self.corporate[0] if minute < LUNCH_WAVES[1][0] else self.corporate[1]


# ==== tickets ===============================================================================================


def generate_tickets(
    config: BranchConfig,
    calendar: BranchCalendar,
    start: dt.date,
    end: dt.date,
    rng: np.random.Generator,
    *,
    volume: float = 1.0,
    services: tuple[ServiceSpec, ...] = SERVICES,
) -> pd.DataFrame:
    """The queue-machine export for [start, end]: one row per ticket, Chinese headers, text cells.

    ``volume`` scales every service's arrivals (a bigger or smaller branch than the sample); ``services``
    (a subset of :data:`SERVICES`) leaves out those a branch does not offer, e.g. corporate business. The
    customers are served as the sample branch serves them (:data:`WINDOW_NUMBERS` and its window plans),
    whatever windows ``config`` gives: the history of a branch of another shape (benchmarks' family) is its
    arrivals, which is what the forecast reads."""
    for spec in services:
        if config.counter_of(spec.name) != spec.counter:
            raise ValueError(f"branch.toml maps {spec.name} elsewhere than {spec.counter}")
    parts: list[dict[str, np.ndarray]] = []
    for f in day_factors(calendar, start, end):
        level = rng.gamma(1.0 / DAY_NOISE_CV**2, DAY_NOISE_CV**2)
        seating = Seating.draw(f, rng)
        streams = day_streams(f, f.day.slot_minutes, volume=volume, services=services)
        for counter in WINDOW_NUMBERS:
            mine = [s for s in streams if SERVICES[s.service].counter == counter]
            if mine:  # a branch without the counter's services (benchmarks' family) has no tickets there
                parts.append(_serve_counter(f, counter, mine, level, seating, rng))
    return _export_frame(pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]}))


def _serve_counter(
    f: DayFactors,
    counter: str,
    streams: list[Stream],
    level: float,
    seating: Seating,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """One counter's tickets of one day (times in whole seconds after midnight), served by the simulator."""
    day = f.day
    arrival, service, patience, vip, svc = [], [], [], [], []
    for st in streams:
        _, t = poisson_arrivals(rng, st.expected * level, st.slot_starts, day.slot_minutes)
        traits = draw_traits(rng, t, st.profile)
        arrival.append(np.floor(t * 60.0))  # whole seconds, never the closing second itself
        service.append(np.maximum(np.round(traits.service * 60.0), 1.0))
        patience.append(traits.patience)
        vip.append(traits.vip)
        svc.append(np.full(len(t), st.service))
    issued = np.concatenate(arrival)
    n = len(issued)
    walk = rng.integers(WALK_SECONDS[0], WALK_SECONDS[1] + 1, size=n).astype(float)
    empty = rng.random(n) < EMPTY_SHARE
    is_open, drain = window_plan(counter, f.kind, day)
    sv = serve_queue(
        issued / 60.0,
        np.concatenate(service) / 60.0,
        np.concatenate(patience),
        is_open,
        day.slot_minutes,
        start=float(day.slot_starts[0]),
        call_minutes=CALL_SECONDS / 60.0,
        drain=drain,
        walk=walk / 60.0,
    )
    assert np.isfinite(sv.called).all(), "the plan leaves a window open until the queue is empty"
    served = ~sv.abandoned
    called = np.round(sv.called * 60.0)
    window = np.asarray(WINDOW_NUMBERS[counter])[sv.window]
    return {
        "date": np.full(n, day.date, dtype=object),
        "svc": np.concatenate(svc).astype(int),
        "issued": issued,
        "called": called,
        "started": np.where(served, np.round(sv.start * 60.0), np.nan),
        "finished": np.where(served, np.round(sv.end * 60.0), np.nan),
        "window": window,
        "teller": np.array(
            [seating.teller(int(w), int(s // 60)) for w, s in zip(window, called, strict=True)], dtype=object
        ),
        "status": np.where(served, "已办结", np.where(empty, "空号", "过号")).astype(object),
        "vip": np.concatenate(vip).astype(int),
    }


def _export_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """Sort by issue time, number the tickets per day and prefix, format times as a queue machine does."""
    raw = raw.sort_values(["date", "issued", "svc"], kind="stable", ignore_index=True)
    prefix = np.array([s.prefix for s in SERVICES])[raw["svc"].to_numpy()]
    number = raw.assign(prefix=prefix).groupby(["date", "prefix"], sort=False).cumcount() + 1
    midnight = pd.to_datetime(raw["date"].astype(str))

    def stamp(col: str) -> pd.Series:
        text = (midnight + pd.to_timedelta(raw[col], unit="s")).dt.strftime("%Y-%m-%d %H:%M:%S")
        return text.fillna("")

    out = pd.DataFrame(
        {
            "票号": [f"{p}{n:03d}" for p, n in zip(prefix, number, strict=True)],
            "业务类型": np.array([s.name for s in SERVICES])[raw["svc"].to_numpy()],
            "取号时间": stamp("issued"),
            "叫号时间": stamp("called"),
            "开始时间": stamp("started"),
            "办结时间": stamp("finished"),
            "窗口": raw["window"].astype(str),
            "柜员号": raw["teller"],
            "状态": raw["status"],
            "客户等级": raw["vip"].astype(str),
        }
    )
    return out[list(TICKET_HEADER)]


def _plan_week_absences(calendar: BranchCalendar, monday: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A few realistic leave rows and events for the plan week, none that leave a counter or authority bare."""
    open_weekdays = [d.date for d in calendar.week(monday)[:5] if d.is_open and d.day_type != "weekend"]
    leave: list[tuple[str, str, str, str, str]] = []
    events: list[tuple[str, str, str, str, str]] = []
    if open_weekdays:
        # one personal teller's annual leave mid-week (four tellers + S02 still cover the high counter)
        leave.append(("S09", open_weekdays[len(open_weekdays) // 2].isoformat(), "", "", "年休假"))
        meeting = [d for d in open_weekdays if d.day < 10]  # 经营分析会 before the 10th; president off-site
        if meeting:
            leave.append(("S01", meeting[-1].isoformat(), "09:00", "12:00", "经营分析会(二级分行)"))
        else:
            leave.append(("S05", open_weekdays[-1].isoformat(), "13:30", "17:30", "事假"))
        talks = [d for d in open_weekdays if d.month in (1, 4, 7, 10) and d.day <= 15]  # 季度谈话
        for k, (sid, time) in enumerate((("S07", "16:00-17:00"), ("S12", "16:00-17:00"))):
            if talks:
                day = talks[min(k, len(talks) - 1)]
                a, b = time.split("-")
                events.append((f"S01;{sid}", day.isoformat(), a, b, "季度谈话"))
    cols = ["staff_id", "date", "start", "end", "reason"]
    return pd.DataFrame(leave, columns=cols), pd.DataFrame(events, columns=cols)


def _readme(start: dt.date, end: dt.date, plan_week: dt.date, seed: int, n: int, events: bool) -> str:
    lines = [
        "示例支行 (paiban 生成的模拟数据, 非真实客户数据)",
        "",
        f"由 `paiban sample` 生成, 随机种子 seed={seed}; 相同种子生成的文件逐字节相同.",
        "",
        f"tickets.csv  排队机导出的取号记录 (GB18030/GBK 编码, 中文表头), {start} 至 {end}, 共 {n} 张票.",
        "             业务类型: 个人现金(A, 高柜) 个人非现金(B, 低柜) 理财(D, 低柜) 对公业务(C, 对公);",
        "             状态: 已办结 / 过号 / 空号 (过号、空号没有开始和办结时间); 客户等级 1 = VIP.",
        "             窗口 1–4 高柜, 5–6 低柜, 7 对公. 法定节假日休业无票; 调休上班日照常营业.",
        "staff.csv    员工名单 14 人: 工号, 姓名, 岗位, 技能, 权限, 周工时 (UTF-8 带 BOM).",
        "branch.toml  网点配置: 营业时间, 时段, 窗口数, 业务与柜台对应, 服务水平, 规则参数.",
        f"leave.csv    排班周 ({plan_week} 起的一周) 的请假与外出 (工号, 日期, 开始, 结束, 事由; 时间为空表示全天).",
    ]
    if events:
        lines.append("events.csv   排班周的会议与谈话 (季度谈话等), 格式同 leave.csv, 工号可用分号列出多人.")
    lines += [
        "README.txt   本说明.",
        "",
        "客流特征: 工作日约 250 张票, 高峰 10–11 点与 14–16 点, 午间 12:00–13:30 较少; 周一约 ×1.1, 周末约 ×0.46;",
        "养老金发放日 (每月 15 日, 遇休业顺延) 现金业务约 ×2 且集中在上午; 代发工资日 (10 日) 现金 ×1.3;",
        "长假后第一个营业日约 ×1.4. 排队等待由网点原有的窗口安排模拟得出, 约 5% 的票过号.",
        "",
        f"试试: paiban demo, 或 paiban plan --tickets tickets.csv --staff staff.csv --config branch.toml "
        f"--leave leave.csv --week {plan_week}",
        "",
    ]
    return "\n".join(lines)
