"""The work queue (待办): what one person must do now, soonest deadline first.

Every item is computed from the facts each time it is read, so it disappears the moment the
work is done (the plan reviewed, the leave decided, the tranche paid…) — there is no second
copy of the state to fall out of step. Each item names its kind, a Chinese title, its deadline,
the working days left until it where the regulation counts working days (第十八条 10 and 3,
第二十四条 5; backend/calendar/working_days.py), and the API path of the object to act on.

What each role sees:
- HR (within its district, or the city): plans to review (第十八条 3 working days before the
  start), leave requests (第十九条), certification applications (city-wide HR, 第十三条),
  advance payments (第二十四条 5 working days) and other tranches to pay, follow-ups overdue
  per institution (第二十五条), suspected private substitutions (第十九条), employment claims to
  verify and classes whose claims show a pattern to review (第二十三条).
- Institution admin: drafts before their submission deadline (第十八条 10 working days), rejected
  plans to fix.
- Class teacher and staff: check-ins awaiting confirmation, trainees whose attendance can no
  longer reach the completion threshold.
- Instructor: follow-up calls due, home visits, today's and tomorrow's sessions to sign in to,
  phone calls for messages that did not reach a trainee.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from tortoise.expressions import Q

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Institution, Role
from backend.attendance.models import (
    AttendanceMark,
    Checkin,
    InstructorSignIn,
    Purpose,
    Review,
)
from backend.attendance.warnings import threshold, trainees_out_of_reach
from backend.calendar.working_days import (
    WorkCalendar,
    load_calendar,
    review_deadline,
    submission_deadline,
)
from backend.classes.models import (
    EDITABLE,
    IN_FORCE,
    ClassInstructor,
    ClassKind,
    ClassSession,
    ClassStaff,
    ClassStatus,
    InstructorLeave,
    LeaveStatus,
    SessionInstructor,
    StaffDuty,
    TrainingClass,
)
from backend.classes.scope import classes_in_scope
from backend.employment.outcomes import class_employment_rates
from backend.errors import ConfigurationMissing
from backend.followups.completion import COUNTED_STAGES
from backend.followups.models import STAGE_LABELS, FollowupMilestone, FollowupService, Stage
from backend.integrity.flags import classes_flagged_for_review
from backend.notifications.models import HumanTask, TaskKind, TaskStatus
from backend.programme.models import ApplicationStatus, CertificationApplication
from backend.subsidies.models import TranchePayment
from backend.subsidies.service import subsidy_plan
from backend.substitution.models import CaseStatus, SubstitutionCase

READERS = frozenset(Role)  # every role opens its queue; what is in it follows the roles held
FOLLOWUP_LOOKAHEAD = timedelta(days=7)  # a follow-up stage shows a week before its milestone
SIGN_IN_LOOKAHEAD = timedelta(days=1)  # sessions of today and tomorrow


class WorkKind(StrEnum):
    """Kinds of work items (the keys of `counts`)."""

    PLAN_REVIEW = "plan_review"
    LEAVE_REQUEST = "leave_request"
    CERTIFICATION_APPLICATION = "certification_application"
    ADVANCE_PAYMENT = "advance_payment"
    TRANCHE_PAYMENT = "tranche_payment"
    FOLLOWUPS_OVERDUE = "followups_overdue"
    SUBSTITUTION_CASE = "substitution_case"
    PLAN_DRAFT = "plan_draft"
    PLAN_REJECTED = "plan_rejected"
    PENDING_CHECKINS = "pending_checkins"
    ABSENCE_WARNING = "absence_warning"
    FOLLOWUP_DUE = "followup_due"
    HOME_VISIT = "home_visit"
    PHONE_CALL = "phone_call"
    SESSION_SIGN_IN = "session_sign_in"
    EMPLOYMENT_VERIFICATION = "employment_verification"
    INTEGRITY_REVIEW = "integrity_review"


WORK_KIND_LABELS: dict[WorkKind, str] = {
    WorkKind.PLAN_REVIEW: "待审核培训方案",
    WorkKind.LEAVE_REQUEST: "待审批讲师请假",
    WorkKind.CERTIFICATION_APPLICATION: "待审核师资认证",
    WorkKind.ADVANCE_PAYMENT: "待拨付预付款",
    WorkKind.TRANCHE_PAYMENT: "待拨付补贴",
    WorkKind.FOLLOWUPS_OVERDUE: "后续服务逾期",
    WorkKind.SUBSTITUTION_CASE: "疑似私自代课待核实",
    WorkKind.PLAN_DRAFT: "待申报培训方案",
    WorkKind.PLAN_REJECTED: "被驳回待修改方案",
    WorkKind.PENDING_CHECKINS: "待确认签到",
    WorkKind.ABSENCE_WARNING: "出勤预警",
    WorkKind.FOLLOWUP_DUE: "待完成回访",
    WorkKind.HOME_VISIT: "家访任务",
    WorkKind.PHONE_CALL: "电话联系任务",
    WorkKind.SESSION_SIGN_IN: "待签到授课",
    WorkKind.EMPLOYMENT_VERIFICATION: "待核实就业申报",
    WorkKind.INTEGRITY_REVIEW: "就业数据异常待复核",
}


@dataclass
class WorkItem:
    """One thing to do: what, by when, how many working days are left, where to do it."""

    kind: WorkKind
    title: str
    deadline: date | None
    link: str  # the API path (GET) where the object is found and acted on
    object_type: str
    object_id: int
    days_left: int | None = None  # working days (None: no working-day rule, or no calendar)
    overdue: bool = False
    article: str = ""
    class_id: int | None = None
    institution_id: int | None = None
    count: int = 1
    counts_working_days: bool = field(default=False, repr=False)

    @property
    def kind_label(self) -> str:
        """The kind's label as the work queue shows it."""
        return WORK_KIND_LABELS[self.kind]


@dataclass
class WorkQueue:
    """A person's items, soonest deadline first, and how many of each kind."""

    items: list[WorkItem]

    @property
    def counts(self) -> dict[str, int]:
        """Items per kind."""
        return dict(Counter(item.kind.value for item in self.items))


def working_days_left(calendar: WorkCalendar, today: date, deadline: date) -> int:
    """Working days from today to the deadline: 0 on the day, negative once it has passed.

    Counted as the working days after today up to and including the deadline (after the
    deadline up to and including today, negated, once passed).
    """
    if deadline >= today:
        return sum(
            calendar.is_workday(today + timedelta(days=n + 1))
            for n in range((deadline - today).days)
        )
    return -sum(
        calendar.is_workday(deadline + timedelta(days=n + 1))
        for n in range((today - deadline).days)
    )


async def _count_down(items: list[WorkItem], today: date) -> None:
    """Mark overdue items; fill `days_left` where the regulation counts working days."""
    for item in items:
        item.overdue = item.deadline is not None and item.deadline < today
    dated = [i for i in items if i.deadline is not None and i.counts_working_days]
    if not dated:
        return
    days = [today] + [i.deadline for i in dated if i.deadline is not None]
    calendar = await load_calendar(min(days), max(days))
    for item in dated:
        assert item.deadline is not None
        try:
            item.days_left = working_days_left(calendar, today, item.deadline)
        except ConfigurationMissing:
            item.days_left = None  # the year has no calendar data: never a guess


def _hm(moment: datetime) -> str:
    return f"{clock.local(moment):%m月%d日 %H:%M}"


async def _safe(rule: Any, start: date) -> date | None:
    try:
        return await rule(start)
    except ConfigurationMissing:
        return None


# -- HR -------------------------------------------------------------------------------------------


async def _hr_items(actor: Actor, today: date) -> list[WorkItem]:
    scope = await classes_in_scope(actor, frozenset({Role.HR_ADMIN}))
    items: list[WorkItem] = []
    for klass in await TrainingClass.filter(scope, status=ClassStatus.SUBMITTED):
        items.append(
            WorkItem(
                WorkKind.PLAN_REVIEW,
                f"审核培训方案《{klass.title}》（{klass.start_date:%m月%d日}开班）",
                await _safe(review_deadline, klass.start_date),
                f"/api/v1/classes/{klass.id}",
                "class",
                klass.id,
                article="第十八条",
                class_id=klass.id,
                institution_id=klass.institution_id,
                counts_working_days=True,
            )
        )
    class_ids = list(await TrainingClass.filter(scope).values_list("id", flat=True))
    items += await _leave_items(class_ids)
    if actor.hr_covers(""):
        items += await _application_items()
    items += await _payment_items(scope)
    items += await _overdue_by_institution(scope, today)
    items += await _substitution_items(class_ids)
    items += await _integrity_items(actor, scope)
    return items


async def _integrity_items(actor: Actor, scope: Q) -> list[WorkItem]:
    """第二十三条: claims to verify (the last tranche reads the verified rate), flagged classes."""
    items = []
    for klass in await TrainingClass.filter(
        scope, kind=ClassKind.TRAINEE_CLASS, status=ClassStatus.FOLLOWING_UP
    ):
        pending = (await class_employment_rates(klass.id)).pending
        if pending:
            items.append(
                WorkItem(
                    WorkKind.EMPLOYMENT_VERIFICATION,
                    f"核实《{klass.title}》{pending}条就业申报",
                    None,
                    f"/api/v1/classes/{klass.id}/employment-claims",
                    "class",
                    klass.id,
                    article="第二十三条",
                    class_id=klass.id,
                    institution_id=klass.institution_id,
                    count=pending,
                )
            )
    for found in await classes_flagged_for_review(actor=actor):
        labels = "、".join(f.label for f in found.flags)
        items.append(
            WorkItem(
                WorkKind.INTEGRITY_REVIEW,
                f"复核《{found.title}》就业数据：{labels}",
                None,
                f"/api/v1/classes/{found.class_id}/integrity-flags",
                "class",
                found.class_id,
                article="第二十三条",
                class_id=found.class_id,
                institution_id=found.institution_id,
                count=len(found.flags),
            )
        )
    return items


async def _leave_items(class_ids: list[Any]) -> list[WorkItem]:
    leaves = await InstructorLeave.filter(
        status=LeaveStatus.REQUESTED, session__training_class_id__in=class_ids
    ).prefetch_related("session", "instructor")
    return [
        WorkItem(
            WorkKind.LEAVE_REQUEST,
            f"{leave.instructor.name}请假：{_hm(leave.session.starts_at)}课次",
            clock.local(leave.session.starts_at).date(),
            f"/api/v1/leaves?status=requested&class_id={leave.session.training_class_id}",
            "leave",
            leave.id,
            article="第十九条",
            class_id=leave.session.training_class_id,
        )
        for leave in leaves
    ]


async def _application_items() -> list[WorkItem]:
    rows = await CertificationApplication.filter(
        status=ApplicationStatus.SUBMITTED
    ).prefetch_related("candidate")
    return [
        WorkItem(
            WorkKind.CERTIFICATION_APPLICATION,
            f"审核{a.candidate.name}的师资认证申请",
            None,
            "/api/v1/certification/applications?status=submitted",
            "certification_application",
            a.id,
            article="第十三条",
        )
        for a in rows
    ]


async def _payment_items(scope: Q) -> list[WorkItem]:
    """Tranches whose condition holds and that are unpaid (第二十四条)."""
    items = []
    classes = await TrainingClass.filter(scope, status__in=list(IN_FORCE))
    paid: Counter[Any] = Counter(
        await TranchePayment.filter(training_class_id__in=[k.id for k in classes]).values_list(
            "training_class_id", flat=True
        )
    )
    for klass in classes:
        if paid[klass.id] >= (2 if klass.kind == ClassKind.INSTRUCTOR_CLASS else 4):
            continue  # every tranche paid: nothing to compute
        plan = await subsidy_plan(klass)
        for t in plan.tranches:
            if not t.holds or t.paid or t.amount <= 0:
                continue
            advance = t.number == 1
            items.append(
                WorkItem(
                    WorkKind.ADVANCE_PAYMENT if advance else WorkKind.TRANCHE_PAYMENT,
                    f"拨付《{klass.title}》第{t.number}期补贴 {t.amount:.2f} 元",
                    t.due_by,
                    f"/api/v1/classes/{klass.id}/subsidy",
                    "class",
                    klass.id,
                    article="第二十四条",
                    class_id=klass.id,
                    institution_id=klass.institution_id,
                    counts_working_days=advance,
                )
            )
    return items


async def overdue_followups(class_ids: list[int], today: date) -> list[tuple[int, int, str, date]]:
    """(class, trainee, stage, milestone day) of stages passed without a service (第二十五条)."""
    milestones = await FollowupMilestone.filter(
        training_class_id__in=class_ids, due_date__lt=today
    ).values_list("training_class_id", "trainee_id", "stage", "due_date")
    served = set(
        await FollowupService.filter(
            training_class_id__in=class_ids, stage__in=list(COUNTED_STAGES)
        ).values_list("training_class_id", "trainee_id", "stage")
    )
    return [(int(c), int(t), str(s), d) for c, t, s, d in milestones if (c, t, s) not in served]


async def _overdue_by_institution(scope: Q, today: date) -> list[WorkItem]:
    classes = await TrainingClass.filter(scope, status=ClassStatus.FOLLOWING_UP)
    institution_of = {k.id: k.institution_id for k in classes}
    per: dict[int, list[date]] = defaultdict(list)
    for class_id, _t, _s, due in await overdue_followups(list(institution_of), today):
        per[institution_of[class_id]].append(due)
    visits = await HumanTask.filter(
        kind=TaskKind.HOME_VISIT,
        status=TaskStatus.OPEN,
        due_date__lt=today,
        training_class_id__in=list(institution_of),
    ).values_list("training_class_id", "due_date")
    for class_id, due in visits:
        per[institution_of[int(class_id)]].append(due)
    names = dict(await Institution.filter(id__in=list(per)).values_list("id", "name"))
    return [
        WorkItem(
            WorkKind.FOLLOWUPS_OVERDUE,
            f"{names.get(inst, '')}：{len(dues)}项后续服务逾期",
            min(dues),
            "/api/v1/followups/overdue",
            "institution",
            inst,
            article="第二十五条",
            institution_id=inst,
            count=len(dues),
        )
        for inst, dues in per.items()
    ]


async def _substitution_items(class_ids: list[Any]) -> list[WorkItem]:
    cases = await SubstitutionCase.filter(
        status=CaseStatus.OPEN, training_class_id__in=class_ids
    ).prefetch_related("training_class", "session")
    return [
        WorkItem(
            WorkKind.SUBSTITUTION_CASE,
            f"核实《{c.training_class.title}》{clock.local(c.session.starts_at):%m月%d日}课次是否私自代课",
            clock.local(c.opened_at).date(),
            f"/api/v1/substitution-cases?status=open&class_id={c.training_class_id}",
            "substitution_case",
            c.id,
            article="第十九条",
            class_id=c.training_class_id,
            institution_id=c.training_class.institution_id,
        )
        for c in cases
    ]


# -- institution ----------------------------------------------------------------------------------


async def _institution_items(actor: Actor, today: date) -> list[WorkItem]:
    institutions = list(actor.institutions(Role.INSTITUTION_ADMIN))
    items = []
    for klass in await TrainingClass.filter(
        institution_id__in=institutions,
        status__in=EDITABLE,
        start_date__gt=today,
    ):
        draft = klass.status == ClassStatus.DRAFT
        items.append(
            WorkItem(
                WorkKind.PLAN_DRAFT if draft else WorkKind.PLAN_REJECTED,
                f"{'申报' if draft else '修改并重新申报'}培训方案《{klass.title}》",
                await _safe(submission_deadline, klass.start_date),
                f"/api/v1/classes/{klass.id}",
                "class",
                klass.id,
                article="第十八条",
                class_id=klass.id,
                institution_id=klass.institution_id,
                counts_working_days=True,
            )
        )
    return items


# -- class teacher and staff ----------------------------------------------------------------------


async def _teacher_items(actor: Actor) -> list[WorkItem]:
    class_ids = list(
        await ClassStaff.filter(
            user_id=actor.user_id, duty__in=[StaffDuty.CLASS_TEACHER, StaffDuty.STAFF]
        ).values_list("training_class_id", flat=True)
    )
    items = []
    scans = await Checkin.filter(
        session__training_class_id__in=class_ids,
        session__training_class__status__in=[ClassStatus.IN_PROGRESS, ClassStatus.COMPLETED],
        purpose=Purpose.IN,
        review=Review.PENDING,
    ).values_list("session_id", "trainee_id")
    marked = set(  # a mark wins over any scan: its scan needs no decision
        await AttendanceMark.filter(session_id__in=[s for s, _ in scans]).values_list(
            "session_id", "trainee_id"
        )
    )
    pending: Counter[Any] = Counter(s for s, t in scans if (s, t) not in marked)
    for session in await ClassSession.filter(id__in=list(pending)).order_by("starts_at"):
        items.append(
            WorkItem(
                WorkKind.PENDING_CHECKINS,
                f"确认{clock.local(session.starts_at):%m月%d日}「{session.topic}」的{pending[session.id]}条签到",
                clock.local(session.starts_at).date(),
                f"/api/v1/sessions/{session.id}/checkins",
                "session",
                session.id,
                article="第二十条",
                class_id=session.training_class_id,
                count=pending[session.id],
            )
        )
    running = await TrainingClass.filter(id__in=class_ids, status=ClassStatus.IN_PROGRESS)
    share = f"{threshold() * 100:.0f}%"
    for klass in running:
        for risk in await trainees_out_of_reach(klass):
            items.append(
                WorkItem(
                    WorkKind.ABSENCE_WARNING,
                    f"{risk.name}已缺勤{risk.missed}次，出勤率无法达到{share}",
                    klass.end_date,
                    f"/api/v1/classes/{klass.id}/attendance",
                    "trainee",
                    risk.trainee_id,
                    article="第二十二条",
                    class_id=klass.id,
                )
            )
    return items


# -- instructor -----------------------------------------------------------------------------------


async def _instructor_items(actor: Actor, today: date) -> list[WorkItem]:
    instructor_id = actor.instructor_id
    assert instructor_id is not None
    items = await _sign_in_items(instructor_id)
    items += await _followup_items(instructor_id, today)
    tasks = await HumanTask.filter(
        assignee_id=instructor_id, status=TaskStatus.OPEN
    ).prefetch_related("trainee")
    for task in tasks:
        visit = task.kind is TaskKind.HOME_VISIT
        who = task.trainee.name if task.trainee else ""
        items.append(
            WorkItem(
                WorkKind.HOME_VISIT if visit else WorkKind.PHONE_CALL,
                f"{'家访' if visit else '电话联系'}{who}",
                task.due_date,
                f"/api/v1/tasks?status=open&kind={task.kind.value}",
                "task",
                task.id,
                article="第二十五条" if visit else "",
                class_id=task.training_class_id,
            )
        )
    return items


async def _sign_in_items(instructor_id: int) -> list[WorkItem]:
    now = clock.now()
    links = await SessionInstructor.filter(
        instructor_id=instructor_id,
        committed=True,
        ends_at__gt=now,
        starts_at__lt=now + SIGN_IN_LOOKAHEAD,
    ).prefetch_related("session")
    signed = set(
        await InstructorSignIn.filter(
            instructor_id=instructor_id,
            purpose=Purpose.IN,
            session_id__in=[link.session_id for link in links],
        ).values_list("session_id", flat=True)
    )
    return [
        WorkItem(
            WorkKind.SESSION_SIGN_IN,
            f"{clock.local(link.starts_at):%m月%d日 %H:%M}授课「{link.session.topic}」，请本人签到",
            clock.local(link.starts_at).date(),
            "/api/v1/me/schedule",
            "session",
            link.session_id,
            article="第十九条",
            class_id=link.session.training_class_id,
        )
        for link in links
        if link.session_id not in signed
    ]


async def _followup_items(instructor_id: int, today: date) -> list[WorkItem]:
    """Stages due within a week (or passed) with trainees not yet served, per class and stage."""
    lead = await ClassInstructor.filter(instructor_id=instructor_id).values_list(
        "training_class_id", flat=True
    )
    class_ids = list(
        await TrainingClass.filter(id__in=list(lead), status=ClassStatus.FOLLOWING_UP).values_list(
            "id", flat=True
        )
    )
    milestones = await FollowupMilestone.filter(
        training_class_id__in=class_ids, due_date__lte=today + FOLLOWUP_LOOKAHEAD
    ).values_list("training_class_id", "trainee_id", "stage", "due_date")
    served = set(
        await FollowupService.filter(training_class_id__in=class_ids).values_list(
            "training_class_id", "trainee_id", "stage"
        )
    )
    open_: dict[tuple[int, str], list[date]] = defaultdict(list)
    for class_id, trainee_id, stage, due in milestones:
        if (class_id, trainee_id, stage) not in served:
            open_[(int(class_id), str(stage))].append(due)
    titles = dict(await TrainingClass.filter(id__in=class_ids).values_list("id", "title"))
    return [
        WorkItem(
            WorkKind.FOLLOWUP_DUE,
            f"《{titles.get(class_id, '')}》{len(dues)}名学员待{STAGE_LABELS[Stage(stage)]}回访",
            max(dues),
            f"/api/v1/classes/{class_id}/followup-summary",
            "class",
            class_id,
            article="第二十五条",
            class_id=class_id,
            count=len(dues),
        )
        for (class_id, stage), dues in sorted(open_.items())
    ]


# -- the queue ------------------------------------------------------------------------------------


def _order(item: WorkItem) -> tuple[int, date, str, int]:
    return (item.deadline is None, item.deadline or date.max, item.kind.value, item.object_id)


async def work_queue(*, actor: Actor) -> WorkQueue:
    """Everything the actor must do now, soonest deadline first (no deadline last)."""
    today = clock.today()
    items: list[WorkItem] = []
    if Role.HR_ADMIN in actor.roles:
        items += await _hr_items(actor, today)
    if Role.INSTITUTION_ADMIN in actor.roles:
        items += await _institution_items(actor, today)
    if actor.has_any({Role.CLASS_TEACHER, Role.STAFF}):
        items += await _teacher_items(actor)
    if actor.instructor_id is not None and Role.INSTRUCTOR in actor.roles:
        items += await _instructor_items(actor, today)
    await _count_down(items, today)
    items.sort(key=_order)
    return WorkQueue(items)
