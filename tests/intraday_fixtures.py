"""A small branch day for the intraday advice, built in code: staff, a legal roster, a forecast, tickets.

Tuesday 2026-12-01, default hours (doors 09:00–17:00, staff 08:30–17:30), 15-minute slots, three high-counter
windows and one low-counter window. Nine people (``DAY`` has their blocks between the 08:30 meeting and the
17:00 closing duties):

* 刘洋 (wealth manager, lobby + low counter) is the lobby manager; 陈静 (wealth manager, lobby + low) covers the
  floor during his lunch; 李婷 (account manager, lobby only) and 王建国 (president, lobby; branch and operations
  authority) are in the back office, free to take over;
* 赵敏 and 黄丽 (tellers) at the high counter, 李秀英 (operations supervisor) at the low counter relieving the
  high counter around noon, 周杰 (teller) in the back office and at the high counter 12:30–13:30;
* 吴娜 (teller) rostered in the back office but on sick leave today (``SICK``).

Without the sick leave the roster holds every hard rule (pinned by a test).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from factories import person

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig, fmt_hhmm, parse_hhmm
from constraints.io import write_csv
from constraints.problem import Problem
from constraints.roster import Block, Roster
from constraints.staff import Absence, Staff
from forecasts.service import ServiceProfile
from scheduler.app.intraday import Today

DATE = dt.date(2026, 12, 1)


def config() -> BranchConfig:
    """Default branch, three high-counter windows, one low-counter window, no corporate counter."""
    return BranchConfig().copy_with(
        windows={"high_counter": 3, "low_counter": 1, "corporate_counter": 0},
        **{"rules.permission_holder.require": "any"},
    )


STAFF = Staff(
    people=(
        person("P", "branch_president", ["lobby"], ["branch", "operations"], name="王建国"),
        person("L", "wealth_manager", ["lobby", "low_counter"], name="刘洋"),
        person("E", "wealth_manager", ["lobby", "low_counter"], name="陈静"),
        person("B", "account_manager", ["lobby"], name="李婷"),
        person("T1", "personal_teller", ["high_counter", "low_counter"], name="赵敏"),
        person("T2", "personal_teller", ["high_counter", "low_counter"], name="黄丽"),
        person("S", "operations_supervisor", ["high_counter", "low_counter"], ["operations"], name="李秀英"),
        person("T3", "personal_teller", ["high_counter", "low_counter"], name="周杰"),
        person("T4", "personal_teller", ["high_counter", "low_counter"], name="吴娜"),
    )
)

DAY: dict[str, list[tuple[str, str, str]]] = {
    "P": [("09:00", "11:00", "back_office"), ("11:00", "12:00", "break"), ("12:00", "17:00", "back_office")],
    "L": [("09:00", "12:30", "lobby"), ("12:30", "13:30", "break"), ("13:30", "17:00", "lobby")],
    "E": [("09:00", "11:00", "back_office"), ("11:00", "12:00", "break"), ("12:00", "12:30", "back_office"),
          ("12:30", "13:30", "lobby"), ("13:30", "17:00", "back_office")],
    "B": [("09:00", "12:00", "back_office"), ("12:00", "13:00", "break"), ("13:00", "17:00", "back_office")],
    "T1": [("09:00", "11:00", "high_counter"), ("11:00", "12:00", "break"), ("12:00", "17:00", "high_counter")],
    "T2": [("09:00", "12:30", "high_counter"), ("12:30", "13:30", "break"), ("13:30", "17:00", "high_counter")],
    "S": [("09:00", "11:00", "low_counter"), ("11:00", "12:30", "high_counter"), ("12:30", "13:30", "break"),
          ("13:30", "17:00", "low_counter")],
    "T3": [("09:00", "11:30", "back_office"), ("11:30", "12:30", "break"), ("12:30", "13:30", "high_counter"),
           ("13:30", "17:00", "back_office")],
    "T4": [("09:00", "12:00", "back_office"), ("12:00", "13:00", "break"), ("13:00", "17:00", "back_office")],
}  # fmt: skip


def roster() -> Roster:
    """The day's roster: the blocks of ``DAY`` plus the 08:30 meeting, 08:45 opening and 17:00 closing duties."""
    blocks = []
    for sid, parts in DAY.items():
        blocks.append(Block(DATE, sid, parse_hhmm("08:30"), parse_hhmm("08:45"), "meeting"))
        blocks.append(Block(DATE, sid, parse_hhmm("08:45"), parse_hhmm("09:00"), "back_office"))
        for a, b, act in parts:
            blocks.append(Block(DATE, sid, parse_hhmm(a), parse_hhmm(b), act))
        blocks.append(Block(DATE, sid, parse_hhmm("17:00"), parse_hhmm("17:30"), "back_office"))
    return Roster(tuple(blocks))


SICK = Absence(staff_id="T4", date=DATE, reason="病假")

DAILY = {"high_counter": 150.0, "low_counter": 36.0}
SERVICE = {"high_counter": 4.0, "low_counter": 10.0}


def forecast(level: float = 1.0) -> pd.DataFrame:
    """The day's forecast: a peak 10–11 and 14–16, ``DAILY`` tickets a counter (times ``level``)."""
    cal = BranchCalendar(config())
    day = cal.day(DATE)
    rows = []
    starts = [day.slot_starts[s] for s in day.open_slots]
    h = (np.asarray(starts) + 7.5) / 60.0
    w = 0.6 + 0.9 * np.exp(-(((h - 10.5) / 0.8) ** 2)) + 0.8 * np.exp(-(((h - 15.0) / 1.1) ** 2))
    w = w / w.sum()
    for counter, total in DAILY.items():
        for start, share in zip(starts, w, strict=True):
            mean = total * level * share
            rows.append({"date": DATE, "slot": start, "counter": counter, "mean": mean})
    return pd.DataFrame(rows)


def profiles() -> dict[str, ServiceProfile]:
    """Cash 4 min, non-cash 10 min; patience 30 min."""
    return {
        c: ServiceProfile(counter=c, mean_minutes=m, cv=0.7, patience_minutes=30.0)
        for c, m in SERVICE.items()
    }


def today(
    level: float = 1.0, absences: tuple[Absence, ...] = (SICK,), alphas: dict[str, float] | None = None
) -> Today:
    """The day as :func:`scheduler.app.intraday.advise` takes it."""
    cfg = config()
    day = BranchCalendar(cfg).day(DATE)
    problem = Problem(cfg, STAFF, (day,), absences)
    return Today(
        problem, roster(), forecast(level), profiles(), alphas or {"high_counter": 0.02, "low_counter": 0.02}
    )


def tickets(at: str, waiting: dict[str, int], *, level: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Today's tickets as read at ``at``: the arrivals of ``forecast(level)`` so far, served on time, and
    ``waiting`` per counter issued in the last minutes and not called (a read_tickets frame)."""
    rng = np.random.default_rng(seed)
    t = parse_hhmm(at)
    fc = forecast(level)
    rows = []
    day0 = pd.Timestamp(DATE)
    for r in fc.itertuples():
        if r.slot + 15 > t:
            continue
        for k in range(round(r.mean)):
            issued = r.slot + 15 * (k + 0.5) / max(r.mean, 1)
            svc = SERVICE[r.counter] * rng.uniform(0.5, 1.5)
            end = min(issued + 1 + svc, t - 0.5)
            rows.append((r.counter, issued, issued + 1, issued + 1, end, "served"))
    for counter, n in waiting.items():
        for k in range(n):
            issued = t - 1 - k * 0.5
            rows.append((counter, issued, np.nan, np.nan, np.nan, "waiting"))
    df = pd.DataFrame(rows, columns=["counter", "issued", "called", "started", "finished", "status"])
    out = pd.DataFrame(
        {
            "ticket_id": [f"T{i:03d}" for i in range(len(df))],
            "service": "",
            "counter": df["counter"],
            **{
                name: day0 + pd.to_timedelta(df[col], unit="min")
                for name, col in (
                    ("issued_at", "issued"),
                    ("called_at", "called"),
                    ("started_at", "started"),
                    ("finished_at", "finished"),
                )
            },
            "window": "",
            "teller": "",
            "status": df["status"],
            "vip": False,
        }
    )
    return out.sort_values("issued_at", ignore_index=True)


SERVICE_NAMES = {"high_counter": "个人现金", "low_counter": "个人非现金"}
EXPORT_HEADER = (
    "票号",
    "业务类型",
    "取号时间",
    "叫号时间",
    "开始时间",
    "办结时间",
    "窗口",
    "柜员号",
    "状态",
    "客户等级",
)


def write_branch(folder: Path, at: str, waiting: dict[str, int]) -> dict[str, Path]:
    """The day's files as a branch hands them to ``paiban now``: branch.toml, staff.csv, leave.csv, roster.csv
    with forecast.csv beside it, and the queue machine's export taken at ``at`` (GBK, Chinese headers, the
    tickets not yet called as 等待). Returns {name: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f for name, f in (("config", "branch.toml"), ("staff", "staff.csv"),
             ("leave", "leave.csv"), ("roster", "roster.csv"), ("forecast", "forecast.csv"),
             ("tickets", "today.csv"))}  # fmt: skip
    paths["config"].write_text(
        "[windows]\nhigh_counter = 3\nlow_counter = 1\ncorporate_counter = 0\n\n"
        '[rules.permission_holder]\nrequire = "any"\n',
        encoding="utf-8",
    )
    write_csv(
        pd.DataFrame(
            [(p.staff_id, p.name, p.post, ";".join(sorted(p.skills)), ";".join(sorted(p.authorities)), "40")
             for p in STAFF],
            columns=["工号", "姓名", "岗位", "技能", "权限", "周工时"],
        ),
        paths["staff"],
    )  # fmt: skip
    write_csv(pd.DataFrame([("T4", DATE.isoformat(), "", "", "病假")],
                           columns=["staff_id", "date", "start", "end", "reason"]), paths["leave"])  # fmt: skip
    write_csv(roster().to_frame(STAFF), paths["roster"])
    fc = forecast()
    write_csv(
        pd.DataFrame(
            {
                "date": DATE.isoformat(),
                "start": [fmt_hhmm(int(s)) for s in fc["slot"]],
                "end": [fmt_hhmm(int(s) + 15) for s in fc["slot"]],
                "counter": fc["counter"],
                "mean": fc["mean"].round(3),
            }
        ),
        paths["forecast"],
    )
    write_export(tickets(at, waiting), paths["tickets"])
    return paths


def write_export(frame: pd.DataFrame, path: Path) -> Path:
    """A read_tickets frame as a queue machine's GBK export (status 已办结 / 办理中 / 等待)."""

    def stamp(col: str) -> list[str]:
        return ["" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M:%S") for v in frame[col]]

    status = np.where(
        frame["status"] == "waiting",
        "等待",
        np.where(
            frame["finished_at"].isna(), "办理中", np.where(frame["status"] == "served", "已办结", "过号")
        ),
    )
    out = pd.DataFrame(
        {
            "票号": [
                f"{'A' if c == 'high_counter' else 'B'}{i:03d}" for i, c in enumerate(frame["counter"], 1)
            ],
            "业务类型": [SERVICE_NAMES[c] for c in frame["counter"]],
            "取号时间": stamp("issued_at"),
            "叫号时间": stamp("called_at"),
            "开始时间": stamp("started_at"),
            "办结时间": stamp("finished_at"),
            "窗口": "",
            "柜员号": "",
            "状态": status,
            "客户等级": "0",
        }
    )
    path.write_bytes(out.to_csv(index=False).encode("gb18030"))
    return path
