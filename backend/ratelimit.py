"""Rate limits on guessable actions (login, binding, invitation codes), via `limits`.

In-process storage by default; Redis when REDIS_URL is set, so several API processes share the
counters. A refusal is logged: guessing ID-card numbers or codes should be visible.
"""

from __future__ import annotations

import logging
from typing import cast

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from backend.errors import TooManyRequests

log = logging.getLogger("jobready.ratelimit")

# action → limits that apply, each keyed by "user" or "ip".
POLICIES: dict[str, list[tuple[str, str]]] = {
    "login": [("ip", "30/minute")],
    "bind": [("user", "5/10 minutes"), ("ip", "30/hour")],
    "redeem": [("user", "5/10 minutes"), ("ip", "30/hour")],
    "phone": [("user", "10/hour")],
    "web_login": [("ip", "30/minute")],
}


class RateLimits:
    """Checks POLICIES against a storage shared by every process that uses the same Redis."""

    def __init__(self, redis_url: str = "") -> None:
        storage = (
            cast(Storage, storage_from_string("async+" + redis_url, implementation="redispy"))
            if redis_url
            else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._items: dict[str, RateLimitItem] = {}

    def _item(self, spec: str) -> RateLimitItem:
        if spec not in self._items:
            self._items[spec] = parse(spec)
        return self._items[spec]

    async def hit(self, action: str, *, user_id: int | None = None, ip: str = "") -> None:
        """Count one attempt; raise TooManyRequests when any limit of the action is exceeded."""
        keys = {"user": str(user_id) if user_id is not None else "", "ip": ip}
        for scope, spec in POLICIES[action]:
            if not keys[scope]:
                continue
            if not await self._limiter.hit(
                self._item(spec), "jobready", action, scope, keys[scope]
            ):
                log.warning(
                    "rate limit exceeded",
                    extra={"action": action, "scope": scope, "key": keys[scope], "limit": spec},
                )
                raise TooManyRequests(
                    "尝试次数过多，请稍后再试", code="TOO_MANY_ATTEMPTS", details={"limit": spec}
                )

    async def reset(self) -> None:
        """Forget every counter (tests)."""
        await self._limiter.storage.reset()
