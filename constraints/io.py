"""Reading the tables branches export and writing outputs atomically.

CSV encodings are detected in a fixed order: a UTF-8 BOM, then strict UTF-8, then GB18030 (a superset of GBK
and GB2312, which Chinese queue machines and Excel on Chinese Windows write). Anything else is an error.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import signal
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pandas as pd

from constraints.errors import InputError

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")

FORMULA_START = re.compile("^'*[=+\\-@\t\r＝＋－＠]")
"""Text a spreadsheet could take for a formula (OWASP CSV injection: ``=``, ``+``, ``-``, ``@``, tab, CR, and
their full-width forms Chinese input methods type), also behind quotes already added: neutralising is reversible."""
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^-+$")
"""A number (a spreadsheet reads it as one, never as a formula) or a row of dashes (a placeholder)."""
_NEUTRALISED = re.compile("^'(?='*[=+\\-@\t\r＝＋－＠])")


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet could read it as a formula (OWASP); otherwise unchanged.

    ``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``; numbers such as ``-5`` and dash placeholders stay as they are.
    :func:`restore` undoes it, so a name read back from paiban's own files is the name that was written.
    """
    if FORMULA_START.match(text) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """Undo :func:`neutralise`: drop the ``'`` paiban put before formula-like text."""
    return text[1:] if _NEUTRALISED.match(text) else text


def _restore_column(col: pd.Series) -> pd.Series:
    """A column with :func:`neutralise`'s quotes removed (strings only; other cells untouched)."""
    if col.dtype != object and not pd.api.types.is_string_dtype(col.dtype):
        return col
    try:
        quoted = col.str.startswith("'", na=False)
    except AttributeError:  # no text in the column
        return col
    if not quoted.any():
        return col
    return col.where(~quoted, col[quoted].map(restore))


def decode_bytes(raw: bytes, path: str | Path) -> tuple[str, str]:
    """Text and the encoding name: BOM → strict UTF-8 → GB18030, else ``InputError``."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _encoding_error(raw[3:], exc, path) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_exc = exc
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        # report where the likelier encoding (the one that read further) broke
        raise _encoding_error(raw, max(utf8_exc, exc, key=lambda e: e.start), path) from None


def _encoding_error(raw: bytes, exc: UnicodeDecodeError, path: str | Path) -> InputError:
    row = raw.count(b"\n", 0, exc.start) + 1
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    header = raw[: raw.find(b"\n")] if b"\n" in raw else raw
    names = header.decode(exc.encoding, errors="replace").strip().lstrip("\ufeff").split(",")
    index = raw.count(b",", line_start, exc.start)
    column = names[index].strip() if row > 1 and index < len(names) else None
    return InputError(
        "无法识别的文件编码: 既不是 UTF-8 也不是 GBK/GB18030 (unknown encoding: neither UTF-8 nor GBK/GB18030); "
        "请另存为 UTF-8 或 GBK",
        file=path,
        row=row,
        column=column,
        value=raw[exc.start : exc.start + 4].hex(" "),
    )


def read_table(path: str | Path, *, sheet: int | str = 0) -> pd.DataFrame:
    """A CSV or Excel table, header on row 1: CSV cells as stripped strings, Excel keeps its dates and numbers.

    Data row ``i`` (0-based) is line ``i + 2`` of a file without blank lines.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("文件不存在 (file not found)", file=p)
    if p.suffix.lower() in EXCEL_SUFFIXES:
        try:
            if p.suffix.lower() == ".xls":
                book = pd.read_excel(p, sheet_name=sheet, dtype=object)
            else:
                book = pd.read_excel(p, sheet_name=sheet, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise InputError(f"无法读取 Excel 文件 (cannot read the Excel file): {exc}", file=p) from None
        return book.apply(_restore_column)
    raw = p.read_bytes()
    text, encoding = decode_bytes(raw, p)
    if not text or text.isspace():
        raise InputError("文件为空 (the file is empty)", file=p)
    df = _parse_csv(raw[3:] if encoding == "utf-8-sig" else raw if encoding == "utf-8" else None, text, p)
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    for c in df.columns:
        df[c] = df[c].fillna("").str.strip()
    if "'" in text:  # cells paiban neutralised when it wrote them (see `neutralise`)
        df = df.apply(_restore_column)
    return df


def _parse_csv(utf8: bytes | None, text: str, path: Path) -> pd.DataFrame:
    """Every cell as a string: pyarrow's parser when it can (the fast path; benchmarks/bench_read_tickets.py),
    else pandas' C parser."""
    with contextlib.suppress(Exception):  # no pyarrow, ragged rows, odd quoting: the C parser decides
        data = utf8 if utf8 is not None else text.encode("utf-8")
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, engine="pyarrow")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # index_col=False: a trailing comma on data rows must not turn the first column into the index
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"CSV 格式错误 (malformed CSV): {exc}", file=path, row=int(m.group(1)) if m else None
        ) from None
    if caught:  # rows longer than the header: fine when the extra cells are empty (trailing commas)
        full = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=None, skiprows=1)
        extra = full.iloc[:, len(df.columns) :].fillna("").apply(lambda c: c.str.strip()).ne("").any(axis=1)
        if extra.any():
            raise InputError(
                f"这一行的字段比表头多 (more cells than the {len(df.columns)} headers)",
                file=path,
                row=int(extra.to_numpy().argmax()) + 2,
            )
    return df


HELD_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends, then take effect as usual (the block is never cut in half).

    For the few renames that swap a set of files, and the clean-up after a failure. Only in the main thread
    (the only one Python delivers signals to); elsewhere the block just runs.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: object) -> None:
        caught.append(signum)

    previous = {s: signal.signal(s, hold) for s in HELD_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and move it into place only when the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files others may read
    try:
        fh: IO = open(tmp, mode) if "b" in mode else open(tmp, mode, encoding=encoding, newline="")  # noqa: SIM115
        with fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        with signals_held(), contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell passed through :func:`neutralise` (numbers and dates untouched)."""
    out = df
    for c in df.columns:
        col = df[c]
        if col.dtype != object and not pd.api.types.is_string_dtype(col.dtype):
            continue
        risky = col.map(lambda v: isinstance(v, str) and neutralise(v) != v)
        if risky.any():
            if out is df:
                out = df.copy()
            out[c] = col.where(~risky, col[risky].map(neutralise))
    return out


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write a frame as UTF-8 CSV with BOM (so Excel opens Chinese correctly), atomically; text cells that a
    spreadsheet could run as a formula are neutralised (:func:`neutralise`)."""
    safe = neutralise_frame(df)
    # Python's csv quotes a field holding "\n" but not one holding a lone "\r", which readers take for a line
    # break: with such a cell every text field is quoted
    cr = any(
        col.map(lambda v: isinstance(v, str) and "\r" in v).any()
        for _, col in safe.items()
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype)
    )
    with atomic_write(path, encoding="utf-8-sig") as fh:
        safe.to_csv(
            fh, index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC if cr else csv.QUOTE_MINIMAL
        )
