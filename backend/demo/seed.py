"""A small, realistic, reproducible data set for demos: one institution, a class at each stage.

The class in progress is the centre (attendance, feedback, supervision records); beside it a
draft, a submitted, an approved and a rejected plan, a completed instructor class
(`backend/demo/classes.py`), a class in follow-up and a closed one (`backend/demo/followups.py`).

Every ID-card number is fictitious but checksum-valid; every phone number is fictitious.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import load_actor
from backend.accounts.models import Role, TraineeCategory, User, WeChatIdentity
from backend.accounts.service import (
    TraineeInput,
    create_institution,
    create_instructor,
    grant_role,
    register_trainee,
)
from backend.attendance.codes import create_display_link
from backend.attendance.models import Checkin, Review
from backend.attendance.policy import policy
from backend.attendance.rules import Phase, checkin_phase
from backend.certificates.models import Certificate
from backend.certificates.service import issue_certificates, record_result
from backend.classes.models import (
    ClassInstructor,
    ClassSession,
    ClassStaff,
    ClassStatus,
    ClassStatusChange,
    Enrolment,
    SessionInstructor,
    StaffDuty,
    TrainingClass,
)
from backend.demo.attendance import seed_attendance
from backend.demo.classes import seed_plan_stages
from backend.demo.followups import seed_closed_demo, seed_followup_demo
from backend.demo.supervision import seed_supervision_demo
from backend.runtime import runtime
from backend.security.idcard import make_id_number

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁"
)
GIVEN = [
    "晓明",
    "佳怡",
    "子涵",
    "宇轩",
    "欣怡",
    "浩然",
    "梓萱",
    "俊杰",
    "诗涵",
    "志强",
    "雨桐",
    "文博",
    "思琪",
    "嘉豪",
    "静怡",
    "明轩",
    "婉婷",
    "建华",
    "一诺",
    "泽宇",
    "晨曦",
    "鑫",
    "颖",
    "伟",
    "芳",
    "磊",
    "丽娜",
    "海峰",
    "秀英",
    "凯",
]
SCHOOLS = [
    "福州大学",
    "福建师范大学",
    "闽江学院",
    "福建农林大学",
    "福建工程学院",
    "福州职业技术学院",
]
MAJORS = [
    "市场营销",
    "计算机科学与技术",
    "会计学",
    "汉语言文学",
    "机械设计制造及其自动化",
    "电子商务",
    "土木工程",
    "护理学",
    "物流管理",
    "英语",
]
TOPICS = [
    "开班破冰与职业认知",
    "自我探索：兴趣、性格与能力",
    "求职目标设定与职业规划",
    "就业形势与岗位信息获取",
    "简历制作与优化",
    "求职信与网申技巧",
    "面试礼仪与沟通表达",
    "结构化面试训练",
    "无领导小组讨论",
    "模拟面试与点评",
    "劳动合同与权益保护",
    "职场适应与团队协作",
    "企业一线行：走进用人单位",
    "结业展示与求职行动计划",
]
STAFF = [
    ("test-hr", "林主任", Role.HR_ADMIN),
    ("test-admin", "陈经理", Role.INSTITUTION_ADMIN),
    ("test-lead", "黄团队负责人", Role.INSTITUTION_ADMIN),
    ("test-teacher", "郑班主任", Role.CLASS_TEACHER),
    ("test-staff", "吴工作人员", Role.STAFF),
]
CATEGORIES = [
    TraineeCategory.UNEMPLOYED_GRADUATE,
    TraineeCategory.UNEMPLOYED_GRADUATE,
    TraineeCategory.GRADUATING_STUDENT,
    TraineeCategory.REGISTERED_UNEMPLOYED_YOUTH,
    TraineeCategory.VETERAN,
    TraineeCategory.HARD_TO_EMPLOY,
]


async def _wechat_user(name: str, login_code: str) -> User:
    """A user already known to the WeChat stand-in: code `test-x` logs in as openid `o-x`."""
    user = await User.create(display_name=name)
    openid = "o-" + login_code.removeprefix("test-")
    await WeChatIdentity.create(user=user, appid=runtime().settings.wechat_appid, openid=openid)
    return user


async def _people(institution_id: int) -> dict[str, User]:
    users = {}
    for code, name, role in STAFF:
        user = await _wechat_user(name, code)
        scope = None if role is Role.HR_ADMIN else institution_id
        await grant_role(user_id=user.id, role=role, institution_id=scope)
        users[code] = user
    return users


async def _instructors(institution_id: int) -> list[int]:
    ids = []
    for n, name in enumerate(["许文华", "蔡雅琴", "潘志远"], start=1):
        instructor = await create_instructor(
            name=name,
            certificate_no=f"FZQZSX-2025-{n:04d}",
            phone=f"1395001{n:04d}",
            institution_id=None,
        )
        user = await _wechat_user(name, f"test-instructor{n}")
        instructor.user = user
        await instructor.save()
        await grant_role(user_id=user.id, role=Role.INSTRUCTOR)
        ids.append(instructor.id)
    return ids


def _sessions_for(start: date) -> list[tuple[datetime, datetime, str]]:
    slots = [(time(9, 0), time(12, 0)), (time(14, 0), time(17, 0))]
    result = []
    for n, topic in enumerate(TOPICS):
        day = start + timedelta(days=n // 2)
        begin, end = slots[n % 2]
        result.append(
            (
                datetime.combine(day, begin, clock.SHANGHAI).astimezone(UTC),
                datetime.combine(day, end, clock.SHANGHAI).astimezone(UTC),
                topic,
            )
        )
    return result


async def _trainees(rng: random.Random, count: int) -> list[tuple[int, str, str, str]]:
    people = []
    for n in range(count):
        name = rng.choice(SURNAMES) + GIVEN[n % len(GIVEN)]
        birth = date(1998 + n % 6, 1 + n % 12, 1 + n % 27)
        id_number = make_id_number("350102" if n % 2 else "350104", birth, 100 + n * 7)
        trainee = await register_trainee(
            data=TraineeInput(
                name=name,
                id_number=id_number,
                category=CATEGORIES[n % len(CATEGORIES)],
                phone=f"1385000{n:04d}",
                education="本科" if n % 3 else "大专",
                school=rng.choice(SCHOOLS),
                major=rng.choice(MAJORS),
                graduation_year=2025 + n % 2,
            )
        )
        people.append((trainee.id, name, id_number, trainee.category.value))
    return people


EXTRA_TOPIC = "求职答疑与一对一辅导（加课）"


async def _session_open_now(klass: TrainingClass, instructor_ids: list[int]) -> ClassSession:
    """The class's session whose check-in is open now; at an hour with none (the demo runs at
    any hour), an extra coaching session starting in a quarter of an hour."""
    now, p = clock.now(), policy()
    for session in await ClassSession.filter(training_class_id=klass.id).order_by("starts_at"):
        phase = checkin_phase(now, starts_at=session.starts_at, ends_at=session.ends_at, p=p)
        if phase in (Phase.ON_TIME, Phase.LATE):
            return session
    begins = now.replace(second=0, microsecond=0) + timedelta(minutes=15 - now.minute % 5)
    ends = begins + timedelta(hours=2)
    session = await ClassSession.create(
        training_class=klass, starts_at=begins, ends_at=ends, topic=EXTRA_TOPIC, room="301教室"
    )
    await SessionInstructor.create(
        session=session,
        instructor_id=instructor_ids[0],
        starts_at=begins,
        ends_at=ends,
        committed=True,
    )
    return session


async def _checkin_now(session: ClassSession, teacher_user_id: int) -> dict[str, Any]:
    """The banner's lines about the session checking in now, and its projector link."""
    pending = await Checkin.filter(session_id=session.id, review=Review.PENDING).count()
    link = await create_display_link(actor=await load_actor(teacher_user_id), session_id=session.id)
    begins, ends = clock.local(session.starts_at), clock.local(session.ends_at)
    return {
        "checkin_session_id": session.id,
        "checkin_now": f"session #{session.id} {session.topic} {begins:%m-%d %H:%M}–"
        f"{ends:%H:%M}: check-in open, {pending} check-ins await the class teacher",
        "display_url": runtime().settings.public_base_url.rstrip("/") + link.path,
    }


# The closed class's assessment (第二十二条): everyone sat it, the last trainee failed.
CLOSED_SCORES = (
    Decimal("88.5"),
    Decimal("92.0"),
    Decimal("76.0"),
    Decimal("81.5"),
    Decimal("55.0"),
)


async def _assessed_and_certified(class_id: int, admin_user_id: int, hr_user_id: int) -> int:
    """The closed class's assessment results and the certificates HR issued to the trainees
    who completed it (passed, and attended enough: 第二十二条), a few days after its end."""
    klass = await TrainingClass.get(id=class_id)
    enrolments = await Enrolment.filter(training_class_id=class_id).order_by("id")
    admin = await load_actor(admin_user_id)
    for enrolment, score in zip(enrolments, CLOSED_SCORES, strict=False):
        await record_result(
            actor=admin, class_id=class_id, trainee_id=enrolment.trainee_id, score=score
        )
    issued = await issue_certificates(actor=await load_actor(hr_user_id), class_id=class_id)
    issued_at = datetime.combine(klass.end_date + timedelta(days=5), time(10), clock.SHANGHAI)
    await Certificate.filter(enrolment__training_class_id=class_id).update(issued_at=issued_at)
    return issued.issued


async def _programme(institution_id: int, class_id: int, trainee_id: int) -> None:
    """Issue-9 data: a year plan, an intake answer, a certification candidate, a draft case."""
    from backend.programme.models import (
        CertificationCandidate,
        InstitutionPlan,
        IntakeForm,
        ObservationRecord,
        Screening,
        TypicalCase,
    )

    today = clock.today()
    await InstitutionPlan.create(
        institution_id=institution_id,
        year=today.year,
        classes_planned=12,
        trainees_planned=480,
        districts=["350102", "350103"],
        budget=Decimal("720000.00"),
    )
    enrolment = await Enrolment.get(training_class_id=class_id, trainee_id=trainee_id)
    await IntakeForm.create(
        enrolment=enrolment,
        education_level="本科",
        knowledge_level=2,
        desired_occupations=["行政办公人员", "电子商务师"],
        intention="希望在鼓楼区从事行政或电商运营工作",
        obstacles=["no_experience", "interview_skills"],
        special_needs=["caring_duties"],
        special_needs_note="需接送孩子，下午四点前离开",
    )
    candidate = await CertificationCandidate.create(
        name="刘思远",
        background="公共就业服务机构",
        screening=Screening.PASSED,
        assessment_score=Decimal("86.0"),
        assessment_passed=True,
    )
    await ObservationRecord.create(
        candidate=candidate,
        training_class_id=class_id,
        start_date=today - timedelta(days=2),
        end_date=today + timedelta(days=4),
        observed="观摩开班破冰、简历制作与模拟面试点评",
    )
    await TypicalCase.create(
        trainee_id=trainee_id,
        institution_id=institution_id,
        title="从迷茫到入职：一名毕业生的求职之路",
        story="参加实训前求职方向不明确；实训中完成职业兴趣探索和三轮模拟面试，结业两周后入职行政岗位。",
        category="unemployed_graduate",
        occupation="行政办公人员",
        district_code="350102",
    )


async def _other_stages(
    institution_id: int, instructor_ids: list[int], users: dict[str, User], today: date
) -> dict[str, int]:
    """Classes at the stages the class in progress is not at (README, "Class lifecycle")."""
    staff = {
        duty: (users[code].id, users[code].display_name)
        for code, duty in (
            ("test-lead", StaffDuty.TEAM_LEAD),
            ("test-teacher", StaffDuty.CLASS_TEACHER),
            ("test-staff", StaffDuty.STAFF),
        )
    }
    stages = await seed_plan_stages(
        institution_id=institution_id,
        instructor_ids=instructor_ids,
        staff=staff,
        admin_user_id=users["test-admin"].id,
        hr_user_id=users["test-hr"].id,
        today=today,
    )
    stages[ClassStatus.CLOSED.value] = await seed_closed_demo(
        institution_id=institution_id,
        instructor_ids=instructor_ids,
        teacher_user_id=users["test-teacher"].id,
        hr_user_id=users["test-hr"].id,
        today=today,
    )
    return stages


async def seed_demo(*, today: date | None = None, trainee_count: int = 30) -> dict[str, Any]:
    """Write the demo data set; returns a summary for the banner."""
    today = today or clock.today()
    rng = random.Random(2026)
    async with in_transaction():
        inst = await create_institution(
            name="福州启航职业培训学校", credit_code="52350102MJ0000001X", district_code="350102"
        )
        users = await _people(inst.id)
        instructor_ids = await _instructors(inst.id)
        start = today - timedelta(days=2)
        klass = await TrainingClass.create(
            institution=inst,
            title=f"{start.year}年第{start.month}期求职能力实训学员班（鼓楼）",
            district_code="350102",
            venue_address="福州市鼓楼区五四路158号 启航培训中心 3楼",
            venue_latitude=26.0891,
            venue_longitude=119.3061,
            fence_radius_m=300,
            start_date=start,
            end_date=start + timedelta(days=6),
            capacity=40,
            contract_amount=Decimal("45000.00"),
            status=ClassStatus.IN_PROGRESS,
            created_by=users["test-admin"],
        )
        for status in (
            ClassStatus.DRAFT,
            ClassStatus.SUBMITTED,
            ClassStatus.APPROVED,
            ClassStatus.IN_PROGRESS,
        ):
            await ClassStatusChange.create(
                training_class=klass, to_status=status, reason="演示数据"
            )
        duties = [
            ("test-lead", StaffDuty.TEAM_LEAD),
            ("test-teacher", StaffDuty.CLASS_TEACHER),
            ("test-staff", StaffDuty.STAFF),
        ]
        for code, duty in duties:
            await ClassStaff.create(
                training_class=klass, user=users[code], duty=duty, name=users[code].display_name
            )
        for n, instructor_id in enumerate(instructor_ids):
            await ClassInstructor.create(
                training_class=klass, instructor_id=instructor_id, is_lead=n == 0
            )
        for n, (begins, ends, topic) in enumerate(_sessions_for(start)):
            session = await ClassSession.create(
                training_class=klass, starts_at=begins, ends_at=ends, topic=topic, room="301教室"
            )
            await SessionInstructor.create(
                session=session,
                instructor_id=instructor_ids[n % len(instructor_ids)],
                starts_at=begins,
                ends_at=ends,
                committed=True,
            )
        checkin_session = await _session_open_now(klass, instructor_ids)
        people = await _trainees(rng, trainee_count)
        for trainee_id, _, _, category in people:
            await Enrolment.create(training_class=klass, trainee_id=trainee_id, category=category)
        await seed_attendance(class_id=klass.id, teacher_user_id=users["test-teacher"].id)
        checkin_now = await _checkin_now(checkin_session, users["test-teacher"].id)
        await _programme(inst.id, klass.id, people[0][0])
        alumni = await seed_followup_demo(
            institution_id=inst.id, instructor_ids=instructor_ids, today=today
        )
        await seed_supervision_demo(
            institution_id=inst.id,
            class_id=klass.id,
            hr_user_id=users["test-hr"].id,
            today=today,
        )
        stages = await _other_stages(inst.id, instructor_ids, users, today)
        certificates = await _assessed_and_certified(
            stages[ClassStatus.CLOSED.value], users["test-admin"].id, users["test-hr"].id
        )
        stages.update(
            {
                ClassStatus.IN_PROGRESS.value: klass.id,
                ClassStatus.FOLLOWING_UP.value: alumni["followup_class_id"],
            }
        )
    return {
        **alumni,
        "institution_id": inst.id,
        "class_id": klass.id,
        "classes_by_stage": stages,
        **checkin_now,
        "certificates": certificates,
        "description": f"1 institution, class #{klass.id} in progress "
        f"({await ClassSession.filter(training_class_id=klass.id).count()} sessions, "
        f"{trainee_count} trainees), a class at every other stage "
        f"(draft … closed), 3 instructors, 5 staff/HR users",
        "sample_trainee_name": people[0][1],
        "sample_trainee_id_number": people[0][2],
        "sample_trainee_phone": "13850000000",  # _trainees: the first person's roster phone
    }
