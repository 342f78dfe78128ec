"""The async face of WeChat used by the rest of the project.

Every call is a wechatpy API call over the asyncio transport of `client.py` (aiohttp, one
session per process, a bounded pool): no thread, the event loop never waits on the network.
Every failure surfaces as a classified `WeChatError`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

from .client import AsyncWeChatClient, WeChatHttp, build_client
from .config import WeChatConfig
from .errors import ERRCODE_BAD_RESPONSE, WeChatError

T = TypeVar("T")
SCENE_MAX_LENGTH = 32
SCENE_CHARS = frozenset(string.ascii_letters + string.digits + "!#$&'()*+,/:;=?@-._~")
MINIPROGRAM_STATES = ("formal", "trial", "developer")
_PAGE = re.compile(r"^[^/\s][^\s]*$")


@dataclass(frozen=True)
class Code2Session:
    """What ``sns/jscode2session`` tells about a logging-in user."""

    openid: str
    unionid: str | None
    session_key: str = field(repr=False)


def wrap_template_data(data: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Turn ``{key: value}`` into WeChat's ``{key: {"value": value}}`` form."""
    return {key: {"value": str(value)} for key, value in data.items()}


def check_scene(scene: str) -> None:
    """Raise ValueError unless `scene` is a valid getwxacodeunlimit scene (≤ 32 allowed chars)."""
    if not scene or len(scene) > SCENE_MAX_LENGTH:
        raise ValueError(f"scene must have 1..{SCENE_MAX_LENGTH} characters, got {len(scene)}")
    bad = sorted(set(scene) - SCENE_CHARS)
    if bad:
        raise ValueError(f"scene contains characters WeChat does not allow: {bad}")


def _expect_dict(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict):
        got = type(result).__name__
        raise WeChatError(ERRCODE_BAD_RESPONSE, f"expected a JSON object, got {got}")
    return result


def _field(data: Mapping[str, Any], *path: str) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            raise WeChatError(ERRCODE_BAD_RESPONSE, f"answer lacks {'.'.join(path)}")
        value = value[key]
    return value


class WeChatConnector:
    """Async WeChat API: login, subscribe/template messages, mini-program codes, phone numbers."""

    def __init__(
        self,
        config: WeChatConfig,
        *,
        client: AsyncWeChatClient | None = None,
        http: WeChatHttp | None = None,
    ):
        """`http`: the process's shared session (None: this connector makes and closes its own)."""
        self.config = config
        self._own_http = client is None and http is None
        self._client = client or build_client(config, http=http)
        self._closed = False

    async def __aenter__(self) -> WeChatConnector:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _run(self, make: Callable[[], Awaitable[T]], *, uses_token: bool = True) -> T:
        if self._closed:
            raise RuntimeError("WeChatConnector is closed")
        return await self._client.call(make, uses_token=uses_token)

    async def code2session(self, code: str) -> Code2Session:
        """Exchange a wx.login() code for the user's openid, unionid and session_key."""
        data = _expect_dict(await self._run(partial(self._jscode2session, code), uses_token=False))
        unionid = data.get("unionid")
        return Code2Session(
            openid=str(_field(data, "openid")),
            unionid=str(unionid) if unionid else None,
            session_key=str(_field(data, "session_key")),
        )

    def _jscode2session(self, code: str) -> Any:
        # A list (not a dict) of params keeps wechatpy from adding an access_token: this API
        # authenticates with appid + secret, so it must not trigger a token fetch.
        params = [
            ("appid", self.config.appid),
            ("secret", self.config.secret),
            ("js_code", code),
            ("grant_type", "authorization_code"),
        ]
        base = f"{self.config.base_url}/"
        return self._client.get("sns/jscode2session", params=params, api_base_url=base)

    async def send_subscribe(
        self,
        openid: str,
        template_id: str,
        data: dict[str, str],
        page: str | None = None,
        state: str = "formal",
    ) -> None:
        """Send a mini-program subscribe message (`data` as plain ``{key: value}``)."""
        if state not in MINIPROGRAM_STATES:
            raise ValueError(f"state must be one of {MINIPROGRAM_STATES}, got {state!r}")
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": wrap_template_data(data),
            "miniprogram_state": state,
            "lang": "zh_CN",
        }
        if page:
            payload["page"] = page
        post = partial(self._client.post, "message/subscribe/send", data=payload)
        _expect_dict(await self._run(post))

    async def send_template(
        self,
        oa_openid: str,
        template_id: str,
        data: dict[str, str],
        url: str | None = None,
        miniprogram: dict[str, str] | None = None,
    ) -> int | None:
        """Send an official-account template message; return WeChat's msgid."""
        send = partial(
            self._client.message.send_template,
            oa_openid,
            template_id,
            wrap_template_data(data),
            url=url,
            mini_program=miniprogram,
        )
        msgid = _expect_dict(await self._run(send)).get("msgid")
        return int(msgid) if msgid is not None else None

    async def get_wxa_code_unlimited(
        self, scene: str, page: str | None = None, width: int = 430
    ) -> bytes:
        """Image bytes of an unlimited mini-program code carrying `scene`."""
        check_scene(scene)
        if page is not None and not _PAGE.match(page):
            raise ValueError(f"page must not start with '/' or contain spaces: {page!r}")
        fetch = partial(self._client.wxa.get_wxa_code_unlimited, scene, width=width, page=page)
        result = await self._run(fetch)
        if not isinstance(result, bytes) or not result:
            raise WeChatError(ERRCODE_BAD_RESPONSE, "getwxacodeunlimit returned no image")
        return result

    async def get_phone_number(self, code: str) -> str:
        """The user's phone number (purePhoneNumber) for a getPhoneNumber button code."""
        data = _expect_dict(await self._run(partial(self._client.wxa.get_phone_number, code)))
        return str(_field(data, "phone_info", "purePhoneNumber"))

    async def close(self) -> None:
        """Refuse new calls; release the token store, and the HTTP session if it is this one's."""
        if self._closed:
            return
        self._closed = True
        await self._client.close()
        if self._own_http:
            await self._client.http.close()
