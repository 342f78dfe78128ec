"""Projector links follow their teacher, can be revoked, live only in the
session's window; certificate numbers cannot be guessed; public verification is rate-limited."""

from __future__ import annotations

import re
from typing import Any

from backend.accounts.models import RoleGrant
from backend.certificates.service import certificate_number
from backend.classes.models import ClassStaff
from tests.attendance.support import Classroom, make_classroom
from tests.support.client import Client


async def _token(room: Classroom) -> str:
    response = await room.call("POST", f"/sessions/{room.session.id}/display-link", json={})
    assert response.status == 201, response.json
    return str(response.json["path"].split("?t=")[1])


async def _state(room: Classroom, token: str) -> tuple[int, str]:
    response = await room.client.get(f"/display/sessions/{room.session.id}/state?t={token}")
    return response.status, (response.json or {}).get("error", {}).get("code", "")


async def test_a_display_link_stops_when_its_teacher_leaves_the_class(
    client: Client, at: Any
) -> None:
    room = await make_classroom(client, trainees=1)
    at("2026-11-23 08:40")
    token = await _token(room)
    assert (await _state(room, token))[0] == 200
    await ClassStaff.filter(training_class_id=room.klass.id, user_id=room.teacher.id).delete()
    await RoleGrant.filter(user_id=room.teacher.id).delete()
    assert await _state(room, token) == (403, "DISPLAY_LINK_REVOKED")


async def test_a_display_link_stops_when_its_teacher_logs_out(client: Client, at: Any) -> None:
    room = await make_classroom(client, trainees=1)
    at("2026-11-23 08:40")
    token = await _token(room)
    assert (await room.call("POST", "/auth/logout")).status == 200
    assert await _state(room, token) == (403, "DISPLAY_LINK_REVOKED")


async def test_staff_can_revoke_every_display_link_of_a_session(client: Client, at: Any) -> None:
    room = await make_classroom(client, trainees=1)
    at("2026-11-23 08:40")
    token = await _token(room)
    revoked = await room.call("POST", f"/sessions/{room.session.id}/display-link/revoke")
    assert revoked.status == 200, revoked.json
    assert await _state(room, token) == (403, "DISPLAY_LINK_REVOKED")
    at("2026-11-23 08:41")
    assert (await _state(room, await _token(room)))[0] == 200  # a new link works


async def test_a_display_link_lives_only_in_the_sessions_window(client: Client, at: Any) -> None:
    room = await make_classroom(client, trainees=1)  # 09:00-12:00, check-out until 13:00
    at("2026-11-23 12:50")
    link = await room.call(
        "POST", f"/sessions/{room.session.id}/display-link", json={"ttl_minutes": 240}
    )
    # check-out closes at 13:00; the page may say "over" for half an hour more (no code)
    assert link.json["expires_at"] == "2026-11-23T13:30:00+08:00"
    at("2026-11-22 20:00")
    early = await _token(room)
    assert await _state(room, early) == (403, "DISPLAY_LINK_OUTSIDE_WINDOW")
    at("2026-11-23 13:00:01")
    over = await room.call("POST", f"/sessions/{room.session.id}/display-link", json={})
    assert over.status == 422, over.json


async def test_certificate_numbers_end_with_a_random_part(client: Client) -> None:
    from tests.support.factories import make_class, make_institution

    klass = await make_class(await make_institution())
    first, second = certificate_number(klass, 7), certificate_number(klass, 7)
    assert first != second
    assert re.fullmatch(r"FZQZ-\d{4}-\d{5}-\d{6}-[2-9A-HJ-NP-Z]{8}", first)
    assert len(first) <= 40


async def test_public_certificate_verification_is_rate_limited(client: Client) -> None:
    statuses = []
    for n in range(70):
        response = await client.get(f"/api/v1/certificates/FZQZ-GUESS-{n:04d}/verify")
        statuses.append(response.status)
    assert statuses[:60] == [200] * 60
    assert statuses[-1] == 429
    assert int(response.headers["Retry-After"]) >= 1
