"""Building blocks of the follow-up tests: a finished class with people, and outbox helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from backend.accounts.models import Institution, Instructor, Role, Trainee, User, WeChatIdentity
from backend.classes.models import ClassStatus, StaffDuty, TrainingClass
from backend.config import Settings
from backend.integrations.wechat import WeChatConnector
from backend.notifications.consent import record_consent
from backend.notifications.dispatch import Dispatcher, DispatchReport
from backend.notifications.models import Channel, ConsentResult, OutboxMessage, OutboxStatus
from backend.notifications.outbox import enqueue
from backend.notifications.templates import FOLLOWUP_SURVEY, NOTICE, configured_templates
from miniprogram_api.standins.wechat import FakeWeChat
from tests.support.client import Client
from tests.support.factories import (
    add_staff,
    assign_instructor,
    auth,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_session,
    make_staff,
    make_trainee,
    make_user,
)

SEND = "cgi-bin/message/subscribe/send"
TEMPLATE_SEND = "cgi-bin/message/template/send"
STABLE = "cgi-bin/stable_token"
_BUILT_IN = configured_templates(Settings(dev=True))  # the ids the test run's settings keep
SURVEY_TPL = _BUILT_IN[FOLLOWUP_SURVEY].subscribe_id
NOTICE_TPL = _BUILT_IN[NOTICE].subscribe_id
START = date(2026, 11, 23)  # the class runs 23–29 November 2026 (ends on a Sunday)
LAST_SESSION = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)  # 09:00–12:00 in Shanghai


@dataclass
class Person:
    """A trainee with a WeChat login."""

    trainee: Trainee
    user: User
    openid: str

    @property
    def headers(self) -> dict[str, str]:
        """Headers of a request as this trainee."""
        return auth(self.user)


@dataclass
class World:
    """One institution, one class that ends on 2026-11-29, its staff, instructors and trainees."""

    inst: Institution
    klass: TrainingClass
    admin: User
    teacher: User
    hr: User
    lead: Instructor
    lead_user: User
    other: Instructor
    other_user: User
    people: list[Person] = field(default_factory=list)


async def make_person(tag: str, *, oa_openid: str | None = None) -> Person:
    """A trainee whose WeChat openid is o-<tag> (the stand-in's convention)."""
    user = await make_user(f"学员{tag}", openid=f"o-{tag}")
    if oa_openid:
        await WeChatIdentity.filter(user_id=user.id).update(oa_openid=oa_openid)
    trainee = await make_trainee(f"学员{tag}", user=user)
    return Person(trainee, user, f"o-{tag}")


async def make_world(
    tags: tuple[str, ...] = ("a", "b", "c"),
    *,
    status: ClassStatus = ClassStatus.IN_PROGRESS,
    district: str = "350102",
    title: str = "求职能力实训学员班（鼓楼第一期）",
) -> World:
    """A class in progress whose last session ends at noon on 2026-11-29."""
    inst = await make_institution(district)
    klass = await make_class(inst, start=START, status=status, title=title)
    await make_session(klass, starts_at=LAST_SESSION)
    admin = await make_staff(Role.INSTITUTION_ADMIN, institution=inst)
    teacher = await make_staff(Role.CLASS_TEACHER, institution=inst)
    await add_staff(klass, teacher, StaffDuty.CLASS_TEACHER)
    hr = await make_staff(Role.HR_ADMIN, district_code=district)
    lead, lead_user = await make_instructor()
    other, other_user = await make_instructor()
    assert lead_user is not None and other_user is not None
    link = await assign_instructor(klass, lead)
    link.is_lead = True
    await link.save()
    await assign_instructor(klass, other)
    world = World(inst, klass, admin, teacher, hr, lead, lead_user, other, other_user)
    for tag in tags:
        person = await make_person(f"{tag}{klass.id}")
        await enrol(klass, person.trainee)
        world.people.append(person)
    return world


async def consent(client: Client, person: Person, template_id: str = SURVEY_TPL) -> Any:
    """The trainee accepts one subscribe popup, through the API."""
    response = await client.post(
        "/api/v1/me/subscriptions",
        json={"results": {template_id: "accept"}},
        headers=person.headers,
    )
    assert response.status == 200, response.json
    return response.json


async def notice_for(
    user: User, *, key: str = "n1", subject: str = "面试通知", channel: Channel = Channel.SUBSCRIBE
) -> OutboxMessage:
    """One plain notice in the outbox for `user`, due now."""
    message = await enqueue(
        dedupe_key=f"test:{key}:{user.id}",
        channel=channel,
        template_key=NOTICE,
        payload={
            "data": {"thing1": subject, "date2": "2026年12月8日", "thing3": "请准时参加"},
            "page": f"pages/notice/index?key={key}",
        },
        user_id=user.id,
    )
    assert message is not None
    return message


async def survey_for(person: Person, *, key: str = "s1", class_id: int | None = None) -> Any:
    """One survey invitation in the outbox for a trainee (a phone task if it cannot be pushed)."""
    message = await enqueue(
        dedupe_key=f"test:{key}:{person.user.id}",
        channel=Channel.SUBSCRIBE,
        template_key=FOLLOWUP_SURVEY,
        payload={
            "data": {
                "thing1": "培训后1周就业情况回访",
                "thing2": "求职能力实训学员班",
                "date3": "2026年12月6日",
                "thing4": "请花1分钟填写就业情况问卷",
            },
            "page": f"pages/followup/survey?key={key}",
            "context": {"trainee_id": person.trainee.id, "class_id": class_id},
        },
        user_id=person.user.id,
    )
    assert message is not None
    return message


async def grant(user: User, template_id: str = NOTICE_TPL, times: int = 1) -> None:
    """One-time accepts recorded directly in the ledger."""
    for _ in range(times):
        await record_consent(user_id=user.id, template_id=template_id, result=ConsentResult.ACCEPT)


async def dispatch(connector: WeChatConnector, **kwargs: Any) -> DispatchReport:
    """Run a dispatcher until nothing is due."""
    return await Dispatcher(connector=connector, **kwargs).run_until_idle()


def sends(fake: FakeWeChat, path: str = SEND) -> list[dict[str, Any]]:
    """Requests of `path` the stand-in received."""
    return fake.state.requests(path)


def delivered(fake: FakeWeChat, path: str = SEND) -> list[dict[str, Any]]:
    """Requests of `path` the stand-in accepted (errcode 0)."""
    return [r for r in fake.state.requests(path) if r["errcode"] == 0]


async def assert_log_matches_outbox(fake: FakeWeChat) -> None:
    """Every accepted send is one `sent` outbox row and every `sent` push was accepted once."""
    accepted = delivered(fake, SEND) + delivered(fake, TEMPLATE_SEND)
    seen = [(r["json"]["touser"], _page(r["json"])) for r in accepted]
    assert len(seen) == len(set(seen)), f"a message reached WeChat twice: {seen}"
    sent = await OutboxMessage.filter(
        status=OutboxStatus.SENT, channel__in=[Channel.SUBSCRIBE, Channel.TEMPLATE]
    )
    pages = sorted(str(m.payload.get("page")) for m in sent)
    assert sorted(page for _, page in seen) == pages


def _page(body: dict[str, Any]) -> str:
    if "page" in body:
        return str(body["page"])
    return str((body.get("miniprogram") or {}).get("pagepath", ""))
