"""Applications: recorded, queued in the outbox, delivered to the site exactly once.

Delivery is the outbox dispatcher's (Channel.RECRUITMENT, sent by `delivery.send_application`),
driven here as the worker's `dispatch_outbox` job drives it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend import clock
from backend.accounts.access import load_actor
from backend.employment.delivery import forward_application, send_application
from backend.employment.models import ApplicationStatus, JobApplication, JobPosting
from backend.employment.service import apply_to_job
from backend.employment.sync import sync_postings
from backend.integrations.recruitment import (
    RecruitmentConnector,
    RecruitmentError,
)
from backend.notifications.channels import HANDLERS
from backend.notifications.dispatch import Dispatcher, DispatchReport
from backend.notifications.models import (
    Channel,
    HumanTask,
    InboxMessage,
    OutboxMessage,
    OutboxStatus,
    PushDayCount,
)
from backend.runtime import use_runtime
from backend.security.models import AuditEntry
from miniprogram_api.standins.recruitment import RecruitmentSim
from tests.jobs_market.conftest import make_connector
from tests.jobs_market.test_jobs_api import PROFILE
from tests.support.client import Client
from tests.support.factories import auth, make_trainee, make_user


@pytest.fixture
async def market(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> RecruitmentSim:
    await sync_postings(connector=connector)
    return sim


@pytest.fixture
async def applicant(client: Client, market: RecruitmentSim) -> dict[str, str]:
    """A trainee with a profile, logged in."""
    user = await make_user()
    await make_trainee("林小雨", user=user, phone="13912345678")
    headers = auth(user)
    saved = await client.put("/api/v1/me/job-profile", json=PROFILE, headers=headers)
    assert saved.status == 200
    return headers


async def some_posting() -> JobPosting:
    posting = await JobPosting.filter(active=True).order_by("id").first()
    assert posting is not None
    return posting


def move_clock(by: timedelta) -> None:
    later = clock.now() + by
    clock.set_clock(lambda: later)


async def dispatch(**kwargs: Any) -> DispatchReport:
    """Run an outbox dispatcher until nothing is due (what the worker's dispatch_outbox does)."""
    return await Dispatcher(**kwargs).run_until_idle()


def sent(report: DispatchReport) -> int:
    return report.results.get("sent", 0)


async def test_an_application_is_recorded_and_queued_for_the_site_in_one_go(
    client: Client, applicant: dict[str, str]
) -> None:
    posting = await some_posting()
    response = await client.post(
        f"/api/v1/jobs/{posting.id}/apply", json={"message": "可随时到岗"}, headers=applicant
    )
    assert response.status == 201, response.text
    body = response.json
    assert body["status"] == "pending" and body["status_text"] == "投递中"
    message = await OutboxMessage.get(channel=Channel.RECRUITMENT)
    assert message.payload == {"application_id": body["id"]}
    assert message.status is OutboxStatus.PENDING


async def test_applying_twice_to_one_posting_is_refused_kindly(
    client: Client, applicant: dict[str, str]
) -> None:
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    again = await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    assert again.status == 409
    error = again.json["error"]
    assert error["code"] == "ALREADY_APPLIED"
    assert error["message"] == "您已投递过该岗位，无需重复投递，请留意用人单位的联系"
    assert await JobApplication.all().count() == 1
    assert await OutboxMessage.filter(channel=Channel.RECRUITMENT).count() == 1


async def test_a_closed_posting_cannot_be_applied_to(
    client: Client, applicant: dict[str, str]
) -> None:
    posting = await some_posting()
    await JobPosting.filter(id=posting.id).update(active=False)
    response = await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    assert response.status == 422 and response.json["error"]["code"] == "JOB_CLOSED"


async def test_an_application_reaches_the_site_exactly_once_although_the_first_forward_fails(
    client: Client, applicant: dict[str, str], market: RecruitmentSim
) -> None:
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    market.state.fail("applications", http_status=503, count=2)  # both tries of the call fail
    assert (await dispatch()).results == {"retry": 1}
    application = await JobApplication.get()
    assert application.status is ApplicationStatus.PENDING and "503" in application.last_error
    message = await OutboxMessage.get(channel=Channel.RECRUITMENT)
    assert message.status is OutboxStatus.PENDING and message.next_attempt_at > clock.now()
    assert "503" in message.last_error
    assert (await dispatch()).claimed == 0  # not due yet: backing off
    move_clock(timedelta(minutes=5))
    assert (await dispatch()).results == {"sent": 1}
    assert (await dispatch()).claimed == 0
    await message.refresh_from_db()
    await application.refresh_from_db()
    assert message.status is OutboxStatus.SENT and message.attempts == 2
    assert application.status is ApplicationStatus.DELIVERED
    assert len(market.state.applications) == 1
    received = market.state.applications[0]
    assert received["posting_id"] == posting.external_id
    assert received["applicant"]["name"] == "林小雨"
    assert received["applicant"]["phone"] == "13912345678"
    mine = (await client.get("/api/v1/me/applications", headers=applicant)).json["items"]
    assert [(a["status"], a["status_text"]) for a in mine] == [("delivered", "已投递至招聘网站")]


async def test_a_lost_acknowledgement_does_not_make_the_site_record_it_twice(
    client: Client, applicant: dict[str, str], market: RecruitmentSim
) -> None:
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    impatient = make_connector(market.url, timeout=0.3)
    market.state.fail("applications", delay=1.0, after=True)  # recorded, answered too late
    try:
        with use_runtime(recruitment=impatient):
            assert (await dispatch()).results == {"sent": 1}
    finally:
        await impatient.close()
    assert len(market.state.requests("applications")) == 2
    assert len(market.state.applications) == 1


async def test_reading_the_phone_number_for_the_site_is_audited(
    client: Client, applicant: dict[str, str]
) -> None:
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    await dispatch()
    entry = await AuditEntry.get(action="pii.delivered_to_recruitment_site")
    assert entry.details["posting"] == posting.external_id


async def test_a_posting_removed_on_the_site_fails_the_application_with_a_reason(
    client: Client, applicant: dict[str, str], market: RecruitmentSim
) -> None:
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    market.state.remove(posting.external_id)
    assert (await dispatch()).results == {"failed": 1}
    application = await JobApplication.get()
    assert application.status is ApplicationStatus.FAILED
    assert application.last_error == "岗位已下架，无法投递"
    message = await OutboxMessage.get(channel=Channel.RECRUITMENT)
    assert message.status is OutboxStatus.FAILED and message.attempts == 1
    assert message.last_error == "岗位已下架，无法投递"
    mine = (await client.get("/api/v1/me/applications", headers=applicant)).json["items"]
    assert mine[0]["status_text"] == "投递未成功" and mine[0]["last_error"]


async def test_a_failed_application_may_be_sent_again(
    client: Client, applicant: dict[str, str], market: RecruitmentSim
) -> None:
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    market.state.fail("applications", http_status=422, count=1)
    await dispatch()
    assert (await JobApplication.get()).status is ApplicationStatus.FAILED
    again = await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    assert again.status == 201 and again.json["status"] == "pending"
    assert (await dispatch()).results == {"sent": 1}
    assert (await JobApplication.get()).status is ApplicationStatus.DELIVERED
    assert len(market.state.applications) == 1


async def test_the_dispatcher_handler_classifies_failures(
    client: Client, applicant: dict[str, str], market: RecruitmentSim
) -> None:
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    message = await OutboxMessage.get(channel=Channel.RECRUITMENT)
    market.state.fail("applications", http_status=429, retry_after=120, count=1)
    with pytest.raises(RecruitmentError) as caught:
        await forward_application(message)
    assert caught.value.retryable and caught.value.retry_after == 120
    await forward_application(message)
    await forward_application(message)  # already delivered: nothing more is sent
    assert len(market.state.requests("applications")) == 2
    assert len(market.state.applications) == 1


async def test_the_detail_of_a_posting_shows_the_callers_application(
    client: Client, applicant: dict[str, str]
) -> None:
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    body = (await client.get(f"/api/v1/jobs/{posting.id}", headers=applicant)).json
    assert body["application"]["status"] == "pending"


@pytest.mark.postgres_only
async def test_two_dispatchers_at_once_deliver_each_application_once(
    client: Client, market: RecruitmentSim
) -> None:
    postings = await JobPosting.filter(active=True).order_by("id").limit(6)
    for n in range(6):
        user = await make_user()
        await make_trainee(user=user)
        actor = await load_actor(user.id)
        await client.put("/api/v1/me/job-profile", json=PROFILE, headers=auth(user))
        await apply_to_job(actor=actor, posting_id=postings[n].id)
    reports = await asyncio.gather(dispatch(batch_size=2), dispatch(batch_size=2))
    assert sum(map(sent, reports)) == 6 and sum(r.claimed for r in reports) == 6
    assert len(market.state.requests("applications")) == 6
    assert len(market.state.applications) == 6


async def test_an_application_still_undelivered_after_the_last_attempt_is_marked_failed(
    client: Client, applicant: dict[str, str], market: RecruitmentSim, use_settings: Any
) -> None:
    use_settings(outbox_max_attempts=3)  # as the dispatcher's: OUTBOX_MAX_ATTEMPTS
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    await OutboxMessage.filter(channel=Channel.RECRUITMENT).update(attempts=2)
    market.state.fail("applications", http_status=503, count=2)
    assert (await dispatch()).results == {"failed": 1}
    application = await JobApplication.get()
    assert application.status is ApplicationStatus.FAILED
    assert application.last_error.startswith("招聘网站长时间无法访问")
    message = await OutboxMessage.get(channel=Channel.RECRUITMENT)
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
    assert message.last_error == application.last_error
    assert not await HumanTask.exists()  # the trainee sees the reason; no phone call is opened


async def test_an_unexpected_error_on_the_last_attempt_fails_the_application_too(
    client: Client,
    applicant: dict[str, str],
    use_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_settings(outbox_max_attempts=3)
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    await OutboxMessage.filter(channel=Channel.RECRUITMENT).update(attempts=2)

    async def broken(message: OutboxMessage) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("backend.employment.delivery.forward_application", broken)
    await dispatch()
    application = await JobApplication.get()
    assert (application.status, application.last_error) == (
        ApplicationStatus.FAILED,
        "系统错误，投递未成功",
    )


def test_the_recruitment_channel_is_the_dispatchers_and_not_a_push() -> None:
    handler = HANDLERS[Channel.RECRUITMENT]
    assert handler.send is send_application and handler.push is False


async def test_the_sites_retry_after_holds_the_next_attempt_back(
    client: Client, applicant: dict[str, str], market: RecruitmentSim
) -> None:
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    market.state.fail("applications", http_status=429, retry_after=600, count=1)
    before = clock.now()
    assert (await dispatch()).results == {"retry": 1}
    message = await OutboxMessage.get(channel=Channel.RECRUITMENT)
    assert message.next_attempt_at >= before + timedelta(seconds=600)
    assert (await dispatch()).claimed == 0
    move_clock(timedelta(seconds=601))
    assert (await dispatch()).results == {"sent": 1}
    assert len(market.state.applications) == 1


def quiet_evening() -> datetime:
    """Today's (or tomorrow's) 23:00 in Shanghai: within the default quiet hours."""
    local = clock.local(clock.now())
    evening = local.replace(hour=23, minute=0, second=0, microsecond=0)
    return evening if evening > local else evening + timedelta(days=1)


async def test_applications_go_out_in_quiet_hours_and_beyond_the_daily_push_cap(
    client: Client, applicant: dict[str, str], market: RecruitmentSim, use_settings: Any
) -> None:
    use_settings(notify_daily_cap=1)
    posting = await some_posting()
    await client.post(f"/api/v1/jobs/{posting.id}/apply", json={}, headers=applicant)
    message = await OutboxMessage.get(channel=Channel.RECRUITMENT)
    assert message.user_id is not None
    evening = quiet_evening()
    clock.set_clock(lambda: evening.astimezone(UTC))
    capped = await PushDayCount.create(user_id=message.user_id, day=evening.date(), count=1)
    assert (await dispatch()).results == {"sent": 1}
    assert (await JobApplication.get()).status is ApplicationStatus.DELIVERED
    assert (await PushDayCount.get(id=capped.id)).count == 1  # not a push: nothing counted
    assert not await InboxMessage.exists() and not await HumanTask.exists()
