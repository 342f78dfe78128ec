"""Reminders and warnings the worker raises: each one a domain event, recorded once.

Every function here is the service behind one worker job (jobs/workqueue_jobs.py). Each records
events through `record_class_event`, whose dedupe key names the fact (the session and its day,
the trainee and the class, the plan and its deadline…): a job run twice, or by two workers at
once, records each event once, and the fan-out writes each message once. Time comes from
backend/clock.py only, so tests move through a class's life under a controlled clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backend import clock
from backend.attendance.warnings import record_absence_warning, trainees_out_of_reach
from backend.calendar.working_days import load_calendar, review_deadline, submission_deadline
from backend.classes.models import (
    EDITABLE,
    IN_FORCE,
    RUNNING,
    ClassSession,
    ClassStatus,
    TrainingClass,
)
from backend.classes.service import record_class_event
from backend.errors import ConfigurationMissing
from backend.events.service import EventKind
from backend.followups.models import STAGE_LABELS, Stage
from backend.notifications.models import HumanTask, TaskKind, TaskStatus
from backend.notifications.tasks import instructor_for
from backend.runtime import runtime
from backend.subsidies.service import subsidy_plan
from backend.workqueue.service import overdue_followups, working_days_left


def _when(session: ClassSession) -> str:
    return f"{clock.local(session.starts_at):%H:%M}-{clock.local(session.ends_at):%H:%M}"


async def remind_tomorrows_sessions(*, now: datetime | None = None) -> int:
    """From SESSION_REMINDER_TIME (18:00 Shanghai by default) on, remind the trainees and the
    booked instructors of each session of tomorrow (once per session)."""
    now = now or clock.now()
    local = clock.local(now)
    if local.time() < runtime().settings.session_reminder_at:
        return 0
    tomorrow = local.date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), clock.SHANGHAI).astimezone(UTC)
    sessions = await ClassSession.filter(
        starts_at__gte=start,
        starts_at__lt=start + timedelta(days=1),
        training_class__status__in=list(RUNNING),
    ).prefetch_related("training_class")
    recorded = 0
    for session in sessions:
        klass = session.training_class
        place = " ".join(p for p in (klass.venue_address, session.room) if p) or "见课表"
        recorded += await record_class_event(
            klass,
            EventKind.SESSION_TOMORROW,
            key=f"session:{session.id}:{tomorrow.isoformat()}",
            session_id=session.id,
            session_time=_when(session),
            topic=session.topic,
            place=place,
            date=tomorrow.isoformat(),
            page="pages/schedule/index",
        )
    return recorded


async def warn_absences() -> int:
    """Warn each trainee (and the class teacher) whose completion is out of reach (第二十二条,
    COMPLETION_ATTENDANCE_THRESHOLD), once per trainee and class. A mark or a rejected scan warns
    at once (`warn_if_out_of_reach`); this sweep catches sessions that ended without a scan."""
    warned = 0
    for klass in await TrainingClass.filter(status=ClassStatus.IN_PROGRESS):
        for risk in await trainees_out_of_reach(klass):
            warned += await record_absence_warning(klass, risk)
    return warned


async def remind_submission_deadlines(*, today: date | None = None) -> int:
    """第十八条: remind the institution PLAN_DEADLINE_REMINDER_DAYS working days before a draft's
    submission deadline (once per deadline), and tell it once the deadline has passed."""
    today = today or clock.today()
    ahead = runtime().settings.plan_deadline_reminder_days
    recorded = 0
    for klass in await TrainingClass.filter(status__in=EDITABLE, start_date__gt=today):
        try:
            deadline = await submission_deadline(klass.start_date)
            calendar = await load_calendar(min(today, deadline), max(today, deadline))
            left = working_days_left(calendar, today, deadline)
        except ConfigurationMissing:
            continue
        if left > ahead:
            continue
        kind = (
            EventKind.SUBMISSION_DEADLINE_APPROACHING
            if left >= 0
            else EventKind.SUBMISSION_DEADLINE_MISSED
        )
        recorded += await record_class_event(
            klass,
            kind,
            key=f"deadline:{deadline.isoformat()}",
            deadline=deadline.isoformat(),
            days_left=left,
            date=deadline.isoformat(),
        )
    return recorded


async def remind_review_deadlines(*, today: date | None = None) -> int:
    """第十八条: tell HR on the day a plan's review deadline arrives (and once it has passed)."""
    today = today or clock.today()
    recorded = 0
    for klass in await TrainingClass.filter(status=ClassStatus.SUBMITTED):
        try:
            deadline = await review_deadline(klass.start_date)
        except ConfigurationMissing:
            continue
        if deadline > today:
            continue
        kind = (
            EventKind.REVIEW_DEADLINE_TODAY
            if deadline == today
            else EventKind.REVIEW_DEADLINE_MISSED
        )
        submitted = klass.submitted_at.isoformat() if klass.submitted_at else ""
        recorded += await record_class_event(
            klass,
            kind,
            key=f"review:{submitted}",
            deadline=deadline.isoformat(),
            date=deadline.isoformat(),
        )
    return recorded


async def remind_payments() -> int:
    """第二十四条: tell HR when a tranche's condition holds and it is unpaid (once per tranche);
    the advance (tranche 1) with its 5-working-day date."""
    recorded = 0
    for klass in await TrainingClass.filter(status__in=list(IN_FORCE)):
        plan = await subsidy_plan(klass)
        for t in plan.tranches:
            if not t.holds or t.paid or t.amount <= 0:
                continue
            kind = EventKind.ADVANCE_PAYMENT_DUE if t.number == 1 else EventKind.TRANCHE_DUE
            recorded += await record_class_event(
                klass,
                kind,
                key=f"tranche:{t.number}",
                tranche=t.number,
                amount=f"{t.amount:.2f}",
                condition=t.condition,
                deadline=t.due_by.isoformat() if t.due_by else "",
                date=t.due_by.isoformat() if t.due_by else None,
                page="pages/work/index",
            )
    return recorded


async def remind_overdue_followups(*, today: date | None = None) -> int:
    """第二十五条: tell the class's instructor and institution of follow-up stages passed without
    a service (once per class and stage) and of home visits past their due day (once each)."""
    today = today or clock.today()
    classes = {k.id: k for k in await TrainingClass.filter(status=ClassStatus.FOLLOWING_UP)}
    per_stage: dict[tuple[int, str], int] = {}
    for class_id, _trainee, stage, _due in await overdue_followups(list(classes), today):
        per_stage[(class_id, stage)] = per_stage.get((class_id, stage), 0) + 1
    recorded = 0
    for (class_id, stage), count in sorted(per_stage.items()):
        recorded += await record_class_event(
            classes[class_id],
            EventKind.FOLLOWUP_OVERDUE,
            key=f"stage:{stage}",
            instructor_id=await instructor_for(class_id),
            stage=STAGE_LABELS[Stage(stage)],
            count=count,
        )
    visits = await HumanTask.filter(
        kind=TaskKind.HOME_VISIT,
        status=TaskStatus.OPEN,
        due_date__lt=today,
        training_class_id__in=list(classes),
    ).prefetch_related("trainee")
    for task in visits:
        assert task.training_class_id is not None
        recorded += await record_class_event(
            classes[task.training_class_id],
            EventKind.HOME_VISIT_OVERDUE,
            key=f"task:{task.id}",
            trainee_id=task.trainee_id,
            instructor_id=task.assignee_id,
            trainee_name=task.trainee.name if task.trainee else "",
            deadline=task.due_date.isoformat(),
        )
    return recorded
