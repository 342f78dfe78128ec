"""The role/scope matrix: every route × every role × own vs foreign object.

Every route of the app must appear here (a test checks it), so each capability extends this
table. Every response is also scanned: no full ID-card or phone number may appear anywhere,
except in the audited full-value read.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sanic import Sanic

from backend import clock
from backend.accounts.models import Institution, Role, RoleGrant, User
from backend.attendance.models import Checkin
from backend.attendance.qr import Purpose
from backend.certificates.models import Certificate
from backend.classes.models import (
    ClassInstructor,
    ClassStatus,
    Enrolment,
    InstructorLeave,
    StaffDuty,
)
from backend.employment.models import EmploymentRecord, EmploymentStatus, OutcomeSource
from backend.practice.materials import storage_dir
from backend.practice.models import (
    AttemptStatus,
    BankQuestion,
    Interview,
    InterviewStatus,
    Material,
    MaterialKind,
    OnlineTest,
    OnlineTestAttempt,
    QuestionBank,
    QuestionKind,
)
from backend.practice.questions import session_questions
from backend.programme.models import (
    CertificationApplication,
    CertificationCandidate,
    InstitutionPlan,
    ObservationRecord,
    Screening,
    TypicalCase,
)
from backend.registers.models import BlacklistEntry, BlacklistKind
from tests.support.client import Client
from tests.support.conformance import problems
from tests.support.factories import (
    add_staff,
    assign_instructor,
    auth,
    book,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_session,
    make_staff,
    make_trainee,
    make_user,
    new_id_number,
)

ANON, NO_ROLE = "anonymous", "no_role"
ACTORS = [ANON, NO_ROLE, *(r.value for r in Role)]
OWN, FOREIGN = "own", "foreign"


@dataclass
class World:
    """Two institutions in two districts; the actors all belong to the first."""

    users: dict[str, User | None] = field(default_factory=dict)
    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)


async def _side(world: World, name: str, district: str) -> dict[str, Any]:
    inst = await make_institution(district)
    klass = await make_class(inst, status=ClassStatus.DRAFT)
    id_number, phone = new_id_number(), f"1370000{len(world.secrets):04d}"
    trainee_user = await make_user()
    trainee = await make_trainee(id_number=id_number, phone=phone, user=trainee_user)
    await enrol(klass, trainee)
    instructor, instructor_user = await make_instructor()
    await assign_instructor(klass, instructor)
    session = await make_session(klass, starts_at=clock.now() + timedelta(days=30))
    await book(session, instructor)
    leave = await InstructorLeave.create(
        session_id=session.id, instructor_id=instructor.id, reason="家中有事"
    )
    checkin = await Checkin.create(
        session_id=session.id, trainee_id=trainee.id, purpose=Purpose.IN, scanned_at=clock.now()
    )
    enrolment = await Enrolment.get(training_class_id=klass.id, trainee_id=trainee.id)
    certificate = await Certificate.create(
        number=f"FZQZ-TEST-{name}", enrolment=enrolment, issued_at=clock.now()
    )
    candidate = await CertificationCandidate.create(name="候选人", screening=Screening.PASSED)
    observation = await ObservationRecord.create(
        candidate=candidate,
        training_class=klass,
        start_date=klass.start_date,
        end_date=klass.end_date,
        observed="观摩",
    )
    application = await CertificationApplication.create(candidate=candidate, materials=["申请表"])
    case = await TypicalCase.create(trainee=trainee, institution=inst, title="案例", story="故事")
    plan = await InstitutionPlan.create(
        institution=inst, year=2026, classes_planned=1, trainees_planned=40
    )
    listed = await BlacklistEntry.create(
        kind=BlacklistKind.TRAINEE,
        subject_id=trainee.id,
        subject_name=trainee.name,
        reason="培训成绩造假",
        starts_on=date(2026, 1, 1),
    )
    interview = await Interview.create(
        trainee=trainee,
        occupation_code="4-01-02-01",
        questions=[q.to_dict() for q in session_questions("4-01-02-01", 0)],
        status=InterviewStatus.FINISHED,
        score=60,
        created_at=clock.now(),
        finished_at=clock.now(),
    )
    bank = await QuestionBank.create(
        title="题库", owner_id=instructor_user.id, created_at=clock.now()
    )
    await BankQuestion.create(
        bank=bank,
        kind=QuestionKind.TRUE_FALSE,
        stem="面试可以迟到",
        answer=False,
        created_at=clock.now(),
    )
    online_test = await OnlineTest.create(
        training_class=klass,
        title="测试",
        questions=[
            {
                "id": 1,
                "kind": "single",
                "stem": "题",
                "options": ["甲", "乙"],
                "answer": ["A"],
                "points": 2,
                "rubric": "",
            }
        ],
        duration_minutes=30,
        opens_at=clock.now() - timedelta(days=1),
        closes_at=clock.now() + timedelta(days=30),
        created_by_id=instructor_user.id,
        created_at=clock.now(),
    )
    attempt = await OnlineTestAttempt.create(
        test=online_test,
        trainee=trainee,
        number=1,
        status=AttemptStatus.SUBMITTED,
        started_at=clock.now(),
        deadline=clock.now(),
        submitted_at=clock.now(),
    )
    stored = secrets.token_hex(16)
    (storage_dir() / stored).write_bytes(b"%PDF-1.4 course notes")
    material = await Material.create(
        session=session,
        title="课件",
        kind=MaterialKind.FILE,
        content_type="application/pdf",
        size=21,
        storage_name=stored,
        original_name="notes.pdf",
        published_by_id=instructor_user.id,
        created_at=clock.now(),
    )
    employment = await EmploymentRecord.create(
        trainee=trainee,
        training_class=klass,
        status=EmploymentStatus.EMPLOYED,
        employer="福州某公司",
        position="职员",
        source=OutcomeSource.INSTRUCTOR,
    )
    world.secrets += [id_number, phone]
    world.ids[name] = {
        "employment": employment.id,
        "material": material.id,
        "bank": bank.id,
        "test": online_test.id,
        "attempt": attempt.id,
        "interview": interview.id,
        "blacklist": listed.id,
        "candidate": candidate.id,
        "observation": observation.id,
        "application": application.id,
        "case": case.id,
        "checkin": checkin.id,
        "certificate": certificate.number,
        "plan": plan.id,
        "institution": inst.id,
        "class": klass.id,
        "trainee": trainee.id,
        "session": session.id,
        "instructor": instructor.id,
        "leave": leave.id,
    }
    return {
        "inst": inst,
        "klass": klass,
        "trainee_user": trainee_user,
        "instructor_user": instructor_user,
    }


async def build_world() -> World:
    world = World()
    own = await _side(world, OWN, "350102")
    await _side(world, FOREIGN, "350104")
    inst, klass = own["inst"], own["klass"]
    await ClassInstructor.filter(training_class_id=klass.id).update(is_lead=True)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    staff = await make_staff(Role.STAFF, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    await add_staff(klass, staff, StaffDuty.STAFF)
    world.users = {
        ANON: None,
        NO_ROLE: await make_user(),
        Role.TRAINEE.value: own["trainee_user"],
        Role.CLASS_TEACHER.value: teacher,
        Role.STAFF.value: staff,
        Role.INSTRUCTOR.value: own["instructor_user"],
        Role.INSTITUTION_ADMIN.value: await make_staff(Role.INSTITUTION_ADMIN, institution=inst),
        Role.HR_ADMIN.value: await make_staff(Role.HR_ADMIN, district_code="350102"),
    }
    foreign_staff = await make_staff(
        Role.STAFF, institution=await Institution.get(id=world.ids[FOREIGN]["institution"])
    )
    grants = {
        OWN: (await RoleGrant.get(user_id=staff.id)).id,
        FOREIGN: (await RoleGrant.get(user_id=foreign_staff.id)).id,
    }
    for side in (OWN, FOREIGN):
        world.ids[side].update(
            teacher_user=teacher.id,
            year_read=2026,
            year_load=2027,
            staff_grant=grants[side],
            zero=0,  # an id nothing has: routes whose objects the world does not build
            district={OWN: "350102", FOREIGN: "350104"}[side],
        )
    return world


@dataclass(frozen=True)
class Case:
    """A route and, per actor, the status for an own object and for a foreign one."""

    method: str
    path: str  # {trainee}, {class}, {institution} filled from the world
    expect: dict[str, tuple[int, int]]
    body: dict[str, Any] | None = None
    reveals_pii: bool = False


def _expect(default: int, **overrides: tuple[int, int]) -> dict[str, tuple[int, int]]:
    table = {actor: (default, default) for actor in ACTORS}
    table[ANON] = (401, 401)
    table.update(overrides)
    return table


STAFF_VIEW = {
    r: (200, 404) for r in ("class_teacher", "staff", "instructor", "institution_admin", "hr_admin")
}

ALL_ROLES = {r.value: (200, 200) for r in Role}
ADMIN_ONLY = {"institution_admin": (200, 404)}
ROSTER_ROW = {
    "name": "新学员",
    "id_number": "11010519491231002X",
    "phone": "13911112222",
    "category": "veteran",
}
YEAR_2027 = {"holidays": [{"date": "2027-01-01", "name": "元旦"}], "adjusted_workdays": []}

TEACHERS_ONLY = {"class_teacher": (200, 404), "staff": (200, 404)}
ATTENDANCE_READERS = {
    r: (200, 404) for r in ("class_teacher", "staff", "institution_admin", "hr_admin")
}
NOT_BOUND = {
    r: (403, 403) for r in ("no_role", "class_teacher", "staff", "institution_admin", "hr_admin")
}

CASES = {
    "health": Case("GET", "/api/v1/health", {a: (200, 200) for a in ACTORS}),
    "openapi": Case("GET", "/api/v1/openapi.json", {a: (200, 200) for a in ACTORS}),
    "wx_login": Case(
        "POST", "/api/v1/auth/wx-login", {a: (400, 400) for a in ACTORS}, {"code": "bogus"}
    ),
    "me": Case("GET", "/api/v1/me", _expect(200)),
    "bind_trainee": Case(
        "POST",
        "/api/v1/auth/bind-trainee",
        _expect(404),
        {"name": "无此人", "id_number": "11010519491231002X"},
    ),
    "redeem": Case(
        "POST", "/api/v1/auth/redeem-invitation", _expect(404), {"code": "ABCD-EFGH-JK"}
    ),
    "phone": Case("POST", "/api/v1/me/phone", _expect(400), {"code": "bogus"}),
    "get_trainee": Case(
        "GET", "/api/v1/trainees/{trainee}", _expect(403, trainee=(200, 404), **STAFF_VIEW)
    ),
    "reveal_pii": Case(
        "POST",
        "/api/v1/trainees/{trainee}/pii",
        _expect(403, institution_admin=(200, 404), hr_admin=(200, 404)),
        {"reason": "补贴材料核对"},
        reveals_pii=True,
    ),
    # the audit log of full-PII reads is HR's: the matrix HR user (鼓楼) reads its district's
    "pii_reads": Case("GET", "/api/v1/audit/pii-reads", _expect(403, hr_admin=(200, 200))),
    "unbind": Case(
        "POST",
        "/api/v1/trainees/{trainee}/unbind",
        _expect(403, hr_admin=(200, 404)),
        {"reason": "更换手机"},
    ),
    "list_classes": Case("GET", "/api/v1/classes", _expect(403, **ALL_ROLES)),
    "create_class": Case(
        "POST",
        "/api/v1/classes",
        _expect(403, institution_admin=(201, 403)),
        {
            "institution_id": "{institution}",
            "title": "新学员班",
            "district_code": "350102",
            "start_date": "2027-03-01",
            "end_date": "2027-03-07",
        },
    ),
    "get_class": Case(
        "GET", "/api/v1/classes/{class}", _expect(403, trainee=(200, 404), **STAFF_VIEW)
    ),
    "patch_class": Case(
        "PATCH", "/api/v1/classes/{class}", _expect(403, **ADMIN_ONLY), {"title": "改名学员班"}
    ),
    "add_sessions": Case(
        "POST",
        "/api/v1/classes/{class}/sessions",
        _expect(403, institution_admin=(201, 404)),
        {"sessions": [{"date": "2026-11-24", "start": "09:00", "end": "12:00", "topic": "面试"}]},
    ),
    "delete_session": Case(
        "DELETE", "/api/v1/classes/{class}/sessions/{session}", _expect(403, **ADMIN_ONLY)
    ),
    "set_instructors": Case(
        "PUT",
        "/api/v1/classes/{class}/instructors",
        _expect(403, **ADMIN_ONLY),
        {"instructor_ids": ["{instructor}"]},
    ),
    "set_staff": Case(
        "PUT",
        "/api/v1/classes/{class}/staff",
        _expect(403, **ADMIN_ONLY),
        {"class_teacher": "{teacher_user}"},
    ),
    "submit": Case(
        "POST", "/api/v1/classes/{class}/submit", _expect(403, institution_admin=(422, 404))
    ),
    "withdraw": Case(
        "POST", "/api/v1/classes/{class}/withdraw", _expect(403, institution_admin=(409, 404)), {}
    ),
    "review": Case(
        "POST",
        "/api/v1/classes/{class}/review",
        _expect(403, hr_admin=(409, 404)),
        {"decision": "approve"},
    ),
    "close_class": Case(  # the matrix class is a draft: HR in scope gets 409, not in follow-up
        "POST",
        "/api/v1/classes/{class}/close",
        _expect(403, hr_admin=(409, 404)),
        {"reason": "后续跟踪服务期满，结案"},
    ),
    "roster_template": Case(
        "GET",
        "/api/v1/classes/roster-template.xlsx",
        _expect(403, institution_admin=(200, 200), hr_admin=(200, 200)),
    ),
    "upload_roster": Case(
        "POST",
        "/api/v1/classes/{class}/roster",
        _expect(403, institution_admin=(201, 404)),
        {"rows": [ROSTER_ROW]},
    ),
    "get_roster": Case("GET", "/api/v1/classes/{class}/roster", _expect(403, **STAFF_VIEW)),
    "schedule": Case(
        "GET", "/api/v1/me/schedule", _expect(403, trainee=(200, 200), instructor=(200, 200))
    ),
    "schedule_ics": Case(
        "GET", "/api/v1/me/schedule.ics", _expect(403, trainee=(200, 200), instructor=(200, 200))
    ),
    "request_leave": Case(
        "POST",
        "/api/v1/sessions/{session}/leave",
        _expect(403, instructor=(409, 404)),
        {"reason": "身体不适"},
    ),
    "decide_leave": Case(
        "POST",
        "/api/v1/leaves/{leave}/decision",
        _expect(403, hr_admin=(200, 404)),
        {"decision": "reject", "note": "无代课讲师"},
    ),
    "list_instructors": Case(
        "GET",
        "/api/v1/instructors",
        _expect(403, hr_admin=(200, 200), institution_admin=(200, 200)),
    ),
    "add_instructor": Case(
        "POST",
        "/api/v1/instructors",
        _expect(403),
        {"name": "新讲师", "certificate_no": "FZ-2026-9999"},
    ),
    "calendar_year": Case(
        "GET", "/api/v1/calendar/{year_read}", {**_expect(200), ANON: (401, 401)}
    ),
    # 第十三条 and the city calendar: city-level HR only, the matrix HR user (鼓楼) gets 403
    "calendar_load": Case("PUT", "/api/v1/calendar/{year_load}", _expect(403), YEAR_2027),
    "calendar_deadlines": Case(
        "GET",
        "/api/v1/calendar/deadlines?start_date=2026-12-21",
        {**_expect(200), ANON: (401, 401)},
    ),
    "put_intake": Case(
        "PUT",
        "/api/v1/me/intake/{class}",
        _expect(403, trainee=(422, 404)),
        {"education_level": "本科", "knowledge_level": 3},
    ),
    "get_intake": Case("GET", "/api/v1/me/intake/{class}", _expect(403, trainee=(200, 404))),
    "interview_note": Case(
        "POST",
        "/api/v1/classes/{class}/interview-notes",
        _expect(403, class_teacher=(201, 404), staff=(201, 404), instructor=(201, 404)),
        {"trainee_id": "{trainee}", "note": "简短面试"},
    ),
    "intake_summary": Case(
        "GET", "/api/v1/classes/{class}/intake-summary", _expect(403, **STAFF_VIEW)
    ),
    "save_training_plan": Case(
        "PUT",
        "/api/v1/institutions/{institution}/training-plans",
        _expect(403, institution_admin=(200, 404), hr_admin=(403, 404)),
        {"year": 2027, "classes_planned": 3, "trainees_planned": 120},
    ),
    "submit_training_plan": Case(
        "POST",
        "/api/v1/training-plans/{plan}/submit",
        _expect(403, institution_admin=(200, 404), hr_admin=(403, 404)),
    ),
    "plan_vs_actual": Case(
        "GET",
        "/api/v1/institutions/{institution}/plan-vs-actual?year=2026",
        _expect(403, institution_admin=(200, 404), hr_admin=(200, 404)),
    ),
    "add_candidate": Case(
        "POST",
        "/api/v1/certification/candidates",
        _expect(403, hr_admin=(201, 201)),
        {"name": "新候选人"},
    ),
    "screening": Case(
        "POST",
        "/api/v1/certification/candidates/{candidate}/screening",
        _expect(403, hr_admin=(200, 200)),
        {"passed": True},
    ),
    "assessment": Case(
        "POST",
        "/api/v1/certification/candidates/{candidate}/assessment",
        _expect(403, hr_admin=(200, 200)),
        {"score": "80"},
    ),
    "observation": Case(
        "POST",
        "/api/v1/certification/candidates/{candidate}/observations",
        _expect(404, no_role=(403, 403), institution_admin=(403, 403), hr_admin=(201, 201)),
        {
            "class_id": "{class}",
            "start_date": "2026-11-23",
            "end_date": "2026-11-29",
            "observed": "观摩记录",
        },
    ),
    "sign_off": Case(
        "POST",
        "/api/v1/certification/observations/{observation}/sign-off",
        _expect(403, instructor=(200, 403)),
    ),
    "certification_apply": Case(
        "POST",
        "/api/v1/certification/candidates/{candidate}/application",
        _expect(404, no_role=(403, 403), institution_admin=(403, 403), hr_admin=(422, 422)),
        {"materials": ["申请表"]},
    ),
    "certification_decide": Case(
        "POST",
        "/api/v1/certification/applications/{application}/decision",
        _expect(403),
        {"decision": "reject", "note": "材料不全"},
    ),
    "create_case": Case(
        "POST",
        "/api/v1/typical-cases",
        _expect(403, institution_admin=(201, 404), hr_admin=(201, 404)),
        {"trainee_id": "{trainee}", "title": "案例标题", "story": "参加实训后顺利找到工作的故事。"},
    ),
    "case_consent": Case(
        "POST",
        "/api/v1/typical-cases/{case}/consent",
        _expect(403, institution_admin=(200, 404), hr_admin=(200, 404)),
        {"evidence": "同意书"},
    ),
    "case_publish": Case(
        "POST",
        "/api/v1/typical-cases/{case}/publish",
        _expect(403, institution_admin=(422, 404), hr_admin=(422, 404)),
    ),
    "list_cases": Case(
        "GET",
        "/api/v1/typical-cases",
        _expect(403, institution_admin=(200, 200), hr_admin=(200, 200)),
    ),
    "export_cases": Case("GET", "/api/v1/typical-cases.xlsx", _expect(403, hr_admin=(200, 200))),
    "revoke_grant": Case(
        "POST",
        "/api/v1/role-grants/{staff_grant}/revoke",
        _expect(403, institution_admin=(200, 403), hr_admin=(200, 404)),
        {"reason": "离职"},
    ),
    "checkin_scan": Case("POST", "/api/v1/checkins", _expect(400, **NOT_BOUND), {"token": "bogus"}),
    "session_qr": Case("GET", "/api/v1/sessions/{session}/qr", _expect(403, **TEACHERS_ONLY)),
    "display_link": Case(
        "POST",
        "/api/v1/sessions/{session}/display-link",
        _expect(403, class_teacher=(201, 404), staff=(201, 404)),
        {},
    ),
    "session_checkins": Case(
        "GET", "/api/v1/sessions/{session}/checkins", _expect(403, **ATTENDANCE_READERS)
    ),
    "confirm_checkin": Case(
        "POST", "/api/v1/checkins/{checkin}/confirm", _expect(403, **TEACHERS_ONLY), {}
    ),
    "reject_checkin": Case(
        "POST",
        "/api/v1/checkins/{checkin}/reject",
        _expect(403, **TEACHERS_ONLY),
        {"reason": "本人未到场"},
    ),
    "confirm_all": Case(
        "POST", "/api/v1/sessions/{session}/checkins/confirm-all", _expect(403, **TEACHERS_ONLY)
    ),
    "mark_attendance": Case(
        "PUT",
        "/api/v1/sessions/{session}/attendance/{trainee}",
        _expect(403, **TEACHERS_ONLY),
        {"status": "excused", "reason": "病假"},
    ),
    "attendance_detail": Case(
        "GET",
        "/api/v1/sessions/{session}/attendance/{trainee}",
        _expect(403, **ATTENDANCE_READERS),
    ),
    "class_attendance": Case(
        "GET", "/api/v1/classes/{class}/attendance", _expect(403, **ATTENDANCE_READERS)
    ),
    "class_attendance_xlsx": Case(
        "GET", "/api/v1/classes/{class}/attendance.xlsx", _expect(403, **ATTENDANCE_READERS)
    ),
    "my_attendance": Case("GET", "/api/v1/me/attendance", _expect(403, trainee=(200, 200))),
    "record_assessment": Case(
        "POST",
        "/api/v1/classes/{class}/assessments",
        _expect(
            403,
            **{  # 422: past the role and scope checks, the class's certificates lock its scores
                r: (422, 404) for r in ("class_teacher", "staff", "instructor", "institution_admin")
            },
        ),
        {"trainee_id": "{trainee}", "score": "80"},
    ),
    "completion": Case("GET", "/api/v1/classes/{class}/completion", _expect(403, **STAFF_VIEW)),
    "issue_certificates": Case(
        "POST", "/api/v1/classes/{class}/certificates", _expect(403, hr_admin=(422, 404))
    ),
    "verify_certificate": Case(
        "GET", "/api/v1/certificates/{certificate}/verify", {a: (200, 200) for a in ACTORS}
    ),
    "certificate_image": Case(
        "GET",
        "/api/v1/certificates/{certificate}/image.png",
        _expect(403, trainee=(200, 403), **STAFF_VIEW),
    ),
    "revoke_certificate": Case(
        "POST",
        "/api/v1/certificates/{certificate}/revoke",
        _expect(403, hr_admin=(200, 404)),
        {"reason": "成绩造假"},
    ),
    "subsidy": Case(
        "GET",
        "/api/v1/classes/{class}/subsidy",
        _expect(403, hr_admin=(200, 404), institution_admin=(200, 404)),
    ),
    "subsidy_paid": Case(
        "POST",
        "/api/v1/classes/{class}/subsidy/payments",
        _expect(403, hr_admin=(422, 404)),
        {"tranche": 1},
    ),
    "subsidy_application": Case(
        "GET",
        "/api/v1/classes/{class}/subsidy/application.xlsx",
        _expect(403, hr_admin=(200, 404), institution_admin=(200, 404)),
    ),
    "subsidy_roster": Case(
        "GET",
        "/api/v1/classes/{class}/subsidy/roster.xlsx",
        _expect(403, hr_admin=(200, 404), institution_admin=(200, 404)),
    ),
    "dashboard": Case(
        "GET",
        "/api/v1/dashboard?by=district&start=2026-01-01&end=2026-12-31",
        _expect(403, hr_admin=(200, 200)),
    ),
    "instructor_evaluation": Case(
        "GET",
        "/api/v1/instructors/{instructor}/evaluation?year=2026",
        _expect(403, hr_admin=(200, 200), instructor=(200, 404)),
    ),
    "instructor_findings": Case(
        "PUT",
        "/api/v1/instructors/{instructor}/evaluation",
        _expect(403, hr_admin=(200, 200)),
        {"year": 2026, "findings": "授课认真，后续服务到位"},
    ),
    "search_jobs": Case("GET", "/api/v1/jobs", _expect(403, **ALL_ROLES)),
    "job_detail": Case("GET", "/api/v1/jobs/{zero}", _expect(404, no_role=(403, 403))),
    "put_job_profile": Case(
        "PUT",
        "/api/v1/me/job-profile",
        _expect(403, trainee=(200, 200)),
        {"desired_occupations": ["4-04-05-02"], "intention": "电商运营"},
    ),
    "get_job_profile": Case("GET", "/api/v1/me/job-profile", _expect(403, trainee=(200, 200))),
    "job_matches": Case(  # no profile yet: 422 JOB_PROFILE_REQUIRED
        "GET", "/api/v1/me/job-matches", _expect(403, trainee=(422, 422))
    ),
    "apply_job": Case("POST", "/api/v1/jobs/{zero}/apply", _expect(403, trainee=(404, 404)), {}),
    "my_applications": Case("GET", "/api/v1/me/applications", _expect(403, trainee=(200, 200))),
    "report_employment": Case(
        "POST",
        "/api/v1/trainees/{trainee}/employment",
        _expect(403, trainee=(201, 404), instructor=(201, 404)),
        {"status": "employed", "employer": "福州某公司", "position": "行政专员"},
    ),
    "employment_records": Case(
        "GET",
        "/api/v1/trainees/{trainee}/employment",
        _expect(403, trainee=(200, 404), **STAFF_VIEW),
    ),
    "invite": Case(
        "POST",
        "/api/v1/invitations",
        _expect(403, institution_admin=(201, 403), hr_admin=(201, 404)),
        {"role": "class_teacher", "institution_id": "{institution}"},
    ),
    # logout, revoking projector links
    "logout": Case("POST", "/api/v1/auth/logout", _expect(200)),
    "revoke_display_links": Case(
        "POST",
        "/api/v1/sessions/{session}/display-link/revoke",
        _expect(403, class_teacher=(200, 404), staff=(200, 404)),
    ),
    "waive_phone_check": Case(
        "POST",
        "/api/v1/trainees/{trainee}/waive-phone-check",
        _expect(403, hr_admin=(200, 404)),
        {"reason": "本人更换手机号，已核实"},
    ),
}

FEEDBACK = {"content": 5, "instructor": 4, "organisation": 4, "comment": "很实用"}
FEEDBACK_READERS = {
    r: (200, 404) for r in ("class_teacher", "staff", "institution_admin", "hr_admin")
}

SUPERVISION_CASES = {
    "give_feedback": Case(
        "POST", "/api/v1/sessions/{session}/feedback", _expect(403, trainee=(422, 404)), FEEDBACK
    ),
    "my_feedback": Case("GET", "/api/v1/me/feedback", _expect(403, trainee=(200, 200))),
    "session_feedback": Case(
        "GET",
        "/api/v1/sessions/{session}/feedback-summary",
        _expect(403, instructor=(200, 404), **FEEDBACK_READERS),
    ),
    "class_feedback": Case(
        "GET", "/api/v1/classes/{class}/feedback-summary", _expect(403, **FEEDBACK_READERS)
    ),
    "instructor_feedback": Case(
        "GET",
        "/api/v1/instructors/{instructor}/feedback-summary?year=2026",
        _expect(403, hr_admin=(200, 200), instructor=(200, 404)),
    ),
    "issue_notice": Case(
        "POST",
        "/api/v1/institutions/{institution}/notices",
        _expect(403, hr_admin=(201, 404)),
        {"reason": "未按技术要点组织实施"},
    ),
    "list_notices": Case(
        "GET",
        "/api/v1/institutions/{institution}/notices",
        _expect(403, hr_admin=(200, 404), institution_admin=(200, 404)),
    ),
    "add_blacklist": Case(
        "POST",
        "/api/v1/blacklist",
        _expect(403, hr_admin=(201, 404)),
        {"kind": "institution", "subject_id": "{institution}", "reason": "培训成绩造假"},
    ),
    "list_blacklist": Case("GET", "/api/v1/blacklist", _expect(403, hr_admin=(200, 200))),
    "check_blacklist": Case(
        "GET",
        "/api/v1/blacklist/check?kind=trainee&subject_id={trainee}",
        _expect(403, hr_admin=(200, 200)),
    ),
    "lift_blacklist": Case(
        "POST",
        "/api/v1/blacklist/{blacklist}/lift",
        _expect(403, hr_admin=(200, 404)),
        {"reason": "经复核解除"},
    ),
    "record_inspection": Case(
        "POST",
        "/api/v1/inspections",
        _expect(403, hr_admin=(201, 404)),
        {
            "institution_id": "{institution}",
            "mode": "unannounced",
            "inspector": "市人社局检查组",
            "scores": [{"item": "teaching_delivery", "score": 80}],
        },
    ),
    "list_inspections": Case(
        "GET",
        "/api/v1/institutions/{institution}/inspections",
        _expect(403, hr_admin=(200, 404), institution_admin=(200, 404)),
    ),
    # 第十六条 reserves these to city-level HR: the matrix HR user (鼓楼 only) gets 403 too
    "instructor_action": Case(
        "POST",
        "/api/v1/instructors/{instructor}/actions",
        _expect(403),
        {"kind": "talk_reminder", "reason": "学员投诉授课迟到"},
    ),
    "list_instructor_actions": Case(
        "GET",
        "/api/v1/instructors/{instructor}/actions",
        _expect(403, hr_admin=(200, 200), instructor=(200, 404)),
    ),
}
CASES.update(SUPERVISION_CASES)


SERVICE_WRITERS = {r: (422, 404) for r in ("instructor", "class_teacher", "staff")}
TASK_READERS = {
    r: (200, 200) for r in ("class_teacher", "staff", "instructor", "institution_admin", "hr_admin")
}
TASK_WORKERS = {
    r: (404, 404) for r in ("class_teacher", "staff", "instructor", "institution_admin")
}

FOLLOWUP_CASES = {
    "my_followups": Case("GET", "/api/v1/me/followups", _expect(403, trainee=(200, 200))),
    "submit_survey": Case(
        "POST",
        "/api/v1/followups/{zero}/survey",
        _expect(403, trainee=(404, 404)),
        {"employment_status": "unemployed", "satisfaction": 3},
    ),
    "add_followup_service": Case(
        "POST",
        "/api/v1/trainees/{trainee}/followup-services",
        _expect(403, **SERVICE_WRITERS),  # a draft class is not in follow-up: 422
        {"kind": "phone_call", "served_at": "2026-11-20T10:00:00"},
    ),
    "list_followup_services": Case(
        "GET", "/api/v1/trainees/{trainee}/followup-services", _expect(403, **STAFF_VIEW)
    ),
    "followup_summary": Case(
        "GET", "/api/v1/classes/{class}/followup-summary", _expect(403, **STAFF_VIEW)
    ),
    "followup_overdue": Case(
        "GET",
        "/api/v1/followups/overdue",
        _expect(403, institution_admin=(200, 200), hr_admin=(200, 200)),
    ),
    "my_inbox": Case("GET", "/api/v1/me/inbox", _expect(200)),
    "read_inbox": Case("POST", "/api/v1/me/inbox/{zero}/read", _expect(404)),
    "record_subscriptions": Case(
        "POST", "/api/v1/me/subscriptions", _expect(200), {"results": {"tpl-notice": "accept"}}
    ),
    "my_subscriptions": Case("GET", "/api/v1/me/subscriptions", _expect(200)),
    "list_tasks": Case("GET", "/api/v1/tasks", _expect(403, **TASK_READERS)),
    "complete_task": Case(
        "POST",
        "/api/v1/tasks/{zero}/complete",
        _expect(403, **TASK_WORKERS),
        {"note": "已电话联系"},
    ),
}
CASES.update(FOLLOWUP_CASES)

EVIDENCE_UPLOADERS = {r: (400, 404) for r in ("trainee", "instructor", "institution_admin")}
INTEGRITY_CASES = {
    "verify_employment": Case(  # no evidence in the world: HR in scope gets 422
        "POST",
        "/api/v1/employment-outcomes/{employment}/verification",
        _expect(403, hr_admin=(422, 404)),
        {"decision": "verified", "methods": ["call_back"]},
    ),
    "upload_evidence": Case(  # no file sent: 400 for those in scope
        "POST",
        "/api/v1/employment-outcomes/{employment}/evidence",
        _expect(403, **EVIDENCE_UPLOADERS),
        {},
    ),
    "download_evidence": Case(
        "GET",
        "/api/v1/employment-evidence/{zero}",
        _expect(404, no_role=(403, 403)),
    ),
    "draw_spot_check": Case(  # the matrix class is a draft: nothing to sample
        "POST", "/api/v1/classes/{class}/spot-check", _expect(403, hr_admin=(409, 404))
    ),
    "get_spot_check": Case(  # none drawn
        "GET", "/api/v1/classes/{class}/spot-check", _expect(403, hr_admin=(404, 404))
    ),
    "spot_check_result": Case(
        "POST",
        "/api/v1/spot-check-items/{zero}/result",
        _expect(403, hr_admin=(404, 404)),
        {"result": "confirmed", "methods": ["call_back"]},
    ),
    "spot_check_resolution": Case(
        "POST",
        "/api/v1/spot-check-items/{zero}/resolution",
        _expect(403, hr_admin=(404, 404)),
        {"resolution": "已处理"},
    ),
    "class_integrity_flags": Case(
        "GET", "/api/v1/classes/{class}/integrity-flags", _expect(403, hr_admin=(200, 404))
    ),
    "integrity_flags": Case("GET", "/api/v1/integrity-flags", _expect(403, hr_admin=(200, 200))),
    "subsidy_roster_full": Case(
        "POST",
        "/api/v1/classes/{class}/subsidy/roster-full.xlsx",
        _expect(403, hr_admin=(200, 404), institution_admin=(200, 404)),
        {"reason": "向财政申请补贴"},
        reveals_pii=True,
    ),
    "fraud_finding": Case(  # nothing paid in the world: HR in scope gets 422
        "POST",
        "/api/v1/classes/{class}/fraud-findings",
        _expect(403, hr_admin=(422, 404)),
        {"reason": "材料造假"},
    ),
    "institution_clawbacks": Case(
        "GET",
        "/api/v1/institutions/{institution}/clawbacks",
        _expect(403, hr_admin=(200, 404), institution_admin=(200, 404)),
    ),
    "employment_claims": Case(
        "GET",
        "/api/v1/classes/{class}/employment-claims",
        _expect(403, hr_admin=(200, 404), institution_admin=(200, 404)),
    ),
}
CASES.update(INTEGRITY_CASES)

INSTITUTION_BODY = {
    "name": "矩阵测试培训学校",
    "credit_code": "52350102MJ00001234",
    "district": "{district}",
    "address": "福州市某路1号",
    "contact_name": "联系人",
    "contact_phone": "13905910009",
    "team_lead_name": "负责人",
    "team_lead_years": 5,
    "qualifications": [
        {"item": i, "met": True, "evidence": "证明材料"}
        for i in ("license", "management", "facilities", "team", "channels")
    ],
}
INSTITUTION_READERS = {"hr_admin": (200, 404), "institution_admin": (200, 404)}

ONBOARDING_CASES = {
    "list_institutions": Case(
        "GET",
        "/api/v1/institutions",
        _expect(403, hr_admin=(200, 200), institution_admin=(200, 200)),
    ),
    "register_institution": Case(  # district HR registers in its own district only
        "POST", "/api/v1/institutions", _expect(403, hr_admin=(201, 403)), INSTITUTION_BODY
    ),
    "get_institution": Case(
        "GET", "/api/v1/institutions/{institution}", _expect(403, **INSTITUTION_READERS)
    ),
    "patch_institution": Case(
        "PATCH",
        "/api/v1/institutions/{institution}",
        _expect(403, hr_admin=(200, 404)),
        {"address": "福州市新地址2号"},
    ),
}
CASES.update(ONBOARDING_CASES)

REFERENCE_CASES = {
    f"reference_{name}": Case("GET", f"/api/v1/reference/{name}", _expect(200))
    for name in ("districts", "occupations", "education-levels", "trainee-categories")
}
CASES.update(REFERENCE_CASES)

LEAVING_CASES = {  # the matrix class is a draft whose start date has passed: 409 in scope
    "remove_roster_row": Case(
        "POST",
        "/api/v1/classes/{class}/roster/{trainee}/remove",
        _expect(403, institution_admin=(409, 404)),
        {"reason": "报名重复"},
    ),
    "withdraw_trainee": Case(
        "POST",
        "/api/v1/classes/{class}/roster/{trainee}/withdraw",
        _expect(403, institution_admin=(409, 404), hr_admin=(409, 404)),
        {"reason": "illness"},
    ),
}
CASES.update(LEAVING_CASES)

REGISTRY_CASES = {
    "instructor_profile": Case(
        "GET",
        "/api/v1/instructors/{instructor}",
        _expect(403, hr_admin=(200, 200), institution_admin=(200, 200), instructor=(200, 404)),
    ),
    "patch_instructor": Case(  # 第十三条: city HR's; the matrix HR user (鼓楼) gets 403
        "PATCH", "/api/v1/instructors/{instructor}", _expect(403), {"specialities": ["面试技巧"]}
    ),
    "add_assignment": Case(
        "POST",
        "/api/v1/instructors/{instructor}/assignments",
        _expect(403, hr_admin=(201, 201)),
        {"request": "请承担2027年第1期授课任务"},
    ),
    "answer_assignment": Case(
        "POST",
        "/api/v1/instructor-assignments/{zero}/answer",
        _expect(403, hr_admin=(404, 404), instructor=(404, 404)),
        {"accepted": True},
    ),
    "add_training": Case(
        "POST",
        "/api/v1/instructors/{instructor}/trainings",
        _expect(403, hr_admin=(201, 201)),
        {"year": 2026, "title": "师资提升培训", "trained_on": "2026-06-01", "hours": "8"},
    ),
}
CASES.update(REGISTRY_CASES)

# The work queue, the lists behind it, certificates a trainee can find, 第十九条 cases.
WORK_QUEUE_CASES = {
    "my_work_queue": Case("GET", "/api/v1/me/work-queue", _expect(403, **ALL_ROLES)),
    "my_certificates": Case("GET", "/api/v1/me/certificates", _expect(403, trainee=(200, 200))),
    "list_leaves": Case(
        "GET", "/api/v1/leaves", _expect(403, hr_admin=(200, 200), instructor=(200, 200))
    ),
    "list_certification_applications": Case(
        "GET", "/api/v1/certification/applications", _expect(403, hr_admin=(200, 200))
    ),
    "list_substitution_cases": Case(
        "GET", "/api/v1/substitution-cases", _expect(403, hr_admin=(200, 200))
    ),
    "decide_substitution_case": Case(
        "POST",
        "/api/v1/substitution-cases/{zero}/decision",
        _expect(403, hr_admin=(404, 404)),
        {"decision": "dismiss", "reason": "讲师已补签到"},
    ),
}
CASES.update(WORK_QUEUE_CASES)


TRAINEE_ONLY = {"trainee": (200, 200)}
PRACTICE_CASES = {
    "interest_test": Case("GET", "/api/v1/practice/interest-test", _expect(403, **TRAINEE_ONLY)),
    "take_interest_test": Case(
        "POST",
        "/api/v1/practice/interest-test",
        _expect(403, trainee=(201, 201)),
        {"answers": [3] * 30},
    ),
    "interest_result": Case(  # none taken yet
        "GET", "/api/v1/practice/interest-test/result", _expect(403, trainee=(404, 404))
    ),
    "get_resume": Case("GET", "/api/v1/practice/resume", _expect(403, **TRAINEE_ONLY)),
    "put_resume": Case(
        "PUT", "/api/v1/practice/resume", _expect(403, **TRAINEE_ONLY), {"intention": "做销售"}
    ),
    "resume_pdf": Case("GET", "/api/v1/practice/resume.pdf", _expect(403, **TRAINEE_ONLY)),
    "apply_with_resume": Case(
        "POST", "/api/v1/practice/jobs/{zero}/apply", _expect(403, trainee=(404, 404)), {}
    ),
    "attached_resume": Case(
        "GET",
        "/api/v1/practice/applications/{zero}/resume.pdf",
        _expect(403, trainee=(404, 404)),
    ),
    "interview_questions": Case(
        "GET",
        "/api/v1/practice/interview-questions?occupation_code=4-01-02-01",
        _expect(403, trainee=(200, 200), instructor=(200, 200)),
    ),
    "start_interview": Case(
        "POST",
        "/api/v1/practice/interviews",
        _expect(403, trainee=(201, 201)),
        {"occupation_code": "4-01-02-01"},
    ),
    "my_interviews": Case("GET", "/api/v1/practice/interviews", _expect(403, **TRAINEE_ONLY)),
    "interview_progress": Case(
        "GET", "/api/v1/practice/interviews/progress", _expect(403, **TRAINEE_ONLY)
    ),
    "interview_detail": Case(
        "GET",
        "/api/v1/practice/interviews/{interview}",
        _expect(403, trainee=(200, 404), instructor=(200, 404)),
    ),
    "answer_interview": Case(  # the world's interview is finished: 409
        "POST",
        "/api/v1/practice/interviews/{interview}/answers",
        _expect(403, trainee=(409, 404)),
        {"question_index": 0, "text": "我有两年销售经验。"},
    ),
    "finish_interview": Case(
        "POST",
        "/api/v1/practice/interviews/{interview}/finish",
        _expect(403, trainee=(200, 404)),
    ),
    "review_interview": Case(
        "POST",
        "/api/v1/practice/interviews/{interview}/reviews",
        _expect(403, instructor=(200, 404)),
        {"structure": 3, "relevance": 3, "expression": 3, "job_fit": 3},
    ),
    "class_interview_progress": Case(
        "GET",
        "/api/v1/practice/classes/{class}/interview-progress",
        _expect(403, instructor=(200, 404)),
    ),
}
CASES.update(PRACTICE_CASES)

BANK_KEEPERS = {"instructor": (200, 200), "hr_admin": (200, 200)}
TEST_READERS = {"trainee": (200, 404), **STAFF_VIEW}
QUESTION = {
    "kind": "single",
    "stem": "简历最应突出什么？",
    "options": ["爱好", "经历"],
    "answer": "B",
}
TEST_CASES = {
    "create_bank": Case(
        "POST",
        "/api/v1/practice/banks",
        _expect(403, instructor=(201, 201), hr_admin=(201, 201)),
        {"title": "求职基础题库"},
    ),
    "list_banks": Case("GET", "/api/v1/practice/banks", _expect(403, **BANK_KEEPERS)),
    "bank_questions": Case(
        "GET",
        "/api/v1/practice/banks/{bank}/questions",
        _expect(403, instructor=(200, 404), hr_admin=(404, 404)),
    ),
    "add_bank_question": Case(
        "POST",
        "/api/v1/practice/banks/{bank}/questions",
        _expect(403, instructor=(201, 404), hr_admin=(404, 404)),
        QUESTION,
    ),
    "import_bank": Case(  # a JSON body is no workbook: 400 for the keeper
        "POST",
        "/api/v1/practice/banks/{bank}/import",
        _expect(403, instructor=(400, 404), hr_admin=(404, 404)),
        {},
    ),
    "set_test": Case(
        "POST",
        "/api/v1/practice/classes/{class}/tests",
        _expect(403, instructor=(201, 404)),
        {
            "title": "结业测试",
            "bank_id": "{bank}",
            "duration_minutes": 30,
            "opens_at": "2026-11-23T09:00:00+08:00",
            "closes_at": "2026-11-23T18:00:00+08:00",
        },
    ),
    "class_tests": Case(
        "GET", "/api/v1/practice/classes/{class}/tests", _expect(403, **TEST_READERS)
    ),
    "start_attempt": Case(  # the world's trainee used the one attempt: 409
        "POST", "/api/v1/practice/tests/{test}/attempts", _expect(403, trainee=(409, 404))
    ),
    "test_attempts": Case(
        "GET", "/api/v1/practice/tests/{test}/attempts", _expect(403, **STAFF_VIEW)
    ),
    "attempt_detail": Case(
        "GET", "/api/v1/practice/attempts/{attempt}", _expect(403, **TEST_READERS)
    ),
    "save_answers": Case(
        "PUT",
        "/api/v1/practice/attempts/{attempt}/answers",
        _expect(403, trainee=(409, 404)),
        {"answers": {}},
    ),
    "submit_attempt": Case(
        "POST",
        "/api/v1/practice/attempts/{attempt}/submit",
        _expect(403, trainee=(409, 404)),
        {"answers": {}},
    ),
    "grade_attempt": Case(  # question 1 is not a short answer: 400
        "POST",
        "/api/v1/practice/attempts/{attempt}/grade",
        _expect(403, instructor=(400, 404)),
        {"grades": [{"question_id": 1, "points": 1}]},
    ),
    "allow_attempts": Case(
        "POST",
        "/api/v1/practice/tests/{test}/allowances",
        _expect(403, instructor=(200, 404)),
        {"trainee_id": "{trainee}", "extra_attempts": 1},
    ),
    "feed_assessment": Case(
        "POST",
        "/api/v1/practice/tests/{test}/assessment",
        _expect(403, instructor=(200, 404)),
        {"practical_scores": []},
    ),
    "test_assessment": Case(
        "GET", "/api/v1/practice/tests/{test}/assessment", _expect(403, **STAFF_VIEW)
    ),
}
CASES.update(TEST_CASES)

MATERIAL_READERS = {"trainee": (200, 404), **STAFF_VIEW}
MATERIAL_CASES = {
    "upload_material": Case(  # a JSON body carries no file: 400 for the class's instructor
        "POST",
        "/api/v1/practice/sessions/{session}/materials",
        _expect(403, instructor=(400, 404)),
        {},
    ),
    "add_material_link": Case(
        "POST",
        "/api/v1/practice/sessions/{session}/links",
        _expect(403, instructor=(201, 404)),
        {"title": "面试礼仪视频", "url": "https://example.org/video"},
    ),
    "session_materials": Case(
        "GET", "/api/v1/practice/sessions/{session}/materials", _expect(403, **MATERIAL_READERS)
    ),
    "material_file": Case(
        "GET", "/api/v1/practice/materials/{material}/file", _expect(403, **MATERIAL_READERS)
    ),
    "remove_material": Case(
        "DELETE", "/api/v1/practice/materials/{material}", _expect(403, instructor=(204, 404))
    ),
    "my_materials": Case("GET", "/api/v1/practice/my-materials", _expect(403, **TRAINEE_ONLY)),
}
CASES.update(MATERIAL_CASES)
# 扫码登录: the browser's routes answer anyone (the ticket cookie decides); only staff
# confirm a ticket on the phone, and an unknown ticket is 404 for them.
CONSOLE_STAFF = {
    r: (404, 404) for r in ("class_teacher", "staff", "instructor", "institution_admin", "hr_admin")
}
WEB_LOGIN_CASES = {
    "web_login_start": Case("POST", "/api/v1/auth/web-login", {a: (201, 201) for a in ACTORS}),
    "web_login_state": Case(
        "GET", "/api/v1/auth/web-login/{zero}", {a: (404, 404) for a in ACTORS}
    ),
    "web_login_confirm": Case(
        "POST", "/api/v1/auth/web-login/{zero}/confirm", _expect(403, **CONSOLE_STAFF)
    ),
    "web_login_session": Case(
        "POST", "/api/v1/auth/web-login/{zero}/session", {a: (404, 404) for a in ACTORS}
    ),
    "dashboard_xlsx": Case(
        "GET",
        "/api/v1/dashboard.xlsx?by=district&start=2026-01-01&end=2026-12-31",
        _expect(403, hr_admin=(200, 200)),
    ),
}
CASES.update(WEB_LOGIN_CASES)


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize("which", [OWN, FOREIGN])
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case_name", sorted(CASES))
async def test_route_answers_each_role_as_designed(
    client: Client, case_name: str, actor: str, which: str
) -> None:
    case = CASES[case_name]
    world = await build_world()
    ids = world.ids[which]
    user = world.users[actor]
    headers = auth(user) if user is not None else {}
    path = case.path.format(**ids)
    kwargs: dict[str, Any] = {"headers": headers}
    if case.body is not None:
        kwargs["json"] = _fill(case.body, ids)
    response = await client.request(case.method, path, **kwargs)
    expected = case.expect[actor][0 if which == OWN else 1]
    assert response.status == expected, response.text
    if not (case.reveals_pii and response.status == 200):
        leaked = [s for s in world.secrets if s in response.text]
        assert leaked == [], f"{case_name} leaked full ID-card or phone numbers"
    if "json" in response.headers.get("Content-Type", ""):
        # The body is what the document says it is (the document and the code cannot drift).
        document = await _document(client)
        wrong = problems(document, case.method, path, response.status, response.json)
        assert wrong == [], "\n".join(wrong)


_DOCUMENT: list[dict[str, Any]] = []


async def _document(client: Client) -> dict[str, Any]:
    if not _DOCUMENT:
        _DOCUMENT.append((await client.get("/api/v1/openapi.json")).json)
    return _DOCUMENT[0]


def _pattern(path: str) -> str:
    """A path with its parameters blanked: /a/{x}/b and /a/<x:int>/b both give /a/*/b."""
    import re

    return re.sub(r"[{<][^}>]*[}>]", "*", path.split("?")[0])


def test_every_route_of_the_app_is_in_the_matrix(app: Sanic) -> None:
    covered = {(c.method, _pattern(c.path)) for c in CASES.values()}
    missing = []
    for route in app.router.routes:
        path = "/" + route.path
        if not path.startswith("/api/v1") or path.startswith("/api/v1/_"):
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            if (method, _pattern(path)) not in covered:
                missing.append(f"{method} {path}")
    assert missing == []


def _declared_access(handler: Any) -> Any:
    while handler is not None:
        if hasattr(handler, "route_access"):
            return handler.route_access
        handler = getattr(handler, "__wrapped__", None) or getattr(handler, "func", None)
    return None


def test_every_route_declares_who_may_call_it(app: Sanic) -> None:
    undeclared = [
        f"/{route.path}: {route.handler!r}"
        for route in app.router.routes
        if route.path.startswith("api/v1")
        and not route.methods <= {"OPTIONS", "HEAD"}
        and _declared_access(route.handler) is None
        and route.name.split(".")[-1] != "openapi_document"
    ]
    assert undeclared == []
