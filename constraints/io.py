"""Reading the tables branches export and writing outputs atomically.

CSV encodings are detected in a fixed order: a UTF-8 BOM, then strict UTF-8, then GB18030 (a superset of GBK
and GB2312, which Chinese queue machines and Excel on Chinese Windows write). Anything else is an error.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pandas as pd

from constraints.errors import InputError

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def decode_bytes(raw: bytes, path: str | Path) -> tuple[str, str]:
    """Text and the encoding name: BOM → strict UTF-8 → GB18030, else ``InputError``."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _encoding_error(raw, exc, path) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise _encoding_error(raw, exc, path) from None


def _encoding_error(raw: bytes, exc: UnicodeDecodeError, path: str | Path) -> InputError:
    row = raw.count(b"\n", 0, exc.start) + 1
    return InputError(
        "无法识别的文件编码: 既不是 UTF-8 也不是 GBK/GB18030 (unknown encoding: neither UTF-8 nor GBK/GB18030); "
        "请另存为 UTF-8 或 GBK",
        file=path,
        row=row,
        value=raw[exc.start : exc.start + 4].hex(" "),
    )


def read_table(path: str | Path, *, sheet: int | str = 0) -> pd.DataFrame:
    """A CSV or Excel table as strings (Excel keeps its native dates and numbers), header on row 1."""
    p = Path(path)
    if not p.exists():
        raise InputError("文件不存在 (file not found)", file=p)
    if p.suffix.lower() in EXCEL_SUFFIXES:
        try:
            return pd.read_excel(p, sheet_name=sheet, dtype=object)
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise InputError(f"无法读取 Excel 文件 (cannot read the Excel file): {exc}", file=p) from None
    text, _ = decode_bytes(p.read_bytes(), p)
    if not text.strip():
        raise InputError("文件为空 (the file is empty)", file=p)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise InputError(f"CSV 格式错误 (malformed CSV): {exc}", file=p) from None
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    return df


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and move it into place only when the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        fh: IO = open(tmp, mode) if "b" in mode else open(tmp, mode, encoding=encoding, newline="")  # noqa: SIM115
        with fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write a frame as UTF-8 CSV with BOM (so Excel opens Chinese correctly), atomically."""
    with atomic_write(path, encoding="utf-8-sig") as fh:
        df.to_csv(fh, index=False, lineterminator="\n")
