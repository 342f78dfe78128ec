"""Delivering applications to the recruitment site: the outbox channel Channel.RECRUITMENT.

An application's delivery is an outbox row written with the application (service.apply_to_job).
The notification dispatcher claims, retries (back-off, never before the site's Retry-After) and
records it like any other message; `send_application` is the channel's sender. It is not a
push: quiet hours, the daily cap and subscribe consents do not apply. The worker registers it
by importing this module (jobs.job_market_jobs).

`forward_application` sends one; it is safe to repeat, because the site deduplicates by our
reference (Idempotency-Key), so a retry after a lost answer, or a second worker after an
expired lease, never makes the site record it twice. It keeps the application's status in step
and says through `RecruitmentError.retryable` whether the outbox should try again.
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.models import Trainee
from backend.accounts.service import PHONE_CONTEXT, decrypt_pii
from backend.employment.models import ApplicationStatus, JobApplication, JobPosting, JobProfile
from backend.integrations.recruitment import Applicant, ApplicationData, RecruitmentError
from backend.notifications.channels import Attempt, Outcome, Result, register_channel
from backend.notifications.dispatch import max_attempts
from backend.notifications.models import Channel, OutboxMessage
from backend.occupations import EDUCATION_LABELS
from backend.runtime import runtime
from backend.security.audit import record_audit

log = logging.getLogger("jobready.market.applications")

CALL_ATTEMPTS = 2  # tries inside one delivery; the outbox retries later for longer outages
CALL_MAX_WAIT = 5.0  # a longer Retry-After is left to the outbox's next attempt


async def _applicant(trainee: Trainee) -> Applicant:
    """The resume: name and phone from the roster, the rest from the job-seeking profile."""
    profile = await JobProfile.get_or_none(trainee_id=trainee.id)
    education = profile.education if profile and profile.education else None
    return Applicant(
        name=trainee.name,
        phone=decrypt_pii(trainee.phone_enc, context=PHONE_CONTEXT),
        gender=trainee.gender,
        education=EDUCATION_LABELS[education] if education else trainee.education,
        major=(profile.major if profile else "") or trainee.major,
        skills=tuple(profile.skills) if profile else (),
        intention=profile.intention if profile else "",
    )


@register_channel(Channel.RECRUITMENT, push=False)
async def send_application(attempt: Attempt) -> Outcome:
    """Send a claimed application (`forward_application`) and say what became of it."""
    try:
        await forward_application(attempt.message)
    except RecruitmentError as exc:
        log.warning(
            "application not delivered",
            extra={"outbox_id": attempt.message.id, "reason": exc.reason},
        )
        if exc.retryable:
            return Outcome(Result.RETRY, reason=exc.reason, retry_after=exc.retry_after)
        return Outcome(Result.FAILED, reason=exc.reason)
    except Exception:  # a bug or a database error: the dispatcher retries it
        if attempt.message.attempts >= max_attempts():  # its last try: the trainee is told
            await JobApplication.filter(
                id=int(attempt.message.payload.get("application_id", 0)),
                status=ApplicationStatus.PENDING,
            ).update(status=ApplicationStatus.FAILED, last_error="系统错误，投递未成功")
        raise
    return Outcome(Result.SENT)


async def forward_application(message: OutboxMessage) -> None:
    """Deliver one queued application (`message.payload["application_id"]`) to the site.

    Returns when the site has it (or had it already); raises `RecruitmentError` otherwise:
    `.retryable` → try again later (not before `.retry_after` seconds when set), else give up
    with `.reason`. `message.attempts` counts this attempt; from OUTBOX_MAX_ATTEMPTS on (as the
    dispatcher), a failure is final and the application is marked failed, with the reason.
    """
    application = await JobApplication.get_or_none(id=int(message.payload.get("application_id", 0)))
    if application is None:
        raise RecruitmentError("投递记录不存在", retryable=False, code="APPLICATION_MISSING")
    if application.status is ApplicationStatus.DELIVERED:
        return
    posting = await JobPosting.get(id=application.posting_id)
    trainee = await Trainee.get(id=application.trainee_id)
    data = ApplicationData(
        reference=f"jobready-application-{application.id}",
        posting_external_id=posting.external_id,
        applicant=await _applicant(trainee),
        message=application.message,
    )
    try:
        receipt = await runtime().recruitment.submit_application(
            data, attempts=CALL_ATTEMPTS, max_wait=CALL_MAX_WAIT
        )
    except RecruitmentError as exc:
        raise await _failed(application, exc, final=message.attempts >= max_attempts()) from exc
    await _delivered(application, posting, trainee, receipt.site_reference)


async def _delivered(
    application: JobApplication, posting: JobPosting, trainee: Trainee, reference: str
) -> None:
    async with in_transaction():
        await JobApplication.filter(id=application.id).update(
            status=ApplicationStatus.DELIVERED,
            site_reference=reference[:64],
            delivered_at=clock.now(),
            attempts=F("attempts") + 1,
            last_error="",
        )
        await record_audit(
            actor_id=trainee.user_id,
            action="pii.delivered_to_recruitment_site",
            target_type="trainee",
            target_id=trainee.id,
            details={"application_id": application.id, "posting": posting.external_id},
        )


async def _failed(
    application: JobApplication, error: RecruitmentError, *, final: bool
) -> RecruitmentError:
    """Record a failed attempt; the error to raise (a last retryable one becomes permanent)."""
    if error.retryable and final:
        reason = f"招聘网站长时间无法访问，投递未成功：{error.reason}"
        error = RecruitmentError(reason, retryable=False, status=error.status, code=error.code)
    changes: dict[str, Any] = {"attempts": F("attempts") + 1, "last_error": error.reason[:500]}
    if error.permanent:
        changes["status"] = ApplicationStatus.FAILED
    await JobApplication.filter(id=application.id, status=ApplicationStatus.PENDING).update(
        **changes
    )
    return error
