"""第十一、十三条: from instructor-class candidate to certified instructor, only through the
recorded steps: screening interview → training assessment → at least one observation record
signed by the observed class's lead instructor → application → HR's decision, which issues
the certificate number the instructor registry uses."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_city_hr, require_role
from backend.accounts.models import Instructor, InstructorStatus, Role
from backend.accounts.service import grant_role
from backend.classes.models import ClassInstructor, TrainingClass
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from backend.events.service import EventKind, record_event
from backend.programme.models import (
    ApplicationStatus,
    CertificationApplication,
    CertificationCandidate,
    ObservationRecord,
    Screening,
)
from backend.security.audit import record_audit

PASS_MARK = Decimal("60")
# 第十一、十三条: 市级人社部门 screens and assesses the candidates and certifies them (the decision
# itself is city HR's: `require_city_hr`).
CERTIFIERS = frozenset({Role.HR_ADMIN})
SIGNERS = frozenset({Role.INSTRUCTOR})  # 第十三条: the observed class's lead instructor signs
# A candidate records their 跟班观摩 and applies, or HR does it for them (`_may_act_for`); a
# candidate's account may hold any of these roles (第十一条: 公共就业服务机构人员、高校教师等).
APPLICANTS = frozenset(
    {Role.HR_ADMIN, Role.TRAINEE, Role.INSTRUCTOR, Role.STAFF, Role.CLASS_TEACHER}
)


async def _candidate(candidate_id: int) -> CertificationCandidate:
    candidate = await CertificationCandidate.get_or_none(id=candidate_id)
    if candidate is None:
        raise NotFound("师资班学员不存在", code="CANDIDATE_NOT_FOUND")
    return candidate


async def add_candidate(
    *, actor: Actor, name: str, background: str, user_id: int | None
) -> CertificationCandidate:
    """HR registers an instructor-class candidate (第十一条)."""
    require_role(actor, CERTIFIERS)
    return await CertificationCandidate.create(name=name, background=background, user_id=user_id)


async def record_screening(
    *, actor: Actor, candidate_id: int, passed: bool, note: str
) -> CertificationCandidate:
    """第十一条: the screening interview before the instructor class."""
    require_role(actor, CERTIFIERS)
    candidate = await _candidate(candidate_id)
    candidate.screening = Screening.PASSED if passed else Screening.FAILED
    candidate.screening_note = note
    await candidate.save()
    return candidate


async def record_assessment(
    *, actor: Actor, candidate_id: int, score: Decimal
) -> CertificationCandidate:
    """第十三条: the instructor-class assessment (合格 at 60 or above)."""
    require_role(actor, CERTIFIERS)
    candidate = await _candidate(candidate_id)
    if candidate.screening != Screening.PASSED:
        raise RuleViolation(
            "未通过面试筛选的人员不能参加师资班考核（第十一条）", code="SCREENING_NOT_PASSED"
        )
    candidate.assessment_score, candidate.assessment_passed = score, score >= PASS_MARK
    await candidate.save()
    return candidate


def _may_act_for(actor: Actor, candidate: CertificationCandidate) -> bool:
    return Role.HR_ADMIN in actor.roles or (
        candidate.user_id is not None and candidate.user_id == actor.user_id
    )


async def add_observation(
    *, actor: Actor, candidate_id: int, class_id: int, start: Any, end: Any, observed: str
) -> ObservationRecord:
    """The candidate (or HR) records a 跟班观摩 of a class; it counts once signed off."""
    candidate = await _candidate(candidate_id)
    if not _may_act_for(actor, candidate):
        raise NotFound("师资班学员不存在", code="CANDIDATE_NOT_FOUND")
    if not await TrainingClass.exists(id=class_id):
        raise NotFound("培训班不存在", code="CLASS_NOT_FOUND")
    if end < start or not observed.strip():
        raise InvalidInput("请填写观摩日期和观摩内容", code="OBSERVATION_INVALID")
    return await ObservationRecord.create(
        candidate_id=candidate.id,
        training_class_id=class_id,
        start_date=start,
        end_date=end,
        observed=observed,
    )


async def sign_off_observation(*, actor: Actor, observation_id: int) -> ObservationRecord:
    """Only the lead instructor of the observed class signs the record (第十三条)."""
    require_role(actor, SIGNERS)
    record = await ObservationRecord.get_or_none(id=observation_id)
    if record is None:
        raise NotFound("观摩记录不存在", code="OBSERVATION_NOT_FOUND")
    is_lead = await ClassInstructor.exists(
        training_class_id=record.training_class_id, instructor_id=actor.instructor_id, is_lead=True
    )
    if not is_lead:
        raise Forbidden("只有被观摩班级的主讲讲师可以签字确认", code="NOT_LEAD_INSTRUCTOR")
    record.signed_off_by_id, record.signed_off_at = actor.instructor_id, clock.now()
    await record.save()
    return record


async def apply_for_certificate(
    *, actor: Actor, candidate_id: int, materials: list[str]
) -> CertificationApplication:
    """第十三条: assessed 合格 and at least one signed observation record, then apply."""
    candidate = await _candidate(candidate_id)
    if not _may_act_for(actor, candidate):
        raise NotFound("师资班学员不存在", code="CANDIDATE_NOT_FOUND")
    if not candidate.assessment_passed:
        raise RuleViolation(
            "师资班考核合格后方可申请师资认证（第十三条）", code="ASSESSMENT_NOT_PASSED"
        )
    if not await ObservationRecord.exists(candidate_id=candidate.id, signed_off_at__isnull=False):
        raise RuleViolation(
            "须参加1次及以上跟班观摩学习，并提交经主讲讲师签字的《跟班观摩学习记录表》后方可申请（第十三条）",
            code="OBSERVATION_REQUIRED",
        )
    if await CertificationApplication.exists(
        candidate_id=candidate.id, status=ApplicationStatus.SUBMITTED
    ):
        raise Conflict("认证申请已提交，等待审核", code="APPLICATION_PENDING")
    async with in_transaction():
        application = await CertificationApplication.create(
            candidate_id=candidate.id, materials=materials
        )
        await _application_event(application, candidate, EventKind.CERTIFICATION_APPLIED)
    return application


async def _application_event(
    application: CertificationApplication,
    candidate: CertificationCandidate,
    kind: EventKind,
    **data: str,
) -> None:
    """Record an event about a certification application (city-level HR decides, 第十三条)."""
    await record_event(
        kind=kind,
        dedupe_key=f"{kind.value}:application:{application.id}",
        user_id=candidate.user_id,
        subject=("certification_application", application.id),
        data={"candidate_name": candidate.name, "page": "pages/work/index", **data},
    )


def certificate_number(year: int, application_id: int) -> str:
    """《求职能力实训师资证书》 number: unique by construction (the application's id)."""
    return f"FZQZSX-{year}-{application_id:05d}"


async def decide_application(
    *, actor: Actor, application_id: int, approve: bool, note: str = ""
) -> CertificationApplication:
    """City HR decides; approval issues the certificate and enters the registry (第十三条)."""
    require_city_hr(actor, "第十三条")
    async with in_transaction():
        application = (
            await CertificationApplication.filter(id=application_id).select_for_update().first()
        )
        if application is None:
            raise NotFound("认证申请不存在", code="APPLICATION_NOT_FOUND")
        if application.status != ApplicationStatus.SUBMITTED:
            raise Conflict("该申请已处理", code="APPLICATION_DECIDED")
        application.decided_by_id, application.decided_at = actor.user_id, clock.now()
        application.decision_note = note
        candidate = await CertificationCandidate.get(id=application.candidate_id)
        if not approve:
            application.status = ApplicationStatus.REJECTED
            await application.save()
            await _application_event(
                application, candidate, EventKind.CERTIFICATION_REJECTED, reason=note or "无"
            )
            return application
        await _issue_certificate(actor, application)
        await _application_event(
            application,
            candidate,
            EventKind.CERTIFICATION_APPROVED,
            certificate_no=application.certificate_no or "",
        )
    return application


async def _issue_certificate(actor: Actor, application: CertificationApplication) -> None:
    candidate = await CertificationCandidate.get(id=application.candidate_id)
    number = certificate_number(clock.today().year, application.id)
    link_user = (
        candidate.user_id if not await Instructor.exists(user_id=candidate.user_id) else None
    )
    instructor = await Instructor.create(
        name=candidate.name,
        certificate_no=number,
        status=InstructorStatus.ACTIVE,
        user_id=link_user,
    )
    if link_user is not None:
        await grant_role(user_id=link_user, role=Role.INSTRUCTOR, granted_by_id=actor.user_id)
    application.status, application.certificate_no = ApplicationStatus.APPROVED, number
    await application.save()
    candidate.instructor_id = instructor.id
    await candidate.save()
    await record_audit(
        actor_id=actor.user_id,
        action="certificate.issue",
        target_type="instructor",
        target_id=instructor.id,
        details={"certificate_no": number, "candidate_id": candidate.id},
    )


@dataclass(frozen=True)
class ObservationBrief:
    """An observation record of a candidate: which class, signed or not."""

    id: int
    class_id: int
    signed: bool


@dataclass(frozen=True)
class ApplicationBrief:
    """An application of a candidate and its outcome."""

    id: int
    status: str
    certificate_no: str | None


@dataclass(frozen=True)
class CandidateView:
    """A candidate with where they stand on the path to the certificate."""

    id: int
    name: str
    background: str
    screening: str
    assessment_score: str | None
    assessment_passed: bool | None
    instructor_id: int | None
    observations: list[ObservationBrief]
    applications: list[ApplicationBrief]


async def candidate_view(candidate: CertificationCandidate) -> CandidateView:
    """A candidate with where they stand on the path to the certificate."""
    observations = await ObservationRecord.filter(candidate_id=candidate.id).order_by("id")
    applications = await CertificationApplication.filter(candidate_id=candidate.id).order_by("id")
    score = candidate.assessment_score
    return CandidateView(
        id=candidate.id,
        name=candidate.name,
        background=candidate.background,
        screening=candidate.screening.value,
        assessment_score=str(score) if score is not None else None,
        assessment_passed=candidate.assessment_passed,
        instructor_id=candidate.instructor_id,
        observations=[
            ObservationBrief(o.id, o.training_class_id, o.signed_off_at is not None)
            for o in observations
        ],
        applications=[
            ApplicationBrief(a.id, a.status.value, a.certificate_no) for a in applications
        ],
    )


async def list_applications(
    *, actor: Actor, status: ApplicationStatus | None, offset: int, limit: int
) -> tuple[int, list[CertificationApplication]]:
    """Certification applications for HR, oldest first (the order they wait in)."""
    require_role(actor, CERTIFIERS)
    query = CertificationApplication.all()
    if status is not None:
        query = query.filter(status=status)
    total = await query.count()
    items = (
        await query.order_by("created_at", "id")
        .offset(offset)
        .limit(limit)
        .prefetch_related("candidate")
    )
    return total, items
