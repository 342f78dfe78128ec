"""Delivering applications to the recruitment site: the outbox handler of Channel.RECRUITMENT.

An application's delivery is an outbox row written with the application (service.apply_to_job).
`forward_application` sends one; it is safe to repeat, because the site deduplicates by our
reference (Idempotency-Key), so a retry after a lost answer, or a second worker after an
expired lease, never makes the site record it twice. It keeps the application's status in step
and says through `RecruitmentError.retryable` whether the outbox should try again.

`forward_pending_applications` is a small claimer of its own (a conditional UPDATE per row) for
the worker job; the notification dispatcher can take the channel over with `send_application`.
"""

from __future__ import annotations

import logging
import os
import random
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.models import Trainee
from backend.accounts.service import PHONE_CONTEXT, decrypt_pii
from backend.employment.catalogue import EDUCATION_LABELS
from backend.employment.models import ApplicationStatus, JobApplication, JobPosting, JobProfile
from backend.integrations.recruitment import (
    Applicant,
    ApplicationData,
    RecruitmentError,
    shared_connector,
)
from backend.notifications.dispatch import lease, max_attempts
from backend.notifications.models import Channel, OutboxMessage, OutboxStatus
from backend.security.audit import record_audit

log = logging.getLogger("jobready.jobs.applications")

CALL_ATTEMPTS = 2  # tries inside one delivery; the outbox retries later for longer outages
CALL_MAX_WAIT = 5.0  # a longer Retry-After is left to the outbox's next attempt
BACKOFF_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 3600.0


async def _applicant(application: JobApplication) -> Applicant:
    """The resume: name and phone from the roster, the rest from the job-seeking profile."""
    trainee = await Trainee.get(id=application.trainee_id)
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
    data = ApplicationData(
        reference=f"jobready-application-{application.id}",
        posting_external_id=posting.external_id,
        applicant=await _applicant(application),
        message=application.message,
    )
    try:
        receipt = await shared_connector().submit_application(
            data, attempts=CALL_ATTEMPTS, max_wait=CALL_MAX_WAIT
        )
    except RecruitmentError as exc:
        raise await _failed(application, exc, final=message.attempts >= max_attempts()) from exc
    await _delivered(application, posting, receipt.site_reference)


async def _delivered(application: JobApplication, posting: JobPosting, reference: str) -> None:
    async with in_transaction():
        await JobApplication.filter(id=application.id).update(
            status=ApplicationStatus.DELIVERED,
            site_reference=reference[:64],
            delivered_at=clock.now(),
            attempts=F("attempts") + 1,
            last_error="",
        )
        trainee = await Trainee.get(id=application.trainee_id)
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


def retry_delay(attempts: int, error: RecruitmentError) -> float:
    """Seconds before the next attempt: exponential back-off with equal jitter, never sooner
    than the site asked."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_SECONDS * 2 ** max(0, attempts - 1))
    return max(ceiling / 2 + random.uniform(0, ceiling / 2), error.retry_after or 0.0)


def _claimable(now: datetime) -> Q:
    pending = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=OutboxStatus.SENDING, lease_until__lt=now)
    return Q(channel=Channel.RECRUITMENT) & (pending | abandoned)


async def forward_pending_applications(*, limit: int = 50, worker: str = "") -> int:
    """Claim due RECRUITMENT outbox rows one by one (a conditional UPDATE: one claimer wins)
    and deliver them; returns how many were delivered."""
    worker = worker or f"forwarder-{os.getpid()}-{random.randrange(1 << 30)}"
    now = clock.now()
    due = OutboxMessage.filter(_claimable(now)).order_by("id").limit(limit)
    delivered = 0
    for message_id in await due.values_list("id", flat=True):
        claimed = await OutboxMessage.filter(Q(id=message_id) & _claimable(now)).update(
            status=OutboxStatus.SENDING,
            lease_until=now + lease(),  # OUTBOX_LEASE_SECONDS, as the dispatcher's
            claimed_by=worker,
            attempts=F("attempts") + 1,
        )
        if claimed:
            delivered += await _forward_claimed(int(message_id), worker)  # type: ignore[call-overload]
    return delivered


async def _forward_claimed(message_id: int, worker: str) -> int:
    """Deliver a claimed row and record the outcome (only while the claim is still ours)."""
    message = await OutboxMessage.get(id=message_id)
    mine = OutboxMessage.filter(id=message_id, claimed_by=worker, status=OutboxStatus.SENDING)
    try:
        await forward_application(message)
    except RecruitmentError as exc:
        if exc.retryable:
            later = clock.now() + timedelta(seconds=retry_delay(message.attempts, exc))
            await mine.update(
                status=OutboxStatus.PENDING, next_attempt_at=later, lease_until=None,
                last_error=exc.reason,
            )  # fmt: skip
        else:
            await mine.update(status=OutboxStatus.FAILED, lease_until=None, last_error=exc.reason)
        log.warning(
            "application not delivered", extra={"outbox_id": message_id, "reason": exc.reason}
        )
        return 0
    await mine.update(
        status=OutboxStatus.SENT, sent_at=clock.now(), lease_until=None, last_error=""
    )
    return 1


async def send_application(attempt: Any) -> Any:
    """`forward_application` as a channel handler of the notification dispatcher.

    Register with ``register_channel(Channel.RECRUITMENT, push=False)(send_application)``
    (backend.notifications.channels) and drop the `forward_applications` worker job.
    """
    from backend.notifications.channels import Outcome, Result

    try:
        await forward_application(attempt.message)
    except RecruitmentError as exc:
        if exc.retryable:
            return Outcome(Result.RETRY, reason=exc.reason, retry_after=exc.retry_after)
        return Outcome(Result.FAILED, reason=exc.reason)
    return Outcome(Result.SENT)
