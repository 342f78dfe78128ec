"""结案 (following_up → closed): by the worker once follow-up is complete, by HR after 6 months.

第二十五条: follow-up lasts six months after training, with at least three services per
trainee and a home visit for those still unemployed at six months. The class of
`make_world` ends on 2026-11-29, so its 6-month stage is reached on 2027-05-29.
"""

from __future__ import annotations

from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from backend.accounts.models import Role
from backend.classes.models import ClassKind, ClassStatus, ClassStatusChange, TrainingClass
from backend.employment.models import EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, record_employment
from backend.followups.closing import AUTO_REASON, ready_to_close
from backend.followups.service import begin_followup, queue_due_invitations
from backend.security.models import AuditEntry
from backend.subsidies.closing import close_and_freeze_completed
from jobs import worker_jobs
from jobs.runner import REGISTRY
from tests.followups.support import World, make_world
from tests.support.client import Client
from tests.support.factories import auth, make_staff

SERVICES = ("phone_call", "job_push", "individual_guidance")


async def _following_up(tags: tuple[str, ...] = ("a", "b")) -> World:
    world = await make_world(tags, status=ClassStatus.COMPLETED)
    assert await begin_followup(klass=world.klass)
    return world


async def _close(client: Client, world: World, reason: str = "后续跟踪期满，结案") -> Any:
    return await client.post(
        f"/api/v1/classes/{world.klass.id}/close", json={"reason": reason}, headers=auth(world.hr)
    )


async def _serve(client: Client, world: World, kinds: tuple[str, ...], when: str) -> None:
    for person in world.people:
        for kind in kinds:
            response = await client.post(
                f"/api/v1/trainees/{person.trainee.id}/followup-services",
                json={"kind": kind, "served_at": when},
                headers=auth(world.lead_user),
            )
            assert response.status == 201, response.json


async def _employ(world: World, *statuses: EmploymentStatus) -> None:
    for person, status in zip(world.people, statuses, strict=True):
        employed = status is EmploymentStatus.EMPLOYED
        await record_employment(
            trainee_id=person.trainee.id,
            class_id=world.klass.id,
            recorded_by_id=None,
            outcome=Outcome(
                status=status, source=OutcomeSource.SURVEY, employer="某公司" if employed else ""
            ),
        )


async def test_hr_cannot_close_before_the_six_month_stage(client: Client, at: Any) -> None:
    # 第二十五条: 在培训后1周、3个月、6个月内三个阶段…提供后续跟踪服务 — six months, not fewer
    world = await _following_up()
    at("2027-05-28 18:00")
    response = await _close(client, world)
    assert response.status == 422, response.json
    error = response.json["error"]
    assert error["code"] == "CLOSE_BEFORE_SIX_MONTHS"
    assert "2027-05-29" in error["message"] and "第二十五条" in error["message"]
    assert (await TrainingClass.get(id=world.klass.id)).status is ClassStatus.FOLLOWING_UP


async def test_hr_closes_once_the_six_month_stage_is_reached_even_if_follow_up_is_incomplete(
    client: Client, at: Any
) -> None:
    # 第二十五条: the six months are over; HR may close with a reason (the last tranche of
    # 第二十四条 then stays unpaid, since follow-up is incomplete)
    world = await _following_up()
    at("2027-05-29 09:00")
    assert not (await ready_to_close(world.klass))[0]  # no services were logged
    response = await _close(client, world, reason="学员均已联系不上，经审核结案")
    assert response.status == 200, response.json
    assert response.json["status"] == "closed" and response.json["status_label"] == "已结案"
    last = response.json["history"][-1]
    assert (last["from"], last["to"]) == ("following_up", "closed")
    assert last["actor_id"] == world.hr.id and last["reason"] == "学员均已联系不上，经审核结案"
    audit = await AuditEntry.get(action="class.close")
    assert audit.details["followup_complete"] is False
    subsidy = await client.get(f"/api/v1/classes/{world.klass.id}/subsidy", headers=auth(world.hr))
    assert subsidy.json["tranches"][3]["holds"] is False


async def test_closing_a_class_that_is_not_in_follow_up_is_a_conflict(
    client: Client, at: Any
) -> None:
    # 第二十五条: only a class in follow-up (后续跟踪服务) is closed
    world = await make_world(("a",))  # in progress
    at("2027-06-01 09:00")
    response = await _close(client, world)
    assert response.status == 409
    assert response.json["error"]["code"] == "CLASS_NOT_FOLLOWING_UP"
    await TrainingClass.filter(id=world.klass.id).update(status=ClassStatus.CLOSED)
    response = await _close(client, world)
    assert response.status == 409 and response.json["error"]["details"]["status"] == "closed"


async def test_hr_closes_a_completed_instructor_class_which_has_no_follow_up(
    client: Client, at: Any
) -> None:
    """第二十五条 follow-up concerns trainees: a 师资班 closes once completed, by HR."""
    world = await make_world(("a",), status=ClassStatus.IN_PROGRESS)
    await TrainingClass.filter(id=world.klass.id).update(kind=ClassKind.INSTRUCTOR_CLASS)
    at("2026-12-01 09:00")
    response = await _close(client, world, reason="师资班培训任务完成")
    assert (response.status, response.json["error"]["code"]) == (409, "CLASS_NOT_FOLLOWING_UP")
    await TrainingClass.filter(id=world.klass.id).update(status=ClassStatus.COMPLETED)
    response = await _close(client, world, reason="师资班培训任务完成")
    assert response.status == 200, response.json
    assert response.json["status"] == "closed"
    entry = await AuditEntry.get(action="class.close", target_id=str(world.klass.id))
    assert entry.details["followup"] == "师资班无后续跟踪服务"
    assert await close_and_freeze_completed() == 0  # the worker closes trainee classes only


async def test_closing_needs_a_reason_and_hr_of_the_class_district(client: Client, at: Any) -> None:
    # 第二十五条 closing is HR's decision, with its reason, in its own district
    world = await _following_up()
    at("2027-06-01 09:00")
    response = await _close(client, world, reason="")
    assert response.status == 400
    other_hr = await make_staff(Role.HR_ADMIN, district_code="350104")
    response = await client.post(
        f"/api/v1/classes/{world.klass.id}/close",
        json={"reason": "越权结案"},
        headers=auth(other_hr),
    )
    assert response.status == 404
    assert (await TrainingClass.get(id=world.klass.id)).status is ClassStatus.FOLLOWING_UP


async def test_the_worker_closes_a_class_once_its_follow_up_is_complete(
    client: Client, at: Any
) -> None:
    # 第二十五条: 3次及以上的后续跟踪服务 for every trainee, within the six months
    world = await _following_up(("a", "b"))
    await _employ(world, EmploymentStatus.EMPLOYED, EmploymentStatus.EMPLOYED)
    at("2026-12-06 10:00")
    await _serve(client, world, SERVICES[:2], "2026-12-06T09:00:00")
    at("2027-05-29 08:00")  # the 6-month day: two services each are not enough
    assert await close_and_freeze_completed() == 0
    await _serve(client, world, SERVICES[2:], "2027-05-29T07:30:00")
    ready, why = await ready_to_close(world.klass)
    assert not ready and "回访问卷未发出" in why  # the 6-month survey must go out first
    assert await close_and_freeze_completed() == 0
    await queue_due_invitations()
    assert await close_and_freeze_completed() == 1
    klass = await TrainingClass.get(id=world.klass.id)
    assert klass.status is ClassStatus.CLOSED
    change = await ClassStatusChange.filter(training_class_id=klass.id).order_by("-id").first()
    assert change is not None and (change.reason, change.actor_id) == (AUTO_REASON, None)
    assert await close_and_freeze_completed() == 0  # closed once


async def test_the_worker_waits_for_the_home_visit_owed_to_an_unemployed_trainee(
    client: Client, at: Any
) -> None:
    # 第二十五条: 对于培训后6个月未就业的学员，需组织…家访 — owed before the task even exists
    world = await _following_up(("a", "b"))
    await _employ(world, EmploymentStatus.EMPLOYED, EmploymentStatus.UNEMPLOYED)
    at("2027-05-29 08:00")
    await _serve(client, world, SERVICES, "2027-05-29T07:30:00")
    await queue_due_invitations()
    ready, why = await ready_to_close(world.klass)
    assert not ready and "1项家访未完成" in why
    assert await close_and_freeze_completed() == 0
    visited = world.people[1]
    response = await client.post(
        f"/api/v1/trainees/{visited.trainee.id}/followup-services",
        json={"kind": "home_visit", "served_at": "2027-05-29T07:45:00", "notes": "家访"},
        headers=auth(world.lead_user),
    )
    assert response.status == 201, response.json
    assert await close_and_freeze_completed() == 1


def test_the_closing_job_is_registered_with_a_valid_trigger() -> None:
    # 第二十五条: the worker closes classes whose follow-up is complete
    [spec] = [s for s in REGISTRY if s.name == "close_followed_up_classes"]
    scheduler = AsyncIOScheduler(timezone="Asia/Shanghai")
    scheduler.add_job(spec.func, spec.trigger, id=spec.name, **spec.trigger_args)
    assert spec.func is worker_jobs.close_followed_up_classes


async def test_the_close_route_is_in_the_openapi_document(client: Client) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json
    close = spec["paths"]["/api/v1/classes/{class_id}/close"]["post"]
    ref = close["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert spec["components"]["schemas"][ref]["required"] == ["reason"]
    assert close["security"] == [{"bearer": []}]
    ok = close["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/ClassOut")
