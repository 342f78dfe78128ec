"""Failures that are not bugs are not reported as bugs: a client that went away is
an INFO line, a response timeout or an unreachable database a 503 with Retry-After."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import asyncpg
import pytest
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from backend.config import Settings
from backend.runtime import use_runtime
from miniprogram_api.app import create_app
from tests.support.server import free_port, serve_app


async def _slow(request: Request) -> HTTPResponse:
    await asyncio.sleep(3)
    return json({"ok": True})


async def _database_down(request: Request) -> HTTPResponse:
    """A real connection attempt to a port where no PostgreSQL listens."""
    await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/test", timeout=2)
    return json({"ok": True})


@pytest.fixture(scope="module")
def probe_app(settings: Settings) -> Sanic:
    with use_runtime():  # create_app configures the process: the run's runtime is back after
        app = create_app(settings.replace(response_timeout=1.0), manage_orm=False)
    app.add_route(_slow, "/api/v1/_probe/slow")
    app.add_route(_database_down, "/api/v1/_probe/database-down")
    return app


async def test_a_client_that_disconnects_is_an_info_line_not_a_server_error(
    probe_app: Sanic, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with serve_app(probe_app) as url, aiohttp.ClientSession() as http:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(http.get(f"{url}/api/v1/_probe/slow"), 0.2)
        await asyncio.sleep(0.3)  # the server notices the closed connection
    disconnects = [r for r in caplog.records if r.getMessage() == "client disconnected"]
    assert [r.levelno for r in disconnects] == [logging.INFO]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    access = [r.getMessage() for r in caplog.records if r.name == "jobready.access"]
    assert all(" 500" not in line for line in access), access


async def test_a_response_timeout_is_503_with_retry_after(probe_app: Sanic) -> None:
    async with (
        serve_app(probe_app) as url,
        aiohttp.ClientSession() as http,
        http.get(f"{url}/api/v1/_probe/slow") as response,
    ):
        body = await response.json()
    assert response.status == 503
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert body["error"]["message"] == "服务繁忙，请稍后再试"
    assert response.headers["Retry-After"] == "5"


async def test_an_unreachable_database_is_503_with_retry_after_not_500(
    probe_app: Sanic, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        serve_app(probe_app) as url,
        aiohttp.ClientSession() as http,
        http.get(f"{url}/api/v1/_probe/database-down") as response,
    ):
        body = await response.json()
    assert response.status == 503
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert response.headers["Retry-After"] == "5"
    assert "unhandled error" not in caplog.text
