"""The work queue and the lists behind it, over HTTP: scope, filters, paging, items that go away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from backend.classes.models import ClassStatus
from backend.programme.models import CertificationCandidate, ObservationRecord, Screening
from tests.support.client import Client
from tests.support.factories import auth, make_instructor, make_user
from tests.workqueue.support import make_place, messages_to, subjects

At = Callable[[str], Any]


EMPTY_QUEUE = {"items": [], "counts": {}, "total": 0, "limit": 0, "offset": 0}


async def _get(client: Client, path: str, user: Any) -> Any:
    response = await client.get(f"/api/v1{path}", headers=auth(user))
    assert response.status == 200, (path, response.json)
    return response.json


async def _post(client: Client, path: str, user: Any, body: Any) -> Any:
    response = await client.post(f"/api/v1{path}", json=body, headers=auth(user))
    assert response.status < 300, (path, response.json)
    return response.json


async def test_a_leave_request_reaches_hr_its_list_and_queue_until_decided(
    client: Client, at: At
) -> None:
    # 第十九条: 需提前向人社部门请假，并安排其他老师授课
    at("2026-12-15 10:00")
    place = await make_place()
    session = place.sessions[0]
    leave = await _post(
        client, f"/sessions/{session.id}/leave", place.lead_user, {"reason": "参加省里培训"}
    )
    assert await subjects(place.hr) == ["讲师请假待审批"]
    assert await subjects(place.other_hr) == []
    listed = await _get(client, "/leaves?status=requested", place.hr)
    assert (listed["total"], listed["limit"], listed["offset"]) == (1, 20, 0)
    [item] = listed["items"]
    assert (item["id"], item["instructor_name"], item["class_id"]) == (
        leave["id"],
        place.lead.name,
        place.klass.id,
    )
    assert (await _get(client, "/leaves", place.other_hr))["total"] == 0  # another district
    assert (await _get(client, "/leaves", place.lead_user))["total"] == 1  # one's own
    assert (await _get(client, "/leaves", place.other_user))["total"] == 0
    assert (await _get(client, f"/leaves?class_id={place.klass.id + 1}", place.hr))["total"] == 0
    queue = await _get(client, "/me/work-queue", place.hr)
    # the approved class also owes its advance (第二十四条): two kinds of work
    assert queue["counts"] == {"leave_request": 1, "advance_payment": 1}
    [item] = [i for i in queue["items"] if i["kind"] == "leave_request"]
    assert (item["object_type"], item["object_id"], item["deadline"]) == (
        "leave",
        leave["id"],
        "2026-12-21",
    )
    assert item["link"] == f"/api/v1/leaves?status=requested&class_id={place.klass.id}"
    substitute, substitute_user = await make_instructor()
    await _post(
        client,
        f"/leaves/{leave['id']}/decision",
        place.hr,
        {"decision": "approve", "substitute_id": substitute.id},
    )
    assert (await _get(client, "/me/work-queue", place.hr))["counts"] == {"advance_payment": 1}
    assert await subjects(place.lead_user) == ["请假已批准"]
    assert await subjects(place.teacher) == ["请假已批准"]
    assert substitute_user is not None and await subjects(substitute_user) == ["请假已批准"]
    [told] = await messages_to(substitute_user)
    assert "人社部门安排您代" in told.payload["data"]["thing2"]
    assert (await _get(client, "/leaves?status=requested", place.hr))["total"] == 0
    assert (await _get(client, "/leaves?status=approved&limit=1", place.hr))["total"] == 1


async def test_certification_applications_are_listed_and_the_applicant_hears_the_decision(
    client: Client,
) -> None:
    # 第十三条: 经人社部门审核通过后颁发师资证书 — a city-level act
    place = await make_place(status=ClassStatus.DRAFT)
    applicant = await make_user("候选人甲")
    candidate = await CertificationCandidate.create(
        name="候选人甲",
        user_id=applicant.id,
        screening=Screening.PASSED,
        assessment_score=Decimal("80"),
        assessment_passed=True,
    )
    await ObservationRecord.create(
        candidate=candidate,
        training_class=place.klass,
        start_date=place.klass.start_date,
        end_date=place.klass.end_date,
        observed="跟班观摩",
        signed_off_by=place.lead,
        signed_off_at=place.sessions[0].ends_at,
    )
    application = await _post(
        client,
        f"/certification/candidates/{candidate.id}/application",
        place.city_hr,
        {"materials": ["申请表", "观摩记录表"]},
    )
    assert await subjects(place.city_hr) == ["师资认证申请待审核"]
    assert await subjects(place.hr) == []  # district HR does not decide certification
    page = await _get(client, "/certification/applications?status=submitted", place.city_hr)
    assert page["total"] == 1 and page["items"][0]["candidate_name"] == "候选人甲"
    queue = await _get(client, "/me/work-queue", place.city_hr)
    assert queue["counts"] == {"certification_application": 1}
    assert (await _get(client, "/me/work-queue", place.hr))["counts"] == {}
    decided = await _post(
        client,
        f"/certification/applications/{application['id']}/decision",
        place.city_hr,
        {"decision": "approve"},
    )
    assert await subjects(applicant) == ["师资认证已通过"]
    [message] = await messages_to(applicant)
    assert decided["certificate_no"] in message.payload["data"]["thing2"]
    assert (await _get(client, "/me/work-queue", place.city_hr))["counts"] == {}
    assert (await _get(client, "/certification/applications?status=approved", place.city_hr))[
        "total"
    ] == 1


async def test_the_queue_is_ordered_by_deadline_with_the_18th_article_countdown(
    client: Client, at: At
) -> None:
    at("2026-12-01 10:00")
    soon = await make_place(status=ClassStatus.SUBMITTED)  # starts 21 Dec: review by 16 Dec
    later = await make_place(status=ClassStatus.SUBMITTED, start=date(2026, 12, 28))
    city_hr = soon.city_hr
    queue = await _get(client, "/me/work-queue", city_hr)
    assert [(i["class_id"], i["deadline"], i["days_left"]) for i in queue["items"]] == [
        (soon.klass.id, "2026-12-16", 11),
        (later.klass.id, "2026-12-23", 16),
    ]
    assert queue["counts"] == {"plan_review": 2}
    assert all(i["title"].startswith("审核培训方案《") for i in queue["items"])
    # district HR sees only its district's plans (both are 鼓楼 here, each with its own HR)
    assert [i["class_id"] for i in (await _get(client, "/me/work-queue", soon.hr))["items"]] == [
        soon.klass.id,
        later.klass.id,
    ]
    await _post(
        client,
        f"/classes/{soon.klass.id}/review",
        soon.hr,
        {"decision": "reject", "reason": "课程安排不完整"},
    )
    queue = await _get(client, "/me/work-queue", city_hr)
    assert [i["class_id"] for i in queue["items"]] == [later.klass.id]
    # the rejected plan is the institution's to fix before its own deadline (7 December)
    admin_queue = await _get(client, "/me/work-queue", soon.admin)
    [item] = admin_queue["items"]
    assert (item["kind"], item["deadline"], item["days_left"]) == ("plan_rejected", "2026-12-07", 4)
    assert await subjects(soon.admin) == ["培训方案被驳回"]


async def test_a_deadline_in_a_year_without_calendar_data_has_no_countdown(
    client: Client, at: At
) -> None:
    at("2026-12-20 10:00")
    place = await make_place(status=ClassStatus.DRAFT, start=date(2027, 3, 1))
    [item] = (await _get(client, "/me/work-queue", place.admin))["items"]
    assert (item["kind"], item["deadline"], item["days_left"]) == ("plan_draft", None, None)


async def test_a_trainee_has_an_empty_queue_and_no_role_is_refused(client: Client) -> None:
    place = await make_place()
    assert await _get(client, "/me/work-queue", place.users[0]) == EMPTY_QUEUE
    response = await client.get("/api/v1/me/work-queue", headers=auth(await make_user()))
    assert response.status == 403


async def test_a_home_visit_past_its_day_is_overdue_without_a_working_day_countdown(
    client: Client, at: At
) -> None:
    from backend.notifications.models import HumanTask, TaskKind

    place = await make_place(status=ClassStatus.FOLLOWING_UP)
    await HumanTask.create(
        dedupe_key="test:visit",
        kind=TaskKind.HOME_VISIT,
        trainee=place.trainees[0],
        training_class=place.klass,
        assignee=place.lead,
        reason="6个月未就业",
        due_date=date(2026, 12, 10),
    )
    at("2026-12-11 10:00")
    [item] = (await _get(client, "/me/work-queue", place.lead_user))["items"]
    assert (item["kind"], item["overdue"], item["days_left"]) == ("home_visit", True, None)
    assert item["title"] == "家访学员0" and item["article"] == "第二十五条"
