"""Measures against instructors (第十六条): 谈话提醒, 暂停选派, 取消师资资格, by city-level HR."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.accounts.models import Instructor, InstructorStatus
from backend.classes.models import ClassStatus
from backend.notifications.models import InboxMessage
from backend.registers.models import InstructorAction
from tests.supervision.support import World
from tests.support.factories import make_class, make_instructor


async def act(world: World, instructor_id: int, kind: str, user: Any = None, **extra: Any) -> Any:
    body = {"kind": kind, "reason": "无法胜任教学任务，学员投诉较多", **extra}
    return await world.call(
        "POST", f"/instructors/{instructor_id}/actions", user or world.city_hr, json=body
    )


async def status_of(instructor_id: int) -> InstructorStatus:
    return (await Instructor.get(id=instructor_id)).status


async def test_a_suspended_instructor_cannot_be_assigned_to_a_class(world: World, at: Any) -> None:
    # 第十六条: 暂停选派 — the registry refuses a non-active instructor
    at("2026-11-25 10:00")
    instructor = world.instructors[0][0]
    response = await act(world, instructor.id, "suspend", ground=3, decided_on="2026-11-24")
    assert response.status == 201, response.json
    assert (
        response.json["status_before"] == "active" and response.json["status_after"] == "suspended"
    )
    assert response.json["ground_label"] == "第十六条第（三）项"
    assert await status_of(instructor.id) == InstructorStatus.SUSPENDED
    draft = await make_class(world.inst, status=ClassStatus.DRAFT)
    response = await world.call(
        "PUT",
        f"/classes/{draft.id}/instructors",
        world.admin,
        json={"instructor_ids": [instructor.id, world.instructors[1][0].id]},
    )
    assert response.status == 422
    assert response.json["error"]["code"] == "INSTRUCTOR_NOT_ACTIVE"


async def test_a_suspended_instructor_cannot_be_named_as_a_substitute(
    world: World, at: Any
) -> None:
    # 第十六条 with 第十九条: a substitute must meet the same rules
    at("2026-11-20 10:00")
    substitute, _ = await make_instructor()
    await act(world, substitute.id, "suspend")
    user = world.instructors[0][1]
    session = world.sessions[0].id
    leave = await world.call(
        "POST", f"/sessions/{session}/leave", user, json={"reason": "生病住院"}
    )
    assert leave.status == 201, leave.json
    decision = {"decision": "approve", "substitute_id": substitute.id}
    response = await world.call(
        "POST", f"/leaves/{leave.json['id']}/decision", world.hr, json=decision
    )
    assert response.status == 422
    assert response.json["error"]["code"] == "INSTRUCTOR_NOT_ACTIVE"


async def test_a_talk_reminder_is_recorded_and_leaves_the_standing_alone(
    world: World, at: Any
) -> None:
    # 第十六条: 谈话提醒 is recorded, the instructor keeps teaching
    at("2026-11-25 10:00")
    instructor, user = world.instructors[0]
    response = await act(world, instructor.id, "talk_reminder", ground=1)
    assert response.status == 201
    assert response.json["kind_label"] == "谈话提醒" and response.json["status_after"] == "active"
    assert await status_of(instructor.id) == InstructorStatus.ACTIVE
    response = await world.call("GET", f"/instructors/{instructor.id}/actions", user)
    assert response.status == 200
    assert [(i["kind"], i["decided_on"]) for i in response.json["items"]] == [
        ("talk_reminder", "2026-11-25")
    ]
    inbox = await InboxMessage.filter(user_id=user.id).values_list("title", flat=True)
    assert inbox == ["人社部门处理通知：谈话提醒"]


async def test_a_suspension_ends_with_reinstatement_but_a_revocation_is_final(
    world: World, at: Any
) -> None:
    # 第十六条: 暂停选派 can end, 取消师资资格 cannot
    at("2026-11-25 10:00")
    instructor = world.instructors[0][0].id
    assert (await act(world, instructor, "reinstate")).status == 409  # nothing to end
    assert (await act(world, instructor, "suspend")).status == 201
    again = await act(world, instructor, "suspend")
    assert again.status == 409
    assert again.json["error"]["code"] == "INSTRUCTOR_ACTION_NOT_ALLOWED"
    assert (await act(world, instructor, "reinstate")).status == 201
    assert await status_of(instructor) == InstructorStatus.ACTIVE
    assert (await act(world, instructor, "revoke", ground=2)).status == 201
    assert await status_of(instructor) == InstructorStatus.REVOKED
    for kind in ("reinstate", "suspend", "talk_reminder", "revoke"):
        assert (await act(world, instructor, kind)).status == 409, kind
    response = await world.call("GET", f"/instructors/{instructor}/actions", world.hr)
    kinds = [i["kind"] for i in response.json["items"]]
    assert kinds == ["revoke", "reinstate", "suspend"]


async def test_only_city_level_hr_takes_these_measures(world: World, at: Any) -> None:
    # 第十六条: 由市级人社部门予以谈话提醒、暂停选派、取消师资资格处理
    at("2026-11-25 10:00")
    instructor = world.instructors[0][0].id
    response = await act(world, instructor, "suspend", world.hr)
    assert response.status == 403
    assert response.json["error"]["code"] == "CITY_HR_REQUIRED"
    assert (await act(world, instructor, "suspend", world.admin)).status == 403
    assert (await act(world, 999_999, "suspend")).status == 404
    assert (await act(world, instructor, "suspend", ground=7)).status == 400
    assert (await act(world, instructor, "suspend", reason=" ")).status == 400
    assert (await act(world, instructor, "suspend", decided_on="2026-11-26")).status == 400
    assert await InstructorAction.all().count() == 0
    assert await status_of(instructor) == InstructorStatus.ACTIVE


async def test_an_instructor_reads_own_record_only(world: World, at: Any) -> None:
    at("2026-11-25 10:00")
    colleague = world.instructors[1][0].id
    await act(world, colleague, "talk_reminder")
    path = f"/instructors/{colleague}/actions"
    assert (await world.call("GET", path, world.instructors[0][1])).status == 404
    assert (await world.call("GET", path, world.other_hr)).status == 200
    assert (await world.call("GET", path, world.admin)).status == 403


@pytest.mark.postgres_only
async def test_two_suspensions_at_once_record_one(world: World, at: Any) -> None:
    # 第十六条 under concurrency: the instructor row is locked while the move is checked
    at("2026-11-25 10:00")
    instructor = world.instructors[0][0].id
    responses = await asyncio.gather(*(act(world, instructor, "suspend") for _ in range(3)))
    assert sorted(r.status for r in responses) == [201, 409, 409]
    assert await InstructorAction.filter(instructor_id=instructor).count() == 1
