"""Shared pieces of supervision: institution scope, averages, in-app notices.

The capabilities themselves live beside this file: `feedback.py` (每日意见), `notices.py`
(书面通报, 第九条), `blacklist.py` (第二十七条), `inspections.py` (明察暗访, 第二十八条) and
`instructor_actions.py` (第十六条).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Instructor, Role
from backend.classes.models import SessionInstructor
from backend.errors import InvalidInput, NotFound
from backend.notifications.inbox import inbox_message
from backend.notifications.models import InboxMessage

CENT = Decimal("0.01")
# 第十五条: HR evaluates the city's instructors (the registry is city-wide); each reads their own.
INSTRUCTOR_READERS = frozenset({Role.HR_ADMIN, Role.INSTRUCTOR})


def mean(total: int | Decimal, count: int) -> Decimal | None:
    """total / count rounded half-up to two places; None when there is nothing to average."""
    if count == 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


def as_number(value: Decimal | None) -> float | None:
    """A rounded Decimal as a JSON number (None stays None)."""
    return None if value is None else float(value)


async def readable_instructor(actor: Actor, instructor_id: int) -> Instructor:
    """The instructor, if HR (the registry is city-wide) or the instructor themself reads it."""
    require_role(actor, INSTRUCTOR_READERS)
    instructor = await Instructor.get_or_none(id=instructor_id)
    if instructor is not None and (
        actor.has_any({Role.HR_ADMIN}) or actor.instructor_id == instructor.id
    ):
        return instructor
    raise NotFound("讲师不存在或不在您的查看范围内", code="INSTRUCTOR_NOT_FOUND")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The UTC instants where a Shanghai calendar year begins and ends."""
    begin = datetime.combine(date(year, 1, 1), datetime.min.time(), clock.SHANGHAI)
    end = datetime.combine(date(year + 1, 1, 1), datetime.min.time(), clock.SHANGHAI)
    return begin.astimezone(UTC), end.astimezone(UTC)


async def taught_sessions(instructor_id: int, year: int) -> dict[int, int]:
    """第十五条 sessions taught in a year, session → class: booked and already started.

    Only committed bookings count: a substitute replaces the booking, and the sessions of a
    rejected plan were never taught.
    """
    begin, end = year_bounds(year)
    rows = await SessionInstructor.filter(
        instructor_id=instructor_id,
        committed=True,
        starts_at__gte=begin,
        starts_at__lt=end,
        starts_at__lte=clock.now(),
    ).values("session_id", "session__training_class_id")
    return {r["session_id"]: r["session__training_class_id"] for r in rows}


def past_or_today(day: date | None, *, what: str) -> date:
    """A date of something that happened: today when omitted, never in the future."""
    today = clock.today()
    if day is None:
        return today
    if day > today:
        raise InvalidInput(f"{what}不能晚于今天", code="DATE_IN_FUTURE", details={"date": str(day)})
    return day


def require_reason(reason: str, *, article: str = "") -> str:
    """A non-blank reason, stripped."""
    if not reason.strip():
        suffix = f"（{article}）" if article else ""
        raise InvalidInput(f"须填写原因{suffix}", code="REASON_REQUIRED")
    return reason.strip()


async def notify_inbox(*, user_ids: Iterable[int], title: str, body: str, page: str = "") -> None:
    """Put a message in each user's in-app inbox, inside the transaction of the fact behind it.

    In-app only, so the inbox row is the delivery itself: nothing leaves the system, and the
    outbox (which exists to send to WeChat exactly once) is not needed.
    """
    rows = [
        inbox_message(user_id=user_id, title=title, body=body, page=page)
        for user_id in sorted(set(user_ids))
    ]
    await InboxMessage.bulk_create(rows)
