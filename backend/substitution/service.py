"""第十九条: 授课老师及培训机构不得私自找人代课，一经发现，取消该班级补贴申请资格.

The worker opens a case for every ended session to which trainees checked in while a booked
instructor (the one on the session when it ran, a substitute HR approved included) never signed
in — at most one case per session, by a unique constraint, so a job run twice or by two workers
opens it once. HR covering the class confirms (the class then loses its subsidy eligibility,
`class_lost_subsidy`, read by backend/subsidies) or dismisses the case, always with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Instructor, Role
from backend.attendance.models import Checkin, InstructorSignIn, Purpose, Review
from backend.classes.models import ClassSession, SessionInstructor, TrainingClass
from backend.classes.scope import authorize_class, classes_in_scope
from backend.classes.service import record_class_event
from backend.errors import Conflict, InvalidInput, NotFound
from backend.events.service import EventKind
from backend.security.audit import record_audit
from backend.substitution.models import CaseStatus, SubstitutionCase

# 第十九条: 人社部门 verifies a suspected private substitution (confirmed, the class loses its
# subsidy eligibility) and reads the cases of its classes.
DECIDERS = frozenset({Role.HR_ADMIN})
LOOKBACK = timedelta(days=14)  # sessions ended this recently are checked (a missed run catches up)


async def _missing_instructors(session_id: int) -> list[int]:
    booked = await SessionInstructor.filter(session_id=session_id).values_list(
        "instructor_id", flat=True
    )
    signed = await InstructorSignIn.filter(session_id=session_id, purpose=Purpose.IN).values_list(
        "instructor_id", flat=True
    )
    return sorted({int(i) for i in booked} - {int(i) for i in signed})  # type: ignore[call-overload]


async def _checked_in(session_id: int) -> int:
    return await Checkin.filter(
        session_id=session_id, purpose=Purpose.IN, review__not=Review.REJECTED
    ).count()


async def open_substitution_cases(*, now: datetime | None = None) -> int:
    """Worker: open a case for each recently ended session with trainees but no booked
    instructor's sign-in; returns how many were opened."""
    now = now or clock.now()
    sessions = (
        await ClassSession.filter(ends_at__lte=now, ends_at__gt=now - LOOKBACK)
        .exclude(id__in=Subquery(SubstitutionCase.all().values("session_id")))
        .order_by("id")
    )
    opened = 0
    for session in sessions:
        missing = await _missing_instructors(session.id)
        trainees = await _checked_in(session.id) if missing else 0
        if not missing or not trainees:
            continue
        opened += await _open_case(session, missing, trainees, now)
    return opened


async def _open_case(
    session: ClassSession, missing: list[int], trainees: int, now: datetime
) -> int:
    names = await Instructor.filter(id__in=missing).values_list("name", flat=True)
    try:
        async with in_transaction():
            case = await SubstitutionCase.create(
                session_id=session.id,
                training_class_id=session.training_class_id,
                missing_instructor_ids=missing,
                trainees_checked_in=trainees,
                opened_at=now,
            )
            klass = await TrainingClass.get(id=session.training_class_id)
            await record_class_event(
                klass,
                EventKind.SUBSTITUTION_SUSPECTED,
                key=f"case:{case.id}",
                session_id=session.id,
                session_time=clock.local(session.starts_at).strftime("%m月%d日 %H:%M"),
                instructor_names="、".join(str(n) for n in names),
                page="pages/work/index",
            )
    except IntegrityError:
        return 0  # another worker opened it
    return 1


async def decide_case(
    *, actor: Actor, case_id: int, confirm: bool, reason: str
) -> SubstitutionCase:
    """HR confirms (the class loses its subsidy eligibility, 第十九条) or dismisses, with why."""
    require_role(actor, DECIDERS)
    if not reason.strip():
        raise InvalidInput("请填写核实结论和理由", code="REASON_REQUIRED")
    async with in_transaction():
        case = await SubstitutionCase.filter(id=case_id).select_for_update().first()
        if case is None:
            raise NotFound("代课核实事项不存在", code="SUBSTITUTION_CASE_NOT_FOUND")
        klass = await authorize_class(actor, case.training_class_id, {Role.HR_ADMIN})
        if case.status is not CaseStatus.OPEN:
            raise Conflict("该事项已处理", code="SUBSTITUTION_CASE_DECIDED")
        case.status = CaseStatus.CONFIRMED if confirm else CaseStatus.DISMISSED
        case.decided_by_id, case.decided_at, case.reason = actor.user_id, clock.now(), reason
        await case.save()
        await record_audit(
            actor_id=actor.user_id,
            action=f"substitution.{case.status.value}",
            target_type="class",
            target_id=klass.id,
            details={"case_id": case.id, "session_id": case.session_id, "reason": reason},
        )
        if confirm:
            session = await ClassSession.get(id=case.session_id)
            await record_class_event(
                klass,
                EventKind.SUBSTITUTION_CONFIRMED,
                key=f"case:{case.id}",
                session_id=session.id,
                session_time=clock.local(session.starts_at).strftime("%m月%d日 %H:%M"),
                reason=reason,
            )
    return case


@dataclass(frozen=True)
class CasePage:
    """A page of cases, newest first."""

    total: int
    items: list[SubstitutionCase]


async def list_cases(
    *, actor: Actor, status: CaseStatus | None, class_id: int | None, offset: int, limit: int
) -> CasePage:
    """Cases of the classes HR covers."""
    require_role(actor, DECIDERS)
    scope = await classes_in_scope(actor, DECIDERS)
    class_ids = await TrainingClass.filter(scope).values_list("id", flat=True)
    query = SubstitutionCase.filter(training_class_id__in=list(class_ids))
    if status is not None:
        query = query.filter(status=status)
    if class_id is not None:
        query = query.filter(training_class_id=class_id)
    total = await query.count()
    items = await query.order_by("-opened_at", "-id").offset(offset).limit(limit)
    return CasePage(total, items)


async def class_lost_subsidy(class_id: int) -> SubstitutionCase | None:
    """The confirmed case that cost the class its subsidy eligibility (第十九条), if any."""
    return (
        await SubstitutionCase.filter(training_class_id=class_id, status=CaseStatus.CONFIRMED)
        .order_by("decided_at", "id")
        .first()
    )
