"""Writing workbooks people open in Excel/WPS: every export writes cells with `append` or
`cell` below and saves with `workbook_bytes` (which checks every string cell once more).

Text that came from users (an employer, a class title, a name) must stay text:
- a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return may be run as a formula
  by a spreadsheet program (CSV/formula injection): such text gets a leading apostrophe, the
  usual neutral prefix, so `=HYPERLINK(...)` shows as `'=HYPERLINK(...)`;
- control characters make openpyxl refuse the whole workbook (one bad record would turn an
  export into a 500 until the data is fixed): they are dropped.
Numbers, dates and Decimals are written as they are. Pure: no I/O but the bytes it returns.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell value safe to open: strings lose control characters and cannot start a formula."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def append(sheet: Worksheet, values: list[Any]) -> None:
    """`sheet.append(values)` with every value neutralised."""
    sheet.append([neutralise(v) for v in values])


def cell(sheet: Worksheet, row: int, column: int, value: Any) -> Cell:
    """`sheet.cell(row, column, value)` with the value neutralised."""
    return sheet.cell(row, column, neutralise(value))


def neutralise_workbook(book: Workbook) -> None:
    """Neutralise every string cell of every sheet, in place."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = neutralise(cell.value)


def workbook_bytes(book: Workbook) -> bytes:
    """The .xlsx bytes of a workbook, every string cell neutralised first."""
    neutralise_workbook(book)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
