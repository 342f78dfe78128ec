"""第二十三条: an employment claim carries evidence, and HR — never its reporter — verifies it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from backend.accounts.models import Role
from backend.accounts.service import grant_role
from backend.employment.models import EmploymentEvidence
from backend.employment.outcomes import class_employment_rates
from tests.integrity.support import HIRED, PDF, PNG, integrity_world
from tests.support.client import Client


async def test_hr_verifies_a_claim_with_a_contract_and_the_verified_rate_counts_it(
    client: Client, use_settings: Any, tmp_path: Path
) -> None:
    use_settings(evidence_dir=str(tmp_path))
    w = await integrity_world(client)
    record_id = await w.claim(w.trainee_ids[0])
    await w.claim(w.trainee_ids[1])
    uploaded = await w.evidence(record_id)
    assert uploaded.status == 201, uploaded.text
    verified = await w.verify(record_id)
    assert verified.status == 200, verified.text
    assert (verified.json["verification"], verified.json["verified"]) == ("verified", True)
    rates = await class_employment_rates(w.klass.id)
    assert (rates.claimed.employed, rates.verified.employed, rates.pending) == (2, 1, 1)


async def test_a_claim_without_evidence_cannot_be_verified(client: Client) -> None:
    w = await integrity_world(client)
    record_id = await w.claim(w.trainee_ids[0])
    response = await w.verify(record_id)
    assert response.status == 422 and response.json["error"]["code"] == "EVIDENCE_MISSING"


async def test_self_employment_needs_the_business_licence(
    client: Client, use_settings: Any, tmp_path: Path
) -> None:
    use_settings(evidence_dir=str(tmp_path))
    w = await integrity_world(client)
    body = {"status": "self_employed", "insurance_record_no": "SB1", "insurance_month": "2027-01"}
    record_id = await w.claim(w.trainee_ids[0], body)
    assert (await w.verify(record_id)).status == 422
    assert (await w.evidence(record_id, "business_licence", PDF)).status == 201
    assert (await w.verify(record_id)).status == 200


async def test_the_reporter_never_verifies_even_holding_the_hr_role(client: Client) -> None:
    w = await integrity_world(client)
    await grant_role(user_id=w.instructor.id, role=Role.HR_ADMIN, district_code="350102")
    body = {**HIRED, "insurance_record_no": "SB1", "insurance_month": "2027-01"}
    record_id = await w.claim(w.trainee_ids[0], body)
    response = await w.verify(record_id, w.instructor)
    assert response.status == 403
    assert response.json["error"]["code"] == "VERIFIER_IS_REPORTER"


async def test_hr_refuses_with_a_reason_and_the_claim_stays_out_of_the_verified_rate(
    client: Client,
) -> None:
    w = await integrity_world(client)
    record_id = await w.claim(w.trainee_ids[0])
    no_reason = await w.verify(record_id, decision="refused")
    assert no_reason.status == 400 and no_reason.json["error"]["code"] == "REASON_REQUIRED"
    refused = await w.verify(record_id, decision="refused", reason="电话回访：单位查无此人")
    assert refused.status == 200
    assert refused.json["verification_reason"] == "电话回访：单位查无此人"
    rates = await class_employment_rates(w.klass.id)
    assert (rates.claimed.employed, rates.verified.employed, rates.refused) == (1, 0, 1)


async def test_hr_of_another_district_cannot_verify(client: Client) -> None:
    w = await integrity_world(client)
    record_id = await w.claim(w.trainee_ids[0])
    assert (await w.verify(record_id, w.foreign_hr)).status == 404


async def test_evidence_is_judged_by_its_content_not_its_name(
    client: Client, use_settings: Any, tmp_path: Path
) -> None:
    use_settings(evidence_dir=str(tmp_path))
    w = await integrity_world(client)
    record_id = await w.claim(w.trainee_ids[0])
    fake = await w.evidence(record_id, data=b"<html><script>alert(1)</script></html>")
    assert fake.status == 400 and fake.json["error"]["code"] == "EVIDENCE_TYPE_REFUSED"
    assert await asyncio.to_thread(os.listdir, tmp_path) == []


async def test_evidence_over_the_size_limit_is_refused(
    client: Client, use_settings: Any, tmp_path: Path
) -> None:
    use_settings(evidence_dir=str(tmp_path), evidence_max_bytes=1024)
    w = await integrity_world(client)
    record_id = await w.claim(w.trainee_ids[0])
    big = await w.evidence(record_id, data=PNG + b"\x00" * 2048)
    assert big.status == 400 and big.json["error"]["code"] == "EVIDENCE_TOO_LARGE"


async def test_evidence_is_stored_under_a_random_name_and_served_only_in_scope(
    client: Client, use_settings: Any, tmp_path: Path
) -> None:
    use_settings(evidence_dir=str(tmp_path))
    w = await integrity_world(client)
    record_id = await w.claim(w.trainee_ids[0])
    evidence_id = (await w.evidence(record_id)).json["id"]
    stored = await EmploymentEvidence.get(id=evidence_id)
    assert stored.original_name == "合同.png" and "合同" not in stored.stored_name
    assert (tmp_path / stored.stored_name).read_bytes() == PNG
    read = await w.call("GET", f"/employment-evidence/{evidence_id}", w.hr)
    assert read.status == 200 and read.body == PNG
    assert read.headers["Content-Type"] == "image/png"
    assert "filename*=UTF-8''" in read.headers["Content-Disposition"]
    assert (await w.call("GET", f"/employment-evidence/{evidence_id}", w.foreign_hr)).status == 404
    listed = await w.call("GET", f"/trainees/{w.trainee_ids[0]}/employment", w.hr)
    assert [e["id"] for e in listed.json["latest"]["evidence"]] == [evidence_id]


async def test_hr_lists_a_classs_claims_with_their_state_and_evidence(
    client: Client, use_settings: Any, tmp_path: Path
) -> None:
    use_settings(evidence_dir=str(tmp_path))
    w = await integrity_world(client)
    first = await w.claim(w.trainee_ids[0])
    evidence_id = (await w.evidence(first)).json["id"]
    second = await w.claim(w.trainee_ids[1])
    await w.verify(second, decision="refused", reason="回访无法核实")
    await w.call(
        "POST",
        f"/trainees/{w.trainee_ids[2]}/employment",
        w.instructor,
        json={"status": "unemployed"},
    )
    listed = await w.call("GET", f"/classes/{w.klass.id}/employment-claims", w.hr)
    assert listed.status == 200, listed.text
    rows = [
        (c["trainee_id"], c["record"]["verification"], [e["id"] for e in c["record"]["evidence"]])
        for c in listed.json["items"]
    ]
    assert rows == [(w.trainee_ids[0], "pending", [evidence_id]), (w.trainee_ids[1], "refused", [])]
    assert (await w.call("GET", f"/classes/{w.klass.id}/employment-claims", w.admin)).status == 200
    foreign = await w.call("GET", f"/classes/{w.klass.id}/employment-claims", w.foreign_hr)
    assert foreign.status == 404
