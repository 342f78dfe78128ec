"""Instructor registry profiles, HR assignment requests and answers, yearly instructor training.

Readers: HR, institution admins (they choose instructors for a plan and see the annual
evaluation there, 第十五条), and the instructor themself. City HR keeps the profile (第十三条);
any HR records assignment requests, answers (第十六条(四)) and training (第二十六条).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_city_hr, require_role
from backend.accounts.instructors import InstructorView, instructor_view
from backend.accounts.models import Instructor, Role
from backend.classes.models import TrainingClass
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.instructor_registry.models import (
    AssignmentAnswer,
    InstructorAssignment,
    InstructorProfile,
    InstructorTraining,
)
from backend.security.audit import record_audit
from backend.supervision.models import InstructorEvaluation

REFUSALS_GROUND = 3  # 第十六条(四): 上一年度累计三次拒不接受人社部门调配管理
PROFILE_FIELDS = ("organisation", "qualifications", "specialities", "certificate_date", "bio")
READERS = frozenset({Role.HR_ADMIN, Role.INSTITUTION_ADMIN, Role.INSTRUCTOR})
# HR keeps the registry: profiles (第十三条), 调配 (第十六条(四)), 师资培养 (第二十六条).
KEEPERS = frozenset({Role.HR_ADMIN})
# A 调配 is answered by its instructor, or the answer is recorded by HR (第十六条(四)).
ASSIGNMENT_ANSWERERS = frozenset({Role.HR_ADMIN, Role.INSTRUCTOR})


async def _readable(actor: Actor, instructor_id: int) -> Instructor:
    require_role(actor, READERS)
    instructor = await Instructor.get_or_none(id=instructor_id)
    if instructor is not None and (
        actor.has_any({Role.HR_ADMIN, Role.INSTITUTION_ADMIN})
        or actor.instructor_id == instructor.id
    ):
        return instructor
    raise NotFound("讲师不存在或不在您的查看范围内", code="INSTRUCTOR_NOT_FOUND")


@dataclass(frozen=True, slots=True)
class EvaluationView:
    """第十五条: an annual evaluation's year, score (as a string) and findings."""

    year: int
    score: str
    findings: str


@dataclass(frozen=True, slots=True)
class RegistryRow(InstructorView):
    """A registry row with the profile's specialities and the latest evaluation."""

    specialities: list[str]
    certificate_date: date | None
    last_evaluation: EvaluationView | None


@dataclass(frozen=True, slots=True)
class AssignmentView:
    """An assignment request (第十六条) and the instructor's answer."""

    id: int
    class_id: int | None
    request: str
    requested_on: date
    answer: str
    answered_on: date | None
    refusal_reason: str


@dataclass(frozen=True, slots=True)
class TrainingView:
    """A yearly training of the instructor (第二十六条), its hours as a string."""

    year: int
    title: str
    trained_on: date
    hours: str


@dataclass(frozen=True, slots=True)
class InstructorFile(InstructorView):
    """The whole registry file: profile, evaluations, assignments, training."""

    organisation: str
    qualifications: list[str]
    specialities: list[str]
    certificate_date: date | None
    bio: str
    evaluations: list[EvaluationView]
    assignments: list[AssignmentView]
    refusals_last_year: int
    refusal_ground: bool
    trainings: list[TrainingView]
    trained_this_year: bool


async def latest_evaluations(instructor_ids: list[int]) -> dict[int, EvaluationView]:
    """第十五条: each instructor's latest recorded annual evaluation (year, score, findings)."""
    rows = await InstructorEvaluation.filter(instructor_id__in=instructor_ids).order_by("year")
    return {
        r.instructor_id: EvaluationView(
            year=r.year,
            score=str(r.snapshot.get("score", "")) if isinstance(r.snapshot, dict) else "",
            findings=r.findings,
        )
        for r in rows
    }


async def registry_page(instructors: list[Instructor]) -> list[RegistryRow]:
    """Registry rows with profile and latest evaluation, as institutions choose from them."""
    ids = [i.id for i in instructors]
    profiles = {p.instructor_id: p for p in await InstructorProfile.filter(instructor_id__in=ids)}
    evaluations = await latest_evaluations(ids)
    return [
        RegistryRow(
            **asdict(instructor_view(i)),
            specialities=list(profiles[i.id].specialities) if i.id in profiles else [],
            certificate_date=profiles[i.id].certificate_date if i.id in profiles else None,
            last_evaluation=evaluations.get(i.id),
        )
        for i in instructors
    ]


def assignment_view(a: InstructorAssignment) -> AssignmentView:
    """An assignment as responses show it."""
    return AssignmentView(
        id=a.id,
        class_id=a.training_class_id,
        request=a.request,
        requested_on=a.requested_on,
        answer=a.answer.value,
        answered_on=a.answered_on,
        refusal_reason=a.refusal_reason,
    )


async def instructor_profile(*, actor: Actor, instructor_id: int) -> InstructorFile:
    """The whole registry file: profile, standing, evaluations, assignments, training."""
    instructor = await _readable(actor, instructor_id)
    profile = await InstructorProfile.get_or_none(instructor_id=instructor.id)
    last_year = clock.today().year - 1
    assignments = await InstructorAssignment.filter(
        instructor_id=instructor.id, requested_on__gte=date(last_year, 1, 1)
    ).order_by("-requested_on", "-id")
    refusals = sum(
        1
        for a in assignments
        if a.answer is AssignmentAnswer.REFUSED and a.requested_on.year == last_year
    )
    trainings = await InstructorTraining.filter(instructor_id=instructor.id).order_by("-trained_on")
    evaluations = await InstructorEvaluation.filter(instructor_id=instructor.id).order_by("-year")
    return InstructorFile(
        **asdict(instructor_view(instructor)),
        # the profile's fields are empty for an instructor registered before profiles existed
        organisation=profile.organisation if profile else "",
        qualifications=list(profile.qualifications) if profile else [],
        specialities=list(profile.specialities) if profile else [],
        certificate_date=profile.certificate_date if profile else None,
        bio=profile.bio if profile else "",
        evaluations=[
            EvaluationView(year=e.year, score=str(e.snapshot.get("score", "")), findings=e.findings)
            for e in evaluations
        ],
        assignments=[assignment_view(a) for a in assignments],
        refusals_last_year=refusals,
        # 第十六条(四): a ground for HR's measures, shown to HR, not applied automatically
        refusal_ground=refusals >= REFUSALS_GROUND,
        trainings=[
            TrainingView(year=t.year, title=t.title, trained_on=t.trained_on, hours=str(t.hours))
            for t in trainings
        ],
        trained_this_year=any(t.year == clock.today().year for t in trainings),
    )


async def save_profile(*, actor: Actor, instructor_id: int, changes: dict[str, Any]) -> None:
    """City HR keeps the profile (第十三条: the city bureau certifies instructors); audited."""
    require_city_hr(actor, "第十三条")
    if not await Instructor.exists(id=instructor_id):
        raise NotFound("讲师不存在", code="INSTRUCTOR_NOT_FOUND")
    columns = InstructorProfile._meta.fields_map
    # None clears only a column that may be empty; elsewhere it means "unchanged" (was a 500).
    values = {
        k: v
        for k, v in changes.items()
        if k in PROFILE_FIELDS and (v is not None or (k in columns and columns[k].null))
    }
    async with in_transaction():
        profile, _ = await InstructorProfile.get_or_create(instructor_id=instructor_id)
        for key, value in values.items():
            setattr(profile, key, value)
        await profile.save()
        await record_audit(
            actor_id=actor.user_id,
            action="instructor.profile",
            target_type="instructor",
            target_id=instructor_id,
            details={"fields": sorted(values)},
        )


async def request_assignment(
    *, actor: Actor, instructor_id: int, request: str, class_id: int | None
) -> InstructorAssignment:
    """HR asks an instructor to take a teaching task (调配), recorded for 第十六条(四)."""
    require_role(actor, KEEPERS)
    if not await Instructor.exists(id=instructor_id):
        raise NotFound("讲师不存在", code="INSTRUCTOR_NOT_FOUND")
    if class_id is not None and not await TrainingClass.exists(id=class_id):
        raise NotFound("培训班不存在", code="CLASS_NOT_FOUND")
    return await InstructorAssignment.create(
        instructor_id=instructor_id,
        training_class_id=class_id,
        request=request.strip(),
        requested_on=clock.today(),
        requested_by_id=actor.user_id,
    )


async def answer_assignment(
    *, actor: Actor, assignment_id: int, accepted: bool, reason: str = ""
) -> InstructorAssignment:
    """The instructor's answer, given by them or recorded by HR; a refusal needs a reason."""
    require_role(actor, ASSIGNMENT_ANSWERERS)
    async with in_transaction():
        item = await InstructorAssignment.filter(id=assignment_id).select_for_update().first()
        if item is None:
            raise NotFound("调配记录不存在", code="ASSIGNMENT_NOT_FOUND")
        if Role.HR_ADMIN not in actor.roles and actor.instructor_id != item.instructor_id:
            raise Forbidden("只能答复给本人的调配", code="SCOPE_FORBIDDEN")
        if item.answer is not AssignmentAnswer.PENDING:
            raise Conflict("该调配已答复", code="ASSIGNMENT_ANSWERED")
        if not accepted and not reason.strip():
            raise InvalidInput("拒绝调配须填写原因（第十六条）", code="REASON_REQUIRED")
        item.answer = AssignmentAnswer.ACCEPTED if accepted else AssignmentAnswer.REFUSED
        item.answered_on, item.refusal_reason = clock.today(), reason.strip()
        item.recorded_by_id = actor.user_id
        await item.save()
    return item


async def record_training(
    *, actor: Actor, instructor_id: int, year: int, title: str, trained_on: date, hours: Decimal
) -> InstructorTraining:
    """第二十六条: HR records the training an instructor attended in a year."""
    require_role(actor, KEEPERS)
    if trained_on.year != year:
        raise InvalidInput("培训日期须在所填年度内", code="TRAINING_DATE_OUTSIDE_YEAR")
    if not await Instructor.exists(id=instructor_id):
        raise NotFound("讲师不存在", code="INSTRUCTOR_NOT_FOUND")
    return await InstructorTraining.create(
        instructor_id=instructor_id,
        year=year,
        title=title.strip(),
        trained_on=trained_on,
        hours=hours,
        recorded_by_id=actor.user_id,
    )
