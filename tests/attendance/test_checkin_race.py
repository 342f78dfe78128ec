"""Concurrency on PostgreSQL: a hundred identical scans at once leave one row."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backend.attendance.models import AttendanceChange, AttendanceMark, Checkin
from tests.attendance.support import make_classroom
from tests.support.client import Client

pytestmark = pytest.mark.postgres_only


async def test_a_hundred_parallel_identical_scans_record_exactly_one_check_in(
    client: Client, at: Any
) -> None:
    room = await make_classroom(client, trainees=1)
    now = at("2026-11-23 08:58")
    token = room.token(at=now)
    replies = await asyncio.gather(*(room.scan(room.users[0], token) for _ in range(100)))
    statuses = sorted(r.status for r in replies)
    assert statuses == [200] * 99 + [201]
    assert await Checkin.filter(trainee_id=room.trainees[0].id).count() == 1
    first = next(r for r in replies if r.status == 201).json
    again = [r.json for r in replies if r.status == 200]
    assert {a["record_id"] for a in again} == {first["record_id"]}
    assert {a["message"] for a in again} == {"您已于 08:58 签到"}


async def test_two_teachers_marking_one_trainee_at_once_leave_one_mark_and_both_changes(
    client: Client, at: Any
) -> None:
    room = await make_classroom(client, trainees=1)
    at("2026-11-23 12:30")
    path = f"/sessions/{room.session.id}/attendance/{room.trainees[0].id}"
    teacher, staff = room.teacher, room.staff
    body = {"status": "excused", "reason": "病假（有医院证明）"}
    replies = await asyncio.gather(
        *(room.call("PUT", path, user, json=body) for user in [teacher, staff] * 5)
    )
    assert [r.status for r in replies] == [200] * 10, [r.json for r in replies]
    assert await AttendanceMark.filter(trainee_id=room.trainees[0].id).count() == 1
    assert await AttendanceChange.filter(trainee_id=room.trainees[0].id).count() == 10
