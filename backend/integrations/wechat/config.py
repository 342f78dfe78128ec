"""Connection settings of the WeChat connector (built by the project's settings object)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WeChatConfig:
    """Where and how to reach the WeChat API; never reads environment variables itself."""

    api_base: str
    appid: str
    secret: str
    timeout: float = 5.0
    max_workers: int = 8  # connections of the HTTP pool: calls in flight at once
    redis_url: str | None = None
    token_refresh_margin: int = 300
    redis_key_prefix: str = "jobready:wechat:"

    def __post_init__(self) -> None:
        if not self.api_base.startswith(("http://", "https://")):
            raise ValueError(f"api_base must be an http(s) URL, got {self.api_base!r}")
        if self.timeout <= 0 or self.max_workers < 1 or self.token_refresh_margin < 0:
            raise ValueError("timeout > 0, max_workers >= 1 and token_refresh_margin >= 0 required")

    @property
    def base_url(self) -> str:
        """`api_base` without its trailing slash."""
        return self.api_base.rstrip("/")

    @property
    def token_key(self) -> str:
        """Redis key holding this appid's access token."""
        return f"{self.redis_key_prefix}access_token:{self.appid}"

    @property
    def token_lock_key(self) -> str:
        """Redis key of the lock serialising token refreshes across processes."""
        return f"{self.redis_key_prefix}access_token_lock:{self.appid}"
