"""Login through the WeChat stand-in, binding to the roster, invitations, /me."""

from __future__ import annotations

import base64
from datetime import timedelta

from backend.accounts.models import Role, Trainee, User, WeChatIdentity
from backend.accounts.service import create_invitation
from backend.runtime import runtime
from backend.security.models import AuditEntry
from miniprogram_api.standins.wechat import FakeWeChat
from tests.support.client import Client
from tests.support.factories import (
    auth,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_staff,
    make_trainee,
    make_user,
    new_id_number,
)


async def _login(client: Client, code: str) -> tuple[int, dict]:
    response = await client.post("/api/v1/auth/wx-login", json={"code": code})
    return response.status, response.json


async def test_first_login_creates_an_unbound_user_with_a_token(client: Client) -> None:
    status, body = await _login(client, "test-alice")
    assert status == 200, body
    assert body["bound"] is False
    assert body["token_type"] == "Bearer"
    identity = await WeChatIdentity.get(openid="o-alice")
    assert identity.unionid == "u-alice"
    assert identity.session_key_enc  # kept, encrypted
    assert "session_key" not in str(body)


async def test_session_key_is_stored_encrypted_not_in_clear(client: Client) -> None:
    await _login(client, "test-carol")
    identity = await WeChatIdentity.get(openid="o-carol")
    session_key = runtime().cipher.decrypt(identity.session_key_enc or "", context="session_key")
    assert len(base64.b64decode(session_key)) == 16
    assert session_key not in (identity.session_key_enc or "")


async def test_token_from_login_opens_me(client: Client) -> None:
    _, body = await _login(client, "test-bob")
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert response.status == 200
    assert response.json["roles"] == []


async def test_reused_login_code_is_refused_in_chinese(client: Client) -> None:
    await _login(client, "test-dave")
    status, body = await _login(client, "test-dave")
    assert status == 400
    assert body["error"]["code"] == "LOGIN_CODE_USED"
    assert "登录凭证已被使用" in body["error"]["message"]


async def test_unknown_login_code_is_refused_in_chinese(client: Client) -> None:
    status, body = await _login(client, "not-a-wechat-code")
    assert status == 400
    assert body["error"]["code"] == "LOGIN_CODE_INVALID"


async def test_wechat_busy_gives_a_clear_error_not_a_500(
    client: Client, fake_wechat: FakeWeChat
) -> None:
    fake_wechat.state.fail(errcode=-1, count=1, path="sns/jscode2session")
    status, body = await _login(client, "test-erin")
    assert status == 502
    assert body["error"]["code"] == "WECHAT_UNAVAILABLE"
    assert "微信服务暂时不可用" in body["error"]["message"]


async def test_wechat_timeout_gives_a_clear_error_not_a_500(
    client: Client, fake_wechat: FakeWeChat
) -> None:
    fake_wechat.state.fail(delay=3.0, count=1, path="sns/jscode2session")
    status, body = await _login(client, "test-frank")
    assert status == 502
    assert body["error"]["code"] == "WECHAT_UNAVAILABLE"


async def test_missing_or_forged_token_is_401(client: Client) -> None:
    response = await client.get("/api/v1/me")
    assert response.status == 401
    assert response.json["error"]["code"] == "UNAUTHENTICATED"
    response = await client.get("/api/v1/me", headers={"Authorization": "Bearer x.y.z"})
    assert response.status == 401
    assert response.json["error"]["code"] == "TOKEN_INVALID"


async def test_bumping_the_token_version_revokes_old_tokens(client: Client) -> None:
    user = await make_user()
    headers = auth(user)
    await User.filter(id=user.id).update(token_version=user.token_version + 1)
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status == 401
    assert response.json["error"]["code"] == "TOKEN_REVOKED"


async def test_trainee_binds_by_name_and_id_number(client: Client) -> None:
    id_number = new_id_number()
    trainee = await make_trainee("林小雨", id_number=id_number)
    user = await make_user(phone="13800138000")
    response = await client.post(
        "/api/v1/auth/bind-trainee",
        json={"name": "林小雨", "id_number": id_number.lower()},
        headers=auth(user),
    )
    assert response.status == 200, response.json
    assert response.json["roles"] == ["trainee"]
    assert (
        response.json["trainee"]["id_number_masked"] == id_number[:6] + "********" + id_number[-4:]
    )
    assert (await Trainee.get(id=trainee.id)).user_id == user.id
    assert await AuditEntry.exists(action="trainee.bind", target_id=str(trainee.id))


async def test_binding_with_a_wrong_checksum_names_the_problem(client: Client) -> None:
    user = await make_user()
    good = new_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = await client.post(
        "/api/v1/auth/bind-trainee", json={"name": "某人", "id_number": bad}, headers=auth(user)
    )
    assert response.status == 400
    assert response.json["error"]["code"] == "ID_NUMBER_INVALID"
    assert "校验码" in response.json["error"]["message"]


async def test_binding_with_the_wrong_name_does_not_reveal_which_half_was_wrong(
    client: Client,
) -> None:
    id_number = new_id_number()
    await make_trainee("林小雨", id_number=id_number)
    user = await make_user()
    response = await client.post(
        "/api/v1/auth/bind-trainee",
        json={"name": "林小云", "id_number": id_number},
        headers=auth(user),
    )
    assert response.status == 404
    assert response.json["error"]["code"] == "TRAINEE_NOT_FOUND"


async def test_a_roster_row_binds_only_one_wechat_identity(client: Client) -> None:
    id_number = new_id_number()
    first = await make_user()
    await make_trainee("陈思", id_number=id_number, user=first)
    second = await make_user()
    response = await client.post(
        "/api/v1/auth/bind-trainee",
        json={"name": "陈思", "id_number": id_number},
        headers=auth(second),
    )
    assert response.status == 409
    assert response.json["error"]["code"] == "ALREADY_BOUND"


async def test_guessing_id_numbers_is_slowed_down(client: Client) -> None:
    user = await make_user()
    statuses = []
    for _ in range(7):
        response = await client.post(
            "/api/v1/auth/bind-trainee",
            json={"name": "猜测", "id_number": new_id_number()},
            headers=auth(user),
        )
        statuses.append(response.status)
    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429, 429]


async def test_hr_rebinding_releases_the_row_and_revokes_the_old_session(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    old_user = await make_user(phone="13800138000")
    inst = await make_institution()
    klass = await make_class(inst)
    id_number = new_id_number()
    trainee = await make_trainee("周敏", id_number=id_number, user=old_user)
    await enrol(klass, trainee)
    old_headers = auth(old_user)
    response = await client.post(
        f"/api/v1/trainees/{trainee.id}/unbind", json={"reason": "更换手机"}, headers=auth(hr)
    )
    assert response.status == 200, response.json
    response = await client.get("/api/v1/me", headers=old_headers)
    assert response.status == 401
    new_user = await make_user(phone="13800138000")
    response = await client.post(
        "/api/v1/auth/bind-trainee",
        json={"name": "周敏", "id_number": id_number},
        headers=auth(new_user),
    )
    assert response.status == 200
    entry = await AuditEntry.get(action="trainee.unbind")
    assert entry.actor_id == hr.id and entry.details["reason"] == "更换手机"


async def test_invitation_code_grants_its_role_once(client: Client) -> None:
    inst = await make_institution()
    _, code = await create_invitation(role=Role.CLASS_TEACHER, institution_id=inst.id)
    first, second = await make_user(), await make_user()
    response = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": code.lower()}, headers=auth(first)
    )
    assert response.status == 200, response.json
    assert response.json["roles"] == ["class_teacher"]
    assert response.json["scopes"][0]["institution_id"] == inst.id
    response = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": code}, headers=auth(second)
    )
    assert response.status == 409
    assert response.json["error"]["code"] == "INVITATION_USED"
    assert await AuditEntry.exists(action="role.grant", target_id=str(first.id))


async def test_expired_invitation_is_refused(client: Client) -> None:
    _, code = await create_invitation(role=Role.HR_ADMIN, ttl=timedelta(seconds=-1))
    user = await make_user()
    response = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": code}, headers=auth(user)
    )
    assert response.status == 403
    assert response.json["error"]["code"] == "INVITATION_EXPIRED"


async def test_instructor_invitation_links_the_registry_entry(client: Client) -> None:
    instructor, _ = await make_instructor(with_user=False)
    _, code = await create_invitation(role=Role.INSTRUCTOR, instructor_id=instructor.id)
    user = await make_user()
    response = await client.post(
        "/api/v1/auth/redeem-invitation", json={"code": code}, headers=auth(user)
    )
    assert response.status == 200, response.json
    assert response.json["instructor_id"] == instructor.id


async def test_phone_number_is_stored_and_returned_masked(client: Client) -> None:
    user = await make_user()
    response = await client.post(
        "/api/v1/me/phone", json={"code": "phone-13912345678"}, headers=auth(user)
    )
    assert response.status == 200, response.json
    assert response.json == {"phone_masked": "139****5678"}
    identity = await WeChatIdentity.get(user_id=user.id)
    assert identity.phone_enc and "13912345678" not in identity.phone_enc


async def test_full_pii_read_is_role_limited_and_audited(client: Client) -> None:
    inst = await make_institution()
    klass = await make_class(inst)
    id_number = new_id_number()
    trainee = await make_trainee("郭静", id_number=id_number, phone="13700001111")
    await enrol(klass, trainee)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    response = await client.post(
        f"/api/v1/trainees/{trainee.id}/pii", json={"reason": "核对"}, headers=auth(teacher)
    )
    assert response.status == 403
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    response = await client.post(
        f"/api/v1/trainees/{trainee.id}/pii", json={"reason": "补贴材料核对"}, headers=auth(admin)
    )
    assert response.status == 200
    assert response.json["id_number"] == id_number
    entry = await AuditEntry.get(action="pii.read")
    assert entry.actor_id == admin.id and entry.details["reason"] == "补贴材料核对"


async def test_institution_revokes_its_staff_role_and_it_is_audited(client: Client) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    from backend.accounts.models import RoleGrant

    grant = await RoleGrant.get(user_id=teacher.id)
    response = await client.post(
        f"/api/v1/role-grants/{grant.id}/revoke", json={"reason": "离职"}, headers=auth(admin)
    )
    assert response.status == 200, response.json
    me = await client.get("/api/v1/me", headers=auth(teacher))
    assert me.json["roles"] == []
    entry = await AuditEntry.get(action="role.revoke")
    assert entry.actor_id == admin.id and entry.details["reason"] == "离职"
