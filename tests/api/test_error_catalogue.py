"""Errors a front end can act on: the catalogue is current, and `details` is shaped per code."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from backend.config import Settings
from backend.runtime import use_runtime
from miniprogram_api.app import create_app
from miniprogram_api.error_catalogue import catalogue, render_catalogue
from tests.support.client import Client
from tests.support.contract import ERRORS_MD
from tests.support.server import serve_app


def test_docs_errors_md_is_generated_from_the_current_code() -> None:
    assert ERRORS_MD.read_text(encoding="utf-8") == render_catalogue(), (
        "docs/errors.md is stale: run `.venv/bin/python -m tests.support.contract`"
    )


def test_every_code_says_its_status_message_and_what_the_client_should_do() -> None:
    rows = {row["code"]: row for row in catalogue()}
    assert rows["TOKEN_EXPIRED"]["status"] == "401"
    assert "wx-login" in rows["TOKEN_EXPIRED"]["action"]
    assert rows["TOO_MANY_ATTEMPTS"]["status"] == "429"
    assert rows["CHECKIN_TOKEN_EXPIRED"]["message"] == "签到码已过期，请重新扫码"
    for code, row in rows.items():
        assert row["action"] and row["status"] and row["when"], code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in row["message"]), code


async def test_every_code_in_the_document_is_in_the_catalogue(client: Client) -> None:
    document = (await client.get("/api/v1/openapi.json")).json
    listed = {row["code"] for row in catalogue()}
    assert set(document["components"]["examples"]) <= listed


async def test_too_many_logins_answer_429_with_retry_after(client: Client) -> None:
    statuses = []
    for _ in range(31):  # the console's login tickets: 30 a minute per address
        response = await client.post("/api/v1/auth/web-login")
        statuses.append(response.status)
    assert 429 not in statuses[:30]
    error = response.json["error"]
    assert response.status == 429 and error["code"] == "TOO_MANY_ATTEMPTS"
    assert 0 < error["details"]["retry_after"] <= 60  # 30/minute: within the minute
    assert response.headers["retry-after"] == str(error["details"]["retry_after"])


async def _slow(request: Request) -> HTTPResponse:
    await asyncio.sleep(3)
    return json({})


@pytest.fixture(scope="module")
def slow_app(settings: Settings) -> Sanic:
    with use_runtime():  # create_app configures the process: the run's runtime is back after
        app = create_app(
            settings.replace(response_timeout=0.5, request_max_size=2048), manage_orm=False
        )
    app.add_route(_slow, "/api/v1/_probe/slow", methods=["GET", "POST"])
    return app


async def test_a_handler_that_times_out_answers_503_with_retry_after(slow_app: Sanic) -> None:
    async with serve_app(slow_app) as url, aiohttp.ClientSession() as http:
        async with http.get(f"{url}/api/v1/_probe/slow") as response:
            body = await response.json()
            headers = response.headers
        assert response.status == 503
        assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert body["error"]["details"] == {"retry_after": 5}
        assert headers["Retry-After"] == "5"
        async with http.post(f"{url}/api/v1/_probe/slow", data=b"x" * 4096) as response:
            body = await response.json()
        assert response.status == 413
        assert body["error"]["details"] == {"max_bytes": 2048}
