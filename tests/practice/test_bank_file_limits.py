"""Question-bank workbooks are untrusted uploads, bounded like the roster's: rows, columns, size."""

from __future__ import annotations

import io
import zipfile

import pytest

from backend.practice.bank_import import MAX_ROWS, BankFileError, parse_bank_xlsx
from tests.practice.test_online_tests import workbook as _book


def test_blank_rows_count_toward_the_row_limit_so_a_padded_file_is_not_read_to_its_end() -> None:
    padded = _book([[" "] * 3 for _ in range(MAX_ROWS + 50)] + [["单选", "题干", "甲", "乙"]])
    result = parse_bank_xlsx(padded)
    assert result.rows == []
    assert result.errors == [(MAX_ROWS + 2, [f"一次最多导入{MAX_ROWS}道题，请拆分为多个文件"])]


def test_a_full_bank_of_the_limit_still_imports() -> None:
    rows = [["判断", f"第{n}题是对的吗", None, None, None, None, "对", 1] for n in range(MAX_ROWS)]
    result = parse_bank_xlsx(_book(rows))
    assert (len(result.rows), result.errors) == (MAX_ROWS, [])


def test_a_workbook_that_would_unpack_to_something_huge_is_refused_unread() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (25 * 1024 * 1024))
    with pytest.raises(BankFileError, match="文件内容过大"):
        parse_bank_xlsx(out.getvalue())
