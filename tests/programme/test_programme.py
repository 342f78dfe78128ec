"""Programme administration (第八条(三)(四), 第十一、十三、二十六条) through the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from backend import clock
from backend.accounts.models import Instructor, Role, User
from backend.classes.models import ClassStatus, StaffDuty
from backend.notifications.models import Channel, OutboxMessage
from backend.programme.models import CertificationCandidate
from tests.support.client import Client
from tests.support.factories import (
    add_staff,
    assign_instructor,
    auth,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_staff,
    make_trainee,
    make_user,
)

INTAKE = {
    "education_level": "本科",
    "knowledge_level": 2,
    "desired_occupations": ["行政办公人员"],
    "intention": "希望在鼓楼区找行政类工作",
    "obstacles": ["no_experience", "interview_skills"],
    "special_needs": [],
}


@pytest.fixture(autouse=True)
def november_28() -> Iterator[None]:
    clock.set_clock(lambda: datetime(2026, 11, 28, 4, 0, tzinfo=UTC))
    yield
    clock.set_clock(None)


async def _class_with_people() -> dict[str, Any]:
    inst = await make_institution()
    klass = await make_class(inst, start=date(2026, 12, 21), status=ClassStatus.APPROVED)
    trainee_user = await make_user()
    trainee = await make_trainee("林一", user=trainee_user)
    await enrol(klass, trainee)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    instructor, instructor_user = await make_instructor()
    await assign_instructor(klass, instructor)
    return {
        "inst": inst,
        "klass": klass,
        "trainee": trainee,
        "trainee_user": trainee_user,
        "teacher": teacher,
        "instructor": instructor,
        "instructor_user": instructor_user,
    }


async def test_intake_summary_is_visible_to_the_class_instructors_and_not_to_others(
    client: Client,
) -> None:
    # 第八条(四): 培训机构和讲师应对学员信息进行分析和简短面试，
    # 了解其知识能力水平、求职意向及特殊需求
    w = await _class_with_people()
    body = {
        **INTAKE,
        "special_needs": ["caring_duties"],
        "special_needs_note": "需接送孩子，下午4点前离开",
    }
    response = await client.put(
        f"/api/v1/me/intake/{w['klass'].id}", json=body, headers=auth(w["trainee_user"])
    )
    assert response.status == 200, response.json
    note = {"trainee_id": w["trainee"].id, "note": "表达清晰，缺乏面试经验"}
    response = await client.post(
        f"/api/v1/classes/{w['klass'].id}/interview-notes",
        json=note,
        headers=auth(w["instructor_user"]),
    )
    assert response.status == 201, response.json
    response = await client.get(
        f"/api/v1/classes/{w['klass'].id}/intake-summary", headers=auth(w["instructor_user"])
    )
    assert response.status == 200
    summary = response.json
    assert (summary["enrolled"], summary["answered"]) == (1, 1)
    assert summary["desired_occupations"] == [["行政办公人员", 1]]
    assert summary["special_needs"][0]["needs"] == ["需照护家人"]
    assert summary["interview_notes"][0]["note"] == "表达清晰，缺乏面试经验"
    _, other_user = await make_instructor()
    response = await client.get(
        f"/api/v1/classes/{w['klass'].id}/intake-summary", headers=auth(other_user)
    )
    assert response.status == 404


async def test_flagged_special_needs_reach_the_class_teacher(client: Client) -> None:
    w = await _class_with_people()
    body = {**INTAKE, "special_needs": ["disability"]}
    await client.put(
        f"/api/v1/me/intake/{w['klass'].id}", json=body, headers=auth(w["trainee_user"])
    )
    message = await OutboxMessage.get(user_id=w["teacher"].id)
    assert message.channel == Channel.INBOX
    assert "残疾" in message.payload["body"]
    await client.put(
        f"/api/v1/me/intake/{w['klass'].id}", json=body, headers=auth(w["trainee_user"])
    )
    assert await OutboxMessage.filter(user_id=w["teacher"].id).count() == 1  # not told twice


async def test_intake_closes_when_the_class_starts(client: Client) -> None:
    w = await _class_with_people()
    clock.set_clock(lambda: datetime(2026, 12, 21, 2, 0, tzinfo=UTC))
    response = await client.put(
        f"/api/v1/me/intake/{w['klass'].id}", json=INTAKE, headers=auth(w["trainee_user"])
    )
    assert response.status == 422
    assert response.json["error"]["code"] == "INTAKE_CLOSED"


async def test_plan_versus_actual_counts_the_classes_in_the_database(client: Client) -> None:
    # 第八条(三): 培训机构应制定本机构年度、月度培训计划
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    hr = await make_staff(Role.HR_ADMIN)
    annual = {
        "year": 2026,
        "classes_planned": 12,
        "trainees_planned": 480,
        "districts": ["350102"],
        "budget": "720000.00",
    }
    response = await client.put(
        f"/api/v1/institutions/{inst.id}/training-plans", json=annual, headers=auth(admin)
    )
    assert response.status == 200, response.json
    december = {
        **annual,
        "month": 12,
        "classes_planned": 2,
        "trainees_planned": 80,
        "budget": "120000",
    }
    response = await client.put(
        f"/api/v1/institutions/{inst.id}/training-plans", json=december, headers=auth(admin)
    )
    plan_id = response.json["id"]
    assert (
        await client.post(f"/api/v1/training-plans/{plan_id}/submit", headers=auth(admin))
    ).status == 200
    response = await client.put(
        f"/api/v1/institutions/{inst.id}/training-plans", json=december, headers=auth(admin)
    )
    assert response.json["error"]["code"] == "PLAN_ALREADY_SUBMITTED"
    counted = await make_class(inst, start=date(2026, 12, 7), status=ClassStatus.COMPLETED)
    for n in range(3):
        await enrol(counted, await make_trainee(f"学员{n}"))
    await make_class(inst, start=date(2026, 12, 14), status=ClassStatus.REJECTED)  # not counted
    await make_class(inst, start=date(2026, 11, 9), status=ClassStatus.CLOSED)
    response = await client.get(
        f"/api/v1/institutions/{inst.id}/plan-vs-actual?year=2026", headers=auth(hr)
    )
    assert response.status == 200, response.json
    rows = {r["month"]: r for r in response.json["rows"]}
    assert rows[None]["planned_classes"] == 12 and rows[None]["actual"] == {
        "classes": 2,
        "trainees": 3,
    }
    assert rows[12]["planned_classes"] == 2 and rows[12]["actual"] == {"classes": 1, "trainees": 3}
    assert rows[12]["status"] == "submitted"
    other_admin = await make_staff(Role.INSTITUTION_ADMIN, institution=await make_institution())
    response = await client.get(
        f"/api/v1/institutions/{inst.id}/plan-vs-actual?year=2026", headers=auth(other_admin)
    )
    assert response.status == 404


async def test_an_instructor_is_certified_only_through_the_recorded_steps(client: Client) -> None:
    # 第十一条 面试筛选; 第十三条 考核合格, 1次及以上跟班观摩学习,
    # 提交《跟班观摩学习记录表》, 核发证书
    hr = await make_staff(Role.HR_ADMIN)
    candidate_user = await make_user("吴老师")
    w = await _class_with_people()
    from backend.classes.models import ClassInstructor

    await ClassInstructor.filter(training_class_id=w["klass"].id).update(is_lead=True)
    response = await client.post(
        "/api/v1/certification/candidates",
        json={"name": "吴老师", "background": "公共就业服务机构", "user_id": candidate_user.id},
        headers=auth(hr),
    )
    cid = response.json["id"]
    base = f"/api/v1/certification/candidates/{cid}"
    response = await client.post(f"{base}/assessment", json={"score": "85"}, headers=auth(hr))
    assert response.json["error"]["code"] == "SCREENING_NOT_PASSED"
    await client.post(
        f"{base}/screening", json={"passed": True, "note": "热爱求职实训"}, headers=auth(hr)
    )
    await client.post(f"{base}/assessment", json={"score": "85"}, headers=auth(hr))
    response = await client.post(
        f"{base}/application", json={"materials": ["申请表"]}, headers=auth(hr)
    )
    assert response.status == 422
    assert response.json["error"]["code"] == "OBSERVATION_REQUIRED"
    assert "跟班观摩" in response.json["error"]["message"]
    observation = {
        "class_id": w["klass"].id,
        "start_date": "2026-11-23",
        "end_date": "2026-11-29",
        "observed": "观摩破冰、模拟面试与点评环节",
    }
    response = await client.post(f"{base}/observations", json=observation, headers=auth(hr))
    obs_id = response.json["id"]
    response = await client.post(
        f"{base}/application", json={"materials": ["申请表"]}, headers=auth(hr)
    )
    assert response.json["error"]["code"] == "OBSERVATION_REQUIRED"  # not signed yet
    _, outsider = await make_instructor()
    response = await client.post(
        f"/api/v1/certification/observations/{obs_id}/sign-off", headers=auth(outsider)
    )
    assert response.json["error"]["code"] == "NOT_LEAD_INSTRUCTOR"
    response = await client.post(
        f"/api/v1/certification/observations/{obs_id}/sign-off", headers=auth(w["instructor_user"])
    )
    assert response.status == 200, response.json
    response = await client.post(
        f"{base}/application",
        json={"materials": ["申请表", "跟班观摩学习记录表"]},
        headers=auth(hr),
    )
    assert response.status == 201, response.json
    response = await client.post(
        f"/api/v1/certification/applications/{response.json['id']}/decision",
        json={"decision": "approve"},
        headers=auth(hr),
    )
    assert response.status == 200, response.json
    number = response.json["certificate_no"]
    assert number.startswith("FZQZSX-2026-")
    instructor = await Instructor.get(certificate_no=number)
    assert instructor.user_id == candidate_user.id and instructor.status.value == "active"
    assert (await CertificationCandidate.get(id=cid)).instructor_id == instructor.id
    me = await client.get("/api/v1/me", headers=auth(await User.get(id=candidate_user.id)))
    assert "instructor" in me.json["roles"]


async def test_a_case_without_consent_cannot_be_published(client: Client) -> None:
    # 第二十六条: 典型案例收集 — published only with the trainee's consent, anonymised by default
    w = await _class_with_people()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=w["inst"])
    hr = await make_staff(Role.HR_ADMIN)
    body = {
        "trainee_id": w["trainee"].id,
        "title": "从迷茫到入职行政岗",
        "story": "参加实训后明确了求职方向，模拟面试中反复练习，两周后入职鼓楼区某企业行政岗。",
        "occupation": "行政办公人员",
    }
    response = await client.post("/api/v1/typical-cases", json=body, headers=auth(admin))
    assert response.status == 201, response.json
    case_id = response.json["id"]
    response = await client.post(f"/api/v1/typical-cases/{case_id}/publish", headers=auth(admin))
    assert response.status == 422
    assert response.json["error"]["code"] == "CONSENT_REQUIRED"
    response = await client.post(
        f"/api/v1/typical-cases/{case_id}/consent",
        json={"evidence": "同意书编号 TY-2026-001"},
        headers=auth(admin),
    )
    assert response.status == 200
    assert (
        await client.post(f"/api/v1/typical-cases/{case_id}/publish", headers=auth(admin))
    ).status == 200
    listing = await client.get("/api/v1/typical-cases", headers=auth(hr))
    assert listing.json["items"][0]["trainee"] == "林*"
    export = await client.get("/api/v1/typical-cases.xlsx", headers=auth(hr))
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.body)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["编号", "标题", "学员"]
    assert sheet.cell(row=2, column=3).value == "林*"


async def test_intake_intentions_seed_the_job_profile_once(client: Client) -> None:
    # 第八条(四) 求职意向 → the job-seeking profile (never overwriting the trainee's own)
    from backend.employment.models import JobProfile

    w = await _class_with_people()
    await client.put(
        f"/api/v1/me/intake/{w['klass'].id}", json=INTAKE, headers=auth(w["trainee_user"])
    )
    profile = await JobProfile.get(trainee_id=w["trainee"].id)
    assert "行政办公人员" in profile.intention and "鼓楼区" in profile.intention
    profile.intention = "学员自己改过的意向"
    await profile.save()
    await client.put(
        f"/api/v1/me/intake/{w['klass'].id}", json=INTAKE, headers=auth(w["trainee_user"])
    )
    assert (await JobProfile.get(trainee_id=w["trainee"].id)).intention == "学员自己改过的意向"
