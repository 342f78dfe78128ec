"""The class of test_plan_to_closed.py, followed for who is told what and what each must do.

The same class (10 trainees, 21–27 December 2026, seven sessions) walks from draft to closed
under a controlled clock, over real HTTP, with the worker's jobs and the outbox dispatcher run
against the WeChat stand-in at each step. After each step the test reads, for every person:
the in-app inbox (every message lands there), the stand-in's log (the subscribe pushes, sent
only where a consent exists), and the work queue (`GET /api/v1/me/work-queue`) with its
working-day countdown (第十八条, 第二十四条). Nothing reaches anyone twice; people outside the
class's scope (HR of another district) hear nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from backend.accounts.models import Role, Trainee, User
from backend.attendance.models import Checkin, InstructorSignIn, Purpose
from backend.classes.models import ClassSession
from backend.classes.service import advance_due_classes
from backend.integrations.wechat import WeChatConfig, WeChatConnector
from backend.notifications.consent import record_consent
from backend.notifications.dispatch import Dispatcher
from backend.notifications.events import WORK_TODO
from backend.notifications.models import (
    ConsentResult,
    HumanTask,
    InboxMessage,
    OutboxMessage,
    TaskKind,
    TaskStatus,
)
from backend.notifications.templates import template
from backend.substitution.service import open_substitution_cases
from backend.workqueue import reminders
from miniprogram_api.standins.wechat import FakeWeChat
from tests.e2e.test_plan_to_closed import (
    NO_SHOW,
    Journey,
    _attend_day,
    _draft,
    _people,
    worker,
)
from tests.support.client import Client
from tests.support.factories import make_staff, make_user

EMPTY_QUEUE = {"items": [], "counts": {}, "total": 0, "limit": 0, "offset": 0}

SEND = "cgi-bin/message/subscribe/send"


@pytest.fixture
async def connector(fake_wechat: FakeWeChat) -> AsyncIterator[WeChatConnector]:
    made = WeChatConnector(
        WeChatConfig(
            api_base=fake_wechat.url,
            appid=fake_wechat.state.appid,
            secret=fake_wechat.state.secret,
            timeout=2.0,
        )
    )
    yield made
    await made.close()


@dataclass
class Post:
    """What each person received so far: inbox rows and pushes seen by the stand-in."""

    connector: WeChatConnector
    fake: FakeWeChat
    seen: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    pushes_seen: int = 0

    async def deliver(self) -> None:
        await Dispatcher(connector=self.connector).run_until_idle()

    async def new(self, user: User) -> list[str]:
        """Titles and subjects of the messages `user` got since the last look."""
        await self.deliver()
        rows = await InboxMessage.filter(user_id=user.id).order_by("id")
        fresh = rows[self.seen[user.id] :]
        self.seen[user.id] = len(rows)
        return [f"{r.title}：{r.body.splitlines()[0].split('：', 1)[1]}" for r in fresh]

    async def bodies(self, user: User) -> list[str]:
        rows = await InboxMessage.filter(user_id=user.id).order_by("id")
        return [r.body for r in rows]

    def new_pushes(self) -> list[tuple[str, str]]:
        """(openid, template id) of the subscribe messages WeChat accepted since the last look."""
        accepted = [r for r in self.fake.state.requests(SEND) if r["errcode"] == 0]
        fresh = accepted[self.pushes_seen :]
        self.pushes_seen = len(accepted)
        return [(r["json"]["touser"], r["json"]["template_id"]) for r in fresh]


async def queue(j: Journey, user: User) -> dict[str, Any]:
    return dict((await j.call("GET", "/me/work-queue", user)).json)


def kinds(q: dict[str, Any]) -> list[str]:
    return [i["kind"] for i in q["items"]]


def only(q: dict[str, Any], kind: str) -> dict[str, Any]:
    [item] = [i for i in q["items"] if i["kind"] == kind]
    return dict(item)


async def openid(user: User) -> str:
    from backend.accounts.models import WeChatIdentity

    return str((await WeChatIdentity.get(user_id=user.id)).openid)


async def test_each_step_from_plan_to_closed_tells_the_people_concerned_and_fills_their_queues(
    client: Client, connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    j = await _people(client)
    post = Post(connector, fake_wechat)
    city_hr = await make_staff(Role.HR_ADMIN)  # the whole city: hears of every district's plans
    elsewhere = await make_staff(Role.HR_ADMIN, district_code="350104")  # 仓山: not this class
    # District HR accepted the 待办提醒 subscribe popup a few times: its to-dos are pushed too.
    todo_tpl = template(WORK_TODO).subscribe_id
    for _ in range(5):
        await record_consent(user_id=j.hr.id, template_id=todo_tpl, result=ConsentResult.ACCEPT)

    # -- draft (1 December): 第十八条 10 working days before 21 December is 7 December
    at("2026-12-01 10:00")
    await _draft(j)
    q = await queue(j, j.admin)
    item = only(q, "plan_draft")
    assert (item["deadline"], item["days_left"], item["article"]) == ("2026-12-07", 4, "第十八条")
    assert item["link"] == f"/api/v1/classes/{j.class_id}" and q["counts"] == {"plan_draft": 1}
    assert await queue(j, j.hr) == EMPTY_QUEUE
    assert await reminders.remind_submission_deadlines() == 0  # 4 working days left: not yet
    # two trainees bind their WeChat: the first, and the one who will never come
    trainees = await Trainee.filter(id__in=j.trainee_ids).order_by("id")
    first, no_show = trainees[0], trainees[NO_SHOW]
    first_user, absent_user = await make_user("学员甲"), await make_user("学员乙")
    for trainee, user in ((first, first_user), (no_show, absent_user)):
        trainee.user_id = user.id
        await trainee.save()

    # the next morning 3 working days are left: the institution is reminded, once
    at("2026-12-02 09:00")
    assert await reminders.remind_submission_deadlines() == 1
    assert await reminders.remind_submission_deadlines() == 0
    assert await post.new(j.admin) == ["待办提醒：培训方案申报截止临近"]
    assert only(await queue(j, j.admin), "plan_draft")["days_left"] == 3

    # -- submitted: district and city HR are told, with the review deadline (16 December)
    at("2026-12-02 10:00")
    await j.call("POST", f"/classes/{j.class_id}/submit", j.admin)
    assert await post.new(j.hr) == ["待办提醒：培训方案待审核"]
    assert await post.new(city_hr) == ["待办提醒：培训方案待审核"]
    assert await post.new(elsewhere) == []
    assert post.new_pushes() == [(await openid(j.hr), todo_tpl)]  # only HR held a consent
    [body] = (await post.bodies(j.hr))[-1:]
    assert "请在2026-12-16前完成审核" in body
    assert await queue(j, j.admin) == EMPTY_QUEUE  # the draft item is done
    item = only(await queue(j, j.hr), "plan_review")
    assert (item["deadline"], item["days_left"]) == ("2026-12-16", 10)
    assert await queue(j, elsewhere) == EMPTY_QUEUE

    # -- approved (10 December): the institution, the class staff and instructors are told;
    # HR now owes the advance within 5 working days (第二十四条)
    at("2026-12-10 15:00")
    assert only(await queue(j, j.hr), "plan_review")["days_left"] == 4
    await j.call("POST", f"/classes/{j.class_id}/review", j.hr, {"decision": "approve"})
    for person in (j.admin, j.teacher, j.staff, j.lead_user):
        assert await post.new(person) == ["审核结果通知：培训方案审核通过"], person
    q = await queue(j, j.hr)
    assert kinds(q) == ["advance_payment"]
    assert (q["items"][0]["deadline"], q["items"][0]["days_left"]) == ("2026-12-17", 5)
    assert await reminders.remind_payments() == 1
    assert await reminders.remind_payments() == 0
    assert await post.new(j.hr) == ["待办提醒：预付款待拨付"]
    await j.pay(1)
    assert await queue(j, j.hr) == EMPTY_QUEUE

    # -- the evening before: at 18:00 the trainees who bound and the booked instructor
    at("2026-12-20 17:59")
    assert await reminders.remind_tomorrows_sessions() == 0
    at("2026-12-20 18:00")
    assert await reminders.remind_tomorrows_sessions() == 1
    assert await reminders.remind_tomorrows_sessions() == 0  # a second run sends nothing
    for person in (first_user, absent_user, j.lead_user):
        assert await post.new(person) == ["上课提醒：明日上课提醒"]
    assert await post.new(j.teacher) == []

    # -- in progress: the lead instructor must sign in to the first session
    at("2026-12-21 08:00")
    await worker()
    q = await queue(j, j.lead_user)
    assert (
        kinds(q) == ["session_sign_in"]
        and only(q, "session_sign_in")["object_id"] == (j.session_ids[0])
    )
    await InstructorSignIn.create(
        session_id=j.session_ids[0],
        instructor_id=j.lead.id,
        purpose=Purpose.IN,
        scanned_at=await _starts(j.session_ids[0]),
    )
    assert "session_sign_in" not in kinds(await queue(j, j.lead_user))

    # day 1: a scan waits for the class teacher; confirming it clears her queue
    at("2026-12-21 09:05")
    scan = await Checkin.create(
        session_id=j.session_ids[0],
        trainee_id=first.id,
        purpose=Purpose.IN,
        scanned_at=await _starts(j.session_ids[0]),
    )
    assert only(await queue(j, j.teacher), "pending_checkins")["count"] == 1
    await j.call("POST", f"/checkins/{scan.id}/confirm", j.teacher, {})
    assert "pending_checkins" not in kinds(await queue(j, j.teacher))
    at("2026-12-21 12:30")
    await _attend_day(j, 0)
    assert await reminders.warn_absences() == 0  # one absence of seven: 6/7 is still possible

    # day 2: the teacher marks a second absence, leaving at most 5 of 7 (< 80%): the warning
    # is recorded with the mark itself, once (the worker's sweep finds nothing left to say)
    at("2026-12-22 12:30")
    await _attend_day(j, 1)
    assert await reminders.warn_absences() == 0
    assert await post.new(absent_user) == ["出勤预警：出勤不足预警"]
    assert await post.new(j.teacher) == ["出勤预警：出勤不足预警"]
    assert await post.new(first_user) == []
    item = only(await queue(j, j.teacher), "absence_warning")
    assert item["object_id"] == no_show.id and "已缺勤2次" in item["title"]

    # 第十九条: on day 2 a trainee scanned in, but the booked instructor never signed in
    await Checkin.create(
        session_id=j.session_ids[1],
        trainee_id=first.id,
        purpose=Purpose.IN,
        scanned_at=await _starts(j.session_ids[1]),
    )
    assert await open_substitution_cases() == 1
    assert await open_substitution_cases() == 0
    assert await post.new(j.hr) == ["待办提醒：疑似私自代课待核实"]
    case = only(await queue(j, j.hr), "substitution_case")
    assert case["article"] == "第十九条"
    body = {"decision": "dismiss", "reason": "讲师本人到岗授课，签到时手机故障，有班主任证明"}
    await j.call("POST", f"/substitution-cases/{case['object_id']}/decision", j.hr, body)
    assert "substitution_case" not in kinds(await queue(j, j.hr))
    assert (await j.subsidy())["eligible"] is True

    for day in range(2, 4):
        at(f"2026-12-{21 + day} 12:30")
        await _attend_day(j, day)
    assert kinds(await queue(j, j.hr)) == ["tranche_payment"]  # half the sessions held
    await j.pay(2)
    for day in range(4, 7):
        at(f"2026-12-{21 + day} 12:30")
        await _attend_day(j, day)

    # -- completed: tranche 3 to pay; certificates go to those who completed
    assert await advance_due_classes() == 1
    assert await j.status() == "completed"
    assert kinds(await queue(j, j.hr)) == ["tranche_payment"]
    assert "absence_warning" not in kinds(await queue(j, j.teacher))  # the class is over
    await j.pay(3)
    for trainee_id in j.trainee_ids:
        await j.call(
            "POST",
            f"/classes/{j.class_id}/assessments",
            j.teacher,
            {"trainee_id": trainee_id, "score": "85"},
        )
    issued = (await j.call("POST", f"/classes/{j.class_id}/certificates", j.hr)).json
    assert issued["issued"] == 9 and len(issued["numbers"]) == 9
    assert await post.new(first_user) == ["证书通知：结业证书已颁发"]
    assert await post.new(absent_user) == []
    mine = (await j.call("GET", "/me/certificates", first_user)).json
    assert [c["number"] for c in mine["items"]] in ([n] for n in issued["numbers"])
    assert mine["items"][0]["authority"] == "福州市人力资源和社会保障局"

    # -- following up: a week before the +1 week milestone the lead instructor sees the calls
    await worker()
    assert await j.status() == "following_up"
    at("2026-12-28 10:00")
    item = only(await queue(j, j.lead_user), "followup_due")
    assert (item["deadline"], item["count"], item["days_left"]) == ("2027-01-03", 10, None)
    at("2027-01-03 10:00")
    await worker()
    await j.serve("phone_call", "2027-01-03T09:00:00")
    assert "followup_due" not in kinds(await queue(j, j.lead_user))
    at("2027-03-27 10:00")
    await worker()
    await j.serve("job_push", "2027-03-27T09:00:00")
    for trainee_id in j.trainee_ids:
        await j.employment(trainee_id, employed=True)
    at("2027-06-27 15:00")
    await worker()
    await j.serve("individual_guidance", "2027-06-27T14:00:00")
    lost = j.trainee_ids[:3]
    for trainee_id in lost:
        await j.employment(trainee_id, employed=False)

    # 第二十五条: home visits are the lead instructor's until logged
    at("2027-07-04 09:30")
    assert (await worker())["home_visits"] == 3
    q = await queue(j, j.lead_user)
    assert q["counts"] == {"home_visit": 3}
    await j.serve("home_visit", "2027-07-04T09:00:00", trainee_ids=lost)
    assert await queue(j, j.lead_user) == EMPTY_QUEUE
    at("2027-07-04 11:00")
    await j.employment(lost[0], employed=True)
    # 第二十三条: 8/10 claimed, but the last 10% waits for HR to verify the claims and spot-check
    # them: the claims are on HR's queue, the payment is not yet
    assert await reminders.remind_payments() == 0
    assert kinds(await queue(j, j.hr)) == ["employment_verification"]
    assert only(await queue(j, j.hr), "employment_verification")["count"] == 8
    check = {"decision": "verified", "methods": ["call_back", "insurance_record"]}
    for trainee_id in [t for t in j.trainee_ids if t not in lost[1:]]:
        path = f"/employment-outcomes/{j.records[trainee_id]}/verification"
        await j.call("POST", path, j.hr, check)
    drawn = (await j.call("POST", f"/classes/{j.class_id}/spot-check", j.hr)).json
    for item in drawn["items"]:
        body = {"result": "confirmed", "methods": ["call_back"]}
        await j.call("POST", f"/spot-check-items/{item['id']}/result", j.hr, body)
    assert await reminders.remind_payments() == 1  # the last 10%: 8/10 verified (第二十四条)
    assert await post.new(j.hr) == ["待办提醒：补贴款项待拨付"]
    assert kinds(await queue(j, j.hr)) == ["tranche_payment"]
    await j.pay(4)
    assert await queue(j, j.hr) == EMPTY_QUEUE

    # -- closed: nobody has anything left to do for this class
    at("2027-07-04 21:15")
    assert (await worker())["closed"] == 1
    for person in (j.hr, j.admin, j.teacher, j.staff, city_hr):
        assert await queue(j, person) == EMPTY_QUEUE, person
    # the lead instructor keeps one thing: calling the trainees whose survey invitations could
    # not be pushed (no consent) — the outbox's phone-call tasks, until each call is logged
    calls = await HumanTask.filter(
        kind=TaskKind.PHONE_CALL, status=TaskStatus.OPEN, assignee_id=j.lead.id
    ).count()
    assert calls > 0 and (await queue(j, j.lead_user))["counts"] == {"phone_call": calls}
    # every message went out once: one outbox row per (event, person), no push twice
    keys = await OutboxMessage.filter(dedupe_key__startswith="event:").values_list(
        "dedupe_key", flat=True
    )
    assert len(keys) == len(set(keys))
    # pushes went only where a consent was held (district HR's 待办提醒), each accepted once
    hr_openid = await openid(j.hr)
    assert {who for who, _ in post.new_pushes()} <= {hr_openid}
    accepted = [r for r in fake_wechat.state.requests(SEND) if r["errcode"] == 0]
    # submitted, advance due, substitution, last tranche: four to-dos, four of its five consents
    assert [r["json"]["touser"] for r in accepted] == [hr_openid] * 4
    assert await post.new(elsewhere) == []


async def _starts(session_id: int) -> Any:
    return (await ClassSession.get(id=session_id)).starts_at
