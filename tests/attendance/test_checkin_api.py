"""Scanning the rotating code: check-in, lateness, idempotency, check-out, every refusal,
instructors (第十九条) and the anti-cheating signals (第八条(五), 第二十条)."""

from __future__ import annotations

from typing import Any

import pytest

from backend.attendance.models import Checkin, InstructorSignIn
from backend.attendance.qr import Purpose, issue_code, step_at
from backend.classes.models import ClassStatus, Enrolment, EnrolmentStatus
from tests.attendance.support import Classroom, make_classroom
from tests.support.client import Client
from tests.support.factories import make_instructor, make_trainee, make_user


@pytest.fixture
async def room(client: Client) -> Classroom:
    return await make_classroom(client)


async def test_an_enrolled_trainee_scanning_before_the_start_is_checked_in_on_time(
    room: Classroom, at: Any
) -> None:
    now = at("2026-11-23 08:50")
    response = await room.scan(room.users[0], room.token(at=now))
    assert response.status == 201, response.json
    body = response.json
    assert body["message"] == "签到成功"
    assert (body["outcome"], body["role"], body["late"], body["review"]) == (
        "checked_in",
        "trainee",
        False,
        "pending",
    )
    assert body["scanned_at"] == "2026-11-23T08:50:00+08:00"
    assert await Checkin.filter(trainee_id=room.trainees[0].id).count() == 1


async def test_a_scan_within_ten_minutes_of_the_start_is_still_on_time(
    room: Classroom, at: Any
) -> None:
    now = at("2026-11-23 09:10")
    response = await room.scan(room.users[0], room.token(at=now))
    assert response.status == 201, response.json
    assert response.json["late"] is False


async def test_a_scan_after_the_grace_is_marked_late_and_says_so(room: Classroom, at: Any) -> None:
    now = at("2026-11-23 09:25:30")
    response = await room.scan(room.users[0], room.token(at=now))
    assert response.status == 201, response.json
    assert response.json["late"] is True
    assert response.json["minutes_late"] == 25  # whole minutes late: 25 min 30 s → 25
    assert response.json["message"] == "签到成功，您迟到了 25 分钟"


async def test_a_repeated_scan_answers_with_the_time_of_the_first(room: Classroom, at: Any) -> None:
    first = at("2026-11-23 08:55")
    assert (await room.scan(room.users[0], room.token(at=first))).status == 201
    again = at("2026-11-23 09:20")
    response = await room.scan(room.users[0], room.token(at=again))
    assert response.status == 200, response.json
    assert response.json["outcome"] == "already_checked_in"
    assert response.json["message"] == "您已于 08:55 签到"
    assert response.json["late"] is False
    assert await Checkin.filter(trainee_id=room.trainees[0].id).count() == 1


async def test_the_check_out_code_checks_out_near_the_end(room: Classroom, at: Any) -> None:
    now = at("2026-11-23 11:50")
    response = await room.scan(room.users[0], room.token(Purpose.OUT, at=now))
    assert response.status == 201, response.json
    assert (response.json["outcome"], response.json["message"]) == ("checked_out", "签退成功")
    at("2026-11-23 12:30")
    response = await room.scan(room.users[0], room.token(Purpose.OUT, at=clock_now()))
    assert response.json["message"] == "您已于 11:50 签退"


def clock_now() -> Any:
    from backend import clock

    return clock.now()


# --- refusals: each with its own code and Chinese message ------------------------------------


async def _refusal(
    room: Classroom, token: str, user: Any = None, **body: Any
) -> tuple[int, str, str]:
    response = await room.scan(user or room.users[0], token, **body)
    error = response.json["error"]
    return response.status, error["code"], error["message"]


async def test_a_forged_code_is_refused_as_invalid(room: Classroom, at: Any) -> None:
    now = at("2026-11-23 08:50")
    genuine = room.token(at=now)
    forged = issue_code(
        key=b"k" * 32, session_id=room.session.id, purpose=Purpose.IN, step=step_at(now, 15)
    )
    altered = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    for token in (forged, altered, "not-a-code", genuine.replace("I", "O", 1)):
        status, code, message = await _refusal(room, token)
        assert (status, code) == (400, "CHECKIN_TOKEN_INVALID"), token
        assert message == "签到码无效，请扫描教室屏幕上的签到码"
    assert await Checkin.all().count() == 0


async def test_an_expired_code_is_refused_with_its_own_message(room: Classroom, at: Any) -> None:
    shown = at("2026-11-23 08:50:00")
    token = room.token(at=shown)
    at("2026-11-23 08:50:20")  # the next step: the previous code is still accepted
    assert (await room.scan(room.users[0], token)).status == 201
    at("2026-11-23 08:50:31")  # two steps later
    status, code, message = await _refusal(room, token, room.users[1])
    assert (status, code, message) == (422, "CHECKIN_TOKEN_EXPIRED", "签到码已过期，请重新扫码")


async def test_a_code_of_another_session_is_refused_as_the_wrong_session(
    room: Classroom, at: Any
) -> None:
    now = at("2026-11-23 08:50")
    status, code, message = await _refusal(room, room.token(at=now), session_id=room.session.id + 1)
    assert (status, code) == (422, "CHECKIN_WRONG_SESSION")
    assert message == "该签到码不属于本节课，请扫描本节课的签到码"


async def test_a_check_out_code_scanned_to_check_in_is_the_wrong_purpose(
    room: Classroom, at: Any
) -> None:
    now = at("2026-11-23 11:45")
    status, code, message = await _refusal(room, room.token(Purpose.OUT, at=now), purpose="in")
    assert (status, code) == (422, "CHECKIN_WRONG_PURPOSE")
    assert message == "这是签退码，签到请扫描签到码"


async def test_check_in_before_the_window_opens_is_refused_with_the_opening_time(
    room: Classroom, at: Any
) -> None:
    now = at("2026-11-23 08:29")
    status, code, message = await _refusal(room, room.token(at=now))
    assert (status, code, message) == (422, "CHECKIN_NOT_OPEN", "签到尚未开始，请于 08:30 后扫码")


async def test_check_in_after_the_session_ended_is_refused_as_window_closed(
    room: Classroom, at: Any
) -> None:
    now = at("2026-11-23 12:00:01")
    status, code, message = await _refusal(room, room.token(at=now))
    assert (status, code, message) == (422, "CHECKIN_WINDOW_CLOSED", "本节课签到已于 12:00 结束")


async def test_check_out_outside_its_window_is_refused(room: Classroom, at: Any) -> None:
    early = at("2026-11-23 11:29")
    status, code, _ = await _refusal(room, room.token(Purpose.OUT, at=early))
    assert (status, code) == (422, "CHECKIN_NOT_OPEN")
    late = at("2026-11-23 13:00:01")
    status, code, message = await _refusal(room, room.token(Purpose.OUT, at=late))
    assert (status, code, message) == (422, "CHECKIN_WINDOW_CLOSED", "本节课签退已于 13:00 结束")


async def test_a_trainee_not_on_the_roster_is_refused(room: Classroom, at: Any) -> None:
    user = await make_user("外班学员")
    await make_trainee("外班学员", user=user)
    now = at("2026-11-23 08:50")
    status, code, message = await _refusal(room, room.token(at=now), user)
    assert (status, code, message) == (
        403,
        "CHECKIN_NOT_ENROLLED",
        "您不在本班学员名单中，不能签到",
    )


async def test_a_withdrawn_trainee_is_refused_as_not_enrolled(room: Classroom, at: Any) -> None:
    await Enrolment.filter(trainee_id=room.trainees[0].id).update(status=EnrolmentStatus.WITHDRAWN)
    now = at("2026-11-23 08:50")
    assert (await _refusal(room, room.token(at=now)))[1] == "CHECKIN_NOT_ENROLLED"


async def test_a_user_without_a_bound_trainee_identity_is_refused(room: Classroom, at: Any) -> None:
    stranger = await make_user("未绑定")
    now = at("2026-11-23 08:50")
    status, code, message = await _refusal(room, room.token(at=now), stranger)
    assert (status, code) == (403, "CHECKIN_IDENTITY_NOT_BOUND")
    assert message == "请先绑定学员身份（姓名和身份证号）后再签到"
    status, code, _ = await _refusal(room, room.token(at=now), room.teacher)
    assert (status, code) == (403, "CHECKIN_IDENTITY_NOT_BOUND")


async def test_a_class_that_is_not_running_refuses_scans(room: Classroom, at: Any) -> None:
    room.klass.status = ClassStatus.REJECTED
    await room.klass.save()
    now = at("2026-11-23 08:50")
    assert (await _refusal(room, room.token(at=now)))[:2] == (422, "CHECKIN_CLASS_NOT_ACTIVE")


# --- the fence --------------------------------------------------------------------------------


@pytest.fixture
async def fenced(client: Client) -> Classroom:
    return await make_classroom(client, fence=True)


async def test_a_scan_inside_the_fence_is_recorded_with_its_distance(
    fenced: Classroom, at: Any
) -> None:
    now = at("2026-11-23 08:50")
    response = await fenced.scan(
        fenced.users[0], fenced.token(at=now), latitude=26.0750, longitude=119.2965, accuracy=15
    )
    assert response.status == 201, response.json
    assert response.json["flags"] == []
    row = await Checkin.get(trainee_id=fenced.trainees[0].id)
    assert 50 < (row.distance_m or 0) < 60
    assert (row.latitude, row.longitude, row.accuracy_m) == (26.0750, 119.2965, 15)


async def test_a_scan_outside_the_fence_is_refused_with_the_distance(
    fenced: Classroom, at: Any
) -> None:
    now = at("2026-11-23 08:50")
    status, code, message = await _refusal(
        fenced, fenced.token(at=now), latitude=26.0845, longitude=119.2965, accuracy=20
    )
    assert (status, code) == (422, "CHECKIN_OUTSIDE_FENCE")
    assert message == "您不在培训场地范围内（距场地约 1112 米），请到场后再签到"


async def test_a_fenced_class_needs_a_location(fenced: Classroom, at: Any) -> None:
    now = at("2026-11-23 08:50")
    status, code, _ = await _refusal(fenced, fenced.token(at=now))
    assert (status, code) == (422, "CHECKIN_LOCATION_REQUIRED")


async def test_a_poor_location_fix_is_flagged_not_refused(fenced: Classroom, at: Any) -> None:
    now = at("2026-11-23 08:50")
    # 300 m from the venue, fence 200 m, but the phone only knows its place to ±400 m.
    response = await fenced.scan(
        fenced.users[0], fenced.token(at=now), latitude=26.0772, longitude=119.2965, accuracy=400
    )
    assert response.status == 201, response.json
    assert response.json["flags"] == ["poor_accuracy"]


async def test_an_unfenced_class_accepts_scans_without_a_location(room: Classroom, at: Any) -> None:
    now = at("2026-11-23 08:50")
    response = await room.scan(room.users[0], room.token(at=now))
    assert response.status == 201, response.json
    assert (await Checkin.get(trainee_id=room.trainees[0].id)).distance_m is None


# --- instructors (第十九条) -------------------------------------------------------------------


async def test_the_booked_instructor_signs_in_with_the_same_code(room: Classroom, at: Any) -> None:
    """第十九条: 授课老师及培训机构不得私自找人代课 — the booked instructor proves presence."""
    now = at("2026-11-23 08:45")
    response = await room.scan(room.instructor_user, room.token(at=now))
    assert response.status == 201, response.json
    assert (response.json["role"], response.json["message"]) == ("instructor", "签到成功")
    assert await InstructorSignIn.filter(instructor_id=room.instructor.id).count() == 1
    again = await room.scan(room.instructor_user, room.token(at=now))
    assert (again.status, again.json["message"]) == (200, "您已于 08:45 签到")


async def test_an_instructor_not_booked_on_the_session_is_refused(room: Classroom, at: Any) -> None:
    """第十九条: an instructor of the class but not of this session may not sign in for it."""
    _, other_user = await make_instructor()
    now = at("2026-11-23 08:45")
    status, code, message = await _refusal(room, room.token(at=now), other_user)
    assert (status, code) == (403, "CHECKIN_INSTRUCTOR_NOT_ASSIGNED")
    assert "第十九条" in message
    assert await InstructorSignIn.all().count() == 0


# --- anti-cheating signals --------------------------------------------------------------------


async def test_each_scan_keeps_its_network_device_and_location_signals(
    room: Classroom, at: Any
) -> None:
    now = at("2026-11-23 08:50")
    headers = {"User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0.50", "X-Device-Id": "dev-1"}
    response = await room.scan(
        room.users[0],
        room.token(at=now),
        headers,
        latitude=26.07,
        longitude=119.29,
        accuracy=30,
        device_model="iPhone 15",
    )
    assert response.status == 201, response.json
    row = await Checkin.get(trainee_id=room.trainees[0].id)
    assert row.ip == "127.0.0.1"
    assert row.user_agent.startswith("Mozilla/5.0 (iPhone)")
    assert (row.device_id, row.device_model) == ("dev-1", "iPhone 15")
    assert (row.latitude, row.longitude, row.accuracy_m) == (26.07, 119.29, 30)


async def test_two_trainees_on_one_device_are_both_flagged_for_the_teacher(
    room: Classroom, at: Any
) -> None:
    now = at("2026-11-23 08:50")
    same = {"X-Device-Id": "shared-phone"}
    await room.scan(room.users[0], room.token(at=now), same)
    later = at("2026-11-23 08:53")
    await room.scan(room.users[1], room.token(at=later), same)
    at("2026-11-23 08:55")  # the third scans from the same network, but minutes later
    await room.scan(room.users[2], room.token(at=clock_now()), {"X-Device-Id": "own-phone"})
    sheet = (await room.call("GET", f"/sessions/{room.session.id}/checkins")).json
    flags = {i["trainee_id"]: i["flags"] for i in sheet["items"]}
    assert flags[room.trainees[0].id] == ["same_device"]
    assert flags[room.trainees[1].id] == ["same_device"]
    assert flags[room.trainees[2].id] == []
    assert sheet["counts"]["flagged"] == 2


async def test_two_trainees_from_one_address_within_seconds_are_flagged(
    room: Classroom, at: Any
) -> None:
    now = at("2026-11-23 08:50:00")
    await room.scan(room.users[0], room.token(at=now), {"X-Device-Id": "a"})
    later = at("2026-11-23 08:50:10")
    await room.scan(room.users[1], room.token(at=later), {"X-Device-Id": "b"})
    sheet = (await room.call("GET", f"/sessions/{room.session.id}/checkins")).json
    flags = {i["trainee_id"]: i["flag_labels"] for i in sheet["items"]}
    assert flags[room.trainees[0].id] == ["与其他学员短时间内来自同一网络地址"]
    assert flags[room.trainees[1].id] == ["与其他学员短时间内来自同一网络地址"]
