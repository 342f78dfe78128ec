"""第十五条: the instructor annual evaluation, its basis and weights shown, HR's findings kept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from backend.accounts.models import Role
from backend.classes.models import ClassStatus
from backend.employment.outcomes import EmploymentStatus, Outcome, OutcomeSource, record_employment
from backend.followups.models import FollowupService, ServiceKind
from backend.supervision.evaluation import WEIGHTS
from backend.supervision.models import SessionFeedback
from tests.support.client import Client
from tests.support.factories import (
    assign_instructor,
    auth,
    book,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_session,
    make_staff,
    make_trainee,
)


async def test_evaluation_is_built_from_feedback_volume_services_and_employment(
    client: Client,
) -> None:
    # 第十五条: 对师资的…培训业务量、学员满意度、后续服务等方面及所带学员班的就业情况进行综合评价
    instructor, user = await make_instructor()
    klass = await make_class(
        await make_institution(), start=date(2026, 3, 2), status=ClassStatus.CLOSED
    )
    await assign_instructor(klass, instructor)
    session = await make_session(klass, starts_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    await book(session, instructor)
    trainees = [await make_trainee() for _ in range(2)]
    for n, trainee in enumerate(trainees):
        await enrol(klass, trainee)
        await SessionFeedback.create(
            session=session,
            trainee=trainee,
            content_score=5,
            instructor_score=5,
            organisation_score=4,
        )
        await FollowupService.create(
            training_class=klass,
            trainee=trainee,
            instructor=instructor,
            kind=ServiceKind.PHONE_CALL,
            stage="week_1",
            served_at=datetime(2026, 3, 20, 2, 0, tzinfo=UTC),
        )
        status = EmploymentStatus.EMPLOYED if n == 0 else EmploymentStatus.UNEMPLOYED
        await record_employment(
            trainee_id=trainee.id,
            class_id=klass.id,
            recorded_by_id=None,
            outcome=Outcome(status=status, source=OutcomeSource.INSTRUCTOR),
        )
    hr = await make_staff(Role.HR_ADMIN)
    response = await client.get(
        f"/api/v1/instructors/{instructor.id}/evaluation?year=2026", headers=auth(hr)
    )
    assert response.status == 200, response.json
    result = response.json
    assert result["weights"] == {k: str(v) for k, v in WEIGHTS.items()}
    assert result["basis"]["ratings"] == 2 and result["basis"]["sessions_taught"] == 1
    assert result["basis"]["followup_services"] == 2
    assert (result["basis"]["employed"], result["basis"]["enrolled"]) == (1, 2)
    assert result["points"]["satisfaction"] == "100.0" and result["points"]["employment"] == "50.0"
    expected = sum(Decimal(result["points"][k]) * w for k, w in WEIGHTS.items()).quantize(
        Decimal("0.1")
    )
    assert result["score"] == str(expected)
    response = await client.put(
        f"/api/v1/instructors/{instructor.id}/evaluation",
        json={"year": 2026, "findings": "授课效果好，后续服务需加强"},
        headers=auth(hr),
    )
    assert response.json["findings"] == "授课效果好，后续服务需加强"
    own = await client.get(
        f"/api/v1/instructors/{instructor.id}/evaluation?year=2026", headers=auth(user)
    )
    assert own.json["findings"] == "授课效果好，后续服务需加强"
