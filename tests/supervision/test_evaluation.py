"""第十五条: the instructor annual evaluation, its basis and weights shown, HR's findings kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from backend.accounts.models import Role
from backend.classes.models import ClassStatus
from backend.config import Settings
from backend.demo.subsidies import seed_verified_claims
from backend.employment.models import EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, record_employment
from backend.followups.models import FollowupService, ServiceKind
from backend.supervision.models import InstructorEvaluation, SessionFeedback
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

DEFAULT_WEIGHTS = {
    "satisfaction": "0.40",
    "volume": "0.20",
    "followup": "0.20",
    "employment": "0.20",
}


async def _instructor_with_a_year(*, verify: bool = True) -> dict[str, Any]:
    """An instructor's 2026: 1 session rated 5 twice, 2 follow-up services, 1 of 2 employed
    (the claim verified by HR unless `verify` is false)."""
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
    if verify:
        await seed_verified_claims(class_id=klass.id, hr_user_id=hr.id)
    return {"instructor": instructor, "user": user, "hr": hr}


async def test_evaluation_is_built_from_feedback_volume_services_and_employment(
    client: Client,
) -> None:
    # 第十五条: 对师资的…培训业务量、学员满意度、后续服务等方面及所带学员班的就业情况进行综合评价
    w = await _instructor_with_a_year()
    instructor, user, hr = w["instructor"], w["user"], w["hr"]
    response = await client.get(
        f"/api/v1/instructors/{instructor.id}/evaluation?year=2026", headers=auth(hr)
    )
    assert response.status == 200, response.json
    result = response.json
    assert result["weights"] == DEFAULT_WEIGHTS
    assert result["basis"]["ratings"] == 2 and result["basis"]["sessions_taught"] == 1
    assert result["basis"]["followup_services"] == 2
    assert (result["basis"]["employed"], result["basis"]["enrolled"]) == (1, 2)
    assert result["points"]["satisfaction"] == "100.0" and result["points"]["employment"] == "50.0"
    assert (result["points"]["volume"], result["points"]["followup"]) == ("2.5", "3.3")
    assert result["score"] == "51.2"  # 100 x 0.4 + 2.5 x 0.2 + 3.3 x 0.2 + 50 x 0.2 = 51.16
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


async def test_weights_from_settings_change_the_score_and_are_the_ones_shown(
    client: Client, use_settings: Callable[..., Settings]
) -> None:
    """第十五条: the weights of the four parts are EVALUATION_WEIGHTS, shown with the result."""
    w = await _instructor_with_a_year()
    url = f"/api/v1/instructors/{w['instructor'].id}/evaluation"
    default = (await client.get(f"{url}?year=2026", headers=auth(w["hr"]))).json
    assert default["score"] == "51.2"  # 100 x 0.4 + 2.5 x 0.2 + 3.3 x 0.2 + 50 x 0.2
    use_settings(evaluation_weights="satisfaction=0.50, volume=0, followup=0, employment=0.50")
    weighted = (await client.get(f"{url}?year=2026", headers=auth(w["hr"]))).json
    assert weighted["weights"] == {
        "satisfaction": "0.50",
        "volume": "0",
        "followup": "0",
        "employment": "0.50",
    }
    assert weighted["points"] == default["points"]
    assert weighted["score"] == "75.0"  # 100 x 0.5 + 50 x 0.5
    response = await client.put(
        url, json={"year": 2026, "findings": "满意度高"}, headers=auth(w["hr"])
    )
    assert response.status == 200, response.json
    kept = await InstructorEvaluation.get(instructor_id=w["instructor"].id, year=2026)
    assert kept.snapshot["weights"] == weighted["weights"] and kept.snapshot["score"] == "75.0"


async def test_sessions_of_a_rejected_plan_are_not_counted_as_taught(client: Client) -> None:
    # 第十五条: 培训业务量 — a rejected plan's sessions were never taught (its bookings released)
    w = await _instructor_with_a_year()
    instructor, hr = w["instructor"], w["hr"]
    rejected = await make_class(
        await make_institution(), start=date(2026, 4, 6), status=ClassStatus.REJECTED
    )
    await assign_instructor(rejected, instructor)
    session = await make_session(rejected, starts_at=datetime(2026, 4, 6, 1, 0, tzinfo=UTC))
    await book(session, instructor, committed=False)  # as review_plan leaves it on rejection
    evaluation = await client.get(
        f"/api/v1/instructors/{instructor.id}/evaluation?year=2026", headers=auth(hr)
    )
    assert evaluation.json["basis"]["sessions_taught"] == 1
    assert evaluation.json["points"]["volume"] == "2.5"
    summary = await client.get(
        f"/api/v1/instructors/{instructor.id}/feedback-summary?year=2026", headers=auth(hr)
    )
    assert summary.json["sessions_taught"] == 1  # the two readings count alike


async def test_employment_counts_the_claims_hr_verified_as_the_subsidy_gate_does(
    client: Client, use_settings: Callable[..., Settings]
) -> None:
    """第十五条 scores 所带学员班的就业情况: on the rate the 80% gate reads (EMPLOYMENT_GATE_BASIS,
    HR-verified by default) — an employment claim nobody checked does not raise the score."""
    w = await _instructor_with_a_year(verify=False)
    url = f"/api/v1/instructors/{w['instructor'].id}/evaluation?year=2026"
    unverified = (await client.get(url, headers=auth(w["hr"]))).json
    assert (unverified["basis"]["employed"], unverified["basis"]["enrolled"]) == (0, 2)
    assert unverified["points"]["employment"] == "0.0"
    use_settings(employment_gate_basis="claimed")
    claimed = (await client.get(url, headers=auth(w["hr"]))).json
    assert (claimed["basis"]["employed"], claimed["basis"]["enrolled"]) == (1, 2)
    assert claimed["points"]["employment"] == "50.0"
