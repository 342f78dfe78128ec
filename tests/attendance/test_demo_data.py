"""The demo's attendance: what `jobready demo` shows on the teacher's sheet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.attendance.models import AttendanceMark, Checkin, Review
from backend.classes.models import ClassSession
from backend.demo.attendance import seed_attendance
from tests.attendance.support import START, make_classroom
from tests.support.client import Client


async def test_demo_attendance_fills_held_sessions_and_leaves_the_running_one_pending(
    client: Client, at: Any
) -> None:
    room = await make_classroom(client, trainees=12)
    running = await ClassSession.create(
        training_class=room.klass,
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=1, hours=3),
        topic="模拟面试",
    )
    at("2026-11-24 10:00")  # the first session is over, the second runs
    await seed_attendance(class_id=room.klass.id, teacher_user_id=room.teacher.id)
    held = await Checkin.filter(session_id=room.session.id)
    assert len(held) == 10 and {c.review for c in held} == {Review.CONFIRMED}
    assert sum(c.late for c in held) == 1
    assert await AttendanceMark.filter(session_id=room.session.id).count() == 1
    assert {c.review for c in await Checkin.filter(session_id=running.id)} == {Review.PENDING}
    sheet = (await room.call("GET", f"/sessions/{room.session.id}/checkins")).json
    counts = sheet["counts"]
    assert (counts["present"], counts["late"], counts["excused"], counts["absent"]) == (9, 1, 1, 1)
