"""Identity over real HTTP: the API on a loopback port, the WeChat stand-in on another."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from sanic import Sanic

from backend.accounts.models import Role
from backend.accounts.service import create_invitation
from miniprogram_api.standins.wechat import FakeWeChat
from tests.support.factories import enrol, make_class, make_institution, make_trainee, new_id_number
from tests.support.server import serve_app

ROOT = Path(__file__).resolve().parents[2]


async def _post(
    http: aiohttp.ClientSession, url: str, body: dict, token: str = ""
) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.post(url, json=body, headers=headers) as response:
        return response.status, await response.json()


async def test_login_bind_redeem_and_me_over_real_http(app: Sanic, fake_wechat: FakeWeChat) -> None:
    inst = await make_institution()
    klass = await make_class(inst)
    id_number = new_id_number()
    await enrol(klass, await make_trainee("黄小兰", id_number=id_number))
    _, code = await create_invitation(role=Role.STAFF, institution_id=inst.id)
    async with serve_app(app) as api, aiohttp.ClientSession() as http:
        status, login = await _post(http, f"{api}/api/v1/auth/wx-login", {"code": "test-lan"})
        assert status == 200 and login["bound"] is False
        token = login["token"]
        status, _ = await _post(
            http, f"{api}/api/v1/me/phone", {"code": "phone-13800138000"}, token
        )
        assert status == 200  # the roster's phone, from getPhoneNumber
        status, me = await _post(
            http,
            f"{api}/api/v1/auth/bind-trainee",
            {"name": "黄小兰", "id_number": id_number},
            token,
        )
        assert status == 200 and me["roles"] == ["trainee"]
        assert me["class_ids"] == [klass.id]
        status, login2 = await _post(http, f"{api}/api/v1/auth/wx-login", {"code": "test-lan~2"})
        assert status == 200 and login2["bound"] is True
        status, staff_login = await _post(http, f"{api}/api/v1/auth/wx-login", {"code": "test-wu"})
        status, staff_me = await _post(
            http,
            f"{api}/api/v1/auth/redeem-invitation",
            {"code": code, "name": "吴老师"},
            staff_login["token"],
        )
        assert status == 200 and staff_me["roles"] == ["staff"]
        assert staff_me["display_name"] == "吴老师"  # a name given at redemption
        async with http.get(
            f"{api}/api/v1/me", headers={"Authorization": f"Bearer {staff_login['token']}"}
        ) as response:
            assert (await response.json())["scopes"][0]["institution_id"] == inst.id
    logins = fake_wechat.state.requests("sns/jscode2session")
    assert len(logins) == 3


async def test_slow_wechat_does_not_block_health_checks(
    app: Sanic, fake_wechat: FakeWeChat
) -> None:
    fake_wechat.state.fail(delay=2.0, count=1000)  # every WeChat call now takes 2 s
    async with serve_app(app) as api, aiohttp.ClientSession() as http:
        logins = [
            asyncio.create_task(
                _post(http, f"{api}/api/v1/auth/wx-login", {"code": f"test-slow{n}"})
            )
            for n in range(8)
        ]
        await asyncio.sleep(0.2)  # the logins are now waiting on WeChat

        async def timed_health() -> float:
            started = time.perf_counter()
            async with http.get(f"{api}/api/v1/health") as response:
                assert response.status == 200
            return time.perf_counter() - started

        durations = await asyncio.gather(*(timed_health() for _ in range(50)))
        await asyncio.gather(*logins)
    fake_wechat.state.reset()
    assert max(durations) < 1.0, f"slowest health check took {max(durations):.2f}s"


TOKEN_SCRIPT = """
import asyncio, sys
from backend.integrations.wechat import WeChatConfig, WeChatConnector
async def main():
    config = WeChatConfig(api_base=sys.argv[1], appid="wx-demo-appid", secret="demo-secret",
                          redis_url="redis://127.0.0.1:6379/0", redis_key_prefix=sys.argv[2])
    async with WeChatConnector(config) as wx:
        print(await wx.get_phone_number(sys.argv[3]))
asyncio.run(main())
"""


@pytest.mark.slow
async def test_two_processes_sharing_redis_fetch_the_token_once(fake_wechat: FakeWeChat) -> None:
    fake_wechat.state.reset()
    prefix = f"jobready:test:{os.getpid()}:{time.time_ns()}:"
    cmd = [sys.executable, "-c", TOKEN_SCRIPT, fake_wechat.url, prefix]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        await asyncio.create_subprocess_exec(
            *cmd, f"phone-1380000000{n}", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for n in range(2)
    ]
    outputs = [await p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    token_calls = [r for r in fake_wechat.state.requests() if "token" in r["path"]]
    assert len(token_calls) == 1, token_calls
    from redis.asyncio import Redis

    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    keys = [k async for k in redis.scan_iter(f"{prefix}*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()
