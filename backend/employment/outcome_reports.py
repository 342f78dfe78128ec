"""Employment outcomes reported by a trainee or an instructor (第二十一条(三), 第二十三条).

Reports go into the same record the follow-up survey writes (`models.EmploymentRecord`), so
`class_employment_rates` counts them all as claimed. A trainee reports for themself; an
instructor of one of the trainee's classes reports what they learned (by survey call, from the
site, or their own follow-up), with the evidence they have (insurance record, employer contact;
files through `evidence`). Nobody who reports verifies: only HR does (`verification`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Role
from backend.classes.models import ClassInstructor, Enrolment, EnrolmentStatus
from backend.classes.scope import authorize_trainee
from backend.employment.models import EmploymentRecord, EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, record_employment
from backend.errors import Forbidden, InvalidInput

REPORTERS = (Role.TRAINEE, Role.INSTRUCTOR)
READERS = (
    Role.TRAINEE,
    Role.INSTRUCTOR,
    Role.CLASS_TEACHER,
    Role.STAFF,
    Role.INSTITUTION_ADMIN,
    Role.HR_ADMIN,
)
INSTRUCTOR_SOURCES = (OutcomeSource.INSTRUCTOR, OutcomeSource.SURVEY, OutcomeSource.SITE)
FUTURE_START_DAYS = 90


@dataclass(frozen=True)
class EmploymentReport:
    """What someone reports about a trainee's employment."""

    status: EmploymentStatus
    employer: str = ""
    position: str = ""
    start_date: date | None = None
    source: OutcomeSource | None = None
    verified: bool = False  # refused when True: the reporter never verifies
    insurance_record_no: str = ""
    insurance_month: str = ""  # YYYY-MM
    employer_contact: str = ""
    employer_phone: str = ""


INSURANCE_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _check(report: EmploymentReport) -> None:
    if report.verified:
        # 第二十三条: employment is the basis of the subsidy; HR verifies, not the reporter.
        raise Forbidden(
            "就业信息由人社部门核实，填报时不能标记为已核实", code="EMPLOYMENT_VERIFY_FORBIDDEN"
        )
    if report.insurance_month and not INSURANCE_MONTH.match(report.insurance_month):
        raise InvalidInput("参保月份格式应为 YYYY-MM", code="INSURANCE_MONTH_INVALID")
    if report.status is EmploymentStatus.EMPLOYED and not (report.employer and report.position):
        raise InvalidInput("单位就业请填写就业单位和岗位", code="EMPLOYMENT_INCOMPLETE")
    latest = clock.today() + timedelta(days=FUTURE_START_DAYS)
    if report.start_date is not None and report.start_date > latest:
        raise InvalidInput("入职日期不能晚于90天之后", code="START_DATE_TOO_LATE")


def _source(actor: Actor, trainee_id: int, report: EmploymentReport) -> OutcomeSource:
    """The trainee speaks for themself; an instructor names how they learned it."""
    if actor.trainee_id == trainee_id:
        return OutcomeSource.TRAINEE
    source = report.source or OutcomeSource.INSTRUCTOR
    if source not in INSTRUCTOR_SOURCES:
        raise InvalidInput("讲师填报的来源应为回访、讲师跟踪或招聘网站", code="EMPLOYMENT_SOURCE")
    return source


async def _class_of(actor: Actor, trainee_id: int) -> int | None:
    """The class the record belongs to: the latest one the reporter shares with the trainee."""
    enrolments = Enrolment.filter(trainee_id=trainee_id, status=EnrolmentStatus.ENROLLED)
    class_ids = list(
        await enrolments.order_by("-training_class__start_date", "-id").values_list(
            "training_class_id", flat=True
        )
    )
    if actor.trainee_id != trainee_id and actor.instructor_id is not None:
        taught = set(
            await ClassInstructor.filter(
                instructor_id=actor.instructor_id, training_class_id__in=class_ids
            ).values_list("training_class_id", flat=True)
        )
        class_ids = [c for c in class_ids if c in taught]
    return int(class_ids[0]) if class_ids else None  # type: ignore[call-overload]


def phone_digits(phone: str) -> str:
    """A phone number as its digits only, so one number is one string (no I/O)."""
    return "".join(c for c in phone if c.isdigit())[:20]


async def report_employment(
    *, actor: Actor, trainee_id: int, report: EmploymentReport
) -> EmploymentRecord:
    """Record an employment outcome for a trainee in scope (self, or an instructor's trainee)."""
    await authorize_trainee(actor, trainee_id, REPORTERS)
    _check(report)
    source = _source(actor, trainee_id, report)
    outcome = Outcome(
        status=report.status,
        source=source,
        employer=report.employer.strip(),
        position=report.position.strip(),
        start_date=report.start_date,
        insurance_record_no=report.insurance_record_no.strip(),
        insurance_month=report.insurance_month,
        employer_contact=report.employer_contact.strip(),
        employer_phone=phone_digits(report.employer_phone),
    )
    return await record_employment(
        trainee_id=trainee_id,
        class_id=await _class_of(actor, trainee_id),
        outcome=outcome,
        recorded_by_id=actor.user_id,
    )


async def employment_history(*, actor: Actor, trainee_id: int) -> list[EmploymentRecord]:
    """A trainee's employment records, newest first."""
    await authorize_trainee(actor, trainee_id, READERS)
    return await EmploymentRecord.filter(trainee_id=trainee_id).order_by("-created_at", "-id")
