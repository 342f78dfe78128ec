"""The outbox dispatcher: claim due messages, prepare them, send each, record the outcomes.

Claiming is the database's job, so any number of workers may run (docs/outbox.md):

- PostgreSQL: one statement, ``UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED LIMIT n)
  RETURNING``, picks rows no other worker is looking at and marks them ``sending`` with a lease.
- SQLite (no row locks): one conditional ``UPDATE … WHERE id IN (…) AND <still due>``; SQLite runs
  one writer at a time, so a row is claimed by whichever statement reaches it first.

Every claim carries a token (``claimed_by``); every later write about the row is conditional on
that token, so a worker whose lease expired cannot overwrite the result of the worker that took
the row over. A crashed worker's rows become due again when their lease ends.

A claimed batch is prepared in one transaction (recipients, template data, consent, daily cap)
while the batch before it is still being sent, then sent with at most OUTBOX_CONCURRENCY messages
on their way: a slot is freed only once the outcome is committed, so a crash makes the next worker
resend at most that many (at-least-once: WeChat has no idempotency key; docs/outbox.md). The
connector's error classes decide what happens next (see `channels.py`): RETRY → back-off with
jitter, 43101 → fall back (but a resend after a crash that meets 43101 is delivered, not
confirmed), any other PERMANENT error → failed with the reason kept. A message that cannot reach
the person lands in the in-app inbox and opens a phone-call task: nothing is silently dropped.
Pushes wait out the quiet hours (NOTIFY_QUIET_HOURS, 21:00–08:00 Asia/Shanghai by default) and a
per-user daily cap (NOTIFY_DAILY_CAP); the lease and the number of attempts are
OUTBOX_LEASE_SECONDS and OUTBOX_MAX_ATTEMPTS, read from the settings when used.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import random
import socket
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.models import Trainee, WeChatIdentity
from backend.integrations.wechat import WeChatConnector, WeChatError
from backend.notifications import consent
from backend.notifications.channels import (
    HANDLERS,
    REFUSED,
    Attempt,
    Outcome,
    Recipient,
    Result,
    outcome_of_error,
)
from backend.notifications.inbox import inbox_fields, inbox_message
from backend.notifications.models import (
    Channel,
    InboxMessage,
    OutboxMessage,
    OutboxStatus,
    PushDayCount,
    TaskKind,
)
from backend.notifications.tasks import instructor_for, open_task
from backend.notifications.templates import (
    Rendered,
    TemplateDataError,
    TemplateSpec,
    find_template,
)
from backend.runtime import runtime

log = logging.getLogger("jobready.dispatch")

BASE_DELAY = 30.0  # seconds before the first retry, doubled each attempt
MAX_DELAY = 6 * 3600.0
BATCH_SIZE = 200
RECORDERS = 1  # groups of outcomes being written at once (see Dispatcher._send_all)
PHONE_TASK_DAYS = 3
TEMPLATE_CHANNELS = (Channel.SUBSCRIBE, Channel.TEMPLATE, Channel.INBOX)
TERMINAL = (Result.SENT, Result.UNCONFIRMED, Result.FALLBACK, Result.FAILED)
DELIVERED = (Result.SENT, Result.UNCONFIRMED)  # the push went out: its daily-cap slot is used
UNCONFIRMED_STATUS = "unconfirmed"  # delivery_status of a resend that met 43101

_random = random.Random()


# -- the figures (settings) -----------------------------------------------------------------------


def quiet_hours() -> tuple[time, time]:
    """NOTIFY_QUIET_HOURS: (start, end) of the hours without pushes, Asia/Shanghai."""
    return runtime().settings.quiet_hours


def daily_cap() -> int:
    """NOTIFY_DAILY_CAP: pushes per user per Asia/Shanghai day."""
    return int(runtime().settings.notify_daily_cap)


def lease() -> timedelta:
    """OUTBOX_LEASE_SECONDS: how long a claim holds (more than one send: timeout, token, retry)."""
    return timedelta(seconds=runtime().settings.outbox_lease_seconds)


def max_attempts() -> int:
    """OUTBOX_MAX_ATTEMPTS: attempts before a message falls back."""
    return int(runtime().settings.outbox_max_attempts)


def concurrency() -> int:
    """OUTBOX_CONCURRENCY: messages on their way at once (sent and not yet recorded included)."""
    return int(runtime().settings.outbox_concurrency)


# -- time rules -----------------------------------------------------------------------------------


def in_quiet_hours(now: datetime) -> bool:
    """True within the quiet hours, Asia/Shanghai (no pushes then; equal start and end: never)."""
    local = clock.local(now).time()
    start, end = quiet_hours()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_morning(now: datetime, *, spread: float = 1800.0) -> datetime:
    """The end of the quiet hours on the next Shanghai day, plus up to `spread` seconds so not
    all go at once (with no quiet hours: that same time of day)."""
    day = clock.local(now).date() + timedelta(days=1)
    morning = datetime.combine(day, quiet_hours()[1], clock.SHANGHAI).astimezone(UTC)
    return morning + timedelta(seconds=_random.uniform(0, spread))  # UTC: SQLite compares text


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next attempt: exponential, equal jitter, never below `retry_after`."""
    ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempts - 1))
    delay = ceiling / 2 + _random.uniform(0, ceiling / 2)
    return max(delay, retry_after or 0.0)


# -- claiming -------------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    pending = Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=OutboxStatus.SENDING, lease_until__lt=now)
    return pending | abandoned


def _claim_fields(claim: str, now: datetime) -> dict[str, Any]:
    return {
        "status": OutboxStatus.SENDING,
        "claimed_by": claim,
        "lease_until": now + lease(),
        "attempts": F("attempts") + 1,
    }


def _dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


# PostgreSQL: pick due rows no other worker is looking at and claim them, in ONE statement.
_CLAIM_PG = """
UPDATE outbox_message AS o SET status = 'sending', claimed_by = $1, lease_until = $2,
       attempts = o.attempts + 1
  FROM (SELECT id, status
          FROM outbox_message
         WHERE channel = ANY($4::text[])
           AND ((status = 'pending' AND next_attempt_at <= $3)
                OR (status = 'sending' AND lease_until < $3))
         ORDER BY next_attempt_at, id
         LIMIT $5
           FOR UPDATE SKIP LOCKED) AS due
 WHERE o.id = due.id
RETURNING o.*, due.status AS previous
"""


async def _claim_rows(
    claim: str, now: datetime, limit: int, channels: list[Channel]
) -> tuple[list[tuple[int, str]], list[OutboxMessage] | None]:
    """Claim due rows; returns (id, status before the claim) of each row claimed and, where
    the claim returned them (PostgreSQL), the rows themselves."""
    if _dialect() == "postgres":
        rows = await connections.get("default").execute_query_dict(
            _CLAIM_PG, [claim, now + lease(), now, [c.value for c in channels], limit]
        )
        found = [(row["id"], row.pop("previous")) for row in rows]
        messages = sorted((OutboxMessage._init_from_db(**row) for row in rows), key=_by_id)
        return found, messages
    candidates = OutboxMessage.filter(_due(now), channel__in=channels).order_by(
        "next_attempt_at", "id"
    )
    found = list(await candidates.limit(limit).values_list("id", "status"))
    if not found:
        return [], None
    ids = [row_id for row_id, _ in found]
    # one statement that re-checks "still due" as it claims (SQLite: one writer at a time)
    await OutboxMessage.filter(_due(now), id__in=ids).update(**_claim_fields(claim, now))
    return found, None


def _by_id(message: OutboxMessage) -> int:
    return int(message.id)


async def claim_messages(
    *, claim: str, now: datetime, limit: int, channels: list[Channel]
) -> tuple[list[OutboxMessage], set[int]]:
    """Claim up to `limit` due messages of `channels` for `claim`, in one statement; returns
    them and the ids taken over from a worker whose lease ran out (their send may have gone)."""
    found, claimed = await _claim_rows(claim, now, limit, channels)
    if not found:
        return [], set()
    if claimed is None:
        claimed = await OutboxMessage.filter(
            id__in=[row_id for row_id, _ in found], claimed_by=claim, status=OutboxStatus.SENDING
        ).order_by("id")
    return claimed, {row_id for row_id, status in found if status == OutboxStatus.SENDING}


async def claim_batch(
    *, claim: str, now: datetime, limit: int, channels: list[Channel]
) -> list[OutboxMessage]:
    """Claim up to `limit` due messages of `channels` for `claim`; returns them."""
    return (await claim_messages(claim=claim, now=now, limit=limit, channels=channels))[0]


async def _keep_leases(claim: str) -> None:
    """While a batch is being sent, extend the lease of its rows still in flight.

    A batch may take longer than one lease when WeChat is slow (every call up to its timeout);
    a crashed worker stops renewing, and its rows become due once the last lease ends.
    """
    while True:
        await asyncio.sleep(lease().total_seconds() / 3)
        await OutboxMessage.filter(claimed_by=claim, status=OutboxStatus.SENDING).update(
            lease_until=clock.now() + lease()
        )


async def release_claims(*, claim_prefix: str) -> int:
    """Give back rows still claimed under `claim_prefix` (a stopping worker): pending again now."""
    return await OutboxMessage.filter(
        claimed_by__startswith=claim_prefix, status=OutboxStatus.SENDING
    ).update(
        status=OutboxStatus.PENDING,
        lease_until=None,
        claimed_by="",
        next_attempt_at=clock.now(),
        attempts=F("attempts") - 1,
    )


# -- preparing a batch ----------------------------------------------------------------------------


async def recipients_of(user_ids: Sequence[int]) -> dict[int, Recipient]:
    """WeChat identities of these users, in one query."""
    rows = await WeChatIdentity.filter(user_id__in=set(user_ids)).values(
        "user_id", "openid", "oa_openid"
    )
    return {r["user_id"]: Recipient(r["user_id"], r["openid"], r["oa_openid"]) for r in rows}


_ADD_COUNTERS_PG = """
INSERT INTO push_day_count (user_id, day, count)
SELECT u, $2, 0 FROM unnest($1::int[]) AS u
    ON CONFLICT DO NOTHING
"""
_LOCK_COUNTERS_PG = """
SELECT id, user_id, count FROM push_day_count WHERE user_id = ANY($1::int[]) AND day = $2
   FOR UPDATE
"""


async def _lock_counters(users: set[int], day: date) -> dict[int, tuple[int, int]]:
    """The users' push counters of `day` (created at 0 if missing), locked: user → (id, count).
    Plain rows, not models: a batch reads hundreds of them."""
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query(_ADD_COUNTERS_PG, [sorted(users), day])
        found = await connection.execute_query_dict(_LOCK_COUNTERS_PG, [sorted(users), day])
    else:  # one writer at a time: no lock needed
        await PushDayCount.bulk_create(
            [PushDayCount(user_id=u, day=day, count=0) for u in users], ignore_conflicts=True
        )
        found = await PushDayCount.filter(user_id__in=users, day=day).values(
            "id", "user_id", "count"
        )
    return {r["user_id"]: (r["id"], r["count"]) for r in found}


async def reserve_push_slots(*, attempts: Sequence[Attempt], day: date) -> set[int]:
    """Take the users' pushes of `day` (the daily cap each), in order; returns the ids served.

    Call inside the preparing transaction: the counters are created if missing, locked, and
    raised in one statement per amount.
    """
    users = {a.message.user_id for a in attempts if a.message.user_id is not None}
    if not users:
        return set()
    rows = await _lock_counters(users, day)
    cap, served, taken = daily_cap(), set(), Counter[int]()
    for attempt in attempts:
        user = attempt.message.user_id
        if user is not None and rows[user][1] + taken[user] < cap:
            taken[user] += 1
            served.add(attempt.message.id)
            attempt.cap_day = day
    by_amount: dict[int, list[int]] = defaultdict(list)
    for user, amount in taken.items():
        by_amount[amount].append(rows[user][0])
    for amount, ids in by_amount.items():
        done = await PushDayCount.filter(id__in=ids, count__lte=cap - amount).update(
            count=F("count") + amount
        )
        if done != len(ids):  # changed since read (SQLite has no row locks): try again later
            raise consent.LeaseLost("push counters changed while reserving")
    return served


async def release_push_slot(*, user_id: int, day: date) -> None:
    """An attempt that did not send gives its slot back."""
    await PushDayCount.filter(user_id=user_id, day=day, count__gt=0).update(count=F("count") - 1)


def _render(attempt: Attempt) -> bool:
    try:
        attempt.rendered = attempt.spec.render(attempt.message.payload)
    except TemplateDataError as err:
        attempt.decide(Result.FAILED, f"模板参数不符合要求：{err}")
        return False
    return True


def _can_use_official_account(attempt: Attempt) -> bool:
    who = attempt.recipient
    return bool(
        who and who.oa_openid and attempt.spec.oa_template_id and attempt.oa_connector is not None
    )


async def _route_subscribe(attempts: list[Attempt]) -> None:
    """Subscribe messages keep a consent, else go by the official account, else fall back."""
    wanted = []
    for attempt in attempts:
        if not _render(attempt):
            continue
        if attempt.recipient is None or not attempt.recipient.openid:
            attempt.decide(Result.FALLBACK, "用户未绑定微信，无法推送")
        else:
            wanted.append((attempt.message, attempt.spec.subscribe_id))
    granted = await consent.reserve_consents(claim=attempts[0].claim, wanted=wanted)
    for attempt in attempts:
        if attempt.ready is not None:
            continue
        if attempt.message.id in granted:
            attempt.template_id = attempt.spec.subscribe_id
        elif _can_use_official_account(attempt):
            attempt.route = Channel.TEMPLATE
        else:
            attempt.decide(Result.FALLBACK, "没有可用的订阅消息授权")


def _route_template(attempt: Attempt) -> None:
    if attempt.rendered is None and not _render(attempt):
        return
    if not _can_use_official_account(attempt):
        attempt.decide(Result.FALLBACK, "用户未关注公众号或未配置公众号模板消息")


async def prepare_batch(attempts: list[Attempt], now: datetime) -> None:
    """Route each attempt, take consents and daily-cap slots; settle those that cannot go now."""
    for attempt in attempts:
        attempt.route = attempt.message.channel
    subscribe = [a for a in attempts if a.route is Channel.SUBSCRIBE]
    if subscribe:
        await _route_subscribe(subscribe)
    for attempt in attempts:
        if attempt.ready is None and attempt.route is Channel.TEMPLATE:
            _route_template(attempt)
    pushes = [
        a for a in attempts if a.ready is None and a.route is not None and HANDLERS[a.route].push
    ]
    served = await reserve_push_slots(attempts=pushes, day=clock.local(now).date())
    for attempt in pushes:
        if attempt.message.id not in served:
            attempt.ready = Outcome(
                Result.DEFER, reason="已达到每日推送上限，明日再发", not_before=next_morning(now)
            )


# -- recording outcomes ---------------------------------------------------------------------------


def _status_fields(outcome: Outcome, message: OutboxMessage, now: datetime) -> dict[str, Any]:
    common: dict[str, Any] = {
        "lease_until": None,
        "last_error": outcome.reason,
        "last_errcode": outcome.errcode,
    }
    if outcome.result is Result.SENT:
        return {
            **common,
            "status": OutboxStatus.SENT,
            "sent_at": now,
            "wechat_msgid": outcome.msgid,
        }
    if outcome.result is Result.UNCONFIRMED:
        return {
            **common,
            "status": OutboxStatus.SENT,
            "sent_at": now,
            "delivery_status": UNCONFIRMED_STATUS,
        }
    if outcome.result is Result.RETRY:
        wait = backoff(message.attempts, outcome.retry_after)
        return {
            **common,
            "status": OutboxStatus.PENDING,
            "next_attempt_at": now + timedelta(seconds=wait),
        }
    if outcome.result is Result.DEFER:
        return {
            **common,
            "status": OutboxStatus.PENDING,
            "next_attempt_at": outcome.not_before or now,
            "attempts": F("attempts") - 1,
        }
    status = OutboxStatus.FAILED if outcome.result is Result.FAILED else OutboxStatus.FALLBACK
    return {**common, "status": status}


def _settle_resend(attempt: Attempt, outcome: Outcome) -> Outcome:
    """A resend after a crash that meets 43101 with the message's own consent taken: the dead
    worker's send most likely used that consent (WeChat has no idempotency key to ask), so the
    message is delivered, not confirmed — not a refusal, no fallback and no phone call."""
    if outcome.errcode == REFUSED and attempt.maybe_sent and attempt.template_id is not None:
        reason = (
            f"送达未确认：重发遇到 43101，崩溃前的发送很可能已用掉这次订阅授权（{outcome.reason}）"
        )
        return Outcome(Result.UNCONFIRMED, reason=reason[:1000], errcode=REFUSED)
    return outcome


def _give_up_if_exhausted(outcome: Outcome, message: OutboxMessage) -> Outcome:
    if outcome.result is Result.RETRY and message.attempts >= max_attempts():
        reason = f"重试{message.attempts}次仍未成功：{outcome.reason}"
        return Outcome(Result.FALLBACK, reason=reason, errcode=outcome.errcode)
    return outcome


Done = tuple[Attempt, Outcome]


def _is_plain_send(outcome: Outcome) -> bool:
    return outcome.result is Result.SENT and outcome.msgid is None and outcome.errcode is None


# PostgreSQL: a group of plain sends recorded in ONE statement (one round trip, atomic): the
# rows still claimed are marked sent and, for exactly those, the inbox copies are written.
# It commits asynchronously (set_config(…, true): this statement's transaction only): a window
# slot waits for this commit, and a WAL flush took longer than the send itself (docs/outbox.md).
_RECORD_SENT_PG = """
WITH quick AS (
    SELECT set_config('synchronous_commit', 'off', true)
), done AS (
    UPDATE outbox_message SET status = 'sent', sent_at = $1, lease_until = NULL,
           last_error = '', last_errcode = NULL
     WHERE id = ANY($2::bigint[]) AND claimed_by = $3 AND status = 'sending'
       AND EXISTS (SELECT 1 FROM quick)
 RETURNING id
), copies AS (
    INSERT INTO inbox_message (user_id, title, body, page, outbox_id, created_at)
    SELECT c.user_id, c.title, c.body, c.page, c.outbox_id, $1
      FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[])
           AS c(user_id, title, body, page, outbox_id)
      JOIN done ON done.id = c.outbox_id
        ON CONFLICT DO NOTHING
)
SELECT id FROM done
"""


def _inbox_columns(attempts: list[Attempt]) -> list[list[Any]]:
    """The inbox copies of the attempts' messages as five columns (user, title, body, page,
    outbox id); the texts rendered for the send are reused."""
    rows = []
    for attempt in attempts:
        message, shown = attempt.message, attempt.rendered
        if shown is None:
            spec = _spec_of(message)
            if spec is None:
                continue
            payload = message.payload
            shown = Rendered({}, spec.page_of(payload), spec.title, spec.inbox_body(payload))
        if message.user_id is not None and message.channel in TEMPLATE_CHANNELS:
            copy = inbox_fields(title=shown.title, body=shown.body, page=shown.page)
            rows.append((message.user_id, *copy, message.id))
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * 5


async def _record_plain_sends(done: list[Done], now: datetime) -> list[Done]:
    """Mark sent the sends that need nothing but a status (and their inbox copies)."""
    if not done:
        return []
    claim, ids = done[0][0].claim, [a.message.id for a, _ in done]
    if _dialect() == "postgres":
        columns = _inbox_columns([a for a, _ in done])
        rows = await connections.get("default").execute_query_dict(
            _RECORD_SENT_PG, [now, ids, claim, *columns]
        )
        mine = {row["id"] for row in rows}
        return [(a, o) for a, o in done if a.message.id in mine]
    async with in_transaction():
        await OutboxMessage.filter(
            id__in=ids, claimed_by=claim, status=OutboxStatus.SENDING
        ).update(
            status=OutboxStatus.SENT,
            sent_at=now,
            lease_until=None,
            last_error="",
            last_errcode=None,
        )
        mine = set(  # a row another worker took over carries that worker's claim
            await OutboxMessage.filter(
                id__in=ids, claimed_by=claim, status=OutboxStatus.SENT
            ).values_list("id", flat=True)
        )
        recorded = [(a, o) for a, o in done if a.message.id in mine]
        await _copy_to_inbox([a.message for a, _ in recorded], now)
    return recorded


async def _record_one(attempt: Attempt, outcome: Outcome, now: datetime) -> bool:
    message = attempt.message
    updated = await OutboxMessage.filter(
        id=message.id, claimed_by=attempt.claim, status=OutboxStatus.SENDING
    ).update(**_status_fields(outcome, message, now))
    if not updated:
        return False
    if attempt.cap_day is not None and outcome.result not in DELIVERED and message.user_id:
        await release_push_slot(user_id=message.user_id, day=attempt.cap_day)
    if attempt.template_id is not None and message.user_id is not None:
        if outcome.result is Result.FALLBACK and outcome.errcode == REFUSED:
            await consent.consent_refused(
                user_id=message.user_id, template_id=attempt.template_id, outbox_id=message.id
            )
        elif outcome.result is Result.FAILED:
            await consent.release_consent(message=message, template_id=attempt.template_id)
    return True


async def record_outcomes(done: Sequence[Done]) -> list[Result]:
    """Write a group of outcomes in one transaction (only rows the claims still hold)."""
    now = clock.now()
    done = [(a, _give_up_if_exhausted(_settle_resend(a, o), a.message)) for a, o in done]
    plain = [(a, o) for a, o in done if _is_plain_send(o)]
    others = [(a, o) for a, o in done if not _is_plain_send(o)]
    recorded = await _record_plain_sends(plain, now)
    if others:
        async with in_transaction():
            settled = [(a, o) for a, o in others if await _record_one(a, o, now)]
            await _copy_to_inbox([a.message for a, o in settled if o.result in TERMINAL], now)
            for attempt, outcome in settled:
                if outcome.result in (Result.FALLBACK, Result.FAILED):
                    await ask_a_person(attempt.message, why=outcome.reason)
        recorded += settled
    kept = {id(a) for a, _ in recorded}
    lost = [a.message.id for a, _ in done if id(a) not in kept]
    if lost:
        log.warning("lease lost before recording", extra={"outbox_ids": lost})
    return [o.result if id(a) in kept else Result.LOST for a, o in done]


async def record_outcome(attempt: Attempt, outcome: Outcome) -> Result:
    """Write one outcome (see `record_outcomes`)."""
    return (await record_outcomes([(attempt, outcome)]))[0]


def _spec_of(message: OutboxMessage) -> TemplateSpec | None:
    if message.channel not in TEMPLATE_CHANNELS:
        return None
    return find_template(message.template_key)


def _inbox_copies(messages: list[OutboxMessage], now: datetime) -> list[InboxMessage]:
    """The inbox copies (unsaved) of the messages that have a template and a user."""
    copies = []
    for message in messages:
        spec = _spec_of(message)
        if spec is not None and message.user_id is not None:
            copies.append(
                inbox_message(
                    user_id=message.user_id,
                    title=spec.title,
                    body=spec.inbox_body(message.payload),
                    page=spec.page_of(message.payload),
                    outbox_id=message.id,
                    now=now,
                )
            )
    return copies


async def _copy_to_inbox(messages: list[OutboxMessage], now: datetime) -> None:
    """Every message with a template and a user also lands in the in-app inbox (once)."""
    copies = _inbox_copies(messages, now)
    if copies:
        await InboxMessage.bulk_create(copies, ignore_conflicts=True)


async def _trainee_of(message: OutboxMessage) -> int | None:
    context = (message.payload or {}).get("context") or {}
    if context.get("trainee_id"):
        return int(context["trainee_id"])
    if message.user_id is None:
        return None
    ids = await Trainee.filter(user_id=message.user_id).values_list("id", flat=True)
    return int(ids[0]) if ids else None  # type: ignore[call-overload]


async def ask_a_person(message: OutboxMessage, *, why: str) -> None:
    """No push reached the person: open a phone-call task, kept until someone does it."""
    spec = _spec_of(message)
    if spec is None or not spec.needs_person:
        return
    context = (message.payload or {}).get("context") or {}
    class_id = int(context["class_id"]) if context.get("class_id") else None
    await open_task(
        dedupe_key=f"outbox:{message.id}:phone_call",
        kind=TaskKind.PHONE_CALL,
        reason=f"「{spec.title}」未能通过微信送达，请电话联系。原因：{why}",
        due_date=clock.today() + timedelta(days=PHONE_TASK_DAYS),
        trainee_id=await _trainee_of(message),
        class_id=class_id,
        assignee_id=await instructor_for(class_id),
    )


# -- the dispatcher -------------------------------------------------------------------------------


def _worker_id() -> str:
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class DispatchReport:
    """How many messages ended how, in one run."""

    claimed: int = 0
    results: dict[str, int] = field(default_factory=dict)

    def add(self, result: Result) -> None:
        """Count one outcome."""
        self.results[result.value] = self.results.get(result.value, 0) + 1

    def merge(self, other: DispatchReport) -> None:
        """Add another run's counts."""
        self.claimed += other.claimed
        for key, value in other.results.items():
            self.results[key] = self.results.get(key, 0) + value


async def send_one(attempt: Attempt) -> Outcome:
    """Send a prepared attempt through its channel; every failure becomes an Outcome."""
    if attempt.ready is not None:
        return attempt.ready
    assert attempt.route is not None
    try:
        return await HANDLERS[attempt.route].send(attempt)
    except WeChatError as err:
        return outcome_of_error(err)
    except Exception as err:  # a bug must not stop the batch: retried, then given up
        log.exception("sending failed", extra={"outbox_id": attempt.message.id})
        return Outcome(Result.RETRY, reason=f"{type(err).__name__}: {err}"[:1000])


@dataclass
class _Batch:
    """A claimed batch on its way: its claim token, rows, prepared attempts, lease keeper."""

    claim: str
    messages: list[OutboxMessage]
    attempts: list[Attempt] = field(default_factory=list)
    heartbeat: asyncio.Task[None] | None = None
    lost: bool = False  # the claim was lost while preparing: nothing of it is ours

    def stop_heartbeat(self) -> None:
        """Stop renewing the lease (the batch is settled or given back)."""
        if self.heartbeat is not None:
            self.heartbeat.cancel()


class Dispatcher:
    """Claims and sends outbox messages; one per worker process (a second one is harmless)."""

    def __init__(
        self,
        *,
        connector: WeChatConnector | None = None,
        oa_connector: WeChatConnector | None = None,
        worker_id: str | None = None,
        batch_size: int = BATCH_SIZE,
        concurrency: int | None = None,
    ) -> None:
        """A dispatcher given `connector` uses `oa_connector` as given (None: no official
        account); without one it uses the process's connectors built from settings."""
        self.worker_id = worker_id or _worker_id()
        self._connector = connector
        self._oa_connector = oa_connector
        self.batch_size = batch_size
        self.concurrency = concurrency
        self._batches = itertools.count(1)
        self._stopping = False
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def connector(self) -> WeChatConnector:
        """The mini-program's WeChat connector (the process's, unless one was given)."""
        if self._connector is None:
            self._connector = runtime().wechat
            self._oa_connector = runtime().wechat_oa
        return self._connector

    def channels(self, now: datetime) -> list[Channel]:
        """Channels that may be sent now (pushes wait out the quiet hours)."""
        quiet = in_quiet_hours(now)
        return [c for c, h in HANDLERS.items() if not (h.push and quiet)]

    async def run_once(self) -> DispatchReport:
        """Claim one batch and deliver it."""
        return await self._run(max_batches=1)

    async def run_until_idle(self, *, max_batches: int = 1000) -> DispatchReport:
        """Deliver batch after batch until nothing is due (or the dispatcher is stopping).

        The next batch is claimed and prepared while the current one is being sent, so the
        database work of a batch overlaps the network work of the one before it.
        """
        return await self._run(max_batches=max_batches)

    async def _run(self, *, max_batches: int) -> DispatchReport:
        report = DispatchReport()
        if self._stopping:
            return report
        self._active += 1
        self._idle.clear()
        held: list[_Batch] = []  # claimed and not yet settled: released if we are cancelled
        upcoming: asyncio.Task[_Batch] | None = asyncio.create_task(self._take(held))
        try:
            for number in range(1, max_batches + 1):
                assert upcoming is not None
                batch, upcoming = await upcoming, None
                report.claimed += len(batch.messages)
                full = len(batch.messages) == self.batch_size
                if full and number < max_batches and not self._stopping:
                    upcoming = asyncio.create_task(self._take(held))
                for result in await self._deliver(batch):
                    report.add(result)
                held.remove(batch)
                if upcoming is None:
                    break
                if self._stopping:  # claim nothing more: give back the batch taken ahead
                    batch, upcoming = await upcoming, None
                    await self._abandon(batch, held)
                    break
        except asyncio.CancelledError:
            await asyncio.shield(self._abandon_all(upcoming, held))
            raise
        finally:
            if upcoming is not None:
                upcoming.cancel()
            for batch in held:  # an error: the leases run out, another worker takes over
                batch.stop_heartbeat()
            self._active -= 1
            if not self._active:
                self._idle.set()
        return report

    async def _take(self, held: list[_Batch]) -> _Batch:
        """Claim the next batch, keep its lease alive, and prepare it."""
        now = clock.now()
        claim = f"{self.worker_id}:{next(self._batches)}"
        messages, resumed = await claim_messages(
            claim=claim, now=now, limit=self.batch_size, channels=self.channels(now)
        )
        batch = _Batch(claim, messages)
        held.append(batch)
        if messages:
            batch.heartbeat = asyncio.create_task(_keep_leases(claim))
            try:
                batch.attempts = await self._prepare(messages, resumed, claim, now)
            except consent.LeaseLost as lost:
                log.warning("batch abandoned while preparing: %s", lost, extra={"claim": claim})
                batch.lost = True
        return batch

    async def _abandon(self, batch: _Batch, held: list[_Batch]) -> None:
        """Give back what is left of a batch that will not be sent: its rows still claimed and
        the daily-cap slots they had reserved."""
        batch.stop_heartbeat()
        left = set(
            await OutboxMessage.filter(
                claimed_by=batch.claim, status=OutboxStatus.SENDING
            ).values_list("id", flat=True)
        )
        for attempt in batch.attempts:
            message = attempt.message
            if message.id in left and attempt.cap_day is not None and message.user_id is not None:
                await release_push_slot(user_id=message.user_id, day=attempt.cap_day)
        await release_claims(claim_prefix=batch.claim)
        held.remove(batch)

    async def _abandon_all(self, upcoming: asyncio.Task[_Batch] | None, held: list[_Batch]) -> None:
        if upcoming is not None:
            upcoming.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await upcoming
        for batch in list(held):
            await self._abandon(batch, held)

    async def _prepare(
        self, batch: list[OutboxMessage], resumed: set[int], claim: str, now: datetime
    ) -> list[Attempt]:
        connector = self.connector
        recipients = await recipients_of([m.user_id for m in batch if m.user_id is not None])
        attempts = [
            Attempt(
                message,
                claim,
                connector,
                recipients.get(message.user_id) if message.user_id else None,
                self._oa_connector,
                maybe_sent=message.id in resumed and message.consent_taken,
            )
            for message in batch
        ]
        async with in_transaction():
            await prepare_batch(attempts, now)
        return attempts

    async def _deliver(self, batch: _Batch) -> list[Result]:
        """Record what was settled while preparing, then send the rest."""
        if batch.lost:
            batch.stop_heartbeat()
            return [Result.LOST] * len(batch.messages)
        try:
            settled = [(a, a.ready) for a in batch.attempts if a.ready is not None]
            results = await record_outcomes(settled) if settled else []
            return results + await self._send_all([a for a in batch.attempts if a.ready is None])
        finally:
            batch.stop_heartbeat()

    async def _send_all(self, attempts: list[Attempt]) -> list[Result]:
        """Send with at most `concurrency` messages on their way, each written once known.

        A slot of the window is taken before a send and given back only once its outcome is
        committed: at any moment at most `concurrency` messages are sent (or being sent) and not
        yet recorded — all that a crash can make a later worker send again. Outcomes that arrive
        while a group is being written are written together next, in one statement on
        PostgreSQL: at most RECORDERS groups are written at once, so the groups grow with the
        load instead of the statements.
        """
        size = self.concurrency or concurrency()
        window = asyncio.Semaphore(size)
        finished: asyncio.Queue[Done] = asyncio.Queue()
        writers = asyncio.Semaphore(RECORDERS)
        results: list[Result] = []
        failures: list[BaseException] = []
        pending = iter(attempts)

        async def sender() -> None:  # one of `concurrency` senders: no task per message
            while True:
                await window.acquire()
                attempt = next(pending, None)
                if attempt is None:
                    window.release()
                    return
                finished.put_nowait((attempt, await send_one(attempt)))

        async def record(group: list[Done]) -> None:
            try:
                results.extend(await record_outcomes(group))
            except Exception as err:  # re-raised by the loop below: the group stays unrecorded
                failures.append(err)
            finally:
                writers.release()
                for _ in group:
                    window.release()

        senders = [asyncio.create_task(sender()) for _ in range(min(size, len(attempts)))]
        recorders: list[asyncio.Task[None]] = []
        taken = 0
        try:
            while taken < len(attempts):
                group = [await finished.get()]
                await writers.acquire()
                while not finished.empty():
                    group.append(finished.get_nowait())
                taken += len(group)
                if failures:
                    writers.release()
                    raise failures[0]
                recorders.append(asyncio.create_task(record(group)))
            await asyncio.gather(*recorders)
            if failures:
                raise failures[0]
        finally:
            for task in (*senders, *recorders):
                task.cancel()
        return results

    def stop(self) -> None:
        """Claim nothing more (a stopping worker)."""
        self._stopping = True

    async def drain(self, grace: float) -> bool:
        """Wait until the batches in flight are recorded; False if `grace` seconds passed first."""
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            return False
        return True

    async def release(self) -> int:
        """Give back whatever this worker still holds (after `drain`, normally nothing)."""
        return await release_claims(claim_prefix=f"{self.worker_id}:")
