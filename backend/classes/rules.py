"""The regulation's rules for a class plan, each in one function that cites its article.

`plan_violations` runs them all and returns every broken rule (with its own code and a Chinese
message naming the rule); the services refuse a submission, an approval or a later change
while any remain.
"""

from __future__ import annotations

import operator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from functools import reduce

from tortoise.expressions import Q

from backend.accounts.models import Instructor, InstructorStatus
from backend.calendar.working_days import (
    REVIEW_WORKING_DAYS,
    SUBMIT_WORKING_DAYS,
    review_deadline,
    submission_deadline,
)
from backend.classes.models import (
    ClassInstructor,
    ClassSession,
    ClassStaff,
    Enrolment,
    EnrolmentStatus,
    SessionInstructor,
    StaffDuty,
    TrainingClass,
)
from backend.clock import local
from backend.errors import Violation

MIN_INSTRUCTORS, MAX_INSTRUCTORS = 2, 4  # 第十九条: 每期学员班配备2-4名授课讲师
NOMINAL_DAYS = 7  # 第二十条: 培训周期原则上为7天


def check_instructor_count(count: int) -> Violation | None:
    """第十九条: 2–4 instructors per class."""
    if MIN_INSTRUCTORS <= count <= MAX_INSTRUCTORS:
        return None
    return Violation(
        "INSTRUCTOR_COUNT",
        "第十九条",
        f"每期学员班须配备2至4名授课讲师（第十九条），当前为{count}名",
        {"count": count},
    )


def check_staffing(duties: set[StaffDuty]) -> Violation | None:
    """第二十条: a team lead, a full-time class teacher and a staff member, one each."""
    missing = [d for d in StaffDuty if d not in duties]
    if not missing:
        return None
    labels = {"team_lead": "团队负责人", "class_teacher": "专职班主任", "staff": "工作人员"}
    return Violation(
        "STAFF_INCOMPLETE",
        "第二十条",
        "每个培训班须安排团队负责人、专职班主任、工作人员各1名（第二十条），尚缺："
        + "、".join(labels[d.value] for d in missing),
        {"missing": [d.value for d in missing]},
    )


def check_length(start: date, end: date, reason: str) -> Violation | None:
    """第二十条: nominally 7 days; another length needs a written reason."""
    days = (end - start).days + 1
    if days == NOMINAL_DAYS or reason.strip():
        return None
    return Violation(
        "CLASS_LENGTH_NEEDS_REASON",
        "第二十条",
        f"培训周期原则上为7天（第二十条），本班为{days}天，请填写原因",
        {"days": days},
    )


def check_sessions_in_dates(klass: TrainingClass, sessions: list[ClassSession]) -> Violation | None:
    """Sessions take place within the class's dates (and there is at least one)."""
    if not sessions:
        return Violation("NO_SESSIONS", "第十八条", "培训方案须包含课程安排（第十八条）")
    outside = [
        s.id
        for s in sessions
        if not klass.start_date <= local(s.starts_at).date() <= klass.end_date
        or local(s.ends_at).date() != local(s.starts_at).date()
    ]
    if not outside:
        return None
    return Violation(
        "SESSION_OUTSIDE_CLASS_DATES",
        "第十八条",
        "课次须安排在培训班起止日期之内且不跨日",
        {"session_ids": outside},
    )


def check_sessions_staffed(sessions: list[ClassSession], staffed: set[int]) -> Violation | None:
    """Every session has an instructor (第十九条: instructors are assigned to sessions)."""
    bare = [s.id for s in sessions if s.id not in staffed]
    if not bare:
        return None
    return Violation(
        "SESSION_WITHOUT_INSTRUCTOR", "第十九条", "每个课次须安排授课讲师", {"session_ids": bare}
    )


def check_instructors_active(instructors: list[Instructor]) -> Violation | None:
    """第十三、十六条: only certified instructors in good standing teach."""
    bad = [i for i in instructors if i.status != InstructorStatus.ACTIVE or not i.certificate_no]
    if not bad:
        return None
    return Violation(
        "INSTRUCTOR_NOT_ACTIVE",
        "第十三条、第十六条",
        "以下讲师无有效师资证书或已被暂停选派、取消资格：" + "、".join(i.name for i in bad),
        {"instructor_ids": [i.id for i in bad]},
    )


def check_roster(count: int) -> Violation | None:
    """第十八条: the plan includes the trainees (学员信息)."""
    if count:
        return None
    return Violation("ROSTER_EMPTY", "第十八条", "培训方案须包含学员花名册（第十八条）")


async def check_submission_time(start: date, today: date) -> Violation | None:
    """第十八条: submitted at least 10 working days before the start date."""
    deadline = await submission_deadline(start)
    if today <= deadline:
        return None
    return Violation(
        "PLAN_SUBMITTED_TOO_LATE",
        "第十八条",
        f"培训方案应在开班日前{SUBMIT_WORKING_DAYS}个工作日申报（第十八条），本班开班日{start.isoformat()}，"
        f"申报截止日为{deadline.isoformat()}",
        {"deadline": deadline.isoformat(), "start_date": start.isoformat()},
    )


async def check_review_time(start: date, today: date) -> Violation | None:
    """第十八条: HR decides no later than 3 working days before the start date."""
    deadline = await review_deadline(start)
    if today <= deadline:
        return None
    return Violation(
        "REVIEW_DEADLINE_PASSED",
        "第十八条",
        f"人社部门应在开班前{REVIEW_WORKING_DAYS}个工作日完成审核（第十八条），审核截止日为{deadline.isoformat()}，"
        "已过期，该方案不能再批准",
        {"deadline": deadline.isoformat(), "start_date": start.isoformat()},
    )


@dataclass(frozen=True)
class Booking:
    """An instructor on a session, as the conflict check sees it."""

    session_id: int
    instructor_id: int
    starts_at: datetime
    ends_at: datetime


def _overlaps(a: Booking, b: Booking) -> bool:
    return (
        a.instructor_id == b.instructor_id and a.starts_at < b.ends_at and b.starts_at < a.ends_at
    )


# A session never spans days (SESSION_OUTSIDE_CLASS_DATES), so an overlapping one starts less
# than a day before: this lower bound keeps the index range scan narrow.
MAX_SESSION_LENGTH = timedelta(days=1)


def _overlap_condition(b: Booking) -> Q:
    return Q(
        instructor_id=b.instructor_id,
        starts_at__gt=b.starts_at - MAX_SESSION_LENGTH,
        starts_at__lt=b.ends_at,
        ends_at__gt=b.starts_at,
    )


@dataclass(frozen=True, slots=True)
class Clash:
    """An instructor booked on `session_id` while already on `other_session_id` (第十九条)."""

    instructor_id: int
    session_id: int
    other_session_id: int


async def find_conflicts(bookings: list[Booking]) -> list[Clash]:
    """第十九条: an instructor on two overlapping sessions, in this plan or any committed one.

    One indexed query for all bookings of the plan: (instructor, committed, starts_at).
    """
    conflicts = [
        Clash(a.instructor_id, a.session_id, b.session_id)
        for n, a in enumerate(bookings)
        for b in bookings[n + 1 :]
        if _overlaps(a, b)
    ]
    if not bookings:
        return conflicts
    overlap = reduce(
        operator.or_,
        [
            Q(instructor_id=b.instructor_id, starts_at__lt=b.ends_at, ends_at__gt=b.starts_at)
            for b in bookings
        ],
    )
    own = [b.session_id for b in bookings]
    rows = await (
        SessionInstructor.filter(overlap, committed=True)
        .exclude(session_id__in=own)
        .values("session_id", "instructor_id", "starts_at", "ends_at")
    )
    for row in rows:
        other = Booking(row["session_id"], row["instructor_id"], row["starts_at"], row["ends_at"])
        for b in bookings:
            if _overlaps(b, other):
                conflicts.append(Clash(b.instructor_id, b.session_id, other.session_id))
    return conflicts


def conflict_violation(conflicts: list[Clash], names: dict[int, str]) -> Violation | None:
    """第十九条: 已被安排授课的老师同一时间段不能参加不同培训场次的授课任务."""
    if not conflicts:
        return None
    who = sorted({names.get(c.instructor_id, str(c.instructor_id)) for c in conflicts})
    return Violation(
        "INSTRUCTOR_TIME_CONFLICT",
        "第十九条",
        "讲师同一时间段不能参加不同场次的授课（第十九条）：" + "、".join(who),
        {"conflicts": [asdict(c) for c in conflicts]},
    )


async def plan_bookings(class_id: int) -> list[Booking]:
    """Every (session, instructor) of a class with the session's times."""
    rows = await SessionInstructor.filter(session__training_class_id=class_id).values(
        "session_id", "instructor_id", "starts_at", "ends_at"
    )
    return [
        Booking(r["session_id"], r["instructor_id"], r["starts_at"], r["ends_at"]) for r in rows
    ]


async def _names(bookings: list[Booking]) -> dict[int, str]:
    ids = list({b.instructor_id for b in bookings})
    return dict(await Instructor.filter(id__in=ids).values_list("id", "name"))


async def plan_violations(
    klass: TrainingClass, *, today: date, for_review: bool = False
) -> list[Violation]:
    """Every rule a plan breaks now; empty when it may be submitted (or approved)."""
    sessions = await ClassSession.filter(training_class_id=klass.id).order_by("starts_at")
    instructor_ids = await ClassInstructor.filter(training_class_id=klass.id).values_list(
        "instructor_id", flat=True
    )
    instructors = await Instructor.filter(id__in=list(instructor_ids))
    duties = set(await ClassStaff.filter(training_class_id=klass.id).values_list("duty", flat=True))
    roster = await Enrolment.filter(
        training_class_id=klass.id, status=EnrolmentStatus.ENROLLED
    ).count()
    bookings = await plan_bookings(klass.id)
    timing = (
        await check_review_time(klass.start_date, today)
        if for_review
        else await check_submission_time(klass.start_date, today)
    )
    found = [
        check_instructor_count(len(instructors)),
        check_staffing({StaffDuty(str(d)) for d in duties}),
        check_length(klass.start_date, klass.end_date, klass.length_reason),
        check_sessions_in_dates(klass, sessions),
        check_sessions_staffed(sessions, {b.session_id for b in bookings}),
        check_instructors_active(instructors),
        check_roster(roster),
        conflict_violation(await find_conflicts(bookings), await _names(bookings)),
        timing,
    ]
    return [v for v in found if v is not None]
