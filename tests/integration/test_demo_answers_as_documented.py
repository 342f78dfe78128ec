"""The demo's fullest answers are what the document says (the document and the code
cannot drift): a closed class's subsidy with its payments, an employment change after 结案 and
a clawback, its follow-up summary, and the dashboard with ratings, follow-up and subsidies.

The access matrix checks every route against the document in a world where nothing is paid,
closed or rated; here the nested objects those leave empty (a tranche's payment, the closing,
the figures of today beside the frozen ones, the clawback, the satisfaction sums) are filled.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from backend import clock
from backend.accounts.models import Role
from backend.classes.models import Enrolment, TrainingClass
from backend.config import Settings
from backend.demo.seed import seed_demo
from backend.employment.models import EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, record_employment
from tests.support.client import Client
from tests.support.conformance import problems
from tests.support.factories import auth, make_staff


@pytest.fixture
def on_demo_day() -> Iterator[date]:
    """The demo is seeded relative to a day; the clock agrees with it."""
    day = date(2026, 11, 28)
    moment = datetime.combine(day, time(15, 0), clock.SHANGHAI).astimezone(UTC)
    clock.set_clock(lambda: moment)
    yield day
    clock.set_clock(None)


async def _documented(
    client: Client, document: dict[str, Any], headers: dict[str, str], path: str
) -> Any:
    response = await client.get(path, headers=headers)
    assert response.status == 200, response.text
    wrong = problems(document, "GET", path, response.status, response.json)
    assert wrong == [], "\n".join(wrong)
    return response.json


async def test_a_closed_class_paid_changed_and_clawed_back_answers_as_documented(
    settings: Settings, client: Client, on_demo_day: date
) -> None:
    stages = (await seed_demo(today=on_demo_day, trainee_count=30))["classes_by_stage"]
    closed = await TrainingClass.get(id=stages["closed"])
    hr = auth(await make_staff(Role.HR_ADMIN, district_code=closed.district_code))
    document = (await client.get("/api/v1/openapi.json")).json
    enrolment = await Enrolment.filter(training_class_id=closed.id).order_by("id").first()
    assert enrolment is not None
    await record_employment(  # a change after 结案: the subsidy shows today's figures beside
        trainee_id=enrolment.trainee_id,
        class_id=closed.id,
        outcome=Outcome(EmploymentStatus.EMPLOYED, OutcomeSource.SURVEY, employer="福州某公司"),
        recorded_by_id=None,
    )
    finding = await client.post(
        f"/api/v1/classes/{closed.id}/fraud-findings",
        headers=hr,
        json={"reason": "虚报参训人数，经核实认定", "decided_on": "2026-11-20"},
    )
    assert finding.status == 201, finding.text
    path = f"/api/v1/classes/{closed.id}/fraud-findings"
    assert problems(document, "POST", path, 201, finding.json) == []

    subsidy = await _documented(client, document, hr, f"/api/v1/classes/{closed.id}/subsidy")
    assert [t["paid"] is not None for t in subsidy["tranches"]] == [True, True, True, False]
    assert subsidy["closing"]["now"]["employment"]["claimed"]["employed"] >= 1
    assert subsidy["clawback"]["items"]
    summary = await _documented(
        client, document, hr, f"/api/v1/classes/{closed.id}/followup-summary"
    )
    assert summary["employment"]["claimed"]["employed"] == summary["employment"]["employed"]
    dashboard = await _documented(
        client, document, hr, "/api/v1/dashboard?by=institution&start=2026-01-01&end=2027-12-31"
    )
    assert dashboard["total"]["satisfaction"]["ratings"] > 0
    assert dashboard["total"]["followup_funnel"]["invitations"] > 0
