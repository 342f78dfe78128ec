"""The audit log of full-PII reads: every full ID-card or phone read is listed for city HR.

PRODUCT.md §1: reading a full value is an audited action — and the audit is only worth
something if the bureau can read it back: who read whose numbers, when and why.
"""

from __future__ import annotations

from backend.accounts.models import Role
from tests.support.client import Client
from tests.support.factories import (
    auth,
    enrol,
    make_class,
    make_institution,
    make_staff,
    make_trainee,
)


async def test_city_hr_reads_who_saw_full_numbers_and_why_newest_first(client: Client) -> None:
    inst = await make_institution("350102")
    klass = await make_class(inst)
    trainee = await make_trainee()
    await enrol(klass, trainee)
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    for reason in ("补贴材料核对", "就业回访核实"):
        read = await client.post(
            f"/api/v1/trainees/{trainee.id}/pii", json={"reason": reason}, headers=auth(admin)
        )
        assert read.status == 200, read.json
    city_hr = await make_staff(Role.HR_ADMIN)
    page = await client.get("/api/v1/audit/pii-reads?limit=1", headers=auth(city_hr))
    assert page.status == 200, page.json
    assert page.json["total"] == 2 and page.json["limit"] == 1 and page.json["offset"] == 0
    (entry,) = page.json["items"]
    assert entry["action"] == "pii.read" and entry["reason"] == "就业回访核实"
    assert entry["actor_id"] == admin.id and entry["target_id"] == str(trainee.id)
    assert entry["action_label"] == "查看学员完整证件号与手机号"
    # the log itself never shows the numbers it records the reading of
    assert trainee.name not in str(page.json)
    other = await client.get(
        "/api/v1/audit/pii-reads?action=subsidy.roster_full_export", headers=auth(city_hr)
    )
    assert other.json["total"] == 0


async def test_district_hr_and_institutions_cannot_read_the_log(client: Client) -> None:
    district_hr = await make_staff(Role.HR_ADMIN, district_code="350102")
    refused = await client.get("/api/v1/audit/pii-reads", headers=auth(district_hr))
    assert refused.status == 403 and refused.json["error"]["code"] == "CITY_HR_REQUIRED"
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=await make_institution())
    assert (await client.get("/api/v1/audit/pii-reads", headers=auth(admin))).status == 403
