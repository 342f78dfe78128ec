"""Scale-out as compose.yaml runs it: 2 API processes and 2 workers on PostgreSQL + Redis, behind
nginx terminating TLS, all on loopback.

Shown over the wire: the proxy spreads check-ins over both API processes and each scan is
recorded once; two workers dispatching one outbox send every message exactly once; a rate
limit counted by one API process holds in the other (the counters live in Redis).
Throughput figures (1 vs 2 API processes) come from `python -m tests.benchmarks scaleout`.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections import Counter
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
import redis

from backend import clock
from backend.attendance.models import Checkin
from backend.notifications.consent import record_consent
from backend.notifications.models import ConsentResult, OutboxMessage, OutboxStatus
from backend.notifications.templates import NOTICE, template
from backend.ratelimit import POLICIES
from miniprogram_api.standins.wechat import FakeWeChat
from tests.attendance.support import make_classroom
from tests.followups.support import notice_for
from tests.support.client import Client
from tests.support.cluster import Cluster, client_tls, running_cluster
from tests.support.factories import auth, make_user

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

REDIS_URL = "redis://127.0.0.1:6379/9"  # this test's own Redis database, emptied first
TRAINEES, MESSAGES = 40, 80


def _cluster_env(database_url: str, fake_wechat: FakeWeChat) -> dict[str, str]:
    return {
        "JOBREADY_DEV": "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "WECHAT_API_BASE": fake_wechat.url,
        "NOTIFY_QUIET_HOURS": "00:00-00:00",  # whatever the hour of the run
        "LOG_LEVEL": "WARNING",
    }


async def _scan_all(cluster: Cluster, room: object, tls: ssl.SSLContext) -> list[int]:
    token = room.token(at=clock.now())  # type: ignore[attr-defined]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls)) as http:

        async def scan(user: object) -> int:
            async with http.post(
                f"{cluster.url}/api/v1/checkins", json={"token": token}, headers=auth(user)
            ) as response:
                await response.read()
                return response.status

        return await asyncio.gather(*(scan(user) for user in room.users))  # type: ignore[attr-defined]


async def _checkins_served(api_url: str) -> float:
    async with aiohttp.ClientSession() as http, http.get(f"{api_url}/metrics") as response:
        text = await response.text()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("jobready_http_responses_total{") and 'route="/api/v1/checkins"' in line
    )


async def _all_sent(seconds: float) -> int:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        unsent = await OutboxMessage.exclude(status=OutboxStatus.SENT).count()
        if not unsent or asyncio.get_running_loop().time() > deadline:
            return unsent
        await asyncio.sleep(0.5)


def _user_limit(action: str) -> int:
    return next(int(spec.split("/")[0]) for scope, spec in POLICIES[action] if scope == "user")


async def test_two_apis_and_two_workers_behind_nginx_share_the_work_and_the_limits(
    client: Client, database_url: str, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()
    room = await make_classroom(
        client, trainees=TRAINEES, starts_at=clock.now() + timedelta(minutes=5)
    )
    notice_id = template(NOTICE).subscribe_id
    for n in range(MESSAGES):
        user = await make_user(f"收件人{n}", openid=f"o-scale{n}")
        await record_consent(user_id=user.id, template_id=notice_id, result=ConsentResult.ACCEPT)
        await notice_for(user, key=f"scale{n}")
    fake_wechat.state.reset()
    env = _cluster_env(database_url, fake_wechat)
    with running_cluster(tmp_path, settings_env=env, apis=2, workers=2) as cluster:
        # Check-ins through TLS: every one recorded once, both processes took a share.
        statuses = await _scan_all(cluster, room, client_tls(cluster.tls_folder))
        assert Counter(statuses) == {201: TRAINEES} or set(statuses) <= {200, 201}, statuses
        assert await Checkin.filter(session_id=room.session.id).count() == TRAINEES
        shares = [await _checkins_served(url) for url in cluster.api_urls]
        assert sum(shares) == TRAINEES and min(shares) > 0, shares

        # Two workers, one outbox: each message sent once.
        assert await _all_sent(90) == 0
        sends = fake_wechat.state.requests("cgi-bin/message/subscribe/send")
        pages = Counter(json.dumps(r["json"], sort_keys=True) for r in sends)
        assert len(pages) == MESSAGES
        assert max(pages.values()) == 1, [p for p, n in pages.items() if n > 1][:3]

        # A per-user limit hit alternately on the two processes: counted once, in Redis.
        limit = _user_limit("redeem")
        redeemer = await make_user("兑换人")
        answers = []
        async with aiohttp.ClientSession() as http:
            for n in range(limit + 1):
                url = cluster.api_urls[n % 2]
                async with http.post(
                    f"{url}/api/v1/auth/redeem-invitation",
                    json={"code": "ABCD-EFGH-JKLM"},
                    headers=auth(redeemer),
                ) as response:
                    answers.append((response.status, response.headers.get("Retry-After")))
        assert all(status != 429 for status, _ in answers[:limit]), answers
        assert answers[limit][0] == 429, answers
