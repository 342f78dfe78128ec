"""Class plans: drafting, sessions, instructors, staff, roster, submission, review, reading."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.classes import service
from backend.classes.enrolment import (
    LEAVE_ROLES,
    ROSTER_READERS,
    remove_from_roster,
    roster_of,
    withdraw_trainee,
    withdrawals_of,
)
from backend.classes.models import (
    ClassKind,
    ClassStatus,
    StaffDuty,
    TrainingClass,
    WithdrawReason,
)
from backend.classes.roster_import import RosterFileError, import_roster
from backend.classes.views import class_detail, class_summary
from backend.clock import LocalDateTime
from backend.errors import InvalidInput
from backend.followups.closing import CLOSERS
from backend.money import MoneyIn
from backend.subsidies.closing import close_and_freeze
from miniprogram_api.auth import requires
from miniprogram_api.routes.people import TraineeOut
from miniprogram_api.validation import (
    ListPage,
    Text,
    json_body,
    listed,
    parse_model,
    query_args,
    read_json,
    response_model,
)

bp = Blueprint("classes")


class PlanIn(BaseModel):
    """A class plan's information (第十八条: 培训班信息)."""

    institution_id: int
    title: Text = Field(min_length=2, max_length=200)
    district_code: Text = Field(min_length=6, max_length=6)
    start_date: date
    end_date: date
    venue_address: Text = Field(default="", max_length=300)
    venue_latitude: float | None = Field(default=None, ge=-90, le=90)
    venue_longitude: float | None = Field(default=None, ge=-180, le=180)
    fence_radius_m: int | None = Field(default=None, ge=30, le=5000)
    length_reason: Text = Field(default="", max_length=300)
    capacity: int = Field(default=50, ge=1, le=200)
    contract_amount: MoneyIn = Decimal("0")
    kind: ClassKind = Field(
        default=ClassKind.TRAINEE_CLASS,
        description="trainee_class 学员班 | instructor_class 师资班（第十条；补贴50%/50%）",
    )


class PlanPatch(BaseModel):
    """Fields to change on a draft (or rejected) plan."""

    title: Text | None = Field(default=None, min_length=2, max_length=200)
    district_code: Text | None = Field(default=None, min_length=6, max_length=6)
    start_date: date | None = None
    end_date: date | None = None
    venue_address: Text | None = Field(default=None, max_length=300)
    venue_latitude: float | None = Field(default=None, ge=-90, le=90)
    venue_longitude: float | None = Field(default=None, ge=-180, le=180)
    fence_radius_m: int | None = Field(default=None, ge=30, le=5000)
    length_reason: Text | None = Field(default=None, max_length=300)
    capacity: int | None = Field(default=None, ge=1, le=200)
    contract_amount: MoneyIn | None = None


class SessionIn(BaseModel):
    """One session: local date and times (Asia/Shanghai), topic, room, instructors."""

    date: date
    start: time
    end: time
    topic: Text = Field(min_length=1, max_length=200)
    room: Text = Field(default="", max_length=100)
    instructor_ids: list[int] = Field(default_factory=list, max_length=4)


class SessionsIn(BaseModel):
    """Sessions to add (课程安排)."""

    sessions: list[SessionIn] = Field(min_length=1, max_length=60)


class InstructorsIn(BaseModel):
    """The class's instructors (第十九条: 2–4), optionally naming the lead.

    The count is the service's rule (INSTRUCTOR_COUNT with the 第十九条 message), not a schema
    bound: the list's length limit only keeps requests small.
    """

    instructor_ids: list[int] = Field(max_length=50)
    lead_id: int | None = None


class StaffIn(BaseModel):
    """第二十条: user ids of the team lead, the full-time class teacher and the staff member."""

    team_lead: int | None = None
    class_teacher: int | None = None
    staff: int | None = None


class ReviewIn(BaseModel):
    """HR's decision; a rejection needs a reason."""

    decision: Text = Field(pattern="^(approve|reject)$")
    reason: Text = Field(default="", max_length=500)


class ReasonIn(BaseModel):
    """An optional reason."""

    reason: Text = Field(default="", max_length=500)


class CloseIn(BaseModel):
    """Why HR closes the class (结案); required."""

    reason: Text = Field(min_length=2, max_length=500)


class ClassListQuery(BaseModel):
    """Filters and paging of the class list."""

    status: ClassStatus | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=100)


class ClassSummaryOut(BaseModel):
    """A class in a list."""

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
    submission_deadline: str | None = None
    review_deadline: str | None = None


class ClassListOut(BaseModel):
    """A page of classes."""

    total: int
    offset: int
    limit: int
    items: list[ClassSummaryOut]


class ClassInstructorOut(BaseModel):
    """An instructor of the class and whether they lead it."""

    id: int
    name: str
    is_lead: bool


class ClassStaffOut(BaseModel):
    """A staff member of the class and their duty."""

    duty: str
    user_id: int
    name: str


class ClassSessionOut(BaseModel):
    """A session with its local (+08:00) times and instructors."""

    id: int
    topic: str
    room: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    instructor_ids: list[int]


class ClassStatusStepOut(BaseModel):
    """A status change of the class (`from` is null for the first)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str | None = Field(alias="from")
    to: str
    actor_id: int | None
    reason: str
    at: LocalDateTime


class ClassOut(ClassSummaryOut):
    """A class with sessions, instructors, staff, roster size and status history."""

    venue_address: str
    venue_latitude: float | None
    venue_longitude: float | None
    fence_radius_m: int | None
    length_reason: str
    capacity: int
    contract_amount: str
    instructors: list[ClassInstructorOut]
    staff: list[ClassStaffOut]
    sessions: list[ClassSessionOut]
    enrolled: int
    history: list[ClassStatusStepOut]


def _model_json(model: BaseModel, status: int = 200) -> HTTPResponse:
    return json(model.model_dump(mode="json", by_alias=True), status=status, ensure_ascii=False)


async def _detail(klass: Any, status: int = 200) -> HTTPResponse:
    detail = await class_detail(klass)
    return _model_json(ClassOut.model_validate(detail, from_attributes=True), status=status)


@bp.post("/classes")
@openapi.summary("新建培训班方案（草稿）")
@response_model(ClassOut, status=201)
@requires(*service.PLAN_ROLES)
@json_body(PlanIn)
async def create_class(request: Request, body: PlanIn, actor: Actor) -> HTTPResponse:
    """Draft a class plan."""
    data = body.model_dump(exclude={"institution_id"})
    klass = await service.create_plan(
        actor=actor, institution_id=body.institution_id, data=service.PlanInput(**data)
    )
    return await _detail(klass, status=201)


@bp.get("/classes")
@openapi.summary("培训班列表（按开班日期，最近的在前；含申报与审核截止日）")
@response_model(ClassListOut)
@requires(*service.READERS)
@query_args(ClassListQuery)
async def list_classes(request: Request, query: ClassListQuery, actor: Actor) -> HTTPResponse:
    """Classes in the caller's scope."""
    total, classes = await service.list_classes(
        actor=actor, status=query.status, offset=query.offset, limit=query.limit
    )
    items = [
        ClassSummaryOut.model_validate(await class_summary(k), from_attributes=True)
        for k in classes
    ]
    page = ClassListOut(total=total, offset=query.offset, limit=query.limit, items=items)
    return _model_json(page)


@bp.get("/classes/<class_id:int>")
@openapi.summary("培训班详情")
@response_model(ClassOut)
@requires(*service.READERS)
async def get_class(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """A class in the caller's scope (its lifecycle brought up to date)."""
    return await _detail(await service.class_for_reading(actor, class_id))


@bp.patch("/classes/<class_id:int>")
@openapi.summary("修改培训班方案（草稿或被驳回的方案）")
@response_model(ClassOut)
@requires(*service.PLAN_ROLES)
@json_body(PlanPatch)
async def patch_class(
    request: Request, class_id: int, body: PlanPatch, actor: Actor
) -> HTTPResponse:
    """Change a draft plan."""
    # `null` clears only a column that may be empty; for any other field it means "unchanged"
    # (a NOT NULL column set to None was a 500, found by schemathesis).
    columns = TrainingClass._meta.fields_map
    changes = {
        k: v
        for k, v in body.model_dump(exclude_unset=True).items()
        if v is not None or (k in columns and columns[k].null)
    }
    return await _detail(await service.update_plan(actor=actor, class_id=class_id, changes=changes))


@bp.post("/classes/<class_id:int>/sessions")
@openapi.summary("添加课次")
@response_model(ClassOut, status=201)
@requires(*service.PLAN_ROLES)
@json_body(SessionsIn)
async def add_sessions(
    request: Request, class_id: int, body: SessionsIn, actor: Actor
) -> HTTPResponse:
    """Add sessions to a draft plan."""
    items = [
        service.SessionInput(s.date, s.start, s.end, s.topic, s.room, tuple(s.instructor_ids))
        for s in body.sessions
    ]
    await service.add_sessions(actor=actor, class_id=class_id, sessions=items)
    return await _detail(await service.class_for_reading(actor, class_id), status=201)


class SessionDeletedOut(BaseModel):
    """The session is gone from the draft."""

    ok: bool


@bp.delete("/classes/<class_id:int>/sessions/<session_id:int>")
@openapi.summary("删除课次（草稿）")
@response_model(SessionDeletedOut)
@requires(*service.PLAN_ROLES)
async def delete_session(
    request: Request, class_id: int, session_id: int, actor: Actor
) -> HTTPResponse:
    """Remove a session from a draft plan."""
    await service.delete_session(actor=actor, class_id=class_id, session_id=session_id)
    return json(SessionDeletedOut(ok=True).model_dump())


@bp.put("/classes/<class_id:int>/instructors")
@openapi.summary("安排授课讲师（2-4名）")
@response_model(ClassOut)
@requires(*service.PLAN_ROLES)
@json_body(InstructorsIn)
async def set_instructors(
    request: Request, class_id: int, body: InstructorsIn, actor: Actor
) -> HTTPResponse:
    """Assign the class's instructors."""
    await service.set_instructors(
        actor=actor, class_id=class_id, instructor_ids=body.instructor_ids, lead_id=body.lead_id
    )
    return await _detail(await service.class_for_reading(actor, class_id))


@bp.put("/classes/<class_id:int>/staff")
@openapi.summary("安排团队负责人、专职班主任、工作人员")
@response_model(ClassOut)
@requires(*service.PLAN_ROLES)
@json_body(StaffIn)
async def set_staff(request: Request, class_id: int, body: StaffIn, actor: Actor) -> HTTPResponse:
    """Name the three duties of 第二十条."""
    chosen = {StaffDuty(k): v for k, v in body.model_dump().items() if v is not None}
    await service.set_staff(actor=actor, class_id=class_id, assignments=chosen)
    return await _detail(await service.class_for_reading(actor, class_id))


@bp.post("/classes/<class_id:int>/submit")
@openapi.summary("提交培训方案（开班日前10个工作日）")
@response_model(ClassOut)
@requires(*service.PLAN_ROLES)
async def submit(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """Submit the plan to HR; every rule is checked."""
    return await _detail(await service.submit_plan(actor=actor, class_id=class_id))


@bp.post("/classes/<class_id:int>/withdraw")
@openapi.summary("撤回已申报、未审核的方案")
@response_model(ClassOut)
@requires(*service.PLAN_ROLES)
@json_body(ReasonIn)
async def withdraw(request: Request, class_id: int, body: ReasonIn, actor: Actor) -> HTTPResponse:
    """Take a submitted plan back to draft."""
    return await _detail(
        await service.withdraw_plan(actor=actor, class_id=class_id, reason=body.reason)
    )


@bp.post("/classes/<class_id:int>/review")
@openapi.summary("人社部门审核方案（开班前3个工作日前）")
@response_model(ClassOut)
@requires(*service.REVIEWERS)
@json_body(ReviewIn)
async def review(request: Request, class_id: int, body: ReviewIn, actor: Actor) -> HTTPResponse:
    """Approve or reject a submitted plan."""
    klass = await service.review_plan(
        actor=actor, class_id=class_id, approve=body.decision == "approve", reason=body.reason
    )
    return await _detail(klass)


@bp.post("/classes/<class_id:int>/close")
@openapi.summary("人社部门结案：后续跟踪服务满6个月后（第二十五条），须填写原因")
@response_model(ClassOut)
@requires(*CLOSERS)
@json_body(CloseIn)
async def close(request: Request, class_id: int, body: CloseIn, actor: Actor) -> HTTPResponse:
    """Close a class in follow-up (following_up → closed) once its 6-month stage is reached."""
    klass = await close_and_freeze(actor=actor, class_id=class_id, reason=body.reason)
    return await _detail(klass)


class RosterRowsIn(BaseModel):
    """Roster rows as JSON (keys as in the template: name, id_number, phone, category, …)."""

    rows: list[dict[str, Any]] = Field(min_length=1, max_length=2000)
    dry_run: bool = False


class RosterImportOut(BaseModel):
    """How many rows were checked and imported."""

    imported: int
    checked: int
    dry_run: bool


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/classes/roster-template.xlsx")
@openapi.summary("下载花名册模板（xlsx，中文表头）")
@requires(*service.ROSTER_TEMPLATE_READERS)
async def roster_template(request: Request, actor: Actor) -> HTTPResponse:
    """The roster workbook template."""
    from backend.classes.roster_import import build_template

    return raw(
        build_template(),
        content_type=XLSX,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''roster-template.xlsx"},
    )


@bp.post("/classes/<class_id:int>/roster")
@openapi.summary(
    "上传花名册：xlsx 文件（multipart 的 file 字段或请求体）或 JSON 行；全部无误才导入"
)
@openapi.body({"application/json": RosterRowsIn, XLSX: {"type": "string", "format": "binary"}})
@response_model(RosterImportOut, status=201)
@requires(*service.PLAN_ROLES)
async def upload_roster(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """Import a roster; every bad row is reported at once and nothing is half-imported."""
    content_type = (request.content_type or "").split(";")[0].strip()
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true")
    if content_type == "application/json":
        body = parse_model(RosterRowsIn, read_json(request))
        result = await import_roster(
            actor=actor, class_id=class_id, rows=body.rows, dry_run=body.dry_run
        )
    else:
        files = request.files if content_type == "multipart/form-data" else None
        upload = files.get("file") if files else None
        data = upload.body if upload is not None else request.body
        if not data:
            raise InvalidInput("请上传花名册文件（.xlsx）", code="ROSTER_FILE_MISSING")
        try:
            result = await import_roster(actor=actor, class_id=class_id, xlsx=data, dry_run=dry_run)
        except RosterFileError as exc:
            raise InvalidInput(exc.reason, code="ROSTER_FILE_INVALID") from None
    out = RosterImportOut.model_validate(result, from_attributes=True)
    return json(out.model_dump(), status=200 if result.dry_run else 201)


class WithdrawnOut(BaseModel):
    """A trainee who left the class after the start, when and why."""

    trainee_id: int
    name: str
    withdrawn_at: LocalDateTime | None
    reason: str | None = Field(description="moved_away / employed / illness / personal / other")
    reason_label: str
    note: str


class RosterOut(ListPage):
    """The enrolled trainees (masked; bounded by the class's capacity) and those withdrawn."""

    items: list[TraineeOut]
    withdrawn: list[WithdrawnOut]


@bp.get("/classes/<class_id:int>/roster")
@openapi.summary("培训班花名册（证件号、手机号脱敏）")
@response_model(RosterOut)
@requires(*ROSTER_READERS)
async def get_roster(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The enrolled trainees, masked."""
    from backend.accounts.identity import trainee_view
    from backend.classes.scope import authorize_class

    await authorize_class(actor, class_id, ROSTER_READERS)
    trainees = await roster_of(class_id=class_id)
    withdrawn = await withdrawals_of(class_id=class_id)
    body = {
        "items": [
            TraineeOut.model_validate(trainee_view(t), from_attributes=True) for t in trainees
        ],
        "withdrawn": [WithdrawnOut.model_validate(w, from_attributes=True) for w in withdrawn],
    }
    return json(RosterOut.model_validate(listed(body)).model_dump(), ensure_ascii=False)


class RosterRemovedOut(BaseModel):
    """The row is gone (the audit trail keeps it)."""

    removed: bool


class RosterRemoveIn(BaseModel):
    """Why the row is removed before the start (kept in the audit trail)."""

    reason: Text = Field(min_length=2, max_length=200)


class WithdrawIn(BaseModel):
    """Why a trainee leaves after the start; `note` is required for `other`."""

    reason: WithdrawReason = Field(
        description="moved_away 迁居外地 | employed 结业前已就业 | illness 疾病 | "
        "personal 个人或家庭原因 | other 其他"
    )
    note: Text = Field(default="", max_length=300)


class WithdrawOut(BaseModel):
    """The roster row after withdrawal (it stays in the class's history)."""

    trainee_id: int
    status: str
    reason: str
    withdrawn_at: LocalDateTime


@bp.post("/classes/<class_id:int>/roster/<trainee_id:int>/remove")
@openapi.summary("开班前从花名册删除学员（须填写原因，留痕审计）")
@response_model(RosterRemovedOut)
@requires(*service.PLAN_ROLES)
@json_body(RosterRemoveIn)
async def remove_row(
    request: Request, class_id: int, trainee_id: int, body: RosterRemoveIn, actor: Actor
) -> HTTPResponse:
    """Before the first day: the row goes, the audit trail keeps who, when and why."""
    await remove_from_roster(
        actor=actor, class_id=class_id, trainee_id=trainee_id, reason=body.reason
    )
    return json(RosterRemovedOut(removed=True).model_dump())


@bp.post("/classes/<class_id:int>/roster/<trainee_id:int>/withdraw")
@openapi.summary("开班后办理学员退班（须选择原因；不再计入结业、就业率与补贴人数）")
@response_model(WithdrawOut)
@requires(*LEAVE_ROLES)
@json_body(WithdrawIn)
async def withdraw_row(
    request: Request, class_id: int, trainee_id: int, body: WithdrawIn, actor: Actor
) -> HTTPResponse:
    """From the first day on: the row stays, marked withdrawn with its reason."""
    enrolment = await withdraw_trainee(
        actor=actor, class_id=class_id, trainee_id=trainee_id, reason=body.reason, note=body.note
    )
    assert enrolment.withdrawn_at is not None  # withdraw_trainee stamps it
    out = WithdrawOut(
        trainee_id=trainee_id,
        status=enrolment.status.value,
        reason=enrolment.withdraw_reason,
        withdrawn_at=enrolment.withdrawn_at,
    )
    return json(out.model_dump(), ensure_ascii=False)
