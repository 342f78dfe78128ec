"""Employment outcomes (第二十一条(三), 第二十三条): one record, written by every source.

The follow-up survey, an instructor's report and the recruitment site all write here;
`class_employment_rate` is the single definition of a class's employment rate, used by the
follow-up dashboard and by the last subsidy tranche (第二十四条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from backend.classes.models import Enrolment, EnrolmentStatus


class EmploymentStatus(StrEnum):
    EMPLOYED = "employed"  # 单位就业
    SELF_EMPLOYED = "self_employed"  # 自主创业 / 灵活就业
    FURTHER_STUDY = "further_study"  # 升学 (not counted as employed)
    UNEMPLOYED = "unemployed"


EMPLOYED_STATES = (EmploymentStatus.EMPLOYED, EmploymentStatus.SELF_EMPLOYED)


class OutcomeSource(StrEnum):
    SURVEY = "survey"  # the trainee's follow-up survey answer
    TRAINEE = "trainee"  # the trainee reporting in the mini-program
    INSTRUCTOR = "instructor"  # an instructor's follow-up service
    SITE = "site"  # the recruitment site (an application that led to a hire)


class EmploymentRecord(Model):
    """What is known, at one moment, about the employment of a trainee (the latest counts)."""

    id = fields.IntField(primary_key=True)
    trainee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Trainee", related_name="employment_records", on_delete=fields.CASCADE
    )
    trainee_id: int
    training_class: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.TrainingClass",
        related_name="employment_records",
        null=True,
        on_delete=fields.SET_NULL,
    )
    training_class_id: int | None
    status = fields.CharEnumField(EmploymentStatus, max_length=16)
    employer = fields.CharField(max_length=200, default="")
    position = fields.CharField(max_length=100, default="")
    start_date = fields.DateField(null=True)
    source = fields.CharEnumField(OutcomeSource, max_length=16)
    verified = fields.BooleanField(default=False)
    recorded_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="employment_records", null=True, on_delete=fields.SET_NULL
    )
    recorded_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "employment_record"
        indexes = (("trainee_id", "created_at"),)


@dataclass(frozen=True)
class Outcome:
    """An employment fact to record."""

    status: EmploymentStatus
    source: OutcomeSource
    employer: str = ""
    position: str = ""
    start_date: date | None = None
    verified: bool = False


async def record_employment(
    *, trainee_id: int, class_id: int | None, outcome: Outcome, recorded_by_id: int | None
) -> EmploymentRecord:
    """Append an outcome to the trainee's record (history is kept; the latest counts)."""
    return await EmploymentRecord.create(
        trainee_id=trainee_id,
        training_class_id=class_id,
        status=outcome.status,
        employer=outcome.employer,
        position=outcome.position,
        start_date=outcome.start_date,
        source=outcome.source,
        verified=outcome.verified,
        recorded_by_id=recorded_by_id,
    )


async def latest_outcomes(trainee_ids: list[int]) -> dict[int, EmploymentRecord]:
    """The latest record of each trainee (by creation, then id)."""
    latest: dict[int, EmploymentRecord] = {}
    for record in await EmploymentRecord.filter(trainee_id__in=trainee_ids).order_by(
        "created_at", "id"
    ):
        latest[record.trainee_id] = record
    return latest


@dataclass(frozen=True)
class EmploymentRate:
    """A class's employment rate and the figures behind it."""

    enrolled: int
    employed: int
    rate: Decimal  # 0..1, four decimals

    def to_dict(self) -> dict[str, Any]:
        """JSON form (rate as a string, to keep it exact)."""
        return {"enrolled": self.enrolled, "employed": self.employed, "rate": str(self.rate)}

    def reaches(self, share: Decimal) -> bool:
        """employed ÷ enrolled ≥ share, compared exactly (not after rounding the rate)."""
        return self.enrolled > 0 and Decimal(self.employed) >= share * self.enrolled


async def class_employment_rate(class_id: int) -> EmploymentRate:
    """Employed (employed or self-employed, latest record) ÷ trainees enrolled at the end.

    Trainees who withdrew are not counted; a trainee with no record counts as not employed.
    """
    enrolled = Enrolment.filter(training_class_id=class_id, status=EnrolmentStatus.ENROLLED)
    trainee_ids: list[int] = list(await enrolled.values_list("trainee_id", flat=True))  # type: ignore[arg-type]
    latest = await latest_outcomes(trainee_ids)
    employed = sum(1 for r in latest.values() if r.status in EMPLOYED_STATES)
    total = len(trainee_ids)
    rate = (
        (Decimal(employed) / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        if total
        else Decimal(0)
    )
    return EmploymentRate(enrolled=total, employed=employed, rate=rate)
