"""Roster import: every bad row reported at once; nothing is half-imported."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Role, Trainee
from backend.accounts.service import TraineeInput, id_number_hash, register_trainee
from backend.classes.models import (
    BEFORE_START,
    OCCUPYING,
    RUNNING,
    WITHDRAW_REASON_LABELS,
    Enrolment,
    EnrolmentStatus,
    TrainingClass,
    WithdrawReason,
)
from backend.classes.roster import RosterParseResult, RosterRow, parse_rows, parse_xlsx
from backend.classes.scope import authorize_class
from backend.classes.service import editable_plan
from backend.errors import Conflict, InvalidInput, NotFound, RuleViolation
from backend.registers.blacklist import blacklisted_ids
from backend.registers.models import BlacklistKind
from backend.security.audit import record_audit

# A trainee may sit in one class at a time: these classes are "active".


async def _enrolled_elsewhere(class_id: int, rows: list[RosterRow]) -> dict[str, int]:
    """ID-number hash → the other active class a person is already enrolled in."""
    hashes = {id_number_hash(r.id_number): r for r in rows}
    found = (
        await Enrolment.filter(
            trainee__id_number_hash__in=list(hashes),
            status=EnrolmentStatus.ENROLLED,
            training_class__status__in=OCCUPYING,
        )
        .exclude(training_class_id=class_id)
        .values("trainee__id_number_hash", "training_class_id")
    )
    return {row["trainee__id_number_hash"]: row["training_class_id"] for row in found}


async def _blacklisted(rows: list[RosterRow]) -> set[str]:
    """ID-number hashes of people on the trainee blacklist today (第二十七条)."""
    hashes = [id_number_hash(r.id_number) for r in rows]
    known = dict(
        await Trainee.filter(id_number_hash__in=hashes).values_list("id", "id_number_hash")
    )
    listed = await blacklisted_ids(BlacklistKind.TRAINEE, list(known), on=clock.today())
    return {str(known[i]) for i in listed}


async def check_database(class_id: int, result: RosterParseResult) -> None:
    """Add the problems only the database can see: enrolled elsewhere, or blacklisted."""
    clashes = await _enrolled_elsewhere(class_id, result.rows)
    listed = await _blacklisted(result.rows)
    problems = [
        row.problem("id_number", f"该学员已报名其他在读培训班（班级编号{clashes[h]}）")
        for row in result.rows
        if (h := id_number_hash(row.id_number)) in clashes
    ] + [
        row.problem("id_number", "该学员在求职能力实训黑名单期限内，不能报名（第二十七条）")
        for row in result.rows
        if id_number_hash(row.id_number) in listed
    ]
    result.add_problems(problems)


async def check_capacity(klass: TrainingClass, rows: list[RosterRow]) -> None:
    """A roster may not take a class beyond its capacity (people already enrolled included)."""
    enrolled = set(
        await Enrolment.filter(
            training_class_id=klass.id, status=EnrolmentStatus.ENROLLED
        ).values_list("trainee__id_number_hash", flat=True)
    )
    newcomers = {id_number_hash(r.id_number) for r in rows} - enrolled
    if len(enrolled) + len(newcomers) > klass.capacity:
        raise RuleViolation(
            f"本班容量为{klass.capacity}人，已报名{len(enrolled)}人，本次新增{len(newcomers)}人，"
            "超出容量，未导入任何学员",
            code="CLASS_CAPACITY_EXCEEDED",
            details={
                "capacity": klass.capacity,
                "enrolled": len(enrolled),
                "newcomers": len(newcomers),
            },
        )


async def read_roster(
    xlsx: bytes, progress: Callable[[int, int], None] | None = None
) -> RosterParseResult:
    """Parse a workbook in a worker thread so the event loop keeps serving (time-boxed)."""
    return await asyncio.to_thread(parse_xlsx, xlsx, progress=progress)


@dataclass(frozen=True, slots=True)
class RosterImport:
    """How many roster rows were checked and enrolled (none on a dry run)."""

    imported: int
    checked: int
    dry_run: bool


async def import_roster(
    *,
    actor: Actor,
    class_id: int,
    xlsx: bytes | None = None,
    rows: list[dict[str, Any]] | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RosterImport:
    """Validate a roster (xlsx or JSON rows) and, if every row is good, enrol all of them."""
    klass = await editable_plan(actor, class_id)
    result = await read_roster(xlsx, progress) if xlsx is not None else parse_rows(rows or [])
    await check_database(klass.id, result)
    if not result.ok:
        raise InvalidInput(
            f"花名册有{len(result.problems)}处问题，未导入任何学员，请修改后重新上传",
            code="ROSTER_INVALID",
            details=result.to_dict(),
        )
    await check_capacity(klass, result.rows)
    if dry_run:
        return RosterImport(imported=0, checked=len(result.rows), dry_run=True)
    async with in_transaction():
        for row in result.rows:
            trainee = await register_trainee(data=_trainee_input(row))
            await Enrolment.get_or_create(
                training_class_id=klass.id,
                trainee_id=trainee.id,
                defaults={"category": row.category.value},
            )
    return RosterImport(imported=len(result.rows), checked=len(result.rows), dry_run=False)


def _trainee_input(row: RosterRow) -> TraineeInput:
    return TraineeInput(
        name=row.name,
        id_number=row.id_number,
        category=row.category,
        phone=row.phone,
        education=row.education,
        school=row.school,
        major=row.major,
        graduation_year=row.graduation_year,
    )


async def roster_of(*, class_id: int) -> list[Trainee]:
    """The enrolled trainees of a class (callers have checked scope)."""
    return await Trainee.filter(
        enrolments__training_class_id=class_id, enrolments__status=EnrolmentStatus.ENROLLED
    ).order_by("id")


ROSTER_READERS = {
    Role.HR_ADMIN,
    Role.INSTITUTION_ADMIN,
    Role.CLASS_TEACHER,
    Role.STAFF,
    Role.INSTRUCTOR,
}


# Leaving a class. Before its first day a roster row is simply removed (audited); from the first
# day on the row stays, marked withdrawn with a reason. A withdrawn trainee is in no figure whose
# denominator is the class's trainees (docs/withdrawal.md): completion (第二十二条), the
# employment rate (第二十三、二十四条), the subsidy's actual trainees (第二十四条), follow-up
# (第二十五条, no milestones, so no survey pushes for that class); check-in is refused.
LEAVE_ROLES = {Role.INSTITUTION_ADMIN, Role.HR_ADMIN}


async def _enrolment(klass: TrainingClass, trainee_id: int) -> Enrolment:
    enrolment = await Enrolment.get_or_none(training_class_id=klass.id, trainee_id=trainee_id)
    if enrolment is None:
        raise NotFound("该学员不在本班花名册中", code="ENROLMENT_NOT_FOUND")
    return enrolment


async def remove_from_roster(*, actor: Actor, class_id: int, trainee_id: int, reason: str) -> None:
    """Before the class starts, take a trainee off the roster (the removal is audited)."""
    klass = await authorize_class(actor, class_id, {Role.INSTITUTION_ADMIN})
    if klass.status not in BEFORE_START or clock.today() >= klass.start_date:
        raise Conflict(
            "培训班已开班，不能删除花名册中的学员，请办理退班（须填写原因）",
            code="ROSTER_LOCKED_AFTER_START",
        )
    async with in_transaction():
        enrolment = await _enrolment(klass, trainee_id)
        try:
            async with in_transaction():
                await enrolment.delete()
        except IntegrityError:
            raise Conflict(
                "该学员已有培训记录，不能删除，请办理退班", code="ROSTER_ROW_IN_USE"
            ) from None
        await record_audit(
            actor_id=actor.user_id,
            action="roster.remove",
            target_type="class",
            target_id=klass.id,
            details={"trainee_id": trainee_id, "reason": reason},
        )


async def withdraw_trainee(
    *, actor: Actor, class_id: int, trainee_id: int, reason: WithdrawReason, note: str = ""
) -> Enrolment:
    """From the class's first day, a trainee leaves with a reason; the row stays in history."""
    klass = await authorize_class(actor, class_id, LEAVE_ROLES)
    if klass.status not in RUNNING or clock.today() < klass.start_date:
        raise Conflict(
            "只有开班后、结业前的学员可以办理退班；开班前请直接从花名册删除",
            code="WITHDRAW_NOT_ALLOWED",
            details={"status": klass.status.value},
        )
    if reason is WithdrawReason.OTHER and not note.strip():
        raise InvalidInput("退班原因为“其他”时须说明", code="REASON_REQUIRED")
    async with in_transaction():
        enrolment = await _enrolment(klass, trainee_id)
        if enrolment.status == EnrolmentStatus.WITHDRAWN:
            raise Conflict("该学员已退班", code="ALREADY_WITHDRAWN")
        enrolment.status = EnrolmentStatus.WITHDRAWN
        enrolment.withdrawn_at = clock.now()
        enrolment.withdraw_reason = reason.value
        enrolment.withdraw_note = note.strip()
        enrolment.withdrawn_by_id = actor.user_id
        await enrolment.save()
        await record_audit(
            actor_id=actor.user_id,
            action="roster.withdraw",
            target_type="class",
            target_id=klass.id,
            details={"trainee_id": trainee_id, "reason": reason.value, "note": note.strip()},
        )
    return enrolment


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A trainee who left the class after the start: when (+08:00) and why, with its label."""

    trainee_id: int
    name: str
    withdrawn_at: str | None
    reason: str
    reason_label: str
    note: str


async def withdrawals_of(*, class_id: int) -> list[Withdrawal]:
    """The class's withdrawn trainees with when and why (callers have checked scope)."""
    rows = await Enrolment.filter(
        training_class_id=class_id, status=EnrolmentStatus.WITHDRAWN
    ).prefetch_related("trainee")
    return [
        Withdrawal(
            trainee_id=e.trainee_id,
            name=e.trainee.name,
            withdrawn_at=clock.local(e.withdrawn_at).isoformat() if e.withdrawn_at else None,
            reason=e.withdraw_reason,
            reason_label=WITHDRAW_REASON_LABELS.get(WithdrawReason(e.withdraw_reason), "")
            if e.withdraw_reason
            else "",
            note=e.withdraw_note,
        )
        for e in rows
    ]
