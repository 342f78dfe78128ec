"""Follow-up after training (第二十五条): milestones, survey invitations and answers, services.

- When a class completes, each enrolled trainee gets three milestones (`milestone_dates`).
- On the due day the worker queues the survey invitation through the outbox, in the same
  transaction that marks the milestone invited; the dedupe key makes it one message per milestone.
- An answer updates the trainee's employment record (`backend.employment.outcomes`).
- Instructors log services; at least `MIN_SERVICES` per trainee within the three stages.
- Trainees not employed at 6 months get a home-visit task for an instructor of the class.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role, Trainee
from backend.classes.models import (
    FINISHED,
    ClassKind,
    ClassStatus,
    Enrolment,
    EnrolmentStatus,
    TrainingClass,
)
from backend.classes.scope import authorize_trainee, class_roles
from backend.classes.service import record_transition
from backend.employment.models import EmploymentStatus, OutcomeSource
from backend.employment.outcomes import Outcome, latest_outcomes, record_employment
from backend.errors import Conflict, InvalidInput, NotFound, RuleViolation
from backend.followups.models import (
    STAGE_LABELS,
    FollowupMilestone,
    FollowupService,
    ServiceKind,
    Stage,
    SurveyResponse,
)
from backend.notifications.models import Channel, HumanTask, OutboxMessage, TaskKind
from backend.notifications.tasks import close_open_task, instructor_for, open_task
from backend.notifications.templates import FOLLOWUP_SURVEY

MIN_SERVICES = 3  # 第二十五条: 3次及以上的后续跟踪服务
SURVEY_GRACE_DAYS = 7  # days a trainee has to answer before the item counts as overdue
HOME_VISIT_DAYS = 14  # days to carry out a home visit once it is assigned
AFTER_STAGES = "after_6_months"  # services later than the third stage (not counted)
SERVICE_ROLES = frozenset({Role.INSTRUCTOR, Role.CLASS_TEACHER, Role.STAFF})
RESPONDENTS = frozenset({Role.TRAINEE})  # 第二十五条: the trainee is followed up and answers
SERVICE_READERS = SERVICE_ROLES | {Role.INSTITUTION_ADMIN, Role.HR_ADMIN}
CHUNK = 200  # classes per transaction when starting follow-up in bulk


# -- dates ----------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Calendar months later; a day the target month lacks clamps to its last day (31 → 30)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def milestone_dates(end_date: date) -> dict[Stage, date]:
    """第二十五条: 1 week, 3 months and 6 months after the class's end date."""
    return {
        Stage.WEEK_1: end_date + timedelta(days=7),
        Stage.MONTH_3: add_months(end_date, 3),
        Stage.MONTH_6: add_months(end_date, 6),
    }


def stage_of(end_date: date, day: date) -> str:
    """The stage a service on `day` belongs to (the first whose milestone is not yet past)."""
    for stage, due in milestone_dates(end_date).items():
        if day <= due:
            return stage.value
    return AFTER_STAGES


def home_visit_key(class_id: int, trainee_id: int) -> str:
    """Dedupe key of the one home-visit task of a trainee of a class."""
    return f"home_visit:{class_id}:{trainee_id}"


# -- starting follow-up ---------------------------------------------------------------------------


_MILESTONE_COLUMNS = ("training_class_id", "trainee_id", "stage", "due_date", "created_at")


async def _insert_milestones(rows: list[tuple[Any, ...]]) -> None:
    """Insert milestone rows, skipping existing ones (ON CONFLICT DO NOTHING on both databases).

    Plain tuples through ``executemany``: building a model object per row cost more than the
    insert itself (300,000 rows in the benchmark).
    """
    if not rows:
        return
    conn = connections.get("default")  # the caller's transaction
    count = len(_MILESTONE_COLUMNS)
    if conn.capabilities.dialect == "postgres":
        marks = ", ".join(f"${n}" for n in range(1, count + 1))
    else:
        marks = ", ".join("?" * count)
    table = FollowupMilestone._meta.db_table
    sql = (
        f'INSERT INTO "{table}" ({", ".join(_MILESTONE_COLUMNS)}) VALUES ({marks}) '
        "ON CONFLICT DO NOTHING"
    )
    await conn.execute_many(sql, rows)


async def _generate_for(classes: list[TrainingClass]) -> int:
    """Bulk-insert the milestones of these classes' enrolled trainees (existing ones stay)."""
    dates = {k.id: list(milestone_dates(k.end_date).items()) for k in classes}
    pairs = await Enrolment.filter(
        training_class_id__in=list(dates), status=EnrolmentStatus.ENROLLED
    ).values_list("training_class_id", "trainee_id")
    now = clock.now()
    rows = [
        (class_id, trainee_id, stage.value, due, now)
        for class_id, trainee_id in pairs
        for stage, due in dates[class_id]
    ]
    await _insert_milestones(rows)
    return len(rows)


async def generate_milestones(*, klass: TrainingClass) -> int:
    """Give each enrolled trainee of a completed class its three milestones (idempotent).

    The lifecycle may call this when a class completes (inside its transaction).
    """
    if klass.kind is not ClassKind.TRAINEE_CLASS:
        return 0  # 第二十五条 concerns trainees; an instructor class has no follow-up
    return await _generate_for([klass])


async def begin_followup(*, klass: TrainingClass, actor_id: int | None = None) -> bool:
    """Milestones, then completed → following_up; False when the class is not completed."""
    if klass.status is not ClassStatus.COMPLETED or klass.kind is not ClassKind.TRAINEE_CLASS:
        return False
    await generate_milestones(klass=klass)
    await record_transition(
        klass, ClassStatus.FOLLOWING_UP, actor_id=actor_id, reason="结业，进入后续跟踪服务"
    )
    return True


async def start_due_followups(*, chunk: int = CHUNK) -> int:
    """Worker job: every completed trainee class gets milestones and moves to following_up."""
    moved = 0
    completed = TrainingClass.filter(status=ClassStatus.COMPLETED, kind=ClassKind.TRAINEE_CLASS)
    while True:
        ids = list(await completed.order_by("id").limit(chunk).values_list("id", flat=True))
        if not ids:
            return moved
        async with in_transaction():
            classes = await completed.filter(id__in=ids).select_for_update(skip_locked=True)
            await _generate_for(classes)
            for klass in classes:
                await record_transition(
                    klass, ClassStatus.FOLLOWING_UP, actor_id=None, reason="结业，进入后续跟踪服务"
                )
        moved += len(classes)
        if not classes or len(ids) < chunk:
            return moved


# -- invitations ----------------------------------------------------------------------------------


def invitation_key(milestone_id: int) -> str:
    """Dedupe key of a milestone's survey invitation in the outbox."""
    return f"followup:{milestone_id}:invite"


def _invitation(row: dict[str, Any], user_id: int | None, title: str, now: datetime) -> Any:
    stage = Stage(row["stage"])
    due: date = row["due_date"]
    payload = {
        "data": {
            "thing1": f"{STAGE_LABELS[stage]}就业情况回访",
            "thing2": title,
            "date3": f"{due.year}年{due.month}月{due.day}日",
            "thing4": "请花1分钟填写就业情况问卷",
        },
        "page": f"pages/followup/survey?id={row['id']}",
        "context": {
            "milestone_id": row["id"],
            "trainee_id": row["trainee_id"],
            "class_id": row["training_class_id"],
            "stage": stage.value,
        },
    }
    return OutboxMessage(
        dedupe_key=invitation_key(row["id"]),
        channel=Channel.SUBSCRIBE,
        template_key=FOLLOWUP_SURVEY,
        payload=payload,
        user_id=user_id,
        next_attempt_at=now,
        created_at=now,
    )


async def _queue(rows: list[dict[str, Any]], now: datetime) -> int:
    """Mark milestones invited and enqueue their invitations, in the caller's transaction."""
    ids = [r["id"] for r in rows]
    marked = await FollowupMilestone.filter(id__in=ids, invited_at__isnull=True).update(
        invited_at=now
    )
    trainee_ids = {r["trainee_id"] for r in rows}
    users = dict(await Trainee.filter(id__in=trainee_ids).values_list("id", "user_id"))
    class_ids = {r["training_class_id"] for r in rows}
    titles = dict(await TrainingClass.filter(id__in=class_ids).values_list("id", "title"))
    messages = [
        _invitation(r, users.get(r["trainee_id"]), titles[r["training_class_id"]], now)
        for r in rows
    ]
    # One message per milestone, however often this runs: the dedupe key is unique.
    await OutboxMessage.bulk_create(messages, batch_size=1000, ignore_conflicts=True)
    return int(marked)


async def queue_due_invitations(*, today: date | None = None, batch: int = 500) -> int:
    """Worker job: on (or after) the due day, queue each milestone's survey invitation once."""
    today = today or clock.today()
    following = await TrainingClass.filter(status=ClassStatus.FOLLOWING_UP).values_list(
        "id", flat=True
    )
    # No join: the (invited_at, due_date) index yields the due rows in order, whatever the
    # planner believes about the classes (a join planned on stale statistics went quadratic).
    due = FollowupMilestone.filter(
        invited_at__isnull=True, due_date__lte=today, training_class_id__in=list(following)
    ).order_by("due_date")
    queued = 0
    while following:  # each pass marks its rows invited: the next reads only what is left
        rows = await due.limit(batch).values(
            "id", "trainee_id", "training_class_id", "stage", "due_date"
        )
        if not rows:
            break
        async with in_transaction():
            queued += await _queue(rows, clock.now())
        if len(rows) < batch:
            break
    return queued


# -- the trainee ----------------------------------------------------------------------------------


def _milestone_state(milestone: FollowupMilestone, today: date) -> str:
    if milestone.answered_at is not None:
        return "answered"
    return "open" if milestone.due_date <= today else "upcoming"


@dataclass(frozen=True, slots=True)
class MyFollowup:
    """One follow-up milestone of a trainee (state: upcoming, open, answered)."""

    id: int
    class_id: int
    class_title: str
    stage: str
    stage_label: str
    due_date: str
    state: str
    invited: bool
    answered_at: datetime | None  # the response model says it in Asia/Shanghai


async def my_followups(*, actor: Actor) -> list[MyFollowup]:
    """The trainee's milestones, soonest first, with what is due now."""
    require_role(actor, RESPONDENTS)
    milestones = await FollowupMilestone.filter(trainee_id=actor.trainee_id).order_by(
        "due_date", "id"
    )
    titles = dict(
        await TrainingClass.filter(id__in={m.training_class_id for m in milestones}).values_list(
            "id", "title"
        )
    )
    today = clock.today()
    return [
        MyFollowup(
            id=m.id,
            class_id=m.training_class_id,
            class_title=titles.get(m.training_class_id, ""),
            stage=m.stage.value,
            stage_label=STAGE_LABELS[m.stage],
            due_date=m.due_date.isoformat(),
            state=_milestone_state(m, today),
            invited=m.invited_at is not None,
            answered_at=m.answered_at,
        )
        for m in milestones
    ]


@dataclass(frozen=True)
class SurveyAnswer:
    """What a trainee answers at a milestone."""

    employment_status: EmploymentStatus
    satisfaction: int
    employer: str = ""
    position: str = ""
    start_date: date | None = None
    help_needed: str = ""


def _check_answer(answer: SurveyAnswer, today: date) -> None:
    if answer.employment_status is EmploymentStatus.EMPLOYED and not answer.employer.strip():
        raise InvalidInput("已就业请填写就业单位", code="EMPLOYER_REQUIRED")
    if answer.start_date is not None and answer.start_date > today:
        raise InvalidInput("入职日期不能晚于今天", code="START_DATE_IN_FUTURE")
    if not 1 <= answer.satisfaction <= 5:
        raise InvalidInput("满意度应为1至5分", code="SATISFACTION_INVALID")


async def submit_survey(*, actor: Actor, milestone_id: int, answer: SurveyAnswer) -> SurveyResponse:
    """Record the answer of one milestone and update the trainee's employment record."""
    require_role(actor, RESPONDENTS)
    milestone = await FollowupMilestone.get_or_none(id=milestone_id, trainee_id=actor.trainee_id)
    if milestone is None:
        raise NotFound("回访记录不存在", code="FOLLOWUP_NOT_FOUND")
    today = clock.today()
    if milestone.due_date > today:
        raise RuleViolation(
            f"尚未到回访时间（{milestone.due_date.isoformat()}）", code="SURVEY_NOT_DUE"
        )
    _check_answer(answer, today)
    async with in_transaction():
        return await _save_answer(actor, milestone, answer)


async def _save_answer(
    actor: Actor, milestone: FollowupMilestone, answer: SurveyAnswer
) -> SurveyResponse:
    now = clock.now()
    try:
        response = await SurveyResponse.create(
            milestone_id=milestone.id,
            trainee_id=milestone.trainee_id,
            employment_status=answer.employment_status.value,
            employer=answer.employer,
            position=answer.position,
            start_date=answer.start_date,
            satisfaction=answer.satisfaction,
            help_needed=answer.help_needed,
            created_at=now,
        )
    except IntegrityError:
        raise Conflict("本次回访问卷已提交", code="SURVEY_ALREADY_ANSWERED") from None
    outcome = Outcome(
        status=answer.employment_status,
        source=OutcomeSource.SURVEY,
        employer=answer.employer,
        position=answer.position,
        start_date=answer.start_date,
    )
    record = await record_employment(
        trainee_id=milestone.trainee_id,
        class_id=milestone.training_class_id,
        outcome=outcome,
        recorded_by_id=actor.user_id,
    )
    response.employment_record_id = record.id
    await response.save(update_fields=["employment_record_id"])
    milestone.answered_at = now
    await milestone.save(update_fields=["answered_at"])
    if milestone.stage is Stage.MONTH_6 and needs_home_visit(answer.employment_status):
        await _home_visit(milestone.training_class_id, milestone.trainee_id)
    return response


# -- home visits ----------------------------------------------------------------------------------


def needs_home_visit(status: EmploymentStatus | None) -> bool:
    """第二十五条: not employed 6 months after training (further study is not seeking work)."""
    return status is None or status is EmploymentStatus.UNEMPLOYED


async def _home_visit(class_id: int, trainee_id: int) -> HumanTask:
    return await open_task(
        dedupe_key=home_visit_key(class_id, trainee_id),
        kind=TaskKind.HOME_VISIT,
        reason="培训后6个月仍未就业（第二十五条）：请组织家访，提供“一对一”“面对面”精准就业服务",
        due_date=clock.today() + timedelta(days=HOME_VISIT_DAYS),
        trainee_id=trainee_id,
        class_id=class_id,
        assignee_id=await instructor_for(class_id),
    )


async def assign_home_visits(*, today: date | None = None) -> int:
    """Worker job: a home-visit task for each trainee not employed after the 6-month survey."""
    today = today or clock.today()
    rows = await FollowupMilestone.filter(
        stage=Stage.MONTH_6,
        due_date__lte=today - timedelta(days=SURVEY_GRACE_DAYS),
        training_class__status=ClassStatus.FOLLOWING_UP,
    ).values_list("training_class_id", "trainee_id")
    keys = {home_visit_key(c, t): (c, t) for c, t in rows}
    existing = set(
        await HumanTask.filter(dedupe_key__in=list(keys)).values_list("dedupe_key", flat=True)
    )
    missing = {k: v for k, v in keys.items() if k not in existing}
    latest = await latest_outcomes([t for _, t in missing.values()])
    opened = 0
    for class_id, trainee_id in missing.values():
        record = latest.get(trainee_id)
        if needs_home_visit(record.status if record else None):
            await _home_visit(class_id, trainee_id)
            opened += 1
    return opened


# -- services -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceInput:
    """A follow-up service as an instructor reports it."""

    kind: ServiceKind
    served_at: datetime
    notes: str = ""
    outcome: str = ""
    class_id: int | None = None


async def _followup_class(actor: Actor, trainee_id: int, class_id: int | None) -> TrainingClass:
    """The trainee's finished class the actor serves (the given one, else the latest)."""
    enrolled = await Enrolment.filter(trainee_id=trainee_id).values_list(
        "training_class_id", flat=True
    )
    classes = await TrainingClass.filter(id__in=list(enrolled), status__in=FINISHED).order_by(
        "-end_date", "-id"
    )
    for klass in classes:
        if class_id not in (None, klass.id):
            continue
        if (await class_roles(actor, klass)) & SERVICE_ROLES:
            return klass
    raise RuleViolation(
        "该学员没有处于后续跟踪服务阶段、且由您负责的培训班", code="NO_FOLLOWUP_CLASS"
    )


async def record_service(*, actor: Actor, trainee_id: int, data: ServiceInput) -> FollowupService:
    """Log one follow-up service; a home visit closes the trainee's open home-visit task."""
    await authorize_trainee(actor, trainee_id, SERVICE_ROLES)
    klass = await _followup_class(actor, trainee_id, data.class_id)
    now = clock.now()
    if data.served_at > now + timedelta(minutes=5):
        raise InvalidInput("服务时间不能晚于现在", code="SERVICE_IN_FUTURE")
    day = clock.local(data.served_at).date()
    if day < klass.end_date:
        raise RuleViolation("后续跟踪服务应在培训结束后进行", code="SERVICE_BEFORE_END")
    async with in_transaction():
        service = await FollowupService.create(
            training_class_id=klass.id,
            trainee_id=trainee_id,
            instructor_id=actor.instructor_id,
            recorded_by_id=actor.user_id,
            kind=data.kind,
            stage=stage_of(klass.end_date, day),
            served_at=data.served_at.astimezone(UTC),  # stored UTC (SQLite compares text)
            notes=data.notes,
            outcome=data.outcome,
            created_at=now,
        )
        if data.kind is ServiceKind.HOME_VISIT:
            task = await close_open_task(
                dedupe_key=home_visit_key(klass.id, trainee_id),
                user_id=actor.user_id,
                note=data.outcome or data.notes or "已家访",
            )
            if task is not None:
                service.task_id = task.id
                await service.save(update_fields=["task_id"])
    return service


async def services_of(*, actor: Actor, trainee_id: int) -> list[FollowupService]:
    """A trainee's follow-up services in classes the actor may see, newest first."""
    await authorize_trainee(actor, trainee_id, SERVICE_READERS)
    services = await FollowupService.filter(trainee_id=trainee_id).order_by("-served_at", "-id")
    visible: dict[int, bool] = {}
    for service in services:
        if service.training_class_id not in visible:
            klass = await TrainingClass.get(id=service.training_class_id)
            visible[klass.id] = bool((await class_roles(actor, klass)) & SERVICE_READERS)
    return [s for s in services if visible[s.training_class_id]]
