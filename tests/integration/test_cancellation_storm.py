"""Clients that give up never leave the database locked.

A real `jobready serve` process is hit, from the moment it is launched, by requests that
their clients abandon after 50-300 ms: health probes and logins (reads, writes in a
transaction, a call to the WeChat stand-in). On SQLite a cancelled first call once kept the
connection's lock forever (tortoise-orm #1655, aiosqlite #389): every later query hung.
Afterwards the API must answer /api/v1/health with 200 within a second, and still write.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time

import aiohttp
import pytest

from backend.config import Settings
from miniprogram_api.standins.wechat import FakeWeChat
from tests.support.process import HEALTH, JobreadyProcess, get_status
from tests.support.server import free_port

# Starts `jobready serve` as a process and storms it while it starts.
pytestmark = pytest.mark.slow

STORM_AFTER_READY = 3.0  # seconds of abandoned requests once the API answers
START_LIMIT = 60.0  # the storm during start-up lasts until the API answers (or this)
_codes = itertools.count(1)


def _client_ip(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"10.13.{n // 250 % 250}.{n % 250 + 1}"}


async def _abandoned(http: aiohttp.ClientSession, base: str, rng: random.Random) -> str:
    """One request given up after 50-300 ms; what happened to it."""
    if rng.random() < 0.5:
        call = http.get(base + HEALTH)
    else:
        n = next(_codes)
        call = http.post(
            base + "/api/v1/auth/wx-login",
            json={"code": f"test-storm{n}"},
            headers=_client_ip(n),  # one client per login: the per-IP login limit stays out
        )

    async def send() -> int:
        async with call as response:
            await response.read()
            return response.status

    try:
        return str(await asyncio.wait_for(send(), rng.uniform(0.05, 0.3)))
    except TimeoutError:
        return "abandoned"
    except (aiohttp.ClientError, OSError) as exc:
        return type(exc).__name__


async def _storm(base: str, process: JobreadyProcess) -> dict[str, int]:
    """Waves of abandoned requests from launch until STORM_AFTER_READY s after the first 200."""
    rng = random.Random(13)
    outcomes: dict[str, int] = {}
    ready_at: float | None = None
    connector = aiohttp.TCPConnector(force_close=True, limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        while True:
            now = time.monotonic()
            if ready_at is not None and now - ready_at > STORM_AFTER_READY:
                break
            assert now - process.started < START_LIMIT, process.output()[-3000:]
            assert process.proc.poll() is None, process.output()[-3000:]
            wave = await asyncio.gather(*(_abandoned(http, base, rng) for _ in range(20)))
            for outcome in wave:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if ready_at is None and await get_status(base + HEALTH, limit=0.3) == 200:
                ready_at = time.monotonic()
            await asyncio.sleep(rng.uniform(0.0, 0.05))
    return outcomes


async def test_requests_abandoned_during_start_up_and_mid_flight_leave_the_api_healthy(
    settings: Settings, fake_wechat: FakeWeChat
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "JOBREADY_DEV": "1",
        "DATABASE_URL": settings.database_url,
        "WECHAT_API_BASE": fake_wechat.url,
        "LOG_FORMAT": "text",
        "PROXIES_COUNT": "1",
    }
    process = JobreadyProcess("serve", "--no-worker", "--port", str(port), env=env)
    try:
        outcomes = await _storm(base, process)
        assert outcomes.get("abandoned", 0) > 20, outcomes  # the storm did abandon requests

        started = time.monotonic()
        assert await get_status(base + HEALTH, limit=1.0) == 200, process.output()[-3000:]
        assert time.monotonic() - started < 1.0

        # Writes still go through: a login creates a user in a transaction.
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            login = await http.post(
                base + "/api/v1/auth/wx-login", json={"code": "test-after"}, headers=_client_ip(0)
            )
            assert login.status == 200, await login.text()
        assert "unhandled error" not in process.output()
    finally:
        process.stop()
