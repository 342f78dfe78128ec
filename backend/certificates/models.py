"""Assessment results and completion certificates (第二十二条)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AssessmentResult(Model):
    """A trainee result in a class: a score and whether it passes."""

    id = fields.IntField(primary_key=True)
    enrolment: fields.OneToOneRelation = fields.OneToOneField(
        "models.Enrolment", related_name="assessment", on_delete=fields.CASCADE
    )
    enrolment_id: int
    score = fields.DecimalField(max_digits=5, decimal_places=1)
    passed = fields.BooleanField()
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="assessments", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "assessment_result"


class Certificate(Model):
    """A completion certificate, publicly verifiable by its number, revocable with a reason."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=40, unique=True)
    enrolment: fields.OneToOneRelation = fields.OneToOneField(
        "models.Enrolment", related_name="certificate", on_delete=fields.RESTRICT
    )
    enrolment_id: int
    issued_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="certificates_issued", null=True, on_delete=fields.SET_NULL
    )
    issued_by_id: int | None
    issued_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoke_reason = fields.TextField(default="")

    class Meta:
        table = "certificate"
