"""wechatpy's API over an asyncio transport: the client subclass every WeChat call goes through.

wechatpy's API classes build each request and hand it to ``client._request``; wechatpy once
shipped an ``AsyncClientMixin`` (``wechatpy/client/async/asyncio.py``, removed in 2015) that
replaced ``_request`` and ``_decode_result`` with aiohttp, so that an API method which only does
``return self._post(...)`` returns an awaitable. `AsyncWeChatClient` does the same for wechatpy
2.0.0a26 (its ``_request`` is a coroutine on aiohttp; the body is read with aiohttp and handed to
wechatpy's own ``_decode_result``/``_handle_result`` as an `Answer`), and fixes what wechatpy
leaves open:

- one aiohttp ``ClientSession`` per process (`WeChatHttp`) with a bounded connection pool,
  and an explicit timeout on every call (wechatpy has none by default);
- ``auto_retry=False`` plus `AsyncWeChatClient.call`: one token refresh and one retry on a token
  rejection (wechatpy retries recursively without limit);
- tokens from `TokenManager` (``stable_token``, one refresher at a time, forced only when needed)
  instead of wechatpy's hard-coded ``cgi-bin/token``;
- every failure a classified `WeChatError` (errors.py).

wechatpy's own result handling (``_handle_result``: ``errcode`` → ``WeChatClientException``,
``result_processor``) runs unchanged on the decoded answer.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from wechatpy import WeChatClient
from wechatpy.client.api.base import BaseWeChatAPI
from wechatpy.exceptions import WeChatClientException

from .access_token import TokenManager, build_token_manager
from .config import WeChatConfig
from .errors import ErrorKind, WeChatError, error_from_exception, http_status_error

logger = logging.getLogger(__name__)
T = TypeVar("T")
WECHAT_ORIGIN = "https://api.weixin.qq.com/"
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

# The token the current task's last request carried, so a rejection refreshes exactly that one.
_token_sent: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "wechat_token_sent", default=None
)


class WeChatHttp:
    """The process's aiohttp session for WeChat: one pool of at most `limit` connections.

    The session is made on first use inside the running loop (aiohttp binds it to that loop);
    the mini-program's and the official account's connectors share one `WeChatHttp`.
    """

    def __init__(self, *, limit: int, timeout: float) -> None:
        self.limit, self.timeout = limit, timeout
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def session(self) -> aiohttp.ClientSession:
        """The open session of the running loop (made on first use)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(
                limit=self.limit, limit_per_host=self.limit, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout)
            )
            self._loop = loop
        return self._session

    async def close(self) -> None:
        """Close the session and its connections."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


@dataclass(frozen=True)
class Answer:
    """An aiohttp answer read whole, shaped like the ``requests.Response`` wechatpy expects:
    its ``_decode_result`` parses ``content``, its exceptions keep ``request``."""

    content: bytes
    status_code: int
    request: aiohttp.RequestInfo


class AsyncWeChatClient(WeChatClient):
    """wechatpy's WeChatClient whose requests go over aiohttp to `config.api_base`.

    ``client.get``/``client.post`` and every API method that returns ``self._post(...)``
    (``client.wxa.get_phone_number``, ``client.message.send_template`` …) return awaitables.
    """

    def __init__(self, config: WeChatConfig, tokens: TokenManager, http: WeChatHttp) -> None:
        super().__init__(config.appid, config.secret, timeout=config.timeout, auto_retry=False)
        self._http.close()  # wechatpy's requests.Session: never used
        self.config, self.tokens, self.http = config, tokens, http
        self.API_BASE_URL = f"{config.base_url}/cgi-bin/"
        self._rebase_api_groups(f"{config.base_url}/")

    def _rebase_api_groups(self, base: str) -> None:
        # vars(), not inspect.getmembers(): the latter would evaluate `access_token`
        for api in [obj for obj in vars(self).values() if isinstance(obj, BaseWeChatAPI)]:
            url = getattr(api, "API_BASE_URL", None)
            if isinstance(url, str) and url.startswith(WECHAT_ORIGIN):
                api.API_BASE_URL = base + url.removeprefix(WECHAT_ORIGIN)

    @property
    def access_token(self) -> str:
        """Not available synchronously: requests take their token from `tokens` (async)."""
        # AttributeError, not another kind: wechatpy's __new__ walks every attribute with
        # inspect.getmembers, which skips exactly this error.
        raise AttributeError("AsyncWeChatClient: tokens come from `await client.tokens.get()`")

    def fetch_access_token(self) -> dict[str, Any]:
        """wechatpy's ``cgi-bin/token`` fetch is replaced by `TokenManager` (stable_token)."""
        raise RuntimeError("AsyncWeChatClient: tokens come from `await client.tokens.get()`")

    def _url(self, url_or_endpoint: str, api_base_url: str) -> str:
        if not url_or_endpoint.startswith(("http://", "https://")):
            return f"{api_base_url}{url_or_endpoint}"
        if not url_or_endpoint.startswith(self.config.base_url):
            raise ValueError(f"refusing to call {url_or_endpoint}: not under api_base")
        return url_or_endpoint

    async def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        url = self._url(url_or_endpoint, kwargs.pop("api_base_url", self.API_BASE_URL))
        params = kwargs.get("params", {})
        if isinstance(params, dict) and "access_token" not in params:
            token = await self.tokens.get()
            _token_sent.set(token)
            params = {**params, "access_token": token}
        data = kwargs.get("data")
        if isinstance(data, dict):
            data = json.dumps(data, ensure_ascii=False).encode("utf-8")
        result_processor = kwargs.pop("result_processor", None)
        timeout = aiohttp.ClientTimeout(total=kwargs.get("timeout") or self.timeout)
        try:
            async with self.http.session().request(
                method.upper(), url, params=params, data=data, headers=JSON_HEADERS, timeout=timeout
            ) as res:
                if res.status >= 400:
                    raise http_status_error(res.status)
                answer = Answer(await res.read(), res.status, res.request_info)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise error_from_exception(exc) from exc
        try:
            result = self._handle_result(answer, method, url, result_processor, params=params)
        except WeChatClientException as exc:
            raise error_from_exception(exc) from exc
        return result.content if isinstance(result, Answer) else result  # a file: its bytes

    async def call(self, make: Callable[[], Awaitable[T]], *, uses_token: bool = True) -> T:
        """Run one API call; on a token rejection refresh once and retry once, else raise."""
        try:
            return await self._attempt(make)
        except WeChatError as err:
            if err.kind is not ErrorKind.REFRESH or not uses_token:
                raise
            logger.warning("WeChat rejected the access token (%s); refreshing once", err.errcode)
            await self.tokens.refresh_rejected(_token_sent.get())
            return await self._attempt(make)

    @staticmethod
    async def _attempt(make: Callable[[], Awaitable[T]]) -> T:
        _token_sent.set(None)
        try:
            return await make()
        except WeChatClientException as exc:
            raise error_from_exception(exc) from exc

    async def close(self) -> None:
        """Release the token store (the HTTP session belongs to whoever made `http`)."""
        await self.tokens.close()


def build_client(
    config: WeChatConfig, tokens: TokenManager | None = None, http: WeChatHttp | None = None
) -> AsyncWeChatClient:
    """An asyncio wechatpy client for `config` (its `.wxa` API included), tokens per
    `config.redis_url`, over `http` (a new pool of `config.max_workers` connections if None)."""
    http = http or WeChatHttp(limit=config.max_workers, timeout=config.timeout)
    return AsyncWeChatClient(config, tokens or build_token_manager(config, http), http)


JobReadyWeChatClient = AsyncWeChatClient  # the former name
