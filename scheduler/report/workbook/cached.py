"""Formula cells saved with their values: live in Excel, readable where nothing recalculates.

openpyxl writes a formula without its result, so previewers, pandas and ``load_workbook(data_only=True)`` see
an empty cell until a spreadsheet program recalculates and saves. The sheets record each formula's value as
they write it (:class:`FormulaValues`); :func:`save_with_values` stores those values as the cells' cached
results. The workbook keeps ``fullCalcOnLoad``, so Excel and WPS still recalculate on opening (and after every
edit); the values are what the formulas give for the roster as written.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from typing import IO
from xml.etree import ElementTree

from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.report.workbook.style import formula_cell

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_FORMULA_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f>(?:<v\s*/>|<v></v>)')


class FormulaValues:
    """The value of every formula cell written, by sheet title and cell coordinate."""

    def __init__(self) -> None:
        self.by_sheet: dict[str, dict[str, float]] = {}

    def set(self, ws: Worksheet, row: int, column: int, formula: str, value: float) -> Cell:
        """Write ``formula`` into the cell and remember ``value`` as its result; returns the cell."""
        cell: Cell = formula_cell(ws, row, column, formula)  # paiban's own formula: never neutralised
        self.by_sheet.setdefault(ws.title, {})[cell.coordinate] = value
        return cell


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → its part name in the archive (``xl/worksheets/sheet3.xml``)."""
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): str(r.get("Target")) for r in rels.iter(f"{_PKG_REL}Relationship")}
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    out: dict[str, str] = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        part = target.get(sheet.get(f"{_REL}id"), "")
        out[str(sheet.get("name"))] = part.lstrip("/") if part.startswith("/") else f"xl/{part}"
    return out


def _fill(xml: str, values: Mapping[str, float]) -> str:
    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        if value is None:
            return m.group(0)
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
        return f'<c r="{m.group(1)}"{m.group(2)}><f>{m.group(3)}</f><v>{text}</v>'

    return _FORMULA_CELL.sub(one, xml)


def save_with_values(wb: Workbook, fh: IO[bytes], values: FormulaValues) -> None:
    """Save ``wb`` into ``fh`` with the recorded results of its formula cells."""
    raw = io.BytesIO()
    wb.save(raw)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as dst:
        parts = {part: title for title, part in _sheet_parts(src).items() if title in values.by_sheet}
        for info in src.infolist():
            data = src.read(info.filename)
            title = parts.get(info.filename)
            if title is not None:
                data = _fill(data.decode("utf-8"), values.by_sheet[title]).encode("utf-8")
            dst.writestr(info, data)
