"""The attendance figures an operator sets (第二十条): the code's step and grace,
when check-in opens and from when a scan is late."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from backend.attendance.policy import AttendancePolicy, policy_from_settings
from backend.config import Settings, SettingsError
from tests.attendance.support import Classroom, make_classroom
from tests.support.client import Client


@pytest.fixture
async def room(client: Client) -> Classroom:
    return await make_classroom(client, trainees=2)


async def test_a_configured_step_and_grace_rotate_and_accept_the_code_accordingly(
    room: Classroom, at: Any, use_settings: Callable[..., Settings]
) -> None:
    use_settings(attendance_qr_step_seconds=30, attendance_qr_grace_steps=0)
    at("2026-11-23 08:50:01")
    code = (await room.call("GET", f"/sessions/{room.session.id}/qr")).json
    assert (code["step_seconds"], code["changes_at"]) == (30, "2026-11-23T08:50:30+08:00")
    assert code["valid_until"] == "2026-11-23T08:50:30+08:00"  # no grace: valid for its step
    at("2026-11-23 08:50:31")  # the next step, and no earlier code is accepted
    stale = await room.scan(room.users[0], code["token"])
    assert (stale.status, stale.json["error"]["code"]) == (422, "CHECKIN_TOKEN_EXPIRED")
    fresh = (await room.call("GET", f"/sessions/{room.session.id}/qr")).json["token"]
    assert (await room.scan(room.users[0], fresh)).status == 201


async def test_the_configured_window_decides_when_check_in_opens_and_when_it_is_late(
    room: Classroom, at: Any, use_settings: Callable[..., Settings]
) -> None:
    use_settings(attendance_opens_before_minutes=10, attendance_late_after_minutes=20)
    early = await room.scan(room.users[0], room.token(at=at("2026-11-23 08:45")))
    assert (early.status, early.json["error"]["code"]) == (422, "CHECKIN_NOT_OPEN")
    on_time = await room.scan(room.users[0], room.token(at=at("2026-11-23 09:15")))
    assert (on_time.status, on_time.json["late"]) == (201, False)  # late only after 20 minutes
    late = await room.scan(room.users[1], room.token(at=at("2026-11-23 09:21")))
    assert (late.status, late.json["late"], late.json["minutes_late"]) == (201, True, 21)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("attendance_qr_step_seconds", 2),
        ("attendance_qr_grace_steps", 5),
        ("attendance_opens_before_minutes", -1),
        ("attendance_late_after_minutes", 600),
    ],
)
def test_an_attendance_figure_out_of_range_is_refused_at_load(name: str, value: int) -> None:
    with pytest.raises(SettingsError, match=name.upper()):
        Settings(dev=True, **{name: value})


def test_the_default_settings_name_the_default_policy() -> None:
    assert policy_from_settings(Settings(dev=True)) == AttendancePolicy()
