"""Staff: posts, skills, authorities and contract hours; leave and events that take people away.

Headers may be Chinese or English; posts by id or Chinese name; an empty skills or authorities cell takes the
post's defaults (DESIGN.md, 岗位设置: seven posts and the lobby-manager role).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from constraints.config import AUTHORITIES, TimeRange, parse_hhmm
from constraints.errors import InputError
from constraints.io import read_table

SKILLS: tuple[str, ...] = ("high_counter", "low_counter", "corporate_counter", "lobby")
"""What a person can do on the floor. Everyone can do back-office work (后台/营销)."""

POSTS: dict[str, tuple[str, str]] = {
    "branch_president": ("支行长", "Branch president"),
    "sales_supervisor": ("销售主管", "Sales supervisor"),
    "operations_supervisor": ("营业主管", "Operations supervisor"),
    "wealth_manager": ("理财经理", "Wealth manager"),
    "account_manager": ("客户经理", "Account manager"),
    "personal_teller": ("个人业务柜员", "Personal teller"),
    "corporate_teller": ("公司业务柜员", "Corporate teller"),
    "loan_officer": ("信贷员", "Loan officer"),
}

OUTREACH_POSTS: tuple[str, ...] = ("sales_supervisor", "wealth_manager", "account_manager", "loan_officer")
"""Sales posts (营销序列): their time off the counters and the lobby is 营销/外拓 (outreach), not 后台."""

DEFAULT_SKILLS: dict[str, tuple[str, ...]] = {
    "branch_president": ("lobby",),
    "sales_supervisor": ("lobby",),
    "operations_supervisor": ("high_counter", "low_counter"),
    "wealth_manager": ("lobby", "low_counter"),
    "account_manager": ("lobby",),
    "personal_teller": ("high_counter", "low_counter"),
    "corporate_teller": ("corporate_counter",),
    "loan_officer": (),
}

DEFAULT_AUTHORITIES: dict[str, tuple[str, ...]] = {
    "branch_president": ("branch",),
    "operations_supervisor": ("operations",),
}

_POST_BY_NAME = {zh: pid for pid, (zh, _) in POSTS.items()} | {
    "柜员": "personal_teller",
    "个人柜员": "personal_teller",
    "对公柜员": "corporate_teller",
    "行长": "branch_president",
    "网点负责人": "branch_president",
}

_SKILL_ALIASES = {
    "高柜": "high_counter",
    "现金": "high_counter",
    "低柜": "low_counter",
    "非现金": "low_counter",
    "对公": "corporate_counter",
    "大堂": "lobby",
    "大堂经理": "lobby",
}
_AUTH_ALIASES = {"支行长": "branch", "行长": "branch", "营业主管": "operations", "运营": "operations"}
_WEEKDAYS = (
    {"周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6, "周天": 6}
    | {f"星期{c}": i for i, c in enumerate("一二三四五六日")}
    | {"星期天": 6}
)
_EVERYONE = ("all", "全体", "全体人员", "全员", "所有人")
_WEEKDAYS_EN = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

STAFF_COLUMNS: dict[str, tuple[str, ...]] = {
    "staff_id": ("工号", "员工号", "柜员号", "staff_id", "id"),
    "name": ("姓名", "name"),
    "post": ("岗位", "职位", "post", "position"),
    "skills": ("技能", "skills"),
    "authorities": ("权限", "authorities", "authority"),
    "weekly_hours": ("周工时", "weekly_hours"),
    "max_daily_hours": ("日最长工时", "每日最长工时", "max_daily_hours"),
    "prefer_off": ("偏好休息日", "希望休息", "prefer_off"),
    "avoid_late": ("不排晚班", "avoid_late"),
    "prev_consecutive_days": ("上周末连续工作天数", "上周连续工作天数", "prev_consecutive_days"),
    "comp_days_owed": ("补休天数", "欠补休天数", "补休", "comp_days_owed"),
}


class Person(BaseModel):
    """One member of staff."""

    model_config = ConfigDict(frozen=True)

    staff_id: str
    name: str
    post: str = Field(description="One of POSTS")
    skills: frozenset[str] = frozenset()
    authorities: frozenset[str] = frozenset()
    weekly_hours: float = 40.0
    max_daily_hours: float | None = None
    prefer_off: frozenset[int] = Field(frozenset(), description="Weekdays (0=Mon) the person prefers off")
    avoid_late: bool = False
    prev_consecutive_days: int = Field(0, ge=0, le=31, description="Days worked in a row up to last Sunday")
    comp_days_owed: int = Field(
        0, ge=0, le=31, description="补休: rest days worked before and owed back as days off"
    )
    prev_shift_end: int | None = Field(
        None, ge=0, le=24 * 60, description="Minute the shift of the day before the plan ended (None: off)"
    )
    prev_weekend_days: int = Field(0, ge=0, description="Weekend days worked in the weeks carried in")
    prev_holiday_days: int = Field(0, ge=0, description="Holiday days worked in the weeks carried in")
    prev_late_days: int = Field(0, ge=0, description="Late days (at work at closing) in the weeks carried in")

    def can(self, skill: str) -> bool:
        """True when the person has the skill."""
        return skill in self.skills

    def holds(self, authority: str) -> bool:
        """True when the person holds the authority."""
        return authority in self.authorities

    @property
    def post_label(self) -> str:
        """Chinese post name."""
        return POSTS[self.post][0]


class Absence(BaseModel):
    """Leave or an event that makes a person unavailable, the whole day or a time range."""

    model_config = ConfigDict(frozen=True)

    staff_id: str
    date: dt.date
    hours: TimeRange | None = Field(None, description="None = the whole day")
    reason: str = ""
    kind: str = Field("leave", description="leave or event")

    def covers(self, minute: int) -> bool:
        """True when the person is away at that minute of the day."""
        return self.hours is None or self.hours.start <= minute < self.hours.end


class Staff(BaseModel):
    """The branch's people, in file order."""

    model_config = ConfigDict(frozen=True)

    people: tuple[Person, ...]

    def __iter__(self) -> Any:
        return iter(self.people)

    def __len__(self) -> int:
        return len(self.people)

    def by_id(self, staff_id: str) -> Person:
        """The person with that id (KeyError if none)."""
        for p in self.people:
            if p.staff_id == staff_id:
                return p
        raise KeyError(staff_id)

    def ids(self) -> list[str]:
        """Staff ids in file order."""
        return [p.staff_id for p in self.people]

    def with_skill(self, skill: str) -> list[Person]:
        """People with the skill."""
        return [p for p in self.people if p.can(skill)]

    def frame(self) -> pd.DataFrame:
        """One row per person (for display)."""
        return pd.DataFrame(
            [
                {
                    "staff_id": p.staff_id,
                    "name": p.name,
                    "post": p.post,
                    "skills": ";".join(sorted(p.skills)),
                    "authorities": ";".join(sorted(p.authorities)),
                    "weekly_hours": p.weekly_hours,
                }
                for p in self.people
            ]
        )


def find_columns(
    df: pd.DataFrame, synonyms: dict[str, tuple[str, ...]], path: str | Path, required: Iterable[str]
) -> dict[str, str]:
    """Map normalized names to the file's headers by synonym (case- and space-insensitive)."""
    norm = {re.sub(r"[\s_()（）]", "", str(c)).lower(): str(c) for c in df.columns}
    found: dict[str, str] = {}
    for key, names in synonyms.items():
        for n in names:
            hit = norm.get(re.sub(r"[\s_()（）]", "", n).lower())
            if hit is not None:
                found[key] = hit
                break
    for key in required:
        if key not in found:
            raise InputError(
                f"缺少必需的列 (missing required column) {key}; 可用的表头 (headers found): {list(df.columns)}",
                file=path,
                row=1,
                column="/".join(synonyms[key][:2]),
            )
    return found


def _split(cell: object) -> list[str]:
    text = "" if cell is None or (isinstance(cell, float) and pd.isna(cell)) else str(cell)
    return [t.strip() for t in re.split(r"[;；,，、|/\s]+", text) if t.strip()]


def parse_post(text: str) -> str:
    """Post id from an id or a Chinese name; ``ValueError`` when unknown."""
    t = str(text).strip()
    if t in POSTS:
        return t
    if t in _POST_BY_NAME:
        return _POST_BY_NAME[t]
    raise ValueError(
        f"未知岗位 (unknown post); 可选 (choose from) {[v[0] for v in POSTS.values()]} / {list(POSTS)}"
    )


def _parse_weekdays(cell: object) -> frozenset[int]:
    out = set()
    for t in _split(cell):
        if t in _WEEKDAYS:
            out.add(_WEEKDAYS[t])
        elif t[:3].lower() in _WEEKDAYS_EN:
            out.add(_WEEKDAYS_EN[t[:3].lower()])
        else:
            raise ValueError("无法识别的星期 (unknown weekday); 用 周一…周日 或 Mon…Sun")
    return frozenset(out)


@dataclass(frozen=True)
class _Row:
    """One record of a table whose columns :func:`find_columns` found: its cells by field, its line number."""

    rec: Mapping[Any, Any]
    cols: Mapping[str, str]
    path: str | Path
    row: int

    def cell(self, key: str) -> str:
        """The field's cell as stripped text ('' when empty, or when the table has no such column)."""
        v = self.rec.get(self.cols[key], "") if key in self.cols else ""
        return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip()

    def bad(self, key: str, msg: str) -> InputError:
        """An error naming the file, this row, the field's column and its cell."""
        return InputError(
            msg, file=self.path, row=self.row, column=self.cols.get(key, key), value=self.cell(key)
        )


_STAFF_NUMBERS: tuple[tuple[str, float, float], ...] = (
    ("weekly_hours", 0, 84),
    ("max_daily_hours", 1, 24),
    ("prev_consecutive_days", 0, 31),
    ("comp_days_owed", 0, 31),
)
"""The number columns of staff.csv and the range each must lie in."""


def _skills(row: _Row, post: str) -> set[str]:
    """The skills cell (aliases allowed), or the post's defaults when it is empty."""
    skills_raw = _split(row.cell("skills")) if "skills" in row.cols else []
    skills = {_SKILL_ALIASES.get(s, s) for s in skills_raw} if skills_raw else set(DEFAULT_SKILLS[post])
    for s in skills:
        if s not in SKILLS:
            raise row.bad("skills", f"未知技能 {s!r} (unknown skill); 可选 (choose from) {list(SKILLS)}")
    return skills


def _authorities(row: _Row, post: str) -> set[str]:
    """The authorities cell (aliases allowed), or the post's defaults when it is empty."""
    auth_raw = _split(row.cell("authorities")) if "authorities" in row.cols else []
    auths = (
        {_AUTH_ALIASES.get(a, a) for a in auth_raw} if auth_raw else set(DEFAULT_AUTHORITIES.get(post, ()))
    )
    for a in auths:
        if a not in AUTHORITIES:
            raise row.bad(
                "authorities",
                f"未知权限 {a!r} (unknown authority); 可选 (choose from) {list(AUTHORITIES)}",
            )
    return auths


def _numbers(row: _Row) -> dict[str, float | None]:
    """The :data:`_STAFF_NUMBERS` of the row, None where empty."""
    numbers: dict[str, float | None] = {}
    for key, lo, hi in _STAFF_NUMBERS:
        raw = row.cell(key)
        if not raw:
            numbers[key] = None
            continue
        try:
            val = float(raw)
        except ValueError:
            raise row.bad(key, "应为数字 (must be a number)") from None
        if not lo <= val <= hi:
            raise row.bad(key, f"应在 {lo}–{hi} 之间 (must be between {lo} and {hi})")
        numbers[key] = val
    return numbers


def _person(row: _Row, sid: str) -> Person:
    """The person a staff.csv row describes (``sid``: its staff id, checked already)."""
    try:
        post = parse_post(row.cell("post"))
    except ValueError as exc:
        raise row.bad("post", str(exc)) from None
    skills = _skills(row, post)
    auths = _authorities(row, post)
    numbers = _numbers(row)
    try:
        prefer_off = _parse_weekdays(row.cell("prefer_off"))
    except ValueError as exc:
        raise row.bad("prefer_off", str(exc)) from None
    avoid_late = row.cell("avoid_late").lower() in ("1", "true", "yes", "是", "y")
    return Person(
        staff_id=sid,
        name=row.cell("name") or sid,
        post=post,
        skills=frozenset(skills),
        authorities=frozenset(auths),
        weekly_hours=numbers["weekly_hours"] if numbers["weekly_hours"] is not None else 40.0,
        max_daily_hours=numbers["max_daily_hours"],
        prefer_off=prefer_off,
        avoid_late=avoid_late,
        prev_consecutive_days=int(numbers["prev_consecutive_days"] or 0),
        comp_days_owed=int(numbers["comp_days_owed"] or 0),
    )


def read_staff(path: str | Path) -> Staff:
    """Read staff.csv (or .xlsx) with Chinese or English headers."""
    df = read_table(path)
    cols = find_columns(df, STAFF_COLUMNS, path, required=("staff_id", "name", "post"))
    people: list[Person] = []
    seen: set[str] = set()
    for i, rec in enumerate(df.to_dict("records"), start=2):
        row = _Row(rec, cols, path, i)
        sid = row.cell("staff_id")
        if not sid:
            raise row.bad("staff_id", "工号为空 (empty staff id)")
        if sid in seen:
            raise row.bad("staff_id", "工号重复 (duplicate staff id)")
        seen.add(sid)
        people.append(_person(row, sid))
    if not people:
        raise InputError("员工名单为空 (the staff list is empty)", file=path)
    return Staff(people=tuple(people))


def parse_date(text: str) -> dt.date:
    """A date from ``2026-11-04``, ``2026/11/4``, ``2026年11月4日`` (a time after it is ignored); ``ValueError``."""
    t = str(text).strip().replace("年", "-").replace("月", "-").replace("日", " ").strip()
    m = re.match(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?$", t)
    if not m:
        raise ValueError(f"无法识别的日期 (unparsable date) {text!r}")
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


ABSENCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "staff_id": ("工号", "员工号", "staff_id", "staff_ids", "参加人员", "人员"),
    "date": ("日期", "date"),
    "start": ("开始", "开始时间", "start"),
    "end": ("结束", "结束时间", "end"),
    "reason": ("原因", "事由", "事项", "名称", "reason", "title", "event"),
}


def read_absences(path: str | Path, staff: Staff | None = None, kind: str = "leave") -> list[Absence]:
    """Read leave.csv or an events CSV (``staff_id`` may list several ids, or ``all``/``全体``)."""
    df = read_table(path)
    cols = find_columns(df, ABSENCE_COLUMNS, path, required=("staff_id", "date"))
    known = set(staff.ids()) if staff is not None else None
    out: list[Absence] = []
    for i, rec in enumerate(df.to_dict("records"), start=2):
        cell = _Row(rec, cols, path, i).cell
        ids = _split(cell("staff_id"))
        if not ids:
            raise InputError("工号为空 (empty staff id)", file=path, row=i, column=cols["staff_id"], value="")
        if known is not None and len(ids) == 1 and ids[0].lower() in _EVERYONE:
            ids = sorted(known)
        for sid in ids:
            if known is not None and sid not in known:
                raise InputError(
                    "员工名单中没有这个工号 (no such staff id in the staff list)",
                    file=path,
                    row=i,
                    column=cols["staff_id"],
                    value=sid,
                )
        raw_date = cell("date")
        try:
            date = parse_date(raw_date)
        except ValueError:
            raise InputError(
                "无法识别的日期 (unparsable date); 应为 YYYY-MM-DD",
                file=path,
                row=i,
                column=cols["date"],
                value=raw_date,
            ) from None
        start, end = cell("start"), cell("end")
        hours = None
        if start or end:
            try:
                hours = TimeRange(start=parse_hhmm(start or "00:00"), end=parse_hhmm(end or "24:00"))
            except ValueError as exc:  # not HH:MM, or (ValidationError) the end not after the start
                msg = (
                    str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
                    if isinstance(exc, ValidationError)
                    else str(exc)
                )
                raise InputError(
                    msg, file=path, row=i, column=cols.get("start", "start"), value=f"{start}-{end}"
                ) from None
        out.extend(
            Absence(staff_id=sid, date=date, hours=hours, reason=cell("reason"), kind=kind) for sid in ids
        )
    return out
