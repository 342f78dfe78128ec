"""The demo works at any hour: a session's check-in is open when it is seeded,
with check-ins waiting for the class teacher and a projector link, whatever the time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from backend import clock
from backend.attendance.models import Checkin, Review
from backend.attendance.policy import policy
from backend.attendance.rules import Phase, checkin_phase
from backend.certificates.models import Certificate
from backend.certificates.service import completions, verify
from backend.classes.models import ClassSession, TrainingClass
from backend.config import Settings
from backend.demo.seed import EXTRA_TOPIC, seed_demo
from backend.employment.models import EmploymentRecord, EmploymentStatus
from backend.subsidies.service import subsidy_plan
from tests.support.client import Client

DAY = date(2026, 11, 28)


@pytest.fixture
def at() -> Iterator[Any]:
    def move(hh_mm: str) -> None:
        moment = datetime.combine(DAY, time.fromisoformat(hh_mm), clock.SHANGHAI)
        clock.set_clock(lambda: moment.astimezone(UTC))

    yield move
    clock.set_clock(None)


async def _open_session(summary: dict[str, Any]) -> ClassSession:
    session = await ClassSession.get(id=summary["checkin_session_id"])
    phase = checkin_phase(
        clock.now(), starts_at=session.starts_at, ends_at=session.ends_at, p=policy()
    )
    assert phase in (Phase.ON_TIME, Phase.LATE)
    pending = await Checkin.filter(session_id=session.id, review=Review.PENDING).count()
    assert pending > 0
    assert f"{pending} check-ins await the class teacher" in summary["checkin_now"]
    assert all(
        c.scanned_at <= clock.now() for c in await Checkin.filter(session_id=session.id)
    )  # nobody scanned in the future
    return session


async def test_at_night_the_demo_adds_a_session_whose_check_in_is_open_now(
    settings: Settings, at: Any, client: Client
) -> None:
    at("23:07")
    summary = await seed_demo(today=DAY)
    session = await _open_session(summary)
    assert session.topic == EXTRA_TOPIC
    assert clock.local(session.starts_at).strftime("%H:%M") == "23:20"
    # the projector link of the banner shows the code now
    path = summary["display_url"].split("/display/", 1)[1]
    state = await client.get(f"/display/{path.replace('?t=', '/state?t=')}")
    assert state.status == 200, state.json
    assert state.json["code"]["purpose"] == "in"


async def test_at_0840_the_demo_uses_the_9_oclock_session_it_already_has(
    settings: Settings, at: Any
) -> None:
    at("08:40")
    summary = await seed_demo(today=DAY)
    session = await _open_session(summary)
    assert session.topic != EXTRA_TOPIC
    assert clock.local(session.starts_at).strftime("%H:%M") == "09:00"
    assert not await ClassSession.filter(topic=EXTRA_TOPIC).exists()


async def test_the_demo_classes_tell_one_consistent_story(settings: Settings, at: Any) -> None:
    at("15:00")
    summary = await seed_demo(today=DAY)
    stages = summary["classes_by_stage"]
    # The closed class: its completions (第二十二条) are those certified, the trainee who failed
    # is the one not employed, and the tranches paid are those whose conditions hold.
    closed = await TrainingClass.get(id=stages["closed"])
    done = [c for c in await completions(closed) if c.completed]
    certified = await Certificate.filter(enrolment__training_class_id=closed.id).values_list(
        "enrolment_id", flat=True
    )
    assert summary["certificates"] == len(done) == 4
    assert sorted(certified) == sorted(c.enrolment_id for c in done)
    employed = set(
        await EmploymentRecord.filter(
            training_class_id=closed.id, status=EmploymentStatus.EMPLOYED
        ).values_list("trainee_id", flat=True)
    )
    assert employed == {c.trainee_id for c in done}
    plan = await subsidy_plan(closed)
    assert all(t.holds for t in plan.tranches if t.paid)
    number = await Certificate.filter(enrolment_id=done[0].enrolment_id).first()
    assert number is not None and (await verify(number.number)).status == "valid"
    # The completed class has the attendance that completed it: every session held, confirmed.
    completed = await TrainingClass.get(id=stages["completed"])
    sessions = await ClassSession.filter(training_class_id=completed.id)
    assert sessions and all(s.ends_at <= clock.now() for s in sessions)
    scans = await Checkin.filter(session__training_class_id=completed.id)
    assert scans and all(c.review is Review.CONFIRMED for c in scans)
