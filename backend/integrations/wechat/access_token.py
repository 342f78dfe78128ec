"""Access tokens: fetched from ``cgi-bin/stable_token``, cached in memory or Redis, one refresher.

A refresh runs under an asyncio lock (one task per process) and, with Redis, under a Redis lock
(one process at a time). Whoever waited re-reads the store first and uses the token the winner
stored, so concurrent callers cause exactly one ``stable_token`` request. Everything here is
asyncio (aiohttp for WeChat, ``redis.asyncio`` for the store): no thread, no blocking call.

When WeChat rejects a token, the refresh first asks in normal mode (which already hands out a new
token when the old one expired or was replaced) and uses ``force_refresh`` only when WeChat still
returns the rejected token: force mode is limited to 20 calls a day, 30 s apart, and invalidates
the previous token for every process at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from .config import WeChatConfig
from .errors import (
    ERRCODE_BAD_RESPONSE,
    ERRCODE_TOKEN_LOCK,
    ERRCODE_TOKEN_STORE,
    WeChatError,
    error_from_exception,
    http_status_error,
)

if TYPE_CHECKING:
    from .client import WeChatHttp

MIN_TTL = 60  # below this, cache for half the remaining lifetime instead of lifetime - margin


def cache_ttl(expires_in: int, margin: int) -> int:
    """Seconds to cache a token that WeChat says lives `expires_in` seconds."""
    ttl = expires_in - margin
    return ttl if ttl >= MIN_TTL else max(1, expires_in // 2)


class TokenStore(Protocol):
    """Where the current access token lives; an entry vanishes when it is due for refresh."""

    async def get(self) -> str | None:
        """The current token, None when absent or due for refresh."""
        ...

    async def set(self, token: str, ttl: int) -> None:
        """Store a token for `ttl` seconds."""
        ...

    def lock(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Exclusive right to refresh (across processes where the store is shared)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryTokenStore:
    """Token kept in this process only."""

    def __init__(self) -> None:
        self._token: str | None = None
        self._fresh_until = 0.0

    async def get(self) -> str | None:
        """The cached token while it is fresh."""
        return self._token if time.monotonic() < self._fresh_until else None

    async def set(self, token: str, ttl: int) -> None:
        """Cache a token for `ttl` seconds."""
        self._token, self._fresh_until = token, time.monotonic() + ttl

    def lock(self) -> contextlib.AbstractAsyncContextManager[None]:
        """No cross-process lock is needed in memory."""
        return contextlib.nullcontext()

    async def close(self) -> None:
        """Nothing to release."""


class RedisTokenStore:
    """Token shared by every process through Redis, guarded by a Redis lock."""

    def __init__(self, config: WeChatConfig, client: aioredis.Redis | None = None) -> None:
        if client is None and not config.redis_url:
            raise ValueError("RedisTokenStore needs config.redis_url or a Redis client")
        self._key, self._lock_key = config.token_key, config.token_lock_key
        self._wait = config.timeout * 2 + 1.0  # a refresh takes at most one HTTP timeout
        self._redis: aioredis.Redis = client or aioredis.Redis.from_url(
            str(config.redis_url),
            socket_timeout=config.timeout,
            socket_connect_timeout=config.timeout,
            decode_responses=True,
        )

    async def get(self) -> str | None:
        """The shared token, if present (its key expires when it is due for refresh)."""
        value: Any = await self._guard(self._redis.get(self._key))
        return str(value) if value else None

    async def set(self, token: str, ttl: int) -> None:
        """Share a token for `ttl` seconds."""
        await self._guard(self._redis.set(self._key, token, ex=ttl))

    @contextlib.asynccontextmanager
    async def lock(self) -> AsyncIterator[None]:
        """Hold the cross-process refresh lock, waiting for another holder if needed."""
        lock = self._redis.lock(self._lock_key, timeout=self._wait, sleep=0.02)
        if not await self._guard(lock.acquire(blocking_timeout=self._wait)):
            raise WeChatError(ERRCODE_TOKEN_LOCK, f"lock {self._lock_key} busy")
        try:
            yield
        finally:
            with contextlib.suppress(RedisError):
                await lock.release()

    async def close(self) -> None:
        """Release the Redis connections."""
        await self._redis.aclose()

    @staticmethod
    async def _guard(action: Any) -> Any:
        try:
            return await action
        except RedisError as exc:
            raise WeChatError(ERRCODE_TOKEN_STORE, f"{type(exc).__name__}: {exc}") from exc


class StableTokenFetcher:
    """Calls ``POST {api_base}/cgi-bin/stable_token`` over the process's WeChat session."""

    def __init__(self, config: WeChatConfig, http: WeChatHttp) -> None:
        self._config, self._http = config, http

    async def fetch(self, force_refresh: bool) -> tuple[str, int]:
        """Return (access_token, expires_in) or raise a WeChatError."""
        body: dict[str, str | bool] = {
            "grant_type": "client_credential",
            "appid": self._config.appid,
            "secret": self._config.secret,
            "force_refresh": force_refresh,
        }
        url = f"{self._config.base_url}/cgi-bin/stable_token"
        try:
            async with self._http.session().post(url, json=body) as res:
                return _parse_token_answer(res.status, await res.read())
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise error_from_exception(exc) from exc


def _parse_token_answer(status: int, body: bytes) -> tuple[str, int]:
    if status != 200:
        raise http_status_error(status)
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise WeChatError(ERRCODE_BAD_RESPONSE, "token answer is not JSON") from exc
    if not isinstance(data, dict):
        raise WeChatError(ERRCODE_BAD_RESPONSE, "token answer is not a JSON object")
    if int(data.get("errcode", 0)) != 0:
        raise WeChatError(int(data["errcode"]), str(data.get("errmsg", "")))
    if not data.get("access_token"):
        raise WeChatError(ERRCODE_BAD_RESPONSE, "token answer without access_token")
    return str(data["access_token"]), int(data.get("expires_in", 7200))


class TokenManager:
    """Hands out access tokens and refreshes them, one refresher at a time."""

    def __init__(self, config: WeChatConfig, store: TokenStore, fetcher: StableTokenFetcher):
        self._margin = config.token_refresh_margin
        self._store, self._fetcher = store, fetcher
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """A valid token: the cached one, or a freshly fetched one."""
        return await self._store.get() or await self._refresh(stale=None, rejected=False)

    async def refresh_rejected(self, stale: str | None) -> str:
        """WeChat rejected `stale`: get a new token unless someone already replaced it."""
        return await self._refresh(stale=stale, rejected=True)

    async def _refresh(self, stale: str | None, rejected: bool) -> str:
        async with self._lock, self._store.lock():
            current = await self._store.get()
            if current and current != stale:
                return current  # another task or process refreshed while we waited
            token, expires_in = await self._fetcher.fetch(force_refresh=False)
            if rejected and token == stale:
                token, expires_in = await self._fetcher.fetch(force_refresh=True)
            await self._store.set(token, cache_ttl(expires_in, self._margin))
            return token

    async def close(self) -> None:
        """Release the Redis connections (the HTTP session is the process's)."""
        await self._store.close()


def build_token_manager(config: WeChatConfig, http: WeChatHttp) -> TokenManager:
    """Token manager with the store `config` asks for (Redis when `redis_url` is set)."""
    store: TokenStore = RedisTokenStore(config) if config.redis_url else MemoryTokenStore()
    return TokenManager(config, store, StableTokenFetcher(config, http))
