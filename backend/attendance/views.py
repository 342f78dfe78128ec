"""How attendance reads: a session's sheet for the class teacher, a class's matrix and rates,
a trainee's own record, the history of one trainee in one session, the projector's counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import User
from backend.attendance.models import (
    AttendanceChange,
    AttendanceMark,
    Checkin,
    InstructorSignIn,
    Mark,
    Review,
)
from backend.attendance.policy import AttendancePolicy, policy
from backend.attendance.qr import Purpose
from backend.attendance.rules import (
    REVIEW_LABELS,
    STATUS_LABELS,
    Cell,
    Scan,
    Signal,
    Status,
    checkin_phase,
    effective_cell,
    rate,
    shared_signal_flags,
)
from backend.attendance.service import READERS, session_in_scope
from backend.classes.models import (
    ClassSession,
    Enrolment,
    EnrolmentStatus,
    SessionInstructor,
    TrainingClass,
)
from backend.classes.scope import authorize_class
from backend.errors import NotFound

FLAG_LABELS = {
    "same_device": "与其他学员使用同一设备签到",
    "same_ip": "与其他学员短时间内来自同一网络地址",
    "poor_accuracy": "定位精度较差",
}
_SCAN_FIELDS = (
    "id",
    "trainee_id",
    "purpose",
    "scanned_at",
    "late",
    "minutes_late",
    "review",
    "ip",
    "device_id",
    "device_model",
    "user_agent",
    "latitude",
    "longitude",
    "accuracy_m",
    "distance_m",
    "flags",
)


def iso(moment: datetime | None) -> str | None:
    """A time as ISO 8601 in Asia/Shanghai."""
    return clock.local(moment).isoformat() if moment else None


def _cell_view(cell: Cell) -> dict[str, Any]:
    return {
        "status": cell.status.value,
        "status_label": STATUS_LABELS[cell.status],
        "review": cell.review,
        "review_label": REVIEW_LABELS.get(cell.review, ""),
        "counted": cell.counted,
    }


def _scan_view(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "scanned_at": iso(row["scanned_at"]),
        "late": row["late"],
        "minutes_late": row["minutes_late"],
        "review": str(row.get("review") or "none"),
        "ip": row["ip"],
        "device_id": row["device_id"],
        "device_model": row["device_model"],
        "user_agent": row["user_agent"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "accuracy_m": row["accuracy_m"],
        "distance_m": row["distance_m"],
    }


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session as attendance responses show it."""

    id: int
    class_id: int
    class_title: str
    topic: str
    room: str
    starts_at: str
    ends_at: str


@dataclass(frozen=True, slots=True)
class LiveCounts:
    """What the projector shows: checked in / enrolled, late, checked out."""

    enrolled: int
    checked_in: int
    late: int
    checked_out: int


def session_view(session: ClassSession, klass: TrainingClass) -> SessionView:
    """A session as attendance responses show it."""
    return SessionView(
        id=session.id,
        class_id=klass.id,
        class_title=klass.title,
        topic=session.topic,
        room=session.room,
        starts_at=clock.local(session.starts_at).isoformat(),
        ends_at=clock.local(session.ends_at).isoformat(),
    )


async def _roster(class_id: int) -> list[dict[str, Any]]:
    return list(
        await Enrolment.filter(training_class_id=class_id, status=EnrolmentStatus.ENROLLED)
        .order_by("trainee_id")
        .values("trainee_id", name="trainee__name")
    )


async def _marks(session_ids: list[int]) -> dict[tuple[int, int], dict[str, Any]]:
    rows = await AttendanceMark.filter(session_id__in=session_ids).values(
        "session_id", "trainee_id", "mark", "reason", "marked_by_id", "updated_at"
    )
    return {(r["session_id"], r["trainee_id"]): r for r in rows}


def _mark_view(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "mark": str(row["mark"]),
        "reason": row["reason"],
        "marked_by": row["marked_by_id"],
        "updated_at": iso(row["updated_at"]),
    }


def _cell(
    session: ClassSession, mark: dict[str, Any] | None, scan: dict[str, Any] | None, now: datetime
) -> Cell:
    return effective_cell(
        mark=Mark(mark["mark"]) if mark else None,
        scan=Scan(scan["id"], scan["late"], Review(scan["review"]), scan["scanned_at"])
        if scan
        else None,
        now=now,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )


def _flags(scans: list[dict[str, Any]], p: AttendancePolicy) -> dict[int, set[str]]:
    """Each trainee's flags: shared device or address, and those kept with the scans."""
    flags = shared_signal_flags(
        [Signal(s["trainee_id"], s["scanned_at"], s["ip"], s["device_id"]) for s in scans],
        device_window=p.same_device_window,
        ip_window=p.same_ip_window,
    )
    for s in scans:
        flags[s["trainee_id"]].update(s["flags"] or [])
    return flags


def _sheet_item(
    entry: dict[str, Any],
    cell: Cell,
    scans: dict[Any, dict[str, Any]],
    mark: dict[str, Any] | None,
    flags: set[str],
) -> dict[str, Any]:
    checkout = scans.get(Purpose.OUT)
    return {
        "trainee_id": entry["trainee_id"],
        "name": entry["name"],
        **_cell_view(cell),
        "checkin": _scan_view(scans.get(Purpose.IN)),
        "checkout": _scan_view(checkout),
        "full_attendance": cell.counted and checkout is not None,
        "mark": _mark_view(mark),
        "flags": sorted(flags),
        "flag_labels": [FLAG_LABELS.get(f, f) for f in sorted(flags)],
    }


async def session_sheet(*, actor: Actor, session_id: int) -> dict[str, Any]:
    """A session's attendance for the class teacher: every trainee, flags, who is missing."""
    session, klass = await session_in_scope(actor, session_id, READERS)
    p, now = policy(), clock.now()
    scans = await Checkin.filter(session_id=session.id).values(*_SCAN_FIELDS)
    by_trainee: dict[int, dict[Any, dict[str, Any]]] = defaultdict(dict)
    for s in scans:
        by_trainee[s["trainee_id"]][s["purpose"]] = s
    marks, flags = await _marks([session.id]), _flags(scans, p)
    items = []
    for entry in await _roster(klass.id):
        tid, mark = entry["trainee_id"], marks.get((session.id, entry["trainee_id"]))
        cell = _cell(session, mark, by_trainee[tid].get(Purpose.IN), now)
        items.append(_sheet_item(entry, cell, by_trainee[tid], mark, flags.get(tid, set())))
    missing = [i for i in items if i["checkin"] is None and i["mark"] is None]
    return {
        "session": asdict(session_view(session, klass)),
        "phase": checkin_phase(now, starts_at=session.starts_at, ends_at=session.ends_at, p=p),
        "counts": _sheet_counts(items),
        "items": items,
        "missing": [{"trainee_id": i["trainee_id"], "name": i["name"]} for i in missing],
        "instructors": await _instructor_rows(session.id),
    }


def _sheet_counts(items: list[dict[str, Any]]) -> dict[str, Any]:
    count: defaultdict[str, int] = defaultdict(int)
    for item in items:
        count[item["status"]] += 1
        count["pending"] += item["review"] == Review.PENDING.value
        count["flagged"] += bool(item["flags"])
        count["checked_in"] += item["checkin"] is not None
        count["checked_out"] += item["checkout"] is not None
        count["attended"] += item["counted"]
    enrolled = len(items)
    return {
        "enrolled": enrolled,
        **{s.value: count[s.value] for s in Status},
        **{k: count[k] for k in ("pending", "flagged", "checked_in", "checked_out", "attended")},
        "missing": sum(1 for i in items if i["checkin"] is None and i["mark"] is None),
        "rate": rate(count["attended"], enrolled),
    }


async def _instructor_rows(session_id: int) -> list[dict[str, Any]]:
    booked = await SessionInstructor.filter(session_id=session_id).values(
        "instructor_id", name="instructor__name"
    )
    signs = await InstructorSignIn.filter(session_id=session_id).values(
        "instructor_id", "purpose", "scanned_at", "late", "minutes_late"
    )
    by_key = {(s["instructor_id"], s["purpose"]): s for s in signs}
    rows = []
    for b in booked:
        sign_in = by_key.get((b["instructor_id"], Purpose.IN))
        sign_out = by_key.get((b["instructor_id"], Purpose.OUT))
        rows.append(
            {
                "instructor_id": b["instructor_id"],
                "name": b["name"],
                "signed_in_at": iso(sign_in["scanned_at"]) if sign_in else None,
                "late": bool(sign_in and sign_in["late"]),
                "minutes_late": sign_in["minutes_late"] if sign_in else 0,
                "signed_out_at": iso(sign_out["scanned_at"]) if sign_out else None,
            }
        )
    return rows


async def attendance_detail(*, actor: Actor, session_id: int, trainee_id: int) -> dict[str, Any]:
    """One trainee in one session: status, scans, the teacher's mark and every change."""
    session, klass = await session_in_scope(actor, session_id, READERS)
    if not await Enrolment.exists(training_class_id=klass.id, trainee_id=trainee_id):
        raise NotFound("该学员不在本班名单中", code="TRAINEE_NOT_FOUND")
    scans = await Checkin.filter(session_id=session.id, trainee_id=trainee_id).values(*_SCAN_FIELDS)
    by_purpose = {s["purpose"]: s for s in scans}
    mark = (await _marks([session.id])).get((session.id, trainee_id))
    cell = _cell(session, mark, by_purpose.get(Purpose.IN), clock.now())
    changes = (
        await AttendanceChange.filter(session_id=session.id, trainee_id=trainee_id)
        .order_by("id")
        .values()
    )
    names = dict(
        await User.filter(id__in=list({c["actor_id"] for c in changes})).values_list(
            "id", "display_name"
        )
    )
    return {
        "session": asdict(session_view(session, klass)),
        "trainee_id": trainee_id,
        **_cell_view(cell),
        "checkin": _scan_view(by_purpose.get(Purpose.IN)),
        "checkout": _scan_view(by_purpose.get(Purpose.OUT)),
        "mark": _mark_view(mark),
        "history": [_change_view(c, names) for c in changes],
    }


def _change_view(change: dict[str, Any], names: dict[Any, Any]) -> dict[str, Any]:
    return {
        "action": change["action"],
        "from_status": change["from_status"],
        "from_review": change["from_review"],
        "to_status": change["to_status"],
        "to_review": change["to_review"],
        "reason": change["reason"],
        "actor_id": change["actor_id"],
        "actor_name": names.get(change["actor_id"], ""),
        "at": iso(change["created_at"]),
    }


# --- a class's matrix: rates per trainee and per session -------------------------------------


@dataclass
class ClassAttendance:
    """Every trainee × every session of a class, with totals and rates."""

    klass: TrainingClass
    sessions: list[ClassSession]
    trainees: list[dict[str, Any]]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    now: datetime = field(default_factory=clock.now)

    def held(self) -> list[ClassSession]:
        """Sessions that have started: the denominator of a trainee's rate."""
        return [s for s in self.sessions if s.starts_at <= self.now]

    def trainee_totals(self, trainee_id: int) -> dict[str, Any]:
        """A trainee's counts over the class's sessions and attendance rate."""
        cells = [self.cells[(trainee_id, s.id)] for s in self.sessions]
        held = len(self.held())
        attended = sum(c.counted for c in cells)
        return {
            **_status_counts(cells),
            "held": held,
            "attended": attended,
            "rate": rate(attended, held),
        }

    def session_totals(self, session_id: int) -> dict[str, Any]:
        """A session's counts over the roster and attendance rate."""
        cells = [self.cells[(t["trainee_id"], session_id)] for t in self.trainees]
        attended = sum(c.counted for c in cells)
        enrolled = len(self.trainees)
        return {
            **_status_counts(cells),
            "enrolled": enrolled,
            "attended": attended,
            "rate": rate(attended, enrolled),
        }


def _status_counts(cells: list[Cell]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for cell in cells:
        counts[cell.status.value] += 1
    counts["pending"] = sum(c.review == Review.PENDING.value for c in cells)
    return counts


async def class_attendance(
    *, klass: TrainingClass, trainee_ids: list[int] | None = None
) -> ClassAttendance:
    """The attendance matrix of a class (optionally for some trainees only)."""
    sessions = await ClassSession.filter(training_class_id=klass.id).order_by("starts_at", "id")
    roster = await _roster(klass.id)
    if trainee_ids is not None:
        roster = [r for r in roster if r["trainee_id"] in trainee_ids]
    ids = [s.id for s in sessions]
    scans = await Checkin.filter(session_id__in=ids, purpose=Purpose.IN).values(
        "id", "session_id", "trainee_id", "late", "review", "scanned_at"
    )
    by_key = {(s["session_id"], s["trainee_id"]): s for s in scans}
    marks = await _marks(ids)
    matrix = ClassAttendance(klass, sessions, roster)
    for session in sessions:
        for entry in roster:
            key = (session.id, entry["trainee_id"])
            matrix.cells[(entry["trainee_id"], session.id)] = _cell(
                session, marks.get(key), by_key.get(key), matrix.now
            )
    return matrix


def matrix_view(matrix: ClassAttendance) -> dict[str, Any]:
    """A class's matrix as JSON: sessions with totals, trainees with cells and totals."""
    return {
        "class_id": matrix.klass.id,
        "class_title": matrix.klass.title,
        "sessions": [
            {
                **asdict(session_view(s, matrix.klass)),
                "totals": matrix.session_totals(s.id),
            }
            for s in matrix.sessions
        ],
        "trainees": [
            {
                "trainee_id": t["trainee_id"],
                "name": t["name"],
                "cells": [
                    {"session_id": s.id, **_cell_view(matrix.cells[(t["trainee_id"], s.id)])}
                    for s in matrix.sessions
                ],
                "totals": matrix.trainee_totals(t["trainee_id"]),
            }
            for t in matrix.trainees
        ],
    }


async def class_rates(*, actor: Actor, class_id: int) -> ClassAttendance:
    """A class's attendance for its class teacher and staff, its institution and HR."""
    klass = await authorize_class(actor, class_id, READERS)
    return await class_attendance(klass=klass)


async def my_attendance(*, actor: Actor) -> list[dict[str, Any]]:
    """A trainee's own attendance in each class they are enrolled in."""
    if actor.trainee_id is None:
        return []
    class_ids = await Enrolment.filter(
        trainee_id=actor.trainee_id, status=EnrolmentStatus.ENROLLED
    ).values_list("training_class_id", flat=True)
    result = []
    for klass in await TrainingClass.filter(id__in=list(class_ids)).order_by("start_date"):
        matrix = await class_attendance(klass=klass, trainee_ids=[actor.trainee_id])
        view = matrix_view(matrix)
        mine = view["trainees"][0] if view["trainees"] else {"cells": [], "totals": {}}
        cells = {c["session_id"]: c for c in mine["cells"]}
        result.append(
            {
                "class_id": klass.id,
                "class_title": klass.title,
                "sessions": [
                    {**{k: v for k, v in s.items() if k != "totals"}, **cells[s["id"]]}
                    for s in view["sessions"]
                ],
                "totals": mine["totals"],
            }
        )
    return result


async def live_counts(session_id: int, class_id: int) -> LiveCounts:
    """What the projector shows: checked in / enrolled, late, checked out."""
    enrolled = await Enrolment.filter(
        training_class_id=class_id, status=EnrolmentStatus.ENROLLED
    ).count()
    scans = Checkin.filter(session_id=session_id).exclude(review=Review.REJECTED)
    checked_in = await scans.filter(purpose=Purpose.IN).count()
    late = await scans.filter(purpose=Purpose.IN, late=True).count()
    checked_out = await scans.filter(purpose=Purpose.OUT).count()
    return LiveCounts(enrolled=enrolled, checked_in=checked_in, late=late, checked_out=checked_out)
