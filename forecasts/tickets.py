"""Queue-machine (排队机) ticket exports into one normalized frame, one row per ticket.

Columns are found by name, Chinese or English (see :data:`TICKET_COLUMNS`; ``[tickets.columns]`` in the branch
config overrides detection). Files are read through :func:`constraints.io.read_table` (CSV as UTF-8 with BOM,
UTF-8 or GB18030; .xlsx with Excel's native datetimes); datetimes through :mod:`forecasts.timeparse`, vectorized:
a million tickets read in seconds (benchmarks/bench_read_tickets.py).

Three grades of trouble (DESIGN.md):

* impossible rows raise :class:`InputError` naming the file, the row (header = line 1), the column and the value:
  an unparsable or missing issue time, finished before started, started or called before issued, a served ticket
  without a start, an empty ticket id, an unknown status;
* odd-but-possible rows are counted in ONE :class:`InputWarning` (counts also in ``df.attrs["odd_tickets"]``):

  - issued outside the day's opening hours (only when a calendar is given) — kept, they are real customers;
  - exact duplicates (same id, date, service and times; overlapping exports) — dropped, the first is kept;
  - the same ticket id twice on one date with different times — kept (two queue machines, a reset);
  - abandoned tickets with service times — kept as abandoned, their ``started_at``/``finished_at`` cleared;
  - served tickets without a finish time — kept, ``finished_at`` is NaT;
  - started before called, an empty service (→ default counter), an unrecognized customer level (→ not VIP).

Status words: 已办结/办结/完成/served/completed/done → served; 过号/空号/弃号/abandoned/no_show → abandoned;
退办 (called, business refused at the window) and 挂起 (suspended) count as **served**: both used a window and a
teller's time, which is what staffing needs; so does 办理中 (being served now, in an export taken during the
day). 等待/未叫号/排队中/waiting → **waiting**: still in the queue when the export was taken (``paiban now``).
An empty status is inferred: served when the ticket has a start time, else abandoned — or, with ``live=True``
(today's export, taken while the branch is open), waiting when it has neither a call nor a start time; in a
live export a served ticket without a finish time is being served (not odd), and one called but not yet started
(已叫号) starts at its call. Durations (办理时长, seconds or ``HH:MM:SS``) fill a missing end (start + duration) or a
missing start (end − duration). A file with no start column at all takes the call time as the start of service.
Ticket ids repeat across days (A001 every morning): a duplicate is judged within one date.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from constraints.config import BranchConfig
from constraints.errors import InputError, InputWarning
from constraints.io import read_table
from constraints.staff import find_columns
from forecasts.timeparse import cell_text, parse_datetimes, parse_durations

TICKET_COLUMNS: dict[str, tuple[str, ...]] = {
    "ticket_id": (
        "票号",
        "排队号",
        "顺序号",
        "号码",
        "排队号码",
        "取号号码",
        "ticket_id",
        "ticket_no",
        "ticket",
    ),
    "service": ("业务类型", "业务名称", "队列", "队列名称", "业务", "service", "business_type", "queue"),
    "issued_at": ("取号时间", "出票时间", "issued_at", "issue_time", "arrival_time", "issued"),
    "called_at": ("叫号时间", "呼叫时间", "called_at", "call_time"),
    "started_at": ("开始时间", "开始服务时间", "办理开始时间", "started_at", "start_time", "service_start"),
    "finished_at": (
        "办结时间",
        "完成时间",
        "结束时间",
        "办理结束时间",
        "finished_at",
        "end_time",
        "finish_time",
        "service_end",
    ),
    "duration": ("办理时长(秒)", "办理时长", "服务时长(秒)", "service_seconds", "duration"),
    "window": ("窗口", "窗口名称", "窗口号", "window", "counter_no", "window_no"),
    "teller": ("柜员号", "操作员号", "操作人员", "经办人", "柜员", "teller", "operator"),
    "status": ("状态", "办理状态", "status"),
    "vip": ("客户等级", "客户类型", "客户级别", "vip", "customer_level", "customer_type"),
    "date": ("日期", "业务日期", "交易日期", "date"),
}
"""Normalized name → header synonyms (matched case- and space-insensitively, in order)."""

OUTPUT_COLUMNS: tuple[str, ...] = (
    "ticket_id",
    "service",
    "counter",
    "issued_at",
    "called_at",
    "started_at",
    "finished_at",
    "window",
    "teller",
    "status",
    "vip",
)
TIME_FIELDS: tuple[str, ...] = ("issued_at", "called_at", "started_at", "finished_at")
REQUIRED: tuple[str, ...] = ("ticket_id", "service", "issued_at")

_SERVED = ("已办结", "办结", "完成", "已完成", "办理完成", "已办理", "已处理", "正常", "served", "completed",
           "complete", "done", "finished", "退办", "已退办", "挂起", "已挂起")  # fmt: skip
_WAITING = ("等待", "等待中", "排队中", "未叫号", "待叫号", "候叫", "waiting", "queued", "pending")
_IN_SERVICE = ("办理中", "正在办理", "服务中", "已叫号", "serving", "inservice", "called")
_ABANDONED = ("过号", "已过号", "空号", "弃号", "已弃号", "放弃", "未到", "未办理", "取消", "已取消", "abandoned",
              "noshow", "missed", "skipped", "cancelled", "canceled")  # fmt: skip
_SECONDS = r"\d:\d{2}:\d{2}"  # a clock time with seconds; without, a time is only good to the minute
_STATUS = (
    {w: "served" for w in (*_SERVED, *_IN_SERVICE)}
    | {w: "abandoned" for w in _ABANDONED}
    | {w: "waiting" for w in _WAITING}
)
_STATUS_NAMES = np.array(["abandoned", "served", "", "waiting"], dtype=object)  # codes of _statuses
_VIP_WORDS = ("vip", "贵宾", "金卡", "白金", "钻石", "私行", "私人银行")
_VIP_YES = ("true", "yes", "y", "是")
_VIP_NO = ("", "false", "no", "n", "否", "普通", "普通客户", "一般", "大众", "大众客户")

_ODD_LABELS: dict[str, tuple[str, str]] = {
    "outside_hours": ("营业时间外取号, 保留", "issued outside opening hours, kept"),
    "duplicate_exact": ("完全重复的记录, 已删除", "exact duplicates, dropped"),
    "duplicate_id": ("同日票号重复但时间不同, 保留", "same id on one date with different times, kept"),
    "abandoned_with_service": (
        "过号/弃号却有办理时间, 办理时间已清除",
        "abandoned with service times, service times cleared",
    ),
    "served_without_finish": ("已办理但无结束时间, 保留", "served without a finish time, kept"),
    "started_before_called": ("开始早于叫号, 保留", "started before called, kept"),
    "empty_service": ("业务类型为空, 计入默认柜台", "empty service, default counter"),
    "unknown_vip": ("无法识别的客户等级, 按普通客户", "unrecognized customer level, not VIP"),
}


def read_tickets(
    path: str | Path | Sequence[str | Path],
    config: BranchConfig | None = None,
    calendar: BranchCalendar | None = None,
    *,
    live: bool = False,
) -> pd.DataFrame:
    """Read one or more queue exports into one frame of :data:`OUTPUT_COLUMNS`, sorted by ``issued_at``.

    ``live``: the export was taken during the day (see the module doc): empty-status tickets never called are
    waiting, and served tickets without a finish are in service.
    """
    if config is None:
        config = calendar.config if calendar is not None else BranchConfig()
    paths = [path] if isinstance(path, str | Path) else list(path)
    if not paths:
        raise InputError("没有给出排队数据文件 (no ticket files given)", argument="--tickets")
    odd: Counter[str] = Counter()
    parts, issued_headers = [], {}
    for p in paths:
        part, cols = _read_one(Path(p), config, odd, live)
        parts.append(part)
        issued_headers[str(p)] = cols["issued_at"]
    df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    df = df.sort_values("issued_at", kind="stable", ignore_index=True)
    df = _duplicates(df, odd)
    if calendar is not None:
        odd["outside_hours"] += _outside_hours(df, calendar, issued_headers)
    out = df.loc[:, list(OUTPUT_COLUMNS)]
    out.attrs["odd_tickets"] = {k: int(v) for k, v in odd.items() if v}
    if out.attrs["odd_tickets"]:
        _warn(out.attrs["odd_tickets"], paths)
    return out


def wait_minutes(df: pd.DataFrame) -> pd.Series:
    """Minutes from issue to call (to the start of service where the call time is missing); NaN if never."""
    called = df["called_at"].fillna(df["started_at"])
    return (called - df["issued_at"]).dt.total_seconds() / 60.0


def service_minutes(df: pd.DataFrame) -> pd.Series:
    """Minutes from the start to the end of service; NaN for abandoned tickets and missing times."""
    return (df["finished_at"] - df["started_at"]).dt.total_seconds() / 60.0


# ---- one file ------------------------------------------------------------------------------------------------


def _columns(df: pd.DataFrame, path: Path, config: BranchConfig) -> dict[str, str]:
    """Normalized name → header: the config's mapping first, then detection by synonym."""
    mapped = dict(config.tickets.columns)
    for key, header in mapped.items():
        if key not in TICKET_COLUMNS:
            raise InputError(
                f"[tickets.columns] 中未知的列名 {key!r} (unknown column name); 可选 (choose from) "
                f"{list(TICKET_COLUMNS)}",
                file=path,
                row=1,
                column=key,
            )
        if header not in df.columns:
            raise InputError(
                f"[tickets.columns] 指定的表头 {header!r} 不在文件中 (header named in the config is not in the "
                f"file); 可用的表头 (headers found): {list(df.columns)}",
                file=path,
                row=1,
                column=header,
            )
    rest = {k: v for k, v in TICKET_COLUMNS.items() if k not in mapped}
    found = find_columns(df, rest, path, required=[k for k in REQUIRED if k not in mapped])
    found = {k: h for k, h in found.items() if h not in mapped.values()}
    cols = found | mapped
    if not {"status", "started_at", "finished_at", "duration"} & cols.keys():
        raise InputError(
            f"缺少状态或办理时间列, 无法判断是否办理 (missing a status or service-time column); "
            f"可用的表头 (headers found): {list(df.columns)}",
            file=path,
            row=1,
            column="状态/开始时间",
        )
    return cols


def _read_one(
    path: Path, config: BranchConfig, odd: Counter[str], live: bool = False
) -> tuple[pd.DataFrame, dict[str, str]]:
    """One export, validated (impossible rows raise), odd rows counted into ``odd``; and its headers."""
    raw = read_table(path).reset_index(drop=True)
    cols = _columns(raw, path, config)
    empty = pd.Series("", index=raw.index, dtype=str)
    text = {
        k: cell_text(raw[h]) if k in cols else empty
        for k, h in ((k, cols.get(k, "")) for k in TICKET_COLUMNS)
    }
    given = {k: t.ne("").to_numpy() for k, t in text.items()}
    dates = None
    if "date" in cols:
        dates = parse_datetimes(raw[cols["date"]], date_only=True).dt.normalize()
    times = {k: parse_datetimes(raw[cols[k]], dates) if k in cols else pd.Series(pd.NaT, index=raw.index,
             dtype="datetime64[ns]") for k in TIME_FIELDS}  # fmt: skip
    unparsable = "无法识别的时间: 格式不全或被截断 (unreadable time: incomplete or cut off)"
    problems: list[tuple[np.ndarray, str, str]] = [(given[k] & times[k].isna().to_numpy(), k, unparsable)
                                                   for k in TIME_FIELDS]  # fmt: skip
    if dates is not None:
        problems.append((given["date"] & dates.isna().to_numpy(), "date", "无法识别的日期 (unparsable date)"))
    problems.append((~given["issued_at"], "issued_at", "取号时间为空 (missing issue time)"))
    problems.append((~given["ticket_id"], "ticket_id", "票号为空 (empty ticket id)"))
    if "duration" in cols:
        dur = parse_durations(text["duration"])
        problems.append((given["duration"] & dur.isna().to_numpy(), "duration",
                         "无法识别的办理时长 (unparsable duration)"))  # fmt: skip
        problems.append(((dur < pd.Timedelta(0)).to_numpy(), "duration", "办理时长为负 (negative duration)"))
        start, end = times["started_at"], times["finished_at"]
        times["finished_at"] = end.mask(end.isna() & start.notna() & dur.notna(), start + dur)
        times["started_at"] = start.mask(start.isna() & end.notna() & dur.notna(), end - dur)
    if "started_at" not in cols and "called_at" in cols:  # no start column: service starts at the call
        times["started_at"] = times["called_at"].where(times["finished_at"].notna())
    iss, cal, sta, fin = (times[k].to_numpy() for k in TIME_FIELDS)
    status = _statuses(text["status"], ~np.isnat(sta), ~np.isnat(cal) if live else None)
    served = status == 1
    if live:  # called and walking to the window (已叫号): service starts at the call
        sta = np.where(served & np.isnat(sta), cal, sta)
    minutes_only = {k: given[k] & ~text[k].str.contains(_SECONDS).to_numpy() for k in TIME_FIELDS}

    def before(a: str, b: str) -> np.ndarray:
        """Time ``a`` earlier than time ``b``, beyond the precision of the cells (a minute when one lacks seconds)."""
        x, y = times[a].to_numpy(), times[b].to_numpy()
        coarse = minutes_only[a] | minutes_only[b]
        return np.where(coarse, x.astype("datetime64[m]") < y.astype("datetime64[m]"), x < y)

    problems += [
        (status < 0, "status", "未知状态 (unknown status); 可用 (use) 已办结/完成/退办/挂起/办理中/served, "
         "过号/空号/弃号/abandoned 或 (or) 等待/未叫号/waiting"),
        (before("called_at", "issued_at"), "called_at", "叫号早于取号 (called before issued)"),
        (before("started_at", "issued_at"), "started_at", "开始早于取号 (started before issued)"),
        (before("finished_at", "started_at"), "finished_at", "结束早于开始 (finished before started)"),
        (before("finished_at", "issued_at"), "finished_at", "结束早于取号 (finished before issued)"),
        (served & np.isnat(sta), "started_at" if "started_at" in cols else "status",
         "已办理的票没有开始时间 (served ticket without a start time)"),
    ]  # fmt: skip
    _raise_first(problems, raw, cols, path)

    abandoned_service = (status == 0) & ~(np.isnat(sta) & np.isnat(fin))
    odd["abandoned_with_service"] += int(abandoned_service.sum())
    if not live:  # in a live export they are being served
        odd["served_without_finish"] += int((served & np.isnat(fin)).sum())
    odd["started_before_called"] += int((served & (sta < cal)).sum())
    odd["empty_service"] += int((~given["service"]).sum())
    vip, unknown_vip = _vip(text["vip"])
    odd["unknown_vip"] += unknown_vip
    codes, uniques = pd.factorize(text["service"])
    counters = np.array([config.counter_of(s) for s in uniques] + [""], dtype=object)
    nat = np.datetime64("NaT")
    frame = pd.DataFrame(
        {
            "ticket_id": text["ticket_id"],
            "service": text["service"],
            "counter": pd.Series(counters[codes], index=raw.index, dtype=str),
            "issued_at": iss,
            "called_at": cal,
            "started_at": np.where(abandoned_service, nat, sta),
            "finished_at": np.where(abandoned_service, nat, fin),
            "window": text["window"],
            "teller": text["teller"],
            "status": pd.Series(_STATUS_NAMES[status], index=raw.index, dtype=str),
            "vip": vip,
            "_file": str(path),
            "_row": raw.index + 2,
        },
        index=raw.index,
    )
    return frame, cols


def _statuses(text: pd.Series, started: np.ndarray, called: np.ndarray | None = None) -> np.ndarray:
    """1 served, 0 abandoned, 3 waiting, -1 unknown word; an empty cell is inferred: served when it has a start,
    else abandoned — or waiting when ``called`` is given (a live export) and it has no call time either."""
    codes, uniques = pd.factorize(text)
    words = [re.sub(r"[\s_\-]", "", str(u)).lower() for u in uniques]
    known = {"served": 1, "abandoned": 0, "waiting": 3}
    mapped = np.array([known.get(_STATUS.get(w, ""), -1 if w else 2) for w in words] + [2], dtype=np.int8)
    out = mapped[codes]
    inferred = out == 2
    out[inferred] = started[inferred].astype(np.int8)
    if called is not None:
        out[inferred & ~started & ~called] = 3
    return out


def _vip(text: pd.Series) -> tuple[pd.Series, int]:
    """VIP flags from a customer level column, and how many values were not recognized."""
    codes, uniques = pd.factorize(text)
    flags, known = [False], [True]  # the extra entry serves code -1 (missing)
    for u in uniques:
        w = str(u).strip().lower()
        number = pd.to_numeric(w, errors="coerce")
        is_number = bool(pd.notna(number)) and float(number).is_integer()
        if any(v in w for v in _VIP_WORDS) or w in _VIP_YES:
            flag, ok = True, True
        elif w in _VIP_NO or "普通" in w:
            flag, ok = False, True
        else:
            flag, ok = (bool(number != 0), True) if is_number else (False, False)
        flags.insert(-1, flag)
        known.insert(-1, ok)
    return pd.Series(np.array(flags)[codes], index=text.index, dtype=bool), int(
        (~np.array(known)[codes]).sum()
    )


def _raise_first(
    problems: list[tuple[np.ndarray, str, str]], raw: pd.DataFrame, cols: dict[str, str], path: Path
) -> None:
    """Raise the problem found earliest in the file (with how many more rows share it)."""
    best: tuple[int, np.ndarray, str, str] | None = None
    for mask, key, message in problems:
        if mask.any():
            first = int(np.argmax(mask))
            if best is None or first < best[0]:
                best = (first, mask, key, message)
    if best is None:
        return
    first, mask, key, message = best
    more = int(mask.sum()) - 1
    if more:
        message += f"; 另有 {more} 行同样的问题 ({more} more rows like this)"
    header = cols.get(key, key)
    value = raw.iloc[first][header] if header in raw.columns else None
    if value is not None and not isinstance(value, str):
        value = None if pd.isna(value) else str(value)
    raise InputError(message, file=path, row=first + 2, column=header, value=value)


# ---- across files --------------------------------------------------------------------------------------------


def _duplicates(df: pd.DataFrame, odd: Counter[str]) -> pd.DataFrame:
    """Drop exact duplicates (same id, date, service and times); count same-id-same-date others."""
    if df.empty:
        return df
    ns = {k: df[k].to_numpy().view("int64") for k in TIME_FIELDS}  # NaT is one int64 value: equal to itself
    key = pd.DataFrame(
        {"id": pd.factorize(df["ticket_id"])[0], "day": ns["issued_at"] // (86_400 * 10**9),
         "service": pd.factorize(df["service"])[0], **ns}
    )  # fmt: skip
    exact = key.duplicated(keep="first").to_numpy()
    odd["duplicate_exact"] += int(exact.sum())
    odd["duplicate_id"] += int(key.loc[~exact, ["id", "day"]].duplicated(keep="first").sum())
    return df[~exact].reset_index(drop=True) if exact.any() else df


def _outside_hours(df: pd.DataFrame, calendar: BranchCalendar, issued_headers: dict[str, str]) -> int:
    """How many tickets were issued while the doors were closed (closed days included)."""
    if df.empty:
        return 0
    day = df["issued_at"].dt.normalize()
    codes, uniques = pd.factorize(day)
    bounds = np.empty((len(uniques), 2))
    for i, d in enumerate(uniques):
        try:
            hours = calendar.day(pd.Timestamp(d).date()).open_hours
        except InputError as exc:
            first = int(np.argmax(codes == i))
            file = str(df["_file"].iat[first])
            raise exc.at(
                file=file, row=int(df["_row"].to_numpy()[first]), column=issued_headers[file]
            ) from None
        bounds[i] = (hours.start * 60, hours.end * 60) if hours is not None else (np.inf, -np.inf)
    second = (df["issued_at"] - day).dt.total_seconds().to_numpy()
    lo, hi = bounds[codes, 0], bounds[codes, 1]
    return int(((second < lo) | (second >= hi)).sum())


def _warn(counts: dict[str, int], paths: Sequence[str | Path]) -> None:
    zh = "; ".join(f"{_ODD_LABELS[k][0]} {v} 条" for k, v in counts.items())
    en = "; ".join(f"{_ODD_LABELS[k][1]}: {v}" for k, v in counts.items())
    files = ", ".join(str(p) for p in paths)
    warnings.warn(
        f"排队数据 {files} 中有可疑记录: {zh} (odd but possible tickets: {en})", InputWarning, stacklevel=3
    )
