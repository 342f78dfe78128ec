"""Milestones (第二十五条: “在培训后1周、3个月、6个月内三个阶段”): dates, generation, invites."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from backend.classes.models import ClassKind, ClassStatus, ClassStatusChange, TrainingClass
from backend.classes.service import advance_due_classes
from backend.followups.models import FollowupMilestone, Stage
from backend.followups.service import (
    add_months,
    generate_milestones,
    invitation_key,
    milestone_dates,
    queue_due_invitations,
    stage_of,
    start_due_followups,
)
from backend.notifications.models import Channel, OutboxMessage
from tests.followups.support import make_world
from tests.support.factories import enrol, make_class, make_institution


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
        (date(2026, 8, 31), 3, date(2026, 11, 30)),  # the 31st clamps to the month's end
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # a leap year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 10, 31), 3, date(2027, 1, 31)),  # across the year
    ],
)
def test_months_are_calendar_months_and_the_31st_clamps(
    day: date, months: int, expected: date
) -> None:
    assert add_months(day, months) == expected


def test_milestones_fall_one_week_three_and_six_months_after_the_end_date() -> None:
    # 第二十五条: 培训后1周、3个月、6个月
    assert milestone_dates(date(2026, 8, 31)) == {
        Stage.WEEK_1: date(2026, 9, 7),
        Stage.MONTH_3: date(2026, 11, 30),
        Stage.MONTH_6: date(2027, 2, 28),
    }


def test_a_service_belongs_to_the_first_stage_not_yet_past() -> None:
    end = date(2026, 11, 29)
    assert stage_of(end, date(2026, 11, 29)) == "week_1"
    assert stage_of(end, date(2026, 12, 6)) == "week_1"
    assert stage_of(end, date(2026, 12, 7)) == "month_3"
    assert stage_of(end, date(2027, 5, 29)) == "month_6"
    assert stage_of(end, date(2027, 5, 30)) == "after_6_months"


async def test_a_completed_class_moves_to_following_up_with_three_milestones_per_trainee(
    settings: Any, at: Any
) -> None:
    world = await make_world(("a", "b"))
    at("2026-11-29 12:30")  # the last session is over
    assert await advance_due_classes() == 1
    assert await start_due_followups() == 1
    klass = await TrainingClass.get(id=world.klass.id)
    assert klass.status is ClassStatus.FOLLOWING_UP
    last = await ClassStatusChange.filter(training_class_id=klass.id).order_by("-id").first()
    assert last is not None and (last.from_status, last.to_status) == (
        ClassStatus.COMPLETED,
        ClassStatus.FOLLOWING_UP,
    )
    rows = await FollowupMilestone.filter(training_class_id=klass.id).order_by(
        "trainee_id", "due_date"
    )
    assert len(rows) == 6
    assert {(r.stage, r.due_date) for r in rows} == {
        (Stage.WEEK_1, date(2026, 12, 6)),
        (Stage.MONTH_3, date(2027, 2, 28)),  # 29 November + 3 months: February has no 29th
        (Stage.MONTH_6, date(2027, 5, 29)),
    }
    assert await start_due_followups() == 0
    assert await generate_milestones(klass=klass) == 6  # the hook may run again: no duplicates
    assert await FollowupMilestone.filter(training_class_id=klass.id).count() == 6


async def test_an_instructor_class_has_no_trainee_follow_up(settings: Any) -> None:
    inst = await make_institution()
    klass = await make_class(inst, status=ClassStatus.COMPLETED, kind=ClassKind.INSTRUCTOR_CLASS)
    assert await start_due_followups() == 0
    assert await generate_milestones(klass=klass) == 0
    assert (await TrainingClass.get(id=klass.id)).status is ClassStatus.COMPLETED


async def test_invitations_are_queued_on_the_due_day_once_each(settings: Any, at: Any) -> None:
    world = await make_world(("a", "b"))
    world.klass.status = ClassStatus.COMPLETED
    await world.klass.save()
    await start_due_followups()
    at("2026-12-05 10:00")
    assert await queue_due_invitations() == 0
    at("2026-12-06 09:05")
    assert await queue_due_invitations() == 2
    assert await queue_due_invitations() == 0
    rows = await OutboxMessage.all().order_by("id")
    assert len(rows) == 2
    week = await FollowupMilestone.filter(stage=Stage.WEEK_1).order_by("trainee_id")
    assert [r.dedupe_key for r in rows] == [invitation_key(m.id) for m in week]
    first = rows[0]
    assert (first.channel, first.template_key) == (Channel.SUBSCRIBE, "followup_survey")
    assert first.user_id == world.people[0].user.id
    assert first.payload["data"]["thing1"] == "培训后1周就业情况回访"
    assert first.payload["data"]["date3"] == "2026年12月6日"
    assert first.payload["context"]["class_id"] == world.klass.id
    # a lost invitation mark cannot send twice: the dedupe key is unique
    await FollowupMilestone.all().update(invited_at=None)
    assert await queue_due_invitations() == 2
    assert await OutboxMessage.all().count() == 2


async def test_a_late_joiner_and_a_missed_day_are_caught_up(settings: Any, at: Any) -> None:
    world = await make_world(("a",))
    world.klass.status = ClassStatus.COMPLETED
    await world.klass.save()
    await start_due_followups()
    at("2027-03-02 10:00")  # the worker was down on 6 December and on 28 February
    assert await queue_due_invitations() == 2
    late = await make_world(("z",), district="350103")
    await enrol(world.klass, late.people[0].trainee)
    assert await generate_milestones(klass=world.klass) == 6
    assert await FollowupMilestone.filter(training_class_id=world.klass.id).count() == 6
    assert await queue_due_invitations() == 2


async def test_the_demo_class_is_in_follow_up_with_its_invitations_queued(settings: Any) -> None:
    from backend.demo.followups import seed_followup_demo

    inst = await make_institution()
    summary = await seed_followup_demo(
        institution_id=inst.id, instructor_ids=[], today=date(2026, 12, 6)
    )
    klass = await TrainingClass.get(id=summary["followup_class_id"])
    assert (klass.status, klass.end_date) == (ClassStatus.FOLLOWING_UP, date(2026, 11, 29))
    assert summary["followup_invitations"] == 5
    assert await OutboxMessage.filter(channel=Channel.SUBSCRIBE).count() == 5
