"""The current time, in one place, so tests can move it (a class's whole lifecycle, 6 months)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _now()


def today() -> date:
    """Today's date in Asia/Shanghai, where the business rules live."""
    return now().astimezone(SHANGHAI).date()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); None restores the real one."""
    global _now
    _now = fn or (lambda: datetime.now(UTC))


def local(dt: datetime) -> datetime:
    """A datetime shown in Asia/Shanghai."""
    return dt.astimezone(SHANGHAI)
