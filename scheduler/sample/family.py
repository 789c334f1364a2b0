"""A seeded family of branch shapes: the sample generator's tickets under other staffs, grids and calendars.

The roster solver was tuned on two branches (the sample and a 40-person copy); this family is what it is
measured on besides (``benchmarks/bench_family.py``). Each :class:`Shape` is written by :func:`write_shape` as
a branch hands it in — ``branch.toml`` (the sample's, with the shape's grid, hours, windows and rule
settings), ``staff.csv``, ``leave.csv``, ``overrides.csv`` (closed days) and ``tickets.csv`` (the sample
generator's queue export, its volume scaled to the branch) — so ``paiban plan`` reads it like any branch.
:data:`SHAPES` covers staff of 5 to 80, slots of 15, 30 and 60 minutes, five-, six- and seven-day weeks, a week
with statutory holidays and a 调休 day and one with holidays open at triple pay, 1–8 windows per counter type
and a branch without a corporate counter, scarce roles (two lobby-capable people, two authority holders), a
week with three people on leave, and part-timers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar, package_day_type
from constraints.config import COUNTER_TYPES, load_config
from constraints.io import atomic_write, write_csv
from scheduler.sample.generator import SERVICES, STAFF_HEADER, generate_tickets

# posts in the order of ``Shape.posts``: (post, skills, authorities)
POSTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("支行长", ("lobby",), ("branch", "operations")),
    ("营业主管", ("high_counter", "low_counter"), ("operations", "branch")),
    ("销售主管", ("lobby", "low_counter"), ("branch",)),
    ("理财经理", ("lobby", "low_counter"), ()),
    ("客户经理", ("lobby",), ()),
    ("个人业务柜员", ("high_counter", "low_counter"), ()),
    ("公司业务柜员", ("corporate_counter", "low_counter"), ()),
    ("信贷员", (), ()),
)
TELLER = 5  # index of the personal teller in POSTS
OPERATIONS_EVERY = 5
"""Every fifth personal teller also holds operations authority (the sample's S11)."""
PART_TIME_HOURS = 24
"""Contract hours a week of a part-timer (兼职/非全日制)."""
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲建国红"


@dataclass(frozen=True)
class Shape:
    """One branch shape of the family: who works there, its grid, week, windows and special conditions."""

    name: str
    posts: tuple[int, ...]  # people per post, in the order of POSTS
    slot_minutes: int
    windows: tuple[int, int, int]  # high, low, corporate
    open_days: int = 7  # 7; 6 = Sundays closed; 5 = weekends closed (调休 Saturdays stay open)
    week: dt.date = dt.date(2026, 11, 30)  # the plan week's Monday
    volume: float = 1.0  # tickets relative to the sample branch
    holiday_hours: str = "closed"  # statutory holidays open these hours (at holiday pay) or closed
    leave: int = 0  # people on leave for part of the plan week
    part_timers: int = 0  # personal tellers on PART_TIME_HOURS
    lobby_people: int | None = None  # exactly this many lobby-capable people
    holders: int | None = None  # exactly this many authority holders
    settings: tuple[tuple[str, str, object], ...] = ()  # (section, key, value) for branch.toml
    note: str = ""

    @property
    def staff(self) -> int:
        """Head count."""
        return sum(self.posts)


_HOURLY = (  # an hourly grid: staff time and lunch on whole hours
    ("hours", "weekend", "10:00-16:00"),
    ("hours", "before_open_minutes", 60),
    ("hours", "after_close_minutes", 60),
    ("lunch", "window", "11:00-14:00"),
    ("rules.noon_two_at_high_counter", "window", "12:00-13:00"),
    # a 10-hour staff day: the 晚班 that closes starts after the 晨会, so the branch holds a 班前会 for it
    ("rules.daily_routine", "late_meeting", "09:00-10:00"),
)

SHAPES: tuple[Shape, ...] = (
    Shape(
        "b05_h60_5d",
        (1, 1, 0, 1, 0, 2, 0, 0),
        60,
        (2, 1, 0),
        open_days=5,
        volume=0.3,
        settings=(*_HOURLY, ("rules.lobby_manager", "backup", False)),
        note="5 staff, hourly grid, weekdays only, no corporate counter, no backup lobby manager",
    ),
    Shape(
        "b08_h30_6d",
        (1, 1, 0, 1, 1, 3, 1, 0),
        30,
        (1, 1, 1),
        open_days=6,
        volume=0.4,
        settings=(("rules.noon_two_at_high_counter", "count", 1),),
        note="8 staff, one window per counter (the noon rule keeps the one cash window open), Sundays closed "
        "(overrides file)",
    ),
    Shape(
        "b08_q15_7d",
        (1, 1, 1, 1, 0, 4, 0, 0),
        15,
        (2, 1, 0),
        volume=0.45,
        # five cash-capable people cover the noon two (two per lunch wave) on seven days only with rest-day work
        # beyond the 40 hours: the law's overtime (≤ 36 h a month), paid × 1.5
        settings=(("rules.lobby_manager", "backup", False), ("labor", "max_weekly_overtime_hours", 8)),
        note="8 staff, 15-min grid, open every day (rest-day work as paid overtime), no corporate counter, no "
        "backup lobby manager",
    ),
    Shape("b14_h30_7d", (1, 1, 1, 2, 1, 5, 2, 1), 30, (4, 2, 1), note="the sample's staff on a 30-min grid"),
    Shape(
        "b14_q15_holiday",
        (1, 1, 1, 2, 1, 5, 2, 1),
        15,
        (4, 2, 1),
        week=dt.date(2026, 5, 4),
        note="Labour Day week: Mon–Tue statutory holidays (closed), Saturday a 调休 workday",
    ),
    Shape(
        "b14_q15_leave3",
        (1, 1, 1, 2, 1, 5, 2, 1),
        15,
        (4, 2, 1),
        leave=3,
        # a teller away all week leaves five cash-capable people for four a day at the noon counter (two per
        # lunch wave) on seven days: covered by overtime, as a branch would; the 营业主管 away two days: her
        # authorities delegated for the week (_delegated)
        settings=(("labor", "max_weekly_overtime_hours", 8),),
        note="three people on leave (overtime allowed, authorities delegated)",
    ),
    Shape(
        "b14_q15_lobby2",
        (1, 1, 1, 2, 1, 5, 2, 1),
        15,
        (4, 2, 1),
        open_days=6,
        lobby_people=2,
        settings=(("rules.lobby_manager", "backup", False),),
        note="exactly two lobby-capable people (no backup lobby manager), Sundays closed",
    ),
    Shape(
        "b14_h30_holders2",
        (1, 1, 1, 2, 1, 5, 2, 1),
        30,
        (4, 2, 1),
        open_days=5,
        holders=2,
        note="exactly two authority holders, weekdays only",
    ),
    Shape(
        "b16_h30_holiday_open",
        (1, 2, 2, 2, 1, 6, 1, 1),
        30,
        (4, 2, 1),
        week=dt.date(2026, 9, 21),
        volume=1.1,
        holiday_hours="10:00-16:00",
        lobby_people=6,
        holders=6,
        note="Mid-Autumn Fri–Sun open at triple pay, lobby and authority each held by six people",
    ),
    Shape(
        "b25_q15_parttime",
        (1, 2, 1, 3, 3, 10, 3, 2),
        15,
        (6, 3, 2),
        volume=1.7,
        part_timers=4,
        note="25 staff, four part-time tellers",
    ),
    Shape("b25_h60_6d", (1, 2, 1, 3, 3, 10, 3, 2), 60, (6, 4, 2), open_days=6, volume=1.7, settings=_HOURLY),
    Shape("b40_h30_7d", (1, 2, 2, 6, 4, 16, 6, 3), 30, (8, 5, 3), volume=2.8, note="40 staff, 30-min grid"),
    Shape("b40_q15_5d", (1, 2, 2, 6, 4, 16, 6, 3), 15, (8, 6, 3), open_days=5, volume=3.0),
    Shape(
        "b80_q15_7d",
        (1, 4, 3, 10, 10, 34, 12, 6),
        15,
        (8, 8, 8),
        volume=4.5,
        note="80 staff, 8 windows per counter",
    ),
)
"""The family (``benchmarks/bench_family.py`` prints one row per shape)."""


@dataclass(frozen=True)
class FamilyBranch:
    """The files of a written shape and its plan week."""

    shape: Shape
    folder: Path
    tickets: Path
    staff: Path
    config: Path
    leave: Path
    plan_week: dt.date


def shape_named(name: str) -> Shape:
    """The shape called ``name`` (``KeyError`` naming the choices otherwise)."""
    for s in SHAPES:
        if s.name == name:
            return s
    raise KeyError(f"no shape {name!r}; choose from {[s.name for s in SHAPES]}")


def staff_frame(shape: Shape, away: frozenset[str] = frozenset()) -> pd.DataFrame:
    """staff.csv of the shape: posts in order, skills and authorities as the sample's, then the shape's
    scarce roles (lobby skill and authorities kept by the first people who have them) and part-timers.
    ``away``: ids on leave in the plan week, who do not count towards the holders a branch keeps."""
    rows: list[tuple[str, ...]] = []
    lobby_left = shape.lobby_people
    holders_left = shape.holders
    tellers = part_left = 0
    for post_index, count in enumerate(shape.posts):
        post, skills, auths = POSTS[post_index]
        for _ in range(count):
            k = len(rows)
            sk, au, hours = list(skills), list(auths), 40
            if post_index == TELLER:
                tellers += 1
                if tellers % OPERATIONS_EVERY == 0:
                    au = ["operations"]
                elif part_left < shape.part_timers and tellers > 1:
                    hours = PART_TIME_HOURS
                    part_left += 1
            if post_index == 6 and k % 2:  # every other corporate teller only corporate (the sample's S13)
                sk = ["corporate_counter"]
            if lobby_left is not None and "lobby" in sk:
                if lobby_left > 0:
                    lobby_left -= 1
                else:
                    sk.remove("lobby")
            if holders_left is not None and au:
                if holders_left > 0:
                    holders_left -= 1
                else:
                    au = []
            name = SURNAMES[k % len(SURNAMES)] + GIVEN[(7 * k + k // len(SURNAMES)) % len(GIVEN)]
            rows.append((f"S{k + 1:02d}", name, post, ";".join(sk), ";".join(au), str(hours)))
    if lobby_left or holders_left:
        raise ValueError(f"shape {shape.name}: too few people for its lobby or authority count")
    if shape.holders is None:
        rows = _delegated(rows, away)
    if shape.lobby_people is None:
        rows = _lobby_backups(rows)
    return pd.DataFrame(rows, columns=list(STAFF_HEADER))


MIN_HOLDERS = 3
"""Holders of each authority, not on leave that week, a branch keeps by delegation (临时授权) when its posts
give fewer: under ``require = "each"`` both authorities are covered through every lunch on every open day, which
two holders working five days a week cannot do on a six- or seven-day week (nor three holders when leave takes
two of them for part of it)."""


MIN_LOBBY = 4
"""Lobby-capable people a branch keeps (后备大堂经理 designated among its staff) when its posts give fewer: the
floor and its backup through every lunch on six or seven open days need more than three people's 40 hours."""


def _lobby_backups(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """``rows`` with the lobby skill given to the 营业主管 and then tellers until ``MIN_LOBBY`` people have it."""
    out = [list(r) for r in rows]
    have = sum(1 for r in out if "lobby" in r[3].split(";"))
    for r in out:
        if have >= MIN_LOBBY:
            break
        if r[2] in ("营业主管", "个人业务柜员") and "lobby" not in r[3].split(";"):
            r[3] = ";".join([*filter(None, r[3].split(";")), "lobby"])
            have += 1
    return [tuple(r) for r in out]


def _delegated(rows: list[tuple[str, ...]], away: frozenset[str]) -> list[tuple[str, ...]]:
    """``rows`` with branch authority delegated to the first lobby people (销售主管, 理财经理, 客户经理) and
    operations authority to the first tellers without one, until each is held by ``MIN_HOLDERS`` people not
    ``away``."""
    out = [list(r) for r in rows]
    for authority, posts in (
        ("branch", ("销售主管", "理财经理", "客户经理")),
        ("operations", ("个人业务柜员",)),
    ):
        held = sum(1 for r in out if authority in r[4].split(";") and r[0] not in away)
        for r in out:
            if held >= MIN_HOLDERS:
                break
            if r[2] in posts and not r[4] and r[0] not in away:
                r[4] = authority
                held += 1
    return [tuple(r) for r in out]


def leave_frame(shape: Shape, staff: pd.DataFrame) -> pd.DataFrame:
    """leave.csv: ``shape.leave`` people away — a teller all week, a lobby person three days, then others two."""
    monday = shape.week
    posts = staff["岗位"].tolist()
    order = [i for i, p in enumerate(posts) if p == POSTS[TELLER][0]][1:2]
    order += [i for i, s in enumerate(staff["技能"]) if "lobby" in s and i not in order][1:2]
    order += [i for i in range(len(posts)) if i not in order and posts[i] != POSTS[0][0]]
    spans = ((0, 7), (0, 3), (3, 5))
    rows = []
    for who, (a, b) in zip(order[: shape.leave], spans, strict=False):
        for k in range(a, b):
            day = monday + dt.timedelta(days=k)
            rows.append((staff["工号"].iloc[who], day.isoformat(), "", "", "年休假"))
    return pd.DataFrame(rows, columns=["staff_id", "date", "start", "end", "reason"])


def overrides_frame(shape: Shape, first: dt.date, last: dt.date) -> pd.DataFrame:
    """overrides.csv: the weekend days a five- or six-day branch keeps closed (statutory holidays and 调休
    Saturdays as the calendar says)."""
    closed = {7: (), 6: (6,), 5: (5, 6)}[shape.open_days]
    rows = []
    d = first
    while d <= last:
        if d.weekday() in closed and package_day_type(d) == "weekend":
            rows.append((d.isoformat(), "closed", "", ""))
        d += dt.timedelta(days=1)
    return pd.DataFrame(rows, columns=["date", "day_type", "open", "close"])


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return f'"{value}"'


def set_toml(text: str, section: str, key: str, value: object) -> str:
    """``text`` with ``key = value`` in ``[section]`` (the line replaced, its comment kept, or added)."""
    head = re.search(rf"^\[{re.escape(section)}\][^\n]*\n", text, flags=re.M)
    if head is None:
        return text.rstrip("\n") + f"\n\n[{section}]\n{key} = {_toml_value(value)}\n"
    end = re.search(r"^\[", text[head.end() :], flags=re.M)
    stop = head.end() + (end.start() if end else len(text) - head.end())
    block = text[head.end() : stop]
    line = re.compile(rf"^{re.escape(key)}\s*=\s*(\"[^\"]*\"|[^#\n]*?)(\s*#.*)?$", flags=re.M)
    if line.search(block):
        block = line.sub(lambda m: f"{key} = {_toml_value(value)}{m.group(2) or ''}", block, count=1)
    else:
        block = f"{key} = {_toml_value(value)}\n" + block
    return text[: head.end()] + block + text[stop:]


def config_text(shape: Shape) -> str:
    """branch.toml of the shape: the sample's with the shape's settings."""
    text = resources.files("scheduler.sample").joinpath("sample_branch.toml").read_text(encoding="utf-8")
    settings: list[tuple[str, str, object]] = [
        ("branch", "id", f"FAM-{shape.name}"),
        ("branch", "name", f"家族网点 {shape.name}"),
        ("grid", "slot_minutes", shape.slot_minutes),
        ("hours", "holiday", shape.holiday_hours),
        *((("windows", c, n) for c, n in zip(COUNTER_TYPES, shape.windows, strict=True))),
        *shape.settings,
    ]
    if shape.open_days < 7:
        settings.append(("calendar", "overrides", "overrides.csv"))
    for section, key, value in settings:
        text = set_toml(text, section, key, value)
    return text


def write_shape(shape: Shape, folder: Path, seed: int = 0, weeks: int = 8) -> FamilyBranch:
    """Write the shape's inputs into ``folder`` (``weeks`` of ticket history before the plan week)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    start = shape.week - dt.timedelta(days=7 * weeks)
    end = shape.week + dt.timedelta(days=6)
    if shape.open_days < 7:
        write_csv(overrides_frame(shape, start - dt.timedelta(days=14), end), folder / "overrides.csv")
    with atomic_write(folder / "branch.toml") as fh:
        fh.write(config_text(shape))
    config = load_config(folder / "branch.toml")
    leave = leave_frame(shape, staff_frame(shape))  # who is away depends on posts and skills, not authorities
    staff = staff_frame(shape, frozenset(leave["staff_id"]))
    write_csv(staff, folder / "staff.csv")
    write_csv(leave, folder / "leave.csv")
    offered = tuple(s for s in SERVICES if config.windows[s.counter] > 0)
    rng = np.random.default_rng([seed, sum(map(ord, shape.name))])
    tickets = generate_tickets(
        config,
        BranchCalendar(config),
        start,
        shape.week - dt.timedelta(days=1),
        rng,
        volume=shape.volume,
        services=offered,
    )
    with atomic_write(folder / "tickets.csv", encoding="gb18030") as fh:
        tickets.to_csv(fh, index=False, lineterminator="\r\n")
    return FamilyBranch(
        shape,
        folder,
        folder / "tickets.csv",
        folder / "staff.csv",
        folder / "branch.toml",
        folder / "leave.csv",
        shape.week,
    )
