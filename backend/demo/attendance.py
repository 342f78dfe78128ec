"""Demo attendance: scans, a late arrival, a leave and an absence in the sessions held so far."""

from __future__ import annotations

from datetime import timedelta

from backend import clock
from backend.attendance.models import AttendanceChange, AttendanceMark, Checkin, Mark, Review
from backend.attendance.policy import policy
from backend.attendance.qr import Purpose
from backend.classes.models import ClassSession, Enrolment

LEAVE_REASON = "病假（已提交医院证明）"


async def seed_attendance(*, class_id: int, teacher_user_id: int) -> int:
    """Fill the class's past sessions and those whose check-in is open with plausible
    attendance (scans made by now; those of an unfinished session await the teacher)."""
    now = clock.now()
    opened = now + policy().checkin_opens_before
    sessions = await ClassSession.filter(
        training_class_id=class_id, starts_at__lte=opened
    ).order_by("starts_at")
    rows = await Enrolment.filter(training_class_id=class_id).order_by("id").values("trainee_id")
    trainee_ids: list[int] = [row["trainee_id"] for row in rows]
    scans: list[Checkin] = []
    marks: list[AttendanceMark] = []
    changes: list[AttendanceChange] = []
    for s_index, session in enumerate(sessions):
        for n, trainee_id in enumerate(trainee_ids):
            kind = (n + s_index) % 12  # 11: absent (no scan), 10: on leave, 9: late
            if kind == 10:
                marks.append(_leave(session, trainee_id, teacher_user_id))
                changes.append(_change(session, trainee_id, teacher_user_id))
            elif kind != 11:
                scan = _scan(session, trainee_id, n, s_index, kind == 9, teacher_user_id)
                if scan.scanned_at <= now:  # the others have not arrived yet
                    scans.append(scan)
    await Checkin.bulk_create(scans)
    await AttendanceMark.bulk_create(marks)
    await AttendanceChange.bulk_create(changes)
    return len(scans) + len(marks) + len(changes)


def _scan(
    session: ClassSession, trainee_id: int, n: int, s_index: int, late: bool, teacher_id: int
) -> Checkin:
    held = session.ends_at <= clock.now()  # held sessions are confirmed, a running one pending
    return Checkin(
        session_id=session.id,
        trainee_id=trainee_id,
        purpose=Purpose.IN,
        # arrivals spread over the 30 minutes check-in is open before the start
        scanned_at=session.starts_at + timedelta(minutes=17 if late else -(3 + n * 7 % 26)),
        late=late,
        minutes_late=17 if late else 0,
        ip=f"10.20.{s_index}.{n + 10}",
        user_agent="Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.50",
        device_id=f"demo-device-{trainee_id}",
        review=Review.CONFIRMED if held else Review.PENDING,
        reviewed_by_id=teacher_id if held else None,
        reviewed_at=session.ends_at if held else None,
        flags=[],
    )


def _leave(session: ClassSession, trainee_id: int, teacher_id: int) -> AttendanceMark:
    return AttendanceMark(
        session_id=session.id,
        trainee_id=trainee_id,
        mark=Mark.EXCUSED,
        reason=LEAVE_REASON,
        marked_by_id=teacher_id,
        updated_at=session.starts_at - timedelta(hours=12),
    )


def _change(session: ClassSession, trainee_id: int, actor_id: int) -> AttendanceChange:
    return AttendanceChange(
        session_id=session.id,
        trainee_id=trainee_id,
        action="mark",
        from_status="upcoming",
        from_review="none",
        to_status="excused",
        to_review="manual",
        reason=LEAVE_REASON,
        actor_id=actor_id,
        created_at=session.starts_at - timedelta(hours=12),
    )
