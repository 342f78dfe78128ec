"""Who is on a class's roster, and leaving it: removal before the start, withdrawal after.

Bringing people onto a roster from a workbook or JSON rows is `backend.classes.roster_import`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Role, Trainee
from backend.classes.models import (
    BEFORE_START,
    RUNNING,
    WITHDRAW_REASON_LABELS,
    Enrolment,
    EnrolmentStatus,
    TrainingClass,
    WithdrawReason,
)
from backend.classes.scope import authorize_class
from backend.classes.service import PLAN_ROLES
from backend.errors import Conflict, InvalidInput, NotFound
from backend.security.audit import record_audit


async def roster_of(*, class_id: int) -> list[Trainee]:
    """The enrolled trainees of a class (callers have checked scope)."""
    return await Trainee.filter(
        enrolments__training_class_id=class_id, enrolments__status=EnrolmentStatus.ENROLLED
    ).order_by("id")


ROSTER_READERS = {
    Role.HR_ADMIN,
    Role.INSTITUTION_ADMIN,
    Role.CLASS_TEACHER,
    Role.STAFF,
    Role.INSTRUCTOR,
}


# Leaving a class. Before its first day a roster row is simply removed (audited); from the first
# day on the row stays, marked withdrawn with a reason. A withdrawn trainee is in no figure whose
# denominator is the class's trainees (docs/withdrawal.md): completion (第二十二条), the
# employment rate (第二十三、二十四条), the subsidy's actual trainees (第二十四条), follow-up
# (第二十五条, no milestones, so no survey pushes for that class); check-in is refused.
LEAVE_ROLES = {Role.INSTITUTION_ADMIN, Role.HR_ADMIN}


async def _enrolment(klass: TrainingClass, trainee_id: int) -> Enrolment:
    enrolment = await Enrolment.get_or_none(training_class_id=klass.id, trainee_id=trainee_id)
    if enrolment is None:
        raise NotFound("该学员不在本班花名册中", code="ENROLMENT_NOT_FOUND")
    return enrolment


async def remove_from_roster(*, actor: Actor, class_id: int, trainee_id: int, reason: str) -> None:
    """Before the class starts, take a trainee off the roster (the removal is audited)."""
    klass = await authorize_class(actor, class_id, PLAN_ROLES)
    if klass.status not in BEFORE_START or clock.today() >= klass.start_date:
        raise Conflict(
            "培训班已开班，不能删除花名册中的学员，请办理退班（须填写原因）",
            code="ROSTER_LOCKED_AFTER_START",
        )
    async with in_transaction():
        enrolment = await _enrolment(klass, trainee_id)
        try:
            async with in_transaction():
                await enrolment.delete()
        except IntegrityError:
            raise Conflict(
                "该学员已有培训记录，不能删除，请办理退班", code="ROSTER_ROW_IN_USE"
            ) from None
        await record_audit(
            actor_id=actor.user_id,
            action="roster.remove",
            target_type="class",
            target_id=klass.id,
            details={"trainee_id": trainee_id, "reason": reason},
        )


async def withdraw_trainee(
    *, actor: Actor, class_id: int, trainee_id: int, reason: WithdrawReason, note: str = ""
) -> Enrolment:
    """From the class's first day, a trainee leaves with a reason; the row stays in history."""
    klass = await authorize_class(actor, class_id, LEAVE_ROLES)
    if klass.status not in RUNNING or clock.today() < klass.start_date:
        raise Conflict(
            "只有开班后、结业前的学员可以办理退班；开班前请直接从花名册删除",
            code="WITHDRAW_NOT_ALLOWED",
            details={"status": klass.status.value},
        )
    if reason is WithdrawReason.OTHER and not note.strip():
        raise InvalidInput("退班原因为“其他”时须说明", code="REASON_REQUIRED")
    async with in_transaction():
        enrolment = await _enrolment(klass, trainee_id)
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            raise Conflict("该学员已退班", code="ALREADY_WITHDRAWN")
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.withdrawn_at = clock.now()
        enrolment.withdraw_reason = reason.value
        enrolment.withdraw_note = note.strip()
        enrolment.withdrawn_by_id = actor.user_id
        await enrolment.save()
        await record_audit(
            actor_id=actor.user_id,
            action="roster.withdraw",
            target_type="class",
            target_id=klass.id,
            details={"trainee_id": trainee_id, "reason": reason.value, "note": note.strip()},
        )
    return enrolment


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A trainee who left the class after the start: when (+08:00) and why, with its label."""

    trainee_id: int
    name: str
    withdrawn_at: str | None
    reason: str
    reason_label: str
    note: str


async def withdrawals_of(*, class_id: int) -> list[Withdrawal]:
    """The class's withdrawn trainees with when and why (callers have checked scope)."""
    rows = await Enrolment.filter(
        training_class_id=class_id, status=EnrolmentStatus.WITHDRAWN
    ).prefetch_related("trainee")
    return [
        Withdrawal(
            trainee_id=e.trainee_id,
            name=e.trainee.name,
            withdrawn_at=clock.local(e.withdrawn_at).isoformat() if e.withdrawn_at else None,
            reason=e.withdraw_reason,
            reason_label=WITHDRAW_REASON_LABELS.get(WithdrawReason(e.withdraw_reason), "")
            if e.withdraw_reason
            else "",
            note=e.withdraw_note,
        )
        for e in rows
    ]
