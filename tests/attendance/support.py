"""A classroom for attendance tests: a running class, its staff, a session, bound trainees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from backend.accounts.models import Institution, Instructor, Role, Trainee, User
from backend.attendance.qr import Purpose, issue_code, step_at
from backend.attendance.service import qr_key
from backend.classes.models import ClassSession, StaffDuty, TrainingClass
from tests.support.client import Client, Response
from tests.support.factories import (
    add_staff,
    assign_instructor,
    auth,
    book,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_staff,
    make_trainee,
    make_user,
)

# Monday 2026-11-23, 09:00–12:00 in Shanghai (01:00–04:00 UTC).
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
VENUE = (26.0745, 119.2965)  # a training centre in Gulou, Fuzhou


@dataclass
class Classroom:
    """Everything a check-in needs, and helpers to scan and to call as someone."""

    client: Client
    inst: Institution
    klass: TrainingClass
    session: ClassSession
    teacher: User
    staff: User
    instructor: Instructor
    instructor_user: User
    trainees: list[Trainee] = field(default_factory=list)
    users: list[User] = field(default_factory=list)

    def token(self, purpose: Purpose = Purpose.IN, *, at: datetime, session_id: int = 0) -> str:
        """The code the projector shows at `at` (15-second steps)."""
        return issue_code(
            key=qr_key(),
            session_id=session_id or self.session.id,
            purpose=purpose,
            step=step_at(at, 15),
        )

    async def scan(
        self, user: User, token: str, headers: dict[str, str] | None = None, **body: Any
    ) -> Response:
        """POST /checkins as `user`."""
        return await self.client.post(
            "/api/v1/checkins",
            json={"token": token, **body},
            headers={**auth(user), **(headers or {})},
        )

    async def call(self, method: str, path: str, user: User | None = None, **kw: Any) -> Response:
        """Call the API as `user` (default: the class teacher)."""
        headers = auth(user or self.teacher)
        return await self.client.request(method, f"/api/v1{path}", headers=headers, **kw)


async def make_classroom(
    client: Client,
    *,
    trainees: int = 3,
    fence: bool = False,
    starts_at: datetime = START,
    hours: int = 3,
) -> Classroom:
    """A running class with a teacher, staff, an instructor booked on one session, trainees."""
    inst = await make_institution()
    fields: dict[str, Any] = {}
    if fence:
        fields = {"venue_latitude": VENUE[0], "venue_longitude": VENUE[1], "fence_radius_m": 200}
    klass = await make_class(inst, start=starts_at.date(), **fields)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    staff = await make_staff(Role.STAFF, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    await add_staff(klass, staff, StaffDuty.STAFF)
    instructor, instructor_user = await make_instructor()
    assert instructor_user is not None
    await assign_instructor(klass, instructor)
    session = await ClassSession.create(
        training_class=klass,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        topic="简历制作",
        room="301",
    )
    await book(session, instructor)
    room = Classroom(client, inst, klass, session, teacher, staff, instructor, instructor_user)
    for n in range(trainees):
        user = await make_user(f"学员{n + 1}")
        trainee = await make_trainee(f"学员{n + 1}", user=user)
        await enrol(klass, trainee)
        room.trainees.append(trainee)
        room.users.append(user)
    return room
