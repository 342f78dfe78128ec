"""`jobready serve` and `jobready worker` as real processes: when the port opens, what a stalled
body gets, how SIGINT/SIGTERM stop them in time and give back claimed outbox work."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from backend.config import Settings
from backend.notifications.models import OutboxMessage, OutboxStatus
from miniprogram_api.standins.wechat import FakeWeChat
from tests.followups.support import SEND, grant, make_person, notice_for
from tests.support.process import (
    HEALTH,
    JobreadyProcess,
    first_healthy,
    get_status,
    interrupt_and_time,
)
from tests.support.server import free_port, free_port_block

# Each test starts `jobready serve`/`worker`/`demo` as processes and signals them.
pytestmark = pytest.mark.slow

STOP_LIMIT = 10.0  # SHUTDOWN_TIMEOUT's default: serve, worker and demo stop within it


def _env(settings: Settings, fake_wechat: FakeWeChat, **extra: str) -> dict[str, str]:
    return {
        "JOBREADY_DEV": "1",
        "DATABASE_URL": settings.database_url,
        "WECHAT_API_BASE": fake_wechat.url,
        "LOG_FORMAT": "text",
        "NOTIFY_QUIET_HOURS": "00:00-00:00",  # no quiet hours: the test may run at night
        "WECHAT_TIMEOUT": "30",  # a hanging send is still in flight when the stop comes
        **extra,
    }


async def test_serve_refuses_connections_until_it_answers_and_stops_on_sigint(
    settings: Settings, fake_wechat: FakeWeChat
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = JobreadyProcess(
        "serve", "--no-worker", "--port", str(port), env=_env(settings, fake_wechat)
    )
    try:
        before_ready: set[int | str] = set()
        while (status := await get_status(base + HEALTH, limit=1.0)) != 200:
            assert process.proc.poll() is None, process.output()[-3000:]
            assert time.monotonic() - process.started < 60, process.output()[-3000:]
            before_ready.add(status)
            await asyncio.sleep(0.05)
        # Until it can answer, a client is refused at once: never left waiting, never a 503.
        assert before_ready <= {"ClientConnectorError"}, before_ready
        for _ in range(10):
            assert await get_status(base + HEALTH, limit=1.0) == 200

        assert interrupt_and_time(process, limit=STOP_LIMIT) < STOP_LIMIT
        assert process.proc.returncode == 0, process.output()[-3000:]
        assert "Traceback" not in process.output()
    finally:
        process.stop()


async def test_a_request_body_that_never_completes_is_cut_at_request_timeout(
    settings: Settings, fake_wechat: FakeWeChat
) -> None:
    port = free_port()
    env = _env(settings, fake_wechat, REQUEST_TIMEOUT="1")
    process = JobreadyProcess("serve", "--no-worker", "--port", str(port), env=env)
    try:
        await first_healthy(f"http://127.0.0.1:{port}", process, limit=60)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /api/v1/auth/wx-login HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            b'{"code": "te'
        )
        await writer.drain()
        sent = time.monotonic()
        answer = await asyncio.wait_for(reader.read(4096), 10)
        waited = time.monotonic() - sent
        writer.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert b"REQUEST_TIMEOUT" in answer
        assert 0.9 < waited < 5, waited  # REQUEST_TIMEOUT=1, not RESPONSE_TIMEOUT (30)
    finally:
        process.stop()


async def _claimed_send(fake_wechat: FakeWeChat) -> OutboxMessage:
    """A notice due now whose send to WeChat will hang (the stand-in delays it 60 s)."""
    person = await make_person("lifecycle")
    await grant(person.user)
    message = await notice_for(person.user)
    fake_wechat.state.fail(delay=60, path=SEND, count=5)
    return message


async def _until_claimed(message: OutboxMessage, process: JobreadyProcess, limit: float) -> None:
    started = time.monotonic()
    while (await OutboxMessage.get(id=message.id)).status is not OutboxStatus.SENDING:
        assert process.proc.poll() is None, process.output()[-3000:]
        assert time.monotonic() - started < limit, process.output()[-3000:]
        await asyncio.sleep(0.2)


async def _assert_released(message: OutboxMessage) -> None:
    after = await OutboxMessage.get(id=message.id)
    assert after.status is OutboxStatus.PENDING
    assert after.claimed_by == ""
    assert after.attempts == 0  # the attempt that never finished does not count


async def test_sigint_stops_serve_with_its_worker_in_time_and_gives_back_a_claimed_send(
    settings: Settings, fake_wechat: FakeWeChat
) -> None:
    message = await _claimed_send(fake_wechat)
    port = free_port()
    process = JobreadyProcess("serve", "--port", str(port), env=_env(settings, fake_wechat))
    try:
        await _until_claimed(message, process, limit=60)
        assert interrupt_and_time(process, limit=STOP_LIMIT) < STOP_LIMIT
        assert process.proc.returncode == 0, process.output()[-3000:]
        await _assert_released(message)
    finally:
        process.stop()


async def test_sigterm_stops_the_worker_in_time_and_gives_back_a_claimed_send(
    settings: Settings, fake_wechat: FakeWeChat
) -> None:
    message = await _claimed_send(fake_wechat)
    process = JobreadyProcess("worker", env=_env(settings, fake_wechat))
    try:
        await _until_claimed(message, process, limit=60)  # the outbox job runs every 10 s
        took = interrupt_and_time(process, sig=signal.SIGTERM, limit=STOP_LIMIT)
        assert took < STOP_LIMIT
        assert process.proc.returncode == 0, process.output()[-3000:]
        await _assert_released(message)
    finally:
        process.stop()


async def test_a_second_ctrl_c_exits_at_once(settings: Settings, fake_wechat: FakeWeChat) -> None:
    message = await _claimed_send(fake_wechat)
    port = free_port()
    process = JobreadyProcess("serve", "--port", str(port), env=_env(settings, fake_wechat))
    try:
        await _until_claimed(message, process, limit=60)
        process.signal(signal.SIGINT)  # the graceful stop waits for the hanging send…
        await asyncio.sleep(0.5)
        assert process.proc.poll() is None
        took = interrupt_and_time(process, limit=2.0)  # …a second Ctrl-C does not
        assert took < 1.0
        assert process.proc.returncode == 130
    finally:
        process.stop()


async def test_the_recruitment_simulator_takes_the_documented_seed_and_churn_options() -> None:
    port = free_port()
    process = JobreadyProcess(
        "recruitment-sim",
        "--port",
        str(port),
        "--postings",
        "50",
        "--seed",
        "11",
        "--churn-seconds",
        "0.5",
        env={},
    )
    try:
        url = f"http://127.0.0.1:{port}/_sim/state"
        started = time.monotonic()
        while await get_status(url) != 200:
            assert time.monotonic() - started < 60, process.output()[-3000:]
            await asyncio.sleep(0.2)
        async with aiohttp.ClientSession() as http:
            first = await (await http.get(url)).json()
            assert (first["seed"], first["postings"]) == (11, 50)
            await asyncio.sleep(1.5)  # the market changes every half second
            later = await (await http.get(url)).json()
        assert later["postings"] > 50 and later["edited"] > 0 and later["removed"] > 0
        took = interrupt_and_time(process, sig=signal.SIGTERM, limit=STOP_LIMIT)
        assert took < STOP_LIMIT
    finally:
        process.stop()


async def test_the_demo_says_it_is_ready_only_once_it_answers_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    port = free_port_block(4)  # the demo binds port + 1 … + 3 for its stand-ins
    process = JobreadyProcess("demo", "--port", str(port), env={}, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        while "JobReady demo is ready at" not in process.output():
            assert process.proc.poll() is None, process.output()[-3000:]
            assert time.monotonic() - process.started < 300, process.output()[-3000:]
            await asyncio.sleep(0.1)
        assert await get_status(base + HEALTH, limit=1.0) == 200  # ready means answering
        banner = process.output()
        assert f"curl {base}/api/v1/health" in banner
        assert "check-ins await the class teacher" in banner
        assert f"{base}/display/sessions/" in banner
        assert "jobready sync-jobs" in banner and "DATABASE_URL=sqlite://" in banner
        assert interrupt_and_time(process, limit=STOP_LIMIT) < STOP_LIMIT
        assert process.proc.returncode == 0, process.output()[-3000:]
    finally:
        process.stop()
