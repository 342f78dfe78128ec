"""Process-wide collaborators built once from Settings: PII cipher, WeChat connector, limits.

The API, the worker, the CLI and tests call `configure(settings)` at start; services read
`runtime()` for what is the same for every call (keys, clients) and take everything else as
keyword arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from backend import clock
from backend.config import Settings
from backend.security.pii import PiiCipher

if TYPE_CHECKING:
    from backend.integrations.llm import ChatClient
    from backend.integrations.wechat import WeChatConnector, WeChatHttp
    from backend.ratelimit import RateLimits

T = TypeVar("T")


@dataclass
class Runtime:
    """What services share inside one process."""

    settings: Settings
    cipher: PiiCipher
    _wechat: WeChatConnector | None = field(default=None, repr=False)
    _wechat_oa: WeChatConnector | None = field(default=None, repr=False)
    _wechat_http: WeChatHttp | None = field(default=None, repr=False)
    _limits: RateLimits | None = field(default=None, repr=False)
    _llm: ChatClient | None = field(default=None, repr=False)

    @property
    def wechat(self) -> WeChatConnector:
        """The mini-program's WeChat connector (built on first use)."""
        if self._wechat is None:
            from backend.integrations.wechat import WeChatConfig, WeChatConnector

            s = self.settings
            self._wechat = WeChatConnector(
                WeChatConfig(
                    api_base=s.wechat_api_base,
                    appid=s.wechat_appid,
                    secret=s.wechat_secret,
                    timeout=s.wechat_timeout,
                    max_workers=s.wechat_max_connections,
                    redis_url=s.redis_url or None,
                ),
                http=self.wechat_http,
            )
        return self._wechat

    @property
    def wechat_http(self) -> WeChatHttp:
        """The process's one HTTP session to WeChat (a pool of WECHAT_MAX_CONNECTIONS)."""
        if self._wechat_http is None:
            from backend.integrations.wechat import WeChatHttp

            s = self.settings
            self._wechat_http = WeChatHttp(limit=s.wechat_max_connections, timeout=s.wechat_timeout)
        return self._wechat_http

    @property
    def wechat_oa(self) -> WeChatConnector | None:
        """The official account's connector when WECHAT_OA_APPID/SECRET are set (same session)."""
        s = self.settings
        if not (s.wechat_oa_appid and s.wechat_oa_secret):
            return None
        if self._wechat_oa is None or self._wechat_oa.config.appid != s.wechat_oa_appid:
            from backend.integrations.wechat import WeChatConfig, WeChatConnector

            self._wechat_oa = WeChatConnector(
                WeChatConfig(
                    api_base=s.wechat_api_base,
                    appid=s.wechat_oa_appid,
                    secret=s.wechat_oa_secret,
                    timeout=s.wechat_timeout,
                    max_workers=s.wechat_max_connections,
                    redis_url=s.redis_url or None,
                ),
                http=self.wechat_http,
            )
        return self._wechat_oa

    @property
    def limits(self) -> RateLimits:
        """Rate limits (Redis-backed when configured)."""
        if self._limits is None:
            from backend.ratelimit import RateLimits

            self._limits = RateLimits(self.settings.redis_url)
        return self._limits

    @property
    def llm(self) -> ChatClient | None:
        """The language-model client (LLM_API_BASE), None when no model is configured."""
        s = self.settings
        if not s.llm_api_base:
            return None
        if self._llm is None or self._llm.config.api_base != s.llm_api_base:
            from backend.integrations.llm import ChatClient, LlmConfig

            self._llm = ChatClient(
                LlmConfig(
                    api_base=s.llm_api_base,
                    model=s.llm_model,
                    api_key=s.llm_api_key,
                    timeout=s.llm_timeout,
                    retries=s.llm_retries,
                    max_concurrency=s.llm_max_concurrency,
                    max_tokens=s.llm_max_tokens,
                )
            )
        return self._llm

    async def close(self) -> None:
        """Release clients (connections)."""
        if self._llm is not None:
            await self._llm.close()
            self._llm = None
        for connector in (self._wechat, self._wechat_oa):
            if connector is not None:
                await connector.close()
        if self._wechat_http is not None:
            await self._wechat_http.close()
        self._wechat = self._wechat_oa = self._wechat_http = None


_current: Runtime | None = None
_defaults: Settings | None = None


def configure(settings: Settings) -> Runtime:
    """Build the process's runtime from settings (kept as is for equal settings)."""
    global _current
    if _current is not None and _current.settings == settings:
        return _current
    clock.configure_business_clock(settings.business_clock)  # JOBREADY_CLOCK (dev only)
    cipher = PiiCipher.from_secrets(settings.pii_encryption_keys, settings.pii_hash_key)
    _current = Runtime(settings=settings, cipher=cipher)
    return _current


def runtime() -> Runtime:
    """The configured runtime; a clear error if the process forgot to configure it."""
    if _current is None:
        raise RuntimeError("backend.runtime.configure(settings) was not called")
    return _current


def current_settings() -> Settings:
    """The configured settings; the built-in defaults in a process that configured none.

    For figures with safe defaults (quiet hours, template ids) read where a script or benchmark
    may run the domain without a runtime; keys and clients still need `runtime()`.
    """
    global _defaults
    if _current is not None:
        return _current.settings
    if _defaults is None:
        _defaults = Settings(dev=True)  # defaults only: dev allows the built-in secrets
    return _defaults


class PerSettings(Generic[T]):
    """What `build` makes of the current settings, built once per Settings object (they are
    frozen), so a hot path reads it without rebuilding and a reconfigured process sees the new."""

    def __init__(self, build: Callable[[Settings], T]) -> None:
        self._build = build
        self._memo: tuple[Settings, T] | None = None

    def __call__(self) -> T:
        settings = current_settings()
        memo = self._memo
        if memo is None or memo[0] is not settings:
            memo = self._memo = (settings, self._build(settings))
        return memo[1]

    def clear(self) -> None:
        """Forget the value (what `build` reads besides the settings changed)."""
        self._memo = None
