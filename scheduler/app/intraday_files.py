"""The files behind ``paiban now``: today's export, the week's roster, the forecast, and the lobby log.

:func:`load_today` reads them into a :class:`~scheduler.app.intraday.Today`. The forecast of today comes from
the ticket history when one is given (``--history``: fitted on the weeks before today's Monday, as ``paiban
plan`` does, with service times, patience and the day level's uncertainty measured on the same history), else
from the forecast.csv that ``paiban plan`` wrote beside the roster (service times then from today's tickets,
DESIGN.md defaults where they are too few). :func:`log_moves` appends the live lobby handovers to the log the
workbook's 大堂经理工作日志 reads (:data:`scheduler.report.workbook.lobby_sheet.LOG_FILE`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig, fmt_hhmm, load_config, parse_hhmm
from constraints.errors import InputError
from constraints.handovers import Handover
from constraints.io import read_table
from constraints.problem import Problem
from constraints.roster import Roster
from constraints.staff import Absence, Staff
from forecasts.arrivals import count_arrivals
from forecasts.intraday import day_dispersion
from forecasts.service import ServiceProfile, estimate_profiles
from forecasts.tickets import read_tickets
from forecasts.weekly import forecast_week
from scheduler.app.intraday import Move, Today
from scheduler.app.pipeline import read_people
from scheduler.report.read_roster import read_roster
from scheduler.report.workbook.lobby_sheet import LOG_FILE, append_lobby_log

FORECAST_FILE = "forecast.csv"
"""What ``paiban plan`` writes beside roster.csv; read when no ``--history`` is given."""


def load_today(
    tickets: Sequence[str | Path],
    roster: str | Path,
    config: str | Path,
    staff: str | Path,
    *,
    history: Sequence[str | Path] = (),
    leave: str | Path | None = None,
    events: str | Path | None = None,
    at: str | None = None,
    now: dt.datetime | None = None,
    date: dt.date | None = None,
) -> tuple[Today, pd.DataFrame, int]:
    """Today (see the module doc), today's tickets and the minute of the advice.

    Today is ``date``, else the date of the export's last ticket (``now``'s date when it has none). ``at``
    (``HH:MM``) defaults to ``now`` when that is today, else to the last ticket's issue time.
    """
    cfg = load_config(config)
    cal = BranchCalendar(cfg)
    people, away = read_people(staff, leave, events)
    today_tickets = read_tickets(list(tickets), cfg, cal, live=True)
    now = now or dt.datetime.now()
    if date is None:
        date = today_tickets["issued_at"].max().date() if len(today_tickets) else now.date()
    today_tickets = today_tickets[today_tickets["issued_at"].dt.date == date].reset_index(drop=True)
    day = cal.day(date)
    if not day.is_open or day.open_hours is None:
        raise InputError(
            f"{date} 不营业 (the branch is closed that day)", argument="--tickets", value=str(date)
        )
    minute = _minute(at, today_tickets, now, date)
    oh = day.open_hours
    if not oh.start <= minute < oh.end:
        raise InputError(
            f"不在营业时间 {fmt_hhmm(oh.start)}–{fmt_hhmm(oh.end)} 内 (outside opening hours)",
            argument="--at",
            value=fmt_hhmm(minute),
        )
    monday = date - dt.timedelta(days=date.weekday())
    week = read_roster(roster, people, cal.week(monday))
    if not any(b.date == date for b in week.blocks):
        raise InputError(f"排班表中没有 {date} 的班次 (the roster has nobody on {date})", file=roster)
    if history:
        fc, profiles, alphas, seen = history_forecast(history, cfg, cal, monday, date)
    else:
        fc = _from_forecast_file(Path(roster).parent / FORECAST_FILE, date)
        profiles, alphas, seen = estimate_profiles(today_tickets, cfg), {}, today_tickets
    today = today_of(cfg, people, away, week, date, fc, profiles, alphas, seen)
    return today, today_tickets, minute


def today_of(
    config: BranchConfig,
    staff: Staff,
    absences: Sequence[Absence],
    roster: Roster,
    date: dt.date,
    forecast: pd.DataFrame,
    profiles: Mapping[str, ServiceProfile],
    alphas: Mapping[str, float],
    seen: pd.DataFrame,
) -> Today:
    """The :class:`Today` of ``date`` from a week's roster and forecast (window names from the tickets seen)."""
    day = BranchCalendar(config).day(date)
    problem = Problem(config, staff, (day,), tuple(a for a in absences if a.date == date))
    blocks = tuple(b for b in roster.blocks if b.date == date)
    rows = forecast[pd.to_datetime(forecast["date"].astype(str)).dt.date == date]
    return Today(problem, Roster(blocks), rows, profiles, alphas, window_ids(seen, config))


def _minute(at: str | None, tickets: pd.DataFrame, now: dt.datetime, date: dt.date) -> int:
    if at is not None:
        try:
            return parse_hhmm(at)
        except ValueError as exc:
            raise InputError(str(exc), argument="--at", value=at) from None
    if now.date() == date or tickets.empty:
        return now.hour * 60 + now.minute
    last = tickets["issued_at"].max()
    return int(last.hour * 60 + last.minute + 1)


def history_forecast(
    history: Sequence[str | Path] | pd.DataFrame,
    cfg: BranchConfig,
    cal: BranchCalendar,
    monday: dt.date,
    date: dt.date | None = None,
) -> tuple[pd.DataFrame, dict[str, ServiceProfile], dict[str, float], pd.DataFrame]:
    """The forecast of the week from ``monday`` (of ``date`` only, when given), the service profiles, the day
    level's dispersion per counter and the tickets they were fitted on: all from the history before ``monday``
    (files, or a :func:`forecasts.tickets.read_tickets` frame)."""
    hist = history if isinstance(history, pd.DataFrame) else read_tickets(list(history), cfg, cal)
    past = hist[hist["issued_at"] < pd.Timestamp(monday)]
    if past.empty:
        raise InputError(
            f"{monday} 之前没有取号历史, 无法预测 (no ticket history before {monday} to forecast from)",
            argument="--history",
        )
    arrivals = count_arrivals(past, cal)
    fc = forecast_week(arrivals, cal, monday)
    fc = fc if date is None else fc[fc["date"] == date]
    return fc, estimate_profiles(past, cfg), day_dispersion(arrivals, cal, monday), past


def _from_forecast_file(path: Path, date: dt.date) -> pd.DataFrame:
    if not path.exists():
        raise InputError(
            f"需要 --history (取号历史), 或排班表旁的 {FORECAST_FILE} (由 paiban plan 写出) "
            f"(give --history, or keep the {FORECAST_FILE} paiban plan wrote beside the roster)",
            argument="--history",
            value=str(path),
        )
    df = read_table(path)
    for col in ("date", "start", "counter", "mean"):
        if col not in df.columns:
            raise InputError(f"缺少列 (missing column) {col}", file=path, row=1, column=col)
    rows = df[df["date"] == date.isoformat()].copy()
    if rows.empty:
        raise InputError(f"没有 {date} 的预测 (no forecast for {date})", file=path, column="date")
    for col in ("mean", "q10", "q50", "q80", "q90", "q95"):
        if col in rows.columns:
            values = pd.to_numeric(rows[col], errors="coerce")
            if values.isna().any():
                i = int(values.isna().to_numpy().argmax())
                raise InputError(
                    "不是数字 (not a number)",
                    file=path,
                    row=int(rows.index[i]) + 2,
                    column=col,
                    value=rows[col].iat[i],
                )
            rows[col] = values
    return rows


def window_ids(tickets: pd.DataFrame, cfg: BranchConfig) -> dict[str, tuple[str, ...]]:
    """Per counter, the window names its tickets were called to, in natural order (``2`` before ``10``)."""
    out: dict[str, tuple[str, ...]] = {}
    for counter in cfg.windows:
        names = {str(w) for w in tickets.loc[tickets["counter"] == counter, "window"] if str(w).strip()}
        out[counter] = tuple(
            sorted(names, key=lambda w: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", w)])
        )
    return out


def handovers_of(today: Today, moves: Sequence[Move]) -> list[Handover]:
    """The lobby handovers of the moves: the floor handed to the backup, and handed back at the end."""
    out = []
    for move in moves:
        going = [a for a in move.assignments if a.from_activity == "lobby"]
        coming = [a for a in move.assignments if a.to_activity == "lobby"]
        if not going or not coming:
            continue
        lm, backup = going[0].staff_id, coming[0].staff_id
        why = move.note or ("开窗口" if move.kind == "cover_lobby" else "临时离开")
        president = today.problem.staff.by_id(backup).post == "branch_president"
        out.append(Handover(today.day.date, move.start, lm, backup, f"现场: {why}", president))
        out.append(Handover(today.day.date, move.end, backup, lm, "现场: 交回", False))
    return out


def log_moves(today: Today, moves: Sequence[Move], roster: str | Path) -> tuple[Path, int]:
    """Append the moves' lobby handovers to :data:`LOG_FILE` beside the roster; (path, rows added)."""
    path = Path(roster).parent / LOG_FILE
    names = {p.staff_id: p.name for p in today.problem.staff}
    return path, append_lobby_log(path, handovers_of(today, moves), names)


def reload_tickets(today: Today, paths: Sequence[str | Path]) -> pd.DataFrame:
    """Today's tickets, read again from the export (``--watch``)."""
    cfg = today.problem.config
    tk = read_tickets(list(paths), cfg, BranchCalendar(cfg), live=True)
    return tk[tk["issued_at"].dt.date == today.day.date].reset_index(drop=True)
