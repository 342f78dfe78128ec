"""A worker killed (SIGKILL) during dispatch: nothing is lost, at most the window is sent twice.

The outbox is at-least-once (docs/outbox.md): WeChat has no idempotency key, so a message the
dead worker sent but had not recorded is sent again by the worker that takes its rows over. The
dispatcher keeps that to its window, OUTBOX_CONCURRENCY messages. Counted against the stand-in's
log of accepted sends, on PostgreSQL with a real worker subprocess.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from backend import clock
from backend.accounts.models import User, WeChatIdentity
from backend.integrations.wechat import WeChatConnector
from backend.notifications.models import (
    Channel,
    ConsentResult,
    HumanTask,
    OutboxMessage,
    OutboxStatus,
    SubscriptionConsent,
)
from backend.notifications.templates import NOTICE, template
from miniprogram_api.standins.wechat import DEFAULT_APPID, FakeWeChat
from tests.followups.support import SEND, delivered, dispatch

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
MORNING = "2026-12-07 10:00"
AFTER_THE_LEASE = "2026-12-07 10:10"
MESSAGES = 1000
CONCURRENCY = 8
KILL_AFTER = 300  # accepted sends seen before the kill


async def seed(messages: int) -> set[str]:
    """Users with an openid and one consent each, one due notice each; returns the openids."""
    now, template_id = clock.now(), template(NOTICE).subscribe_id
    await User.bulk_create([User(display_name=f"崩溃{n}", created_at=now) for n in range(messages)])
    users = list(await User.filter(display_name__startswith="崩溃").values_list("id", flat=True))
    await WeChatIdentity.bulk_create(
        [
            WeChatIdentity(
                user_id=u, appid=DEFAULT_APPID, openid=f"o-crash{u}", created_at=now, updated_at=now
            )
            for u in users
        ]
    )
    await SubscriptionConsent.bulk_create(
        [
            SubscriptionConsent(
                user_id=u,
                template_id=template_id,
                remaining=1,
                last_result=ConsentResult.ACCEPT,
                updated_at=now,
            )
            for u in users
        ]
    )
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                dedupe_key=f"crash:{u}",
                channel=Channel.SUBSCRIBE,
                template_key=NOTICE,
                payload={
                    "data": {"thing1": "面试通知", "date2": "2026年12月8日", "thing3": "请准时"},
                    "page": f"pages/notice/index?u={u}",
                },
                user_id=u,
                next_attempt_at=now,
                created_at=now,
            )
            for u in users
        ]
    )
    return {f"o-crash{u}" for u in users}


async def run_and_kill(database_url: str, fake: FakeWeChat, at: str) -> int:
    """Start a worker process, SIGKILL it once the stand-in accepted KILL_AFTER sends."""
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.followups.crash_worker",
        "--database",
        database_url,
        "--wechat",
        fake.url,
        "--at",
        at,
        "--concurrency",
        str(CONCURRENCY),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert worker.stdout is not None
    assert (await asyncio.wait_for(worker.stdout.readline(), 60)) == b"ready\n"
    for _ in range(30_000):  # at most a minute
        if len(delivered(fake)) >= KILL_AFTER:
            break
        await asyncio.sleep(0.002)
    worker.kill()  # SIGKILL: no shutdown, no release, the batch in flight stays claimed
    await worker.wait()
    await asyncio.sleep(0.2)  # let the stand-in finish answering what was already on the wire
    return len(delivered(fake))


async def test_a_killed_worker_loses_nothing_and_resends_at_most_its_window(
    database_url: str, connector: WeChatConnector, fake_wechat: FakeWeChat, at: Any
) -> None:
    started = at(MORNING)
    openids = await seed(MESSAGES)
    before_kill = await run_and_kill(database_url, fake_wechat, started.isoformat())
    assert KILL_AFTER <= before_kill < MESSAGES, "the worker must die in the middle of its work"
    assert await OutboxMessage.filter(status=OutboxStatus.SENDING).exists()
    at(AFTER_THE_LEASE)  # the dead worker's lease has run out: another worker takes over
    await dispatch(connector, concurrency=CONCURRENCY)
    accepted = Counter(r["json"]["touser"] for r in delivered(fake_wechat, SEND))
    assert set(accepted) == openids  # none lost
    twice = sum(n - 1 for n in accepted.values())
    assert twice <= CONCURRENCY, f"{twice} messages sent twice, window {CONCURRENCY}"
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == MESSAGES
    assert not await HumanTask.exists()
