"""Channels of the outbox: how one prepared message is sent, and what a failure means.

The dispatcher (`dispatch.py`) claims messages, prepares a whole batch at once (recipient,
consent, daily cap, template data) and then calls the channel's `send` for each message that
still has to go out. A channel handler only talks to the outside world; every database write
about the attempt is the dispatcher's. Other domains register their channels here
(`register_channel`), e.g. the recruitment site's resume delivery.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from backend import clock
from backend.integrations.wechat import ErrorKind, WeChatConnector, WeChatError
from backend.integrations.wechat.errors import seconds_until_quota_reset
from backend.notifications.models import Channel, OutboxMessage
from backend.notifications.templates import Rendered, TemplateSpec, template

REFUSED = 43101  # the user refused, or no consent is left: WeChat will not deliver


class Result(StrEnum):
    """What became of one attempt."""

    SENT = "sent"
    RETRY = "retry"  # transient: pending again, later
    DEFER = "defer"  # not now (daily cap): pending again, the attempt does not count
    FALLBACK = "fallback"  # cannot reach the person by push: inbox + a phone call
    FAILED = "failed"  # permanent error: reason kept, inbox + a phone call
    UNCONFIRMED = "unconfirmed"  # a resend after a crash met 43101: delivered, not confirmed
    LOST = "lost"  # the lease expired and another worker owns the row now


@dataclass
class Outcome:
    """The result of one attempt, with what the dispatcher records about it."""

    result: Result
    reason: str = ""
    errcode: int | None = None
    retry_after: float | None = None
    not_before: datetime | None = None
    msgid: str | None = None


@dataclass(frozen=True)
class Recipient:
    """Where a user can be reached on WeChat."""

    user_id: int
    openid: str | None
    oa_openid: str | None


@dataclass
class Attempt:
    """One claimed message on its way: where it goes, what it holds, and its outcome if known."""

    message: OutboxMessage
    claim: str
    connector: WeChatConnector
    recipient: Recipient | None = None
    oa_connector: WeChatConnector | None = None  # the official account, when configured
    route: Channel | None = None  # the channel that sends it (subscribe may become template)
    rendered: Rendered | None = None  # template data fitted to WeChat's limits
    template_id: str | None = None  # the subscribe template whose consent the message holds
    cap_day: date | None = None  # a slot of the daily cap reserved for this attempt
    ready: Outcome | None = None  # decided while preparing: nothing to send
    # Taken over from a worker that died holding it after taking its consent: its send may have
    # reached WeChat (and used that consent) before the crash.
    maybe_sent: bool = False

    @property
    def spec(self) -> TemplateSpec:
        """The logical template of the message."""
        return template(self.message.template_key)

    def decide(self, result: Result, reason: str) -> None:
        """Settle the attempt without sending."""
        self.ready = Outcome(result, reason=reason)


Handler = Callable[[Attempt], Awaitable[Outcome]]


@dataclass(frozen=True)
class ChannelHandler:
    """How one channel sends; `push` channels respect quiet hours and the daily cap."""

    channel: Channel
    send: Handler
    push: bool


HANDLERS: dict[Channel, ChannelHandler] = {}


def register_channel(channel: Channel, *, push: bool) -> Callable[[Handler], Handler]:
    """Register the sender of a channel (one per channel; the last registration wins)."""

    def decorator(send: Handler) -> Handler:
        HANDLERS[channel] = ChannelHandler(channel, send, push)
        return send

    return decorator


@register_channel(Channel.SUBSCRIBE, push=True)
async def send_subscribe(attempt: Attempt) -> Outcome:
    """Mini-program subscribe message (the consent was taken while preparing)."""
    who, rendered = attempt.recipient, attempt.rendered
    assert who is not None and who.openid and rendered is not None
    await attempt.connector.send_subscribe(
        who.openid, attempt.spec.subscribe_id, rendered.data, page=rendered.page
    )
    return Outcome(Result.SENT)


@register_channel(Channel.TEMPLATE, push=True)
async def send_template(attempt: Attempt) -> Outcome:
    """Official-account template message, opening the mini-program page."""
    who, rendered, official = attempt.recipient, attempt.rendered, attempt.oa_connector
    oa_template_id = attempt.spec.oa_template_id
    assert who is not None and who.oa_openid and rendered is not None
    assert official is not None and oa_template_id
    miniprogram = {"appid": attempt.connector.config.appid, "pagepath": rendered.page}
    msgid = await official.send_template(
        who.oa_openid, oa_template_id, rendered.data, miniprogram=miniprogram
    )
    return Outcome(Result.SENT, msgid=str(msgid) if msgid is not None else None)


@register_channel(Channel.INBOX, push=False)
async def send_to_inbox(attempt: Attempt) -> Outcome:
    """In-app inbox only (the copy is written when the outcome is recorded)."""
    if attempt.message.user_id is None:
        return Outcome(Result.FALLBACK, reason="没有接收人")
    return Outcome(Result.SENT)


def outcome_of_error(err: WeChatError) -> Outcome:
    """A classified WeChat error → what to do next (the connector already refreshed a token)."""
    reason = f"{err.errcode} {err.reason}: {err.errmsg}"[:1000]
    if err.errcode == REFUSED:
        return Outcome(Result.FALLBACK, reason=reason, errcode=err.errcode)
    if err.kind is ErrorKind.PERMANENT:
        return Outcome(Result.FAILED, reason=reason, errcode=err.errcode)
    retry_after = err.retry_after
    if err.errcode == 45009:  # the daily quota: wait for WeChat's midnight (our clock, not the OS)
        retry_after = seconds_until_quota_reset(clock.now())
    return Outcome(Result.RETRY, reason=reason, errcode=err.errcode, retry_after=retry_after)
