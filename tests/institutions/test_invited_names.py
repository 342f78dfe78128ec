"""Staff and instructors who join by invitation have names (given at redemption, or by the
institution when inviting; an instructor keeps the registry's name)."""

from __future__ import annotations

from backend.accounts.models import Role, User
from tests.support.client import Client
from tests.support.factories import auth, make_institution, make_instructor, make_staff


async def _login(client: Client, who: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/wx-login", json={"code": f"test-{who}"})
    assert response.status == 200, response.text
    return {"Authorization": f"Bearer {response.json['token']}"}


async def _invite(client: Client, inviter: User, **body: object) -> str:
    response = await client.post("/api/v1/invitations", json=body, headers=auth(inviter))
    assert response.status == 201, response.text
    return str(response.json["code"])


async def test_a_name_given_by_the_institution_is_the_staff_members_name(client: Client) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    code = await _invite(
        client, admin, role="class_teacher", institution_id=inst.id, name="陈班主任"
    )
    headers = await _login(client, "teacher-chen")
    response = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": code}, headers=headers
    )
    assert response.status == 200, response.text
    assert response.json["display_name"] == "陈班主任"


async def test_a_name_given_at_redemption_wins_and_none_at_all_is_refused(client: Client) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    code = await _invite(client, admin, role="staff", institution_id=inst.id)
    headers = await _login(client, "staff-li")
    refused = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": code}, headers=headers
    )
    assert refused.status == 400 and refused.json["error"]["code"] == "NAME_REQUIRED"
    response = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": code, "name": "李工作"}, headers=headers
    )
    assert response.status == 200, response.text  # the refused attempt did not use the code
    assert response.json["display_name"] == "李工作"


async def test_an_invited_instructor_has_the_registry_name(client: Client) -> None:
    instructor, _ = await make_instructor(with_user=False)
    hr = await make_staff(Role.HR_ADMIN)
    code = await _invite(client, hr, role="instructor", instructor_id=instructor.id)
    headers = await _login(client, "instructor-x")
    response = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": code}, headers=headers
    )
    assert response.status == 200, response.text
    assert response.json["display_name"] == instructor.name
