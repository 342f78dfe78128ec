"""Schedules: "my classes" for a trainee, "my teaching" for an instructor, as JSON or iCalendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Instructor, Role
from backend.classes.models import (
    IN_FORCE,
    ClassSession,
    Enrolment,
    EnrolmentStatus,
    SessionInstructor,
    TrainingClass,
)

# A trainee's classes and an instructor's teaching: the people who have a timetable.
TIMETABLED = frozenset({Role.TRAINEE, Role.INSTRUCTOR})


async def _session_ids_for(actor: Actor) -> set[int]:
    ids: set[int] = set()
    if actor.trainee_id is not None:
        class_ids = await Enrolment.filter(
            trainee_id=actor.trainee_id, status=EnrolmentStatus.ENROLLED
        ).values_list("training_class_id", flat=True)
        sessions = ClassSession.filter(training_class_id__in=list(class_ids))
        ids |= {int(i) for i in await sessions.values_list("id", flat=True)}  # type: ignore[call-overload]
    if actor.instructor_id is not None:
        links = SessionInstructor.filter(instructor_id=actor.instructor_id)
        ids |= {int(i) for i in await links.values_list("session_id", flat=True)}  # type: ignore[call-overload]
    return ids


async def my_schedule(*, actor: Actor) -> list[ScheduleEntry]:
    """The actor's sessions (as trainee and/or instructor) in approved or running classes."""
    sessions = (
        await ClassSession.filter(
            id__in=list(await _session_ids_for(actor)), training_class__status__in=IN_FORCE
        )
        .order_by("starts_at")
        .prefetch_related("training_class")
    )
    links = await SessionInstructor.filter(session_id__in=[s.id for s in sessions]).values(
        "session_id", "instructor_id"
    )
    names = dict(
        await Instructor.filter(id__in=list({row["instructor_id"] for row in links})).values_list(
            "id", "name"
        )
    )
    teaching: dict[int, list[str]] = {}
    for row in links:
        teaching.setdefault(row["session_id"], []).append(names.get(row["instructor_id"], ""))
    mine = {row["session_id"] for row in links if row["instructor_id"] == actor.instructor_id}
    return [_entry(s, s.training_class, teaching.get(s.id, []), s.id in mine) for s in sessions]


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """One session on a personal schedule: local (+08:00) times, the caller's role in it."""

    session_id: int
    class_id: int
    class_title: str
    topic: str
    starts_at: str
    ends_at: str
    room: str
    venue_address: str
    instructors: list[str]
    role: str


def _entry(
    session: ClassSession, klass: TrainingClass, instructors: list[str], teaching: bool
) -> ScheduleEntry:
    return ScheduleEntry(
        session_id=session.id,
        class_id=klass.id,
        class_title=klass.title,
        topic=session.topic,
        starts_at=clock.local(session.starts_at).isoformat(),
        ends_at=clock.local(session.ends_at).isoformat(),
        room=session.room,
        venue_address=klass.venue_address,
        instructors=sorted(instructors),
        role=Role.INSTRUCTOR.value if teaching else Role.TRAINEE.value,
    )


def _utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


def to_icalendar(entries: list[ScheduleEntry], *, name: str = "求职能力实训课表") -> str:
    """The schedule as an iCalendar feed (RFC 5545: escaping, line folding) for phone calendars."""
    stamp = clock.now().astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//JobReady//Schedule//ZH")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for e in entries:
        event = Event()
        event.add("uid", f"session-{e.session_id}-{e.role}@jobready")
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(e.starts_at))
        event.add("dtend", _utc(e.ends_at))
        event.add("summary", e.topic + "（" + e.class_title + "）")
        event.add("location", " ".join(p for p in (e.venue_address, e.room) if p))
        event.add("description", "授课讲师：" + "、".join(e.instructors))
        calendar.add_component(event)
    return calendar.to_ical().decode()
