"""The real claim (第二十四条 花名册): full ID numbers only through an audited export."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import quote

from openpyxl import load_workbook

from backend.classes.models import ClassStatus
from backend.employment.models import EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, record_employment
from backend.security.models import AuditEntry
from tests.integrity.support import integrity_world
from tests.support.client import Client


def _sheet(body: bytes) -> Any:
    sheet = load_workbook(BytesIO(body)).worksheets[0]
    return sheet


async def test_the_full_id_roster_needs_a_reason_and_is_audited_and_watermarked(
    client: Client,
) -> None:
    w = await integrity_world(client, trainees=2, status=ClassStatus.COMPLETED)
    path = f"/classes/{w.klass.id}/subsidy/roster-full.xlsx"
    no_reason = await w.call("POST", path, w.hr, json={"reason": " "})
    assert no_reason.status == 400 and no_reason.json["error"]["code"] == "REASON_REQUIRED"
    assert not await AuditEntry.exists(action="subsidy.roster_full_export")

    response = await w.call("POST", path, w.hr, json={"reason": "向财政申请第3期补贴"})
    assert response.status == 200, response.text
    sheet = _sheet(response.body)
    ids = [sheet.cell(row=r, column=3).value for r in (2, 3)]
    assert all(len(i) == 18 and "*" not in i for i in ids)  # full numbers
    reader = w.hr.display_name
    assert (
        reader in sheet.oddHeader.center.text
        and "向财政申请第3期补贴" in sheet.oddHeader.center.text
    )
    last = sheet.cell(row=sheet.max_row, column=1).value
    assert reader in last and "导出时间" in last
    entry = await AuditEntry.get(action="subsidy.roster_full_export")
    assert (entry.actor_id, entry.target_id) == (w.hr.id, str(w.klass.id))
    assert entry.details["reason"] == "向财政申请第3期补贴"
    disposition = response.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote(w.klass.title, safe='')}" in disposition
    assert quote("补贴人员花名册（完整证件号）", safe="") in disposition
    foreign = await w.call("POST", path, w.foreign_hr, json={"reason": "查看"})
    assert foreign.status == 404


async def test_the_default_roster_stays_masked_with_numeric_percentages(client: Client) -> None:
    w = await integrity_world(client, trainees=2, status=ClassStatus.COMPLETED)
    await record_employment(
        trainee_id=w.trainee_ids[0],
        class_id=w.klass.id,
        recorded_by_id=None,
        outcome=Outcome(
            EmploymentStatus.EMPLOYED, OutcomeSource.INSTRUCTOR, '=HYPERLINK("http://x")', "职员"
        ),
    )
    response = await w.call("GET", f"/classes/{w.klass.id}/subsidy/roster.xlsx", w.admin)
    assert response.status == 200
    sheet = _sheet(response.body)
    assert "********" in sheet.cell(row=2, column=3).value
    rate = sheet.cell(row=2, column=5)
    assert isinstance(rate.value, (int, float)) and rate.number_format.endswith("%")
    employer = [sheet.cell(row=r, column=8).value for r in (2, 3)]
    assert '\'=HYPERLINK("http://x")' in employer  # never evaluated as a formula
    assert sheet.cell(row=2, column=9).value in ("待核实", "")
    assert w.admin.display_name in sheet.oddHeader.center.text
    assert not await AuditEntry.exists(action="subsidy.roster_full_export")
    form = await w.call("GET", f"/classes/{w.klass.id}/subsidy/application.xlsx", w.admin)
    shares = [c for row in _sheet(form.body).iter_rows() for c in row if c.number_format == "0%"]
    assert [c.value for c in shares] == [0.3, 0.3, 0.3, 0.1]
    assert quote("补贴申请表", safe="") in form.headers["Content-Disposition"]
