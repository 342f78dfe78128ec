"""第十九条: an instructor who cannot teach asks HR for leave beforehand; HR names a substitute
who passes the same rules. No private substitution: only the booked instructor signs in."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Instructor, Role
from backend.classes.models import (
    ClassSession,
    InstructorLeave,
    LeaveStatus,
    SessionInstructor,
    TrainingClass,
)
from backend.classes.rules import Booking, conflict_violation, find_conflicts
from backend.classes.scope import authorize_class, districts_in_scope
from backend.classes.service import ensure_assignable, record_class_event, refuse
from backend.errors import Conflict, InvalidInput, NotFound, RuleViolation
from backend.events.service import EventKind
from backend.security.audit import record_audit

# 第十九条: the instructor asks 人社部门 for leave beforehand; HR decides and names the substitute.
REQUESTERS = frozenset({Role.INSTRUCTOR})
DECIDERS = frozenset({Role.HR_ADMIN})
READERS = REQUESTERS | DECIDERS  # each reads the requests on their side


async def request_leave(*, actor: Actor, session_id: int, reason: str) -> InstructorLeave:
    """The booked instructor asks for leave from one session, before it starts."""
    require_role(actor, REQUESTERS)
    link = await SessionInstructor.get_or_none(
        session_id=session_id, instructor_id=actor.instructor_id
    )
    if link is None:
        raise NotFound("您未被安排该课次的授课任务", code="SESSION_NOT_FOUND")
    if clock.now() >= link.starts_at:
        raise RuleViolation("请假须在课次开始前提出（第十九条）", code="LEAVE_TOO_LATE")
    if not reason.strip():
        raise InvalidInput("请填写请假原因", code="REASON_REQUIRED")
    if await InstructorLeave.exists(
        session_id=session_id, instructor_id=actor.instructor_id, status=LeaveStatus.REQUESTED
    ):
        raise Conflict("该课次的请假申请已提交，等待人社部门审批", code="LEAVE_PENDING")
    async with in_transaction():
        leave = await InstructorLeave.create(
            session_id=session_id,
            instructor_id=actor.instructor_id,
            reason=reason,
            requested_by_id=actor.user_id,
        )
        await _leave_event(leave, EventKind.LEAVE_REQUESTED, reason=reason)
    return leave


async def _leave_event(leave: InstructorLeave, kind: EventKind, *, reason: str) -> None:
    """Record an event about a leave request (in the caller's transaction)."""
    session = await ClassSession.get(id=leave.session_id)
    klass = await TrainingClass.get(id=session.training_class_id)
    names = dict(
        await Instructor.filter(
            id__in=[i for i in (leave.instructor_id, leave.substitute_id) if i]
        ).values_list("id", "name")
    )
    starts = clock.local(session.starts_at)
    await record_class_event(
        klass,
        kind,
        key=f"leave:{leave.id}",
        instructor_name=names.get(leave.instructor_id, ""),
        substitute_name=names.get(leave.substitute_id, "") if leave.substitute_id else "",
        session_time=starts.strftime("%m月%d日 %H:%M"),
        date=starts.date().isoformat(),
        page="pages/work/index",
        session_id=session.id,
        instructor_id=leave.instructor_id,
        reason=reason,
    )


async def _check_substitute(link: SessionInstructor, substitute_id: int) -> None:
    if substitute_id == link.instructor_id:
        raise InvalidInput("代课讲师不能是请假讲师本人", code="SUBSTITUTE_INVALID")
    await ensure_assignable([substitute_id])
    if await SessionInstructor.exists(session_id=link.session_id, instructor_id=substitute_id):
        raise InvalidInput("代课讲师已在该课次授课", code="SUBSTITUTE_INVALID")
    booking = Booking(link.session_id, substitute_id, link.starts_at, link.ends_at)
    names = dict(await Instructor.filter(id=substitute_id).values_list("id", "name"))
    violation = conflict_violation(await find_conflicts([booking]), names)
    if violation:
        raise refuse([violation])


async def decide_leave(
    *, actor: Actor, leave_id: int, approve: bool, substitute_id: int | None, note: str = ""
) -> InstructorLeave:
    """HR approves with a substitute who meets the same rules, or rejects with a note."""
    async with in_transaction():
        leave = await InstructorLeave.get_or_none(id=leave_id)
        if leave is None:
            raise NotFound("请假申请不存在", code="LEAVE_NOT_FOUND")
        session = await ClassSession.get(id=leave.session_id)
        await authorize_class(actor, session.training_class_id, DECIDERS)
        if leave.status != LeaveStatus.REQUESTED:
            raise Conflict("该请假申请已处理", code="LEAVE_DECIDED")
        leave.decided_by_id, leave.decided_at, leave.decision_note = (
            actor.user_id,
            clock.now(),
            note,
        )
        if not approve:
            leave.status = LeaveStatus.REJECTED
            await leave.save()
            await _leave_event(leave, EventKind.LEAVE_REJECTED, reason=note or "无")
            return leave
        if substitute_id is None:
            raise InvalidInput("批准请假须指定代课讲师（第十九条）", code="SUBSTITUTE_REQUIRED")
        link = await SessionInstructor.get(
            session_id=leave.session_id, instructor_id=leave.instructor_id
        )
        await Instructor.filter(
            id__in=sorted([link.instructor_id, substitute_id])
        ).select_for_update()
        await _check_substitute(link, substitute_id)
        await SessionInstructor.create(
            session_id=link.session_id,
            instructor_id=substitute_id,
            starts_at=link.starts_at,
            ends_at=link.ends_at,
            committed=link.committed,
        )
        await link.delete()
        leave.status, leave.substitute_id = LeaveStatus.APPROVED, substitute_id
        await leave.save()
        await _leave_event(leave, EventKind.LEAVE_APPROVED, reason=note)
        await record_audit(
            actor_id=actor.user_id,
            action="leave.approve",
            target_type="session",
            target_id=link.session_id,
            details={"instructor_id": leave.instructor_id, "substitute_id": substitute_id},
        )
    return leave


@dataclass(frozen=True)
class LeavePage:
    """A page of leave requests, the soonest session first."""

    total: int
    items: list[InstructorLeave]


async def list_leaves(
    *,
    actor: Actor,
    status: LeaveStatus | None,
    class_id: int | None,
    offset: int,
    limit: int,
) -> LeavePage:
    """Leave requests HR covers (by the class's district) and the instructor's own."""
    require_role(actor, READERS)
    condition = Q(id=-1)
    if Role.HR_ADMIN in actor.roles:
        condition |= districts_in_scope(actor, field="session__training_class__district_code")
    if actor.instructor_id is not None:
        condition |= Q(instructor_id=actor.instructor_id)
    query = InstructorLeave.filter(condition)
    if status is not None:
        query = query.filter(status=status)
    if class_id is not None:
        query = query.filter(session__training_class_id=class_id)
    total = await query.count()
    items = (
        await query.order_by("session__starts_at", "id")
        .offset(offset)
        .limit(limit)
        .prefetch_related("session", "instructor", "substitute")
    )
    return LeavePage(total, items)
