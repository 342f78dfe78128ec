"""Recording domain events: call `record_event` inside the transaction of the fact.

This package sits with the core (it imports nothing of the domains), so every domain can record
its events. Who hears about an event, and how, is the notifications package's business: it
registers a fan-out (`on_event`) that runs in the same transaction, so the outbox rows are
written with the fact. An event whose fan-out did not run (no fan-out registered in that
process) keeps `fanned_out_at` empty and is fanned out later by the worker
(`backend.notifications.events.fan_out_pending`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.events.models import DomainEvent


class EventKind(StrEnum):
    """Every kind of event (the notification table in backend/notifications/events.py has one
    row per kind, a test checks it)."""

    PLAN_SUBMITTED = "plan_submitted"
    PLAN_APPROVED = "plan_approved"
    PLAN_REJECTED = "plan_rejected"
    LEAVE_REQUESTED = "leave_requested"
    LEAVE_APPROVED = "leave_approved"
    LEAVE_REJECTED = "leave_rejected"
    CERTIFICATION_APPLIED = "certification_applied"
    CERTIFICATION_APPROVED = "certification_approved"
    CERTIFICATION_REJECTED = "certification_rejected"
    CERTIFICATE_ISSUED = "certificate_issued"
    CERTIFICATE_REVOKED = "certificate_revoked"
    SESSION_TOMORROW = "session_tomorrow"
    ABSENCE_WARNING = "absence_warning"
    SUBMISSION_DEADLINE_APPROACHING = "submission_deadline_approaching"
    SUBMISSION_DEADLINE_MISSED = "submission_deadline_missed"
    REVIEW_DEADLINE_TODAY = "review_deadline_today"
    REVIEW_DEADLINE_MISSED = "review_deadline_missed"
    FOLLOWUP_OVERDUE = "followup_overdue"
    HOME_VISIT_OVERDUE = "home_visit_overdue"
    TRANCHE_DUE = "tranche_due"
    ADVANCE_PAYMENT_DUE = "advance_payment_due"
    SUBSTITUTION_SUSPECTED = "substitution_suspected"
    SUBSTITUTION_CONFIRMED = "substitution_confirmed"


FanOut = Callable[[DomainEvent], Awaitable[int]]
_fan_outs: list[FanOut] = []


def on_event(fan_out: FanOut) -> FanOut:
    """Register what runs, in the fact's transaction, for every new event (notifications)."""
    if fan_out not in _fan_outs:
        _fan_outs.append(fan_out)
    return fan_out


async def record_event(
    *,
    kind: EventKind,
    dedupe_key: str,
    data: dict[str, Any] | None = None,
    class_id: int | None = None,
    session_id: int | None = None,
    trainee_id: int | None = None,
    instructor_id: int | None = None,
    user_id: int | None = None,
    institution_id: int | None = None,
    district_code: str = "",
    subject: tuple[str, Any] = ("", ""),
) -> DomainEvent | None:
    """Record one event unless its key exists (then None), and fan it out in this transaction."""
    try:
        async with in_transaction():  # a savepoint inside the caller's transaction
            event = await DomainEvent.create(
                kind=kind.value,
                dedupe_key=dedupe_key[:200],
                data=data or {},
                class_id=class_id,
                session_id=session_id,
                trainee_id=trainee_id,
                instructor_id=instructor_id,
                user_id=user_id,
                institution_id=institution_id,
                district_code=district_code,
                subject_type=subject[0],
                subject_id=str(subject[1]),
                occurred_at=clock.now(),
            )
    except IntegrityError:
        return None
    if _fan_outs:
        for fan_out in _fan_outs:
            await fan_out(event)
        event.fanned_out_at = clock.now()
        await event.save(update_fields=["fanned_out_at"])
    return event
