"""Surveys, instructors' services, home visits, tasks and dashboards through the API.

第二十五条: “……为学员提供3次及以上的后续跟踪服务。对于培训后6个月未就业的学员，需组织求职能力
实训师资等进行家访……”
"""

from __future__ import annotations

from typing import Any

from backend.classes.models import ClassStatus
from backend.employment.models import EmploymentStatus
from backend.employment.outcomes import latest_outcomes
from backend.followups.models import FollowupMilestone, Stage
from backend.followups.service import assign_home_visits, start_due_followups
from backend.notifications.models import HumanTask, TaskKind, TaskStatus
from tests.followups.support import World, make_world
from tests.support.client import Client
from tests.support.factories import auth

EMPLOYED = {
    "employment_status": "employed",
    "employer": "福州某科技有限公司",
    "position": "客服专员",
    "start_date": "2026-12-01",
    "satisfaction": 5,
    "help_needed": "",
}
UNEMPLOYED = {"employment_status": "unemployed", "satisfaction": 3, "help_needed": "希望多推荐岗位"}


async def following_up(tags: tuple[str, ...] = ("a", "b"), **kwargs: Any) -> World:
    world = await make_world(tags, **kwargs)
    world.klass.status = ClassStatus.COMPLETED
    await world.klass.save()
    await start_due_followups()
    return world


async def milestone(world: World, n: int, stage: Stage) -> FollowupMilestone:
    return await FollowupMilestone.get(trainee_id=world.people[n].trainee.id, stage=stage)


async def test_a_trainee_sees_milestones_and_answers_when_due(client: Client, at: Any) -> None:
    world = await following_up()
    person = world.people[0]
    at("2026-12-06 10:00")
    response = await client.get("/api/v1/me/followups", headers=person.headers)
    assert response.status == 200
    items = response.json["items"]
    assert [(i["stage"], i["due_date"], i["state"]) for i in items] == [
        ("week_1", "2026-12-06", "open"),
        ("month_3", "2027-02-28", "upcoming"),
        ("month_6", "2027-05-29", "upcoming"),
    ]
    assert items[0]["stage_label"] == "培训后1周"
    week = items[0]["id"]
    response = await client.post(
        f"/api/v1/followups/{week}/survey", json=EMPLOYED, headers=person.headers
    )
    assert response.status == 201, response.json
    assert response.json["employment_record_id"]
    latest = (await latest_outcomes([person.trainee.id]))[person.trainee.id]
    assert (latest.status, latest.employer, latest.source.value) == (
        EmploymentStatus.EMPLOYED,
        "福州某科技有限公司",
        "survey",
    )
    assert latest.training_class_id == world.klass.id
    again = await client.post(
        f"/api/v1/followups/{week}/survey", json=UNEMPLOYED, headers=person.headers
    )
    assert (again.status, again.json["error"]["code"]) == (409, "SURVEY_ALREADY_ANSWERED")
    early = await client.post(
        f"/api/v1/followups/{items[1]['id']}/survey", json=UNEMPLOYED, headers=person.headers
    )
    assert (early.status, early.json["error"]["code"]) == (422, "SURVEY_NOT_DUE")
    other = await client.post(
        f"/api/v1/followups/{week}/survey", json=UNEMPLOYED, headers=world.people[1].headers
    )
    assert other.status == 404
    response = await client.get("/api/v1/me/followups", headers=person.headers)
    assert response.json["items"][0]["state"] == "answered"
    # the trainee's own clock: answered at 10:00 in Fuzhou, not 02:00 "+00:00"
    assert response.json["items"][0]["answered_at"] == "2026-12-06T10:00:00+08:00"


async def test_a_survey_answer_is_validated(client: Client, at: Any) -> None:
    world = await following_up(("a",))
    at("2026-12-06 10:00")
    week = await milestone(world, 0, Stage.WEEK_1)
    headers = world.people[0].headers
    cases = [
        ({**EMPLOYED, "employer": ""}, "EMPLOYER_REQUIRED"),
        ({**EMPLOYED, "start_date": "2027-01-01"}, "START_DATE_IN_FUTURE"),
        ({**EMPLOYED, "satisfaction": 6}, "VALIDATION_FAILED"),
        ({**EMPLOYED, "employment_status": "retired"}, "VALIDATION_FAILED"),
    ]
    for body, code in cases:
        response = await client.post(
            f"/api/v1/followups/{week.id}/survey", json=body, headers=headers
        )
        assert (response.status, response.json["error"]["code"]) == (400, code)
    response = await client.get("/api/v1/me/followups", headers=auth(world.teacher))
    assert response.status == 403


async def test_instructors_log_services_by_stage_and_three_make_a_trainee_compliant(
    client: Client, at: Any
) -> None:
    world = await following_up()
    trainee = world.people[0].trainee.id
    url = f"/api/v1/trainees/{trainee}/followup-services"
    lead = auth(world.lead_user)
    at("2027-06-10 10:00")
    visits = [
        ("phone_call", "2026-12-03T10:00:00"),
        ("job_push", "2027-01-15T09:30:00+08:00"),
        ("individual_guidance", "2027-04-01T15:00:00"),
        ("home_visit", "2027-06-01T10:00:00"),  # after the six months: shown, not counted
    ]
    for kind, when in visits:
        response = await client.post(
            url, json={"kind": kind, "served_at": when, "notes": "了解求职进展"}, headers=lead
        )
        assert response.status == 201, response.json
    assert response.json["stage"] == "after_6_months"
    assert response.json["kind_label"] == "家访"
    response = await client.get(url, headers=auth(world.admin))
    assert [i["stage"] for i in response.json["items"]] == [
        "after_6_months",
        "month_6",
        "month_3",
        "week_1",
    ]
    summary = await client.get(
        f"/api/v1/classes/{world.klass.id}/followup-summary", headers=auth(world.admin)
    )
    assert summary.status == 200
    rows = {r["trainee_id"]: r for r in summary.json["services"]["trainees"]}
    assert rows[trainee]["services"] == 3 and rows[trainee]["compliant"]
    assert rows[trainee]["by_stage"] == {"week_1": 1, "month_3": 1, "month_6": 1}
    assert rows[trainee]["later"] == 1
    assert not rows[world.people[1].trainee.id]["compliant"]
    assert summary.json["services"]["compliant"] == 1


async def test_a_service_must_follow_the_training_and_come_from_the_class(
    client: Client, at: Any
) -> None:
    world = await following_up(("a",))
    trainee = world.people[0].trainee.id
    url = f"/api/v1/trainees/{trainee}/followup-services"
    at("2026-12-10 10:00")
    before = {"kind": "phone_call", "served_at": "2026-11-28T10:00:00"}
    response = await client.post(url, json=before, headers=auth(world.lead_user))
    assert (response.status, response.json["error"]["code"]) == (422, "SERVICE_BEFORE_END")
    future = {"kind": "phone_call", "served_at": "2026-12-11T10:00:00"}
    response = await client.post(url, json=future, headers=auth(world.lead_user))
    assert (response.status, response.json["error"]["code"]) == (400, "SERVICE_IN_FUTURE")
    stranger = await make_world(("x",), district="350103")
    ok = {"kind": "phone_call", "served_at": "2026-12-09T10:00:00"}
    response = await client.post(url, json=ok, headers=auth(stranger.lead_user))
    assert response.status == 404
    response = await client.post(url, json=ok, headers=auth(world.admin))
    assert response.status == 403
    response = await client.post(url, json=ok, headers=auth(world.teacher))
    assert response.status == 201  # the class teacher follows up too (培训机构及讲师)


async def test_unemployed_at_six_months_means_a_home_visit_tracked_to_done(
    client: Client, at: Any
) -> None:
    world = await following_up(("a", "b", "c"))
    answering, silent, studying = world.people
    at("2027-05-29 10:00")
    month_6 = await milestone(world, 0, Stage.MONTH_6)
    response = await client.post(
        f"/api/v1/followups/{month_6.id}/survey", json=UNEMPLOYED, headers=answering.headers
    )
    assert response.status == 201
    task = await HumanTask.get(kind=TaskKind.HOME_VISIT, trainee_id=answering.trainee.id)
    assert (task.assignee_id, task.status) == (world.lead.id, TaskStatus.OPEN)
    assert "一对一" in task.reason
    studying_6 = await milestone(world, 2, Stage.MONTH_6)
    body = {"employment_status": "further_study", "satisfaction": 4}
    await client.post(
        f"/api/v1/followups/{studying_6.id}/survey", json=body, headers=studying.headers
    )
    at("2027-06-05 09:30")  # a week to answer has passed
    assert await assign_home_visits() == 1  # the silent trainee; further study is not unemployment
    assert await assign_home_visits() == 0
    assert await HumanTask.filter(kind=TaskKind.HOME_VISIT).count() == 2
    response = await client.get("/api/v1/tasks?kind=home_visit", headers=auth(world.lead_user))
    assert response.json["total"] == 2
    visit = {
        "kind": "home_visit",
        "served_at": "2027-06-05T09:00:00",
        "outcome": "已上门，推荐3个岗位",
    }
    response = await client.post(
        f"/api/v1/trainees/{answering.trainee.id}/followup-services",
        json=visit,
        headers=auth(world.lead_user),
    )
    assert response.json["task_id"] == task.id
    done = await HumanTask.get(id=task.id)
    assert (done.status, done.note, done.done_by_id) == (
        TaskStatus.DONE,
        "已上门，推荐3个岗位",
        world.lead_user.id,
    )
    other = await HumanTask.get(trainee_id=silent.trainee.id)
    response = await client.post(
        f"/api/v1/tasks/{other.id}/complete",
        json={"note": "电话约访后上门"},
        headers=auth(world.other_user),
    )
    assert response.status == 200 and response.json["status"] == "done"
    again = await client.post(
        f"/api/v1/tasks/{other.id}/complete", json={"note": "再次"}, headers=auth(world.other_user)
    )
    assert again.status == 409


async def test_tasks_are_listed_and_closed_only_within_scope(client: Client, at: Any) -> None:
    world = await following_up(("a",))
    stranger = await following_up(("x",), district="350103")
    at("2027-06-06 10:00")
    await assign_home_visits()
    mine = await HumanTask.get(trainee_id=world.people[0].trainee.id)
    for user in (world.admin, world.teacher, world.hr, world.lead_user):
        response = await client.get("/api/v1/tasks", headers=auth(user))
        assert [t["id"] for t in response.json["items"]] == [mine.id], user.display_name
    response = await client.get("/api/v1/tasks", headers=auth(stranger.admin))
    assert all(t["id"] != mine.id for t in response.json["items"])
    response = await client.post(
        f"/api/v1/tasks/{mine.id}/complete",
        json={"note": "已处理"},
        headers=auth(stranger.lead_user),
    )
    assert response.status == 404
    response = await client.post(
        f"/api/v1/tasks/{mine.id}/complete", json={"note": "已处理"}, headers=auth(world.hr)
    )
    assert response.status == 403  # HR supervises, it does not close the institution's work
    response = await client.get("/api/v1/tasks", headers=world.people[0].headers)
    assert response.status == 403


async def test_overdue_work_is_listed_for_the_institution_and_hr(client: Client, at: Any) -> None:
    world = await following_up(("a", "b"))
    stranger = await following_up(("x",), district="350103")
    at("2027-06-20 10:00")
    await assign_home_visits()  # both trainees: nothing recorded, due 2027-07-04
    week = await milestone(world, 0, Stage.WEEK_1)
    await FollowupMilestone.filter(id=week.id).update(answered_at=week.due_date)
    at("2027-07-10 10:00")
    response = await client.get("/api/v1/followups/overdue?limit=200", headers=auth(world.admin))
    assert response.status == 200
    kinds: dict[str, int] = {}
    for item in response.json["items"]:
        assert item["class_id"] == world.klass.id
        kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
    # 5 unanswered surveys, 2 late home visits, 2 trainees with fewer than 3 services
    assert kinds == {"survey_unanswered": 5, "task_overdue": 2, "services_missing": 2}
    assert response.json["total"] == 9
    hr = await client.get("/api/v1/followups/overdue", headers=auth(world.hr))
    assert hr.json["total"] == 9
    other = await client.get("/api/v1/followups/overdue", headers=auth(stranger.admin))
    assert other.json["total"] == 5  # its own class only
    response = await client.get("/api/v1/followups/overdue", headers=auth(world.lead_user))
    assert response.status == 403


async def test_the_summary_is_for_the_class_in_scope_only(client: Client, at: Any) -> None:
    world = await following_up(("a",))
    stranger = await following_up(("x",), district="350103")
    url = f"/api/v1/classes/{world.klass.id}/followup-summary"
    assert (await client.get(url, headers=auth(world.hr))).status == 200
    assert (await client.get(url, headers=auth(stranger.admin))).status == 404
    assert (await client.get(url, headers=auth(stranger.hr))).status == 404
    assert (await client.get(url, headers=world.people[0].headers)).status == 403
    response = await client.get(url, headers=auth(world.admin))
    assert "就业率" in response.json["employment"]["definition"]
    assert response.json["employment"] == {
        **response.json["employment"],
        "enrolled": 1,
        "employed": 0,
        "rate": "0.0000",
    }


async def test_a_task_of_no_class_is_seen_by_city_wide_hr_only(client: Client, at: Any) -> None:
    from datetime import date

    from backend.accounts.models import Role
    from backend.notifications.tasks import open_task
    from tests.support.factories import make_staff

    world = await following_up(("a",))
    task = await open_task(
        dedupe_key="outbox:0:phone_call",
        kind=TaskKind.PHONE_CALL,
        reason="消息未送达",
        due_date=date(2026, 12, 9),
    )
    city = await make_staff(Role.HR_ADMIN)
    seen = await client.get("/api/v1/tasks", headers=auth(city))
    assert [t["id"] for t in seen.json["items"]] == [task.id]
    for user in (world.hr, world.admin):
        response = await client.get("/api/v1/tasks", headers=auth(user))
        assert response.json["total"] == 0


async def test_the_follow_up_routes_are_in_the_openapi_document(client: Client) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json
    survey = spec["paths"]["/api/v1/followups/{milestone_id}/survey"]["post"]
    ref = survey["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(spec["components"]["schemas"][ref]["required"]) == {
        "employment_status",
        "satisfaction",
    }
    assert survey["security"] == [{"bearer": []}]
    inbox = spec["paths"]["/api/v1/me/inbox"]["get"]
    assert {"unread_only", "offset", "limit"} <= {p["name"] for p in inbox["parameters"]}
    for path in (
        "/api/v1/me/followups",
        "/api/v1/trainees/{trainee_id}/followup-services",
        "/api/v1/classes/{class_id}/followup-summary",
        "/api/v1/me/subscriptions",
        "/api/v1/tasks",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/followups/overdue",
    ):
        assert path in spec["paths"], path
