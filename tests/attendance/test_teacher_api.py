"""The class teacher's side (第二十条: 考勤监督): the sheet, confirmation, marks with history,
rates, the workbook, the trainee's own record, and who may do what."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from backend.accounts.models import Role
from backend.attendance.models import AttendanceChange, Checkin, Review
from backend.attendance.qr import Purpose
from backend.classes.models import ClassSession
from backend.security.pii import mask_id_number
from tests.attendance.support import START, Classroom, make_classroom
from tests.support.client import Client
from tests.support.factories import make_staff


@pytest.fixture
async def room(client: Client) -> Classroom:
    return await make_classroom(client, trainees=4)


async def _scan_all(room: Classroom, at: Any) -> None:
    """Trainee 0 on time, trainee 1 late, trainee 2 and 3 do not scan; the instructor signs in."""
    now = at("2026-11-23 08:55")
    assert (await room.scan(room.users[0], room.token(at=now))).status == 201
    assert (await room.scan(room.instructor_user, room.token(at=now))).status == 201
    now = at("2026-11-23 09:20")
    assert (await room.scan(room.users[1], room.token(at=now))).status == 201


async def test_the_sheet_shows_statuses_who_is_missing_and_the_instructor(
    room: Classroom, at: Any
) -> None:
    await _scan_all(room, at)
    response = await room.call("GET", f"/sessions/{room.session.id}/checkins")
    assert response.status == 200, response.json
    sheet = response.json
    status = {i["trainee_id"]: (i["status"], i["review"]) for i in sheet["items"]}
    t = [x.id for x in room.trainees]
    assert status == {
        t[0]: ("present", "pending"),
        t[1]: ("late", "pending"),
        t[2]: ("not_checked_in", "none"),
        t[3]: ("not_checked_in", "none"),
    }
    assert [m["trainee_id"] for m in sheet["missing"]] == [t[2], t[3]]
    counts = sheet["counts"]
    assert (counts["enrolled"], counts["checked_in"], counts["late"], counts["pending"]) == (
        4,
        2,
        1,
        2,
    )
    assert counts["attended"] == 0  # nothing confirmed yet
    assert sheet["phase"] == "late"
    [instructor] = sheet["instructors"]
    assert instructor["signed_in_at"] == "2026-11-23T08:55:00+08:00"
    assert instructor["late"] is False


async def test_confirming_and_rejecting_one_scan_each_keep_who_when_and_why(
    room: Classroom, at: Any
) -> None:
    await _scan_all(room, at)
    c0 = await Checkin.get(trainee_id=room.trainees[0].id)
    c1 = await Checkin.get(trainee_id=room.trainees[1].id)
    at("2026-11-23 09:30")
    response = await room.call("POST", f"/checkins/{c0.id}/confirm")  # no body needed
    assert (response.status, response.json["review"]) == (200, "confirmed")
    response = await room.call("POST", f"/checkins/{c1.id}/reject", room.staff, json={})
    assert (response.status, response.json["error"]["code"]) == (400, "REASON_REQUIRED")
    response = await room.call(
        "POST", f"/checkins/{c1.id}/reject", room.staff, json={"reason": "本人未到场，代签"}
    )
    assert (response.status, response.json["review"]) == (200, "rejected")
    detail = (
        await room.call("GET", f"/sessions/{room.session.id}/attendance/{c1.trainee_id}")
    ).json
    assert (detail["status"], detail["review"], detail["counted"]) == ("absent", "rejected", False)
    [change] = detail["history"]
    assert change["action"] == "reject"
    assert (change["from_status"], change["from_review"]) == ("late", "pending")
    assert (change["to_status"], change["to_review"]) == ("absent", "rejected")
    assert (change["actor_id"], change["reason"]) == (room.staff.id, "本人未到场，代签")
    assert change["at"] == "2026-11-23T09:30:00+08:00"
    rejected_again = await room.scan(room.users[1], room.token(at=at("2026-11-23 09:31")))
    assert rejected_again.json["message"].startswith("您已于 09:20 签到，但该记录已被班主任驳回")


async def test_confirm_all_confirms_every_pending_scan_once(room: Classroom, at: Any) -> None:
    await _scan_all(room, at)
    at("2026-11-23 09:40")
    path = f"/sessions/{room.session.id}/checkins/confirm-all"
    response = await room.call("POST", path)
    assert response.json == {"confirmed": 2}
    assert (await room.call("POST", path)).json == {"confirmed": 0}
    assert await Checkin.filter(review=Review.CONFIRMED).count() == 2
    assert await AttendanceChange.filter(action="confirm_all").count() == 2
    sheet = (await room.call("GET", f"/sessions/{room.session.id}/checkins")).json
    assert sheet["counts"]["attended"] == 2
    assert sheet["counts"]["rate"] == 0.5


async def test_manual_marks_need_a_reason_for_absent_and_excused_and_keep_history(
    room: Classroom, at: Any
) -> None:
    await _scan_all(room, at)
    at("2026-11-23 10:00")
    t2, t3 = room.trainees[2].id, room.trainees[3].id
    base = f"/sessions/{room.session.id}/attendance"
    response = await room.call("PUT", f"{base}/{t2}", json={"status": "excused"})
    assert (response.status, response.json["error"]["code"]) == (400, "REASON_REQUIRED")
    response = await room.call("PUT", f"{base}/{t2}", json={"status": "excused", "reason": "病假"})
    assert response.status == 200, response.json
    assert (response.json["status"], response.json["review"]) == ("excused", "manual")
    response = await room.call("PUT", f"{base}/{t3}", json={"status": "late"})
    assert (response.status, response.json["status"], response.json["counted"]) == (
        200,
        "late",
        True,
    )
    at("2026-11-23 10:05")
    response = await room.call(
        "PUT", f"{base}/{t3}", room.staff, json={"status": "absent", "reason": "早退"}
    )
    history = response.json["history"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("not_checked_in", "late"),
        ("late", "absent"),
    ]
    assert [h["actor_id"] for h in history] == [room.teacher.id, room.staff.id]
    assert history[1]["reason"] == "早退"
    assert history[1]["at"] == "2026-11-23T10:05:00+08:00"


async def test_only_leave_can_be_marked_before_the_session_starts(room: Classroom, at: Any) -> None:
    at("2026-11-22 18:00")
    base = f"/sessions/{room.session.id}/attendance/{room.trainees[0].id}"
    response = await room.call("PUT", base, json={"status": "absent", "reason": "未到"})
    assert (response.status, response.json["error"]["code"]) == (422, "ATTENDANCE_NOT_STARTED")
    response = await room.call("PUT", base, json={"status": "excused", "reason": "事先请假"})
    assert (response.status, response.json["status"]) == (200, "excused")


async def test_rates_count_confirmed_presence_per_trainee_and_per_session(
    room: Classroom, at: Any
) -> None:
    second = await ClassSession.create(
        training_class=room.klass,
        starts_at=START.replace(day=24),
        ends_at=START.replace(day=24, hour=4),
        topic="面试技巧",
    )
    await _scan_all(room, at)
    at("2026-11-23 09:40")
    await room.call("POST", f"/sessions/{room.session.id}/checkins/confirm-all")
    now = at("2026-11-24 08:55")
    assert (await room.scan(room.users[0], room.token(at=now, session_id=second.id))).status == 201
    at("2026-11-24 12:30")
    response = await room.call("GET", f"/classes/{room.klass.id}/attendance")
    assert response.status == 200, response.json
    trainees = {t["trainee_id"]: t["totals"] for t in response.json["trainees"]}
    t0 = trainees[room.trainees[0].id]
    assert (t0["held"], t0["attended"], t0["rate"], t0["pending"]) == (2, 1, 0.5, 1)
    assert trainees[room.trainees[1].id]["rate"] == 0.5
    assert trainees[room.trainees[2].id]["absent"] == 2
    sessions = {s["id"]: s["totals"] for s in response.json["sessions"]}
    assert (sessions[room.session.id]["attended"], sessions[room.session.id]["rate"]) == (2, 0.5)
    assert sessions[second.id]["rate"] == 0.0


async def test_a_confirmed_check_in_before_its_session_starts_counts_once_the_session_has_started(
    room: Classroom, at: Any
) -> None:
    """Check-in opens before the start, and the class teacher may confirm the scan at once: the
    rate counts it only with its session among the held ones (it once read 2.0 = 2 ÷ 1)."""
    second = await ClassSession.create(
        training_class=room.klass,
        starts_at=START.replace(day=24),
        ends_at=START.replace(day=24, hour=4),
        topic="面试技巧",
    )
    await _scan_all(room, at)
    at("2026-11-23 09:40")
    await room.call("POST", f"/sessions/{room.session.id}/checkins/confirm-all")
    now = at("2026-11-24 08:45")
    assert (await room.scan(room.users[0], room.token(at=now, session_id=second.id))).status == 201
    await room.call("POST", f"/sessions/{second.id}/checkins/confirm-all")
    response = await room.call("GET", f"/classes/{room.klass.id}/attendance")
    assert response.status == 200, response.json
    totals = {t["trainee_id"]: t["totals"] for t in response.json["trainees"]}
    mine = totals[room.trainees[0].id]
    assert (mine["present"], mine["held"], mine["attended"], mine["rate"]) == (2, 1, 1, 1.0)
    [own] = (await room.call("GET", "/me/attendance", room.users[0])).json["items"]
    assert own["totals"] == mine
    at("2026-11-24 09:00")
    response = await room.call("GET", f"/classes/{room.klass.id}/attendance")
    mine = {t["trainee_id"]: t["totals"] for t in response.json["trainees"]}[room.trainees[0].id]
    assert (mine["held"], mine["attended"], mine["rate"]) == (2, 2, 1.0)


async def test_the_workbook_has_a_row_per_trainee_a_column_per_session_and_totals(
    room: Classroom, at: Any
) -> None:
    await _scan_all(room, at)
    at("2026-11-23 09:40")
    await room.call("POST", f"/sessions/{room.session.id}/checkins/confirm-all")
    at("2026-11-23 12:30")
    response = await room.call("GET", f"/classes/{room.klass.id}/attendance.xlsx")
    assert response.status == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.body))
    assert book.sheetnames == [room.klass.title]
    ws = book.active
    assert ws is not None
    headers = [c.value for c in ws[3]]
    assert headers == [
        "序号",
        "姓名",
        "11-23 09:00\n简历制作",
        "出勤",
        "迟到",
        "缺勤",
        "请假",
        "待确认",
        "已开课次",
        "出勤率",
    ]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=7)]
    assert rows[0] == [1, "学员1", "出勤", 1, 0, 0, 0, 0, 1, "100.0%"]
    assert rows[1] == [2, "学员2", "迟到", 0, 1, 0, 0, 0, 1, "100.0%"]
    assert rows[2][2:] == ["缺勤", 0, 0, 1, 0, 0, 1, "0.0%"]
    assert [ws.cell(8, 2).value, ws.cell(8, 3).value] == ["出勤人数", 2]
    assert [ws.cell(9, 2).value, ws.cell(9, 3).value] == ["出勤率", "50.0%"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    from backend.accounts.service import decrypt_pii

    for trainee in room.trainees:
        full = decrypt_pii(trainee.id_number_enc, context="id_number")
        assert full not in text and mask_id_number(full) not in text


async def test_a_trainee_sees_only_their_own_attendance(room: Classroom, at: Any) -> None:
    await _scan_all(room, at)
    response = await room.call("GET", "/me/attendance", room.users[1])
    assert response.status == 200, response.json
    [mine] = response.json["items"]
    assert mine["class_id"] == room.klass.id
    [session] = mine["sessions"]
    assert (session["id"], session["status"], session["review"]) == (
        room.session.id,
        "late",
        "pending",
    )
    assert mine["totals"]["held"] == 1
    assert "trainees" not in mine


# --- who may do what --------------------------------------------------------------------------


async def test_a_teacher_of_another_class_sees_nothing_of_this_session(
    room: Classroom, client: Client, at: Any
) -> None:
    other = await make_classroom(client, trainees=1)
    await _scan_all(room, at)
    checkin = await Checkin.filter(trainee_id=room.trainees[0].id).first()
    assert checkin is not None
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/sessions/{room.session.id}/checkins", None),
        ("GET", f"/sessions/{room.session.id}/qr", None),
        ("POST", f"/checkins/{checkin.id}/confirm", {}),
        ("POST", f"/sessions/{room.session.id}/checkins/confirm-all", None),
        ("GET", f"/classes/{room.klass.id}/attendance.xlsx", None),
    ]
    for method, path, body in calls:
        response = await room.call(method, path, other.teacher, json=body)
        assert response.status == 404, (path, response.json)


async def test_the_institution_and_hr_may_read_but_not_confirm(room: Classroom, at: Any) -> None:
    await _scan_all(room, at)
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=room.inst)
    hr = await make_staff(Role.HR_ADMIN, district_code=room.klass.district_code)
    for user in (admin, hr):
        assert (await room.call("GET", f"/sessions/{room.session.id}/checkins", user)).status == 200
        assert (
            await room.call("GET", f"/classes/{room.klass.id}/attendance.xlsx", user)
        ).status == 200
        confirm = await room.call("POST", f"/sessions/{room.session.id}/checkins/confirm-all", user)
        assert confirm.status == 403


async def test_a_trainee_may_not_read_the_session_sheet(room: Classroom) -> None:
    response = await room.call("GET", f"/sessions/{room.session.id}/checkins", room.users[0])
    assert (response.status, response.json["error"]["code"]) == (403, "ROLE_FORBIDDEN")


async def test_check_out_shows_full_attendance_on_the_sheet(room: Classroom, at: Any) -> None:
    await _scan_all(room, at)
    at("2026-11-23 09:40")
    await room.call("POST", f"/sessions/{room.session.id}/checkins/confirm-all")
    now = at("2026-11-23 11:55")
    await room.scan(room.users[0], room.token(Purpose.OUT, at=now))
    sheet = (await room.call("GET", f"/sessions/{room.session.id}/checkins")).json
    full = {i["trainee_id"]: i["full_attendance"] for i in sheet["items"]}
    assert full[room.trainees[0].id] is True
    assert full[room.trainees[1].id] is False  # checked in (late), never checked out
    assert sheet["counts"]["checked_out"] == 1
