"""Employment outcomes reported by the trainee or an instructor (第二十一条(三), 第二十三条)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from backend.accounts.models import Role, User
from backend.classes.models import StaffDuty, TrainingClass
from backend.employment.outcomes import class_employment_rate
from tests.support.client import Client
from tests.support.factories import (
    add_staff,
    assign_instructor,
    auth,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_staff,
    make_trainee,
    make_user,
)

HIRED = {
    "status": "employed",
    "employer": "福州鑫源商贸有限公司",
    "position": "销售代表",
    "start_date": "2026-12-15",
}


@dataclass
class ClassWorld:
    klass: TrainingClass
    trainee_id: int
    trainee: dict[str, str]
    classmate_id: int
    instructor: dict[str, str]
    other_instructor: dict[str, str]
    admin: dict[str, str]
    teacher: dict[str, str]


@pytest.fixture
async def world(client: Client) -> ClassWorld:
    """A class with two trainees and its instructor; another class's instructor."""
    inst = await make_institution()
    klass = await make_class(inst)
    trainee_user: User = await make_user()
    trainee = await make_trainee(user=trainee_user)
    classmate = await make_trainee()
    for person in (trainee, classmate):
        await enrol(klass, person)
    instructor, instructor_user = await make_instructor()
    await assign_instructor(klass, instructor)
    other_class = await make_class(inst)
    other, other_user = await make_instructor()
    await assign_instructor(other_class, other)
    assert instructor_user is not None and other_user is not None
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    return ClassWorld(
        klass=klass,
        trainee_id=trainee.id,
        trainee=auth(trainee_user),
        classmate_id=classmate.id,
        instructor=auth(instructor_user),
        other_instructor=auth(other_user),
        admin=auth(await make_staff(Role.INSTITUTION_ADMIN, institution=inst)),
        teacher=auth(teacher),
    )


async def test_a_trainee_reports_their_own_job_unverified(
    client: Client, world: ClassWorld
) -> None:
    response = await client.post(
        f"/api/v1/trainees/{world.trainee_id}/employment", json=HIRED, headers=world.trainee
    )
    assert response.status == 201, response.text
    body = response.json
    assert (body["source"], body["verified"], body["class_id"]) == (
        "trainee",
        False,
        world.klass.id,
    )
    assert (body["employer"], body["position"], body["start_date"]) == (
        "福州鑫源商贸有限公司",
        "销售代表",
        "2026-12-15",
    )


async def test_a_trainee_cannot_mark_their_own_report_verified(
    client: Client, world: ClassWorld
) -> None:
    response = await client.post(
        f"/api/v1/trainees/{world.trainee_id}/employment",
        json={**HIRED, "verified": True},
        headers=world.trainee,
    )
    assert response.status == 403
    assert response.json["error"]["code"] == "EMPLOYMENT_VERIFY_FORBIDDEN"


async def test_an_instructor_cannot_mark_the_outcome_they_report_verified(
    client: Client, world: ClassWorld
) -> None:
    # 第二十三条: HR verifies; the instructor who reports (today's habit) no longer can.
    response = await client.post(
        f"/api/v1/trainees/{world.classmate_id}/employment",
        json={**HIRED, "source": "survey", "verified": True},
        headers=world.instructor,
    )
    assert response.status == 403
    assert response.json["error"]["code"] == "EMPLOYMENT_VERIFY_FORBIDDEN"


async def test_an_instructor_of_the_class_records_an_outcome_from_a_survey_call_unverified(
    client: Client, world: ClassWorld
) -> None:
    response = await client.post(
        f"/api/v1/trainees/{world.classmate_id}/employment",
        json={
            **HIRED,
            "source": "survey",
            "insurance_record_no": "SB-1",
            "insurance_month": "2026-12",
        },
        headers=world.instructor,
    )
    assert response.status == 201, response.text
    body = response.json
    assert (body["source"], body["verified"], body["verification"]) == ("survey", False, "pending")
    assert (body["insurance_record_no"], body["insurance_month"]) == ("SB-1", "2026-12")


async def test_an_instructor_of_another_class_cannot_record_for_this_trainee(
    client: Client, world: ClassWorld
) -> None:
    response = await client.post(
        f"/api/v1/trainees/{world.trainee_id}/employment",
        json=HIRED,
        headers=world.other_instructor,
    )
    assert response.status == 404


async def test_a_trainee_cannot_record_for_a_classmate(client: Client, world: ClassWorld) -> None:
    response = await client.post(
        f"/api/v1/trainees/{world.classmate_id}/employment", json=HIRED, headers=world.trainee
    )
    assert response.status == 404


async def test_a_class_teacher_reads_but_does_not_record_outcomes(
    client: Client, world: ClassWorld
) -> None:
    refused = await client.post(
        f"/api/v1/trainees/{world.trainee_id}/employment", json=HIRED, headers=world.teacher
    )
    assert refused.status == 403
    read = await client.get(
        f"/api/v1/trainees/{world.trainee_id}/employment", headers=world.teacher
    )
    assert read.status == 200 and read.json["latest"] is None


async def test_employed_without_an_employer_is_refused_in_chinese(
    client: Client, world: ClassWorld
) -> None:
    response = await client.post(
        f"/api/v1/trainees/{world.trainee_id}/employment",
        json={"status": "employed"},
        headers=world.trainee,
    )
    assert response.status == 400
    assert response.json["error"]["message"] == "单位就业请填写就业单位和岗位"


async def test_the_latest_record_counts_and_the_history_is_kept(
    client: Client, world: ClassWorld
) -> None:
    path = f"/api/v1/trainees/{world.trainee_id}/employment"
    await client.post(path, json=HIRED, headers=world.trainee)
    await client.post(path, json={"status": "unemployed"}, headers=world.instructor)
    body = (await client.get(path, headers=world.admin)).json
    assert body["latest"]["status"] == "unemployed"
    assert [r["status"] for r in body["items"]] == ["unemployed", "employed"]
    assert (await client.get(path, headers=world.trainee)).status == 200


async def test_reported_outcomes_drive_the_class_employment_rate(
    client: Client, world: ClassWorld
) -> None:
    # 第二十三条: the class's employment rate decides the last subsidy tranche.
    await client.post(
        f"/api/v1/trainees/{world.trainee_id}/employment", json=HIRED, headers=world.trainee
    )
    rate = await class_employment_rate(world.klass.id)
    assert (rate.enrolled, rate.employed, rate.rate) == (2, 1, Decimal("0.5000"))
