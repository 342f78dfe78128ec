"""Employment outcomes (第二十一条(三), 第二十三条): one record, written by every source.

The follow-up survey, an instructor's report and the recruitment site all write here;
`class_employment_rate` is the single definition of a class's employment rate, used by the
follow-up dashboard and by the last subsidy tranche (第二十四条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from backend.classes.models import ClassStatus, Enrolment, EnrolmentStatus, TrainingClass
from backend.employment.models import (
    ClosedClassChange,
    EmploymentRecord,
    EmploymentStatus,
    OutcomeSource,
    Verification,
)


@dataclass(frozen=True)
class Outcome:
    """An employment fact to record."""

    status: EmploymentStatus
    source: OutcomeSource
    employer: str = ""
    position: str = ""
    start_date: date | None = None
    insurance_record_no: str = ""
    insurance_month: str = ""
    employer_contact: str = ""
    employer_phone: str = ""


async def record_employment(
    *, trainee_id: int, class_id: int | None, outcome: Outcome, recorded_by_id: int | None
) -> EmploymentRecord:
    """Append an outcome to the trainee's record (history is kept; the latest counts).

    Every record starts unverified: only HR's verification (`verification.verify_outcome`)
    moves it, and never by the person who recorded it.
    """
    record = await EmploymentRecord.create(
        trainee_id=trainee_id,
        training_class_id=class_id,
        status=outcome.status,
        employer=outcome.employer,
        position=outcome.position,
        start_date=outcome.start_date,
        source=outcome.source,
        insurance_record_no=outcome.insurance_record_no,
        insurance_month=outcome.insurance_month,
        employer_contact=outcome.employer_contact,
        employer_phone=outcome.employer_phone,
        recorded_by_id=recorded_by_id,
    )
    await note_if_closed(
        class_id=class_id, record_id=record.id, change="reported", actor_id=recorded_by_id
    )
    return record


async def latest_outcomes(trainee_ids: list[int]) -> dict[int, EmploymentRecord]:
    """The latest record of each trainee (by creation, then id)."""
    latest: dict[int, EmploymentRecord] = {}
    for record in await EmploymentRecord.filter(trainee_id__in=trainee_ids).order_by(
        "created_at", "id"
    ):
        latest[record.trainee_id] = record
    return latest


@dataclass(frozen=True, slots=True)
class EmploymentRate:
    """A class's employment rate and the figures behind it."""

    enrolled: int
    employed: int
    rate: Decimal  # 0..1, four decimals

    def reaches(self, share: Decimal) -> bool:
        """employed ÷ enrolled ≥ share, compared exactly (not after rounding the rate)."""
        return self.enrolled > 0 and Decimal(self.employed) >= share * self.enrolled


def _rate(employed: int, total: int) -> EmploymentRate:
    rate = (
        (Decimal(employed) / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        if total
        else Decimal(0)
    )
    return EmploymentRate(enrolled=total, employed=employed, rate=rate)


CLAIMED, VERIFIED = "claimed", "verified"
RATE_BASES = (CLAIMED, VERIFIED)


@dataclass(frozen=True, slots=True)
class EmploymentRates:
    """A class's two employment rates side by side (第二十三条).

    `claimed` counts every latest record that says employed (whoever reported it); `verified`
    only those HR verified. Both share one denominator: the trainees enrolled at the end.
    """

    claimed: EmploymentRate
    verified: EmploymentRate
    pending: int  # claimed, not yet checked by HR
    refused: int  # claimed, refused by HR

    @property
    def enrolled(self) -> int:
        """The one denominator of both rates: the trainees enrolled at the end."""
        return self.claimed.enrolled

    def basis(self, name: str) -> EmploymentRate:
        """The rate named by a basis (`claimed` or `verified`)."""
        return self.verified if name == VERIFIED else self.claimed


async def enrolled_trainees(class_id: int) -> list[int]:
    """Trainees enrolled in the class at the end (withdrawn ones are not counted)."""
    enrolled = Enrolment.filter(training_class_id=class_id, status=EnrolmentStatus.ENROLLED)
    return list(await enrolled.values_list("trainee_id", flat=True))  # type: ignore[arg-type]


async def class_employment_rates(class_id: int) -> EmploymentRates:
    """Claimed and verified: employed (latest record) ÷ trainees enrolled at the end.

    Trainees who withdrew are not counted; a trainee with no record counts as not employed.
    """
    trainee_ids = await enrolled_trainees(class_id)
    claims = [r for r in (await latest_outcomes(trainee_ids)).values() if r.employed]
    total = len(trainee_ids)
    return EmploymentRates(
        claimed=_rate(len(claims), total),
        verified=_rate(sum(1 for r in claims if r.verified), total),
        pending=sum(1 for r in claims if r.verification is Verification.PENDING),
        refused=sum(1 for r in claims if r.verification is Verification.REFUSED),
    )


async def class_employment_rate(class_id: int) -> EmploymentRate:
    """The claimed rate (every latest record that says employed), see `class_employment_rates`."""
    return (await class_employment_rates(class_id)).claimed


async def note_if_closed(
    *, class_id: int | None, record_id: int, change: str, actor_id: int | None
) -> None:
    """After 结案 a change never moves the frozen figures: it is kept as an adjustment."""
    if class_id is None:
        return
    if await TrainingClass.exists(id=class_id, status=ClassStatus.CLOSED):
        await ClosedClassChange.create(
            training_class_id=class_id, record_id=record_id, change=change, actor_id=actor_id
        )
