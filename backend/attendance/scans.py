"""Recording a scan of the rotating code: a trainee's check-in or check-out, an instructor's
sign-in (第十九条).

A scan is one INSERT guarded by a unique constraint (session, person, purpose): a repeated or
concurrent identical scan hits the constraint and answers with the row already there, so a
hundred simultaneous scans leave exactly one row. Every refusal has its own code
(`refusals.py`); the signals kept with a scan feed the class teacher's flags (`views.py`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend import clock
from backend.accounts.access import check_account
from backend.attendance import refusals
from backend.attendance.geo import check_fence
from backend.attendance.models import Checkin, InstructorSignIn, Review
from backend.attendance.policy import AttendancePolicy, policy
from backend.attendance.qr import CodeClaims, CodeExpired, CodeInvalid, Purpose
from backend.attendance.qr import verify_code as verify_qr
from backend.attendance.rules import Phase, checkin_phase, checkout_window
from backend.attendance.rules import minutes_late as late_by
from backend.attendance.service import qr_key
from backend.classes.models import RUNNING, ClassSession, ClassStatus, EnrolmentStatus
from backend.db import column, db_values_of, fetch_rows, insert_fields, insert_unless_exists
from backend.errors import DomainError


@dataclass(frozen=True)
class ScanInput:
    """A scan as the mini-program sends it, with the signals the request carries."""

    token: str
    session_id: int | None = None
    purpose: Purpose | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    ip: str = ""
    user_agent: str = ""
    device_id: str = ""
    device_model: str = ""


@dataclass(frozen=True)
class ScanResult:
    """What happened to a scan, and the words the trainee reads."""

    created: bool
    role: str  # trainee or instructor
    record_id: int
    session_id: int
    class_id: int
    purpose: Purpose
    scanned_at: datetime
    late: bool
    minutes_late: int
    review: str
    message: str
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Context:
    """The session and class facts a scan is judged against."""

    session_id: int
    class_id: int
    starts_at: datetime
    ends_at: datetime
    class_status: ClassStatus
    venue: tuple[float, float] | None
    radius_m: int | None


def verify_token(token: str, *, now: datetime, p: AttendancePolicy) -> CodeClaims:
    """Verify a check-in code, refusing forged and expired ones in Chinese."""
    try:
        return verify_qr(
            token,
            key=qr_key(),
            now=now,
            step_seconds=p.qr_step_seconds,
            grace_steps=p.qr_grace_steps,
        )
    except CodeExpired:
        raise refusals.token_expired() from None
    except CodeInvalid:
        raise refusals.token_invalid() from None


# One read per scan: the account behind the token, its bindings, the session and its class,
# and whether the person is enrolled in (or booked on) it. Fifty phones scan in the first
# minutes of a class, so this stands in for the generic actor query and the session lookups
# (measured: `python -m tests.benchmarks checkin`).
_SCAN_SQL = """
SELECT u.is_active, u.token_version, t.id AS trainee_id, i.id AS instructor_id,
       s.id AS session_id, s.starts_at, s.ends_at, s.training_class_id,
       c.status, c.venue_latitude, c.venue_longitude, c.fence_radius_m,
       EXISTS (SELECT 1 FROM enrolment e WHERE e.training_class_id = s.training_class_id
               AND e.trainee_id = t.id AND e.status = $3) AS enrolled,
       EXISTS (SELECT 1 FROM session_instructor si WHERE si.session_id = s.id
               AND si.instructor_id = i.id) AS booked
FROM app_user u
LEFT JOIN trainee t ON t.user_id = u.id
LEFT JOIN instructor i ON i.user_id = u.id
LEFT JOIN class_session s ON s.id = $2
LEFT JOIN training_class c ON c.id = s.training_class_id
WHERE u.id = $1
"""
_VENUE = ("venue_latitude", "venue_longitude", "fence_radius_m")
_STARTS = ClassSession._meta.fields_map["starts_at"]
_ENDS = ClassSession._meta.fields_map["ends_at"]


def _to_context(row: dict[str, Any]) -> _Context:
    lat, lng = row["venue_latitude"], row["venue_longitude"]
    return _Context(
        session_id=row["session_id"],
        class_id=row["training_class_id"],
        starts_at=_STARTS.to_python_value(row["starts_at"]),
        ends_at=_ENDS.to_python_value(row["ends_at"]),
        class_status=ClassStatus(row["status"]),
        venue=(lat, lng) if lat is not None and lng is not None else None,
        radius_m=row["fence_radius_m"],
    )


async def _read(user_id: int, token_version: int | None, session_id: int) -> dict[str, Any]:
    """The scan's one read; refuses a disabled or revoked account and an unbound identity."""
    rows = await fetch_rows(_SCAN_SQL, user_id, session_id, EnrolmentStatus.ENROLLED.value)
    row = check_account(rows[0] if rows else None, token_version=token_version)
    # The caller is a WeChat identity (login); accounts binds it one-to-one to a roster row
    # or an instructor. Without such a binding nobody is there to check in.
    if row["trainee_id"] is None and row["instructor_id"] is None:
        raise refusals.identity_not_bound()
    return row


def _role(row: dict[str, Any]) -> tuple[str, int]:
    """Whether the caller scans as the session's booked instructor or as an enrolled trainee."""
    if row["instructor_id"] is not None and row["booked"]:
        return "instructor", row["instructor_id"]
    if row["trainee_id"] is None:
        raise refusals.instructor_not_assigned()  # 第十九条: no private substitution
    if not row["enrolled"]:
        raise refusals.not_enrolled()
    return "trainee", row["trainee_id"]


def _check_window(purpose: Purpose, ctx: _Context, now: datetime, p: AttendancePolicy) -> bool:
    """Refuse outside the purpose's window; True when a check-in is late."""
    if purpose is Purpose.OUT:
        opens, closes = checkout_window(ends_at=ctx.ends_at, p=p)
        if now < opens:
            raise refusals.not_open(purpose, opens)
        if now > closes:
            raise refusals.window_closed(purpose, closes)
        return False
    phase = checkin_phase(now, starts_at=ctx.starts_at, ends_at=ctx.ends_at, p=p)
    if phase is Phase.NOT_OPEN:
        raise refusals.not_open(purpose, ctx.starts_at - p.checkin_opens_before)
    if phase is Phase.CLOSED:
        raise refusals.window_closed(purpose, ctx.ends_at)
    return phase is Phase.LATE


def _check_fence(scan: ScanInput, ctx: _Context, p: AttendancePolicy) -> dict[str, Any]:
    """Refuse a scan outside the venue's fence; the distance and flags to keep otherwise."""
    lat, lng = scan.latitude, scan.longitude
    fenced = ctx.venue is not None and ctx.radius_m is not None
    if lat is None or lng is None:
        if fenced:
            raise refusals.location_required()
        return {"distance_m": None, "flags": []}
    if ctx.venue is None:
        return {"distance_m": None, "flags": []}
    result = check_fence(
        venue=ctx.venue,
        radius_m=float(ctx.radius_m or 0),
        position=(lat, lng),
        accuracy_m=scan.accuracy_m,
        poor_accuracy_m=p.poor_accuracy_m,
        credit_cap_m=p.accuracy_credit_cap_m,
    )
    if fenced and not result.inside:
        raise refusals.outside_fence(result.distance_m, float(ctx.radius_m or 0))
    return {"distance_m": result.distance_m, "flags": ["poor_accuracy"] * result.poor_accuracy}


async def record_scan(*, user_id: int, token_version: int | None, scan: ScanInput) -> ScanResult:
    """Record a trainee's check-in or check-out, or an instructor's sign-in, from a code.

    The caller's session token is verified by the route; the account behind it (active, not
    revoked: `token_version`) is checked here, in the scan's own statements.
    """
    p, now = policy(), clock.now()
    refusal: DomainError | None = None
    try:
        claims = verify_token(scan.token, now=now, p=p)
    except DomainError as exc:  # said after who scans: an unbound caller hears that first
        claims, refusal = CodeClaims(session_id=0, purpose=Purpose.IN, step=0), exc
    if refusal is None:
        done = await _burst_scan(user_id, token_version, scan, claims, now, p)
        if done is not None:
            return done
    row = await _read(user_id, token_version, claims.session_id)
    _remember(row)
    if refusal is not None:
        raise refusal
    _check_code(scan, claims)
    if row["session_id"] is None:
        raise refusals.token_invalid()  # a genuine code of a session since deleted
    role, person_id = _role(row)
    ctx = _to_context(row)
    values = _judge(scan, claims.purpose, ctx, now, p)
    if role == "instructor":
        return await _insert(InstructorSignIn, {"instructor_id": person_id}, values, ctx)
    return await _insert(Checkin, {"trainee_id": person_id}, values, ctx)


def _check_code(scan: ScanInput, claims: CodeClaims) -> None:
    """Refuse a code shown for another session or purpose than the phone says it scans."""
    if scan.session_id is not None and scan.session_id != claims.session_id:
        raise refusals.wrong_session(scan.session_id, claims.session_id)
    if scan.purpose is not None and scan.purpose is not claims.purpose:
        raise refusals.wrong_purpose(scan.purpose, claims.purpose)


def _judge(
    scan: ScanInput, purpose: Purpose, ctx: _Context, now: datetime, p: AttendancePolicy
) -> dict[str, Any]:
    """The session's rules (class running, window, fence); the row's values if they pass."""
    if ctx.class_status not in RUNNING:
        raise refusals.class_not_active()
    late = _check_window(purpose, ctx, now, p)
    place = _check_fence(scan, ctx, p)
    return _row_values(scan, purpose, now, late, ctx, place)


# --- the burst: one statement per scan -------------------------------------------------------
#
# Fifty phones scan the same session in the first minutes of a class. The session's facts are
# kept per process from the last read (`_KNOWN`); a trainee's scan is judged against them by
# the same rules as above, then written by ONE statement, INSERT … SELECT, whose SELECT yields
# the row only if the account is active and not revoked, bound to a trainee enrolled in the
# class, not booked on the session as an instructor, AND the session and class in the database
# still equal the facts the scan was judged against. When it yields nothing (or the scan was
# already recorded), the scan is judged again from a fresh read, which also refreshes the kept
# facts: a stale cache can slow a scan down, never let one through. Anything unusual (a
# refusal, a repeated scan, an instructor) takes the ordinary path.

_FACTS = ("training_class_id", "status", "starts_at", "ends_at", *_VENUE)
# session id -> (monotonic read time, the facts as read, the context judged from them)
_KNOWN: dict[int, tuple[float, dict[str, Any], _Context]] = {}
_KNOWN_SECONDS = 60.0
_KNOWN_MAX = 5000


def _remember(row: dict[str, Any]) -> None:
    if row["session_id"] is None:
        return
    if len(_KNOWN) >= _KNOWN_MAX:
        _KNOWN.clear()
    facts = {f: row[f] for f in _FACTS} | {"session_id": row["session_id"]}
    _KNOWN[row["session_id"]] = (time.monotonic(), facts, _to_context(facts))


def _known(session_id: int) -> tuple[dict[str, Any], _Context] | None:
    entry = _KNOWN.get(session_id)
    if entry is None or time.monotonic() - entry[0] > _KNOWN_SECONDS:
        return None
    return entry[1], entry[2]


async def _burst_scan(
    user_id: int,
    token_version: int | None,
    scan: ScanInput,
    claims: CodeClaims,
    now: datetime,
    p: AttendancePolicy,
) -> ScanResult | None:
    """The scan in one statement when the session's facts are known; None to go the long way."""
    known = _known(claims.session_id)
    if known is None or token_version is None:
        return None
    facts, ctx = known
    try:
        _check_code(scan, claims)
        values = _judge(scan, claims.purpose, ctx, now, p)
    except DomainError:
        return None  # judged again from a fresh read: the kept facts may be stale
    inserted = await fetch_rows(*_burst_insert(values, facts, user_id, token_version))
    if not inserted:
        return None  # refused, facts changed, or already scanned: the long way says which
    return _scan_result(
        ctx, values, role="trainee", record_id=inserted[0]["id"], created=True, review="pending"
    )


_BURST_SQL: dict[tuple[bool, ...], str] = {}  # by which venue facts are unset


def _burst_insert(
    values: dict[str, Any], facts: dict[str, Any], user_id: int, token_version: int
) -> Any:
    """The INSERT … SELECT of a burst scan and its parameters (the text is kept per shape)."""
    fields = insert_fields(Checkin)
    converted = db_values_of(Checkin, values, fields)
    params = [v for f, v in zip(fields, converted, strict=True) if f != "trainee_id"]
    params += [facts["session_id"], EnrolmentStatus.ENROLLED.value, user_id, token_version]
    params += [facts[f] for f in ("starts_at", "ends_at", "training_class_id", "status")]
    params += [facts[v] for v in _VENUE if facts[v] is not None]
    shape = tuple(facts[v] is None for v in _VENUE)
    if shape not in _BURST_SQL:
        _BURST_SQL[shape] = _burst_sql(fields, shape)
    return _BURST_SQL[shape], *params


def _burst_sql(fields: list[str], venue_unset: tuple[bool, ...]) -> str:
    """The statement's text; placeholders in the order `_burst_insert` lists the values."""
    n = iter(range(1, 1000))
    picked = ["t.id" if f == "trainee_id" else f"${next(n)}" for f in fields]
    session, enrolled, user, version = (f"${next(n)}" for _ in range(4))
    # The facts as the database gave them (SQLite: its own text), compared with themselves.
    same = [f"s.{f} = ${next(n)}" for f in ("starts_at", "ends_at", "training_class_id")]
    same.append(f"c.status = ${next(n)}")
    same += [
        f"c.{v} IS NULL" if unset else f"c.{v} = ${next(n)}"
        for v, unset in zip(_VENUE, venue_unset, strict=True)
    ]
    columns = ", ".join(column(Checkin, f) for f in fields)
    return f"""INSERT INTO "{Checkin._meta.db_table}" ({columns})
        SELECT {", ".join(picked)}
        FROM app_user u
        JOIN trainee t ON t.user_id = u.id
        JOIN class_session s ON s.id = {session}
        JOIN training_class c ON c.id = s.training_class_id
        JOIN enrolment e ON e.trainee_id = t.id AND e.training_class_id = c.id
            AND e.status = {enrolled}
        WHERE u.id = {user} AND u.is_active AND u.token_version = {version}
            AND {" AND ".join(same)}
            AND NOT EXISTS (SELECT 1 FROM instructor i
                JOIN session_instructor si ON si.instructor_id = i.id
                WHERE i.user_id = u.id AND si.session_id = s.id)
        ON CONFLICT DO NOTHING RETURNING id, trainee_id"""


def _row_values(
    scan: ScanInput,
    purpose: Purpose,
    now: datetime,
    late: bool,
    ctx: _Context,
    place: dict[str, Any],
) -> dict[str, Any]:
    return {
        "session_id": ctx.session_id,
        "purpose": purpose,
        "scanned_at": now,
        "late": late,
        "minutes_late": late_by(now, ctx.starts_at) if late else 0,
        "ip": scan.ip[:64],
        "user_agent": scan.user_agent[:300],
        "device_id": scan.device_id[:64],
        "device_model": scan.device_model[:100],
        "latitude": scan.latitude,
        "longitude": scan.longitude,
        "accuracy_m": scan.accuracy_m,
        "distance_m": place["distance_m"],
        "flags": place["flags"],
    }


async def _insert(
    model: type[Checkin] | type[InstructorSignIn],
    person: dict[str, Any],
    values: dict[str, Any],
    ctx: _Context,
) -> ScanResult:
    """Insert-or-ignore on the unique (session, person, purpose): the first scan wins."""
    row: Checkin | InstructorSignIn = model(**person, **values)
    created = await insert_unless_exists(row)
    if not created:
        row = await model.get(session_id=ctx.session_id, purpose=values["purpose"], **person)
    return _result(row, created, ctx)


def _result(row: Checkin | InstructorSignIn, created: bool, ctx: _Context) -> ScanResult:
    values = {f: getattr(row, f) for f in _RESULT_FIELDS}
    if isinstance(row, Checkin):
        return _scan_result(
            ctx, values, role="trainee", record_id=row.id, created=created, review=row.review.value
        )
    return _scan_result(
        ctx, values, role="instructor", record_id=row.id, created=created, review="none"
    )


_RESULT_FIELDS = ("purpose", "scanned_at", "late", "minutes_late", "flags")


def _scan_result(
    ctx: _Context, values: dict[str, Any], *, role: str, record_id: int, created: bool, review: str
) -> ScanResult:
    """What a scan recorded (or found already recorded), with the words the person reads."""
    purpose, at, minutes = values["purpose"], values["scanned_at"], values["minutes_late"]
    return ScanResult(
        created=created,
        role=role,
        record_id=record_id,
        session_id=ctx.session_id,
        class_id=ctx.class_id,
        purpose=purpose,
        scanned_at=at,
        late=values["late"],
        minutes_late=minutes,
        review=review,
        message=scan_message(purpose, created, at, minutes, review),
        flags=list(values["flags"] or []),
    )


def scan_message(
    purpose: Purpose, created: bool, scanned_at: datetime, minutes_late: int, review: str
) -> str:
    """What the person reads after scanning."""
    action = "签到" if purpose is Purpose.IN else "签退"
    if not created:
        text = f"您已于 {clock.local(scanned_at).strftime('%H:%M')} {action}"
        if review == Review.REJECTED.value:
            text += "，但该记录已被班主任驳回，如有疑问请联系班主任"
        return text
    if minutes_late:
        return f"{action}成功，您迟到了 {minutes_late} 分钟"
    return f"{action}成功"
