"""第十九条: an instructor who cannot teach asks HR for leave beforehand; HR names a substitute
who passes the same rules. No private substitution: only the booked instructor signs in."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, authorize_class, require_role
from backend.accounts.models import Instructor, Role
from backend.classes.models import ClassSession, InstructorLeave, LeaveStatus, SessionInstructor
from backend.classes.rules import Booking, conflict_violation, find_conflicts
from backend.classes.service import ensure_assignable, refuse
from backend.errors import Conflict, InvalidInput, NotFound, RuleViolation
from backend.security.audit import record_audit


async def request_leave(*, actor: Actor, session_id: int, reason: str) -> InstructorLeave:
    """The booked instructor asks for leave from one session, before it starts."""
    require_role(actor, {Role.INSTRUCTOR})
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
    return await InstructorLeave.create(
        session_id=session_id,
        instructor_id=actor.instructor_id,
        reason=reason,
        requested_by_id=actor.user_id,
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
        await authorize_class(actor, session.training_class_id, {Role.HR_ADMIN})
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
        await record_audit(
            actor_id=actor.user_id,
            action="leave.approve",
            target_type="session",
            target_id=link.session_id,
            details={"instructor_id": leave.instructor_id, "substitute_id": substitute_id},
        )
    return leave
