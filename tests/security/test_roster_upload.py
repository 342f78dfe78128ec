"""A small hostile workbook cannot freeze the API or slip past MAX_ROWS."""

from __future__ import annotations

import asyncio
import time
import zipfile
from io import BytesIO

import pytest
from openpyxl import Workbook

from backend.accounts.models import Role
from backend.classes.models import ClassStatus
from backend.classes.roster_import import MAX_ROWS, ROSTER_COLUMNS, RosterFileError, parse_xlsx
from tests.support.client import Client
from tests.support.factories import auth, make_class, make_institution, make_staff

HEADERS = [column.title for column in ROSTER_COLUMNS]
SHEET = "xl/worksheets/sheet1.xml"


def _with_sheet_rows(extra_rows: str) -> bytes:
    """A real workbook whose first sheet has the header row, then `extra_rows` of raw XML."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    plain = BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(BytesIO(plain.getvalue()))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET:
                text = data.decode()
                text = text.replace('<dimension ref="A1:L1"/>', "")
                text = text.replace("</row></sheetData>", "</row>" + extra_rows + "</sheetData>")
                data = text.encode()
            target.writestr(item.filename, data)
    return out.getvalue()


def blank_row_bomb(rows: int = 500_000) -> bytes:
    """The reviewer's workbook: a few KB that unpack to hundreds of thousands of empty rows."""
    return _with_sheet_rows("<row/>" * rows)


def test_every_row_counts_toward_max_rows_blank_ones_too() -> None:
    data = blank_row_bomb(MAX_ROWS + 5)
    started = time.perf_counter()
    result = parse_xlsx(data)
    assert not result.ok
    assert f"每次最多导入{MAX_ROWS}人" in result.problems[0].reason
    assert time.perf_counter() - started < 5


def test_a_sheet_that_unpacks_beyond_ten_megabytes_is_refused() -> None:
    bomb = _with_sheet_rows(
        '<row><c t="inlineStr"><is><t>' + "x" * (11 * 1024 * 1024) + "</t></is></c></row>"
    )
    assert len(bomb) < 200_000
    with pytest.raises(RosterFileError) as refused:
        parse_xlsx(bomb)
    assert "过大" in refused.value.reason


def test_reading_a_workbook_stops_at_its_time_budget() -> None:
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>1</t></is></c></row>'
        for n in range(2, 1900)
    )
    with pytest.raises(RosterFileError) as refused:
        parse_xlsx(_with_sheet_rows(rows), time_budget=0.0)
    assert "超时" in refused.value.reason


async def test_health_stays_fast_while_a_hostile_roster_is_parsed(client: Client) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    klass = await make_class(inst, status=ClassStatus.DRAFT)
    bomb = blank_row_bomb()
    assert len(bomb) < 20_000

    async def upload() -> int:
        response = await client.post(
            f"/api/v1/classes/{klass.id}/roster",
            headers=auth(admin),
            files={"file": ("roster.xlsx", bomb, "application/octet-stream")},
        )
        return response.status

    pending = asyncio.create_task(upload())
    await asyncio.sleep(0.05)
    slowest = 0.0
    while not pending.done():
        started = time.perf_counter()
        response = await client.get("/api/v1/health")
        slowest = max(slowest, time.perf_counter() - started)
        assert response.status == 200
        await asyncio.sleep(0.02)
    assert await pending == 400
    assert slowest < 0.2, f"/health took {slowest * 1000:.0f} ms during the upload"
