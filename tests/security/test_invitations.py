"""An instructor identity comes only in an HR invitation for role `instructor`."""

from __future__ import annotations

import pytest

from backend.accounts.models import Instructor, Role
from backend.accounts.service import create_invitation
from backend.errors import InvalidInput
from tests.support.client import Client
from tests.support.factories import auth, make_institution, make_instructor, make_staff, make_user


async def test_an_institution_admin_cannot_put_an_instructor_in_a_staff_invitation(
    client: Client,
) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    instructor, _ = await make_instructor(with_user=False)
    for role in ("staff", "class_teacher", "institution_admin"):
        response = await client.post(
            "/api/v1/invitations",
            json={"role": role, "institution_id": inst.id, "instructor_id": instructor.id},
            headers=auth(admin),
        )
        assert response.status == 403, response.json
        assert response.json["error"]["code"] == "INSTRUCTOR_ONLY_FROM_HR"


async def test_hr_may_link_an_instructor_only_to_an_instructor_invitation(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    inst = await make_institution()
    instructor, _ = await make_instructor(with_user=False)
    refused = await client.post(
        "/api/v1/invitations",
        json={"role": "class_teacher", "institution_id": inst.id, "instructor_id": instructor.id},
        headers=auth(hr),
    )
    assert refused.status == 400, refused.json
    assert refused.json["error"]["code"] == "INSTRUCTOR_ONLY_WITH_INSTRUCTOR_ROLE"
    granted = await client.post(
        "/api/v1/invitations",
        json={"role": "instructor", "instructor_id": instructor.id},
        headers=auth(hr),
    )
    assert granted.status == 201, granted.json
    user = await make_user()
    redeemed = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": granted.json["code"]}, headers=auth(user)
    )
    assert redeemed.status == 200, redeemed.json
    assert (await Instructor.get(id=instructor.id)).user_id == user.id


async def test_a_staff_invitation_never_links_an_instructor_even_from_the_command_line(
    client: Client,
) -> None:
    instructor, _ = await make_instructor(with_user=False)
    inst = await make_institution()
    with pytest.raises(InvalidInput) as refused:
        await create_invitation(
            role=Role.STAFF, institution_id=inst.id, instructor_id=instructor.id
        )
    assert refused.value.code == "INSTRUCTOR_ONLY_WITH_INSTRUCTOR_ROLE"
