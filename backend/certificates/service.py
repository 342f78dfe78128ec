"""Assessment, completion and certificates (第二十二条: 人社部门…向考核合格学员颁发证书).

Completion = a passing assessment and an attendance rate at or above the threshold
(COMPLETION_ATTENDANCE_THRESHOLD, default 80% of the class's sessions present or late,
confirmed). The public verification shows a masked name, the class, its dates and the status:
nothing more.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role
from backend.attendance.views import class_attendance
from backend.certificates.models import AssessmentResult, Certificate
from backend.certificates.render import certificate_wording
from backend.classes.models import (
    FINISHED,
    Enrolment,
    EnrolmentStatus,
    TrainingClass,
)
from backend.classes.scope import authorize_class
from backend.classes.service import record_class_event
from backend.errors import InvalidInput, NotFound, RuleViolation
from backend.events.service import EventKind
from backend.runtime import runtime
from backend.security.audit import record_audit
from backend.security.pii import mask_name

PASS_SCORE = Decimal("60")
# 第二十二条 (培训考核): the class's staff, its instructors and its institution assess …
ASSESSORS = frozenset({Role.CLASS_TEACHER, Role.STAFF, Role.INSTRUCTOR, Role.INSTITUTION_ADMIN})
# … and HR, which issues the certificates (第二十二条), reads the completion sheet too.
COMPLETION_READERS = ASSESSORS | {Role.HR_ADMIN}
# 第二十二条: 人社部门 … 向考核合格学员颁发证书 (and revokes them).
ISSUERS = frozenset({Role.HR_ADMIN})
HOLDERS = frozenset({Role.TRAINEE})  # a trainee reads their own certificates
# A certificate is downloaded by its holder, or by whoever reads the class's completion sheet.
DOWNLOADERS = HOLDERS | COMPLETION_READERS


async def record_result(
    *, actor: Actor, class_id: int, trainee_id: int, score: Decimal
) -> AssessmentResult:
    """The class staff, an instructor or the institution records a trainee's assessment."""
    await authorize_class(actor, class_id, ASSESSORS)
    enrolment = await Enrolment.get_or_none(
        training_class_id=class_id, trainee_id=trainee_id, status=EnrolmentStatus.ENROLLED
    )
    if enrolment is None:
        raise NotFound("该学员不在本班", code="TRAINEE_NOT_FOUND")
    if not Decimal(0) <= score <= Decimal(100):
        raise InvalidInput("成绩应在0至100之间", code="SCORE_INVALID")
    # 第二十二条: certificates rest on the assessment; once issued, the scores are the record.
    if await Certificate.exists(enrolment__training_class_id=class_id):
        raise RuleViolation(
            "本班已颁发结业证书，考核成绩不能再修改", code="SCORES_LOCKED_AFTER_CERTIFICATES"
        )
    result, _ = await AssessmentResult.update_or_create(
        defaults={"score": score, "passed": score >= PASS_SCORE, "recorded_by_id": actor.user_id},
        enrolment_id=enrolment.id,
    )
    return result


@dataclass(frozen=True)
class Completion:
    """Whether one trainee completed the class, and why."""

    enrolment_id: int
    trainee_id: int
    name: str
    score: Decimal | None
    passed: bool
    attendance_rate: Decimal
    completed: bool

    def row(self) -> CompletionRow:
        """The sheet's form: the score a decimal string, the rate in [0, 1] (4 decimals)."""
        return CompletionRow(
            trainee_id=self.trainee_id,
            name=self.name,
            score=str(self.score) if self.score is not None else None,
            passed=self.passed,
            attendance_rate=float(self.attendance_rate),
            completed=self.completed,
        )


@dataclass(frozen=True, slots=True)
class CompletionRow:
    """One trainee on the completion sheet."""

    trainee_id: int
    name: str
    score: str | None
    passed: bool
    attendance_rate: float
    completed: bool


@dataclass(frozen=True, slots=True)
class CompletionReport:
    """The completion sheet of a class with its threshold and pass mark."""

    class_id: int
    threshold: str
    pass_score: str
    completed: int
    items: list[CompletionRow]


@dataclass(frozen=True, slots=True)
class Issued:
    """How many certificates one call issued, and their numbers."""

    issued: int
    numbers: list[str]


@dataclass(frozen=True, slots=True)
class Verification:
    """What anyone may learn from a certificate number (only number/status/message when unknown)."""

    number: str
    status: str
    message: str
    name: str | None = None
    certificate_title: str | None = None
    class_title: str | None = None
    class_kind: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    issued_on: str | None = None
    authority: str | None = None


@dataclass(frozen=True, slots=True)
class HeldCertificate:
    """One of a trainee's certificates: what it certifies, who issued it, when, its status."""

    number: str
    certificate_title: str
    class_id: int
    class_title: str
    class_kind: str
    start_date: str
    end_date: str
    issued_on: str
    authority: str
    status: str


@dataclass(frozen=True, slots=True)
class Printable:
    """What the certificate image prints."""

    name: str
    class_title: str
    kind: str
    start: date
    end: date
    authority: str
    issued_on: date


def attendance_threshold() -> Decimal:
    """The share of sessions attended that completion asks for (COMPLETION_ATTENDANCE_THRESHOLD)."""
    return Decimal(str(runtime().settings.completion_attendance_threshold))


async def completions(klass: TrainingClass) -> list[Completion]:
    """Every enrolled trainee of a class: assessment, attendance over all sessions, completion."""
    threshold = attendance_threshold()
    matrix = await class_attendance(klass=klass)
    total = len(matrix.sessions)
    enrolments = await Enrolment.filter(
        training_class_id=klass.id, status=EnrolmentStatus.ENROLLED
    ).prefetch_related("trainee")
    results = {
        r.enrolment_id: r
        for r in await AssessmentResult.filter(enrolment_id__in=[e.id for e in enrolments])
    }
    out = []
    for e in enrolments:
        cells = [
            matrix.cells[(e.trainee_id, s.id)]
            for s in matrix.sessions
            if (e.trainee_id, s.id) in matrix.cells
        ]
        attended = sum(c.counted for c in cells)
        rate = (
            (Decimal(attended) / Decimal(total)).quantize(Decimal("0.0001"))
            if total
            else Decimal(0)
        )
        result = results.get(e.id)
        passed = bool(result and result.passed)
        out.append(
            Completion(
                e.id,
                e.trainee_id,
                e.trainee.name,
                result.score if result else None,
                passed,
                rate,
                passed and rate >= threshold,
            )
        )
    return out


async def completion_report(*, actor: Actor, class_id: int) -> CompletionReport:
    """The class completion sheet for its staff, institution and HR."""
    klass = await authorize_class(actor, class_id, COMPLETION_READERS)
    items = await completions(klass)
    return CompletionReport(
        class_id=klass.id,
        threshold=str(attendance_threshold()),
        pass_score=str(PASS_SCORE),
        completed=sum(c.completed for c in items),
        items=[c.row() for c in items],
    )


NUMBER_MAX_CHARS = 40  # Certificate.number
_RANDOM_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off paper


def certificate_number(klass: TrainingClass, enrolment_id: int) -> str:
    """Unique by construction (year, class, enrolment) and not guessable: 8 random characters
    (40 bits) end it, so knowing one number does not reveal a classmate's."""
    tail = "".join(secrets.choice(_RANDOM_ALPHABET) for _ in range(8))
    return f"FZQZ-{klass.end_date.year}-{klass.id:05d}-{enrolment_id:06d}-{tail}"


def issuing_authority() -> str:
    """The authority named on certificates (CERTIFICATE_ISSUER)."""
    return str(runtime().settings.certificate_issuer)


def title_of(klass: TrainingClass) -> str:
    """The certificate's title for this class (师资班 wording for an instructor class)."""
    return certificate_wording(klass.kind.value)[0]


async def issue_certificates(*, actor: Actor, class_id: int) -> Issued:
    """第二十二条: HR issues certificates to every trainee who completed a finished class.

    Returns how many this call issued and their numbers (none when all were issued before).
    """
    klass = await authorize_class(actor, class_id, ISSUERS)
    if klass.status not in FINISHED:
        raise RuleViolation("培训结业后方可颁发证书（第二十二条）", code="CLASS_NOT_FINISHED")
    numbers: list[str] = []
    async with in_transaction():
        for c in await completions(klass):
            if not c.completed:
                continue
            try:
                async with in_transaction():
                    certificate = await Certificate.create(
                        number=certificate_number(klass, c.enrolment_id),
                        enrolment_id=c.enrolment_id,
                        issued_by_id=actor.user_id,
                        issued_at=clock.now(),
                    )
            except IntegrityError:
                continue  # issued before: issuing again changes nothing
            numbers.append(certificate.number)
            await _certificate_event(klass, certificate, c.trainee_id, EventKind.CERTIFICATE_ISSUED)
        await record_audit(
            actor_id=actor.user_id,
            action="certificate.issue_class",
            target_type="class",
            target_id=klass.id,
            details={"issued": len(numbers)},
        )
    return Issued(issued=len(numbers), numbers=numbers)


async def _certificate_event(
    klass: TrainingClass, certificate: Certificate, trainee_id: int, kind: EventKind
) -> None:
    await record_class_event(
        klass,
        kind,
        key=f"certificate:{certificate.number}",
        trainee_id=trainee_id,
        number=certificate.number,
        authority=issuing_authority(),
        certificate_title=title_of(klass),
        reason=certificate.revoke_reason,
        page="pages/certificates/index",
    )


async def _certificate(number: str) -> Certificate | None:
    """The certificate with this number; a number longer than any is simply not found."""
    if len(number) > NUMBER_MAX_CHARS:
        return None
    return await Certificate.get_or_none(number=number)


async def revoke_certificate(*, actor: Actor, number: str, reason: str) -> Certificate:
    """HR revokes a certificate with a reason (audited); verification then says so."""
    require_role(actor, ISSUERS)
    certificate = await _certificate(number)
    if certificate is None:
        raise NotFound("证书不存在", code="CERTIFICATE_NOT_FOUND")
    enrolment = await Enrolment.get(id=certificate.enrolment_id)
    await authorize_class(actor, enrolment.training_class_id, ISSUERS)
    if not reason.strip():
        raise InvalidInput("撤销证书须填写原因", code="REASON_REQUIRED")
    certificate.revoked_at, certificate.revoke_reason = clock.now(), reason
    async with in_transaction():
        await certificate.save()
        klass = await TrainingClass.get(id=enrolment.training_class_id)
        await _certificate_event(
            klass, certificate, enrolment.trainee_id, EventKind.CERTIFICATE_REVOKED
        )
    await record_audit(
        actor_id=actor.user_id,
        action="certificate.revoke",
        target_type="certificate",
        target_id=certificate.number,
        details={"reason": reason},
    )
    return certificate


async def verify(number: str) -> Verification:
    """Public verification: valid, revoked or unknown; masked name, class, dates, status only."""
    if len(number) > NUMBER_MAX_CHARS:  # no certificate has such a number
        raise NotFound("证书编号不正确", code="CERTIFICATE_NOT_FOUND")
    certificate = await _certificate(number.strip().upper())
    if certificate is None:
        return Verification(number=number, status="unknown", message="未查询到该证书编号，请核对")
    enrolment = await Enrolment.get(id=certificate.enrolment_id).prefetch_related(
        "trainee", "training_class"
    )
    klass = enrolment.training_class
    revoked = certificate.revoked_at is not None
    return Verification(
        number=certificate.number,
        status="revoked" if revoked else "valid",
        message="该证书已被撤销" if revoked else "证书有效",
        name=mask_name(enrolment.trainee.name),
        class_title=klass.title,
        class_kind=klass.kind.value,
        certificate_title=title_of(klass),
        start_date=klass.start_date.isoformat(),
        end_date=klass.end_date.isoformat(),
        issued_on=clock.local(certificate.issued_at).date().isoformat(),
        authority=issuing_authority(),
    )


async def my_certificates(*, actor: Actor) -> list[HeldCertificate]:
    """The caller's own certificates (a trainee), newest first, with where to check each."""
    require_role(actor, HOLDERS)
    rows = await Certificate.filter(enrolment__trainee_id=actor.trainee_id).order_by(
        "-issued_at", "-id"
    )
    out = []
    for certificate in rows:
        enrolment = await Enrolment.get(id=certificate.enrolment_id).prefetch_related(
            "training_class"
        )
        klass = enrolment.training_class
        out.append(
            HeldCertificate(
                number=certificate.number,
                certificate_title=title_of(klass),
                class_id=klass.id,
                class_title=klass.title,
                class_kind=klass.kind.value,
                start_date=klass.start_date.isoformat(),
                end_date=klass.end_date.isoformat(),
                issued_on=clock.local(certificate.issued_at).date().isoformat(),
                authority=issuing_authority(),
                status="revoked" if certificate.revoked_at else "valid",
            )
        )
    return out


async def certificate_for(*, actor: Actor, number: str) -> tuple[Certificate, Printable]:
    """A certificate its holder, the class staff, institution or HR may download."""
    certificate = await _certificate(number)
    if certificate is None:
        raise NotFound("证书不存在", code="CERTIFICATE_NOT_FOUND")
    enrolment = await Enrolment.get(id=certificate.enrolment_id).prefetch_related(
        "trainee", "training_class"
    )
    if actor.trainee_id != enrolment.trainee_id:
        await authorize_class(actor, enrolment.training_class_id, COMPLETION_READERS)
    return certificate, Printable(
        name=enrolment.trainee.name,
        class_title=enrolment.training_class.title,
        kind=enrolment.training_class.kind.value,
        start=enrolment.training_class.start_date,
        end=enrolment.training_class.end_date,
        authority=issuing_authority(),
        issued_on=clock.local(certificate.issued_at).date(),
    )
