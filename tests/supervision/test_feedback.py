"""Daily feedback (每日意见, 第八条(五)): trainees rate sessions, staff read the aggregates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.classes.models import ClassStatus, Enrolment, EnrolmentStatus
from backend.supervision.models import SessionFeedback
from tests.supervision.support import FIRST_SESSION, World
from tests.support.factories import (
    assign_instructor,
    book,
    enrol,
    make_class,
    make_institution,
    make_session,
)

GOOD = {"content": 5, "instructor": 4, "organisation": 3, "comment": "案例很实用"}


async def rate(world: World, trainee: int, session: int, **scores: Any) -> Any:
    body = {**GOOD, **scores}
    return await world.call(
        "POST", f"/sessions/{session}/feedback", world.trainees[trainee][1], json=body
    )


async def test_a_trainee_rates_a_started_session_once_and_the_first_rating_stands(
    world: World, at: Any
) -> None:
    # 第八条(五): 每日意见 — one rating per trainee and session
    at("2026-11-23 10:00")
    session = world.sessions[0].id
    first = await rate(world, 0, session)
    assert first.status == 201, first.json
    assert first.json["content"] == 5 and first.json["comment"] == "案例很实用"
    second = await rate(world, 0, session, content=1)
    assert second.status == 409
    assert second.json["error"]["code"] == "FEEDBACK_ALREADY_GIVEN"
    assert "只能评价一次" in second.json["error"]["message"]
    stored = await SessionFeedback.filter(session_id=session).values_list(
        "content_score", flat=True
    )
    assert stored == [5]


async def test_a_session_cannot_be_rated_before_it_starts(world: World, at: Any) -> None:
    # 第八条(五): 每日意见 is about a session that took place
    at("2026-11-23 08:59")
    response = await rate(world, 0, world.sessions[0].id)
    assert response.status == 422
    assert response.json["error"]["code"] == "FEEDBACK_TOO_EARLY"
    at("2026-11-23 09:00")
    assert (await rate(world, 0, world.sessions[0].id)).status == 201


async def test_a_trainee_cannot_rate_a_session_of_another_class(world: World, at: Any) -> None:
    # 第八条(五): the trainees of the class give its 每日意见
    at("2026-11-25 10:00")
    other = await make_class(await make_institution())
    session = await make_session(other, starts_at=FIRST_SESSION)
    response = await rate(world, 0, session.id)
    assert response.status == 404
    assert (await rate(world, 0, 999_999)).status == 404


async def test_ratings_must_lie_between_one_and_five(world: World, at: Any) -> None:
    at("2026-11-23 10:00")
    for bad in ({"content": 0}, {"instructor": 6}, {"organisation": "好"}):
        response = await rate(world, 0, world.sessions[0].id, **bad)
        assert response.status == 400, bad
    assert await SessionFeedback.all().count() == 0


async def test_only_trainees_give_feedback(world: World, at: Any) -> None:
    at("2026-11-23 10:00")
    response = await world.call(
        "POST", f"/sessions/{world.sessions[0].id}/feedback", world.teacher, json=GOOD
    )
    assert response.status == 403


async def test_the_session_summary_shows_sums_averages_response_rate_and_anonymous_comments(
    world: World, at: Any
) -> None:
    # 第八条(五): 根据每日意见等反馈信息完善服务 — the staff read the aggregates
    at("2026-11-23 12:00")
    session = world.sessions[0].id
    await rate(world, 0, session, content=5, instructor=5, organisation=4, comment="很好")
    await rate(world, 1, session, content=4, instructor=3, organisation=4, comment="")
    await rate(world, 2, session, content=4, instructor=4, organisation=4, comment="节奏偏快")
    response = await world.call("GET", f"/sessions/{session}/feedback-summary", world.teacher)
    assert response.status == 200, response.json
    summary = response.json
    assert summary["ratings"] == 3 and summary["enrolled"] == 4
    assert summary["response_rate"] == 0.75
    assert summary["sums"] == {"content": 13, "instructor": 12, "organisation": 12}
    # 13/3 = 4.333…, 12/3 = 4, overall 37/9 = 4.111…
    assert summary["averages"] == {
        "content": 4.33,
        "instructor": 4.0,
        "organisation": 4.0,
        "overall": 4.11,
    }
    assert [c["comment"] for c in summary["comments"]] == ["节奏偏快", "很好"]
    assert "trainee" not in str(summary["comments"])
    assert summary["instructors"] == [world.instructors[0][0].name]


async def test_a_session_without_ratings_has_no_averages(world: World, at: Any) -> None:
    at("2026-11-23 12:00")
    response = await world.call(
        "GET", f"/sessions/{world.sessions[0].id}/feedback-summary", world.hr
    )
    assert response.status == 200
    assert response.json["ratings"] == 0
    assert response.json["averages"]["overall"] is None
    assert response.json["response_rate"] == 0.0


async def test_the_class_summary_adds_up_its_sessions(world: World, at: Any) -> None:
    # 第八条(五) and 第二十八条 学员满意度: per class
    at("2026-11-24 12:00")  # two of the three sessions have started
    await rate(world, 0, world.sessions[0].id, content=5, instructor=5, organisation=5)
    await rate(world, 1, world.sessions[0].id, content=3, instructor=3, organisation=3)
    await rate(world, 0, world.sessions[1].id, content=2, instructor=4, organisation=3)
    response = await world.call("GET", f"/classes/{world.klass.id}/feedback-summary", world.admin)
    assert response.status == 200, response.json
    summary = response.json
    assert summary["sessions_started"] == 2
    assert summary["ratings"] == 3
    assert summary["response_rate"] == round(3 / 8, 4)  # 4 trainees × 2 started sessions
    assert summary["sums"] == {"content": 10, "instructor": 12, "organisation": 11}
    assert summary["averages"]["overall"] == round(33 / 9, 2)
    per_session = [(s["session_id"], s["ratings"]) for s in summary["sessions"]]
    assert per_session == [(s.id, n) for s, n in zip(world.sessions, (2, 1, 0), strict=True)]
    assert summary["sessions"][0]["averages"]["content"] == 4.0


async def test_feedback_is_visible_to_staff_institution_and_hr_of_the_class_only(
    world: World, at: Any
) -> None:
    at("2026-11-23 12:00")
    path = f"/classes/{world.klass.id}/feedback-summary"
    for reader in (world.teacher, world.admin, world.hr, world.city_hr):
        assert (await world.call("GET", path, reader)).status == 200
    assert (await world.call("GET", path, world.other_hr)).status == 404
    assert (await world.call("GET", path, world.trainees[0][1])).status == 403
    assert (await world.call("GET", path, world.instructors[0][1])).status == 403
    foreign_admin = await World(world.client).build()
    assert (await world.call("GET", path, foreign_admin.admin)).status == 404


async def test_an_instructor_reads_the_feedback_of_own_sessions_only(world: World, at: Any) -> None:
    at("2026-11-24 12:00")
    own, colleague = world.sessions[0].id, world.sessions[1].id  # booked on 0 and 2 / on 1
    user = world.instructors[0][1]
    assert (await world.call("GET", f"/sessions/{own}/feedback-summary", user)).status == 200
    response = await world.call("GET", f"/sessions/{colleague}/feedback-summary", user)
    assert response.status == 404


async def test_a_trainee_lists_own_ratings(world: World, at: Any) -> None:
    at("2026-11-24 12:00")
    await rate(world, 0, world.sessions[0].id)
    await rate(world, 0, world.sessions[1].id)
    await rate(world, 1, world.sessions[1].id)
    response = await world.call(
        "GET", f"/me/feedback?class_id={world.klass.id}", world.trainees[0][1]
    )
    assert response.status == 200
    assert sorted(i["session_id"] for i in response.json["items"]) == [
        world.sessions[0].id,
        world.sessions[1].id,
    ]


async def test_an_instructor_summary_covers_sessions_taught_in_the_year_across_classes(
    world: World, at: Any
) -> None:
    # 第十五条 weighs 学员满意度: the ratings of every session the instructor taught that year
    at("2026-12-20 12:00")
    instructor, user = world.instructors[0]
    await rate(world, 0, world.sessions[0].id, content=5, instructor=5, organisation=5)
    await rate(world, 1, world.sessions[2].id, content=3, instructor=4, organisation=2)
    await rate(world, 2, world.sessions[1].id, content=1, instructor=1, organisation=1)  # colleague
    other = await make_class(await make_institution("350104"), status=ClassStatus.COMPLETED)
    await assign_instructor(other, instructor)
    new_year = datetime(2025, 12, 31, 16, 0, tzinfo=UTC)  # 2026-01-01 00:00 in Shanghai
    first = await make_session(other, starts_at=new_year)
    last_of_2025 = await make_session(other, starts_at=new_year - timedelta(minutes=1))
    late = await make_session(other, starts_at=FIRST_SESSION + timedelta(days=10))
    for session in (first, last_of_2025, late):
        await book(session, instructor)
    await enrol(other, world.trainees[3][0])
    await rate(world, 3, late.id, content=4, instructor=4, organisation=4)
    response = await world.call(
        "GET", f"/instructors/{instructor.id}/feedback-summary?year=2026", user
    )
    assert response.status == 200, response.json
    summary = response.json
    # the year is Shanghai's: the session at 00:00 on 1 January counts, the one before does not
    assert summary["sessions_taught"] == 4 and summary["sessions_rated"] == 3
    assert summary["sums"] == {"content": 12, "instructor": 13, "organisation": 11}
    assert summary["averages"]["instructor"] == round(13 / 3, 2)
    assert [(c["class_id"], c["sessions"], c["ratings"]) for c in summary["classes"]] == [
        (world.klass.id, 2, 2),
        (other.id, 2, 1),
    ]
    path = f"/instructors/{instructor.id}/feedback-summary?year=2025"
    response = await world.call("GET", path, world.hr)
    assert response.json["sessions_taught"] == 1 and response.json["averages"]["overall"] is None


async def test_an_instructor_cannot_read_a_colleagues_summary(world: World, at: Any) -> None:
    at("2026-11-24 12:00")
    colleague = world.instructors[1][0].id
    response = await world.call(
        "GET", f"/instructors/{colleague}/feedback-summary", world.instructors[0][1]
    )
    assert response.status == 404
    assert (
        await world.call("GET", f"/instructors/{colleague}/feedback-summary", world.admin)
    ).status == 403


@pytest.mark.postgres_only
async def test_two_ratings_sent_at_once_store_one(world: World, at: Any) -> None:
    # 第八条(五) under concurrency: one rating per trainee and session
    at("2026-11-23 10:00")
    session = world.sessions[0].id
    responses = await asyncio.gather(*(rate(world, 0, session, content=n) for n in (2, 3, 4, 5)))
    assert sorted(r.status for r in responses) == [201, 409, 409, 409]
    assert await SessionFeedback.filter(session_id=session).count() == 1


async def test_a_trainee_who_rated_and_then_withdrew_counts_in_neither_side_of_the_response_rate(
    world: World, at: Any
) -> None:
    """The response rate is ratings ÷ trainees expected, both over the trainees still enrolled:
    a withdrawn trainee's rating stays in the averages but cannot push the rate past 100%."""
    at("2026-11-23 12:00")
    session = world.sessions[0].id
    for n in range(4):
        await rate(world, n, session)
    withdrawn = world.trainees[3][0]
    await Enrolment.filter(training_class_id=world.klass.id, trainee_id=withdrawn.id).update(
        status=EnrolmentStatus.WITHDRAWN
    )
    summary = (await world.call("GET", f"/sessions/{session}/feedback-summary", world.hr)).json
    assert (summary["ratings"], summary["enrolled"], summary["response_rate"]) == (4, 3, 1.0)
    path = f"/classes/{world.klass.id}/feedback-summary"
    whole = (await world.call("GET", path, world.admin)).json
    assert (whole["enrolled"], whole["sessions_started"], whole["response_rate"]) == (3, 1, 1.0)


async def test_the_class_response_rate_counts_ratings_of_the_started_sessions_only(
    world: World, at: Any
) -> None:
    """Ratings ÷ (trainees × sessions started): a rating recorded for a session that has not
    started (imported, or a clock moved back) must not push the class's rate past 100%."""
    at("2026-11-23 12:00")  # one of the three sessions has started
    for n in range(4):
        await rate(world, n, world.sessions[0].id)
    for trainee, _user in world.trainees:
        await SessionFeedback.create(
            session=world.sessions[1],
            trainee=trainee,
            content_score=5,
            instructor_score=5,
            organisation_score=5,
        )
    path = f"/classes/{world.klass.id}/feedback-summary"
    response = await world.call("GET", path, world.admin)
    assert response.status == 200, response.json
    summary = response.json
    assert (summary["sessions_started"], summary["ratings"]) == (1, 8)
    assert summary["response_rate"] == 1.0  # 4 ratings of the started session ÷ (4 × 1)
