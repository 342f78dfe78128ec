"""Capacity on import, scores locked by certificates, text checked stripped."""

from __future__ import annotations

from datetime import date

from backend.accounts.models import Role
from backend.certificates.models import Certificate
from backend.classes.models import ClassStatus, Enrolment, StaffDuty
from backend.security.idcard import make_id_number
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


def _rows(count: int, offset: int = 0) -> list[dict[str, str]]:
    return [
        {
            "name": f"学员{chr(0x4E00 + offset + n)}",
            "phone": f"139000{offset + n:05d}",
            "id_number": make_id_number("350102", date(2001, 1, 2), offset + n + 1),
            "category": "unemployed_graduate",
        }
        for n in range(count)
    ]


async def test_a_roster_cannot_take_a_class_beyond_its_capacity(client: Client) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    klass = await make_class(inst, status=ClassStatus.DRAFT, capacity=3)
    url = f"/api/v1/classes/{klass.id}/roster"
    first = await client.post(url, json={"rows": _rows(2)}, headers=auth(admin))
    assert first.status == 201, first.json
    over = await client.post(url, json={"rows": _rows(2, offset=10)}, headers=auth(admin))
    assert over.status == 422, over.json
    assert over.json["error"]["code"] == "CLASS_CAPACITY_EXCEEDED"
    assert await Enrolment.filter(training_class_id=klass.id).count() == 2
    again = await client.post(url, json={"rows": _rows(3)}, headers=auth(admin))  # 1 newcomer
    assert again.status == 201, again.json


async def test_assessment_scores_are_locked_once_certificates_are_issued(client: Client) -> None:
    # 第二十二条: 人社部门……向考核合格学员颁发证书 — once issued, the scores behind them stay.
    inst = await make_institution()
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    klass = await make_class(inst, status=ClassStatus.COMPLETED)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    trainee = await make_trainee()
    enrolment = await enrol(klass, trainee)
    url = f"/api/v1/classes/{klass.id}/assessments"
    body = {"trainee_id": trainee.id, "score": "55"}
    assert (await client.post(url, json=body, headers=auth(teacher))).status == 200
    await Certificate.create(number="FZQZ-LOCK-1", enrolment=enrolment, issued_at=klass.created_at)
    locked = await client.post(url, json={**body, "score": "95"}, headers=auth(teacher))
    assert locked.status == 422, locked.json
    assert locked.json["error"]["code"] == "SCORES_LOCKED_AFTER_CERTIFICATES"


async def test_a_whitespace_only_employer_is_refused(client: Client) -> None:
    instructor, instructor_user = await make_instructor()
    assert instructor_user is not None
    inst = await make_institution()
    klass = await make_class(inst, status=ClassStatus.FOLLOWING_UP)
    await assign_instructor(klass, instructor)
    trainee = await make_trainee(user=await make_user())
    await enrol(klass, trainee)
    response = await client.post(
        f"/api/v1/trainees/{trainee.id}/employment",
        json={"status": "employed", "employer": "   ", "position": "  \t "},
        headers=auth(instructor_user),
    )
    assert response.status == 400, response.json


async def test_a_class_teacher_who_moved_to_another_institution_no_longer_lists_the_old_class(
    client: Client,
) -> None:
    """Scope has one rule for the check and the list: a class's staff see it while they hold
    that role at the class's institution. A teacher moved to another institution keeps the old
    class's staff row (its history), but neither opens nor lists the class any more."""
    from backend.accounts.models import RoleGrant
    from backend.accounts.service import grant_role

    old, new = await make_institution(), await make_institution()
    teacher = await make_staff(Role.CLASS_TEACHER, institution=old)
    klass = await make_class(old)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    listed = await client.get("/api/v1/classes", headers=auth(teacher))
    assert [c["id"] for c in listed.json["items"]] == [klass.id]

    await RoleGrant.filter(user_id=teacher.id, institution_id=old.id).delete()
    await grant_role(user_id=teacher.id, role=Role.CLASS_TEACHER, institution_id=new.id)
    opened = await client.get(f"/api/v1/classes/{klass.id}", headers=auth(teacher))
    assert opened.status == 404
    listed = await client.get("/api/v1/classes", headers=auth(teacher))
    assert listed.status == 200 and listed.json["items"] == []
