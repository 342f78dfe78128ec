"""The burst path of a scan: once a session's facts are known, a trainee's scan is one statement,
and facts that changed since never let a scan through (第二十条)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from backend.accounts.models import User
from backend.attendance import scans
from backend.attendance.models import Checkin, InstructorSignIn
from backend.classes.models import ClassStatus, Enrolment, EnrolmentStatus
from tests.attendance.support import VENUE, Classroom, make_classroom
from tests.support.client import Client
from tests.support.factories import enrol, make_trainee


@pytest.fixture
async def room(client: Client) -> Classroom:
    return await make_classroom(client, trainees=3)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the scans that took the long way (a read before the write)."""
    calls: list[int] = []
    original = scans._read
    monkeypatch.setattr(scans, "_KNOWN", {})  # another test's session may have had this id

    async def counted(user_id: int, *args: Any) -> dict[str, Any]:
        calls.append(user_id)
        return await original(user_id, *args)

    monkeypatch.setattr(scans, "_read", counted)
    yield calls


async def _warm(room: Classroom, at: Any) -> None:
    """The first scan of the session reads its facts (the long way) and keeps them."""
    response = await room.scan(room.users[0], room.token(at=at("2026-11-23 08:50")))
    assert response.status == 201, response.json


async def test_once_the_session_is_known_a_scan_is_written_without_a_read(
    room: Classroom, at: Any, reads: list[int]
) -> None:
    await _warm(room, at)
    assert reads == [room.users[0].id]
    response = await room.scan(room.users[1], room.token(at=at("2026-11-23 09:30")))
    assert response.status == 201, response.json
    assert reads == [room.users[0].id]  # no second read
    body = response.json
    assert (body["role"], body["late"], body["minutes_late"]) == ("trainee", True, 30)
    row = await Checkin.get(id=body["record_id"])
    assert (row.trainee_id, row.session_id, row.minutes_late) == (
        room.trainees[1].id,
        room.session.id,
        30,
    )
    assert row.user_agent.startswith("Python/") and row.flags == []  # the signals are kept


async def test_a_repeated_scan_on_the_burst_path_answers_with_the_first(
    room: Classroom, at: Any
) -> None:
    await _warm(room, at)
    first = await room.scan(room.users[1], room.token(at=at("2026-11-23 08:55")))
    again = await room.scan(room.users[1], room.token(at=at("2026-11-23 08:57")))
    assert (first.status, again.status) == (201, 200)
    assert again.json["outcome"] == "already_checked_in"
    assert again.json["record_id"] == first.json["record_id"]
    assert await Checkin.filter(trainee_id=room.trainees[1].id).count() == 1


async def _move_session(room: Classroom) -> None:
    room.session.starts_at += timedelta(days=1)
    room.session.ends_at += timedelta(days=1)
    await room.session.save()


async def _stop_class(room: Classroom) -> None:
    room.klass.status = ClassStatus.REJECTED
    await room.klass.save()


async def _withdraw(room: Classroom) -> None:
    await Enrolment.filter(trainee_id=room.trainees[1].id).update(status=EnrolmentStatus.WITHDRAWN)


async def _disable(room: Classroom) -> None:
    await User.filter(id=room.users[1].id).update(is_active=False)


async def _revoke(room: Classroom) -> None:
    await User.filter(id=room.users[1].id).update(token_version=2)


async def _fence_elsewhere(room: Classroom) -> None:
    room.klass.venue_latitude, room.klass.venue_longitude = VENUE[0] + 0.05, VENUE[1]
    room.klass.fence_radius_m = 200
    await room.klass.save()


CHANGES: dict[str, tuple[Callable[[Classroom], Awaitable[None]], int, str]] = {
    "session moved": (_move_session, 422, "CHECKIN_NOT_OPEN"),
    "class stopped": (_stop_class, 422, "CHECKIN_CLASS_NOT_ACTIVE"),
    "trainee withdrawn": (_withdraw, 403, "CHECKIN_NOT_ENROLLED"),
    "account disabled": (_disable, 401, "ACCOUNT_DISABLED"),
    "login revoked": (_revoke, 401, "TOKEN_REVOKED"),
    "fence moved": (_fence_elsewhere, 422, "CHECKIN_OUTSIDE_FENCE"),
}


@pytest.mark.parametrize("change", list(CHANGES))
async def test_facts_changed_since_they_were_kept_never_let_a_scan_through(
    room: Classroom, at: Any, change: str
) -> None:
    apply, status, code = CHANGES[change]
    await _warm(room, at)
    await apply(room)
    response = await room.scan(
        room.users[1],
        room.token(at=at("2026-11-23 08:52")),
        latitude=VENUE[0],
        longitude=VENUE[1],
        accuracy=10,
    )
    assert (response.status, response.json["error"]["code"]) == (status, code)
    assert not await Checkin.exists(trainee_id=room.trainees[1].id)


async def test_a_booked_instructor_who_is_also_enrolled_signs_in_as_the_instructor(
    room: Classroom, at: Any
) -> None:
    """第十九条: the instructor signs in to the own session, even from the burst path."""
    await _warm(room, at)
    trainee = await make_trainee("兼任学员", user=room.instructor_user)
    await enrol(room.klass, trainee)
    response = await room.scan(room.instructor_user, room.token(at=at("2026-11-23 08:53")))
    assert response.status == 201, response.json
    assert response.json["role"] == "instructor"
    assert await InstructorSignIn.exists(instructor_id=room.instructor.id)
    assert not await Checkin.exists(trainee_id=trainee.id)
