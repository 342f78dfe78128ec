"""Two workers at once, on PostgreSQL (SQLite has no row locks): rows are claimed, not assumed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from backend import clock
from backend.classes.models import ClassStatus, ClassStatusChange
from backend.followups.models import FollowupMilestone
from backend.followups.service import queue_due_invitations, start_due_followups
from backend.integrations.wechat import WeChatConfig, WeChatConnector
from backend.notifications.dispatch import Dispatcher, claim_batch
from backend.notifications.models import Channel, OutboxMessage, OutboxStatus
from miniprogram_api.standins.wechat import FakeWeChat
from tests.followups.support import (
    SEND,
    assert_log_matches_outbox,
    delivered,
    grant,
    make_world,
    notice_for,
)
from tests.support.factories import make_user

pytestmark = pytest.mark.postgres_only
MORNING = "2026-12-07 10:00"


@pytest.fixture
async def second_connector(fake_wechat: FakeWeChat) -> AsyncIterator[WeChatConnector]:
    """Another worker process's connector: its own HTTP session and token cache."""
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


async def test_two_workers_send_every_message_exactly_once(
    connector: WeChatConnector,
    second_connector: WeChatConnector,
    fake_wechat: FakeWeChat,
    at: Any,
) -> None:
    at(MORNING)
    for n in range(60):
        user = await make_user(openid=f"o-race{n}")
        await grant(user)
        await notice_for(user, key=f"race{n}")
    fake_wechat.state.fail(delay=0.01, count=1000, path=SEND)  # sends overlap in time
    first = Dispatcher(connector=connector, batch_size=8)
    second = Dispatcher(connector=second_connector, batch_size=8)
    one, two = await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    assert one.claimed > 0 and two.claimed > 0, "both workers must have taken part"
    assert one.claimed + two.claimed == 60
    assert one.results.get("sent", 0) + two.results.get("sent", 0) == 60
    assert len(delivered(fake_wechat)) == 60
    await assert_log_matches_outbox(fake_wechat)
    owners = await OutboxMessage.all().values_list("claimed_by", flat=True)
    assert {str(o).rsplit(":", 1)[0] for o in owners} == {first.worker_id, second.worker_id}
    assert await OutboxMessage.filter(status=OutboxStatus.SENT, attempts=1).count() == 60


async def test_a_claim_skips_rows_another_worker_holds_instead_of_waiting(
    settings: Any, at: Any
) -> None:
    at(MORNING)
    user = await make_user(openid="o-skip")
    ids = [(await notice_for(user, key=f"skip{n}")).id for n in range(10)]
    holding, done = asyncio.Event(), asyncio.Event()

    async def slow_worker() -> None:
        from tortoise.transactions import in_transaction

        async with in_transaction():
            await OutboxMessage.filter(id__in=ids[:5]).select_for_update()
            holding.set()
            await done.wait()

    task = asyncio.create_task(slow_worker())
    await holding.wait()
    started = time.perf_counter()
    claimed = await claim_batch(
        claim="fast:1", now=clock.now(), limit=10, channels=[Channel.SUBSCRIBE]
    )
    waited = time.perf_counter() - started
    done.set()
    await task
    assert [m.id for m in claimed] == ids[5:]
    assert waited < 1.0


async def test_two_workers_start_follow_up_and_queue_invitations_once(
    settings: Any, at: Any
) -> None:
    worlds = [await make_world(("a", "b"), district="350102") for _ in range(3)]
    for world in worlds:
        world.klass.status = ClassStatus.COMPLETED
        await world.klass.save()
    moved = await asyncio.gather(start_due_followups(chunk=1), start_due_followups(chunk=1))
    assert sum(moved) == 3
    changes = await ClassStatusChange.filter(to_status=ClassStatus.FOLLOWING_UP).count()
    assert changes == 3
    assert await FollowupMilestone.all().count() == 18
    at("2026-12-06 09:05")
    await asyncio.gather(queue_due_invitations(batch=2), queue_due_invitations(batch=2))
    assert await OutboxMessage.all().count() == 6
