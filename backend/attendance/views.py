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


@dataclass(frozen=True, slots=True)
class CellView:
    """A trainee in a session as responses show it: the status and review with their labels."""

    status: str
    status_label: str
    review: str  # pending, confirmed, rejected, manual, none
    review_label: str
    counted: bool


def _cell_view(cell: Cell) -> dict[str, Any]:
    """The fields of a cell's view, to spread into the views that carry them."""
    return asdict(
        CellView(
            status=cell.status.value,
            status_label=STATUS_LABELS[cell.status],
            review=cell.review,
            review_label=REVIEW_LABELS.get(cell.review, ""),
            counted=cell.counted,
        )
    )


@dataclass(frozen=True, slots=True)
class ScanView:
    """A check-in or check-out scan with the signals it came with."""

    id: int
    scanned_at: datetime
    late: bool
    minutes_late: int
    review: str
    ip: str
    device_id: str
    device_model: str
    user_agent: str
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    distance_m: float | None


def _scan_view(row: dict[str, Any] | None) -> ScanView | None:
    if row is None:
        return None
    return ScanView(
        id=row["id"],
        scanned_at=row["scanned_at"],
        late=row["late"],
        minutes_late=row["minutes_late"],
        review=str(row.get("review") or "none"),
        ip=row["ip"],
        device_id=row["device_id"],
        device_model=row["device_model"],
        user_agent=row["user_agent"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        accuracy_m=row["accuracy_m"],
        distance_m=row["distance_m"],
    )


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


async def _roster(class_id: int) -> list[TraineeRef]:
    rows = (
        await Enrolment.filter(training_class_id=class_id, status=EnrolmentStatus.ENROLLED)
        .order_by("trainee_id")
        .values("trainee_id", name="trainee__name")
    )
    return [TraineeRef(trainee_id=r["trainee_id"], name=r["name"]) for r in rows]


async def _marks(session_ids: list[int]) -> dict[tuple[int, int], dict[str, Any]]:
    rows = await AttendanceMark.filter(session_id__in=session_ids).values(
        "session_id", "trainee_id", "mark", "reason", "marked_by_id", "updated_at"
    )
    return {(r["session_id"], r["trainee_id"]): r for r in rows}


@dataclass(frozen=True, slots=True)
class MarkView:
    """The class teacher's mark: what, why, by whom (a user id), when."""

    mark: str
    reason: str
    marked_by: int | None
    updated_at: datetime


def _mark_view(row: dict[str, Any] | None) -> MarkView | None:
    if row is None:
        return None
    return MarkView(
        mark=str(row["mark"]),
        reason=row["reason"],
        marked_by=row["marked_by_id"],
        updated_at=row["updated_at"],
    )


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


@dataclass(frozen=True, slots=True)
class TraineeRef:
    """A trainee of the roster: id and name."""

    trainee_id: int
    name: str


@dataclass(frozen=True, slots=True)
class SheetItem(CellView):
    """A trainee in a session's sheet: effective status, both scans, the mark and the flags."""

    trainee_id: int
    name: str
    checkin: ScanView | None
    checkout: ScanView | None
    full_attendance: bool
    mark: MarkView | None
    flags: list[str]
    flag_labels: list[str]


@dataclass(frozen=True, slots=True)
class StatusCounts:
    """How many cells have each effective status, and how many scans await a decision."""

    present: int
    late: int
    absent: int
    excused: int
    not_checked_in: int
    upcoming: int
    pending: int


@dataclass(frozen=True, slots=True)
class SheetCounts(StatusCounts):
    """A session's counts over its roster; `rate` is attended ÷ enrolled (None when nobody is)."""

    enrolled: int
    flagged: int
    checked_in: int
    checked_out: int
    attended: int
    missing: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class InstructorRow:
    """An instructor booked for the session and their own sign-in and sign-out."""

    instructor_id: int
    name: str
    signed_in_at: datetime | None
    late: bool
    minutes_late: int
    signed_out_at: datetime | None


@dataclass(frozen=True, slots=True)
class SessionSheet:
    """A session's attendance for the class teacher: every trainee, flags, who is missing."""

    session: SessionView
    phase: str
    counts: SheetCounts
    items: list[SheetItem]
    missing: list[TraineeRef]
    instructors: list[InstructorRow]


def _sheet_item(
    entry: TraineeRef,
    cell: Cell,
    scans: dict[Any, dict[str, Any]],
    mark: dict[str, Any] | None,
    flags: set[str],
) -> SheetItem:
    checkout = scans.get(Purpose.OUT)
    return SheetItem(
        trainee_id=entry.trainee_id,
        name=entry.name,
        **_cell_view(cell),
        checkin=_scan_view(scans.get(Purpose.IN)),
        checkout=_scan_view(checkout),
        full_attendance=cell.counted and checkout is not None,
        mark=_mark_view(mark),
        flags=sorted(flags),
        flag_labels=[FLAG_LABELS.get(f, f) for f in sorted(flags)],
    )


async def session_sheet(*, actor: Actor, session_id: int) -> SessionSheet:
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
        tid, mark = entry.trainee_id, marks.get((session.id, entry.trainee_id))
        cell = _cell(session, mark, by_trainee[tid].get(Purpose.IN), now)
        items.append(_sheet_item(entry, cell, by_trainee[tid], mark, flags.get(tid, set())))
    missing = [i for i in items if i.checkin is None and i.mark is None]
    phase = checkin_phase(now, starts_at=session.starts_at, ends_at=session.ends_at, p=p)
    return SessionSheet(
        session=session_view(session, klass),
        phase=phase.value,
        counts=_sheet_counts(items),
        items=items,
        missing=[TraineeRef(trainee_id=i.trainee_id, name=i.name) for i in missing],
        instructors=await _instructor_rows(session.id),
    )


def _sheet_counts(items: list[SheetItem]) -> SheetCounts:
    count: defaultdict[str, int] = defaultdict(int)
    for item in items:
        count[item.status] += 1
        count["pending"] += item.review == Review.PENDING.value
        count["flagged"] += bool(item.flags)
        count["checked_in"] += item.checkin is not None
        count["checked_out"] += item.checkout is not None
        count["attended"] += item.counted
    enrolled = len(items)
    return SheetCounts(
        enrolled=enrolled,
        **{s.value: count[s.value] for s in Status},
        **{k: count[k] for k in ("pending", "flagged", "checked_in", "checked_out", "attended")},
        missing=sum(1 for i in items if i.checkin is None and i.mark is None),
        rate=rate(count["attended"], enrolled),
    )


async def _instructor_rows(session_id: int) -> list[InstructorRow]:
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
            InstructorRow(
                instructor_id=b["instructor_id"],
                name=b["name"],
                signed_in_at=sign_in["scanned_at"] if sign_in else None,
                late=bool(sign_in and sign_in["late"]),
                minutes_late=sign_in["minutes_late"] if sign_in else 0,
                signed_out_at=sign_out["scanned_at"] if sign_out else None,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class ChangeView:
    """One change of a trainee's attendance: who, when, from what to what, why."""

    action: str  # confirm, reject, confirm_all, mark
    from_status: str
    from_review: str
    to_status: str
    to_review: str
    reason: str
    actor_id: int | None
    actor_name: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AttendanceDetail(CellView):
    """One trainee in one session: status, scans, the teacher's mark and every change."""

    session: SessionView
    trainee_id: int
    checkin: ScanView | None
    checkout: ScanView | None
    mark: MarkView | None
    history: list[ChangeView]


async def attendance_detail(*, actor: Actor, session_id: int, trainee_id: int) -> AttendanceDetail:
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
    return AttendanceDetail(
        session=session_view(session, klass),
        trainee_id=trainee_id,
        **_cell_view(cell),
        checkin=_scan_view(by_purpose.get(Purpose.IN)),
        checkout=_scan_view(by_purpose.get(Purpose.OUT)),
        mark=_mark_view(mark),
        history=[_change_view(c, names) for c in changes],
    )


def _change_view(change: dict[str, Any], names: dict[Any, Any]) -> ChangeView:
    return ChangeView(
        action=change["action"],
        from_status=change["from_status"],
        from_review=change["from_review"],
        to_status=change["to_status"],
        to_review=change["to_review"],
        reason=change["reason"],
        actor_id=change["actor_id"],
        actor_name=names.get(change["actor_id"], ""),
        at=change["created_at"],
    )


# --- a class's matrix: rates per trainee and per session -------------------------------------


@dataclass(frozen=True, slots=True)
class TraineeTotals(StatusCounts):
    """A trainee's counts over a class's sessions; `rate` is attended ÷ held (None before any);
    both count the sessions held (started) only."""

    held: int
    attended: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class SessionTotals(StatusCounts):
    """A session's counts over the roster; `rate` is attended ÷ enrolled (None when nobody is)."""

    enrolled: int
    attended: int
    rate: float | None


@dataclass
class ClassAttendance:
    """Every trainee × every session of a class, with totals and rates."""

    klass: TrainingClass
    sessions: list[ClassSession]
    trainees: list[TraineeRef]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    now: datetime = field(default_factory=clock.now)

    def held(self) -> list[ClassSession]:
        """Sessions that have started: the denominator of a trainee's rate."""
        return [s for s in self.sessions if s.starts_at <= self.now]

    def trainee_totals(self, trainee_id: int) -> TraineeTotals:
        """A trainee's counts over the class's sessions and attendance rate.

        `attended` counts the held sessions only, as the rate's denominator does: a check-in
        confirmed before its session starts counts once the session has started.
        """
        cells = [self.cells[(trainee_id, s.id)] for s in self.sessions]
        held = self.held()
        attended = sum(self.cells[(trainee_id, s.id)].counted for s in held)
        return TraineeTotals(
            **_status_counts(cells),
            held=len(held),
            attended=attended,
            rate=rate(attended, len(held)),
        )

    def session_totals(self, session_id: int) -> SessionTotals:
        """A session's counts over the roster and attendance rate."""
        cells = [self.cells[(t.trainee_id, session_id)] for t in self.trainees]
        attended = sum(c.counted for c in cells)
        enrolled = len(self.trainees)
        return SessionTotals(
            **_status_counts(cells),
            enrolled=enrolled,
            attended=attended,
            rate=rate(attended, enrolled),
        )


def _status_counts(cells: list[Cell]) -> dict[str, int]:
    """The fields of `StatusCounts` over these cells, to spread into the totals that carry them."""
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
        roster = [r for r in roster if r.trainee_id in trainee_ids]
    ids = [s.id for s in sessions]
    scans = await Checkin.filter(session_id__in=ids, purpose=Purpose.IN).values(
        "id", "session_id", "trainee_id", "late", "review", "scanned_at"
    )
    by_key = {(s["session_id"], s["trainee_id"]): s for s in scans}
    marks = await _marks(ids)
    matrix = ClassAttendance(klass, sessions, roster)
    for session in sessions:
        for entry in roster:
            key = (session.id, entry.trainee_id)
            matrix.cells[(entry.trainee_id, session.id)] = _cell(
                session, marks.get(key), by_key.get(key), matrix.now
            )
    return matrix


@dataclass(frozen=True, slots=True)
class MatrixSession(SessionView):
    """A session of the matrix with its totals over the roster."""

    totals: SessionTotals


@dataclass(frozen=True, slots=True)
class MatrixCell(CellView):
    """A trainee in one session of the matrix."""

    session_id: int


@dataclass(frozen=True, slots=True)
class MatrixTrainee:
    """A trainee of the matrix: a cell per session (in the sessions' order) and totals."""

    trainee_id: int
    name: str
    cells: list[MatrixCell]
    totals: TraineeTotals


@dataclass(frozen=True, slots=True)
class AttendanceMatrix:
    """A class's attendance: sessions with totals, trainees with a cell per session and rates."""

    class_id: int
    class_title: str
    sessions: list[MatrixSession]
    trainees: list[MatrixTrainee]


def _matrix_cell(matrix: ClassAttendance, trainee_id: int, session: ClassSession) -> MatrixCell:
    return MatrixCell(session_id=session.id, **_cell_view(matrix.cells[(trainee_id, session.id)]))


def matrix_view(matrix: ClassAttendance) -> AttendanceMatrix:
    """A class's matrix as responses show it: sessions and trainees, cells and totals."""
    return AttendanceMatrix(
        class_id=matrix.klass.id,
        class_title=matrix.klass.title,
        sessions=[
            MatrixSession(
                **asdict(session_view(s, matrix.klass)), totals=matrix.session_totals(s.id)
            )
            for s in matrix.sessions
        ],
        trainees=[
            MatrixTrainee(
                trainee_id=t.trainee_id,
                name=t.name,
                cells=[_matrix_cell(matrix, t.trainee_id, s) for s in matrix.sessions],
                totals=matrix.trainee_totals(t.trainee_id),
            )
            for t in matrix.trainees
        ],
    )


async def class_rates(*, actor: Actor, class_id: int) -> ClassAttendance:
    """A class's attendance for its class teacher and staff, its institution and HR."""
    klass = await authorize_class(actor, class_id, READERS)
    return await class_attendance(klass=klass)


@dataclass(frozen=True, slots=True)
class MySession(SessionView):
    """A session of the trainee's class with the trainee's own cell in it."""

    session_id: int
    status: str
    status_label: str
    review: str
    review_label: str
    counted: bool


@dataclass(frozen=True, slots=True)
class MyClassAttendance:
    """A trainee's own attendance in one class: each session and the totals."""

    class_id: int
    class_title: str
    sessions: list[MySession]
    totals: TraineeTotals


async def my_attendance(*, actor: Actor) -> list[MyClassAttendance]:
    """A trainee's own attendance in each class they are enrolled in."""
    trainee_id = actor.trainee_id
    if trainee_id is None:
        return []
    class_ids = await Enrolment.filter(
        trainee_id=trainee_id, status=EnrolmentStatus.ENROLLED
    ).values_list("training_class_id", flat=True)
    result = []
    for klass in await TrainingClass.filter(id__in=list(class_ids)).order_by("start_date"):
        matrix = await class_attendance(klass=klass, trainee_ids=[trainee_id])
        if not matrix.trainees:
            continue  # withdrawn between the two reads: no longer on the roster
        sessions = [
            MySession(
                **asdict(session_view(s, klass)),
                **asdict(_matrix_cell(matrix, trainee_id, s)),
            )
            for s in matrix.sessions
        ]
        result.append(
            MyClassAttendance(
                class_id=klass.id,
                class_title=klass.title,
                sessions=sessions,
                totals=matrix.trainee_totals(trainee_id),
            )
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
