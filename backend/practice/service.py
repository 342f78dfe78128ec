"""Practice services for the trainee: career interest (职业认知) and the résumé builder.

第二十一条(四) 模拟实训: "从职业初步认知到求职实践全过程线上实操训练". The interest test seeds the
job-seeking profile without overwriting what the trainee wrote; the résumé is drafted from the
profile and the roster, edited by the trainee, exported as PDF and attached to applications.
Mock interviews live in `interviews.py`, online tests in `online_tests.py`, course materials
in `materials.py`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Role, Trainee
from backend.accounts.service import PHONE_CONTEXT, decrypt_pii
from backend.employment.models import JobProfile
from backend.employment.service import apply_to_job
from backend.errors import Forbidden, InvalidInput, NotFound
from backend.occupations import EDUCATION_LABELS, code_name
from backend.practice import interest
from backend.practice.models import InterestResult, Resume, ResumeAttachment
from backend.practice.schemas import (
    InterestItemOut,
    InterestReportOut,
    InterestTestOut,
    InterestTypeOut,
    PracticeOccupationOut,
    ResumeApplicationOut,
    ResumeContent,
    ResumeEducation,
    ResumeOut,
)
from backend.security.audit import record_audit
from backend.security.pii import mask_phone

# 第二十一条(三)(四): the trainee's own practice (interest test, resume, applications with it).
TRAINEES = frozenset({Role.TRAINEE})


def trainee_of(actor: Actor) -> int:
    """The caller's trainee id; 403 for a caller not bound to the roster."""
    if actor.trainee_id is None:
        raise Forbidden("请先绑定学员身份", code="TRAINEE_REQUIRED")
    return actor.trainee_id


# -- career interest ---------------------------------------------------------------------------


def interest_test() -> InterestTestOut:
    """The self-assessment's statements and scale."""
    items = [InterestItemOut(number=i + 1, text=t) for i, (_, t) in enumerate(interest.ITEMS)]
    return InterestTestOut(
        items=items,
        total=len(items),
        limit=len(items),
        scale={"1": "很不符合", "2": "不太符合", "3": "说不清", "4": "比较符合", "5": "非常符合"},
        instructions="请根据自己的真实想法作答，没有对错之分。每题选择1到5中的一个数字。",
    )


def _report_out(result: InterestResult) -> InterestReportOut:
    report = interest.score_answers(list(result.answers))
    ranked = sorted(report.scores, key=lambda t: -report.scores[t])
    return InterestReportOut(
        id=result.id,
        code=report.code,
        summary=report.summary(),
        types=[
            InterestTypeOut(
                type=t,
                name=interest.TYPES[t][0],
                score=report.scores[t],
                description=interest.TYPES[t][1],
            )
            for t in ranked
        ],
        occupations=[PracticeOccupationOut(code=c, name=code_name(c)) for c in report.suggested],
        seeded_fields=list(result.seeded),
        created_at=result.created_at,
    )


async def take_interest_test(*, actor: Actor, answers: list[int]) -> InterestReportOut:
    """Score the trainee's answers, keep them, and seed the empty parts of the job profile."""
    trainee_id = trainee_of(actor)
    try:
        report = interest.score_answers(answers)
    except interest.AnswerError as exc:
        raise InvalidInput(str(exc), code="INTEREST_ANSWERS_INVALID") from None
    async with in_transaction():
        seeded = await _seed_profile(trainee_id, report)
        result = await InterestResult.create(
            trainee_id=trainee_id,
            answers=answers,
            scores=report.scores,
            code=report.code,
            seeded=seeded,
            created_at=clock.now(),
        )
    return _report_out(result)


async def _seed_profile(trainee_id: int, report: interest.InterestReport) -> list[str]:
    """Fill the wanted occupations and the intention where the profile has none; never
    overwrite what the trainee wrote. Returns the fields filled."""
    intention = f"职业兴趣测评建议：{report.summary()}"
    values: dict[str, Any] = {
        "desired_occupations": list(report.suggested),
        "intention": intention,
    }
    profile = await JobProfile.filter(trainee_id=trainee_id).select_for_update().first()
    if profile is None:
        try:
            async with in_transaction():  # a savepoint: a concurrent create wins
                await JobProfile.create(trainee_id=trainee_id, **values)
            return list(values)
        except IntegrityError:
            profile = await JobProfile.get(trainee_id=trainee_id)
    seeded = [name for name, _ in values.items() if not getattr(profile, name)]
    if seeded:
        changes: dict[str, Any] = {name: values[name] for name in seeded}
        await JobProfile.filter(id=profile.id).update(**changes, updated_at=clock.now())
    return seeded


async def latest_interest_report(*, actor: Actor) -> InterestReportOut:
    """The trainee's latest self-assessment report."""
    result = (
        await InterestResult.filter(trainee_id=trainee_of(actor)).order_by("-created_at").first()
    )
    if result is None:
        raise NotFound("您还没有完成职业兴趣测评", code="INTEREST_RESULT_NOT_FOUND")
    return _report_out(result)


# -- résumé ------------------------------------------------------------------------------------


async def _draft(trainee: Trainee) -> ResumeContent:
    """A first résumé from the roster and the job-seeking profile."""
    profile = await JobProfile.get_or_none(trainee_id=trainee.id)
    degree = trainee.education
    if profile is not None and profile.education is not None:
        degree = EDUCATION_LABELS[profile.education]
    education = []
    if trainee.school or trainee.major or (profile and profile.major):
        education.append(
            ResumeEducation(
                school=trainee.school,
                major=(profile.major if profile else "") or trainee.major,
                degree=degree,
                end=str(trainee.graduation_year or ""),
            )
        )
    return ResumeContent(
        name=trainee.name,
        gender=trainee.gender,
        phone_masked=mask_phone(decrypt_pii(trainee.phone_enc, context=PHONE_CONTEXT))
        if trainee.phone_enc
        else "",
        intention=profile.intention if profile else "",
        desired_occupations=[
            code_name(c) for c in (profile.desired_occupations if profile else [])
        ],
        education=education,
        skills=list(profile.skills) if profile else [],
    )


async def my_resume(*, actor: Actor) -> ResumeOut:
    """The saved résumé, or a draft from the profile and roster when none is saved."""
    trainee = await Trainee.get(id=trainee_of(actor))
    saved = await Resume.get_or_none(trainee_id=trainee.id)
    if saved is not None:
        return ResumeOut(
            saved=True,
            updated_at=saved.updated_at,
            content=ResumeContent.model_validate(saved.content),
        )
    return ResumeOut(saved=False, updated_at=None, content=await _draft(trainee))


async def save_resume(*, actor: Actor, content: ResumeContent) -> ResumeOut:
    """Save the trainee's edits (the phone stays the roster's, shown masked)."""
    trainee = await Trainee.get(id=trainee_of(actor))
    draft = await _draft(trainee)
    content = content.model_copy(update={"phone_masked": draft.phone_masked})
    data, now = content.model_dump(), clock.now()
    if not await Resume.filter(trainee_id=trainee.id).update(content=data, updated_at=now):
        try:
            async with in_transaction():
                await Resume.create(trainee_id=trainee.id, content=data, updated_at=now)
        except IntegrityError:
            await Resume.filter(trainee_id=trainee.id).update(content=data, updated_at=now)
    return ResumeOut(saved=True, updated_at=now, content=content)


async def resume_pdf(*, actor: Actor) -> bytes:
    """The trainee's résumé as a PDF, with the full phone number (an audited read)."""
    from backend.practice.resume_pdf import render_resume

    trainee = await Trainee.get(id=trainee_of(actor))
    resume = await my_resume(actor=actor)
    phone = decrypt_pii(trainee.phone_enc, context=PHONE_CONTEXT) if trainee.phone_enc else ""
    await record_audit(
        actor_id=actor.user_id,
        action="pii.resume_pdf",
        target_type="trainee",
        target_id=trainee.id,
        details={},
    )
    return await asyncio.to_thread(render_resume, resume.content, phone=phone)


async def apply_with_resume(*, actor: Actor, posting_id: int, message: str) -> ResumeApplicationOut:
    """Apply to a posting (employment's application and delivery) with the résumé attached."""
    resume = await my_resume(actor=actor)
    application = await apply_to_job(actor=actor, posting_id=posting_id, message=message)
    try:
        async with in_transaction():
            await ResumeAttachment.create(
                application_id=application.id,
                content=resume.content.model_dump(),
                created_at=clock.now(),
            )
    except IntegrityError:  # a failed application tried again keeps its first résumé
        pass
    return ResumeApplicationOut(
        application_id=application.id,
        posting_id=posting_id,
        status=application.status.value,
        resume_attached=True,
    )


async def attached_resume_pdf(*, actor: Actor, application_id: int) -> bytes:
    """The résumé attached to one of the trainee's applications, as a PDF."""
    from backend.employment.models import JobApplication
    from backend.practice.resume_pdf import render_resume

    trainee_id = trainee_of(actor)
    attachment = await ResumeAttachment.get_or_none(application_id=application_id)
    owned = await JobApplication.exists(id=application_id, trainee_id=trainee_id)
    if attachment is None or not owned:
        raise NotFound("该投递没有附带简历", code="RESUME_ATTACHMENT_NOT_FOUND")
    trainee = await Trainee.get(id=trainee_id)
    phone = decrypt_pii(trainee.phone_enc, context=PHONE_CONTEXT) if trainee.phone_enc else ""
    content = ResumeContent.model_validate(attachment.content)
    return await asyncio.to_thread(render_resume, content, phone=phone)
