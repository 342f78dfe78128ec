"""How classes look in responses: one place, so every route shows the same shape."""

from __future__ import annotations

from typing import Any

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


def class_summary(klass: TrainingClass) -> dict[str, Any]:
    """The fields lists show."""
    return {
        "id": klass.id,
        "institution_id": klass.institution_id,
        "title": klass.title,
        "kind": klass.kind.value,
        "district_code": klass.district_code,
        "district_name": district_name(klass.district_code),
        "start_date": klass.start_date.isoformat(),
        "end_date": klass.end_date.isoformat(),
        "status": klass.status.value,
        "status_label": CLASS_STATUS_LABELS[klass.status],
    }


async def _sessions(class_id: int) -> list[dict[str, Any]]:
    sessions = await ClassSession.filter(training_class_id=class_id).order_by("starts_at")
    links = await SessionInstructor.filter(session__training_class_id=class_id).values(
        "session_id", "instructor_id"
    )
    by_session: dict[int, list[int]] = {}
    for row in links:
        by_session.setdefault(row["session_id"], []).append(row["instructor_id"])
    return [
        {
            "id": s.id,
            "topic": s.topic,
            "room": s.room,
            "starts_at": clock.local(s.starts_at).isoformat(),
            "ends_at": clock.local(s.ends_at).isoformat(),
            "instructor_ids": sorted(by_session.get(s.id, [])),
        }
        for s in sessions
    ]


async def class_detail(klass: TrainingClass) -> dict[str, Any]:
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
    return {
        **class_summary(klass),
        "venue_address": klass.venue_address,
        "venue_latitude": klass.venue_latitude,
        "venue_longitude": klass.venue_longitude,
        "fence_radius_m": klass.fence_radius_m,
        "length_reason": klass.length_reason,
        "capacity": klass.capacity,
        "contract_amount": str(klass.contract_amount),
        **(await deadlines_of(klass)),
        "instructors": [
            {
                "id": r["instructor_id"],
                "name": names.get(r["instructor_id"], ""),
                "is_lead": r["is_lead"],
            }
            for r in instructor_rows
        ],
        "staff": [
            {"duty": str(r["duty"]), "user_id": r["user_id"], "name": r["name"]} for r in staff
        ],
        "sessions": await _sessions(klass.id),
        "enrolled": await Enrolment.filter(
            training_class_id=klass.id, status=EnrolmentStatus.ENROLLED
        ).count(),
        "history": [
            {
                "from": h.from_status.value if h.from_status else None,
                "to": h.to_status.value,
                "actor_id": h.actor_id,
                "reason": h.reason,
                "at": clock.local(h.created_at).isoformat(),
            }
            for h in history
        ],
    }
