"""The WeChat connector against the local stand-in, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from PIL import Image

from backend.integrations.wechat import (
    ERRCODE_HTTP_UNAVAILABLE,
    ERRCODE_NETWORK,
    ERRCODE_TIMEOUT,
    Code2Session,
    ErrorKind,
    WeChatConfig,
    WeChatConnector,
    WeChatError,
)
from miniprogram_api.standins.wechat import FakeWeChat, start_fake_wechat

pytestmark = pytest.mark.asyncio

REDIS_URL = "redis://127.0.0.1:6379/0"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SEND = "cgi-bin/message/subscribe/send"
STABLE = "cgi-bin/stable_token"
GOOD_DATA = {"thing1": "面试技巧培训", "time2": "2025年3月1日 14:00"}
MakeConnector = Callable[..., WeChatConnector]


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeWeChat]:
    server = await start_fake_wechat()
    yield server
    await server.stop()


@pytest_asyncio.fixture
async def make_connector(fake: FakeWeChat) -> AsyncIterator[MakeConnector]:
    made: list[WeChatConnector] = []

    def make(**overrides: Any) -> WeChatConnector:
        settings: dict[str, Any] = {
            "api_base": fake.url + "/",
            "appid": fake.state.appid,
            "secret": fake.state.secret,
            "timeout": 2.0,
        }
        connector = WeChatConnector(WeChatConfig(**(settings | overrides)))
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.close()


@pytest_asyncio.fixture
async def connector(make_connector: MakeConnector) -> WeChatConnector:
    return make_connector()


@pytest_asyncio.fixture
async def redis_prefix() -> AsyncIterator[str]:
    prefix = f"jobready-test:{uuid.uuid4().hex}:"
    yield prefix
    client = aioredis.Redis.from_url(REDIS_URL)
    async for key in client.scan_iter(match=prefix + "*"):
        await client.delete(key)
    await client.aclose()


async def control(fake: FakeWeChat, action: str, body: dict[str, Any] | None = None) -> Any:
    """Drive the stand-in over its HTTP control API, as a separate process would."""
    async with aiohttp.ClientSession() as http:
        if action == "requests":
            async with http.get(f"{fake.url}/_fake/requests", params=body) as res:
                return await res.json()
        async with http.post(f"{fake.url}/_fake/{action}", json=body or {}) as res:
            assert res.status == 200, await res.text()
            return await res.json()


def forced_refreshes(fake: FakeWeChat) -> list[dict[str, Any]]:
    return [r for r in fake.state.requests(STABLE) if r["json"]["force_refresh"] is True]


async def send(connector: WeChatConnector, openid: str = "o-alice") -> None:
    await connector.send_subscribe(openid, "tpl-class-reminder", GOOD_DATA, page="pages/index")


async def raised(call: Any) -> WeChatError:
    with pytest.raises(WeChatError) as info:
        await call
    return info.value


# -- login --------------------------------------------------------------------------------------


async def test_login_code_gives_openid_unionid_and_session_key(connector: WeChatConnector) -> None:
    session = await connector.code2session("test-alice")
    assert isinstance(session, Code2Session)
    assert (session.openid, session.unionid) == ("o-alice", "u-alice")
    assert len(session.session_key) >= 16
    assert session.session_key not in repr(session)


async def test_login_does_not_fetch_an_access_token(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    await connector.code2session("test-bob")
    assert fake.state.requests(STABLE) == []
    assert "access_token" not in fake.state.requests("sns/jscode2session")[0]["query"]


async def test_reused_login_code_is_refused_with_40163(connector: WeChatConnector) -> None:
    await connector.code2session("test-carol")
    error = await raised(connector.code2session("test-carol"))
    assert (error.errcode, error.kind) == (40163, ErrorKind.PERMANENT)
    assert error.reason == "code 已被使用"


async def test_unknown_login_code_is_refused_with_40029(connector: WeChatConnector) -> None:
    error = await raised(connector.code2session("not-a-test-code"))
    assert (error.errcode, error.kind) == (40029, ErrorKind.PERMANENT)


async def test_wrong_app_secret_is_permanent_40125(make_connector: MakeConnector) -> None:
    error = await raised(send(make_connector(secret="wrong")))
    assert (error.errcode, error.kind) == (40125, ErrorKind.PERMANENT)


# -- subscribe messages -------------------------------------------------------------------------


async def test_subscribe_message_is_sent_in_wechat_data_form(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    await send(connector)
    [message] = fake.state.sent
    assert message["data"] == {key: {"value": value} for key, value in GOOD_DATA.items()}
    assert (message["touser"], message["page"], message["miniprogram_state"]) == (
        "o-alice",
        "pages/index",
        "formal",
    )
    [token_call] = fake.state.requests(STABLE)
    assert token_call["json"]["force_refresh"] is False
    assert fake.state.requests(SEND)[0]["query"]["access_token"].startswith("fake-token-")


async def test_overlong_thing_value_is_permanent_47003_naming_the_field(
    connector: WeChatConnector,
) -> None:
    data = {"thing1": "一" * 21, "time2": "14:00"}
    error = await raised(connector.send_subscribe("o-alice", "tpl", data))
    assert (error.errcode, error.kind) == (47003, ErrorKind.PERMANENT)
    assert "data.thing1.value exceeds limit" in error.errmsg


async def test_refusing_user_gives_permanent_43101(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    await control(fake, "refuse", {"openid": "o-dave"})
    error = await raised(send(connector, "o-dave"))
    assert (error.errcode, error.kind) == (43101, ErrorKind.PERMANENT)
    assert error.reason == "用户拒绝接收或订阅次数已用完"


@pytest.mark.parametrize("errcode", [-1, 45009, 45011])
async def test_busy_and_quota_errors_are_classified_retry(
    connector: WeChatConnector, fake: FakeWeChat, errcode: int
) -> None:
    await control(fake, "fail", {"errcode": errcode, "path": SEND})
    error = await raised(send(connector))
    assert (error.errcode, error.kind) == (errcode, ErrorKind.RETRY)
    assert error.retry_after is not None and error.retry_after > 0
    assert len(fake.state.requests(SEND)) == 1  # the connector itself does not retry


async def test_http_502_is_classified_retry(connector: WeChatConnector, fake: FakeWeChat) -> None:
    await control(fake, "fail", {"http_status": 502, "path": SEND})
    error = await raised(send(connector))
    assert (error.errcode, error.kind) == (ERRCODE_HTTP_UNAVAILABLE, ErrorKind.RETRY)
    assert "502" in error.errmsg


async def test_timeout_is_classified_retry(make_connector: MakeConnector, fake: FakeWeChat) -> None:
    connector = make_connector(timeout=0.3)
    fake.state.fail(delay=1.0, path=SEND)
    started = time.monotonic()
    error = await raised(send(connector))
    assert (error.errcode, error.kind) == (ERRCODE_TIMEOUT, ErrorKind.RETRY)
    assert time.monotonic() - started < 0.9


async def test_unreachable_wechat_is_a_retry_network_error(make_connector: MakeConnector) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    connector = make_connector(api_base=f"http://127.0.0.1:{port}", timeout=0.5)
    error = await raised(send(connector))
    assert (error.errcode, error.kind) == (ERRCODE_NETWORK, ErrorKind.RETRY)


# -- access tokens ------------------------------------------------------------------------------


async def test_expired_token_is_refreshed_once_and_the_send_succeeds(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    await send(connector)
    await control(fake, "expire-tokens")
    await send(connector)
    assert [r["errcode"] for r in fake.state.requests(SEND)] == [0, 42001, 0]
    # normal mode already hands out a new token for an expired one: no force_refresh needed
    assert [r["json"]["force_refresh"] for r in fake.state.requests(STABLE)] == [False, False]


async def test_invalidated_token_40001_is_force_refreshed_once_and_the_send_succeeds(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    await control(fake, "fail", {"errcode": 40001, "path": SEND})
    await send(connector)
    assert [r["errcode"] for r in fake.state.requests(SEND)] == [40001, 0]
    # WeChat still hands out the rejected token in normal mode, so the refresh is forced
    assert [r["json"]["force_refresh"] for r in fake.state.requests(STABLE)] == [False, False, True]
    assert len(forced_refreshes(fake)) == 1


async def test_token_replaced_elsewhere_is_picked_up_without_forcing(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    await send(connector)
    body: dict[str, Any] = {"grant_type": "client_credential", "appid": fake.state.appid}
    body |= {"secret": fake.state.secret, "force_refresh": True}
    async with aiohttp.ClientSession() as http:  # another system force-refreshes the token
        await (await http.post(f"{fake.url}/{STABLE}", json=body)).json()
    await send(connector)
    assert [r["errcode"] for r in fake.state.requests(SEND)] == [0, 40001, 0]
    assert len(forced_refreshes(fake)) == 1  # only the other system's


async def test_second_consecutive_40001_is_raised_not_retried_forever(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    fake.state.fail(errcode=40001, count=10, path=SEND)
    error = await raised(send(connector))
    assert (error.errcode, error.kind) == (40001, ErrorKind.REFRESH)
    assert len(fake.state.requests(SEND)) == 2
    assert len(forced_refreshes(fake)) == 1


async def test_concurrent_first_calls_in_one_process_fetch_the_token_once(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    fake.state.fail(delay=0.3, path=STABLE)
    await asyncio.gather(*(send(connector, f"o-user{i}") for i in range(8)))
    assert len(fake.state.requests(STABLE)) == 1
    assert len(fake.state.sent) == 8


async def test_two_connectors_sharing_redis_fetch_the_token_once(
    make_connector: MakeConnector, fake: FakeWeChat, redis_prefix: str
) -> None:
    first, second = (
        make_connector(redis_url=REDIS_URL, redis_key_prefix=redis_prefix) for _ in range(2)
    )
    fake.state.fail(delay=0.3, path=STABLE)  # widen the race window
    calls = [send(c, f"o-user{i}") for i in range(5) for c in (first, second)]
    await asyncio.gather(*calls)
    assert len(fake.state.requests(STABLE)) == 1
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        ttl = await client.ttl(first.config.token_key)
    finally:
        await client.aclose()
    assert 7200 - 300 - 10 <= ttl <= 7200 - 300


async def test_token_rejected_in_one_process_is_refreshed_once_for_both(
    make_connector: MakeConnector, fake: FakeWeChat, redis_prefix: str
) -> None:
    first, second = (
        make_connector(redis_url=REDIS_URL, redis_key_prefix=redis_prefix) for _ in range(2)
    )
    await send(first)
    await control(fake, "expire-tokens")
    await send(first)  # refreshes the token in Redis
    await send(second)  # reads the refreshed token from Redis, no token call of its own
    assert len(fake.state.requests(STABLE)) == 2
    assert [r["errcode"] for r in fake.state.requests(SEND)] == [0, 42001, 0, 0]


# -- mini-program codes, phone numbers, template messages ---------------------------------------


async def test_wxa_code_is_a_png_image_of_the_requested_width(connector: WeChatConnector) -> None:
    image = await connector.get_wxa_code_unlimited("class=42&u=7", page="pages/checkin", width=300)
    assert image.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(image)) as decoded:
        assert decoded.size == (300, 300)


async def test_scene_longer_than_32_chars_is_refused_locally(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    with pytest.raises(ValueError, match="32"):
        await connector.get_wxa_code_unlimited("x" * 33)
    assert fake.state.requests("wxa/getwxacodeunlimit") == []


async def test_phone_number_code_gives_the_pure_phone_number(connector: WeChatConnector) -> None:
    assert await connector.get_phone_number("phone-13800138000") == "13800138000"
    error = await raised(connector.get_phone_number("bogus"))
    assert (error.errcode, error.kind) == (40029, ErrorKind.PERMANENT)


async def test_official_account_template_message_returns_its_msgid(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    mini = {"appid": "wx-demo-appid", "pagepath": "pages/index"}
    msgid = await connector.send_template("o-oa-user", "tpl-oa", {"thing1": "开课提醒"}, None, mini)
    assert isinstance(msgid, int)
    assert fake.state.sent[0]["miniprogram"] == mini


# -- concurrency and the stand-in's control API -------------------------------------------------


async def test_event_loop_stays_responsive_while_wechat_is_slow(
    make_connector: MakeConnector, fake: FakeWeChat
) -> None:
    connector = make_connector(max_workers=20, timeout=5.0)
    await send(connector)  # token in cache
    fake.state.fail(delay=2.0, count=20, path=SEND)
    stalls: list[float] = []

    async def ticker() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            stalls.append(time.monotonic() - before - 0.01)

    tick = asyncio.create_task(ticker())
    started = time.monotonic()
    await asyncio.gather(*(send(connector, f"o-user{i}") for i in range(20)))
    elapsed = time.monotonic() - started
    tick.cancel()
    assert max(stalls) < 0.2
    assert len(stalls) > 50
    assert elapsed < 4.0  # all 20 ran in parallel, not one after another


async def test_request_log_is_readable_and_resettable_over_http(
    connector: WeChatConnector, fake: FakeWeChat
) -> None:
    await send(connector)
    logged = await control(fake, "requests", {"path": SEND})
    assert [(r["method"], r["path"], r["errcode"]) for r in logged] == [("POST", SEND, 0)]
    assert logged[0]["json"]["touser"] == "o-alice"
    await control(fake, "reset")
    assert await control(fake, "requests") == []


# -- the transport ------------------------------------------------------------------------------


async def test_calls_run_on_the_event_loop_without_a_thread(connector: WeChatConnector) -> None:
    await send(connector)  # token in cache
    threads = threading.active_count()
    await asyncio.gather(*(send(connector, f"o-loop{i}") for i in range(16)))
    await connector.code2session("test-loop")
    assert threading.active_count() == threads


async def test_the_process_connectors_share_one_bounded_http_session(
    use_settings: Callable[..., Any], fake: FakeWeChat
) -> None:
    from backend.runtime import runtime

    use_settings(wechat_oa_appid="wx-oa-appid", wechat_oa_secret="oa-secret")
    rt = runtime()
    official = rt.wechat_oa
    assert official is not None
    session = rt.wechat_http.session()
    assert rt.wechat._client.http.session() is session
    assert official._client.http.session() is session
    assert session.connector is not None
    assert session.connector.limit == rt.settings.wechat_max_connections
