"""A small world for event, reminder and work-queue tests: one class with its people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from backend.accounts.models import Institution, Instructor, Role, Trainee, User
from backend.classes.models import ClassSession, ClassStatus, StaffDuty, TrainingClass
from backend.notifications.models import OutboxMessage
from tests.support.factories import (
    add_staff,
    assign_instructor,
    book,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_session,
    make_staff,
    make_trainee,
    make_user,
)

START = date(2026, 12, 21)  # a Monday


@dataclass
class Place:
    """An institution in 鼓楼 (350102), one class, its staff, two instructors, trainees, and HR
    of the district, of the city and of another district (仓山, 350104)."""

    inst: Institution
    klass: TrainingClass
    admin: User
    teacher: User
    staff: User
    hr: User
    city_hr: User
    other_hr: User
    lead: Instructor
    lead_user: User
    other: Instructor
    other_user: User
    trainees: list[Trainee] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    sessions: list[ClassSession] = field(default_factory=list)


async def make_place(
    *, status: ClassStatus = ClassStatus.APPROVED, start: date = START, sessions: int = 5
) -> Place:
    inst = await make_institution("350102")
    klass = await make_class(inst, start=start, status=status, title="鼓楼第十二期学员班")
    lead, lead_user = await make_instructor()
    other, other_user = await make_instructor()
    assert lead_user is not None and other_user is not None
    link = await assign_instructor(klass, lead)
    link.is_lead = True
    await link.save()
    await assign_instructor(klass, other)
    place = Place(
        inst=inst,
        klass=klass,
        admin=await make_staff(Role.INSTITUTION_ADMIN, institution=inst),
        teacher=await make_staff(Role.CLASS_TEACHER, institution=inst),
        staff=await make_staff(Role.STAFF, institution=inst),
        hr=await make_staff(Role.HR_ADMIN, district_code="350102"),
        city_hr=await make_staff(Role.HR_ADMIN),
        other_hr=await make_staff(Role.HR_ADMIN, district_code="350104"),
        lead=lead,
        lead_user=lead_user,
        other=other,
        other_user=other_user,
    )
    await add_staff(klass, place.teacher, StaffDuty.CLASS_TEACHER)
    await add_staff(klass, place.staff, StaffDuty.STAFF)
    for n in range(3):
        user = await make_user(f"学员{n}")
        trainee = await make_trainee(f"学员{n}", user=user)
        await enrol(klass, trainee)
        place.trainees.append(trainee)
        place.users.append(user)
    for day in range(sessions):
        # 09:00–12:00 Shanghai = 01:00–04:00 UTC
        starts = datetime.combine(start + timedelta(days=day), datetime.min.time(), UTC)
        session = await make_session(klass, starts_at=starts + timedelta(hours=1))
        await book(session, lead if day % 2 == 0 else other)
        place.sessions.append(session)
    return place


async def messages_to(user: User) -> list[OutboxMessage]:
    """The outbox rows of `user` written by events, oldest first."""
    return await OutboxMessage.filter(user_id=user.id, dedupe_key__startswith="event:").order_by(
        "id"
    )


async def subjects(user: User) -> list[str]:
    """The 事项 of each event message to `user`."""
    return [m.payload["data"]["thing1"] for m in await messages_to(user)]
