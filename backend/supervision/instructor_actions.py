"""Measures against instructors (第十六条): 谈话提醒, 暂停选派, 取消师资资格 — and reinstatement.

第十六条 reserves them to the city-level HR bureau (市级人社部门): only a city-wide HR grant
may record one. Each is a row with its reason, date and the clause of 第十六条 it rests on;
a suspension or revocation also changes the instructor's standing in the registry (through
`backend.accounts.instructors.change_status`, which audits it), and the registry refuses a
non-active instructor for assignment and substitution. Allowed moves:

- 谈话提醒: an active or suspended instructor, standing unchanged;
- 暂停选派: active → suspended;
- 取消师资资格: active or suspended → revoked (final: a new certificate is a new registration);
- 恢复选派: suspended → active.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from backend.accounts.access import Actor, require_city_hr
from backend.accounts.instructors import STATUS_LABELS, change_status
from backend.accounts.models import Instructor, InstructorStatus, Role
from backend.errors import Conflict, InvalidInput, NotFound
from backend.registers.models import (
    INSTRUCTOR_ACTION_LABELS,
    InstructorAction,
    InstructorActionKind,
)
from backend.supervision.service import (
    notify_inbox,
    past_or_today,
    readable_instructor,
    require_reason,
)

ACTIVE, SUSPENDED, REVOKED = (
    InstructorStatus.ACTIVE,
    InstructorStatus.SUSPENDED,
    InstructorStatus.REVOKED,
)
# kind → (standings it may be taken from, standing after; None keeps the standing)
MOVES: dict[InstructorActionKind, tuple[set[InstructorStatus], InstructorStatus | None]] = {
    InstructorActionKind.TALK_REMINDER: ({ACTIVE, SUSPENDED}, None),
    InstructorActionKind.SUSPEND: ({ACTIVE}, SUSPENDED),
    InstructorActionKind.REVOKE: ({ACTIVE, SUSPENDED}, REVOKED),
    InstructorActionKind.REINSTATE: ({SUSPENDED}, ACTIVE),
}
GROUNDS = range(1, 7)  # 第十六条 (一) … (六)
CLAUSES = "一二三四五六"
# 第十六条: 市级人社部门 … 谈话提醒、暂停选派、取消师资资格 (`require_city_hr` narrows to the city).
SANCTIONERS = frozenset({Role.HR_ADMIN})


def _check_ground(kind: InstructorActionKind, ground: int | None) -> None:
    if ground is not None and ground not in GROUNDS:
        raise InvalidInput("处理依据应为第十六条第（一）至（六）项", code="GROUND_INVALID")
    if ground is not None and kind is InstructorActionKind.REINSTATE:
        raise InvalidInput("恢复选派不适用第十六条的处理情形", code="GROUND_INVALID")


def _next_status(kind: InstructorActionKind, before: InstructorStatus) -> InstructorStatus:
    """The standing after the measure, or Conflict if it cannot be taken from `before`."""
    allowed, after = MOVES[kind]
    if before not in allowed:
        raise Conflict(
            f"讲师当前状态为「{STATUS_LABELS[before]}」，不能{INSTRUCTOR_ACTION_LABELS[kind]}",
            code="INSTRUCTOR_ACTION_NOT_ALLOWED",
            details={"status": before.value, "kind": kind.value},
        )
    return after or before


async def take_action(
    *,
    actor: Actor,
    instructor_id: int,
    kind: InstructorActionKind,
    reason: str,
    ground: int | None = None,
    decided_on: date | None = None,
) -> InstructorAction:
    """City HR records a 第十六条 measure; suspension and revocation change the standing."""
    require_city_hr(actor, "第十六条")
    reason = require_reason(reason, article="第十六条")
    _check_ground(kind, ground)
    decided_on = past_or_today(decided_on, what="处理日期")
    label = INSTRUCTOR_ACTION_LABELS[kind]
    async with in_transaction():
        # Locked: two measures at once are checked one after the other.
        instructor = await Instructor.filter(id=instructor_id).select_for_update().first()
        if instructor is None:
            raise NotFound("讲师不存在", code="INSTRUCTOR_NOT_FOUND")
        before = instructor.status
        after = _next_status(kind, before)
        if after != before:
            await change_status(
                actor=actor, instructor_id=instructor.id, status=after, reason=f"{label}：{reason}"
            )
        action = await InstructorAction.create(
            instructor_id=instructor.id,
            kind=kind,
            ground=ground,
            reason=reason,
            decided_on=decided_on,
            status_before=before,
            status_after=after,
            recorded_by_id=actor.user_id,
        )
        if instructor.user_id is not None:
            await notify_inbox(
                user_ids=[instructor.user_id],
                title=f"人社部门处理通知：{label}",
                body=f"{instructor.name}：{label}。原因：{reason}",
            )
    return action


@dataclass(frozen=True, slots=True)
class ActionView:
    """A recorded measure and the standing it left."""

    id: int
    instructor_id: int
    kind: str
    kind_label: str
    ground: int | None
    ground_label: str | None
    reason: str
    decided_on: str
    status_before: str
    status_after: str


@dataclass(frozen=True, slots=True)
class InstructorActions:
    """An instructor's standing and measures, newest first."""

    instructor_id: int
    name: str
    status: str
    status_label: str
    items: list[ActionView]


def action_view(action: InstructorAction) -> ActionView:
    """An action as HR and the instructor see it."""
    ground = action.ground
    return ActionView(
        id=action.id,
        instructor_id=action.instructor_id,
        kind=action.kind.value,
        kind_label=INSTRUCTOR_ACTION_LABELS[action.kind],
        ground=ground,
        ground_label=f"第十六条第（{CLAUSES[ground - 1]}）项" if ground else None,
        reason=action.reason,
        decided_on=action.decided_on.isoformat(),
        status_before=action.status_before.value,
        status_after=action.status_after.value,
    )


async def actions_of(*, actor: Actor, instructor_id: int) -> InstructorActions:
    """An instructor's record of 第十六条 measures, newest first (HR, or the instructor)."""
    instructor = await readable_instructor(actor, instructor_id)
    actions = await InstructorAction.filter(instructor_id=instructor.id).order_by(
        "-decided_on", "-id"
    )
    return InstructorActions(
        instructor_id=instructor.id,
        name=instructor.name,
        status=instructor.status.value,
        status_label=STATUS_LABELS[instructor.status],
        items=[action_view(a) for a in actions],
    )
