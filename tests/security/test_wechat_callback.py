"""Forged WeChat pushes — plaintext in safe mode, stale stamps, replays."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest
from sanic import Sanic

from backend import clock
from backend.runtime import runtime, use_runtime
from tests.followups.test_consent_and_callback import (
    CALLBACK,
    encrypted,
    popup_xml,
    signed_query,
)
from tests.support.client import Client

BODY = popup_xml("o-nobody", "tpl-survey", "accept").encode()


@pytest.fixture
def safe_mode(app: Sanic) -> Iterator[str]:
    key = base64.b64encode(os.urandom(32)).decode().rstrip("=")
    with use_runtime(runtime().settings.replace(wechat_push_aes_key=key)):
        yield key


async def test_with_an_encoding_aes_key_a_plaintext_push_is_refused(
    client: Client, app: Sanic, safe_mode: str
) -> None:
    response = await client.post(f"{CALLBACK}?{signed_query(runtime().settings)}", content=BODY)
    assert response.status == 403, response.text
    query, body = encrypted(app, safe_mode, BODY.decode())
    assert (await client.post(f"{CALLBACK}?{query}", content=body)).status == 200


async def test_an_encrypted_push_needs_its_msg_signature(
    client: Client, app: Sanic, safe_mode: str
) -> None:
    query, body = encrypted(app, safe_mode, BODY.decode())
    stripped = "&".join(p for p in query.split("&") if not p.startswith("msg_signature="))
    assert (await client.post(f"{CALLBACK}?{stripped}", content=body)).status == 403


async def test_a_push_stamped_more_than_five_minutes_ago_is_refused(
    client: Client, app: Sanic
) -> None:
    old = str(int(clock.now().timestamp()) - 301)
    query = signed_query(runtime().settings, ts=old, nonce="n-old")
    response = await client.post(f"{CALLBACK}?{query}", content=BODY)
    assert response.status == 403, response.text
    forged_2020 = signed_query(runtime().settings, ts="1577836800", nonce="n-2020")
    assert (await client.post(f"{CALLBACK}?{forged_2020}", content=BODY)).status == 403
    recent = str(int(clock.now().timestamp()) - 240)
    query = signed_query(runtime().settings, ts=recent, nonce="n-recent")
    assert (await client.post(f"{CALLBACK}?{query}", content=BODY)).status == 200


async def test_a_nonce_is_accepted_once_within_the_window(client: Client, app: Sanic) -> None:
    query = signed_query(runtime().settings)
    assert (await client.post(f"{CALLBACK}?{query}", content=BODY)).status == 200
    replay = await client.post(f"{CALLBACK}?{query}", content=BODY)
    assert replay.status == 403, replay.text


async def test_a_push_that_failed_to_apply_is_accepted_when_wechat_retries_it(
    client: Client, app: Sanic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeChat retries a push it got no "success" for, with the same nonce: a push the server
    could not apply (a 500) must not have used up its nonce, or the event is lost."""
    from miniprogram_api.routes import wechat_callback

    original, calls = wechat_callback.apply_push, []

    async def failing_once(message: object) -> object:
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return await original(message)  # type: ignore[arg-type]

    monkeypatch.setattr(wechat_callback, "apply_push", failing_once)
    query = signed_query(runtime().settings, nonce="n-retried")
    assert (await client.post(f"{CALLBACK}?{query}", content=BODY)).status == 500
    retried = await client.post(f"{CALLBACK}?{query}", content=BODY)
    assert retried.status == 200, retried.text
    assert len(calls) == 2
    assert (await client.post(f"{CALLBACK}?{query}", content=BODY)).status == 403
