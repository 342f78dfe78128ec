"""The domain-event table: one row per fact that someone must hear about, unique by its key."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class DomainEvent(Model):
    """A fact (plan submitted, leave decided, session tomorrow…) and the ids it concerns.

    Written in the transaction of its fact, unique by `dedupe_key` (a job run twice, or by two
    workers, records it once). `fanned_out_at` is set once its notifications are in the outbox.
    """

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=40)
    dedupe_key = fields.CharField(max_length=200, unique=True)
    # What the event is about: plain ids (the events table sits below every domain package).
    class_id = fields.IntField(null=True)
    session_id = fields.IntField(null=True)
    trainee_id = fields.IntField(null=True)
    instructor_id = fields.IntField(null=True)
    user_id = fields.IntField(null=True)
    institution_id = fields.IntField(null=True)
    district_code = fields.CharField(max_length=6, default="")
    subject_type = fields.CharField(max_length=32, default="")
    subject_id = fields.CharField(max_length=64, default="")
    data: Any = fields.JSONField(default=dict)
    occurred_at = fields.DatetimeField()
    fanned_out_at = fields.DatetimeField(null=True)

    class Meta:
        table = "domain_event"
        indexes = (("fanned_out_at", "id"), ("class_id", "kind"))
