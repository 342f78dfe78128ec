"""结案: the lifecycle's last step, following_up → closed, for a trainee class.

第二十五条: follow-up lasts six months after training, in three stages (1 week, 3 months,
6 months), with at least three services per trainee and a home visit for those still
unemployed at six months.

- The worker closes a class once its follow-up is complete (`followup_completion`, the same
  test the last subsidy tranche uses) and every survey invitation has been queued: closing
  stops invitations, so it never cuts the 6-month survey off.
- HR covering the class's district may close it explicitly, with a reason, once the 6-month
  stage is reached, even when follow-up is incomplete (the last tranche then does not hold).
  Before that, closing is refused: the six months are the regulation's.
- An instructor class (师资班) has no follow-up (第二十五条 concerns trainees): once completed,
  HR closes it with a reason.
- Closing fixes the figures: every way of closing takes a `freeze` (the subsidy's snapshot,
  `backend.subsidies.closing.freeze_figures`, passed in since subsidies sit above follow-ups)
  and calls it in the transaction that closes the class, so no class is closed unfrozen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Role
from backend.classes.models import ClassKind, ClassStatus, TrainingClass
from backend.classes.scope import authorize_class
from backend.classes.service import record_transition
from backend.errors import Conflict, InvalidInput, RuleViolation
from backend.followups.completion import followup_completion, six_month_day
from backend.followups.models import FollowupMilestone
from backend.security.audit import record_audit

AUTO_REASON = "后续跟踪服务完成，结案"
# 第二十二条: 人社部门 supervises the training and evaluates its result; HR closes the class.
CLOSERS = frozenset({Role.HR_ADMIN})
# freeze(klass, actor_id, reason): records the class's figures as they are at 结案.
Freeze = Callable[[TrainingClass, int | None, str], Awaitable[Any]]
# Six calendar months are never shorter than 181 days: a class that ended later than this
# cannot have reached its 6-month stage, so the worker does not even look at it.
SHORTEST_SIX_MONTHS = timedelta(days=181)


async def ready_to_close(klass: TrainingClass) -> tuple[bool, str]:
    """(ready, why in Chinese): follow-up complete and no survey invitation still to queue."""
    complete, why = await followup_completion(klass)
    if not complete:
        return False, why
    pending = await FollowupMilestone.filter(
        training_class_id=klass.id, invited_at__isnull=True
    ).count()
    if pending:
        return False, f"尚有{pending}份回访问卷未发出"
    return True, why


def _closable(klass: TrainingClass | None) -> bool:
    if klass is None:
        return False
    if klass.kind is ClassKind.INSTRUCTOR_CLASS:
        return klass.status is ClassStatus.COMPLETED  # no follow-up stage to wait for
    return klass.status is ClassStatus.FOLLOWING_UP


async def _locked_closable(class_id: int) -> TrainingClass:
    klass = await TrainingClass.filter(id=class_id).select_for_update().first()
    if klass is None or not _closable(klass):
        status = klass.status.value if klass is not None else None
        raise Conflict(
            "只有处于后续跟踪服务阶段的学员班（或已结业的师资班）可以结案",
            code="CLASS_NOT_FOLLOWING_UP",
            details={"status": status},
        )
    return klass


async def close_class(*, actor: Actor, class_id: int, reason: str, freeze: Freeze) -> TrainingClass:
    """HR closes a class in follow-up, with a reason, once its 6-month stage is reached (a
    completed instructor class at once)."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("结案须填写原因", code="REASON_REQUIRED")
    async with in_transaction():
        await authorize_class(actor, class_id, CLOSERS)
        klass = await _locked_closable(class_id)
        complete: bool | None = None
        why = "师资班无后续跟踪服务"
        if klass.kind is ClassKind.TRAINEE_CLASS:
            await _refuse_before_six_months(klass)
            complete, why = await followup_completion(klass)
        await record_transition(klass, ClassStatus.CLOSED, actor_id=actor.user_id, reason=reason)
        await freeze(klass, actor.user_id, reason)
        await record_audit(
            actor_id=actor.user_id,
            action="class.close",
            target_type="class",
            target_id=klass.id,
            details={"reason": reason, "followup_complete": complete, "followup": why},
        )
    return klass


async def _refuse_before_six_months(klass: TrainingClass) -> None:
    # 第二十五条: follow-up runs for 6 months after training; no closing before that. Unlike
    # completion, a class without milestones yet still has its day: end + 6 months.
    due = await six_month_day(klass)
    if clock.today() < due:
        raise RuleViolation(
            f"后续跟踪服务须持续至培训后6个月（{due.isoformat()}），此前不能结案（第二十五条）",
            code="CLOSE_BEFORE_SIX_MONTHS",
            details={"article": "第二十五条", "six_month_due": due.isoformat()},
        )


async def close_completed_followups(*, freeze: Freeze) -> int:
    """Worker job: close each trainee class whose follow-up is complete; returns how many."""
    today = clock.today()
    candidates = await (
        TrainingClass.filter(
            status=ClassStatus.FOLLOWING_UP,
            kind=ClassKind.TRAINEE_CLASS,
            end_date__lte=today - SHORTEST_SIX_MONTHS,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    closed = 0
    for class_id in candidates:
        async with in_transaction():
            # Another worker closing the same class holds the row: skip it, not wait.
            klass = (
                await TrainingClass.filter(id=class_id, status=ClassStatus.FOLLOWING_UP)
                .select_for_update(skip_locked=True)
                .first()
            )
            if klass is None or not (await ready_to_close(klass))[0]:
                continue
            await record_transition(klass, ClassStatus.CLOSED, actor_id=None, reason=AUTO_REASON)
            await freeze(klass, None, AUTO_REASON)
            closed += 1
    return closed
