"""Class plans: drafting, sessions, instructors, staffing, submission, review and lifecycle.

Transitions happen only here; each is recorded with who, when and why. The rules themselves
live in `rules.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import (
    Institution,
    InstitutionStatus,
    Instructor,
    InstructorStatus,
    Role,
    RoleGrant,
    User,
)
from backend.calendar.working_days import (
    REVIEW_WORKING_DAYS,
    SUBMIT_WORKING_DAYS,
    review_deadline,
    submission_deadline,
)
from backend.classes.models import (
    EDITABLE,
    RUNNING,
    ClassInstructor,
    ClassKind,
    ClassSession,
    ClassStaff,
    ClassStatus,
    ClassStatusChange,
    SessionInstructor,
    StaffDuty,
    TrainingClass,
)
from backend.classes.rules import MAX_INSTRUCTORS, check_instructor_count, plan_violations
from backend.classes.scope import authorize_class, classes_in_scope
from backend.districts import is_known_district
from backend.errors import (
    ConfigurationMissing,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    Violation,
)
from backend.events.service import EventKind, record_event
from backend.registers.blacklist import ensure_none_blacklisted, ensure_not_blacklisted
from backend.registers.models import BlacklistKind
from backend.registers.standing import standing_violation

PLAN_ROLES = frozenset({Role.INSTITUTION_ADMIN})  # 第十八条: 培训机构 … 申报培训方案 (and edits it)
REVIEWERS = frozenset({Role.HR_ADMIN})  # 第十八条: 人社部门 … 完成审核
READERS = frozenset(Role)  # every role reads the classes in its scope (scope filters them)
# The roster template: the institution fills it in (第十八条: 学员信息); HR hands it out.
ROSTER_TEMPLATE_READERS = PLAN_ROLES | REVIEWERS


@dataclass(frozen=True)
class PlanInput:
    """What an institution states about a class when drafting it."""

    title: str
    district_code: str
    start_date: date
    end_date: date
    venue_address: str = ""
    venue_latitude: float | None = None
    venue_longitude: float | None = None
    fence_radius_m: int | None = None
    length_reason: str = ""
    capacity: int = 50
    contract_amount: Decimal = Decimal("0")
    kind: ClassKind = ClassKind.TRAINEE_CLASS  # 第十条: 师资班 or 学员班


@dataclass(frozen=True)
class SessionInput:
    """One session (课次): a day, local start and end times, topic, room, instructors."""

    day: date
    start: time
    end: time
    topic: str
    room: str = ""
    instructor_ids: tuple[int, ...] = ()


def refuse(violations: list[Violation]) -> RuleViolation:
    """The error for broken rules: the first one's code and message, all of them in details."""
    first = violations[0]
    return RuleViolation(
        first.message,
        code=first.code,
        details={"article": first.article, "violations": [v.to_dict() for v in violations]},
    )


async def record_transition(
    klass: TrainingClass, to: ClassStatus, *, actor_id: int | None, reason: str = ""
) -> None:
    """Move a class to a new status and keep who, when and why."""
    previous = klass.status
    klass.status = to
    await klass.save(update_fields=["status", "updated_at", "submitted_at", "decided_at"])
    await ClassStatusChange.create(
        training_class_id=klass.id,
        from_status=previous,
        to_status=to,
        actor_id=actor_id,
        reason=reason,
    )


def _check_plan_input(data: PlanInput) -> None:
    if not is_known_district(data.district_code):
        raise InvalidInput("区县代码不正确", code="DISTRICT_UNKNOWN")
    if data.end_date < data.start_date:
        raise InvalidInput("结束日期不能早于开始日期", code="CLASS_DATES_INVALID")
    if data.fence_radius_m is not None and (
        data.venue_latitude is None or data.venue_longitude is None
    ):
        raise InvalidInput("设置签到范围须同时提供培训地点的经纬度", code="FENCE_NEEDS_LOCATION")


async def create_plan(*, actor: Actor, institution_id: int, data: PlanInput) -> TrainingClass:
    """Draft a class plan for one of the actor's institutions."""
    require_role(actor, PLAN_ROLES)
    if institution_id not in actor.institutions(Role.INSTITUTION_ADMIN):
        raise Forbidden("只能为本机构创建培训班", code="SCOPE_FORBIDDEN")
    await ensure_institution_may_plan(institution_id)
    # 第二十七条: a blacklisted institution drafts no new plan while the entry holds.
    await ensure_not_blacklisted(BlacklistKind.INSTITUTION, institution_id, on=clock.today())
    _check_plan_input(data)
    async with in_transaction():
        klass = await TrainingClass.create(
            institution_id=institution_id, created_by_id=actor.user_id, **data.__dict__
        )
        await ClassStatusChange.create(
            training_class_id=klass.id,
            to_status=ClassStatus.DRAFT,
            actor_id=actor.user_id,
            reason="创建",
        )
    return klass


async def ensure_institution_may_plan(institution_id: int) -> None:
    """A disqualified (第九条) or suspended institution drafts and submits no plan."""
    institution = await Institution.get(id=institution_id)
    if institution.status == InstitutionStatus.DISQUALIFIED:
        raise RuleViolation(
            "该培训机构已被取消开展求职能力实训资格（第九条）", code="INSTITUTION_DISQUALIFIED"
        )
    if institution.status == InstitutionStatus.SUSPENDED:
        raise RuleViolation(
            "该培训机构已被人社部门暂停，暂停期间不能新建或申报培训方案",
            code="INSTITUTION_SUSPENDED",
        )


async def editable_plan(actor: Actor, class_id: int) -> TrainingClass:
    """A plan the actor may change now (draft, or rejected and being revised)."""
    klass = await authorize_class(actor, class_id, PLAN_ROLES)
    if klass.status not in EDITABLE:
        raise Conflict(
            "已申报或已开班的培训方案不能直接修改；已申报未审核的方案可先撤回",
            code="PLAN_LOCKED",
            details={"status": klass.status.value},
        )
    return klass


async def _reopen_if_rejected(klass: TrainingClass, actor: Actor) -> None:
    if klass.status == ClassStatus.REJECTED:
        await record_transition(
            klass, ClassStatus.DRAFT, actor_id=actor.user_id, reason="修改被驳回的方案"
        )


async def update_plan(*, actor: Actor, class_id: int, changes: dict[str, Any]) -> TrainingClass:
    """Change a draft's class information (a rejected plan returns to draft)."""
    klass = await editable_plan(actor, class_id)
    merged = PlanInput(**{**_plan_fields(klass), **changes})
    _check_plan_input(merged)
    async with in_transaction():
        for key, value in changes.items():
            setattr(klass, key, value)
        await klass.save()
        await _reopen_if_rejected(klass, actor)
    return klass


def _plan_fields(klass: TrainingClass) -> dict[str, Any]:
    return {name: getattr(klass, name) for name in PlanInput.__dataclass_fields__}


def session_times(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """Local (Asia/Shanghai) day and times → UTC instants."""
    begins = datetime.combine(day, start, clock.SHANGHAI)
    ends = datetime.combine(day, end, clock.SHANGHAI)
    if ends <= begins:
        raise InvalidInput("课次结束时间须晚于开始时间", code="SESSION_TIMES_INVALID")
    return begins, ends


async def add_sessions(
    *, actor: Actor, class_id: int, sessions: list[SessionInput]
) -> list[ClassSession]:
    """Add sessions with their instructors (who must be assigned to the class)."""
    klass = await editable_plan(actor, class_id)
    assigned = set(
        await ClassInstructor.filter(training_class_id=klass.id).values_list(
            "instructor_id", flat=True
        )
    )
    created = []
    async with in_transaction():
        for item in sessions:
            begins, ends = session_times(item.day, item.start, item.end)
            unknown = set(item.instructor_ids) - assigned
            if unknown:
                raise InvalidInput(
                    "课次的授课讲师须先分配到本班",
                    code="INSTRUCTOR_NOT_ASSIGNED",
                    details={"instructor_ids": sorted(unknown)},
                )
            session = await ClassSession.create(
                training_class_id=klass.id,
                starts_at=begins,
                ends_at=ends,
                topic=item.topic,
                room=item.room,
            )
            for instructor_id in item.instructor_ids:
                await SessionInstructor.create(
                    session_id=session.id,
                    instructor_id=instructor_id,
                    starts_at=begins,
                    ends_at=ends,
                )
            created.append(session)
        await _reopen_if_rejected(klass, actor)
    return created


async def delete_session(*, actor: Actor, class_id: int, session_id: int) -> None:
    """Remove a session from a draft plan."""
    klass = await editable_plan(actor, class_id)
    deleted = await ClassSession.filter(id=session_id, training_class_id=klass.id).delete()
    if not deleted:
        raise NotFound("课次不存在", code="SESSION_NOT_FOUND")


async def ensure_assignable(instructor_ids: list[int]) -> list[Instructor]:
    """第十三、十六条: only certified instructors in good standing may be assigned."""
    instructors = await Instructor.filter(id__in=instructor_ids)
    if len(instructors) != len(set(instructor_ids)):
        raise NotFound("讲师不存在", code="INSTRUCTOR_NOT_FOUND")
    bad = [i for i in instructors if i.status != InstructorStatus.ACTIVE or not i.certificate_no]
    if bad:
        raise RuleViolation(
            "只能安排持有效师资证书且未被暂停选派的讲师（第十三条、第十六条）："
            + "、".join(i.name for i in bad),
            code="INSTRUCTOR_NOT_ACTIVE",
            details={"instructor_ids": [i.id for i in bad]},
        )
    # 第二十七条: a blacklisted instructor is not assigned (nor named as a substitute).
    await ensure_none_blacklisted(BlacklistKind.INSTRUCTOR, instructor_ids, on=clock.today())
    return instructors


async def set_instructors(
    *, actor: Actor, class_id: int, instructor_ids: list[int], lead_id: int | None
) -> None:
    """Assign the class's instructors (第十九条: 2–4; more than 4, or none, is refused now,
    one alone may be saved in a draft and is refused at submission)."""
    klass = await editable_plan(actor, class_id)
    count = len(set(instructor_ids))
    violation = check_instructor_count(count)
    if violation is not None and (count > MAX_INSTRUCTORS or count == 0):
        raise refuse([violation])
    await ensure_assignable(instructor_ids)
    async with in_transaction():
        await (
            ClassInstructor.filter(training_class_id=klass.id)
            .exclude(instructor_id__in=instructor_ids)
            .delete()
        )
        await (
            SessionInstructor.filter(session__training_class_id=klass.id)
            .exclude(instructor_id__in=instructor_ids)
            .delete()
        )
        existing = set(
            await ClassInstructor.filter(training_class_id=klass.id).values_list(
                "instructor_id", flat=True
            )
        )
        for instructor_id in dict.fromkeys(instructor_ids):
            if instructor_id not in existing:
                await ClassInstructor.create(
                    training_class_id=klass.id, instructor_id=instructor_id
                )
        await ClassInstructor.filter(training_class_id=klass.id).update(is_lead=False)
        if lead_id is not None:
            await ClassInstructor.filter(training_class_id=klass.id, instructor_id=lead_id).update(
                is_lead=True
            )
        await _reopen_if_rejected(klass, actor)


DUTY_ROLES = {
    StaffDuty.TEAM_LEAD: {Role.INSTITUTION_ADMIN, Role.CLASS_TEACHER, Role.STAFF},
    StaffDuty.CLASS_TEACHER: {Role.CLASS_TEACHER},
    StaffDuty.STAFF: {Role.STAFF, Role.CLASS_TEACHER},
}


async def set_staff(*, actor: Actor, class_id: int, assignments: dict[StaffDuty, int]) -> None:
    """第二十条: name the team lead, the full-time class teacher and the staff member."""
    klass = await editable_plan(actor, class_id)
    async with in_transaction():
        for duty, user_id in assignments.items():
            held = set(
                await RoleGrant.filter(
                    user_id=user_id, institution_id=klass.institution_id, revoked_at__isnull=True
                ).values_list("role", flat=True)
            )
            if not held & DUTY_ROLES[duty]:
                raise InvalidInput(
                    "该人员不是本机构具有相应身份的工作人员",
                    code="STAFF_NOT_ELIGIBLE",
                    details={"duty": duty.value, "user_id": user_id},
                )
            user = await User.get(id=user_id)
            await ClassStaff.filter(training_class_id=klass.id, duty=duty).delete()
            await ClassStaff.create(
                training_class_id=klass.id, user_id=user_id, duty=duty, name=user.display_name
            )
        await _reopen_if_rejected(klass, actor)


async def _lock_instructors(class_id: int) -> None:
    """Serialise submissions that book the same instructors (rows locked in id order).

    On PostgreSQL this is SELECT … FOR UPDATE; SQLite has one writer at a time anyway.
    """
    ids = await SessionInstructor.filter(session__training_class_id=class_id).values_list(
        "instructor_id", flat=True
    )
    await Instructor.filter(id__in=sorted(set(ids))).order_by("id").select_for_update()


async def _deadline(rule: Any, start: date) -> str:
    """A 第十八条 deadline as text ("" where the calendar lacks the year)."""
    try:
        return str((await rule(start)).isoformat())
    except ConfigurationMissing:
        return ""


async def record_class_event(
    klass: TrainingClass,
    kind: EventKind,
    *,
    key: str,
    session_id: int | None = None,
    trainee_id: int | None = None,
    instructor_id: int | None = None,
    **data: Any,
) -> bool:
    """Record an event about a class (in the caller's transaction), with its common data;
    False when it was recorded before (its key names the fact)."""
    institution = await Institution.get_or_none(id=klass.institution_id)
    event = await record_event(
        kind=kind,
        dedupe_key=f"{kind.value}:class:{klass.id}:{key}",
        class_id=klass.id,
        session_id=session_id,
        trainee_id=trainee_id,
        instructor_id=instructor_id,
        institution_id=klass.institution_id,
        district_code=klass.district_code,
        subject=("class", klass.id),
        data={
            "class_title": klass.title,
            "institution": institution.name if institution else "",
            "start_date": klass.start_date.isoformat(),
            "page": f"pages/classes/detail?id={klass.id}",
            **data,
        },
    )
    return event is not None


async def submit_plan(*, actor: Actor, class_id: int) -> TrainingClass:
    """Submit a draft to HR: every rule checked, the instructors' time booked atomically."""
    async with in_transaction():
        klass = await editable_plan(actor, class_id)
        await TrainingClass.filter(id=klass.id).select_for_update()
        await _lock_instructors(klass.id)
        await ensure_institution_may_plan(klass.institution_id)
        violations = await plan_violations(klass, today=clock.today())
        standing = await standing_violation(
            institution_id=klass.institution_id, today=clock.today()
        )
        if standing is not None:
            violations.append(standing)
        if violations:
            raise refuse(violations)
        await SessionInstructor.filter(session__training_class_id=klass.id).update(committed=True)
        klass.submitted_at = clock.now()
        await record_transition(
            klass, ClassStatus.SUBMITTED, actor_id=actor.user_id, reason="提交申报"
        )
        deadline = await _deadline(review_deadline, klass.start_date)
        await record_class_event(
            klass,
            EventKind.PLAN_SUBMITTED,
            key=klass.submitted_at.isoformat(),
            deadline=deadline
            or f"开班前{REVIEW_WORKING_DAYS}个工作日",  # the calendar lacks the year: say the rule
            date=deadline or None,
        )
    return klass


async def withdraw_plan(*, actor: Actor, class_id: int, reason: str = "") -> TrainingClass:
    """Take a submitted, undecided plan back to draft (its instructors' time is released)."""
    async with in_transaction():
        klass = await authorize_class(actor, class_id, PLAN_ROLES)
        if klass.status != ClassStatus.SUBMITTED:
            raise Conflict("只有已申报、尚未审核的方案可以撤回", code="PLAN_NOT_SUBMITTED")
        await SessionInstructor.filter(session__training_class_id=klass.id).update(committed=False)
        await record_transition(
            klass, ClassStatus.DRAFT, actor_id=actor.user_id, reason=reason or "撤回"
        )
    return klass


async def review_plan(
    *, actor: Actor, class_id: int, approve: bool, reason: str = ""
) -> TrainingClass:
    """HR's decision (第十八条: no later than 3 working days before the start to approve)."""
    async with in_transaction():
        klass = await authorize_class(actor, class_id, REVIEWERS)
        if klass.status != ClassStatus.SUBMITTED:
            raise Conflict(
                "该方案不在待审核状态",
                code="PLAN_NOT_SUBMITTED",
                details={"status": klass.status.value},
            )
        klass.decided_at = clock.now()
        if not approve:
            if not reason.strip():
                raise InvalidInput("驳回须填写原因", code="REASON_REQUIRED")
            await SessionInstructor.filter(session__training_class_id=klass.id).update(
                committed=False
            )
            await record_transition(
                klass, ClassStatus.REJECTED, actor_id=actor.user_id, reason=reason
            )
            deadline = await _deadline(submission_deadline, klass.start_date)
            await record_class_event(
                klass,
                EventKind.PLAN_REJECTED,
                key=klass.decided_at.isoformat(),
                reason=reason,
                deadline=deadline or f"开班前{SUBMIT_WORKING_DAYS}个工作日",
                date=deadline or None,
            )
            return klass
        violations = await plan_violations(klass, today=clock.today(), for_review=True)
        if violations:
            raise refuse(violations)
        await record_transition(
            klass, ClassStatus.APPROVED, actor_id=actor.user_id, reason=reason or "审核通过"
        )
        await record_class_event(klass, EventKind.PLAN_APPROVED, key=klass.decided_at.isoformat())
    return klass


async def advance_lifecycle(klass: TrainingClass, *, now: datetime | None = None) -> TrainingClass:
    """Approved → in progress on the start day; in progress → completed after the last session."""
    now = now or clock.now()
    today = clock.local(now).date()
    if klass.status == ClassStatus.APPROVED and today >= klass.start_date:
        await record_transition(
            klass, ClassStatus.IN_PROGRESS, actor_id=None, reason="到达开班日期"
        )
    if klass.status == ClassStatus.IN_PROGRESS:
        last = await ClassSession.filter(training_class_id=klass.id).order_by("-ends_at").first()
        if last is not None and now >= last.ends_at:
            await record_transition(
                klass, ClassStatus.COMPLETED, actor_id=None, reason="最后一个课次已结束"
            )
    return klass


async def advance_due_classes(*, now: datetime | None = None) -> int:
    """Worker job: move every class whose day has come; returns how many changed."""
    now = now or clock.now()
    changed = 0
    candidates = await TrainingClass.filter(status__in=RUNNING)
    for klass in candidates:
        async with in_transaction():
            fresh = await TrainingClass.filter(id=klass.id).select_for_update().first()
            if fresh is None:
                continue
            before = fresh.status
            await advance_lifecycle(fresh, now=now)
            changed += fresh.status != before
    return changed


@dataclass(frozen=True, slots=True)
class Deadlines:
    """A plan's submission and review deadlines, ISO dates (None: the calendar lacks the year)."""

    submission_deadline: str | None
    review_deadline: str | None


async def deadlines_of(klass: TrainingClass) -> Deadlines:
    """The plan's submission and review deadlines (None where the calendar lacks the year)."""
    from backend.errors import ConfigurationMissing

    try:
        return Deadlines(
            submission_deadline=(await submission_deadline(klass.start_date)).isoformat(),
            review_deadline=(await review_deadline(klass.start_date)).isoformat(),
        )
    except ConfigurationMissing:
        return Deadlines(submission_deadline=None, review_deadline=None)


async def _visible_filter(actor: Actor) -> Q:
    """The classes an actor may see (in any of its roles): the scope module's filter."""
    return await classes_in_scope(actor, actor.roles)


async def list_classes(
    *, actor: Actor, status: ClassStatus | None, offset: int, limit: int
) -> tuple[int, list[TrainingClass]]:
    """Classes in the actor's scope, soonest start first (HR's review queue order)."""
    query = TrainingClass.filter(await _visible_filter(actor))
    if status is not None:
        query = query.filter(status=status)
    total = await query.count()
    return total, await query.order_by("start_date", "id").offset(offset).limit(limit)


async def class_for_reading(actor: Actor, class_id: int) -> TrainingClass:
    """A class the actor may see, its lifecycle brought up to date on read."""
    klass = await authorize_class(actor, class_id, READERS)
    async with in_transaction():
        return await advance_lifecycle(klass)
