"""Attendance: scanning the rotating code, the class teacher's sheet and decisions, export."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.attendance import codes, scans, service, views
from backend.attendance.export import attendance_workbook
from backend.attendance.models import Mark
from backend.attendance.qr import Purpose
from backend.clock import LocalDateTime
from backend.runtime import runtime
from backend.security.tokens import AccessClaims
from miniprogram_api.auth import client_ip, requires, token_verified
from miniprogram_api.validation import (
    ListPage,
    Text,
    json_body,
    listed,
    listed_reply,
    model_reply,
    parse_model,
    query_args,
    read_json,
    response_model,
)

bp = Blueprint("attendance")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_STORE = {"Cache-Control": "no-store"}


class CheckinIn(BaseModel):
    """A scan: the code's token, optionally the session and purpose the page expects, the
    position and its accuracy in metres (wx.getLocation, in the datum of the class's venue:
    GCJ-02 where the venue was picked on a Chinese map with wx.chooseLocation), and device
    hints (e.g. a random id the mini-program keeps in its storage)."""

    token: Text = Field(min_length=1, max_length=64)
    session_id: int | None = Field(default=None, ge=1)
    purpose: Purpose | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    accuracy: float | None = Field(default=None, ge=0, le=100_000)
    device_id: Text = Field(default="", max_length=64)
    device_model: Text = Field(default="", max_length=100)


class CheckinOut(BaseModel):
    """What happened: created (201) or already recorded (200), in Chinese in `message`."""

    outcome: str
    created: bool
    role: str
    record_id: int
    session_id: int
    class_id: int
    purpose: str
    scanned_at: LocalDateTime
    late: bool
    minutes_late: int
    review: str
    message: str
    flags: list[str]


class QrQuery(BaseModel):
    """Image format and, optionally, the purpose (default: by the time of day)."""

    format: Literal["json", "png", "svg", "wxacode"] = "json"
    purpose: Purpose | None = None


class QrOut(BaseModel):
    """The current code and when it changes."""

    token: str
    session_id: int
    purpose: str
    purpose_label: str
    step_seconds: int
    changes_at: LocalDateTime
    valid_until: LocalDateTime
    refresh_in_ms: int
    valid_for_ms: int


class DisplayLinkIn(BaseModel):
    """How long the projector link lives (default 4 hours)."""

    ttl_minutes: int | None = Field(default=None, ge=1, le=720)


class DisplayLinkOut(BaseModel):
    """The projector page's link (open it in the classroom's browser)."""

    url: str
    path: str
    expires_at: LocalDateTime


class AttendanceSessionOut(BaseModel):
    """The session of an attendance answer (times in Asia/Shanghai)."""

    id: int
    class_id: int
    class_title: str
    topic: str
    room: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime


class ScanOut(BaseModel):
    """A check-in or check-out scan with the signals it came with."""

    id: int
    scanned_at: LocalDateTime
    late: bool
    minutes_late: int
    review: str = Field(description="pending, confirmed, rejected")
    ip: str
    device_id: str
    device_model: str
    user_agent: str
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    distance_m: float | None


class AttendanceMarkOut(BaseModel):
    """The class teacher's mark: what, why, by whom (a user id), when."""

    mark: str = Field(description="present, late, absent, excused")
    reason: str
    marked_by: int | None
    updated_at: LocalDateTime


class SheetItemOut(BaseModel):
    """A trainee in the session: effective status, both scans, the mark and the flags."""

    trainee_id: int
    name: str
    status: str
    status_label: str
    review: str = Field(description="pending, confirmed, rejected, manual, none")
    review_label: str
    counted: bool
    checkin: ScanOut | None
    checkout: ScanOut | None
    full_attendance: bool = Field(description="counted and checked out")
    mark: AttendanceMarkOut | None
    flags: list[str]
    flag_labels: list[str]


class SheetCountsOut(BaseModel):
    """The session's counts over its roster."""

    enrolled: int
    present: int
    late: int
    absent: int
    excused: int
    not_checked_in: int
    upcoming: int
    pending: int
    flagged: int
    checked_in: int
    checked_out: int
    attended: int
    missing: int
    rate: float | None = Field(
        ge=0, le=1, description="attended ÷ enrolled, 4 decimals; null with nobody enrolled"
    )


class MissingTraineeOut(BaseModel):
    """A trainee with neither a check-in nor a mark."""

    trainee_id: int
    name: str


class InstructorSignOut(BaseModel):
    """An instructor booked for the session and their own sign-in and sign-out."""

    instructor_id: int
    name: str
    signed_in_at: LocalDateTime | None
    late: bool
    minutes_late: int
    signed_out_at: LocalDateTime | None


class SheetOut(ListPage):
    """A session's attendance: counts, every trainee with status and flags, who is missing."""

    session: AttendanceSessionOut
    phase: str = Field(description="not_open, on_time, late, closed")
    counts: SheetCountsOut
    items: list[SheetItemOut]
    missing: list[MissingTraineeOut]
    instructors: list[InstructorSignOut]


class CheckinReviewIn(BaseModel):
    """Why (required to reject)."""

    reason: Text = Field(default="", max_length=500)


class ReviewOut(BaseModel):
    """A scan after the class teacher's decision."""

    id: int
    session_id: int
    trainee_id: int
    purpose: str
    review: str
    reviewed_at: LocalDateTime | None


class ConfirmAllOut(BaseModel):
    """How many pending scans were confirmed."""

    confirmed: int


class MarkIn(BaseModel):
    """The class teacher's mark; absent and excused need a reason."""

    status: Mark
    reason: Text = Field(default="", max_length=500)


class AttendanceChangeOut(BaseModel):
    """One change of the trainee's attendance: who, when, from what to what, why."""

    action: str = Field(description="confirm, reject, confirm_all, mark")
    from_status: str
    from_review: str
    to_status: str
    to_review: str
    reason: str
    actor_id: int | None
    actor_name: str
    at: LocalDateTime


class DetailOut(BaseModel):
    """One trainee in one session, with every change (who, when, from, to, why)."""

    session: AttendanceSessionOut
    trainee_id: int
    status: str
    status_label: str
    review: str = Field(description="pending, confirmed, rejected, manual, none")
    review_label: str
    counted: bool
    checkin: ScanOut | None
    checkout: ScanOut | None
    mark: AttendanceMarkOut | None
    history: list[AttendanceChangeOut]


class StatusCountsOut(BaseModel):
    """How many cells have each effective status, and how many scans await a decision."""

    present: int
    late: int
    absent: int
    excused: int
    not_checked_in: int
    upcoming: int
    pending: int


class SessionTotalsOut(StatusCountsOut):
    """A session's counts over the roster."""

    enrolled: int
    attended: int
    rate: float | None = Field(
        ge=0, le=1, description="attended ÷ enrolled, 4 decimals; null with nobody enrolled"
    )


class TraineeTotalsOut(StatusCountsOut):
    """A trainee's counts over the class's sessions."""

    held: int = Field(description="sessions that have started")
    attended: int = Field(description="held sessions attended (present or late, confirmed)")
    rate: float | None = Field(
        ge=0, le=1, description="attended ÷ held, 4 decimals; null before any session started"
    )


class MatrixSessionOut(AttendanceSessionOut):
    """A session of the class with its totals."""

    totals: SessionTotalsOut


class MatrixCellOut(BaseModel):
    """A trainee in one session."""

    session_id: int
    status: str
    status_label: str
    review: str = Field(description="pending, confirmed, rejected, manual, none")
    review_label: str
    counted: bool


class MatrixTraineeOut(BaseModel):
    """A trainee of the class: a cell per session (in the sessions' order) and totals."""

    trainee_id: int
    name: str
    cells: list[MatrixCellOut]
    totals: TraineeTotalsOut


class MatrixOut(BaseModel):
    """A class's attendance: sessions with totals, trainees with a cell per session and rates."""

    class_id: int
    class_title: str
    sessions: list[MatrixSessionOut]
    trainees: list[MatrixTraineeOut]


class MySessionOut(AttendanceSessionOut):
    """A session of the trainee's class with the trainee's own cell in it."""

    session_id: int
    status: str
    status_label: str
    review: str = Field(description="pending, confirmed, rejected, manual, none")
    review_label: str
    counted: bool


class MyClassAttendanceOut(BaseModel):
    """The trainee's attendance in one class: each session and the totals."""

    class_id: int
    class_title: str
    sessions: list[MySessionOut]
    totals: TraineeTotalsOut


class MyAttendanceOut(ListPage):
    """The trainee's own attendance, per class."""

    items: list[MyClassAttendanceOut]


def _scan_input(request: Request, body: CheckinIn) -> scans.ScanInput:
    headers = request.headers
    return scans.ScanInput(
        token=body.token,
        session_id=body.session_id,
        purpose=body.purpose,
        latitude=body.latitude,
        longitude=body.longitude,
        accuracy_m=body.accuracy,
        ip=client_ip(request),
        user_agent=headers.get("user-agent", ""),
        device_id=body.device_id or headers.get("x-device-id", ""),
        device_model=body.device_model or headers.get("x-device-model", ""),
    )


@bp.post("/checkins")
@openapi.summary("扫码签到/签退（学员；授课讲师签到本人课次）")
@response_model(CheckinOut, status=201)
@token_verified
@json_body(CheckinIn)
async def checkin(request: Request, body: CheckinIn, claims: AccessClaims) -> HTTPResponse:
    """Record a scan; a repeated scan answers 200 with the first one."""
    result = await scans.record_scan(
        user_id=claims.user_id,
        token_version=claims.token_version,
        scan=_scan_input(request, body),
    )
    verb = "checked_in" if result.purpose is Purpose.IN else "checked_out"
    out = CheckinOut(
        outcome=verb if result.created else f"already_{verb}",
        created=result.created,
        role=result.role,
        record_id=result.record_id,
        session_id=result.session_id,
        class_id=result.class_id,
        purpose=result.purpose.value,
        scanned_at=result.scanned_at,
        late=result.late,
        minutes_late=result.minutes_late,
        review=result.review,
        message=result.message,
        flags=result.flags,
    )
    return json(out.model_dump(), status=201 if result.created else 200, ensure_ascii=False)


@bp.get("/sessions/<session_id:int>/qr")
@openapi.summary("当前签到码（每15秒更换；json/png/svg，或小程序码 wxacode）")
@response_model(QrOut)
@requires(*service.TEACHERS)
@query_args(QrQuery)
async def qr(request: Request, session_id: int, query: QrQuery, actor: Actor) -> HTTPResponse:
    """The session's current rotating code."""
    code = await codes.code_for_teacher(actor=actor, session_id=session_id, purpose=query.purpose)
    if query.format == "png":
        return raw(codes.code_png(code), content_type="image/png", headers=NO_STORE)
    if query.format == "svg":
        return raw(codes.code_svg(code), content_type="image/svg+xml", headers=NO_STORE)
    if query.format == "wxacode":
        image = await codes.code_wxacode(code)
        return raw(image, content_type="image/png", headers=NO_STORE)
    body = model_reply(QrOut, codes.code_view(code)).model_dump(mode="json")
    return json(body, headers=NO_STORE, ensure_ascii=False)


@bp.post("/sessions/<session_id:int>/display-link")
@openapi.summary("生成投屏链接（教室大屏显示滚动签到码，无需微信登录）")
@response_model(DisplayLinkOut, status=201)
@requires(*service.TEACHERS)
@json_body(DisplayLinkIn)
async def display_link(
    request: Request, session_id: int, body: DisplayLinkIn, actor: Actor
) -> HTTPResponse:
    """A short-lived signed link to the projector page."""
    ttl = timedelta(minutes=body.ttl_minutes) if body.ttl_minutes else None
    link = await codes.create_display_link(actor=actor, session_id=session_id, ttl=ttl)
    base = runtime().settings.public_base_url.rstrip("/")
    out = DisplayLinkOut(url=base + link.path, path=link.path, expires_at=link.expires_at)
    return json(out.model_dump(), status=201, ensure_ascii=False)


class DisplayRevokedOut(BaseModel):
    """Projector links of the session issued up to this moment no longer open the display."""

    revoked_at: LocalDateTime


@bp.post("/sessions/<session_id:int>/display-link/revoke")
@openapi.summary("作废本课次已生成的全部投屏链接")
@response_model(DisplayRevokedOut)
@requires(*service.TEACHERS)
async def revoke_display_links(request: Request, session_id: int, actor: Actor) -> HTTPResponse:
    """Revoke every display link of a session issued so far (audited)."""
    at = await codes.revoke_display_links(actor=actor, session_id=session_id)
    return json(DisplayRevokedOut(revoked_at=at).model_dump())


@bp.get("/sessions/<session_id:int>/checkins")
@openapi.summary("课次考勤：签到状态、异常标记、未签到名单、讲师签到")
@response_model(SheetOut)
@requires(*service.READERS)
async def session_checkins(request: Request, session_id: int, actor: Actor) -> HTTPResponse:
    """The session's attendance sheet (the whole roster: at most a class's capacity)."""
    sheet = await views.session_sheet(actor=actor, session_id=session_id)
    return json(listed_reply(SheetOut, sheet).model_dump(mode="json"), ensure_ascii=False)


def _review_json(checkin: Any) -> HTTPResponse:
    out = ReviewOut(
        id=checkin.id,
        session_id=checkin.session_id,
        trainee_id=checkin.trainee_id,
        purpose=checkin.purpose.value,
        review=checkin.review.value,
        reviewed_at=checkin.reviewed_at,
    )
    return json(out.model_dump(), ensure_ascii=False)


@bp.post("/checkins/<checkin_id:int>/confirm")
@openapi.summary("确认签到（请求体可省略）")
@openapi.body({"application/json": CheckinReviewIn})
@response_model(ReviewOut)
@requires(*service.TEACHERS)
async def confirm(request: Request, checkin_id: int, actor: Actor) -> HTTPResponse:
    """Confirm one scan (the body, with an optional note, may be left out)."""
    body = (
        parse_model(CheckinReviewIn, read_json(request))
        if request.body.strip()
        else CheckinReviewIn()
    )
    checkin = await service.review_checkin(
        actor=actor, checkin_id=checkin_id, confirm=True, reason=body.reason
    )
    return _review_json(checkin)


@bp.post("/checkins/<checkin_id:int>/reject")
@openapi.summary("驳回签到（须填写原因）")
@response_model(ReviewOut)
@requires(*service.TEACHERS)
@json_body(CheckinReviewIn)
async def reject(
    request: Request, checkin_id: int, body: CheckinReviewIn, actor: Actor
) -> HTTPResponse:
    """Reject one scan (it then counts as absent)."""
    checkin = await service.review_checkin(
        actor=actor, checkin_id=checkin_id, confirm=False, reason=body.reason
    )
    return _review_json(checkin)


@bp.post("/sessions/<session_id:int>/checkins/confirm-all")
@openapi.summary("一键确认本课次全部待确认签到")
@response_model(ConfirmAllOut)
@requires(*service.TEACHERS)
async def confirm_all(request: Request, session_id: int, actor: Actor) -> HTTPResponse:
    """Confirm every pending scan of the session."""
    count = await service.confirm_all_pending(actor=actor, session_id=session_id)
    return json({"confirmed": count})


@bp.put("/sessions/<session_id:int>/attendance/<trainee_id:int>")
@openapi.summary("班主任标记考勤：出勤、迟到、缺勤、请假（缺勤和请假须填原因）")
@response_model(DetailOut)
@requires(*service.TEACHERS)
@json_body(MarkIn)
async def mark(
    request: Request, session_id: int, trainee_id: int, body: MarkIn, actor: Actor
) -> HTTPResponse:
    """Mark a trainee's attendance by hand; the change is kept."""
    await service.mark_attendance(
        actor=actor,
        session_id=session_id,
        trainee_id=trainee_id,
        mark=body.status,
        reason=body.reason,
    )
    detail = await views.attendance_detail(
        actor=actor, session_id=session_id, trainee_id=trainee_id
    )
    return json(model_reply(DetailOut, detail).model_dump(mode="json"), ensure_ascii=False)


@bp.get("/sessions/<session_id:int>/attendance/<trainee_id:int>")
@openapi.summary("学员本课次考勤及变更记录（谁、何时、由何改为何、原因）")
@response_model(DetailOut)
@requires(*service.READERS)
async def detail(request: Request, session_id: int, trainee_id: int, actor: Actor) -> HTTPResponse:
    """One trainee's attendance in one session, with history."""
    detail = await views.attendance_detail(
        actor=actor, session_id=session_id, trainee_id=trainee_id
    )
    return json(model_reply(DetailOut, detail).model_dump(mode="json"), ensure_ascii=False)


@bp.get("/classes/<class_id:int>/attendance")
@openapi.summary("培训班考勤汇总：每名学员、每个课次的出勤率")
@response_model(MatrixOut)
@requires(*service.READERS)
async def class_attendance(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The class's attendance matrix with rates."""
    matrix = await views.class_rates(actor=actor, class_id=class_id)
    out = model_reply(MatrixOut, views.matrix_view(matrix))
    return json(out.model_dump(mode="json"), ensure_ascii=False)


@bp.get("/classes/<class_id:int>/attendance.xlsx")
@openapi.summary("导出考勤表（xlsx：每班一张表，每名学员一行，每个课次一列，含合计）")
@requires(*service.READERS)
async def class_attendance_xlsx(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The class's attendance workbook."""
    matrix = await views.class_rates(actor=actor, class_id=class_id)
    filename = f"attendance-class-{class_id}.xlsx"
    return raw(
        attendance_workbook([matrix]),
        content_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


@bp.get("/me/attendance")
@openapi.summary("我的考勤（学员）")
@response_model(MyAttendanceOut)
@requires(*service.ATTENDEES)
async def my_attendance(request: Request, actor: Actor) -> HTTPResponse:
    """The trainee's own attendance in each class."""
    out = model_reply(MyAttendanceOut, listed({"items": await views.my_attendance(actor=actor)}))
    return json(out.model_dump(mode="json"), ensure_ascii=False)
