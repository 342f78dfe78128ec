"""The institution registry over HTTP (第五、七条) and its standing ledger (第七条(六))."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from backend.accounts.models import Institution, InstitutionStatus, Role
from backend.institutions.creditcode import ALPHABET, make_credit_code, validate_credit_code
from backend.registers.models import BlacklistEntry, BlacklistKind, InstitutionNotice
from backend.security.models import AuditEntry
from tests.api.test_class_plans import Plan
from tests.support.client import Client
from tests.support.factories import auth, make_staff

CODE = make_credit_code("52350102MJ0000123")
QUALIFIED = [
    {"item": item, "met": True, "evidence": f"{item}证明材料.pdf"}
    for item in ("license", "management", "facilities", "team", "channels")
]


def institution_body(**changes: Any) -> dict[str, Any]:
    """A complete registration, as the web console sends it."""
    return {
        "name": "福州启明职业培训学校",
        "credit_code": CODE,
        "district": "350102",
        "address": "福州市鼓楼区五四路100号",
        "contact_name": "陈老师",
        "contact_phone": "13905910001",
        "team_lead_name": "王负责人",
        "team_lead_years": 6,
        "facilities": ["多媒体教室2间", "投影仪", "摄录设备"],
        "qualifications": QUALIFIED,
        "contract_no": "FZRS-2026-018",
        "contract_start": "2026-12-01",
        "contract_end": "2027-11-30",
        "contract_amount": "300000.00",
        **changes,
    }


def test_the_gb_32100_check_character_is_computed_from_the_first_seventeen() -> None:
    # GB 32100-2015: weights 3^i mod 31, check = 31 - (sum mod 31), alphabet without I O Z S V.
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_credit_code(CODE.lower()) == CODE
    wrong = CODE[:17] + next(c for c in ALPHABET if c != CODE[17])
    with pytest.raises(ValueError):
        validate_credit_code(wrong)


async def test_city_hr_registers_an_institution_with_its_qualifications(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    response = await client.post("/api/v1/institutions", json=institution_body(), headers=auth(hr))
    assert response.status == 201, response.text
    body = response.json
    assert body["credit_code"] == CODE and body["district"] == "350102"
    assert body["district_name"] == "鼓楼区"
    assert body["contact_phone_masked"] == "139****0001"
    assert "13905910001" not in response.text
    assert body["contract_amount"] == "300000.00" and body["contract_end"] == "2027-11-30"
    assert all(q["met"] and q["evidence"] for q in body["qualifications"])
    assert body["standing"] == {"since": body["standing"]["since"], "clean": True, "records": []}
    assert await AuditEntry.exists(action="institution.register", target_id=body["id"])
    listed = await client.get("/api/v1/institutions?q=启明", headers=auth(hr))
    assert listed.json["total"] == 1 and listed.json["items"][0]["id"] == body["id"]
    by_label = await client.get("/api/v1/institutions?district=鼓楼区", headers=auth(hr))
    assert by_label.json["total"] == 1
    refused = await client.get("/api/v1/institutions?district=西湖区", headers=auth(hr))
    assert refused.status == 400 and refused.json["error"]["code"] == "DISTRICT_UNKNOWN"


async def test_a_wrong_credit_code_check_character_is_a_400(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    wrong = CODE[:17] + next(c for c in ALPHABET if c != CODE[17])
    response = await client.post(
        "/api/v1/institutions", json=institution_body(credit_code=wrong), headers=auth(hr)
    )
    assert response.status == 400, response.text
    assert response.json["error"]["code"] == "CREDIT_CODE_INVALID"
    assert "校验码" in response.json["error"]["message"]


async def test_a_team_lead_with_under_five_years_is_refused(client: Client) -> None:
    # 第七条（四）: 团队负责人1名，有5年以上培训组织经验
    hr = await make_staff(Role.HR_ADMIN)
    response = await client.post(
        "/api/v1/institutions", json=institution_body(team_lead_years=4), headers=auth(hr)
    )
    assert response.status == 422, response.text
    assert response.json["error"]["code"] == "TEAM_LEAD_EXPERIENCE"


async def test_a_qualification_without_evidence_is_refused(client: Client) -> None:
    # 第七条: 培训机构应具备的基本条件 (一)–(五), each shown by evidence
    hr = await make_staff(Role.HR_ADMIN)
    items = [*QUALIFIED[:4], {"item": "channels", "met": True, "evidence": " "}]
    response = await client.post(
        "/api/v1/institutions", json=institution_body(qualifications=items), headers=auth(hr)
    )
    assert response.status == 422, response.text
    assert response.json["error"]["details"]["missing"] == ["channels"]


async def test_an_unknown_district_lists_the_allowed_codes(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    response = await client.post(
        "/api/v1/institutions", json=institution_body(district="999999"), headers=auth(hr)
    )
    assert response.status == 400, response.text
    allowed = response.json["error"]["details"]["allowed"]
    assert {"code": "350102", "label": "鼓楼区"} in allowed


async def test_district_hr_registers_only_in_its_own_district(client: Client) -> None:
    gulou = await make_staff(Role.HR_ADMIN, district_code="350102")
    response = await client.post(
        "/api/v1/institutions", json=institution_body(district="350104"), headers=auth(gulou)
    )
    assert response.status == 403, response.text
    response = await client.post(
        "/api/v1/institutions", json=institution_body(), headers=auth(gulou)
    )
    assert response.status == 201, response.text
    cangshan = await make_staff(Role.HR_ADMIN, district_code="350104")
    path = f"/api/v1/institutions/{response.json['id']}"
    assert (await client.get(path, headers=auth(cangshan))).status == 404
    listed = await client.get("/api/v1/institutions", headers=auth(cangshan))
    assert listed.json["total"] == 0


async def test_the_same_credit_code_is_registered_once(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    first = await client.post("/api/v1/institutions", json=institution_body(), headers=auth(hr))
    assert first.status == 201
    again = await client.post("/api/v1/institutions", json=institution_body(), headers=auth(hr))
    assert again.status == 409 and again.json["error"]["code"] == "INSTITUTION_EXISTS"


async def test_a_null_leaves_a_required_field_of_the_file_unchanged(client: Client) -> None:
    """The fuzzer sent `"address": null` with an amount: a 500 until null meant "unchanged"."""
    hr = await make_staff(Role.HR_ADMIN)
    created = await client.post("/api/v1/institutions", json=institution_body(), headers=auth(hr))
    path = f"/api/v1/institutions/{created.json['id']}"
    body = {"address": None, "team_lead_name": None, "contract_amount": "12000.00"}
    response = await client.patch(path, json=body, headers=auth(hr))
    assert response.status == 200, response.text
    assert response.json["address"] == created.json["address"]
    assert response.json["contract_amount"] == "12000.00"


async def test_hr_edits_and_suspends_an_institution_which_then_drafts_no_plan(
    client: Client,
) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    created = await client.post("/api/v1/institutions", json=institution_body(), headers=auth(hr))
    inst_id = created.json["id"]
    path = f"/api/v1/institutions/{inst_id}"
    response = await client.patch(
        path,
        json={"address": "福州市鼓楼区新地址8号", "contact_phone": "13905910002"},
        headers=auth(hr),
    )
    assert response.status == 200, response.text
    assert response.json["address"] == "福州市鼓楼区新地址8号"
    assert response.json["contact_phone_masked"] == "139****0002"
    refused = await client.patch(path, json={"status": "suspended"}, headers=auth(hr))
    assert refused.status == 400 and refused.json["error"]["code"] == "REASON_REQUIRED"
    response = await client.patch(
        path, json={"status": "suspended", "status_reason": "合同履约检查"}, headers=auth(hr)
    )
    assert response.status == 200, response.text
    assert response.json["status"] == "suspended" and response.json["status_label"] == "暂停"
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=await Institution.get(id=inst_id))
    draft = await client.post(
        "/api/v1/classes",
        json={
            "institution_id": inst_id,
            "title": "暂停期间的学员班",
            "district_code": "350102",
            "start_date": "2027-03-01",
            "end_date": "2027-03-07",
        },
        headers=auth(admin),
    )
    assert draft.status == 422 and draft.json["error"]["code"] == "INSTITUTION_SUSPENDED"
    # the institution reads its own record, but may not edit it
    assert (await client.get(path, headers=auth(admin))).status == 200
    assert (await client.patch(path, json={"address": "别处"}, headers=auth(admin))).status == 403


async def test_the_ledger_shows_three_years_of_records_with_the_institution(
    client: Client, at: Any
) -> None:
    at("2026-12-01 10:00")
    hr = await make_staff(Role.HR_ADMIN)
    created = await client.post("/api/v1/institutions", json=institution_body(), headers=auth(hr))
    inst_id = created.json["id"]
    await InstitutionNotice.create(
        institution_id=inst_id,
        sequence=1,
        reason="未按技术要点组织实施",
        issued_on=date(2025, 5, 6),
    )
    await InstitutionNotice.create(
        institution_id=inst_id, sequence=2, reason="很久以前的通报", issued_on=date(2023, 11, 30)
    )
    response = await client.get(f"/api/v1/institutions/{inst_id}", headers=auth(hr))
    standing = response.json["standing"]
    assert standing["since"] == "2023-12-01"
    assert [r["summary"] for r in standing["records"]] == ["第1次书面通报：未按技术要点组织实施"]
    assert standing["clean"] is True  # one notice is not a major punishment (第七条（六）)


async def test_a_blacklisting_in_the_last_three_years_refuses_plan_submission(
    client: Client, at: Any
) -> None:
    # 第七条（六）: 近三年无重大违纪违规被处罚记录 — even once the entry was lifted
    at("2026-12-01 10:00")
    plan = await Plan(client).setup()
    class_id = await plan.draft()
    await plan.complete(class_id)
    await BlacklistEntry.create(
        kind=BlacklistKind.INSTITUTION,
        subject_id=plan.inst.id,
        subject_name=plan.inst.name,
        reason="以欺骗手段获取培训补贴",
        starts_on=date(2024, 3, 1),
        ends_on=date(2024, 9, 1),
        lifted_on=date(2024, 9, 1),
    )
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.status == 422, response.text
    codes = [v["code"] for v in response.json["error"]["details"]["violations"]]
    assert "INSTITUTION_RECORD" in codes
    detail = await plan.call("GET", f"/institutions/{plan.inst.id}", plan.hr)
    assert detail.json["standing"]["clean"] is False
    await BlacklistEntry.filter(subject_id=plan.inst.id).update(starts_on=date(2023, 11, 1))
    await BlacklistEntry.filter(subject_id=plan.inst.id).update(ends_on=date(2023, 11, 20))
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.status == 200, response.text  # older than three years and lifted


async def test_a_disqualified_institution_cannot_be_reinstated_in_the_registry(
    client: Client,
) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    created = await client.post("/api/v1/institutions", json=institution_body(), headers=auth(hr))
    await Institution.filter(id=created.json["id"]).update(status=InstitutionStatus.DISQUALIFIED)
    response = await client.patch(
        f"/api/v1/institutions/{created.json['id']}",
        json={"status": "active", "status_reason": "申诉"},
        headers=auth(hr),
    )
    assert response.status == 409, response.text
