"""The in-app inbox: every message a user was sent (or could not be sent) can be read here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend import clock
from backend.errors import NotFound
from backend.notifications.models import InboxMessage


def inbox_message(
    *,
    user_id: int,
    title: str,
    body: str,
    page: str = "",
    outbox_id: int | None = None,
    now: datetime | None = None,
) -> InboxMessage:
    """An inbox row (unsaved), its texts cut to the columns, dated by the business clock."""
    title, body, page = inbox_fields(title=title, body=body, page=page)
    return InboxMessage(
        user_id=user_id,
        title=title,
        body=body,
        page=page,
        outbox_id=outbox_id,
        created_at=now or clock.now(),
    )


def inbox_fields(*, title: str, body: str, page: str = "") -> tuple[str, str, str]:
    """Title, body and page of an inbox row, cut to its columns."""
    return title[:100], body, page[:200]


@dataclass(frozen=True)
class InboxPage:
    """A page of the inbox, newest first."""

    total: int
    unread: int
    items: list[InboxMessage]


async def list_inbox(*, user_id: int, unread_only: bool, offset: int, limit: int) -> InboxPage:
    """The user's messages, newest first."""
    query = InboxMessage.filter(user_id=user_id)
    unread = await query.filter(read_at__isnull=True).count()
    if unread_only:
        query = query.filter(read_at__isnull=True)
    total = await query.count()
    items = await query.order_by("-created_at", "-id").offset(offset).limit(limit)
    return InboxPage(total=total, unread=unread, items=items)


async def mark_read(*, user_id: int, message_id: int) -> InboxMessage:
    """Mark one of the user's messages read (idempotent)."""
    message = await InboxMessage.get_or_none(id=message_id, user_id=user_id)
    if message is None:
        raise NotFound("消息不存在", code="INBOX_MESSAGE_NOT_FOUND")
    if message.read_at is None:
        message.read_at = clock.now()
        await message.save(update_fields=["read_at"])
    return message
