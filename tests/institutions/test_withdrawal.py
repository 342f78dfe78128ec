"""Trainees leave classes: removed from the roster before the start (audited), withdrawn with a
reason after it; withdrawn trainees leave the class's denominators and stay in its history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from backend import clock
from backend.accounts.models import Role
from backend.certificates.service import completions
from backend.classes.models import ClassStatus, Enrolment, EnrolmentStatus
from backend.employment.outcomes import class_employment_rate
from backend.followups.models import FollowupMilestone
from backend.followups.service import generate_milestones
from backend.security.models import AuditEntry
from backend.subsidies.service import counted_trainees
from tests.support.client import Client
from tests.support.factories import (
    auth,
    enrol,
    make_class,
    make_institution,
    make_staff,
    make_trainee,
)


@pytest.fixture(autouse=True)
def tuesday_24_november_2026() -> Iterator[None]:
    """The second day of a class that started on Mon 2026-11-23."""
    clock.set_clock(lambda: datetime(2026, 11, 24, 2, 0, tzinfo=UTC))
    yield
    clock.set_clock(None)


async def test_a_roster_row_is_removed_before_the_start_and_the_removal_is_audited(
    client: Client,
) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    klass = await make_class(inst, start=date(2026, 12, 21), status=ClassStatus.DRAFT)
    stays, goes = await make_trainee(), await make_trainee()
    await enrol(klass, stays)
    await enrol(klass, goes)
    path = f"/api/v1/classes/{klass.id}/roster/{goes.id}/remove"
    response = await client.post(path, json={"reason": "报名重复"}, headers=auth(admin))
    assert response.status == 200, response.text
    roster = await client.get(f"/api/v1/classes/{klass.id}/roster", headers=auth(admin))
    assert [t["id"] for t in roster.json["items"]] == [stays.id]
    entry = await AuditEntry.get(action="roster.remove", target_id=str(klass.id))
    assert entry.actor_id == admin.id and entry.details["trainee_id"] == goes.id


async def test_after_the_start_a_row_is_not_removed_but_withdrawn_with_a_reason(
    client: Client,
) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    klass = await make_class(inst)  # in progress since 2026-11-23
    trainee = await make_trainee()
    await enrol(klass, trainee)
    base = f"/api/v1/classes/{klass.id}/roster/{trainee.id}"
    refused = await client.post(f"{base}/remove", json={"reason": "不来了"}, headers=auth(admin))
    assert refused.status == 409 and refused.json["error"]["code"] == "ROSTER_LOCKED_AFTER_START"
    unexplained = await client.post(
        f"{base}/withdraw", json={"reason": "other"}, headers=auth(admin)
    )
    assert unexplained.status == 400
    unknown = await client.post(f"{base}/withdraw", json={"reason": "bored"}, headers=auth(admin))
    assert unknown.status == 400 and "moved_away" in unknown.text
    response = await client.post(
        f"{base}/withdraw",
        json={"reason": "moved_away", "note": "随家人迁往厦门"},
        headers=auth(admin),
    )
    assert response.status == 200, response.text
    assert response.json["status"] == "withdrawn"
    roster = await client.get(f"/api/v1/classes/{klass.id}/roster", headers=auth(admin))
    assert roster.json["items"] == []
    assert roster.json["withdrawn"][0]["reason_label"] == "迁居外地"  # stays in the history
    again = await client.post(f"{base}/withdraw", json={"reason": "illness"}, headers=auth(admin))
    assert again.status == 409


async def test_withdrawn_trainees_leave_every_denominator_of_the_class(client: Client) -> None:
    # 第二十二条 completion, 第二十三/二十四条 employment rate and 实际人数, 第二十五条 follow-up
    inst = await make_institution()
    hr = await make_staff(Role.HR_ADMIN, district_code="350102")
    klass = await make_class(inst)
    trainees = [await make_trainee() for _ in range(3)]
    for t in trainees:
        await enrol(klass, t)
    response = await client.post(
        f"/api/v1/classes/{klass.id}/roster/{trainees[0].id}/withdraw",
        json={"reason": "employed", "note": "已入职某公司"},
        headers=auth(hr),
    )
    assert response.status == 200, response.text
    assert [c.trainee_id for c in await completions(klass)] == [t.id for t in trainees[1:]]
    assert (await class_employment_rate(klass.id)).enrolled == 2
    assert (await counted_trainees(klass))[0] == 2  # the roster before any session ended
    klass.status = ClassStatus.COMPLETED
    await klass.save()
    await generate_milestones(klass=klass)
    followed = set(
        await FollowupMilestone.filter(training_class_id=klass.id).values_list(
            "trainee_id", flat=True
        )
    )
    assert followed == {t.id for t in trainees[1:]}  # no survey pushes for that class
    row = await Enrolment.get(training_class_id=klass.id, trainee_id=trainees[0].id)
    assert row.status == EnrolmentStatus.WITHDRAWN and row.withdraw_reason == "employed"
