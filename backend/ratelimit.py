"""Rate limits on guessable actions (login, binding, invitation codes), via `limits`.

In-process storage by default; Redis when REDIS_URL is set, so several API processes share the
counters. A refusal is logged: guessing ID-card numbers or codes should be visible.

The tight limits are per identity — the WeChat account (`user`), the roster row a binding
names (`row`, its ID-number hash) — so guessing is slow. Per-IP limits only stop floods: a
200-seat class shares one venue Wi-Fi address and logs in and binds within minutes, so they
sit well above that (1,000 per minute or hour).
"""

from __future__ import annotations

import logging
import math
import time
from typing import cast

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from backend.errors import TooManyRequests

log = logging.getLogger("jobready.ratelimit")

# action → limits that apply, each keyed by "user", "row" (a roster row) or "ip".
POLICIES: dict[str, list[tuple[str, str]]] = {
    "login": [("ip", "1000/minute"), ("user", "20/minute")],
    "bind": [("user", "5/10 minutes"), ("row", "10/hour"), ("ip", "1000/hour")],
    "redeem": [("user", "5/10 minutes"), ("ip", "1000/hour")],
    "phone": [("user", "10/hour")],
    "web_login": [("ip", "30/minute")],
    "verify": [("ip", "60/minute")],
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

    async def hit(
        self, action: str, *, user_id: int | None = None, ip: str = "", row: str = ""
    ) -> None:
        """Count one attempt; raise TooManyRequests when any limit of the action is exceeded.

        Only the scopes given are counted (a login counts its IP before WeChat names the user).
        The error carries `retry_after` (seconds), sent as the Retry-After header.
        """
        keys = {"user": str(user_id) if user_id is not None else "", "ip": ip, "row": row}
        for scope, spec in POLICIES[action]:
            if not keys[scope]:
                continue
            item, key = self._item(spec), ("jobready", action, scope, keys[scope])
            if not await self._limiter.hit(item, *key):
                reset_at, _ = await self._limiter.get_window_stats(item, *key)
                retry_after = max(1, math.ceil(reset_at - time.time()))
                log.warning(
                    "rate limit exceeded",
                    extra={"action": action, "scope": scope, "key": keys[scope], "limit": spec},
                )
                raise TooManyRequests(
                    "尝试次数过多，请稍后再试",
                    code="TOO_MANY_ATTEMPTS",
                    details={"limit": spec, "retry_after": retry_after},
                )

    async def first_use(self, namespace: str, key: str, *, seconds: int) -> bool:
        """True the first time `key` is seen in `seconds`, False on a repeat (replay guard)."""
        return await self._limiter.hit(self._item(f"1/{seconds} seconds"), "once", namespace, key)

    async def forget_use(self, namespace: str, key: str, *, seconds: int) -> None:
        """Forget that `key` was seen (its use failed: the sender's retry must be accepted)."""
        await self._limiter.clear(self._item(f"1/{seconds} seconds"), "once", namespace, key)

    async def reset(self) -> None:
        """Forget every counter (tests)."""
        await self._limiter.storage.reset()
