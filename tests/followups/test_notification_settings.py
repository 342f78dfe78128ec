"""The notification settings a deployment gives: WeChat template ids, long-term templates, quiet
hours, the daily cap, the lease and the number of attempts (against the WeChat stand-in)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sanic import Sanic

from backend import clock
from backend.config import SettingsError
from backend.integrations.wechat import WeChatConnector
from backend.notifications.consent import consent_states, is_long_term
from backend.notifications.dispatch import Dispatcher, claim_batch, in_quiet_hours
from backend.notifications.models import Channel, ConsentEvent, OutboxMessage, OutboxStatus
from backend.notifications.templates import (
    NOTICE,
    by_wechat_id,
    check_template_settings,
    template,
)
from backend.runtime import runtime
from miniprogram_api.app import create_app
from miniprogram_api.standins.wechat import FakeWeChat
from tests.followups.support import (
    NOTICE_TPL,
    SURVEY_TPL,
    TEMPLATE_SEND,
    delivered,
    dispatch,
    grant,
    make_person,
    notice_for,
    sends,
    survey_for,
)
from tests.followups.test_consent_and_callback import CALLBACK, popup_xml, signed_query
from tests.support.client import Client
from tests.support.factories import auth, make_user

MORNING = "2026-12-07 10:00"
REAL_NOTICE = "Xq3-notice_REAL"
REAL_SURVEY = "Yk7-survey_REAL"


async def states_of(user_id: int) -> dict[str, Any]:
    return {s.template_id: s for s in await consent_states(user_id=user_id)}


# -- template ids ---------------------------------------------------------------------------------


async def test_a_configured_subscribe_template_id_is_the_one_sent_to_wechat(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(wechat_template_ids=f"notice={REAL_NOTICE}")
    at(MORNING)
    user = await make_user(openid="o-pia")
    await grant(user, REAL_NOTICE)
    await notice_for(user)
    assert (await dispatch(connector)).results == {"sent": 1}
    [request] = delivered(fake_wechat)
    assert request["json"]["template_id"] == REAL_NOTICE
    events = await ConsentEvent.filter(user_id=user.id).values_list("template_id", "event")
    assert sorted(events) == [(REAL_NOTICE, "accept"), (REAL_NOTICE, "used")]


async def test_a_consent_for_the_built_in_id_does_not_send_once_a_real_id_is_configured(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(wechat_template_ids=f"notice={REAL_NOTICE}")
    at(MORNING)
    user = await make_user(openid="o-quin")
    await grant(user, NOTICE_TPL)
    message = await notice_for(user)
    assert (await dispatch(connector)).results == {"fallback": 1}
    assert sends(fake_wechat) == []
    assert (await OutboxMessage.get(id=message.id)).last_error == "没有可用的订阅消息授权"


async def test_the_consent_listing_names_the_configured_ids_for_the_mini_program(
    client: Client, use_settings: Any
) -> None:
    use_settings(
        wechat_template_ids=f"notice={REAL_NOTICE},followup_survey={REAL_SURVEY}",
        wechat_long_term_templates="notice",
    )
    user = await make_user()
    response = await client.post(
        "/api/v1/me/subscriptions", json={"results": {REAL_SURVEY: "accept"}}, headers=auth(user)
    )
    assert response.status == 200
    response = await client.get("/api/v1/me/subscriptions", headers=auth(user))
    items = {i["template_key"]: i for i in response.json["items"]}
    assert (items["notice"]["template_id"], items["notice"]["long_term"]) == (REAL_NOTICE, True)
    survey = items["followup_survey"]
    assert (survey["template_id"], survey["long_term"], survey["remaining"]) == (
        REAL_SURVEY,
        False,
        1,
    )
    assert items["job_push"]["template_id"] == "tpl-job-push"  # not configured: built-in
    assert NOTICE_TPL not in {i["template_id"] for i in response.json["items"]}


async def test_a_configured_official_account_id_carries_the_template_message(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(wechat_oa_template_ids="followup_survey=OA-survey-REAL")
    at(MORNING)
    person = await make_person("rita", oa_openid="o-oa-rita")
    await survey_for(person)
    report = await Dispatcher(connector=connector, oa_connector=connector).run_until_idle()
    assert report.results == {"sent": 1}
    [request] = delivered(fake_wechat, TEMPLATE_SEND)
    assert request["json"]["template_id"] == "OA-survey-REAL"
    assert by_wechat_id("OA-survey-REAL") == template("followup_survey")


async def test_an_official_account_id_configured_empty_leaves_the_message_to_a_person(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(wechat_oa_template_ids="followup_survey=")
    at(MORNING)
    person = await make_person("sam", oa_openid="o-oa-sam")
    await survey_for(person)
    report = await Dispatcher(connector=connector, oa_connector=connector).run_until_idle()
    assert report.results == {"fallback": 1}
    assert sends(fake_wechat, TEMPLATE_SEND) == []
    assert template("followup_survey").oa_template_id is None


async def test_long_term_templates_are_the_configured_ones(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    assert not is_long_term(NOTICE_TPL)  # none by default
    use_settings(wechat_template_ids=f"notice={REAL_NOTICE}", wechat_long_term_templates="notice")
    assert is_long_term(REAL_NOTICE) and not is_long_term(NOTICE_TPL)
    at(MORNING)
    user = await make_user(openid="o-tara")
    await grant(user, REAL_NOTICE)  # one accept of a long-term template…
    for n in range(3):
        await notice_for(user, key=f"lt{n}")
    assert (await dispatch(connector)).results == {"sent": 3}  # …allows every send
    assert (await states_of(user.id))[REAL_NOTICE].remaining == 0  # never counted


async def test_callback_events_are_matched_by_the_configured_ids(
    client: Client, app: Sanic, connector: WeChatConnector, at: Any, use_settings: Any
) -> None:
    use_settings(wechat_template_ids=f"followup_survey={REAL_SURVEY}")
    at(MORNING)
    person = await make_person("uma")
    query = signed_query(runtime().settings)
    body = popup_xml(person.openid, REAL_SURVEY, "accept")
    assert (await client.post(f"{CALLBACK}?{query}", content=body)).status == 200
    state = (await states_of(person.user.id))[REAL_SURVEY]
    assert (state.template_key, state.remaining) == ("followup_survey", 1)
    message = await survey_for(person)
    assert (await dispatch(connector)).results == {"sent": 1}

    def sent_event(template_id: str) -> bytes:
        item = {"TemplateId": template_id, "MsgID": "77", "ErrorCode": "0"}
        event = {"FromUserName": person.openid, "MsgType": "event", "List": item}
        return json.dumps({**event, "Event": "subscribe_msg_sent_event"}).encode()

    # each push has a nonce of its own (a repeated nonce is refused as a replay)
    query = signed_query(runtime().settings)
    await client.post(f"{CALLBACK}?{query}", content=sent_event(SURVEY_TPL))  # the old id
    assert (await OutboxMessage.get(id=message.id)).delivery_status == ""
    query = signed_query(runtime().settings)
    await client.post(f"{CALLBACK}?{query}", content=sent_event(REAL_SURVEY))
    assert (await OutboxMessage.get(id=message.id)).delivery_status == "success"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"wechat_template_ids": "notice=a,surveys=b"}, "WECHAT_TEMPLATE_IDS names unknown"),
        ({"wechat_oa_template_ids": "nope=x"}, "WECHAT_OA_TEMPLATE_IDS names unknown"),
        ({"wechat_long_term_templates": "notice,nope"}, "WECHAT_LONG_TERM_TEMPLATES names unknown"),
        ({"wechat_template_ids": "notice=tpl-job-push"}, "job_push and notice the same id"),
        (
            {"wechat_oa_template_ids": "notice=oa-tpl-followup-survey"},
            "WECHAT_OA_TEMPLATE_IDS gives followup_survey and notice the same id",
        ),
    ],
)
def test_template_settings_naming_unknown_templates_or_sharing_an_id_stop_the_start(
    settings: Any, changes: dict[str, str], problem: str
) -> None:
    bad = settings.replace(**changes)
    with pytest.raises(SettingsError, match=problem):
        check_template_settings(bad)
    with pytest.raises(SettingsError, match=problem):
        create_app(bad, manage_orm=False)


def test_templates_registered_by_every_domain_may_be_configured(settings: Any) -> None:
    check_template_settings(settings.replace(wechat_template_ids="job_push=Jp-REAL,notice=N-REAL"))
    assert template(NOTICE).subscribe_id == NOTICE_TPL  # checking configures nothing


# -- quiet hours, daily cap, lease ----------------------------------------------------------------


async def test_a_configured_quiet_window_holds_pushes_then(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(notify_quiet_hours="12:00-14:00")
    at("2026-12-07 12:30")
    user = await make_user(openid="o-vera")
    await grant(user)
    push = await notice_for(user, key="push")
    note = await notice_for(user, key="inbox", channel=Channel.INBOX)
    assert (await dispatch(connector)).results == {"sent": 1}
    assert (await OutboxMessage.get(id=note.id)).status is OutboxStatus.SENT
    at("2026-12-07 13:59")
    assert (await dispatch(connector)).claimed == 0
    at("2026-12-07 14:00")
    assert (await dispatch(connector)).results == {"sent": 1}
    assert (await OutboxMessage.get(id=push.id)).status is OutboxStatus.SENT
    at("2026-12-07 23:30")  # the default quiet hours no longer apply
    assert not in_quiet_hours(clock.now())


async def test_equal_start_and_end_mean_no_quiet_hours(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(notify_quiet_hours="00:00-00:00")
    at("2026-12-07 03:00")
    user = await make_user(openid="o-will")
    await grant(user)
    await notice_for(user)
    assert (await dispatch(connector)).results == {"sent": 1}


async def test_a_configured_daily_cap_defers_to_the_end_of_the_configured_quiet_hours(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(notify_daily_cap=1, notify_quiet_hours="22:00-06:30")
    at(MORNING)
    user = await make_user(openid="o-xena")
    await grant(user, times=2)
    _, second = [await notice_for(user, key=f"k{n}") for n in range(2)]
    assert (await dispatch(connector)).results == {"sent": 1, "defer": 1}
    late = await OutboxMessage.get(id=second.id)
    local = clock.local(late.next_attempt_at)
    assert (local.date(), local.hour, local.minute >= 30) == (date(2026, 12, 8), 6, True)
    at("2026-12-08 07:05")
    assert (await dispatch(connector)).results == {"sent": 1}
    assert len(delivered(fake_wechat)) == 2


async def test_a_configured_lease_decides_when_a_dead_workers_claim_is_taken_over(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(outbox_lease_seconds=600)
    at(MORNING)
    user = await make_user(openid="o-yuri")
    await grant(user)
    await notice_for(user)
    [claimed] = await claim_batch(
        claim="dead-worker:1", now=clock.now(), limit=10, channels=[Channel.SUBSCRIBE]
    )
    assert claimed.lease_until == clock.now() + timedelta(seconds=600)
    at("2026-12-07 10:03")  # past the default 2 minutes, within the configured 10
    assert (await dispatch(connector)).claimed == 0
    at("2026-12-07 10:11")
    assert (await dispatch(connector)).results == {"sent": 1}
    assert len(delivered(fake_wechat)) == 1
