"""Writing to the outbox: call `enqueue` inside the transaction of the fact behind the message.

The dispatcher (claiming, sending, retrying, falling back) lives in `dispatch.py`; channels
register a handler there. Uniqueness is the database's job: a second enqueue with the same
dedupe key is a no-op, however the two race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.notifications.models import Channel, OutboxMessage


async def enqueue(
    *,
    dedupe_key: str,
    channel: Channel,
    template_key: str,
    payload: dict[str, Any],
    user_id: int | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage | None:
    """Add one message unless its dedupe key exists; returns the new row or None."""
    try:
        async with in_transaction():  # a savepoint inside the caller's transaction
            return await OutboxMessage.create(
                dedupe_key=dedupe_key,
                channel=channel,
                template_key=template_key,
                payload=payload,
                user_id=user_id,
                next_attempt_at=not_before or clock.now(),
            )
    except IntegrityError:
        return None
