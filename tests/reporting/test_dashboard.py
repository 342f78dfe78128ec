"""The HR dashboard sums per-class figures by district or institution, within HR's scope."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from backend import clock
from backend.accounts.models import Role
from backend.classes.models import ClassStatus, StaffDuty
from backend.supervision.models import SessionFeedback
from tests.support.client import Client
from tests.support.factories import (
    add_staff,
    auth,
    enrol,
    make_class,
    make_institution,
    make_session,
    make_staff,
    make_trainee,
)

FIRST = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def late_november() -> Iterator[None]:
    clock.set_clock(lambda: datetime(2026, 11, 28, 4, 0, tzinfo=UTC))
    yield
    clock.set_clock(None)


async def _class(client: Client, district: str, present: int, trainees: int = 2) -> None:
    inst = await make_institution(district)
    klass = await make_class(inst, start=date(2026, 11, 2), status=ClassStatus.COMPLETED)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    session = await make_session(klass, starts_at=FIRST)
    for n in range(trainees):
        trainee = await make_trainee()
        await enrol(klass, trainee)
        body = {"status": "present"} if n < present else {"status": "absent", "reason": "未到"}
        response = await client.put(
            f"/api/v1/sessions/{session.id}/attendance/{trainee.id}",
            json=body,
            headers=auth(teacher),
        )
        assert response.status == 200, response.json
        await SessionFeedback.create(
            session=session,
            trainee=trainee,
            content_score=5,
            instructor_score=4,
            organisation_score=3,
        )


async def test_district_hr_sees_only_its_district_and_figures_add_up(client: Client) -> None:
    await _class(client, "350102", present=2)
    await _class(client, "350104", present=1)
    query = "/api/v1/dashboard?by=district&start=2026-11-01&end=2026-11-30"
    district_hr = await make_staff(Role.HR_ADMIN, district_code="350102")
    mine = (await client.get(query, headers=auth(district_hr))).json
    assert [g["name"] for g in mine["groups"]] == ["鼓楼区"]
    assert mine["total"]["attendance"] == {"attended": 2, "expected": 2, "rate": "1.0000"}
    city_hr = await make_staff(Role.HR_ADMIN)
    city = (await client.get(query, headers=auth(city_hr))).json
    assert {g["name"] for g in city["groups"]} == {"鼓楼区", "仓山区"}
    assert city["total"]["attendance"] == {"attended": 3, "expected": 4, "rate": "0.7500"}
    assert city["total"]["classes_by_status"] == {"completed": 2}
    assert city["total"]["satisfaction"]["ratings"] == 4
    assert city["total"]["satisfaction"]["averages"]["content"] == 5
    assert city["total"]["subsidy"]["total"] == "4500.00"  # 1,500 × (2 + 1) actual trainees
