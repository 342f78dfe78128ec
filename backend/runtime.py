"""The one runtime: settings and every collaborator built from them, once per process.

The API, the worker and the CLI call `configure(settings)` at start. Everything else reads
`runtime()` — `runtime().settings` for a figure, `runtime().wechat`, `.recruitment`, `.llm`,
`.limits`, `.cipher` for a collaborator, `runtime().derived(build)` for what a domain builds once
per runtime (policies, template tables, the posting index of job search) — and takes the rest as
keyword arguments. Reading any of them in a process that configured nothing raises: there is no
silent fallback to defaults.

Tests and benchmarks swap it in one way only: `with use_runtime(settings, recruitment=fake,
derived={build: value}):` — the runtime before comes back when the block ends.

Time is deliberately not part of it. `backend/clock.py` sits on the floor below (the runtime
imports it, to install JOBREADY_CLOCK when it is built), and code that may not reach the runtime
reads it: the connectors in `integrations/` (they import only core), the ID-card age check
(`security/idcard.py`) and the unit tests of such pure code, which configure no runtime.
A moved clock must also outlive runtime swaps: a test that moved time and then swaps settings
with `use_runtime` keeps its time. So tests move time with `clock.set_clock(fn)` (and
`set_clock(None)` after), the clock's one hook, and swap the runtime with `use_runtime`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from typing import TYPE_CHECKING, Any, TypeVar

from backend import clock
from backend.config import Settings
from backend.security.pii import PiiCipher

if TYPE_CHECKING:
    from backend.integrations.llm import ChatClient
    from backend.integrations.recruitment import RecruitmentConnector
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
    _recruitment: RecruitmentConnector | None = field(default=None, repr=False)
    _derived: dict[Any, Any] = field(default_factory=dict, repr=False)
    # Names of collaborators and keys of derived values a test gave: used as given, never rebuilt.
    _given: frozenset[Any] = field(default=frozenset(), repr=False)

    @property
    def wechat(self) -> WeChatConnector:
        """The mini-program's WeChat connector (built on first use)."""
        s = self.settings
        if "wechat" in self._given and self._wechat is not None:
            return self._wechat
        if self._wechat is None or (self._wechat.config.appid, self._wechat.config.api_base) != (
            s.wechat_appid,
            s.wechat_api_base,
        ):
            self._wechat = self._wechat_connector(
                self.settings.wechat_appid, self.settings.wechat_secret
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
        if "wechat_oa" in self._given:
            return self._wechat_oa
        if not (s.wechat_oa_appid and s.wechat_oa_secret):
            return None
        if self._wechat_oa is None or self._wechat_oa.config.appid != s.wechat_oa_appid:
            self._wechat_oa = self._wechat_connector(s.wechat_oa_appid, s.wechat_oa_secret)
        return self._wechat_oa

    def _wechat_connector(self, appid: str, secret: str) -> WeChatConnector:
        from backend.integrations.wechat import WeChatConfig, WeChatConnector

        s = self.settings
        config = WeChatConfig(
            api_base=s.wechat_api_base,
            appid=appid,
            secret=secret,
            timeout=s.wechat_timeout,
            max_workers=s.wechat_max_connections,
            redis_url=s.redis_url or None,
        )
        return WeChatConnector(config, http=self.wechat_http)

    @property
    def recruitment(self) -> RecruitmentConnector:
        """The recruitment site's connector (rebuilt when RECRUITMENT_API_BASE changes)."""
        from backend.integrations.recruitment import RecruitmentConnector, config_from_settings

        if "recruitment" in self._given and self._recruitment is not None:
            return self._recruitment
        config = config_from_settings(self.settings)
        if self._recruitment is None or self._recruitment.config.base_url != config.base_url:
            self._recruitment = RecruitmentConnector(config)
        return self._recruitment

    def derived(self, build: Callable[[Settings], T], *key: Any) -> T:
        """What `build` makes of these settings, built once (a hot path reads it without
        rebuilding; `key` names what else it depends on, e.g. a registry's version)."""
        memo_key = (build, *key)
        if memo_key not in self._derived:
            self._derived[memo_key] = build(self.settings)
        return self._derived[memo_key]

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
        if "llm" in self._given:
            return self._llm
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
        if self._recruitment is not None:
            await self._recruitment.close()
        self._wechat = self._wechat_oa = self._wechat_http = self._recruitment = None


_current: Runtime | None = None

# What a swapped runtime may be given instead of building it (`use_runtime`'s keywords).
_COLLABORATORS = ("wechat", "wechat_oa", "limits", "llm", "recruitment")


def configure(settings: Settings) -> Runtime:
    """Build the process's runtime from settings (kept as is for equal settings)."""
    global _current
    if _current is not None and _current.settings == settings:
        return _current
    _current = _build(settings)
    return _current


def _build(settings: Settings) -> Runtime:
    clock.configure_business_clock(settings.business_clock)  # JOBREADY_CLOCK (dev only)
    cipher = PiiCipher.from_secrets(settings.pii_encryption_keys, settings.pii_hash_key)
    return Runtime(settings=settings, cipher=cipher)


def runtime() -> Runtime:
    """The configured runtime; a clear error if the process forgot to configure it."""
    if _current is None:
        raise RuntimeError("backend.runtime.configure(settings) was not called")
    return _current


@contextmanager
def use_runtime(
    settings: Settings | None = None,
    *,
    derived: Mapping[Callable[[Settings], Any], Any] | None = None,
    **collaborators: Any,
) -> Iterator[Runtime]:
    """Run a block on other settings and/or given collaborators (tests, benchmarks).

    The runtime of the block keeps the clients already built (only what the new settings change
    is rebuilt); `collaborators` (wechat, wechat_oa, limits, llm, recruitment) and `derived`
    values (`{build: value}` for `runtime().derived(build)`) replace what would be built. Whatever
    the block installs (`configure`, `create_app`), the runtime before it is back afterwards.
    """
    global _current
    before = _current
    unknown = set(collaborators) - set(_COLLABORATORS)
    if unknown:
        raise TypeError(f"use_runtime: unknown collaborators {sorted(unknown)}")
    if before is None:
        swapped = _build(settings) if settings is not None else None
    else:
        kept = {key: value for key, value in before._derived.items() if key in before._given}
        swapped = _replace(before, settings=settings or before.settings, _derived=kept)
        keys = ("pii_encryption_keys", "pii_hash_key")
        if any(getattr(swapped.settings, k) != getattr(before.settings, k) for k in keys):
            swapped.cipher = _build(swapped.settings).cipher
    if swapped is not None:
        for name, value in collaborators.items():
            setattr(swapped, f"_{name}", value)
        given_derived = {(build,): value for build, value in (derived or {}).items()}
        swapped._derived.update(given_derived)
        swapped._given = swapped._given | set(collaborators) | set(given_derived)
        _current = swapped
    try:
        yield runtime()
    finally:
        if before is not None and swapped is not None and _current is swapped:
            _hand_back(swapped, before, given=set(collaborators))
        _current = before


def _hand_back(swapped: Runtime, before: Runtime, *, given: set[str]) -> None:
    """Clients first built inside a swapped block stay with the process's runtime (closed at
    its end) instead of leaking; each property rebuilds one whose settings no longer match."""
    for name in ("wechat_http", *_COLLABORATORS):
        if name in given:
            continue
        if getattr(before, f"_{name}") is None and getattr(swapped, f"_{name}") is not None:
            setattr(before, f"_{name}", getattr(swapped, f"_{name}"))
