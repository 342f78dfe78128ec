"""Reminders and warnings under a controlled clock: run twice, or by two workers, sent once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from backend.attendance.models import AttendanceMark, Mark
from backend.classes.models import ClassStatus
from backend.config import Settings
from backend.events.models import DomainEvent
from backend.followups.models import FollowupMilestone, FollowupService, ServiceKind, Stage
from backend.notifications.models import OutboxMessage
from backend.workqueue import reminders
from tests.support.client import Client
from tests.support.factories import auth
from tests.workqueue.support import make_place, subjects

At = Callable[[str], Any]


async def test_tomorrows_session_is_announced_from_18_00_to_its_trainees_and_instructor(
    settings: Settings, at: At
) -> None:
    place = await make_place()  # sessions from Monday 21 December, 09:00
    at("2026-12-20 17:59")
    assert await reminders.remind_tomorrows_sessions() == 0
    at("2026-12-20 18:00")
    assert await reminders.remind_tomorrows_sessions() == 1
    for user in (*place.users, place.lead_user):
        assert await subjects(user) == ["明日上课提醒"]
    assert await subjects(place.other_user) == []  # not booked on Monday's session
    [message] = await OutboxMessage.filter(user_id=place.lead_user.id)
    assert "明天09:00-12:00您在《鼓楼第十二期学员班》授课" in message.payload["data"]["thing2"]
    at("2026-12-20 20:00")
    assert await reminders.remind_tomorrows_sessions() == 0  # the same session: once


async def test_the_reminder_time_is_a_setting(
    settings: Settings, use_settings: Callable[..., Settings], at: At
) -> None:
    await make_place()
    use_settings(session_reminder_time="16:30")
    at("2026-12-20 16:29")
    assert await reminders.remind_tomorrows_sessions() == 0
    at("2026-12-20 16:30")
    assert await reminders.remind_tomorrows_sessions() == 1


async def test_a_draft_class_gets_no_session_reminder(settings: Settings, at: At) -> None:
    await make_place(status=ClassStatus.DRAFT)
    at("2026-12-20 18:00")
    assert await reminders.remind_tomorrows_sessions() == 0


async def _absent(place: Any, day: int, who: int = 0) -> None:
    """`who` missed the session of `day`; everyone else was there."""
    for n, trainee in enumerate(place.trainees):
        await AttendanceMark.update_or_create(
            defaults={
                "mark": Mark.ABSENT if n == who else Mark.PRESENT,
                "updated_at": place.sessions[day].ends_at,
            },
            session_id=place.sessions[day].id,
            trainee_id=trainee.id,
        )


async def test_the_absence_warning_goes_the_moment_the_threshold_is_out_of_reach(
    settings: Settings, at: At
) -> None:
    # 第二十二条 completion needs COMPLETION_ATTENDANCE_THRESHOLD (80%) of the 5 sessions: 4
    place = await make_place(status=ClassStatus.IN_PROGRESS)
    at("2026-12-21 12:30")
    await _absent(place, 0)
    assert await reminders.warn_absences() == 0  # 4 of 5 still possible
    at("2026-12-22 12:30")
    await _absent(place, 1)
    assert await reminders.warn_absences() == 1  # at most 3 of 5 now
    assert await reminders.warn_absences() == 0
    assert await subjects(place.users[0]) == ["出勤不足预警"]
    assert await subjects(place.teacher) == ["出勤不足预警"]
    assert await subjects(place.staff) == ["出勤不足预警"]
    assert await subjects(place.users[1]) == []


async def test_a_lower_threshold_warns_later(
    settings: Settings, use_settings: Callable[..., Settings], at: At
) -> None:
    use_settings(completion_attendance_threshold=0.6)
    place = await make_place(status=ClassStatus.IN_PROGRESS)
    at("2026-12-22 12:30")
    await _absent(place, 0)
    await _absent(place, 1)
    assert await reminders.warn_absences() == 0  # 3 of 5 = 60% still possible
    await _absent(place, 2)
    assert await reminders.warn_absences() == 1


async def test_the_institution_is_reminded_n_working_days_before_its_submission_deadline(
    settings: Settings, use_settings: Callable[..., Settings]
) -> None:
    # 第十八条: 开班日前10个工作日申报 — for a 21 December start the deadline is 7 December
    place = await make_place(status=ClassStatus.DRAFT)
    use_settings(plan_deadline_reminder_days=2)
    assert await reminders.remind_submission_deadlines(today=date(2026, 12, 2)) == 0  # 3 left
    assert await reminders.remind_submission_deadlines(today=date(2026, 12, 3)) == 1  # 2 left
    assert await reminders.remind_submission_deadlines(today=date(2026, 12, 4)) == 0  # told
    assert await subjects(place.admin) == ["培训方案申报截止临近"]
    [event] = await DomainEvent.filter(kind="submission_deadline_approaching")
    assert (event.data["deadline"], event.data["days_left"]) == ("2026-12-07", 2)
    assert await reminders.remind_submission_deadlines(today=date(2026, 12, 8)) == 1
    assert await subjects(place.admin) == ["培训方案申报截止临近", "培训方案已过申报期限"]


async def test_hr_is_told_on_the_day_its_review_deadline_arrives(settings: Settings) -> None:
    # 第十八条: 人社部门应在计划开班前3个工作日内完成审核 — 16 December for a 21 December start
    place = await make_place(status=ClassStatus.SUBMITTED)
    assert await reminders.remind_review_deadlines(today=date(2026, 12, 15)) == 0
    assert await reminders.remind_review_deadlines(today=date(2026, 12, 16)) == 1
    assert await reminders.remind_review_deadlines(today=date(2026, 12, 16)) == 0
    assert await subjects(place.hr) == ["今日为方案审核截止日"]
    assert await subjects(place.other_hr) == []
    assert await reminders.remind_review_deadlines(today=date(2026, 12, 17)) == 1
    assert await subjects(place.hr) == ["今日为方案审核截止日", "方案审核已逾期"]


@pytest.mark.postgres_only
async def test_two_workers_reminding_at_once_send_each_reminder_once(
    settings: Settings, at: At
) -> None:
    place = await make_place(status=ClassStatus.IN_PROGRESS)
    at("2026-12-20 18:05")
    results = await asyncio.gather(*(reminders.remind_tomorrows_sessions() for _ in range(4)))
    assert sum(results) == 1
    for user in (*place.users, place.lead_user):
        assert await subjects(user) == ["明日上课提醒"]
    at("2026-12-22 12:30")
    await _absent(place, 0, who=1)
    await _absent(place, 1, who=1)
    results = await asyncio.gather(*(reminders.warn_absences() for _ in range(4)))
    assert sum(results) == 1
    assert await subjects(place.users[1]) == ["明日上课提醒", "出勤不足预警"]


async def test_follow_up_stages_passed_without_a_service_are_overdue_once(
    client: Client, at: At
) -> None:
    # 第二十五条: 培训后1周、3个月、6个月 — a stage passed with no service is overdue
    place = await make_place(status=ClassStatus.FOLLOWING_UP)
    for trainee in place.trainees:
        await FollowupMilestone.create(
            training_class=place.klass,
            trainee=trainee,
            stage=Stage.WEEK_1,
            due_date=date(2027, 1, 3),
        )
    await FollowupService.create(
        training_class=place.klass,
        trainee=place.trainees[0],
        instructor=place.lead,
        kind=ServiceKind.PHONE_CALL,
        stage=Stage.WEEK_1.value,
        served_at=datetime(2027, 1, 2, 2, 0, tzinfo=UTC),
    )
    assert await reminders.remind_overdue_followups(today=date(2027, 1, 3)) == 0  # on the day
    assert await reminders.remind_overdue_followups(today=date(2027, 1, 4)) == 1
    assert await reminders.remind_overdue_followups(today=date(2027, 1, 5)) == 0
    [message] = await OutboxMessage.filter(user_id=place.lead_user.id)
    assert "有2名学员的培训后1周回访已逾期" in message.payload["data"]["thing2"]
    assert await subjects(place.admin) == ["后续跟踪服务逾期"]
    at("2027-01-03 10:00")  # on the milestone day the calls are due, not overdue
    at_hr = (await client.get("/api/v1/me/work-queue", headers=auth(place.hr))).json
    assert "followups_overdue" not in at_hr["counts"]
    at("2027-01-04 10:00")
    at_hr = (await client.get("/api/v1/me/work-queue", headers=auth(place.hr))).json
    lead = (await client.get("/api/v1/me/work-queue", headers=auth(place.lead_user))).json
    [item] = [i for i in at_hr["items"] if i["kind"] == "followups_overdue"]
    assert (item["object_type"], item["object_id"], item["count"]) == (
        "institution",
        place.inst.id,
        2,
    )
    assert item["title"].endswith("2项后续服务逾期") and item["deadline"] == "2027-01-03"
    [due] = [i for i in lead["items"] if i["kind"] == "followup_due"]
    assert (due["count"], due["class_id"]) == (2, place.klass.id)
