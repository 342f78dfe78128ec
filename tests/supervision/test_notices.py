"""Written notices (书面通报): the third disqualifies the institution (第九条(一))."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.accounts.models import Institution, InstitutionStatus
from backend.classes.models import ClassStatus, TrainingClass
from backend.notifications.models import InboxMessage
from backend.registers.models import InstitutionNotice
from tests.supervision.support import World


async def notice(world: World, reason: str = "未按技术要点组织实施", **extra: Any) -> Any:
    body = {"reason": reason, **extra}
    return await world.call("POST", f"/institutions/{world.inst.id}/notices", world.hr, json=body)


async def test_the_third_written_notice_disqualifies_the_institution(world: World, at: Any) -> None:
    # 第九条(一): 被人社部门书面通报三次以上的，取消其开展求职能力实训培训资格
    at("2026-11-25 10:00")
    for n in (1, 2):
        response = await notice(world, f"第{n}次：台账登记不全")
        assert response.status == 201, response.json
        assert response.json["sequence"] == n and response.json["disqualified"] is False
        assert (await Institution.get(id=world.inst.id)).status == InstitutionStatus.ACTIVE
    third = await notice(world, "未安排专人跟班", issued_on="2026-11-24")
    assert third.status == 201
    assert third.json["sequence"] == 3 and third.json["disqualified"] is True
    assert third.json["issued_on"] == "2026-11-24"
    assert (await Institution.get(id=world.inst.id)).status == InstitutionStatus.DISQUALIFIED


async def test_a_disqualified_institution_drafts_no_new_plan_but_its_running_class_goes_on(
    world: World, at: Any
) -> None:
    # 第九条: no new plans; classes already running continue
    at("2026-11-25 10:00")
    for _ in range(3):
        await notice(world)
    plan = {
        "institution_id": world.inst.id,
        "title": "新一期学员班",
        "district_code": "350102",
        "start_date": "2027-03-01",
        "end_date": "2027-03-07",
    }
    response = await world.call("POST", "/classes", world.admin, json=plan)
    assert response.status == 422
    assert response.json["error"]["code"] == "INSTITUTION_DISQUALIFIED"
    response = await world.call("GET", f"/classes/{world.klass.id}", world.teacher)
    assert response.status == 200
    assert (await TrainingClass.get(id=world.klass.id)).status == ClassStatus.IN_PROGRESS


async def test_notices_after_the_third_are_recorded_without_a_second_disqualification(
    world: World, at: Any
) -> None:
    # 第九条(一): 三次以上 — later notices are kept, disqualification happens once
    at("2026-11-25 10:00")
    flags = [(await notice(world)).json["disqualified"] for _ in range(4)]
    assert flags == [False, False, True, False]
    response = await world.call("GET", f"/institutions/{world.inst.id}/notices", world.admin)
    assert response.status == 200
    assert response.json["count"] == 4 and response.json["status"] == "disqualified"
    assert response.json["notices_until_disqualification"] is None
    assert [n["sequence"] for n in response.json["items"]] == [1, 2, 3, 4]


async def test_the_institution_sees_how_many_notices_remain(world: World, at: Any) -> None:
    # 第九条(一): the institution knows how close it is to disqualification
    at("2026-11-25 10:00")
    await notice(world)
    response = await world.call("GET", f"/institutions/{world.inst.id}/notices", world.admin)
    assert response.json["notices_until_disqualification"] == 2


async def test_a_notice_needs_a_reason_and_a_date_not_in_the_future(world: World, at: Any) -> None:
    at("2026-11-25 10:00")
    assert (await notice(world, "  ")).status == 400
    response = await notice(world, issued_on="2026-11-26")
    assert response.status == 400
    assert response.json["error"]["code"] == "DATE_IN_FUTURE"
    assert await InstitutionNotice.all().count() == 0


async def test_only_hr_covering_the_institutions_district_issues_notices(
    world: World, at: Any
) -> None:
    # 第九条(一): 被人社部门书面通报 — the HR department covering the institution
    at("2026-11-25 10:00")
    path = f"/institutions/{world.inst.id}/notices"
    body = {"reason": "教学管理不规范"}
    assert (await world.call("POST", path, world.other_hr, json=body)).status == 404
    assert (await world.call("POST", path, world.admin, json=body)).status == 403
    assert (await world.call("POST", path, world.city_hr, json=body)).status == 201
    assert (
        await world.call("POST", "/institutions/999999/notices", world.hr, json=body)
    ).status == 404
    other = await World(world.client).build("350104")
    assert (await world.call("GET", path, other.admin)).status == 404
    assert (await world.call("GET", path, world.other_hr)).status == 404
    assert (await world.call("GET", path, world.teacher)).status == 403


async def test_the_institutions_admins_find_the_notice_in_their_inbox(
    world: World, at: Any
) -> None:
    at("2026-11-25 10:00")
    for _ in range(3):
        await notice(world, "结业组织混乱")
    messages = await InboxMessage.filter(title="人社部门书面通报").order_by("id")
    assert [m.user_id for m in messages] == [world.admin.id] * 3
    assert "第1次书面通报" in messages[0].body and "结业组织混乱" in messages[0].body
    assert "第九条" not in messages[0].body
    assert "再被书面通报一次将取消" in messages[1].body
    assert "已取消开展求职能力实训培训资格" in messages[2].body


@pytest.mark.postgres_only
async def test_notices_issued_at_once_are_numbered_in_turn_and_only_one_is_the_third(
    world: World, at: Any
) -> None:
    # 第九条 under concurrency: the institution row is locked while the notice is numbered
    at("2026-11-25 10:00")
    await notice(world)
    responses = await asyncio.gather(*(notice(world, f"并发通报{n}") for n in range(4)))
    assert sorted(r.status for r in responses) == [201] * 4, [r.json for r in responses]
    assert sorted(r.json["sequence"] for r in responses) == [2, 3, 4, 5]
    assert [r.json["sequence"] for r in responses if r.json["disqualified"]] == [3]
    assert (await Institution.get(id=world.inst.id)).status == InstitutionStatus.DISQUALIFIED
