"""Schedules: "my classes" for a trainee, "my teaching" for an instructor, as JSON or iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

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


async def my_schedule(*, actor: Actor) -> list[dict[str, Any]]:
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


def _entry(
    session: ClassSession, klass: TrainingClass, instructors: list[str], teaching: bool
) -> dict[str, Any]:
    return {
        "session_id": session.id,
        "class_id": klass.id,
        "class_title": klass.title,
        "topic": session.topic,
        "starts_at": clock.local(session.starts_at).isoformat(),
        "ends_at": clock.local(session.ends_at).isoformat(),
        "room": session.room,
        "venue_address": klass.venue_address,
        "instructors": sorted(instructors),
        "role": Role.INSTRUCTOR.value if teaching else Role.TRAINEE.value,
    }


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_time(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """RFC 5545: lines longer than 75 octets are folded."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode()) > 73:
            out.append(current)
            current = " "
        current += ch
    return [*out, current]


def to_icalendar(entries: list[dict[str, Any]], *, name: str = "求职能力实训课表") -> str:
    """The schedule as an iCalendar feed (RFC 5545) for phone calendars."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//JobReady//Schedule//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(name)}",
    ]
    for e in entries:
        where = " ".join(p for p in (e["venue_address"], e["room"]) if p)
        lines += [
            "BEGIN:VEVENT",
            f"UID:session-{e['session_id']}-{e['role']}@jobready",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(e['starts_at'])}",
            f"DTEND:{_ics_time(e['ends_at'])}",
            f"SUMMARY:{_ics_text(e['topic'] + '（' + e['class_title'] + '）')}",
            f"LOCATION:{_ics_text(where)}",
            f"DESCRIPTION:{_ics_text('授课讲师：' + '、'.join(e['instructors']))}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"
