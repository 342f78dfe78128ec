"""The outbox dispatcher against the WeChat stand-in, over real HTTP, with a controlled clock.

Every fault the outbox meets (docs/outbox.md): busy (-1) and quota (45009) are retried later,
a rejected token (40001) is refreshed once and the message sent, a refusal (43101) falls back
to the inbox and a phone call, bad data (47003) gives up with the reason kept, a timeout is
retried. A worker that dies between claim and send does not lose the message, and nothing is
sent twice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from backend import clock
from backend.integrations.wechat import WeChatConfig, WeChatConnector
from backend.notifications import dispatch as dispatch_module
from backend.notifications.channels import Attempt, Outcome, Result
from backend.notifications.consent import consent_states
from backend.notifications.dispatch import (
    Dispatcher,
    claim_batch,
    in_quiet_hours,
    lease,
    max_attempts,
    record_outcome,
)
from backend.notifications.models import (
    Channel,
    ConsentEvent,
    HumanTask,
    InboxMessage,
    OutboxMessage,
    OutboxStatus,
    PushDayCount,
    TaskKind,
)
from miniprogram_api.standins.wechat import FakeWeChat
from tests.followups.support import (
    NOTICE_TPL,
    SEND,
    STABLE,
    SURVEY_TPL,
    TEMPLATE_SEND,
    assert_log_matches_outbox,
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

MORNING = "2026-12-07 10:00"


async def remaining(user_id: int, template_id: str = NOTICE_TPL) -> int:
    states = {s.template_id: s for s in await consent_states(user_id=user_id)}
    return states[template_id].remaining


async def fresh(message: OutboxMessage) -> OutboxMessage:
    return await OutboxMessage.get(id=message.id)


async def test_a_consented_notice_is_sent_once_with_its_data(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-alice")
    await grant(user)
    message = await notice_for(user)
    report = await dispatch(connector)
    assert report.results == {"sent": 1}
    [request] = delivered(fake_wechat)
    assert request["json"]["touser"] == "o-alice"
    assert request["json"]["template_id"] == NOTICE_TPL
    assert request["json"]["data"]["thing1"] == {"value": "面试通知"}
    row = await fresh(message)
    assert (row.status, row.attempts, row.lease_until) == (OutboxStatus.SENT, 1, None)
    assert row.sent_at == clock.now()
    assert await remaining(user.id) == 0
    assert await dispatch(connector) == dispatch_module.DispatchReport()  # nothing left to send
    assert len(sends(fake_wechat)) == 1


@pytest.mark.parametrize("errcode", [-1, 45009])
async def test_busy_and_quota_errors_are_retried_later_and_sent_once(
    errcode: int, connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-bob")
    await grant(user)
    message = await notice_for(user)
    fake_wechat.state.fail(errcode=errcode, count=1, path=SEND)
    assert (await dispatch(connector)).results == {"retry": 1}
    row = await fresh(message)
    assert (row.status, row.attempts, row.last_errcode) == (OutboxStatus.PENDING, 1, errcode)
    assert row.next_attempt_at > clock.now()
    assert row.consent_taken  # the consent stays with the message for its next attempt
    assert await dispatch(connector) == dispatch_module.DispatchReport()  # not due yet
    if errcode == 45009:  # the daily quota resets at midnight in Beijing; pushes resume at 08:00
        assert clock.local(row.next_attempt_at) >= clock.local(clock.now()).replace(
            hour=0, minute=0
        ) + timedelta(days=1)
        at("2026-12-08 00:30")  # the retry is due, but it is a quiet hour
        assert (await dispatch(connector)).claimed == 0
        at("2026-12-08 08:05")
    else:
        at("2026-12-07 11:00")
    assert (await dispatch(connector)).results == {"sent": 1}
    assert len(delivered(fake_wechat)) == 1
    assert (await fresh(message)).attempts == 2
    assert await remaining(user.id) == 0  # one consent, one message
    await assert_log_matches_outbox(fake_wechat)


async def test_a_rejected_token_is_refreshed_once_and_the_message_sent(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-carol")
    await grant(user)
    message = await notice_for(user)
    fake_wechat.state.fail(errcode=40001, count=1, path=SEND)
    assert (await dispatch(connector)).results == {"sent": 1}
    assert [r["errcode"] for r in sends(fake_wechat)] == [40001, 0]
    forced = [r for r in sends(fake_wechat, STABLE) if r["json"]["force_refresh"] is True]
    assert len(forced) == 1
    tokens = [r["query"]["access_token"] for r in sends(fake_wechat)]
    assert tokens[0] != tokens[1]
    assert (await fresh(message)).attempts == 1


async def test_an_expired_token_is_refreshed_too(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-dave")
    await grant(user, times=2)
    await notice_for(user, key="first")
    await dispatch(connector)
    fake_wechat.state.expire_tokens()
    await notice_for(user, key="second")
    assert (await dispatch(connector)).results == {"sent": 1}
    assert [r["errcode"] for r in sends(fake_wechat)] == [0, 42001, 0]
    await assert_log_matches_outbox(fake_wechat)


async def test_a_refusal_falls_back_to_the_inbox_and_a_phone_call(
    client: Client, connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    person = await make_person("erin")
    await grant(person.user, SURVEY_TPL, times=2)
    message = await survey_for(person)
    fake_wechat.state.refuse(person.openid)
    assert (await dispatch(connector)).results == {"fallback": 1}
    row = await fresh(message)
    assert (row.status, row.last_errcode) == (OutboxStatus.FALLBACK, 43101)
    assert "43101" in row.last_error
    # WeChat says no consent is left, whatever our ledger counted
    assert await remaining(person.user.id, SURVEY_TPL) == 0
    events = await ConsentEvent.filter(outbox_id=message.id).values_list("event", flat=True)
    assert sorted(events) == ["refused", "used"]
    task = await HumanTask.get(kind=TaskKind.PHONE_CALL, trainee_id=person.trainee.id)
    assert "43101" in task.reason
    response = await client.get("/api/v1/me/inbox", headers=person.headers)
    assert response.status == 200
    assert response.json["unread"] == 1
    [item] = response.json["items"]
    assert item["title"] == "就业情况回访"
    assert "回访事项：培训后1周就业情况回访" in item["body"]


async def test_without_consent_nothing_goes_to_wechat_and_a_person_is_asked(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    person = await make_person("frank")
    message = await survey_for(person)
    assert (await dispatch(connector)).results == {"fallback": 1}
    assert sends(fake_wechat) == []
    row = await fresh(message)
    assert (row.status, row.last_error) == (OutboxStatus.FALLBACK, "没有可用的订阅消息授权")
    assert await InboxMessage.exists(user_id=person.user.id, outbox_id=message.id)
    assert await HumanTask.exists(dedupe_key=f"outbox:{message.id}:phone_call")


async def test_without_consent_the_official_account_carries_the_message(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    person = await make_person("gina", oa_openid="o-oa-gina")
    message = await survey_for(person)
    report = await Dispatcher(connector=connector, oa_connector=connector).run_until_idle()
    assert report.results == {"sent": 1}
    [request] = delivered(fake_wechat, TEMPLATE_SEND)
    assert request["json"]["touser"] == "o-oa-gina"
    assert request["json"]["miniprogram"]["pagepath"] == "pages/followup/survey?key=s1"
    row = await fresh(message)
    assert row.wechat_msgid is not None
    assert not row.consent_taken


async def test_bad_data_gives_up_keeping_the_reason_and_returns_the_consent(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    person = await make_person("hank")
    await grant(person.user, SURVEY_TPL)
    message = await survey_for(person)
    fake_wechat.state.fail(errcode=47003, count=1, path=SEND)
    assert (await dispatch(connector)).results == {"failed": 1}
    row = await fresh(message)
    assert (row.status, row.last_errcode) == (OutboxStatus.FAILED, 47003)
    assert "模板参数不符合要求" in row.last_error
    assert await remaining(person.user.id, SURVEY_TPL) == 1  # WeChat did not use it
    assert not row.consent_taken
    assert await HumanTask.exists(dedupe_key=f"outbox:{message.id}:phone_call")
    assert await dispatch(connector) == dispatch_module.DispatchReport()  # never retried


async def test_a_timeout_is_retried_and_the_message_reaches_wechat_once(
    fake_wechat: FakeWeChat, at: Any
) -> None:
    quick = WeChatConnector(
        WeChatConfig(
            api_base=fake_wechat.url,
            appid=fake_wechat.state.appid,
            secret=fake_wechat.state.secret,
            timeout=0.3,
        )
    )
    try:
        at(MORNING)
        user = await make_user(openid="o-ivy")
        await grant(user)
        message = await notice_for(user)
        fake_wechat.state.fail(delay=1.0, count=1, path=SEND)
        assert (await dispatch(quick)).results == {"retry": 1}
        row = await fresh(message)
        assert row.last_errcode == -902  # the connector's pseudo errcode for a timeout
        await asyncio.sleep(0.8)  # let the stand-in notice the client went away
        at("2026-12-07 11:00")
        assert (await dispatch(quick)).results == {"sent": 1}
    finally:
        await quick.close()
    assert [s["touser"] for s in fake_wechat.state.sent] == ["o-ivy"]


async def test_a_message_that_keeps_failing_ends_in_the_inbox_and_a_call(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    person = await make_person("jack")
    await grant(person.user, SURVEY_TPL)
    message = await survey_for(person)
    assert max_attempts() == 8  # OUTBOX_MAX_ATTEMPTS' default
    fake_wechat.state.fail(errcode=-1, count=8, path=SEND)
    for day in range(8):
        at(f"2026-12-{7 + day:02d} 10:00")  # each retry is due within a day
        await dispatch(connector)
    row = await fresh(message)
    assert (row.status, row.attempts) == (OutboxStatus.FALLBACK, 8)
    assert row.last_error.startswith("重试8次仍未成功")
    assert await HumanTask.exists(dedupe_key=f"outbox:{message.id}:phone_call")
    assert len(sends(fake_wechat)) == 8


async def test_the_configured_number_of_attempts_decides_when_a_message_falls_back(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(outbox_max_attempts=2)
    at(MORNING)
    user = await make_user(openid="o-jill")
    await grant(user)
    message = await notice_for(user)
    fake_wechat.state.fail(errcode=-1, count=5, path=SEND)
    assert (await dispatch(connector)).results == {"retry": 1}
    at("2026-12-08 10:00")
    assert (await dispatch(connector)).results == {"fallback": 1}
    row = await fresh(message)
    assert (row.status, row.attempts) == (OutboxStatus.FALLBACK, 2)
    assert row.last_error.startswith("重试2次仍未成功")
    assert len(sends(fake_wechat)) == 2


async def test_quiet_hours_hold_pushes_but_not_the_inbox(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at("2026-12-07 21:30")
    assert in_quiet_hours(clock.now())
    user = await make_user(openid="o-kate")
    await grant(user)
    push = await notice_for(user, key="push")
    note = await notice_for(user, key="inbox", channel=Channel.INBOX)
    assert (await dispatch(connector)).results == {"sent": 1}
    assert (await fresh(note)).status is OutboxStatus.SENT
    assert (await fresh(push)).status is OutboxStatus.PENDING
    at("2026-12-08 07:59")
    assert (await dispatch(connector)).claimed == 0
    at("2026-12-08 08:00")
    assert (await dispatch(connector)).results == {"sent": 1}
    assert len(delivered(fake_wechat)) == 1


async def test_the_daily_cap_defers_the_rest_to_the_next_morning(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any, use_settings: Any
) -> None:
    use_settings(notify_daily_cap=2)
    at(MORNING)
    user = await make_user(openid="o-leo")
    await grant(user, times=3)
    messages = [await notice_for(user, key=f"k{n}") for n in range(3)]
    assert (await dispatch(connector)).results == {"sent": 2, "defer": 1}
    late = await fresh(messages[2])
    assert (late.status, late.attempts) == (OutboxStatus.PENDING, 0)
    assert clock.local(late.next_attempt_at).date() == clock.today() + timedelta(days=1)
    assert clock.local(late.next_attempt_at).hour == 8
    assert await PushDayCount.get(user_id=user.id).values_list("count", flat=True) == 2
    at("2026-12-08 09:00")
    assert (await dispatch(connector)).results == {"sent": 1}
    assert len(delivered(fake_wechat)) == 3


async def test_long_texts_are_shortened_to_the_field_limits_but_kept_whole_in_the_inbox(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-mia")
    await grant(user)
    subject = "福州市鼓楼区二〇二六年第十二期求职能力实训学员班结业典礼暨现场招聘对接会"
    await notice_for(user, subject=subject)
    assert (await dispatch(connector)).results == {"sent": 1}
    [request] = delivered(fake_wechat)
    value = request["json"]["data"]["thing1"]["value"]
    assert len(value) == 20 and value.endswith("…")
    inbox = await InboxMessage.get(user_id=user.id)
    assert subject in inbox.body


async def test_a_worker_killed_between_claim_and_send_is_replaced_after_the_lease(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-ned")
    await grant(user)
    message = await notice_for(user)
    now = clock.now()
    [claimed] = await claim_batch(
        claim="dead-worker:1", now=now, limit=10, channels=[Channel.SUBSCRIBE]
    )
    assert claimed.id == message.id  # …and the worker dies here, before sending
    assert (await dispatch(connector)).claimed == 0  # the lease still holds
    at("2026-12-07 10:03")  # the lease (2 minutes) has expired
    assert clock.now() > now + lease()
    assert (await dispatch(connector)).results == {"sent": 1}
    # a late word from the dead worker changes nothing
    dead = Attempt(claimed, "dead-worker:1", connector, None)
    assert await record_outcome(dead, Outcome(Result.FAILED, reason="late")) is Result.LOST
    row = await fresh(message)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(delivered(fake_wechat)) == 1
    assert await remaining(user.id) == 0


async def test_a_consent_taken_before_a_crash_is_not_taken_again(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-olga")
    await grant(user)  # exactly one consent
    message = await notice_for(user)
    [claimed] = await claim_batch(
        claim="dead-worker:2", now=clock.now(), limit=1, channels=[Channel.SUBSCRIBE]
    )
    from backend.notifications.consent import reserve_consent

    assert await reserve_consent(message=claimed, claim="dead-worker:2", template_id=NOTICE_TPL)
    assert await remaining(user.id) == 0  # …and the worker dies before sending
    at("2026-12-07 10:05")
    assert (await dispatch(connector)).results == {"sent": 1}
    assert (await fresh(message)).consent_taken
    assert len(delivered(fake_wechat)) == 1


async def test_a_resend_after_a_crash_that_meets_43101_is_delivered_not_confirmed(
    client: Client, connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    person = await make_person("quinn")
    await grant(person.user, SURVEY_TPL)  # one consent: the dead worker's send uses it
    message = await survey_for(person)
    [claimed] = await claim_batch(
        claim="dead-worker:3", now=clock.now(), limit=1, channels=[Channel.SUBSCRIBE]
    )
    from backend.notifications.consent import reserve_consent

    assert await reserve_consent(message=claimed, claim="dead-worker:3", template_id=SURVEY_TPL)
    await connector.send_subscribe(person.openid, SURVEY_TPL, {"thing1": "就业情况回访"})
    # …the worker dies before recording; WeChat now refuses: that consent is spent
    fake_wechat.state.refuse(person.openid)
    at("2026-12-07 10:05")
    assert (await dispatch(connector)).results == {"unconfirmed": 1}
    row = await fresh(message)
    assert (row.status, row.delivery_status, row.last_errcode) == (
        OutboxStatus.SENT,
        "unconfirmed",
        43101,
    )
    assert "送达未确认" in row.last_error
    assert not await HumanTask.exists()  # no needless phone call
    events = await ConsentEvent.filter(outbox_id=message.id).values_list("event", flat=True)
    assert list(events) == ["used"]  # not a refusal: the ledger is left as it was
    response = await client.get("/api/v1/me/inbox", headers=person.headers)
    assert response.json["unread"] == 1


async def test_a_refusal_of_a_message_no_worker_sent_before_still_falls_back(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    person = await make_person("rita")
    await grant(person.user, SURVEY_TPL)
    message = await survey_for(person)
    [claimed] = await claim_batch(
        claim="dead-worker:4", now=clock.now(), limit=1, channels=[Channel.SUBSCRIBE]
    )
    assert claimed.id == message.id  # …died before taking the consent: nothing was sent
    fake_wechat.state.refuse(person.openid)
    at("2026-12-07 10:05")
    assert (await dispatch(connector)).results == {"fallback": 1}
    assert await HumanTask.filter(kind=TaskKind.PHONE_CALL).count() == 1


async def test_a_stopping_dispatcher_finishes_its_batch_and_claims_nothing_more(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    users = [await make_user(openid=f"o-stop{n}") for n in range(3)]
    for user in users:
        await grant(user)
        await notice_for(user)
    fake_wechat.state.fail(delay=0.3, count=3, path=SEND)
    dispatcher = Dispatcher(connector=connector, batch_size=2)
    running = asyncio.create_task(dispatcher.run_until_idle())
    await asyncio.sleep(0.15)  # the first batch of two is being sent
    dispatcher.stop()
    assert await dispatcher.drain(5.0)
    report = await running
    assert report.results == {"sent": 2}
    assert await dispatcher.release() == 0
    assert await OutboxMessage.filter(status=OutboxStatus.PENDING).count() == 1


async def test_a_cancelled_batch_is_released_for_the_next_worker(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-pat")
    await grant(user)
    message = await notice_for(user)
    fake_wechat.state.fail(delay=1.0, count=1, path=SEND)
    running = asyncio.create_task(Dispatcher(connector=connector).run_once())
    await asyncio.sleep(0.2)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    row = await fresh(message)
    assert (row.status, row.attempts, row.claimed_by) == (OutboxStatus.PENDING, 0, "")


async def test_a_message_for_someone_without_wechat_asks_a_person(
    connector: WeChatConnector, at: Any
) -> None:
    at(MORNING)
    person = await make_person("quinn")
    message = await survey_for(person)
    await OutboxMessage.filter(id=message.id).update(user_id=None)
    assert (await dispatch(connector)).results == {"fallback": 1}
    task = await HumanTask.get(dedupe_key=f"outbox:{message.id}:phone_call")
    assert task.trainee_id == person.trainee.id


async def test_the_inbox_lists_newest_first_and_marks_read(
    client: Client, connector: WeChatConnector, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-ruth")
    await notice_for(user, key="one", subject="第一条", channel=Channel.INBOX)
    at("2026-12-07 10:05")
    await notice_for(user, key="two", subject="第二条", channel=Channel.INBOX)
    await dispatch(connector)
    response = await client.get("/api/v1/me/inbox?limit=1", headers=auth(user))
    assert (response.json["total"], response.json["unread"]) == (2, 2)
    [newest] = response.json["items"]
    assert "第二条" in newest["body"]
    response = await client.post(f"/api/v1/me/inbox/{newest['id']}/read", headers=auth(user))
    assert response.status == 200 and response.json["read_at"]
    response = await client.get("/api/v1/me/inbox?unread_only=true", headers=auth(user))
    assert response.json["unread"] == 1 and "第一条" in response.json["items"][0]["body"]
    other = await make_user(openid="o-sam")
    response = await client.post(f"/api/v1/me/inbox/{newest['id']}/read", headers=auth(other))
    assert response.status == 404
