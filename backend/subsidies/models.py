"""Subsidy payments to institutions (第二十四条): HR marks each tranche paid."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class TranchePayment(Model):
    """One paid tranche of a class subsidy: once per class and tranche."""

    id = fields.IntField(primary_key=True)
    training_class: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.TrainingClass", related_name="tranche_payments", on_delete=fields.RESTRICT
    )
    training_class_id: int
    tranche = fields.IntField()  # 1-based, in the order of the schedule
    amount = fields.DecimalField(max_digits=12, decimal_places=2)
    reference = fields.CharField(max_length=100, default="")  # e.g. the payment voucher number
    paid_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="tranche_payments", null=True, on_delete=fields.SET_NULL
    )
    paid_by_id: int | None
    paid_at = fields.DatetimeField()

    class Meta:
        table = "tranche_payment"
        unique_together = (("training_class", "tranche"),)
