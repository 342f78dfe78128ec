"""One event → notification mechanism: one table of kinds, recipients from scope, sent once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from backend.accounts.models import WeChatIdentity
from backend.config import Settings, SettingsError
from backend.events import service as events_service
from backend.events.models import DomainEvent
from backend.events.service import EventKind, record_event
from backend.integrations.wechat import WeChatConnector
from backend.notifications.consent import record_consent
from backend.notifications.dispatch import Dispatcher
from backend.notifications.events import (
    EVENTS,
    RESOLVERS,
    WORK_TODO,
    check_event_template_keys,
    fan_out_event,
    fan_out_pending,
    render_text,
)
from backend.notifications.models import (
    Channel,
    ConsentResult,
    HumanTask,
    InboxMessage,
    OutboxMessage,
    OutboxStatus,
)
from backend.notifications.templates import template
from miniprogram_api.standins.wechat import FakeWeChat
from tests.support.client import Client
from tests.support.factories import auth
from tests.workqueue.support import make_place, messages_to, subjects


def test_every_event_kind_has_one_row_with_a_chinese_text_for_each_reader(
    settings: Settings,  # the templates are configured from the runtime's settings
) -> None:
    assert set(EVENTS) == set(EventKind)
    for kind, spec in EVENTS.items():
        assert spec.texts, kind
        assert set(spec.texts) <= set(RESOLVERS), kind
        assert template(spec.template_key).fields == template(WORK_TODO).fields
        for text in spec.texts.values():
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text), (kind, text)
        assert len(spec.subject) <= 20, kind  # WeChat's thing field


def test_a_text_reads_missing_values_as_empty() -> None:
    assert render_text("《{class_title}》{nothing}", {"class_title": "学员班"}) == "《学员班》"


async def _submit_event(place: Any) -> DomainEvent | None:
    klass = place.klass
    return await record_event(
        kind=EventKind.PLAN_SUBMITTED,
        dedupe_key=f"test:submitted:{klass.id}",
        class_id=klass.id,
        institution_id=klass.institution_id,
        district_code=klass.district_code,
        data={"class_title": klass.title, "deadline": "2026-12-16"},
    )


async def test_a_submitted_plan_reaches_district_and_city_hr_and_no_one_else(
    settings: Settings,
) -> None:
    # 第十八条: 人社部门应在计划开班前3个工作日内完成审核 — HR covering the class must know
    place = await make_place()
    await _submit_event(place)
    assert await subjects(place.hr) == ["培训方案待审核"]
    assert await subjects(place.city_hr) == ["培训方案待审核"]
    for nobody in (place.other_hr, place.admin, place.teacher, place.lead_user, *place.users):
        assert await subjects(nobody) == []
    [message] = await messages_to(place.hr)
    assert "请在2026-12-16前完成审核" in message.payload["data"]["thing2"]
    assert message.payload["context"]["class_id"] == place.klass.id


async def test_an_event_recorded_twice_is_one_event_with_one_message_each(
    settings: Settings,
) -> None:
    place = await make_place()
    assert await _submit_event(place) is not None
    assert await _submit_event(place) is None  # the same fact: the key exists
    event = await DomainEvent.get(kind=EventKind.PLAN_SUBMITTED.value)
    assert event.fanned_out_at is not None
    assert await fan_out_event(event) == 0  # a second fan-out writes nothing
    assert len(await messages_to(place.hr)) == 1


async def test_an_event_recorded_where_no_fan_out_ran_is_fanned_out_by_the_worker_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = await make_place()
    monkeypatch.setattr(events_service, "_fan_outs", [])
    event = await _submit_event(place)
    assert event is not None and event.fanned_out_at is None
    assert await messages_to(place.hr) == []
    assert await fan_out_pending() == 1
    assert await fan_out_pending() == 0
    assert await subjects(place.hr) == ["培训方案待审核"]


async def test_a_push_is_written_where_a_consent_exists_and_an_inbox_message_otherwise(
    settings: Settings,
) -> None:
    place = await make_place()
    todo = template(WORK_TODO).subscribe_id
    await record_consent(user_id=place.hr.id, template_id=todo, result=ConsentResult.ACCEPT)
    await WeChatIdentity.filter(user_id=place.city_hr.id).update(oa_openid="oa-city-hr")
    await _submit_event(place)
    [pushed] = await messages_to(place.hr)
    [inbox_only] = await messages_to(place.city_hr)
    # city HR follows the official account, but 待办提醒 has no official-account template
    assert (pushed.channel, inbox_only.channel) == (Channel.SUBSCRIBE, Channel.INBOX)


async def test_pushes_wait_out_the_quiet_hours_while_the_inbox_gets_its_copy_at_once(
    connector: WeChatConnector, fake_wechat: FakeWeChat, at: Callable[[str], Any]
) -> None:
    at("2026-12-07 22:30")  # NOTIFY_QUIET_HOURS 21:00-08:00
    place = await make_place()
    todo = template(WORK_TODO).subscribe_id
    await record_consent(user_id=place.hr.id, template_id=todo, result=ConsentResult.ACCEPT)
    await _submit_event(place)
    await Dispatcher(connector=connector).run_until_idle()
    assert await InboxMessage.filter(user_id=place.city_hr.id).count() == 1
    assert await InboxMessage.filter(user_id=place.hr.id).count() == 0
    assert fake_wechat.state.requests("cgi-bin/message/subscribe/send") == []
    at("2026-12-08 08:45")
    await Dispatcher(connector=connector).run_until_idle()
    [inbox] = await InboxMessage.filter(user_id=place.hr.id)
    assert inbox.title == "待办提醒" and "培训方案待审核" in inbox.body
    [sent] = fake_wechat.state.requests("cgi-bin/message/subscribe/send")
    assert sent["json"]["template_id"] == todo
    [row] = await messages_to(place.hr)
    assert row.status == OutboxStatus.SENT
    assert await HumanTask.all().count() == 0  # staff to-dos need no phone call


async def test_the_template_of_a_kind_is_a_setting(
    settings: Settings, use_settings: Callable[..., Settings]
) -> None:
    use_settings(event_template_keys="plan_submitted=work_result")
    place = await make_place()
    await _submit_event(place)
    [message] = await messages_to(place.hr)
    assert message.template_key == "work_result"


def test_a_template_setting_naming_an_unknown_kind_or_template_is_refused(
    settings: Settings,
) -> None:
    with pytest.raises(SettingsError, match="EVENT_TEMPLATE_KEYS"):
        check_event_template_keys(settings.replace(event_template_keys="plan_sent=work_todo"))
    with pytest.raises(SettingsError, match="not an event template"):
        check_event_template_keys(settings.replace(event_template_keys="plan_submitted=notice"))


async def test_the_recipient_reads_the_message_in_the_inbox_over_http(
    client: Client, connector: WeChatConnector, at: Callable[[str], Any]
) -> None:
    at("2026-12-07 10:00")
    place = await make_place()
    await _submit_event(place)
    await Dispatcher(connector=connector).run_until_idle()
    response = await client.get("/api/v1/me/inbox", headers=auth(place.hr))
    [item] = response.json["items"]
    assert item["title"] == "待办提醒" and "鼓楼第十二期学员班" in item["body"]
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 2  # HR and city HR


@pytest.mark.postgres_only
async def test_two_workers_fanning_out_pending_events_write_each_message_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = await make_place()
    monkeypatch.setattr(events_service, "_fan_outs", [])
    for n in range(6):
        await record_event(
            kind=EventKind.PLAN_SUBMITTED,
            dedupe_key=f"test:pending:{n}",
            class_id=place.klass.id,
            institution_id=place.inst.id,
            district_code="350102",
        )
    monkeypatch.setattr(events_service, "_fan_outs", [fan_out_event])
    done = await asyncio.gather(*(fan_out_pending(limit=2) for _ in range(3)))
    assert sum(done) == 6
    assert len(await messages_to(place.hr)) == 6 and len(await messages_to(place.city_hr)) == 6
    assert await DomainEvent.filter(fanned_out_at__isnull=True).count() == 0


def test_the_worker_schedules_every_reminder_job() -> None:
    from jobs.scheduler import build_scheduler

    names = {job.id for job in build_scheduler().get_jobs()}
    assert {
        "fan_out_events",
        "remind_tomorrows_sessions",
        "warn_absences",
        "remind_plan_deadlines",
        "remind_payments",
        "remind_overdue_followups",
        "open_substitution_cases",
    } <= names
