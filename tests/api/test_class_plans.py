"""Class plans through the API: the rules of 第十八、十九、二十条 and the lifecycle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from backend import clock
from backend.accounts.models import InstructorStatus, Role, User
from backend.classes.models import ClassStatus, TrainingClass
from backend.security.idcard import make_id_number
from tests.support.client import Client
from tests.support.factories import auth, make_institution, make_instructor, make_staff

START = date(2026, 12, 21)  # a Monday; 10 working days before it is 2026-12-07


@pytest.fixture
def at() -> Iterator[Any]:
    """Set the clock to a Shanghai-local moment: at("2026-12-01 09:00")."""

    def move(moment: str) -> None:
        local = datetime.fromisoformat(moment).replace(tzinfo=clock.SHANGHAI)
        clock.set_clock(lambda: local.astimezone(UTC))

    yield move
    clock.set_clock(None)


class Plan:
    """An institution, its admin and staff, instructors, and helpers to build a plan via the API."""

    def __init__(self, client: Client) -> None:
        self.client = client

    async def setup(self, district: str = "350102") -> Plan:
        self.inst = await make_institution(district)
        self.admin = await make_staff(Role.INSTITUTION_ADMIN, institution=self.inst)
        self.teacher = await make_staff(Role.CLASS_TEACHER, institution=self.inst)
        self.staff = await make_staff(Role.STAFF, institution=self.inst)
        self.instructors = [(await make_instructor())[0] for _ in range(3)]
        self.hr = await make_staff(Role.HR_ADMIN, district_code=district)
        return self

    async def call(self, method: str, path: str, user: User | None = None, **kwargs: Any) -> Any:
        headers = auth(user or self.admin)
        response = await self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
        return response

    async def draft(self, start: date = START, days: int = 7, **extra: Any) -> int:
        body = {
            "institution_id": self.inst.id,
            "title": "求职能力实训学员班（测试）",
            "district_code": self.inst.district_code,
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=days - 1)).isoformat(),
            "contract_amount": "45000.00",
            **extra,
        }
        response = await self.call("POST", "/classes", json=body)
        assert response.status == 201, response.json
        return int(response.json["id"])

    async def complete(
        self,
        class_id: int,
        start: date = START,
        days: int = 7,
        instructors: int = 2,
        trainees: int = 3,
    ) -> None:
        ids = [i.id for i in self.instructors[:instructors]]
        response = await self.call(
            "PUT", f"/classes/{class_id}/instructors", json={"instructor_ids": ids}
        )
        assert response.status == 200, response.json
        staff = {
            "team_lead": self.admin.id,
            "class_teacher": self.teacher.id,
            "staff": self.staff.id,
        }
        response = await self.call("PUT", f"/classes/{class_id}/staff", json=staff)
        assert response.status == 200, response.json
        sessions = [
            {
                "date": (start + timedelta(days=d)).isoformat(),
                "start": "09:00",
                "end": "12:00",
                "topic": f"第{d + 1}天课程",
                "room": "301",
                "instructor_ids": [ids[d % len(ids)]],
            }
            for d in range(days)
        ]
        response = await self.call(
            "POST", f"/classes/{class_id}/sessions", json={"sessions": sessions}
        )
        assert response.status == 201, response.json
        rows = [
            {
                "name": f"学员{chr(0x4E00 + n)}",
                "phone": f"1390000{class_id:02d}{n:02d}",
                "id_number": make_id_number("350102", date(2001, 1 + n, 2), class_id * 10 + n),
                "category": "unemployed_graduate",
            }
            for n in range(trainees)
        ]
        response = await self.call("POST", f"/classes/{class_id}/roster", json={"rows": rows})
        assert response.status == 201, response.json


@pytest.fixture
async def plan(client: Client) -> Plan:
    return await Plan(client).setup()


async def test_a_valid_plan_goes_from_draft_to_completed(plan: Plan, at: Any) -> None:
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.status == 200, response.json
    assert response.json["status"] == "submitted"
    assert response.json["submission_deadline"] == "2026-12-07"
    assert response.json["review_deadline"] == "2026-12-16"
    at("2026-12-10 15:00")
    response = await plan.call(
        "POST", f"/classes/{class_id}/review", plan.hr, json={"decision": "approve"}
    )
    assert response.status == 200, response.json
    assert response.json["status"] == "approved"
    at("2026-12-21 08:00")  # the start day: the class is in progress when read
    response = await plan.call("GET", f"/classes/{class_id}")
    assert response.json["status"] == "in_progress"
    at("2026-12-27 12:30")  # after the last session
    response = await plan.call("GET", f"/classes/{class_id}", plan.teacher)
    assert response.json["status"] == "completed"
    steps = [(h["from"], h["to"]) for h in response.json["history"]]
    assert steps == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("approved", "in_progress"),
        ("in_progress", "completed"),
    ]
    assert response.json["history"][2]["actor_id"] == plan.hr.id


async def test_plan_submitted_later_than_10_working_days_before_start_is_refused(
    plan: Plan, at: Any
) -> None:
    # 第十八条: 培训机构应在开班日前10个工作日向人社部门申报培训方案
    at("2026-12-08 09:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.status == 422
    assert response.json["error"]["code"] == "PLAN_SUBMITTED_TOO_LATE"
    assert "2026-12-07" in response.json["error"]["message"]
    assert response.json["error"]["details"]["article"] == "第十八条"


async def test_plan_submitted_on_the_deadline_day_is_in_time(plan: Plan, at: Any) -> None:
    at("2026-12-07 17:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.status == 200, response.json


async def test_hr_cannot_approve_after_the_review_deadline(plan: Plan, at: Any) -> None:
    # 第十八条: 人社部门应在计划开班前3个工作日内完成审核
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    await plan.call("POST", f"/classes/{class_id}/submit")
    at("2026-12-17 09:00")
    response = await plan.call(
        "POST", f"/classes/{class_id}/review", plan.hr, json={"decision": "approve"}
    )
    assert response.status == 422
    error = response.json["error"]
    assert error["code"] == "REVIEW_DEADLINE_PASSED"
    assert error["details"]["violations"][0]["deadline"] == "2026-12-16"
    response = await plan.call(
        "POST",
        f"/classes/{class_id}/review",
        plan.hr,
        json={"decision": "reject", "reason": "逾期未审"},
    )
    assert response.json["status"] == "rejected"


@pytest.mark.parametrize(("instructors", "code"), [(1, "INSTRUCTOR_COUNT")])
async def test_fewer_than_two_instructors_is_refused(
    plan: Plan, at: Any, instructors: int, code: str
) -> None:
    # 第十九条: 每期学员班配备2-4名授课讲师
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id, instructors=instructors)
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.json["error"]["code"] == code
    assert "第十九条" in response.json["error"]["message"]


async def test_more_than_four_instructors_cannot_be_assigned(plan: Plan) -> None:
    # 第十九条: 每期学员班配备2-4名授课讲师
    class_id = await plan.draft()
    extra = [(await make_instructor())[0].id for _ in range(2)]
    ids = [i.id for i in plan.instructors] + extra
    response = await plan.call(
        "PUT", f"/classes/{class_id}/instructors", json={"instructor_ids": ids}
    )
    assert response.status == 422  # the 第十九条 rule answers, not a generic "条目过多"
    assert response.json["error"]["code"] == "INSTRUCTOR_COUNT"


async def test_missing_staff_duty_is_refused(plan: Plan, at: Any) -> None:
    # 第二十条: 每个培训班应安排团队负责人、专职班主任、工作人员各1名
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    klass = await TrainingClass.get(id=class_id)
    from backend.classes.models import ClassStaff, StaffDuty

    await ClassStaff.filter(training_class_id=klass.id, duty=StaffDuty.STAFF).delete()
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.json["error"]["code"] == "STAFF_INCOMPLETE"
    assert "工作人员" in response.json["error"]["message"]


async def test_a_class_of_other_than_7_days_needs_a_reason(plan: Plan, at: Any) -> None:
    # 第二十条: 培训周期原则上为7天
    at("2026-12-01 10:00")
    class_id = await plan.draft(days=5)
    await plan.complete(class_id, days=5)
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.json["error"]["code"] == "CLASS_LENGTH_NEEDS_REASON"
    await plan.call(
        "PATCH", f"/classes/{class_id}", json={"length_reason": "场地仅可使用5天，课时集中安排"}
    )
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.status == 200, response.json


async def test_session_outside_the_class_dates_is_refused(plan: Plan, at: Any) -> None:
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    late = {
        "date": "2026-12-30",
        "start": "09:00",
        "end": "10:00",
        "topic": "补课",
        "instructor_ids": [plan.instructors[0].id],
    }
    await plan.call("POST", f"/classes/{class_id}/sessions", json={"sessions": [late]})
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.json["error"]["code"] == "SESSION_OUTSIDE_CLASS_DATES"


async def test_suspended_instructor_cannot_be_assigned(plan: Plan) -> None:
    # 第十六条: 暂停选派
    class_id = await plan.draft()
    city_hr = await make_staff(Role.HR_ADMIN)
    response = await plan.call(
        "POST",
        f"/instructors/{plan.instructors[0].id}/actions",
        city_hr,
        json={"kind": "suspend", "reason": "上一年度累计三次拒不接受调配", "ground": 4},
    )
    assert response.status == 201, response.json
    ids = [i.id for i in plan.instructors[:2]]
    response = await plan.call(
        "PUT", f"/classes/{class_id}/instructors", json={"instructor_ids": ids}
    )
    assert response.status == 422
    assert response.json["error"]["code"] == "INSTRUCTOR_NOT_ACTIVE"


async def test_instructor_suspended_after_assignment_blocks_submission(plan: Plan, at: Any) -> None:
    # 第十三、十六条: checked again at submission, not only at assignment
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    plan.instructors[1].status = InstructorStatus.REVOKED
    await plan.instructors[1].save()
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.json["error"]["code"] == "INSTRUCTOR_NOT_ACTIVE"


async def test_instructor_on_overlapping_sessions_of_two_institutions_is_refused(
    client: Client, at: Any
) -> None:
    # 第十九条: 已被安排授课的老师同一时间段不能参加不同培训场次的授课任务
    at("2026-12-01 10:00")
    first, second = await Plan(client).setup(), await Plan(client).setup("350104")
    second.instructors[0] = first.instructors[0]  # the same person teaches for both
    a, b = await first.draft(), await second.draft()
    await first.complete(a)
    await second.complete(b)
    assert (await first.call("POST", f"/classes/{a}/submit")).status == 200
    response = await second.call("POST", f"/classes/{b}/submit")
    assert response.status == 422
    assert response.json["error"]["code"] == "INSTRUCTOR_TIME_CONFLICT"
    assert first.instructors[0].name in response.json["error"]["message"]


async def test_a_rejected_plan_frees_its_instructor_for_others(client: Client, at: Any) -> None:
    at("2026-12-01 10:00")
    first, second = await Plan(client).setup(), await Plan(client).setup()
    second.instructors[0] = first.instructors[0]
    a, b = await first.draft(), await second.draft()
    await first.complete(a)
    await second.complete(b)
    await first.call("POST", f"/classes/{a}/submit")
    await first.call(
        "POST", f"/classes/{a}/review", first.hr, json={"decision": "reject", "reason": "材料不全"}
    )
    assert (await second.call("POST", f"/classes/{b}/submit")).status == 200


async def test_a_draft_books_nobody(client: Client, at: Any) -> None:
    at("2026-12-01 10:00")
    first, second = await Plan(client).setup(), await Plan(client).setup()
    second.instructors[0] = first.instructors[0]
    a, b = await first.draft(), await second.draft()
    await first.complete(a)
    await second.complete(b)
    assert (await second.call("POST", f"/classes/{b}/submit")).status == 200
    response = await first.call("POST", f"/classes/{a}/submit")
    assert response.json["error"]["code"] == "INSTRUCTOR_TIME_CONFLICT"


async def test_submitted_plan_cannot_be_edited_until_withdrawn(plan: Plan, at: Any) -> None:
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    await plan.call("POST", f"/classes/{class_id}/submit")
    response = await plan.call("PATCH", f"/classes/{class_id}", json={"title": "改名后的学员班"})
    assert response.status == 409
    assert response.json["error"]["code"] == "PLAN_LOCKED"
    response = await plan.call("POST", f"/classes/{class_id}/withdraw", json={"reason": "调整课程"})
    assert response.json["status"] == "draft"
    response = await plan.call("PATCH", f"/classes/{class_id}", json={"title": "改名后的学员班"})
    assert response.status == 200


async def test_roster_reports_every_bad_row_and_imports_nothing(plan: Plan) -> None:
    class_id = await plan.draft()
    good = make_id_number("350102", date(2002, 3, 4), 11)
    rows = [
        {
            "name": "王一",
            "id_number": good,
            "phone": "13900000001",
            "category": "unemployed_graduate",
        },
        {"name": "", "id_number": good[:-1] + "0", "phone": "123", "category": "外星人"},
        {"name": "李三", "id_number": good, "phone": "13900000003", "category": "veteran"},
    ]
    response = await plan.call("POST", f"/classes/{class_id}/roster", json={"rows": rows})
    assert response.status == 400
    error = response.json["error"]
    assert error["code"] == "ROSTER_INVALID"
    problems = {(p["row"], p["column"]) for p in error["details"]["problems"]}
    assert {
        (2, "姓名"),
        (2, "身份证号码"),
        (2, "手机号码"),
        (2, "人员类别"),
        (3, "身份证号码"),
    } <= problems
    assert good not in response.text
    assert (await plan.call("GET", f"/classes/{class_id}")).json["enrolled"] == 0


async def test_trainee_already_in_another_active_class_is_reported(plan: Plan) -> None:
    first, second = await plan.draft(), await plan.draft()
    row = {
        "name": "赵四",
        "id_number": make_id_number("350102", date(2000, 7, 7), 21),
        "phone": "13900000004",
        "category": "veteran",
    }
    assert (await plan.call("POST", f"/classes/{first}/roster", json={"rows": [row]})).status == 201
    response = await plan.call("POST", f"/classes/{second}/roster", json={"rows": [row]})
    assert response.status == 400
    assert "已报名其他在读培训班" in response.text


async def test_roster_xlsx_from_the_template_imports_and_trainees_can_bind(plan: Plan) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    response = await plan.call("GET", "/classes/roster-template.xlsx")
    assert response.status == 200
    book = load_workbook(BytesIO(response.body))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert "姓名*" in headers and "身份证号码*" in headers
    id_number = make_id_number("350104", date(1999, 9, 9), 31)
    values = {
        "姓名*": "钱五",
        "身份证号码*": id_number,
        "手机号码*": "13900000005",
        "人员类别*": "退役军人",
    }
    sheet.append([values.get(h) for h in headers])
    out = BytesIO()
    book.save(out)
    class_id = await plan.draft()
    response = await plan.client.post(
        f"/api/v1/classes/{class_id}/roster",
        headers=auth(plan.admin),
        files={"file": ("花名册.xlsx", out.getvalue(), "application/octet-stream")},
    )
    assert response.status == 201, response.json
    assert response.json["imported"] == 1
    from tests.support.factories import make_user

    user = await make_user(phone="13900000005")  # the roster's phone, from getPhoneNumber
    response = await plan.client.post(
        "/api/v1/auth/bind-trainee",
        json={"name": "钱五", "id_number": id_number},
        headers=auth(user),
    )
    assert response.status == 200, response.json


async def test_schedules_show_trainee_and_instructor_sessions_also_as_icalendar(
    plan: Plan, at: Any
) -> None:
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    await plan.call("POST", f"/classes/{class_id}/submit")
    await plan.call("POST", f"/classes/{class_id}/review", plan.hr, json={"decision": "approve"})
    instructor_user = await User.get(id=plan.instructors[0].user_id)
    response = await plan.call("GET", "/me/schedule", instructor_user)
    assert response.status == 200
    assert len(response.json["items"]) == 4  # days 1, 3, 5, 7
    assert response.json["items"][0]["starts_at"] == "2026-12-21T09:00:00+08:00"
    response = await plan.call("GET", "/me/schedule.ics", instructor_user)
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text.count("BEGIN:VEVENT") == 4
    assert "DTSTART:20261221T010000Z" in response.text


async def test_instructor_leave_is_approved_with_a_substitute_who_then_teaches(
    plan: Plan, at: Any
) -> None:
    # 第十九条: 授课老师因故不能完成授课任务的，需提前向人社部门请假，并安排其他老师授课
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    await plan.call("POST", f"/classes/{class_id}/submit")
    await plan.call("POST", f"/classes/{class_id}/review", plan.hr, json={"decision": "approve"})
    detail = (await plan.call("GET", f"/classes/{class_id}")).json
    first_session = detail["sessions"][0]["id"]
    teacher = await User.get(id=plan.instructors[0].user_id)
    response = await plan.call(
        "POST", f"/sessions/{first_session}/leave", teacher, json={"reason": "家中有事"}
    )
    assert response.status == 201, response.json
    leave_id = response.json["id"]
    response = await plan.call(
        "POST", f"/leaves/{leave_id}/decision", plan.hr, json={"decision": "approve"}
    )
    assert response.json["error"]["code"] == "SUBSTITUTE_REQUIRED"
    substitute = plan.instructors[2]
    response = await plan.call(
        "POST",
        f"/leaves/{leave_id}/decision",
        plan.hr,
        json={"decision": "approve", "substitute_id": substitute.id},
    )
    assert response.status == 200, response.json
    detail = (await plan.call("GET", f"/classes/{class_id}")).json
    assert detail["sessions"][0]["instructor_ids"] == [substitute.id]
    substitute_user = await User.get(id=substitute.user_id)
    items = (await plan.call("GET", "/me/schedule", substitute_user)).json["items"]
    assert [i["session_id"] for i in items] == [first_session]


async def test_leave_after_the_session_started_is_refused(plan: Plan, at: Any) -> None:
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    detail = (await plan.call("GET", f"/classes/{class_id}")).json
    at("2026-12-21 09:30")
    teacher = await User.get(id=plan.instructors[0].user_id)
    response = await plan.call(
        "POST",
        f"/sessions/{detail['sessions'][0]['id']}/leave",
        teacher,
        json={"reason": "临时有事"},
    )
    assert response.json["error"]["code"] == "LEAVE_TOO_LATE"


async def test_hr_list_shows_review_deadlines_soonest_first(plan: Plan, at: Any) -> None:
    at("2026-11-20 10:00")
    later = await plan.draft(start=date(2026, 12, 28))
    sooner = await plan.draft(start=date(2026, 12, 14))
    for class_id, start in ((later, date(2026, 12, 28)), (sooner, date(2026, 12, 14))):
        await plan.complete(class_id, start=start)
        assert (await plan.call("POST", f"/classes/{class_id}/submit")).status == 200
    response = await plan.call("GET", "/classes?status=submitted", plan.hr)
    assert [i["id"] for i in response.json["items"]] == [sooner, later]
    assert response.json["items"][0]["review_deadline"] == "2026-12-09"


async def test_worker_job_starts_and_completes_classes(plan: Plan, at: Any) -> None:
    from backend.classes.service import advance_due_classes

    at("2026-12-01 10:00")
    class_id = await plan.draft()
    await plan.complete(class_id)
    await plan.call("POST", f"/classes/{class_id}/submit")
    await plan.call("POST", f"/classes/{class_id}/review", plan.hr, json={"decision": "approve"})
    at("2026-12-21 07:00")
    assert await advance_due_classes() == 1
    assert (await TrainingClass.get(id=class_id)).status == ClassStatus.IN_PROGRESS
    at("2026-12-28 00:00")
    assert await advance_due_classes() == 1
    assert (await TrainingClass.get(id=class_id)).status == ClassStatus.COMPLETED
    assert await advance_due_classes() == 0


@pytest.mark.postgres_only
async def test_two_racing_submissions_booking_one_instructor_exactly_one_wins(
    client: Client, at: Any
) -> None:
    # 第十九条, under concurrency: the instructor rows are locked while a plan is checked and booked
    import asyncio

    at("2026-12-01 10:00")
    plans = [await Plan(client).setup() for _ in range(4)]
    shared = plans[0].instructors[0]
    for p in plans[1:]:
        p.instructors[0] = shared
    class_ids = [await p.draft() for p in plans]
    for p, class_id in zip(plans, class_ids, strict=True):
        await p.complete(class_id)
    responses = await asyncio.gather(
        *(p.call("POST", f"/classes/{c}/submit") for p, c in zip(plans, class_ids, strict=True))
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [200, 422, 422, 422], [r.json for r in responses]
    losers = [r.json["error"]["code"] for r in responses if r.status == 422]
    assert set(losers) == {"INSTRUCTOR_TIME_CONFLICT"}


async def test_plans_in_2027_need_the_year_loaded_first(plan: Plan, at: Any) -> None:
    # 第十八条 deadlines count working days; 2027 is not in the calendar package
    at("2026-12-01 10:00")
    start = date(2027, 3, 1)
    class_id = await plan.draft(start=start)
    await plan.complete(class_id, start=start)
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.status == 422
    assert response.json["error"]["code"] == "CALENDAR_YEAR_MISSING"
    assert "2027" in response.json["error"]["message"]
    from tests.api.test_calendar_api import BODY_2027  # every statutory holiday of 2027

    city_hr = await make_staff(Role.HR_ADMIN)  # the calendar is city HR's
    response = await plan.call("PUT", "/calendar/2027", city_hr, json=BODY_2027)
    assert response.status == 200, response.json
    response = await plan.call("POST", f"/classes/{class_id}/submit")
    assert response.status == 200, response.json
    # 10 working days back from 03-01, counting the Saturday 02-20 (调休上班)
    assert response.json["submission_deadline"] == "2027-02-16"


async def test_a_blacklisted_trainee_cannot_be_put_on_a_roster(plan: Plan) -> None:
    # 第二十七条: 培训成绩造假等情节严重的学员列入求职能力实训黑名单
    from backend.registers.models import BlacklistEntry, BlacklistKind
    from tests.support.factories import make_trainee

    id_number = make_id_number("350102", date(2001, 4, 4), 41)
    trainee = await make_trainee("孙七", id_number=id_number)
    await BlacklistEntry.create(
        kind=BlacklistKind.TRAINEE,
        subject_id=trainee.id,
        subject_name=trainee.name,
        reason="培训成绩造假",
        starts_on=date(2026, 1, 1),
    )
    class_id = await plan.draft()
    row = {"name": "孙七", "id_number": id_number, "phone": "13900000041", "category": "veteran"}
    response = await plan.call("POST", f"/classes/{class_id}/roster", json={"rows": [row]})
    assert response.status == 400
    assert "黑名单" in response.text


async def test_city_wide_hr_sees_classes_of_every_district(plan: Plan, at: Any) -> None:
    at("2026-12-01 10:00")
    class_id = await plan.draft()
    city_hr = await make_staff(Role.HR_ADMIN)
    response = await plan.call("GET", "/classes", city_hr)
    assert [i["id"] for i in response.json["items"]] == [class_id]


async def test_null_in_a_plan_patch_leaves_a_required_column_unchanged(plan: Plan, at: Any) -> None:
    # schemathesis sent `"length_reason": null` (the document says nullable): it was a 500.
    at("2026-12-01 10:00")
    class_id = await plan.draft(days=5)
    response = await plan.call(
        "PATCH", f"/classes/{class_id}", json={"length_reason": None, "title": None}
    )
    assert response.status == 200, response.json
    assert response.json["length_reason"] == ""
