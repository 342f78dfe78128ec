"""wechatpy clients pointed at `config.api_base`, with our token handling and retry policy.

wechatpy 2.0.0a26 has no timeout by default, retries token errors recursively without limit,
has no lock around token refreshes, hard-codes the token URL and shares one ``requests.Session``
between threads. This subclass fixes each of these: explicit timeouts, ``auto_retry=False`` plus
`JobReadyWeChatClient.call` (one token refresh, one retry), tokens from `TokenManager`
(``stable_token``, locked, forced only when needed) and one ``requests.Session`` per thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from wechatpy import WeChatClient
from wechatpy.client.api.base import BaseWeChatAPI
from wechatpy.exceptions import WeChatClientException

from .config import WeChatConfig
from .errors import ErrorKind, WeChatError, error_from_exception
from .tokens import TokenManager, build_token_manager

logger = logging.getLogger(__name__)
T = TypeVar("T")
WECHAT_ORIGIN = "https://api.weixin.qq.com/"


class JobReadyWeChatClient(WeChatClient):
    """A wechatpy WeChatClient whose every request goes to `config.api_base`."""

    def __init__(self, config: WeChatConfig, tokens: TokenManager) -> None:
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        super().__init__(config.appid, config.secret, timeout=config.timeout, auto_retry=False)
        self.config, self.tokens = config, tokens
        self.API_BASE_URL = f"{config.base_url}/cgi-bin/"
        self._rebase_api_groups(f"{config.base_url}/")

    def _rebase_api_groups(self, base: str) -> None:
        # vars(), not inspect.getmembers(): the latter would evaluate `access_token`
        for api in [obj for obj in vars(self).values() if isinstance(obj, BaseWeChatAPI)]:
            url = getattr(api, "API_BASE_URL", None)
            if isinstance(url, str) and url.startswith(WECHAT_ORIGIN):
                api.API_BASE_URL = base + url.removeprefix(WECHAT_ORIGIN)

    @property
    def _http(self) -> requests.Session:
        """One requests.Session per thread (requests does not promise thread safety)."""
        session: requests.Session | None = getattr(self._local, "http", None)
        if session is None:
            session = self._local.http = requests.Session()
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    @_http.setter
    def _http(self, value: requests.Session) -> None:
        value.close()  # wechatpy's shared session is replaced by the per-thread ones

    @property
    def access_token(self) -> str:
        """The current token, remembered per thread so a rejection can name it."""
        token = self.tokens.get()
        self._local.token = token
        return token

    def fetch_access_token(self) -> dict[str, Any]:
        """Replace this thread's last token (instead of wechatpy's hard-coded ``cgi-bin/token``)."""
        token = self.tokens.refresh_rejected(getattr(self._local, "token", None))
        return {"access_token": token}

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        if url_or_endpoint.startswith(("http://", "https://")) and not url_or_endpoint.startswith(
            self.config.base_url
        ):
            raise ValueError(f"refusing to call {url_or_endpoint}: not under api_base")
        return super()._request(method, url_or_endpoint, **kwargs)

    def call(self, fn: Callable[[], T], *, uses_token: bool = True) -> T:
        """Run one API call; on a token rejection refresh once and retry once, else raise."""
        try:
            return self._attempt(fn)
        except WeChatError as err:
            if err.kind is not ErrorKind.REFRESH or not uses_token:
                raise
            logger.warning("WeChat rejected the access token (%s); refreshing once", err.errcode)
            self.tokens.refresh_rejected(getattr(self._local, "token", None))
            return self._attempt(fn)

    def _attempt(self, fn: Callable[[], T]) -> T:
        self._local.token = None
        try:
            return fn()
        except (WeChatClientException, requests.RequestException) as exc:
            raise error_from_exception(exc) from exc

    def close(self) -> None:
        """Close every HTTP session and the token store."""
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self.tokens.close()


def build_client(config: WeChatConfig, tokens: TokenManager | None = None) -> JobReadyWeChatClient:
    """A wechatpy client for `config` (its `.wxa` API included), tokens per `config.redis_url`."""
    return JobReadyWeChatClient(config, tokens or build_token_manager(config))
