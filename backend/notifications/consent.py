"""The subscribe-consent ledger: what each user allowed, per WeChat template, and every use.

``wx.requestSubscribeMessage`` answers per template: accept, reject, ban (the template was banned)
or filter (hidden by WeChat). Each one-time accept allows exactly one send; a long-term template
(named in WECHAT_LONG_TERM_TEMPLATES) sends without a count while its last answer is accept.

The same popup may be reported twice: by the mini-program (`POST /api/v1/me/subscriptions`) and
by WeChat's push callback (``subscribe_msg_popup_event``). An accept from one source that meets an
uncounted accept from the other within `PAIR_WINDOW` is that popup's twin: it is kept in the
ledger, pointing at its twin, and not counted again.

A message reserves one consent for itself (``OutboxMessage.consent_taken``) and keeps it across
retries and crashes; it is given back only when WeChat certainly did not use it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from backend import clock
from backend.notifications.models import (
    ConsentEvent,
    ConsentResult,
    OutboxMessage,
    OutboxStatus,
    SubscriptionConsent,
)
from backend.notifications.templates import all_templates, by_wechat_id

PAIR_WINDOW = timedelta(minutes=10)
SOURCES = ("api", "callback")


@dataclass(frozen=True)
class ConsentState:
    """What a user currently allows for one template."""

    template_id: str
    template_key: str | None
    long_term: bool
    remaining: int
    last_result: str | None

    @property
    def can_send(self) -> bool:
        """True when a send would be allowed now."""
        if self.long_term:
            return self.last_result == ConsentResult.ACCEPT
        return self.remaining > 0


def is_long_term(template_id: str) -> bool:
    """True when `template_id` is configured as a long-term subscribe template."""
    spec = by_wechat_id(template_id)
    return bool(spec and spec.long_term)


async def _locked_row(user_id: int, template_id: str, result: ConsentResult) -> SubscriptionConsent:
    """The consent row of (user, template), created if missing and locked for this transaction."""
    try:
        async with in_transaction():  # a savepoint: a racing insert only loses this step
            await SubscriptionConsent.create(
                user_id=user_id, template_id=template_id, remaining=0, last_result=result
            )
    except IntegrityError:
        pass
    row = (
        await SubscriptionConsent.filter(user_id=user_id, template_id=template_id)
        .select_for_update()
        .first()
    )
    assert row is not None
    return row


async def _uncounted_twin(
    user_id: int, template_id: str, source: str, now: datetime
) -> ConsentEvent | None:
    """A counted accept of the same popup reported by the other source, not yet paired."""
    if source not in SOURCES:
        return None
    other = SOURCES[1 - SOURCES.index(source)]
    paired = ConsentEvent.filter(user_id=user_id, paired_event_id__isnull=False)
    return (
        await ConsentEvent.filter(
            user_id=user_id,
            template_id=template_id,
            event=ConsentResult.ACCEPT.value,
            source=other,
            paired_event_id__isnull=True,
            created_at__gte=now - PAIR_WINDOW,
        )
        .exclude(id__in=Subquery(paired.values("paired_event_id")))
        .order_by("created_at", "id")
        .first()
    )


async def record_consent(
    *, user_id: int, template_id: str, result: ConsentResult, source: str = "api"
) -> SubscriptionConsent:
    """Record one answer of the subscribe popup; an accept adds one send unless it is a twin."""
    now = clock.now()
    async with in_transaction():
        row = await _locked_row(user_id, template_id, result)
        twin = None
        if result is ConsentResult.ACCEPT:
            twin = await _uncounted_twin(user_id, template_id, source, now)
            if twin is None and not is_long_term(template_id):
                row.remaining += 1
        elif result is ConsentResult.BAN:
            row.remaining = 0
        if result is not ConsentResult.FILTER:
            row.last_result = result
        await row.save(update_fields=["remaining", "last_result", "updated_at"])
        await ConsentEvent.create(
            user_id=user_id,
            template_id=template_id,
            event=result.value,
            source=source,
            paired_event_id=twin.id if twin else None,
            created_at=now,
        )
    return row


async def record_subscription_results(
    *, user_id: int, results: Mapping[str, ConsentResult], source: str = "api"
) -> list[ConsentState]:
    """Record every template's answer of one ``wx.requestSubscribeMessage`` call."""
    for template_id, result in results.items():
        await record_consent(user_id=user_id, template_id=template_id, result=result, source=source)
    return await consent_states(user_id=user_id)


async def record_setting_change(
    *, user_id: int, template_id: str, accepted: bool, source: str = "callback"
) -> None:
    """The user switched a template on or off in the mini-program's settings."""
    now = clock.now()
    result = ConsentResult.ACCEPT if accepted else ConsentResult.REJECT
    async with in_transaction():
        row = await _locked_row(user_id, template_id, result)
        row.last_result = result
        if not accepted:
            row.remaining = 0  # WeChat refuses every send from now on
        await row.save(update_fields=["remaining", "last_result", "updated_at"])
        await ConsentEvent.create(
            user_id=user_id,
            template_id=template_id,
            event="turned_on" if accepted else "turned_off",
            source=source,
            created_at=now,
        )


async def consent_states(*, user_id: int) -> list[ConsentState]:
    """The user's consent for every known template, and for any other recorded template id."""
    rows = {r.template_id: r for r in await SubscriptionConsent.filter(user_id=user_id)}
    states = []
    for spec in all_templates():
        row = rows.pop(spec.subscribe_id, None)
        states.append(_state(spec.subscribe_id, row))
    states += [_state(template_id, row) for template_id, row in sorted(rows.items())]
    return states


def _state(template_id: str, row: SubscriptionConsent | None) -> ConsentState:
    spec = by_wechat_id(template_id)
    return ConsentState(
        template_id=template_id,
        template_key=spec.key if spec else None,
        long_term=bool(spec and spec.long_term),
        remaining=row.remaining if row else 0,
        last_result=row.last_result.value if row else None,
    )


class LeaseLost(Exception):
    """This worker no longer holds a message (its lease expired and another took it)."""


def _key(message: OutboxMessage, template_id: str) -> tuple[int, str]:
    assert message.user_id is not None
    return message.user_id, template_id


async def reserve_consents(*, claim: str, wanted: Sequence[tuple[OutboxMessage, str]]) -> set[int]:
    """Give each message one consent of its template, in order; returns the ids that hold one.

    Call inside the transaction that prepares a batch: the consent rows are locked, the counts
    taken in one statement per amount, the uses written to the ledger, and the messages marked
    (``consent_taken``) so a retry or a crash never takes a second one. Raises LeaseLost when a
    message is no longer this claim's (the caller abandons the batch).
    """
    granted = {m.id for m, _ in wanted if m.consent_taken}
    todo = [(m, t) for m, t in wanted if not m.consent_taken and m.user_id is not None]
    if not todo:
        return granted
    rows = await _lock_consents({m.user_id for m, _ in todo}, {t for _, t in todo})
    taken: Counter[tuple[int, str]] = Counter()
    newly: list[tuple[OutboxMessage, str]] = []
    for message, template_id in todo:
        row = rows.get(_key(message, template_id))
        if row is None:
            continue
        if is_long_term(template_id):
            if row.last_result == ConsentResult.ACCEPT:
                granted.add(message.id)
        elif row.remaining > taken[_key(message, template_id)]:
            taken[_key(message, template_id)] += 1
            newly.append((message, template_id))
    await _take(rows, taken)
    await _mark_taken(claim, newly)
    return granted | {m.id for m, _ in newly}


@dataclass(frozen=True, slots=True)
class _Held:
    """A consent row locked while a batch is prepared (what the reservation reads of it)."""

    id: int
    remaining: int
    last_result: ConsentResult


_LOCK_CONSENTS_PG = """
SELECT id, user_id, template_id, remaining, last_result FROM subscription_consent
 WHERE user_id = ANY($1::int[]) AND template_id = ANY($2::text[])
   FOR UPDATE
"""


async def _lock_consents(users: set[Any], templates: set[str]) -> dict[tuple[int, str], _Held]:
    """The consent rows of these users and templates, locked (PostgreSQL: FOR UPDATE; SQLite
    has one writer at a time). Plain rows, not models: a batch reads hundreds of them."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        found = await connection.execute_query_dict(
            _LOCK_CONSENTS_PG, [sorted(users), sorted(templates)]
        )
    else:
        found = await SubscriptionConsent.filter(
            user_id__in=users, template_id__in=templates
        ).values("id", "user_id", "template_id", "remaining", "last_result")
    return {
        (r["user_id"], r["template_id"]): _Held(
            r["id"], r["remaining"], ConsentResult(r["last_result"])
        )
        for r in found
    }


_LEDGER_USES_PG = """
INSERT INTO consent_event (user_id, template_id, event, source, outbox_id, created_at)
SELECT u.user_id, u.template_id, 'used', 'dispatch', u.outbox_id, $4
  FROM unnest($1::int[], $2::text[], $3::bigint[]) AS u(user_id, template_id, outbox_id)
"""


async def _ledger_uses(newly: list[tuple[OutboxMessage, str]], now: datetime) -> None:
    """One 'used' ledger line per consent taken, in one statement."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        columns = [[m.user_id for m, _ in newly], [t for _, t in newly], [m.id for m, _ in newly]]
        await connection.execute_query(_LEDGER_USES_PG, [*columns, now])
        return
    await ConsentEvent.bulk_create(
        [
            ConsentEvent(
                user_id=m.user_id,
                template_id=t,
                event="used",
                source="dispatch",
                outbox_id=m.id,
                created_at=now,
            )
            for m, t in newly
        ]
    )


async def _take(rows: dict[tuple[int, str], _Held], taken: Counter[Any]) -> None:
    by_amount: dict[int, list[int]] = defaultdict(list)
    for key, amount in taken.items():
        by_amount[amount].append(rows[key].id)
    for amount, ids in by_amount.items():
        done = await SubscriptionConsent.filter(id__in=ids, remaining__gte=amount).update(
            remaining=F("remaining") - amount
        )
        if done != len(ids):  # changed since read (SQLite has no row locks): try again later
            raise LeaseLost("consent changed while reserving")


async def _mark_taken(claim: str, newly: list[tuple[OutboxMessage, str]]) -> None:
    if not newly:
        return
    ids = [m.id for m, _ in newly]
    marked = await OutboxMessage.filter(
        id__in=ids, claimed_by=claim, status=OutboxStatus.SENDING, consent_taken=False
    ).update(consent_taken=True)
    if marked != len(ids):
        raise LeaseLost(f"{len(ids) - marked} messages are no longer claimed by {claim}")
    await _ledger_uses(newly, clock.now())
    for message, _ in newly:
        message.consent_taken = True


async def reserve_consent(*, message: OutboxMessage, claim: str, template_id: str) -> bool:
    """Take one consent for one message (its own transaction); False when none is left."""
    async with in_transaction():
        granted = await reserve_consents(claim=claim, wanted=[(message, template_id)])
    return message.id in granted


async def release_consent(*, message: OutboxMessage, template_id: str) -> None:
    """WeChat did not use the reserved consent (a permanent error): give it back."""
    if message.user_id is None or is_long_term(template_id):
        return
    returned = await OutboxMessage.filter(id=message.id, consent_taken=True).update(
        consent_taken=False
    )
    if not returned:
        return
    await SubscriptionConsent.filter(user_id=message.user_id, template_id=template_id).update(
        remaining=F("remaining") + 1
    )
    await ConsentEvent.create(
        user_id=message.user_id,
        template_id=template_id,
        event="released",
        source="dispatch",
        outbox_id=message.id,
        created_at=clock.now(),
    )


async def consent_refused(*, user_id: int, template_id: str, outbox_id: int) -> None:
    """WeChat answered 43101: whatever our ledger said, no consent is left for this template."""
    await SubscriptionConsent.filter(user_id=user_id, template_id=template_id).update(
        remaining=0, last_result=ConsentResult.REJECT
    )
    await ConsentEvent.create(
        user_id=user_id,
        template_id=template_id,
        event="refused",
        source="dispatch",
        outbox_id=outbox_id,
        created_at=clock.now(),
    )
