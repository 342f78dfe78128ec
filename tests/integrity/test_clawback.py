"""第九条(二) 以弄虚作假、欺骗手段获取培训补贴的，取消其培训资格 — and the money back."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from backend.accounts.models import Institution, InstitutionStatus
from backend.notifications.models import InboxMessage
from backend.security.models import AuditEntry
from backend.subsidies.clawback import institution_clawbacks
from backend.subsidies.models import TranchePayment
from tests.integrity.support import IntegrityWorld, integrity_world
from tests.support.client import Client


async def _paid(w: IntegrityWorld, *amounts: str) -> None:
    for n, amount in enumerate(amounts, start=1):
        await TranchePayment.create(
            training_class=w.klass,
            tranche=n,
            amount=Decimal(amount),
            reference=f"凭证{n}",
            paid_by_id=w.hr.id,
            paid_at=datetime(2026, 12, n, 2, tzinfo=UTC),
        )


async def test_a_fraud_finding_claws_back_every_paid_tranche_and_disqualifies(
    client: Client,
) -> None:
    w = await integrity_world(client)
    await _paid(w, "1800.00", "1800.00", "1800.00")
    response = await w.call(
        "POST",
        f"/classes/{w.klass.id}/fraud-findings",
        w.hr,
        json={"reason": "经核查，4名学员就业材料系伪造（社保记录不存在）"},
    )
    assert response.status == 201, response.text
    finding = response.json
    assert finding["disqualified"] is True and finding["amount_total"] == "5400.00"
    assert [(i["tranche"], i["amount"]) for i in finding["items"]] == [
        (1, "1800.00"),
        (2, "1800.00"),
        (3, "1800.00"),
    ]
    # 第九条: the qualification is taken — no new plans; the institution is told
    assert (await Institution.get(id=w.inst.id)).status is InstitutionStatus.DISQUALIFIED
    plan = await w.call(
        "POST",
        "/classes",
        w.admin,
        json={
            "institution_id": w.inst.id,
            "title": "新学员班",
            "district_code": "350102",
            "start_date": "2027-09-06",
            "end_date": "2027-09-12",
            "contract_amount": "7500.00",
        },
    )
    assert plan.json["error"]["code"] == "INSTITUTION_DISQUALIFIED"
    inbox = await InboxMessage.filter(user_id=w.admin.id).values_list("body", flat=True)
    assert any("应退回补贴5400.00元" in str(b) for b in inbox)
    assert await AuditEntry.exists(action="subsidy.fraud_finding", actor_id=w.hr.id)
    # the subsidy shows it and pays nothing more
    subsidy = (await w.call("GET", f"/classes/{w.klass.id}/subsidy", w.hr)).json
    assert subsidy["clawback"]["total"] == "5400.00"
    more = await w.call(
        "POST", f"/classes/{w.klass.id}/subsidy/payments", w.hr, json={"tranche": 4}
    )
    assert more.json["error"]["code"] == "CLASS_FRAUD_FINDING"
    # the institution's ledger and the subsidy export list it
    lines = await institution_clawbacks(w.inst.id)
    assert [(line.class_id, line.tranche, line.amount) for line in lines] == [
        (w.klass.id, n, Decimal("1800.00")) for n in (1, 2, 3)
    ]
    ledger = await w.call("GET", f"/institutions/{w.inst.id}/clawbacks", w.admin)
    assert ledger.status == 200 and ledger.json["amount_total"] == "5400.00"
    form = await w.call("GET", f"/classes/{w.klass.id}/subsidy/application.xlsx", w.hr)
    texts = [c.value for row in load_workbook(BytesIO(form.body)).active.iter_rows() for c in row]
    assert "追回合计（元）" in texts and Decimal("5400.00") in texts
    # the institution registry's standing ledger (第七条(六)) lists it as a major record
    record = (await w.call("GET", f"/institutions/{w.inst.id}", w.hr)).json
    found = [r for r in record["standing"]["records"] if r["kind"] == "fraud_finding"]
    assert (
        len(found) == 1 and found[0]["major"] is True and "应追回5400.00元" in found[0]["summary"]
    )
    assert record["standing"]["clean"] is False
    again = await w.call(
        "POST", f"/classes/{w.klass.id}/fraud-findings", w.hr, json={"reason": "再次认定"}
    )
    assert (again.status, again.json["error"]["code"]) == (409, "FRAUD_FINDING_EXISTS")


async def test_hr_may_name_less_than_was_paid_but_never_more(client: Client) -> None:
    w = await integrity_world(client)
    await _paid(w, "1800.00", "1800.00")
    path = f"/classes/{w.klass.id}/fraud-findings"
    too_much = {"reason": "材料造假", "amounts": [{"tranche": 2, "amount": "1800.01"}]}
    assert (await w.call("POST", path, w.hr, json=too_much)).json["error"]["code"] == (
        "CLAWBACK_AMOUNT_INVALID"
    )
    unpaid = {"reason": "材料造假", "amounts": [{"tranche": 3, "amount": "100.00"}]}
    assert (await w.call("POST", path, w.hr, json=unpaid)).json["error"]["code"] == (
        "TRANCHE_NOT_PAID"
    )
    part = {"reason": "材料造假", "amounts": [{"tranche": 2, "amount": "600.00"}]}
    response = await w.call("POST", path, w.hr, json=part)
    assert response.status == 201 and response.json["amount_total"] == "600.00"


async def test_nothing_to_recover_from_a_class_never_paid(client: Client) -> None:
    w = await integrity_world(client)
    response = await w.call(
        "POST", f"/classes/{w.klass.id}/fraud-findings", w.hr, json={"reason": "材料造假"}
    )
    assert (response.status, response.json["error"]["code"]) == (422, "NOTHING_TO_RECOVER")
    assert (await Institution.get(id=w.inst.id)).status is InstitutionStatus.ACTIVE


async def test_hr_of_another_district_cannot_record_a_finding(client: Client) -> None:
    w = await integrity_world(client)
    await _paid(w, "1800.00")
    response = await w.call(
        "POST", f"/classes/{w.klass.id}/fraud-findings", w.foreign_hr, json={"reason": "造假"}
    )
    assert response.status == 404
