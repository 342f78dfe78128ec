"""The subscribe-consent ledger and WeChat's message-push callback, over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from sanic import Sanic

from backend import clock
from backend.integrations.wechat import WeChatConnector, encrypt_reply
from backend.notifications.consent import consent_states
from backend.notifications.models import (
    ConsentEvent,
    HumanTask,
    OutboxMessage,
    OutboxStatus,
    SubscriptionConsent,
)
from backend.notifications.templates import TemplateSpec, register_template
from backend.runtime import runtime, use_runtime
from miniprogram_api.standins.wechat import FakeWeChat
from tests.followups.support import (
    NOTICE_TPL,
    SURVEY_TPL,
    consent,
    delivered,
    dispatch,
    grant,
    make_person,
    notice_for,
    sends,
    survey_for,
)
from tests.support.client import Client
from tests.support.factories import auth, make_user

CALLBACK = "/wechat/callback"
TS, NONCE = "1765000000", "nonce-1"
MORNING = "2026-12-07 10:00"
LONG_TERM = register_template(
    TemplateSpec(
        key="test_long_term",
        title="长期通知",
        subscribe_id="tpl-long-term",
        fields={"thing1": "thing", "date2": "date", "thing3": "thing"},
        labels={"thing1": "事项", "date2": "日期", "thing3": "备注"},
        needs_person=False,
    )
)


def signature(token: str, *parts: str) -> str:
    return hashlib.sha1("".join(sorted([token, *parts])).encode()).hexdigest()


def fresh_stamp() -> tuple[str, str]:
    """A timestamp of now (the business clock) and a nonce never used before, as WeChat sends."""
    return str(int(clock.now().timestamp())), uuid.uuid4().hex[:10]


def signed_query(
    settings: Any, *, ts: str | None = None, nonce: str | None = None, **extra: str
) -> str:
    if ts is None or nonce is None:
        ts, nonce = fresh_stamp()
    sig = signature(settings.wechat_push_token, ts, nonce)
    params = {"signature": sig, "timestamp": ts, "nonce": nonce, **extra}
    return "&".join(f"{k}={v}" for k, v in params.items())


def popup_xml(openid: str, template_id: str, status: str, event: str = "popup") -> str:
    names = {
        "popup": ("subscribe_msg_popup_event", "SubscribeMsgPopupEvent"),
        "change": ("subscribe_msg_change_event", "SubscribeMsgChangeEvent"),
    }
    name, container = names[event]
    return (
        f"<xml><ToUserName><![CDATA[gh_jobready]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{TS}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{name}]]></Event>"
        f"<{container}><List><TemplateId><![CDATA[{template_id}]]></TemplateId>"
        f"<SubscribeStatusString><![CDATA[{status}]]></SubscribeStatusString>"
        f"<PopupScene>0</PopupScene></List></{container}></xml>"
    )


async def remaining(user_id: int, template_id: str = SURVEY_TPL) -> int:
    states = {s.template_id: s for s in await consent_states(user_id=user_id)}
    return states[template_id].remaining


# -- the ledger -----------------------------------------------------------------------------------


async def test_each_one_time_accept_allows_exactly_one_message(
    client: Client, connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    person = await make_person("amy")
    await consent(client, person)
    answer = await consent(client, person)
    survey = next(i for i in answer["items"] if i["template_id"] == SURVEY_TPL)
    assert (survey["remaining"], survey["can_send"], survey["template_key"]) == (
        2,
        True,
        "followup_survey",
    )
    for n in range(3):
        await survey_for(person, key=f"s{n}")
    report = await dispatch(connector)
    assert report.results == {"sent": 2, "fallback": 1}
    assert len(delivered(fake_wechat)) == 2
    assert await remaining(person.user.id) == 0
    used = await ConsentEvent.filter(user_id=person.user.id, event="used").count()
    assert used == 2


async def test_reject_keeps_earlier_accepts_and_ban_clears_them(client: Client) -> None:
    person = await make_person("ben")
    await consent(client, person)
    response = await client.post(
        "/api/v1/me/subscriptions",
        json={"results": {SURVEY_TPL: "reject", NOTICE_TPL: "filter"}},
        headers=person.headers,
    )
    assert response.status == 200
    assert await remaining(person.user.id) == 1
    await client.post(
        "/api/v1/me/subscriptions", json={"results": {SURVEY_TPL: "ban"}}, headers=person.headers
    )
    assert await remaining(person.user.id) == 0
    events = await ConsentEvent.filter(user_id=person.user.id).order_by("id")
    assert [(e.template_id, e.event) for e in events] == [
        (SURVEY_TPL, "accept"),
        (SURVEY_TPL, "reject"),
        (NOTICE_TPL, "filter"),
        (SURVEY_TPL, "ban"),
    ]


async def test_a_subscription_answer_must_name_known_results(client: Client) -> None:
    user = await make_user()
    response = await client.post(
        "/api/v1/me/subscriptions", json={"results": {SURVEY_TPL: "maybe"}}, headers=auth(user)
    )
    assert response.status == 400
    assert response.json["error"]["code"] == "VALIDATION_FAILED"
    response = await client.post("/api/v1/me/subscriptions", json={"results": {}})
    assert response.status == 401


async def test_a_long_term_template_sends_without_a_count_until_switched_off(
    client: Client,
    app: Sanic,
    connector: WeChatConnector,
    fake_wechat: FakeWeChat,
    at: Any,
    use_settings: Any,
) -> None:
    use_settings(wechat_long_term_templates="test_long_term")
    at(MORNING)
    user = await make_user(openid="o-cleo")
    await grant(user, LONG_TERM.subscribe_id)
    for n in range(3):
        await notice_for(user, key=f"lt{n}")
        await OutboxMessage.filter(dedupe_key=f"test:lt{n}:{user.id}").update(
            template_key=LONG_TERM.key
        )
    assert (await dispatch(connector)).results == {"sent": 3}
    row = await SubscriptionConsent.get(user_id=user.id, template_id=LONG_TERM.subscribe_id)
    assert row.remaining == 0  # never counted
    body = popup_xml("o-cleo", LONG_TERM.subscribe_id, "reject", event="change")
    response = await client.post(f"{CALLBACK}?{signed_query(runtime().settings)}", content=body)
    assert response.status == 200
    await notice_for(user, key="after")
    await OutboxMessage.filter(dedupe_key=f"test:after:{user.id}").update(
        template_key=LONG_TERM.key
    )
    assert (await dispatch(connector)).results == {"fallback": 1}
    assert len(sends(fake_wechat)) == 3


# -- the callback ---------------------------------------------------------------------------------


async def test_wechat_url_verification_echoes_only_with_a_good_signature(
    client: Client, app: Sanic, caplog: pytest.LogCaptureFixture
) -> None:
    query = signed_query(runtime().settings, echostr="echo-123")
    response = await client.get(f"{CALLBACK}?{query}")
    assert (response.status, response.text) == (200, "echo-123")
    with caplog.at_level(logging.WARNING, logger="jobready.wechat.callback"):
        response = await client.get(
            f"{CALLBACK}?signature=bad&timestamp={TS}&nonce={NONCE}&echostr=x"
        )
    assert response.status == 403
    assert response.json["error"]["code"] == "WECHAT_SIGNATURE_INVALID"
    assert any("bad signature" in r.getMessage() for r in caplog.records)


async def test_a_popup_event_counts_once_when_the_api_reported_the_same_popup(
    client: Client, app: Sanic, at: Any
) -> None:
    at(MORNING)
    person = await make_person("dora")
    await consent(client, person)  # the mini-program reports the popup…
    body = popup_xml(person.openid, SURVEY_TPL, "accept")
    response = await client.post(f"{CALLBACK}?{signed_query(runtime().settings)}", content=body)
    assert (response.status, response.text) == (200, "success")  # …and WeChat pushes it too
    assert await remaining(person.user.id) == 1
    events = await ConsentEvent.filter(user_id=person.user.id).order_by("id")
    assert [(e.source, e.paired_event_id) for e in events] == [
        ("api", None),
        ("callback", events[0].id),
    ]
    at("2026-12-07 11:00")  # an hour later: a new popup
    await client.post(f"{CALLBACK}?{signed_query(runtime().settings)}", content=body)
    assert await remaining(person.user.id) == 2


async def test_a_json_change_event_switches_a_template_off(
    client: Client, app: Sanic, connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    person = await make_person("ella")
    await consent(client, person)
    body = {
        "ToUserName": "gh_jobready",
        "FromUserName": person.openid,
        "CreateTime": int(TS),
        "MsgType": "event",
        "Event": "subscribe_msg_change_event",
        "List": [{"TemplateId": SURVEY_TPL, "SubscribeStatusString": "reject"}],
    }
    response = await client.post(
        f"{CALLBACK}?{signed_query(runtime().settings)}", content=json.dumps(body).encode()
    )
    assert response.status == 200
    assert await remaining(person.user.id) == 0
    await survey_for(person)
    assert (await dispatch(connector)).results == {"fallback": 1}
    assert sends(fake_wechat) == []


@pytest.fixture
def aes_mode(app: Sanic) -> Iterator[str]:
    """The callback in safe mode, with an EncodingAESKey of its own."""
    key = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    with use_runtime(runtime().settings.replace(wechat_push_aes_key=key)):
        yield key


def encrypted(app: Sanic, key: str, plain: str) -> tuple[str, bytes]:
    s = runtime().settings
    ts, nonce = fresh_stamp()
    envelope = ET.fromstring(
        encrypt_reply(s.wechat_push_token, key, s.wechat_appid, plain, nonce, ts)
    )
    parts = {child.tag: child.text or "" for child in envelope}
    query = signed_query(
        s, ts=ts, nonce=nonce, encrypt_type="aes", msg_signature=parts["MsgSignature"]
    )
    body = (
        "<xml><ToUserName><![CDATA[gh_jobready]]></ToUserName>"
        f"<Encrypt><![CDATA[{parts['Encrypt']}]]></Encrypt></xml>"
    )
    return query, body.encode()


async def test_an_encrypted_sent_event_records_the_delivery(
    client: Client, app: Sanic, aes_mode: str, connector: WeChatConnector, at: Any
) -> None:
    at(MORNING)
    person = await make_person("fay")
    await consent(client, person)
    message = await survey_for(person)
    await dispatch(connector)
    plain = (
        f"<xml><ToUserName><![CDATA[gh_jobready]]></ToUserName>"
        f"<FromUserName><![CDATA[{person.openid}]]></FromUserName><CreateTime>{TS}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe_msg_sent_event]]></Event>"
        f"<SubscribeMsgSentEvent><List><TemplateId><![CDATA[{SURVEY_TPL}]]></TemplateId>"
        "<MsgID>1700827132819554304</MsgID><ErrorCode>0</ErrorCode>"
        "<ErrorStatus><![CDATA[success]]></ErrorStatus></List></SubscribeMsgSentEvent></xml>"
    )
    query, body = encrypted(app, aes_mode, plain)
    response = await client.post(f"{CALLBACK}?{query}", content=body)
    assert (response.status, response.text) == (200, "success")
    row = await OutboxMessage.get(id=message.id)
    assert (row.status, row.delivery_status) == (OutboxStatus.SENT, "success")
    assert row.wechat_msgid == "1700827132819554304"
    tampered = body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[A")
    response = await client.post(f"{CALLBACK}?{query}", content=tampered)
    assert response.status == 403


async def test_a_failed_delivery_asks_a_person_to_call(
    client: Client, app: Sanic, connector: WeChatConnector, at: Any
) -> None:
    at(MORNING)
    person = await make_person("gus")
    await consent(client, person)
    message = await survey_for(person)
    await dispatch(connector)
    body = {
        "FromUserName": person.openid,
        "MsgType": "event",
        "Event": "subscribe_msg_sent_event",
        "List": {
            "TemplateId": SURVEY_TPL,
            "MsgID": "42",
            "ErrorCode": "10005",
            "ErrorStatus": "fail:user refuse to accept the msg",
        },
    }
    response = await client.post(
        f"{CALLBACK}?{signed_query(runtime().settings)}", content=json.dumps(body).encode()
    )
    assert response.status == 200
    row = await OutboxMessage.get(id=message.id)
    assert row.delivery_status.startswith("fail:user refuse")
    task = await HumanTask.get(dedupe_key=f"outbox:{message.id}:phone_call")
    assert "未送达" in task.reason


async def test_a_push_with_a_bad_signature_changes_nothing(client: Client) -> None:
    person = await make_person("hal")
    body = popup_xml(person.openid, SURVEY_TPL, "accept")
    response = await client.post(
        f"{CALLBACK}?signature=0&timestamp={TS}&nonce={NONCE}", content=body
    )
    assert response.status == 403
    assert not await SubscriptionConsent.exists(user_id=person.user.id)


async def test_an_unreadable_push_is_refused_and_an_unknown_event_ignored(
    client: Client, app: Sanic
) -> None:
    query = signed_query(runtime().settings)
    response = await client.post(f"{CALLBACK}?{query}", content=b"<xml><unclosed>")
    assert response.status == 400
    click = (
        "<xml><FromUserName>o-x</FromUserName><MsgType>event</MsgType><Event>CLICK</Event></xml>"
    )
    response = await client.post(f"{CALLBACK}?{query}", content=click.encode())
    assert (response.status, response.text) == (200, "success")
