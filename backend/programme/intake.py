"""第八条(四) 培训需求分析: intake forms, interview notes, and the class summary for instructors.

Trainees fill the form before their class starts; flagged special needs reach the class
teacher through the in-app inbox (the outbox); instructors of the class see the summary
before teaching, and nobody outside the class does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role
from backend.classes.models import (
    OPEN_FOR_INTAKE,
    ClassStaff,
    Enrolment,
    EnrolmentStatus,
    StaffDuty,
    TrainingClass,
)
from backend.classes.scope import authorize_class
from backend.errors import InvalidInput, NotFound, RuleViolation
from backend.notifications.models import Channel
from backend.notifications.outbox import enqueue
from backend.programme.models import IntakeForm, InterviewNote

OBSTACLES = {
    "no_experience": "缺乏工作经验",
    "unclear_goal": "求职目标不明确",
    "interview_skills": "面试技巧不足",
    "resume": "不会写简历",
    "skills_mismatch": "专业技能与岗位不匹配",
    "confidence": "缺乏自信",
    "information": "缺少岗位信息渠道",
}
SPECIAL_NEEDS = {
    "disability": "残疾",
    "caring_duties": "需照护家人",
    "health": "健康状况需关照",
    "pregnancy": "孕期或哺乳期",
    "financial_hardship": "经济困难",
    "other": "其他",
}
SUMMARY_ROLES = {
    Role.INSTRUCTOR,
    Role.CLASS_TEACHER,
    Role.STAFF,
    Role.INSTITUTION_ADMIN,
    Role.HR_ADMIN,
}
# 第八条(四) 培训需求分析: the trainee answers the intake form; the class's staff and its
# instructors hold the short interview and note it.
RESPONDENTS = frozenset({Role.TRAINEE})
INTERVIEWERS = frozenset({Role.CLASS_TEACHER, Role.STAFF, Role.INSTRUCTOR})


@dataclass(frozen=True)
class IntakeInput:
    """What the trainee answers."""

    education_level: str
    knowledge_level: int
    desired_occupations: list[str]
    intention: str
    obstacles: list[str]
    special_needs: list[str]
    special_needs_note: str
    availability: str


def _check_choices(data: IntakeInput) -> None:
    unknown = [o for o in data.obstacles if o not in OBSTACLES] + [
        n for n in data.special_needs if n not in SPECIAL_NEEDS
    ]
    if unknown:
        raise InvalidInput("选项不正确：" + "、".join(unknown), code="INTAKE_CHOICE_UNKNOWN")
    if not 1 <= data.knowledge_level <= 5:
        raise InvalidInput("求职知识掌握程度应为1至5", code="INTAKE_CHOICE_UNKNOWN")


async def _own_enrolment(actor: Actor, class_id: int) -> Enrolment:
    require_role(actor, RESPONDENTS)
    enrolment = await Enrolment.get_or_none(
        training_class_id=class_id, trainee_id=actor.trainee_id, status=EnrolmentStatus.ENROLLED
    )
    if enrolment is None:
        raise NotFound("您未报名该培训班", code="CLASS_NOT_FOUND")
    return enrolment


async def submit_intake(*, actor: Actor, class_id: int, data: IntakeInput) -> IntakeForm:
    """A trainee fills or updates the intake form of a class that has not started yet."""
    enrolment = await _own_enrolment(actor, class_id)
    klass = await TrainingClass.get(id=class_id)
    if klass.status not in OPEN_FOR_INTAKE or clock.today() >= klass.start_date:
        raise RuleViolation(
            "培训需求调查须在开班前填写（第八条）",
            code="INTAKE_CLOSED",
            details={"start_date": klass.start_date.isoformat()},
        )
    _check_choices(data)
    async with in_transaction():
        form, _ = await IntakeForm.update_or_create(
            defaults=dict(data.__dict__), enrolment_id=enrolment.id
        )
        if data.special_needs:
            await _tell_class_teacher(klass, enrolment, data)
        await _seed_job_profile(enrolment.trainee_id, data)
    return form


async def _seed_job_profile(trainee_id: int, data: IntakeInput) -> None:
    """Intentions stated at intake start the job-seeking profile, if the trainee has none yet."""
    from backend.employment.models import JobProfile

    if await JobProfile.exists(trainee_id=trainee_id):
        return  # never overwrite what the trainee wrote in the profile itself
    wishes = "、".join(data.desired_occupations)
    intention = "；".join(part for part in (wishes, data.intention) if part)
    await JobProfile.create(trainee_id=trainee_id, intention=intention[:500])


async def _tell_class_teacher(
    klass: TrainingClass, enrolment: Enrolment, data: IntakeInput
) -> None:
    """Flagged special needs reach the class teacher (inbox, through the outbox)."""
    teachers = await ClassStaff.filter(
        training_class_id=klass.id, duty__in=[StaffDuty.CLASS_TEACHER, StaffDuty.STAFF]
    ).values_list("user_id", flat=True)
    needs = "、".join(SPECIAL_NEEDS[n] for n in data.special_needs)
    for user_id in teachers:
        await enqueue(
            dedupe_key=f"intake-needs:{enrolment.id}:{user_id}:{'+'.join(sorted(data.special_needs))}",
            channel=Channel.INBOX,
            template_key="intake_special_needs",
            user_id=int(user_id),  # type: ignore[call-overload]
            payload={
                "title": "学员特殊需求提醒",
                "body": f"{klass.title}：有学员在培训需求调查中提出特殊需求（{needs}），"
                "请开班前了解并做好安排。",
                "page": f"pages/class/intake?class_id={klass.id}",
            },
        )


async def my_intake(*, actor: Actor, class_id: int) -> IntakeForm | None:
    """The trainee's own form for a class, if filled."""
    enrolment = await _own_enrolment(actor, class_id)
    return await IntakeForm.get_or_none(enrolment_id=enrolment.id)


async def add_interview_note(
    *, actor: Actor, class_id: int, trainee_id: int, note: str
) -> InterviewNote:
    """第八条(四): the class teacher or an instructor of the class records a short interview."""
    await authorize_class(actor, class_id, INTERVIEWERS)
    enrolment = await Enrolment.get_or_none(training_class_id=class_id, trainee_id=trainee_id)
    if enrolment is None:
        raise NotFound("该学员不在本班", code="TRAINEE_NOT_FOUND")
    if not note.strip():
        raise InvalidInput("面试记录不能为空", code="NOTE_REQUIRED")
    return await InterviewNote.create(enrolment_id=enrolment.id, author_id=actor.user_id, note=note)


@dataclass(frozen=True)
class FlaggedNeeds:
    """A trainee who flagged special needs, with the needs' labels."""

    trainee_id: int
    name: str
    needs: list[str]
    note: str


@dataclass(frozen=True)
class NoteView:
    """An interview note and its author."""

    trainee_id: int
    note: str
    author_id: int | None


@dataclass(frozen=True)
class IntakeSummary:
    """The class's intake analysis (counts as (label, count) pairs, most frequent first)."""

    class_id: int
    enrolled: int
    answered: int
    desired_occupations: list[tuple[str, int]]
    obstacles: list[tuple[str, int]]
    knowledge_levels: dict[str, int]
    special_needs: list[FlaggedNeeds]
    interview_notes: list[NoteView]


async def intake_summary(*, actor: Actor, class_id: int) -> IntakeSummary:
    """The class summary: who answered, intentions, obstacles, flagged needs, interview notes."""
    await authorize_class(actor, class_id, SUMMARY_ROLES)
    enrolments = await Enrolment.filter(
        training_class_id=class_id, status=EnrolmentStatus.ENROLLED
    ).prefetch_related("trainee")
    by_id = {e.id: e for e in enrolments}
    forms = await IntakeForm.filter(enrolment_id__in=list(by_id))
    notes = await InterviewNote.filter(enrolment_id__in=list(by_id)).order_by("id")
    occupations: Counter[str] = Counter(o for f in forms for o in f.desired_occupations)
    obstacles: Counter[str] = Counter(OBSTACLES[o] for f in forms for o in f.obstacles)
    levels: Counter[int] = Counter(f.knowledge_level for f in forms)
    return IntakeSummary(
        class_id=class_id,
        enrolled=len(enrolments),
        answered=len(forms),
        desired_occupations=occupations.most_common(),
        obstacles=obstacles.most_common(),
        knowledge_levels={str(k): levels[k] for k in range(1, 6)},
        special_needs=[
            FlaggedNeeds(
                trainee_id=by_id[f.enrolment_id].trainee_id,
                name=by_id[f.enrolment_id].trainee.name,
                needs=[SPECIAL_NEEDS[n] for n in f.special_needs],
                note=f.special_needs_note,
            )
            for f in forms
            if f.special_needs
        ],
        interview_notes=[
            NoteView(
                trainee_id=by_id[n.enrolment_id].trainee_id, note=n.note, author_id=n.author_id
            )
            for n in notes
        ],
    )
