"""A class with its people, for supervision tests, and a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend import clock
from backend.accounts.models import Institution, Instructor, Role, Trainee, User
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
    make_session,
    make_staff,
    make_trainee,
    make_user,
)

FIRST_SESSION = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


@pytest.fixture
def at() -> Iterator[Any]:
    """Set the clock to a Shanghai-local moment: at("2026-12-01 09:00")."""

    def move(moment: str) -> None:
        local = datetime.fromisoformat(moment).replace(tzinfo=clock.SHANGHAI)
        clock.set_clock(lambda: local.astimezone(UTC))

    yield move
    clock.set_clock(None)


@dataclass
class World:
    """One institution in 鼓楼 with a class of 3 sessions, 2 instructors and 4 trainees."""

    client: Client
    inst: Institution = field(init=False)
    klass: TrainingClass = field(init=False)
    sessions: list[ClassSession] = field(init=False)
    instructors: list[tuple[Instructor, User]] = field(init=False)
    trainees: list[tuple[Trainee, User]] = field(init=False)
    admin: User = field(init=False)
    teacher: User = field(init=False)
    hr: User = field(init=False)
    city_hr: User = field(init=False)
    other_hr: User = field(init=False)

    async def build(self, district: str = "350102") -> World:
        self.inst = await make_institution(district)
        self.klass = await make_class(self.inst)
        self.admin = await make_staff(Role.INSTITUTION_ADMIN, institution=self.inst)
        self.teacher = await make_staff(Role.CLASS_TEACHER, institution=self.inst)
        await add_staff(self.klass, self.teacher, StaffDuty.CLASS_TEACHER)
        self.hr = await make_staff(Role.HR_ADMIN, district_code=district)
        self.city_hr = await make_staff(Role.HR_ADMIN)
        self.other_hr = await make_staff(Role.HR_ADMIN, district_code="350104")
        self.instructors = []
        for _ in range(2):
            instructor, user = await make_instructor()
            assert user is not None
            await assign_instructor(self.klass, instructor)
            self.instructors.append((instructor, user))
        self.sessions = []
        for day in range(3):
            session = await make_session(self.klass, starts_at=FIRST_SESSION + timedelta(days=day))
            await book(session, self.instructors[day % 2][0])
            self.sessions.append(session)
        self.trainees = []
        for _ in range(4):
            user = await make_user()
            trainee = await make_trainee(user=user)
            await enrol(self.klass, trainee)
            self.trainees.append((trainee, user))
        return self

    async def call(self, method: str, path: str, user: User | None, **kwargs: Any) -> Response:
        headers = auth(user) if user is not None else {}
        return await self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)


@pytest.fixture
async def world(client: Client) -> World:
    return await World(client).build()
