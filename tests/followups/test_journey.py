"""Six months of follow-up, end to end (第二十五条), over real HTTP against the WeChat stand-in.

The clock walks from the last day of the class to the home visits after the sixth month. The
worker's jobs run at each step; WeChat is busy, rejects a token, runs out of quota and is refused
by a trainee on the way. In the end every invitation was sent once or handed to a person, and
the stand-in's request log matches the outbox.
"""

from __future__ import annotations

from typing import Any

from backend.accounts.models import WeChatIdentity
from backend.classes.service import advance_due_classes
from backend.followups.service import assign_home_visits, queue_due_invitations, start_due_followups
from backend.integrations.wechat import WeChatConnector
from backend.notifications.dispatch import Dispatcher, DispatchReport
from backend.notifications.models import HumanTask, OutboxMessage, OutboxStatus, TaskKind
from miniprogram_api.standins.wechat import FakeWeChat
from tests.followups.support import (
    SEND,
    TEMPLATE_SEND,
    Person,
    assert_log_matches_outbox,
    consent,
    delivered,
    make_world,
    sends,
)
from tests.support.client import Client
from tests.support.factories import auth

UNEMPLOYED = {"employment_status": "unemployed", "satisfaction": 3, "help_needed": "想找客服岗位"}
EMPLOYED = {
    "employment_status": "employed",
    "employer": "福州某物流有限公司",
    "position": "仓储管理员",
    "start_date": "2027-02-01",
    "satisfaction": 5,
}


async def answer(client: Client, person: Person, stage: str, body: dict[str, Any]) -> None:
    """The trainee opens the follow-up page and answers the survey of `stage`."""
    response = await client.get("/api/v1/me/followups", headers=person.headers)
    [item] = [i for i in response.json["items"] if i["stage"] == stage]
    assert item["state"] == "open" and item["invited"]
    response = await client.post(
        f"/api/v1/followups/{item['id']}/survey", json=body, headers=person.headers
    )
    assert response.status == 201, response.json


async def test_six_months_of_follow_up_reach_every_trainee_once(
    client: Client, connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    world = await make_world(("amy", "bo", "cy"))
    amy, bo, cy = world.people
    await WeChatIdentity.filter(user_id=cy.user.id).update(oa_openid=f"o-oa-{cy.trainee.id}")
    dispatcher = Dispatcher(connector=connector, oa_connector=connector)
    lead = auth(world.lead_user)

    async def worker() -> DispatchReport:
        """One pass of the worker's jobs, in the order the scheduler runs them."""
        await advance_due_classes()
        await start_due_followups()
        await queue_due_invitations()
        await assign_home_visits()
        return await dispatcher.run_until_idle()

    async def service(person: Person, kind: str, when: str) -> None:
        response = await client.post(
            f"/api/v1/trainees/{person.trainee.id}/followup-services",
            json={"kind": kind, "served_at": when, "notes": "跟踪回访"},
            headers=lead,
        )
        assert response.status == 201, response.json

    # During the class: Amy accepts the survey popup three times, Bo once, Cy never (but Cy
    # follows the official account).
    at("2026-11-27 10:00")
    for _ in range(3):
        await consent(client, amy)
    await consent(client, bo)

    # The last session ends at noon; the night's run moves the class to follow-up.
    at("2026-11-29 22:00")
    assert (await worker()).claimed == 0
    response = await client.get(f"/api/v1/classes/{world.klass.id}", headers=auth(world.admin))
    assert response.json["status"] == "following_up"

    # +1 week: WeChat is busy (-1) for the first send; it goes out an hour later.
    at("2026-12-06 09:05")
    fake_wechat.state.fail(errcode=-1, count=1, path=SEND)
    assert (await worker()).results == {"retry": 1, "sent": 2}
    at("2026-12-06 10:05")
    assert (await worker()).results == {"sent": 1}
    assert {r["json"]["touser"] for r in delivered(fake_wechat)} == {amy.openid, bo.openid}
    assert [r["json"]["touser"] for r in delivered(fake_wechat, TEMPLATE_SEND)] == [
        f"o-oa-{cy.trainee.id}"
    ]
    await answer(client, amy, "week_1", UNEMPLOYED)
    await answer(client, bo, "week_1", UNEMPLOYED)
    for person in world.people:
        await service(person, "phone_call", "2026-12-06T10:00:00")

    # +3 months (29 Nov + 3 months = 28 Feb): the token is rejected once and refreshed; Bo has
    # no consent left, so Bo's invitation goes to the inbox and the lead instructor calls.
    at("2027-02-28 09:05")
    fake_wechat.state.fail(errcode=40001, count=1, path=SEND)
    assert (await worker()).results == {"sent": 2, "fallback": 1}
    assert [r["errcode"] for r in sends(fake_wechat)][-2:] == [40001, 0]
    call = await HumanTask.get(kind=TaskKind.PHONE_CALL, trainee_id=bo.trainee.id)
    assert call.assignee_id == world.lead.id
    await answer(client, amy, "month_3", UNEMPLOYED)
    await answer(client, bo, "month_3", EMPLOYED)  # Bo saw it in the inbox
    for person in world.people:
        await service(person, "job_push", "2027-02-28T09:00:00")

    # +6 months, in the evening: the quota is used up (45009); the retry waits for midnight,
    # then for the end of the quiet hours; by then Amy has switched the messages off (43101).
    at("2027-05-29 20:30")
    fake_wechat.state.fail(errcode=45009, count=1, path=SEND)
    assert (await worker()).results == {"retry": 1, "sent": 1, "fallback": 1}
    for person in world.people:  # the third service, within the six months
        await service(person, "individual_guidance", "2027-05-29T15:00:00")
    at("2027-05-30 00:30")
    assert (await worker()).claimed == 0  # quiet hours
    fake_wechat.state.refuse(amy.openid)
    at("2027-05-30 08:40")
    assert (await worker()).results == {"fallback": 1}
    await answer(client, amy, "month_6", UNEMPLOYED)  # from the inbox
    await answer(client, bo, "month_6", EMPLOYED)

    # A week later the silent Cy counts as not employed: two home visits, for the lead.
    at("2027-06-06 09:30")
    await worker()
    visits = await HumanTask.filter(kind=TaskKind.HOME_VISIT).order_by("trainee_id")
    assert [v.trainee_id for v in visits] == [amy.trainee.id, cy.trainee.id]
    assert {v.assignee_id for v in visits} == {world.lead.id}
    await service(amy, "home_visit", "2027-06-06T09:00:00")
    response = await client.post(
        f"/api/v1/tasks/{visits[1].id}/complete",
        json={"note": "已家访，推荐两场招聘会"},
        headers=lead,
    )
    assert response.status == 200

    summary = await client.get(
        f"/api/v1/classes/{world.klass.id}/followup-summary", headers=auth(world.hr)
    )
    assert summary.status == 200
    stages = {m["stage"]: m for m in summary.json["milestones"]}
    counts = {s: (m["queued"], m["sent"], m["fallback"], m["answered"]) for s, m in stages.items()}
    assert counts == {"week_1": (3, 3, 0, 2), "month_3": (3, 2, 1, 2), "month_6": (3, 1, 2, 2)}
    assert summary.json["employment"]["rate"] == "0.3333"  # Bo of three
    assert summary.json["services"]["compliant"] == 3
    assert summary.json["tasks"] == {"home_visit:done": 2, "phone_call:open": 3}

    # Nothing lost, nothing twice: nine invitations, each sent once or handed to a person.
    rows = await OutboxMessage.all().values_list("status", flat=True)
    assert sorted(rows) == sorted([OutboxStatus.SENT] * 6 + [OutboxStatus.FALLBACK] * 3)
    await assert_log_matches_outbox(fake_wechat)
    response = await client.get("/api/v1/me/inbox", headers=bo.headers)
    assert response.json["total"] == 3
