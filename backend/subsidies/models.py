"""Subsidy payments to institutions (第二十四条): HR marks each tranche paid.

Also what the money rests on: the spot check before the last tranche, the figures frozen at
结案, and the clawback after a fraud finding (第九条(二)). Model docstrings become SQL table
comments: no semicolons or apostrophes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from backend.registers.models import FraudFinding


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


class SpotCheck(Model):
    """The random sample of a class's employment claims HR checks before the last tranche."""

    id = fields.IntField(primary_key=True)
    training_class: fields.OneToOneRelation = fields.OneToOneField(
        "models.TrainingClass", related_name="spot_check", on_delete=fields.RESTRICT
    )
    training_class_id: int
    seed = fields.CharField(max_length=32)  # with the population, redraws the same sample
    population: Any = fields.JSONField()  # trainee ids claimed employed at the draw, sorted
    sample_size = fields.IntField()
    min_items = fields.IntField()  # the settings the size came from
    share = fields.DecimalField(max_digits=5, decimal_places=4)
    drawn_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="spot_checks_drawn", null=True, on_delete=fields.SET_NULL
    )
    drawn_by_id: int | None
    drawn_at = fields.DatetimeField()

    class Meta:
        table = "spot_check"


class SpotCheckResult(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"


class SpotCheckItem(Model):
    """One sampled claim: HR confirms it or refuses it, and a refusal blocks until resolved."""

    id = fields.IntField(primary_key=True)
    spot_check: fields.ForeignKeyRelation[SpotCheck] = fields.ForeignKeyField(
        "models.SpotCheck", related_name="items", on_delete=fields.CASCADE
    )
    spot_check_id: int
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="spot_check_items", on_delete=fields.RESTRICT
    )
    trainee_id: int
    record: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.EmploymentRecord", related_name="spot_check_items", on_delete=fields.RESTRICT
    )
    record_id: int
    result = fields.CharEnumField(SpotCheckResult, max_length=16, default=SpotCheckResult.PENDING)
    reason = fields.TextField(default="")
    checked_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="spot_check_items_checked", null=True, on_delete=fields.SET_NULL
    )
    checked_by_id: int | None
    checked_at = fields.DatetimeField(null=True)
    resolution = fields.TextField(default="")
    resolved_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User",
        related_name="spot_check_items_resolved",
        null=True,
        on_delete=fields.SET_NULL,
    )
    resolved_by_id: int | None
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "spot_check_item"
        unique_together = (("spot_check", "trainee"),)


class ClosingSnapshot(Model):
    """The figures of a class frozen when it was closed (结案): counts, rates, tranches."""

    id = fields.IntField(primary_key=True)
    training_class: fields.OneToOneRelation = fields.OneToOneField(
        "models.TrainingClass", related_name="closing_snapshot", on_delete=fields.RESTRICT
    )
    training_class_id: int
    figures: Any = fields.JSONField()
    taken_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="closing_snapshots", null=True, on_delete=fields.SET_NULL
    )
    taken_by_id: int | None  # NULL: the worker closed the class
    taken_at = fields.DatetimeField()
    reason = fields.TextField(default="")

    class Meta:
        table = "closing_snapshot"


class Clawback(Model):
    """The amount to recover of one paid tranche after a fraud finding."""

    id = fields.IntField(primary_key=True)
    finding: fields.ForeignKeyRelation[FraudFinding] = fields.ForeignKeyField(
        "models.FraudFinding", related_name="clawbacks", on_delete=fields.CASCADE
    )
    finding_id: int
    tranche = fields.IntField()
    paid = fields.DecimalField(max_digits=12, decimal_places=2)
    amount = fields.DecimalField(max_digits=12, decimal_places=2)  # to recover

    class Meta:
        table = "clawback"
        unique_together = (("finding", "tranche"),)
