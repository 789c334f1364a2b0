"""Datetimes and durations of queue-machine exports, parsed vectorized (a million cells in well under a second).

Each accepted form is tried, in turn, on the cells the earlier ones left unparsed: strict ISO through pyarrow's
cast (fast and exact), then pandas' ISO8601 parser (``2026/3/2 9:05``, ``2026-3-2 9:05:07``, ``T``, fractions),
``2026年3月2日 9:05``, Excel serials (days since 1899-12-30), clock-only times joined to a separate date column,
and compact ``20260302090507``. Excel cells keep their native datetimes. Day-first forms (``02/03/2026``) are
never guessed: they are ambiguous.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_RANGE = (25569.0, 73051.0)  # Excel serial days of 1970-01-01 and 2100-01-01: anything else is a typo
_STRICT_ISO = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?$"
_DATE_ONLY = r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
_TIME_ONLY = r"^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$"
_WHOLE_CLOCK = r"(?:^|[\sT日])\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$"
"""A date-time cell ends in a whole clock time: minutes (and seconds) with two digits. ``09:0`` or ``09:00:4``
is a cell cut off (a column too narrow when the export was saved), not 09:00 or 09:00:04."""
_FALLBACK_FORMATS = ("%Y%m%d%H%M%S", "%Y%m%d %H%M%S")  # compact forms; never day-first (ambiguous)


def parse_datetimes(
    values: pd.Series, dates: pd.Series | None = None, *, date_only: bool = False
) -> pd.Series:
    """Datetimes (datetime64[ns]) of a column; NaT where empty or unparsable (the caller decides).

    Accepts ``2026-03-02 09:05:07``, ``2026/3/2 9:05``, ``2026年3月2日 9:05``, ``2026-03-02T09:05:07``, Excel
    serials (days since 1899-12-30, as numbers or text) and Excel datetime cells. With ``dates`` (a separate
    date column, already parsed), time-only values (``9:05``, Excel time cells or day fractions) join their date.
    A value without a clock time is unparsable unless ``date_only`` (for a date column): a ticket time that is
    only a date is a broken export, not midnight. Each format is tried, vectorized, on what is left unparsed.
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype("datetime64[ns]")
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    day = None if dates is None else dates.to_numpy(dtype="datetime64[ns]")
    if values.dtype == object:  # Excel: native datetimes, times and numbers among text
        kind = values.map(_kind).to_numpy()
        is_dt = kind == "d"
        if is_dt.any():
            out[is_dt] = pd.to_datetime(values[is_dt].astype(object)).to_numpy(dtype="datetime64[ns]")
        is_num = kind == "n"
        if is_num.any():
            out[is_num] = _from_serial(
                values[is_num].to_numpy(dtype=float), None if day is None else day[is_num]
            )
        text = cell_text(values.where(np.isin(kind, ("s", "t")), ""))
    else:
        text = cell_text(values)
    todo = (text != "").to_numpy() & np.isnat(out)
    fast = _strict_iso(text) if todo.any() else None
    if fast is not None:
        out[fast[0]] = fast[1]
        todo &= np.isnat(out)

    if not todo.any():
        return pd.Series(out, index=values.index)

    def attempt(mask: np.ndarray, parsed: pd.Series | np.ndarray) -> np.ndarray:
        out[mask] = np.asarray(parsed, dtype="datetime64[ns]")
        return todo & np.isnat(out)

    has_clock = text.str.contains(_WHOLE_CLOCK).to_numpy()
    iso = todo & (text.str.contains(_DATE_ONLY).to_numpy() if date_only else has_clock)
    if iso.any():
        todo = attempt(iso, pd.to_datetime(text[iso], format="ISO8601", errors="coerce"))
    cn = todo & text.str.contains("年", regex=False).to_numpy() & (has_clock | date_only)
    if cn.any():
        norm = text[cn].str.replace(" ", "").str.replace("年", "-").str.replace("月", "-")
        norm = norm.str.replace("日", " ").str.strip()
        todo = attempt(cn, pd.to_datetime(norm, format="ISO8601", errors="coerce"))
    if todo.any():
        num = _numbers(text[todo])
        todo = attempt(todo, _from_serial(num, None if day is None else day[todo]))
    if todo.any() and day is not None:
        clock = todo & text.str.fullmatch(_TIME_ONLY).to_numpy(dtype=bool)
        if clock.any():
            t = text[clock]
            padded = t.where(t.str.count(":") == 2, t + ":00")
            todo = attempt(clock, day[clock] + pd.to_timedelta(padded, errors="coerce").to_numpy())
    for fmt in _FALLBACK_FORMATS:
        if not todo.any():
            break
        todo = attempt(todo, pd.to_datetime(text[todo], format=fmt, errors="coerce"))
    return pd.Series(out, index=values.index)


def _strict_iso(text: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """(mask, values) of the cells in strict ISO form, cast by pyarrow (the fast path of
    benchmarks/bench_read_tickets.py); None if unable."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(text.array)
        match = pc.fill_null(pc.match_substring_regex(arr, _STRICT_ISO), False)
        mask = np.asarray(match.to_numpy(zero_copy_only=False), dtype=bool)
        values = pc.cast(arr.filter(match), pa.timestamp("ns")).to_numpy(zero_copy_only=False)
        return mask, np.asarray(values, dtype="datetime64[ns]")
    except Exception:  # no pyarrow, or an impossible date such as 02-30: pandas decides cell by cell
        return None


def _kind(v: object) -> str:
    if isinstance(v, dt.datetime | dt.date | np.datetime64):
        return "d"
    if isinstance(v, dt.time):
        return "t"
    if isinstance(v, int | float | np.number) and not isinstance(v, bool):
        return "e" if v != v else "n"  # NaN is not equal to itself
    return "e" if v is None else "s"


def _from_serial(num: np.ndarray, day: np.ndarray | None) -> np.ndarray:
    """Excel serial days → datetimes (ms precision); day fractions join ``day``; others → NaT."""
    lo, hi = _SERIAL_RANGE
    ms = np.round(np.nan_to_num(num, nan=-1.0) * 86_400_000)
    out = np.full(len(num), np.datetime64("NaT"), dtype="datetime64[ns]")
    full = (num >= lo) & (num <= hi)
    out[full] = EXCEL_EPOCH.to_datetime64() + ms[full].astype("int64").astype("timedelta64[ms]")
    if day is not None:
        frac = (num >= 0) & (num < 1)
        out[frac] = day[frac] + ms[frac].astype("int64").astype("timedelta64[ms]")
    return out


def cell_text(values: pd.Series) -> pd.Series:
    """Cells as stripped strings; missing → ``""``; Excel integers as ``"7"`` (not ``"7.0"``); times as text."""
    if values.dtype != object:
        return values.fillna("").astype(str).str.strip()
    return values.map(_cell_text).astype(str)


def _cell_text(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.time):
        return v.isoformat()
    return str(v).strip()


def _numbers(text: pd.Series) -> np.ndarray:
    """Floats of a text column (NaN where empty or not a number); pyarrow's cast when every cell is a number."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(text.array)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    except Exception:  # no pyarrow, or a cell that is not a number: pandas decides cell by cell
        return pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(dtype=float)


def parse_durations(text: pd.Series) -> pd.Series:
    """Seconds (a number) or ``HH:MM:SS`` → timedelta; NaT where empty or unparsable."""
    num = _numbers(text)
    out = pd.Series(pd.to_timedelta(num, unit="s"), index=text.index)
    clock = np.isnan(num) & text.str.fullmatch(_TIME_ONLY).to_numpy(dtype=bool)
    if clock.any():
        t = text[clock]
        out[clock] = pd.to_timedelta(t.where(t.str.count(":") == 2, "00:" + t), errors="coerce").to_numpy()
    return out
