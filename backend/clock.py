"""The current time, in one place, so tests can move it (a class's whole lifecycle, 6 months).

In development a process may also run on a business clock of its own (`JOBREADY_CLOCK`, see
`parse_business_clock`): a demo at 23:00 can show a class's 08:30 check-in. The API and the
worker read it the same way, through `configure_business_clock` when their runtime is built.

The clock is not a collaborator of the runtime (`backend/runtime.py` says why: it is below it,
and pure rules read it with no runtime configured); `set_clock` is its one hook, for tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import PlainSerializer, WithJsonSchema

SHANGHAI = ZoneInfo("Asia/Shanghai")

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _now()


def wall() -> datetime:
    """The real time, whatever business clock is set (timezone-aware UTC).

    For what runs on real time, not on the business calendar: session-token lifetimes (a token
    issued before a test or a demo moves the clock stays valid) and WeChat's daily quotas.
    """
    return datetime.now(UTC)


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


def local_iso(dt: datetime) -> str:
    """The one form of a time people see: ISO 8601 in Asia/Shanghai (`2026-12-07T09:30:00+08:00`).

    A naive value is taken as UTC (how the database stores time).
    """
    return local(dt if dt.tzinfo else dt.replace(tzinfo=UTC)).isoformat()


# The type of every time field of a response model: whatever the service holds (a UTC datetime
# from the database, or an ISO string with any offset), the body says `+08:00` — in
# `model_dump()` as in JSON. A test over HTTP checks no response time ends in Z/+00:00.
LocalDateTime = Annotated[
    datetime,
    PlainSerializer(local_iso, return_type=str, when_used="always"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601 in Asia/Shanghai, e.g. 2026-12-07T09:30:00+08:00",
        },
        mode="serialization",
    ),
]


_SHIFT = re.compile(r"([+-])((?:\d+[dhms])+)")
_SHIFT_PART = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_business_clock(spec: str) -> Callable[[], datetime] | None:
    """JOBREADY_CLOCK → a clock function (None for "" = the real time).

    `fixed:2026-12-08T08:40` — always that instant (Asia/Shanghai unless the value carries an
    offset); `shift:+9h30m` / `shift:-2d` — the real time moved by that much (units d, h, m, s),
    so codes keep rotating. Raises ValueError for anything else.
    """
    spec = spec.strip()
    if not spec:
        return None
    kind, _, value = spec.partition(":")
    if kind == "fixed":
        try:
            instant = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not an ISO date-time: {value!r}") from None
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=SHANGHAI)
        fixed = instant.astimezone(UTC)
        return lambda: fixed
    if kind == "shift":
        match = _SHIFT.fullmatch(value.strip())
        if not match:
            raise ValueError(f"not a shift like +9h30m or -2d: {value!r}")
        delta = timedelta(
            **{_UNITS[unit]: int(n) for n, unit in _SHIFT_PART.findall(match.group(2))}
        )
        offset = delta if match.group(1) == "+" else -delta
        return lambda: datetime.now(UTC) + offset
    raise ValueError(f"expected fixed:<date-time> or shift:<±duration>, got {spec!r}")


def configure_business_clock(spec: str) -> None:
    """Run this process on JOBREADY_CLOCK; an empty value leaves the clock as it is."""
    fn = parse_business_clock(spec)
    if fn is not None:
        set_clock(fn)
