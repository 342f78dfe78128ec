"""The notification outbox and what surrounds it: consent ledger, in-app inbox, human tasks.

Every outgoing message is one `OutboxMessage`, written in the same transaction as the fact
that causes it, unique by `dedupe_key`: a crash, a retry or a second worker never sends it twice.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Channel(StrEnum):
    """Where a message goes; the dispatcher has one handler per channel."""

    SUBSCRIBE = "subscribe"  # mini-program subscribe message (default)
    TEMPLATE = "template"  # official-account template message (openid of the account known)
    INBOX = "inbox"  # in-app inbox only
    RECRUITMENT = "recruitment"  # a resume delivery forwarded to the recruitment site


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker until `lease_until`
    SENT = "sent"
    FAILED = "failed"  # gave up, reason kept
    FALLBACK = "fallback"  # no consent or refused: inbox message + a task for a person


class OutboxMessage(Model):
    """One message to send, claimed by a worker, retried with back-off, never sent twice."""

    id = fields.BigIntField(primary_key=True)
    dedupe_key = fields.CharField(max_length=200, unique=True)
    channel = fields.CharEnumField(Channel, max_length=16)
    user: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="outbox", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    template_key = fields.CharField(max_length=64)  # our logical template, e.g. followup_survey
    payload: Any = fields.JSONField(default=dict)
    status = fields.CharEnumField(OutboxStatus, default=OutboxStatus.PENDING, max_length=16)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=64, default="")
    last_error = fields.TextField(default="")
    last_errcode = fields.IntField(null=True)
    # A one-time subscribe consent reserved for this message: kept across retries and crashes,
    # given back only when WeChat certainly did not use it (a permanent error).
    consent_taken = fields.BooleanField(default=False)
    wechat_msgid = fields.CharField(max_length=32, null=True, db_index=True)
    delivery_status = fields.CharField(max_length=64, default="")  # from the push callback
    delivery_reported_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"), ("user_id", "created_at"))


class ConsentResult(StrEnum):
    """wx.requestSubscribeMessage answers per template."""

    ACCEPT = "accept"
    REJECT = "reject"
    BAN = "ban"
    FILTER = "filter"


class SubscriptionConsent(Model):
    """Per user and template: one-time accepts still unused (each allows exactly one send)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="consents", on_delete=fields.CASCADE
    )
    user_id: int
    template_id = fields.CharField(max_length=64)
    remaining = fields.IntField(default=0)
    last_result = fields.CharEnumField(ConsentResult, max_length=8)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "subscription_consent"
        unique_together = (("user", "template_id"),)


class ConsentEvent(Model):
    """The ledger: every consent answer and every use, from the API or the WeChat callback."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="consent_events", on_delete=fields.CASCADE
    )
    user_id: int
    template_id = fields.CharField(max_length=64)
    event = fields.CharField(max_length=32)  # accept / reject / ban / used / callback:…
    source = fields.CharField(max_length=16, default="api")
    outbox_id = fields.BigIntField(null=True)
    # The same popup reported twice (API and callback) counts once: the second points here.
    paired_event_id = fields.BigIntField(null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "consent_event"


class InboxMessage(Model):
    """A message in the in-app inbox of the mini-program (always written, the last fallback)."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="inbox", on_delete=fields.CASCADE
    )
    user_id: int
    title = fields.CharField(max_length=100)
    body = fields.TextField()
    page = fields.CharField(max_length=200, default="")
    outbox_id = fields.BigIntField(null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbox_message"
        indexes = (("user_id", "created_at"),)


class TaskKind(StrEnum):
    PHONE_CALL = "phone_call"  # a message could not reach the person
    HOME_VISIT = "home_visit"  # 第二十五条: unemployed at 6 months


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class HumanTask(Model):
    """Work for a person (a call, a home visit), kept until done: nothing is silently dropped."""

    id = fields.IntField(primary_key=True)
    dedupe_key = fields.CharField(max_length=200, unique=True)
    kind = fields.CharEnumField(TaskKind, max_length=16)
    trainee: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="tasks", null=True, on_delete=fields.CASCADE
    )
    trainee_id: int | None
    training_class: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.TrainingClass", related_name="tasks", null=True, on_delete=fields.CASCADE
    )
    training_class_id: int | None
    assignee: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Instructor", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    reason = fields.TextField()
    due_date = fields.DateField()
    status = fields.CharEnumField(TaskStatus, default=TaskStatus.OPEN, max_length=8)
    done_at = fields.DatetimeField(null=True)
    done_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="tasks_done", null=True, on_delete=fields.SET_NULL
    )
    done_by_id: int | None
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "human_task"
        indexes = (("status", "due_date"),)


class PushDayCount(Model):
    """Pushes sent to one user on one Asia/Shanghai day, for the per-user daily cap."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="push_counts", on_delete=fields.CASCADE
    )
    user_id: int
    day = fields.DateField()
    count = fields.IntField(default=0)

    class Meta:
        table = "push_day_count"
        unique_together = (("user", "day"),)
