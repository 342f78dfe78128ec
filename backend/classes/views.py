"""How classes look in responses: one place, so every route shows the same shape."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from backend import clock
from backend.accounts.models import Instructor
from backend.classes.models import (
    CLASS_STATUS_LABELS,
    ClassInstructor,
    ClassSession,
    ClassStaff,
    ClassStatusChange,
    Enrolment,
    EnrolmentStatus,
    SessionInstructor,
    TrainingClass,
)
from backend.classes.service import deadlines_of
from backend.districts import district_name


@dataclass(frozen=True, slots=True)
class ClassSummary:
    """The fields lists show: dates as ISO strings, the status with its label, the deadlines."""

    id: int
    institution_id: int
    title: str
    kind: str
    district_code: str
    district_name: str
    start_date: str
    end_date: str
    status: str
    status_label: str
    submission_deadline: str | None
    review_deadline: str | None


@dataclass(frozen=True, slots=True)
class ClassInstructorView:
    """An instructor of the class and whether they lead it."""

    id: int
    name: str
    is_lead: bool


@dataclass(frozen=True, slots=True)
class ClassStaffView:
    """A staff member of the class and their duty."""

    duty: str
    user_id: int
    name: str


@dataclass(frozen=True, slots=True)
class ClassSessionView:
    """A session with its local (+08:00) times and instructors."""

    id: int
    topic: str
    room: str
    starts_at: str
    ends_at: str
    instructor_ids: list[int]


@dataclass(frozen=True, slots=True)
class StatusStep:
    """A status change (`from_` is answered as `from`), at a local (+08:00) time."""

    from_: str | None
    to: str
    actor_id: int | None
    reason: str
    at: str


@dataclass(frozen=True, slots=True)
class ClassDetail(ClassSummary):
    """Everything the class's staff, its institution and HR see about a class."""

    venue_address: str
    venue_latitude: float | None
    venue_longitude: float | None
    fence_radius_m: int | None
    length_reason: str
    capacity: int
    contract_amount: str
    instructors: list[ClassInstructorView]
    staff: list[ClassStaffView]
    sessions: list[ClassSessionView]
    enrolled: int
    history: list[StatusStep]


async def class_summary(klass: TrainingClass) -> ClassSummary:
    """The fields lists show, with the plan's deadlines."""
    deadlines = await deadlines_of(klass)
    return ClassSummary(
        id=klass.id,
        institution_id=klass.institution_id,
        title=klass.title,
        kind=klass.kind.value,
        district_code=klass.district_code,
        district_name=district_name(klass.district_code),
        start_date=klass.start_date.isoformat(),
        end_date=klass.end_date.isoformat(),
        status=klass.status.value,
        status_label=CLASS_STATUS_LABELS[klass.status],
        submission_deadline=deadlines.submission_deadline,
        review_deadline=deadlines.review_deadline,
    )


async def _sessions(class_id: int) -> list[ClassSessionView]:
    sessions = await ClassSession.filter(training_class_id=class_id).order_by("starts_at")
    links = await SessionInstructor.filter(session__training_class_id=class_id).values(
        "session_id", "instructor_id"
    )
    by_session: dict[int, list[int]] = {}
    for row in links:
        by_session.setdefault(row["session_id"], []).append(row["instructor_id"])
    return [
        ClassSessionView(
            id=s.id,
            topic=s.topic,
            room=s.room,
            starts_at=clock.local(s.starts_at).isoformat(),
            ends_at=clock.local(s.ends_at).isoformat(),
            instructor_ids=sorted(by_session.get(s.id, [])),
        )
        for s in sessions
    ]


async def class_detail(klass: TrainingClass) -> ClassDetail:
    """Everything the class's staff, its institution and HR see about a class."""
    instructor_rows = await ClassInstructor.filter(training_class_id=klass.id).values(
        "instructor_id", "is_lead"
    )
    names = dict(
        await Instructor.filter(id__in=[r["instructor_id"] for r in instructor_rows]).values_list(
            "id", "name"
        )
    )
    staff = await ClassStaff.filter(training_class_id=klass.id).values("duty", "user_id", "name")
    history = await ClassStatusChange.filter(training_class_id=klass.id).order_by("id")
    return ClassDetail(
        **asdict(await class_summary(klass)),
        venue_address=klass.venue_address,
        venue_latitude=klass.venue_latitude,
        venue_longitude=klass.venue_longitude,
        fence_radius_m=klass.fence_radius_m,
        length_reason=klass.length_reason,
        capacity=klass.capacity,
        contract_amount=str(klass.contract_amount),
        instructors=[
            ClassInstructorView(
                id=r["instructor_id"],
                name=names.get(r["instructor_id"], ""),
                is_lead=r["is_lead"],
            )
            for r in instructor_rows
        ],
        staff=[
            ClassStaffView(duty=str(r["duty"]), user_id=r["user_id"], name=r["name"]) for r in staff
        ],
        sessions=await _sessions(klass.id),
        enrolled=await Enrolment.filter(
            training_class_id=klass.id, status=EnrolmentStatus.ENROLLED
        ).count(),
        history=[
            StatusStep(
                from_=h.from_status.value if h.from_status else None,
                to=h.to_status.value,
                actor_id=h.actor_id,
                reason=h.reason,
                at=clock.local(h.created_at).isoformat(),
            )
            for h in history
        ],
    )
