"""The class teacher's decisions on attendance (第二十条: 考勤监督), and what they share.

Confirmations, rejections and marks each write a history row (who, when, from, to, why) in
the same transaction as the change.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Role
from backend.attendance.models import (
    AttendanceChange,
    AttendanceMark,
    Checkin,
    Mark,
    Review,
)
from backend.attendance.qr import Purpose, derive_key
from backend.attendance.rules import Cell, Scan, Status, effective_cell
from backend.classes.models import ClassSession, Enrolment, TrainingClass
from backend.classes.scope import authorize_class
from backend.errors import InvalidInput, NotFound, RuleViolation
from backend.runtime import runtime

TEACHERS = (Role.CLASS_TEACHER, Role.STAFF)  # 第二十条: 专职班主任、工作人员 负责考勤监督
READERS = (*TEACHERS, Role.INSTITUTION_ADMIN, Role.HR_ADMIN)  # … and, to read, institution and HR
ATTENDEES = frozenset({Role.TRAINEE})  # a trainee reads their own attendance (views.my_attendance)
REASON_NEEDED = (Mark.ABSENT, Mark.EXCUSED)
LOSES_SESSION = (Mark.ABSENT, Mark.EXCUSED)  # marks after which completion may be out of reach


def qr_key() -> bytes:
    """The key of check-in codes, derived from SECRET_KEY."""
    return derive_key(runtime().settings.secret_key)


async def session_in_scope(
    actor: Actor, session_id: int, roles: tuple[Role, ...] = TEACHERS
) -> tuple[ClassSession, TrainingClass]:
    """The session and its class, if the actor may act on that class in one of `roles`."""
    session = await ClassSession.get_or_none(id=session_id)
    if session is None:
        raise NotFound("课次不存在或不在您的管理范围内", code="SESSION_NOT_FOUND")
    klass = await authorize_class(actor, session.training_class_id, roles)
    return session, klass


async def _checkin_in_scope(actor: Actor, checkin_id: int) -> tuple[Checkin, ClassSession]:
    checkin = await Checkin.get_or_none(id=checkin_id)
    if checkin is None:
        raise NotFound("签到记录不存在或不在您的管理范围内", code="CHECKIN_NOT_FOUND")
    session, _ = await session_in_scope(actor, checkin.session_id)
    return checkin, session


async def _mark_of(session_id: int, trainee_id: int) -> Mark | None:
    marks = await AttendanceMark.filter(session_id=session_id, trainee_id=trainee_id).values_list(
        "mark", flat=True
    )
    return Mark(marks[0]) if marks else None  # type: ignore[arg-type]


def _scan_of(checkin: Checkin | None) -> Scan | None:
    if checkin is None:
        return None
    return Scan(checkin.id, checkin.late, checkin.review, checkin.scanned_at)


async def cell_of(session: ClassSession, trainee_id: int) -> Cell:
    """The effective attendance of a trainee in a session now."""
    checkin = await Checkin.get_or_none(
        session_id=session.id, trainee_id=trainee_id, purpose=Purpose.IN
    )
    return effective_cell(
        mark=await _mark_of(session.id, trainee_id),
        scan=_scan_of(checkin),
        now=clock.now(),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )


async def review_checkin(
    *, actor: Actor, checkin_id: int, confirm: bool, reason: str = ""
) -> Checkin:
    """Confirm or reject one scan (a rejection needs a reason); the change is kept."""
    checkin, session = await _checkin_in_scope(actor, checkin_id)
    if not confirm and not reason.strip():
        raise InvalidInput("驳回签到须填写原因", code="REASON_REQUIRED")
    to = Review.CONFIRMED if confirm else Review.REJECTED
    async with in_transaction():
        before = await cell_of(session, checkin.trainee_id)
        await Checkin.filter(id=checkin.id).update(
            review=to, reviewed_by_id=actor.user_id, reviewed_at=clock.now()
        )
        await _record_change(
            actor,
            session,
            checkin.trainee_id,
            "confirm" if confirm else "reject",
            before,
            await cell_of(session, checkin.trainee_id),
            reason=reason.strip(),
            checkin_id=checkin.id,
        )
        if not confirm:
            await _warn_if_out_of_reach(session.training_class_id, checkin.trainee_id)
    return await Checkin.get(id=checkin.id)


async def confirm_all_pending(*, actor: Actor, session_id: int) -> int:
    """Confirm every pending scan of a session at once; each change is kept. Returns how many."""
    session, _ = await session_in_scope(actor, session_id)
    async with in_transaction():
        pending = await Checkin.filter(
            session_id=session.id, review=Review.PENDING
        ).select_for_update()
        if not pending:
            return 0
        now = clock.now()
        await Checkin.filter(id__in=[c.id for c in pending], review=Review.PENDING).update(
            review=Review.CONFIRMED, reviewed_by_id=actor.user_id, reviewed_at=now
        )
        await AttendanceChange.bulk_create(
            [
                AttendanceChange(
                    session_id=session.id,
                    trainee_id=c.trainee_id,
                    checkin_id=c.id,
                    action="confirm_all",
                    from_status=_scan_status(c),
                    from_review=Review.PENDING.value,
                    to_status=_scan_status(c),
                    to_review=Review.CONFIRMED.value,
                    actor_id=actor.user_id,
                    created_at=now,
                )
                for c in pending
            ]
        )
    return len(pending)


async def mark_attendance(
    *, actor: Actor, session_id: int, trainee_id: int, mark: Mark, reason: str = ""
) -> AttendanceMark:
    """The class teacher marks present, late, absent or excused (the last two need a reason)."""
    session, klass = await session_in_scope(actor, session_id)
    if not await Enrolment.exists(training_class_id=klass.id, trainee_id=trainee_id):
        raise NotFound("该学员不在本班名单中", code="TRAINEE_NOT_FOUND")
    if mark in REASON_NEEDED and not reason.strip():
        raise InvalidInput("标记缺勤或请假须填写原因", code="REASON_REQUIRED")
    if mark is not Mark.EXCUSED and clock.now() < session.starts_at:
        raise RuleViolation("课程尚未开始，只能登记请假", code="ATTENDANCE_NOT_STARTED")
    try:
        return await _write_mark(actor, session, trainee_id, mark, reason.strip())
    except IntegrityError:  # two teachers marking the same trainee at once: the row exists now
        return await _write_mark(actor, session, trainee_id, mark, reason.strip())


async def _write_mark(
    actor: Actor, session: ClassSession, trainee_id: int, mark: Mark, reason: str
) -> AttendanceMark:
    async with in_transaction():
        existing = (
            await AttendanceMark.filter(session_id=session.id, trainee_id=trainee_id)
            .select_for_update()
            .first()
        )
        before = await cell_of(session, trainee_id)
        if existing is None:
            row = await AttendanceMark.create(
                session_id=session.id,
                trainee_id=trainee_id,
                mark=mark,
                reason=reason,
                marked_by_id=actor.user_id,
                updated_at=clock.now(),
            )
        else:
            existing.mark, existing.reason, existing.marked_by_id = mark, reason, actor.user_id
            existing.updated_at = clock.now()
            await existing.save(update_fields=["mark", "reason", "marked_by_id", "updated_at"])
            row = existing
        after = await cell_of(session, trainee_id)
        await _record_change(actor, session, trainee_id, "mark", before, after, reason=reason)
        if mark in LOSES_SESSION:
            await _warn_if_out_of_reach(session.training_class_id, trainee_id)
    return row


async def _warn_if_out_of_reach(class_id: int, trainee_id: int) -> None:
    """A session lost: warn now if completion is out of reach (第二十二条, see warnings.py)."""
    from backend.attendance.warnings import warn_if_out_of_reach  # warnings → views → here

    await warn_if_out_of_reach(class_id=class_id, trainee_id=trainee_id)


def _scan_status(checkin: Checkin) -> str:
    return Status.LATE.value if checkin.late else Status.PRESENT.value


async def _record_change(
    actor: Actor,
    session: ClassSession,
    trainee_id: int,
    action: str,
    before: Cell,
    after: Cell,
    *,
    reason: str = "",
    checkin_id: int | None = None,
) -> None:
    await AttendanceChange.create(
        session_id=session.id,
        trainee_id=trainee_id,
        checkin_id=checkin_id,
        action=action,
        from_status=before.status.value,
        from_review=before.review,
        to_status=after.status.value,
        to_review=after.review,
        reason=reason,
        actor_id=actor.user_id,
        created_at=clock.now(),
    )
