"""Cases of suspected private substitution (第十九条), one per session at most."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class CaseStatus(StrEnum):
    OPEN = "open"  # opened by the worker, awaiting HR
    CONFIRMED = "confirmed"  # HR found a private substitution: the class loses its subsidy
    DISMISSED = "dismissed"  # HR found an explanation (reason kept)


class SubstitutionCase(Model):
    """Trainees checked in to a session whose booked instructor never signed in (第十九条)."""

    id = fields.IntField(primary_key=True)
    session: fields.OneToOneRelation = fields.OneToOneField(
        "models.ClassSession", related_name="substitution_case", on_delete=fields.CASCADE
    )
    session_id: int
    training_class: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.TrainingClass", related_name="substitution_cases", on_delete=fields.CASCADE
    )
    training_class_id: int
    missing_instructor_ids: Any = fields.JSONField(default=list)
    trainees_checked_in = fields.IntField(default=0)
    status = fields.CharEnumField(CaseStatus, default=CaseStatus.OPEN, max_length=12)
    opened_at = fields.DatetimeField()
    decided_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="substitution_decisions", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    decided_at = fields.DatetimeField(null=True)
    reason = fields.TextField(default="")

    class Meta:
        table = "substitution_case"
        indexes = (("training_class_id", "status"),)
