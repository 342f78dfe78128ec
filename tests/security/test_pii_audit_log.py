"""The audit log of full-PII reads: every full ID-card or phone read is listed for HR.

Reading a full value is an audited action — and the audit is only worth
something if the bureau can read it back: who read whose numbers, when and why.
"""

from __future__ import annotations

from backend.accounts.models import Role
from backend.security.audit import record_audit
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


async def test_district_hr_reads_only_the_reads_of_its_own_districts_trainees_and_classes(
    client: Client,
) -> None:
    # The district bureau answers for its own trainees' data, not its neighbours'
    gulou, taijiang = await make_institution("350102"), await make_institution("350103")
    ours, theirs = await make_class(gulou), await make_class(taijiang)
    mine, other = await make_trainee(), await make_trainee()
    await enrol(ours, mine)
    await enrol(theirs, other)
    for inst, trainee in ((gulou, mine), (taijiang, other)):
        admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
        read = await client.post(
            f"/api/v1/trainees/{trainee.id}/pii",
            json={"reason": "补贴材料核对"},
            headers=auth(admin),
        )
        assert read.status == 200, read.json
    for klass in (ours, theirs):  # the full roster export is recorded against its class
        await record_audit(
            actor_id=None,
            action="subsidy.roster_full_export",
            target_type="class",
            target_id=klass.id,
        )
    district_hr = await make_staff(Role.HR_ADMIN, district_code="350102")
    page = await client.get("/api/v1/audit/pii-reads", headers=auth(district_hr))
    assert page.status == 200, page.json
    seen = {(e["target_type"], e["target_id"]) for e in page.json["items"]}
    assert seen == {("trainee", str(mine.id)), ("class", str(ours.id))}
    assert page.json["total"] == 2
    city_hr = await make_staff(Role.HR_ADMIN)
    everything = await client.get("/api/v1/audit/pii-reads", headers=auth(city_hr))
    assert everything.json["total"] == 4


async def test_district_hr_without_trainees_sees_an_empty_log(client: Client) -> None:
    inst = await make_institution("350102")
    trainee = await make_trainee()
    await enrol(await make_class(inst), trainee)
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    await client.post(
        f"/api/v1/trainees/{trainee.id}/pii", json={"reason": "核对"}, headers=auth(admin)
    )
    elsewhere = await make_staff(Role.HR_ADMIN, district_code="350104")
    page = await client.get("/api/v1/audit/pii-reads", headers=auth(elsewhere))
    assert page.status == 200 and page.json["total"] == 0 and page.json["items"] == []


async def test_institutions_cannot_read_the_log(client: Client) -> None:
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=await make_institution())
    assert (await client.get("/api/v1/audit/pii-reads", headers=auth(admin))).status == 403
