"""The HR dashboard sums per-class figures by district or institution, within HR's scope.

第二十二条 (人社部门要加强培训过程监督及结果评价考核) and 第二十三条 (学员班的就业情况作为发放
补贴资金的重要依据): classes by status, attendance, satisfaction, follow-up completion
(第二十五条), employment rate and the subsidy due and paid (第二十四条), per group and period.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from backend import clock
from backend.accounts.models import Role
from backend.classes.models import ClassStatus, StaffDuty, TrainingClass
from backend.employment.models import EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, record_employment
from backend.followups.models import FollowupMilestone, FollowupService, ServiceKind, Stage
from backend.followups.service import invitation_key
from backend.notifications.models import Channel, OutboxMessage, OutboxStatus
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
    # 第二十二条 培训过程监督: each HR user supervises its own district
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


async def _run(
    client: Client, inst_district: str, start: date, status: ClassStatus, attended: int
) -> tuple[TrainingClass, list[int]]:
    """A class of two trainees that started on `start`, `attended` of them present once."""
    inst = await make_institution(inst_district)
    klass = await make_class(inst, start=start, status=status)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    first = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=1)
    session = await make_session(klass, starts_at=first)
    ids = []
    for n in range(2):
        trainee = await make_trainee()
        await enrol(klass, trainee)
        body = {"status": "present"} if n < attended else {"status": "absent", "reason": "未到"}
        response = await client.put(
            f"/api/v1/sessions/{session.id}/attendance/{trainee.id}",
            json=body,
            headers=auth(teacher),
        )
        assert response.status == 200, response.json
        ids.append(trainee.id)
    return klass, ids


async def _followed_up(klass: TrainingClass, trainee_ids: list[int]) -> None:
    """第二十五条 complete: the 6-month stage reached, three services each, both employed."""
    for trainee_id in trainee_ids:
        await FollowupMilestone.create(
            training_class=klass,
            trainee_id=trainee_id,
            stage=Stage.MONTH_6,
            due_date=date(2026, 11, 10),
        )
        for k in range(3):
            await FollowupService.create(
                training_class=klass,
                trainee_id=trainee_id,
                kind=ServiceKind.PHONE_CALL,
                stage=Stage.WEEK_1.value,
                served_at=datetime(2026, 5, 20 + k, 2, 0, tzinfo=UTC),
            )
        await record_employment(
            trainee_id=trainee_id,
            class_id=klass.id,
            recorded_by_id=None,
            outcome=Outcome(
                status=EmploymentStatus.EMPLOYED, source=OutcomeSource.SURVEY, employer="某公司"
            ),
        )


async def test_by_institution_over_a_period_with_follow_up_employment_and_subsidy(
    client: Client,
) -> None:
    followed, followed_ids = await _run(
        client, "350102", date(2026, 5, 4), ClassStatus.FOLLOWING_UP, 2
    )
    await _followed_up(followed, followed_ids)
    done, _ = await _run(client, "350102", date(2026, 11, 2), ClassStatus.COMPLETED, 1)
    await _run(client, "350102", date(2026, 4, 6), ClassStatus.CLOSED, 2)  # before the period
    hr = await make_staff(Role.HR_ADMIN, district_code="350102")
    paid = await client.post(
        f"/api/v1/classes/{followed.id}/subsidy/payments", json={"tranche": 1}, headers=auth(hr)
    )
    assert paid.status == 201 and paid.json["amount"] == "900.00"
    query = "/api/v1/dashboard?by=institution&start=2026-05-01&end=2026-11-30"
    result = (await client.get(query, headers=auth(hr))).json
    groups = {g["key"]: g for g in result["groups"]}
    assert set(groups) == {str(followed.institution_id), str(done.institution_id)}
    mine = groups[str(followed.institution_id)]
    assert mine["classes_by_status"] == {"following_up": 1}
    assert mine["followup"] == {"classes": 1, "complete": 1}
    # claimed and verified side by side: nobody verified these claims
    assert mine["employment"] == {
        "enrolled": 2,
        "claimed": {"employed": 2, "rate": 1.0},
        "verified": {"employed": 0, "rate": 0.0},
    }
    # 第二十四条: min(30,000, 1,500 × 2) = 3,000; the advance (900) paid, tranches 2-3 due;
    # the last 10% (300) waits: the claims are neither verified nor spot-checked
    assert mine["subsidy"] == {"total": "3000.00", "due_unpaid": "1800.00", "paid": "900.00"}
    other = groups[str(done.institution_id)]
    # one of two attended: 1,500; tranches 1–3 hold (450 each), the last waits for follow-up
    assert other["subsidy"] == {"total": "1500.00", "due_unpaid": "1350.00", "paid": "0.00"}
    assert other["followup"] == {"classes": 0, "complete": 0}
    total = result["total"]
    assert total["classes_by_status"] == {"following_up": 1, "completed": 1}  # not April's
    assert total["attendance"] == {"attended": 3, "expected": 4, "rate": "0.7500"}
    assert total["subsidy"] == {"total": "4500.00", "due_unpaid": "3150.00", "paid": "900.00"}


async def test_employment_by_month_and_the_follow_up_funnel_queued_sent_answered_employed(
    client: Client,
) -> None:
    # 第二十三条 employment rate over time, 第二十五条 follow-up: invitations queued → sent →
    # answered, then trainees employed; cut by the month the classes started
    may, may_ids = await _run(client, "350102", date(2026, 5, 4), ClassStatus.FOLLOWING_UP, 2)
    await _followed_up(may, may_ids)
    june, june_ids = await _run(client, "350102", date(2026, 6, 1), ClassStatus.FOLLOWING_UP, 2)
    milestones = await FollowupMilestone.filter(training_class_id=may.id).order_by("id")
    now = clock.now()
    for n, milestone in enumerate(milestones):
        milestone.invited_at = now
        milestone.answered_at = now if n == 0 else None
        await milestone.save()
    await OutboxMessage.create(
        dedupe_key=invitation_key(milestones[0].id),
        channel=Channel.SUBSCRIBE,
        template_key="followup_survey",
        status=OutboxStatus.SENT,
        next_attempt_at=now,
    )
    await OutboxMessage.create(
        dedupe_key=invitation_key(milestones[1].id),
        channel=Channel.SUBSCRIBE,
        template_key="followup_survey",
        status=OutboxStatus.PENDING,
        next_attempt_at=now,
    )
    await FollowupMilestone.create(
        training_class=june, trainee_id=june_ids[0], stage=Stage.WEEK_1, due_date=date(2026, 6, 8)
    )
    hr = await make_staff(Role.HR_ADMIN)
    query = "by=district&start=2026-05-01&end=2026-06-30"
    result = (await client.get(f"/api/v1/dashboard?{query}", headers=auth(hr))).json
    total = result["total"]
    assert total["employment_by_month"] == [
        {
            "month": "2026-05",
            "enrolled": 2,
            "claimed": {"employed": 2, "rate": 1.0},
            "verified": {"employed": 0, "rate": 0.0},
        },
        {
            "month": "2026-06",
            "enrolled": 2,
            "claimed": {"employed": 0, "rate": 0.0},
            "verified": {"employed": 0, "rate": 0.0},
        },
    ]
    assert total["followup_funnel"] == {
        "invitations": 3,
        "queued": 2,
        "sent": 1,
        "answered": 1,
        "employed": 2,
        "verified": 0,
    }
    assert result["groups"][0]["followup_funnel"] == total["followup_funnel"]
    download = await client.get(f"/api/v1/dashboard.xlsx?{query}", headers=auth(hr))
    book = load_workbook(BytesIO(download.body))
    months = list(book["就业率趋势"].iter_rows(min_row=2, values_only=True))
    assert months[-2:] == [
        ("合计", "2026-05", 2, 2, 1.0, 0, 0.0),
        ("合计", "2026-06", 2, 0, 0.0, 0, 0.0),
    ]
    funnel = list(book["跟踪服务漏斗"].iter_rows(min_row=2, values_only=True))
    assert funnel[-1] == ("合计", 3, 2, 1, 1, 2, 0)
