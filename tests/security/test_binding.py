"""Binding to a roster row needs more than what the institution holds."""

from __future__ import annotations

from typing import Any

from backend.accounts.models import Role, Trainee
from backend.integrations.wechat import WeChatConnector
from backend.notifications.models import Channel, InboxMessage, OutboxMessage
from backend.security.models import AuditEntry
from tests.followups.support import dispatch
from tests.support.client import Client
from tests.support.factories import (
    auth,
    enrol,
    make_class,
    make_institution,
    make_staff,
    make_trainee,
    make_user,
    new_id_number,
)

PHONE = "13800138000"  # the roster's phone (make_trainee's default)


async def _bind(client: Client, user: Any, name: str, id_number: str) -> Any:
    return await client.post(
        "/api/v1/auth/bind-trainee",
        json={"name": name, "id_number": id_number},
        headers=auth(user),
    )


async def test_an_account_with_staff_grants_cannot_bind_as_a_trainee(client: Client) -> None:
    inst = await make_institution()
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    id_number = new_id_number()
    await enrol(await make_class(inst), await make_trainee("冯静", id_number=id_number))
    await client.post(  # the admin even has the roster's phone on its account
        "/api/v1/me/phone", json={"code": f"phone-{PHONE}"}, headers=auth(admin)
    )
    response = await _bind(client, admin, "冯静", id_number)
    assert response.status == 403, response.json
    assert response.json["error"]["code"] == "STAFF_CANNOT_BIND"


async def test_binding_needs_the_rosters_phone_from_get_phone_number(client: Client) -> None:
    id_number = new_id_number()
    trainee = await make_trainee("郑洁", id_number=id_number)
    user = await make_user()
    response = await _bind(client, user, "郑洁", id_number)
    assert (response.status, response.json["error"]["code"]) == (403, "PHONE_REQUIRED")
    await client.post("/api/v1/me/phone", json={"code": "phone-13999990000"}, headers=auth(user))
    response = await _bind(client, user, "郑洁", id_number)
    assert (response.status, response.json["error"]["code"]) == (403, "PHONE_MISMATCH")
    await client.post("/api/v1/me/phone", json={"code": f"phone-{PHONE}"}, headers=auth(user))
    response = await _bind(client, user, "郑洁", id_number)
    assert response.status == 200, response.json
    assert (await Trainee.get(id=trainee.id)).user_id == user.id


async def test_hr_may_waive_the_phone_match_once_and_it_is_audited(client: Client) -> None:
    hr = await make_staff(Role.HR_ADMIN)
    inst = await make_institution()
    id_number = new_id_number()
    trainee = await make_trainee("钱程", id_number=id_number)
    await enrol(await make_class(inst), trainee)
    user = await make_user(phone="13911110000")  # a new number, not the roster's
    waived = await client.post(
        f"/api/v1/trainees/{trainee.id}/waive-phone-check",
        json={"reason": "本人到场核验身份证，已更换手机号"},
        headers=auth(hr),
    )
    assert waived.status == 200, waived.json
    entry = await AuditEntry.get(action="trainee.phone_check_waive")
    assert entry.actor_id == hr.id and "更换手机号" in entry.details["reason"]
    assert (await _bind(client, user, "钱程", id_number)).status == 200
    bind = await AuditEntry.get(action="trainee.bind", target_id=str(trainee.id))
    assert bind.details["phone_check_waived"] is True
    assert (await Trainee.get(id=trainee.id)).phone_check_waived_at is None  # used once


async def test_hr_is_told_of_every_rebind_through_the_outbox(
    client: Client, connector: WeChatConnector
) -> None:
    inst = await make_institution("350102")
    city_hr = await make_staff(Role.HR_ADMIN)
    district_hr = await make_staff(Role.HR_ADMIN, district_code="350102")
    other_hr = await make_staff(Role.HR_ADMIN, district_code="350104")
    id_number = new_id_number()
    trainee = await make_trainee("孙悦", id_number=id_number)
    await enrol(await make_class(inst), trainee)
    first = await make_user(phone=PHONE)
    assert (await _bind(client, first, "孙悦", id_number)).status == 200
    assert not await OutboxMessage.exists(dedupe_key__startswith="rebind:")  # a first binding
    released = await client.post(
        f"/api/v1/trainees/{trainee.id}/unbind", json={"reason": "更换手机"}, headers=auth(city_hr)
    )
    assert released.status == 200, released.json
    second = await make_user(phone=PHONE)
    assert (await _bind(client, second, "孙悦", id_number)).status == 200
    queued = await OutboxMessage.filter(dedupe_key__startswith="rebind:").order_by("user_id")
    assert [(m.user_id, m.channel) for m in queued] == [
        (city_hr.id, Channel.INBOX),
        (district_hr.id, Channel.INBOX),
    ]
    await dispatch(connector)
    inbox = await InboxMessage.filter(user_id__in=[city_hr.id, district_hr.id, other_hr.id])
    assert sorted(m.user_id for m in inbox) == [city_hr.id, district_hr.id]
    assert all("孙悦" in m.body for m in inbox)
