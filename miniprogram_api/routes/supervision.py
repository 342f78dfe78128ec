"""Supervision: daily feedback, written notices, blacklist, inspections, 第十六条 actions."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.clock import LocalDateTime
from backend.registers.models import (
    BlacklistKind,
    InspectionItem,
    InspectionMode,
    InstructorActionKind,
)
from backend.supervision import blacklisting, feedback, inspections, instructor_actions, notices
from backend.supervision.service import INSTRUCTOR_READERS
from miniprogram_api.auth import requires
from miniprogram_api.routes.ratings import Averages, Sums
from miniprogram_api.validation import (
    ListPage,
    Text,
    json_body,
    listed,
    listed_reply,
    model_reply,
    query_args,
    response_model,
)

bp = Blueprint("supervision")


def _reply(model: BaseModel, status: int = 200) -> HTTPResponse:
    return json(model.model_dump(mode="json"), status=status, ensure_ascii=False)


# --- bodies and replies ----------------------------------------------------------------------


class FeedbackIn(BaseModel):
    """每日意见: three ratings from 1 (很差) to 5 (很好), and an optional comment."""

    content: int = Field(ge=1, le=5, description="课程内容")
    instructor: int = Field(ge=1, le=5, description="讲师授课")
    organisation: int = Field(ge=1, le=5, description="培训组织")
    comment: Text = Field(default="", max_length=500)


class FeedbackOut(BaseModel):
    """The trainee's own rating of a session."""

    id: int
    session_id: int
    content: int
    instructor: int
    organisation: int
    comment: str
    created_at: LocalDateTime


class MyFeedbackQuery(BaseModel):
    """Optionally only one class."""

    class_id: int | None = None


class MyFeedbackOut(ListPage):
    """The trainee's ratings, newest first."""

    items: list[FeedbackOut]


class SessionRatings(BaseModel):
    """One session's count, sums and averages."""

    session_id: int
    topic: str
    starts_at: LocalDateTime
    instructors: list[str]
    ratings: int
    sums: Sums
    averages: Averages


class Comment(BaseModel):
    """A comment, without the trainee's identity."""

    comment: str
    created_at: LocalDateTime


class SessionSummaryOut(SessionRatings):
    """A session's feedback: averages, response rate, comments."""

    class_id: int
    enrolled: int
    response_rate: float | None = Field(
        ge=0, le=1, description="ratings ÷ trainees expected, 4 decimals; null with none expected"
    )
    comments: list[Comment]


class ClassFeedbackSummaryOut(BaseModel):
    """A class's feedback per session and overall."""

    class_id: int
    title: str
    enrolled: int
    sessions_started: int
    response_rate: float | None = Field(
        ge=0, le=1, description="ratings ÷ trainees expected, 4 decimals; null with none expected"
    )
    ratings: int
    sums: Sums
    averages: Averages
    sessions: list[SessionRatings]


class InstructorClassRatings(BaseModel):
    """An instructor's ratings in one class."""

    class_id: int
    title: str
    sessions: int
    ratings: int
    sums: Sums
    averages: Averages


class InstructorSummaryQuery(BaseModel):
    """The year (Asia/Shanghai calendar); this year when omitted."""

    year: int | None = Field(default=None, ge=2000, le=2100)


class InstructorSummaryOut(BaseModel):
    """An instructor's ratings in a year across classes (第十五条 学员满意度)."""

    instructor_id: int
    name: str
    year: int
    sessions_taught: int
    sessions_rated: int
    ratings: int
    sums: Sums
    averages: Averages
    classes: list[InstructorClassRatings]


class NoticeIn(BaseModel):
    """A written notice (书面通报): reason and date (today when omitted)."""

    reason: Text = Field(min_length=2, max_length=1000)
    issued_on: date | None = None


class NoticeOut(BaseModel):
    """A notice; `disqualified` is true on the one that took the qualification (第九条)."""

    id: int
    institution_id: int
    sequence: int
    reason: str
    issued_on: str
    disqualified: bool
    issued_by: int | None


class NoticesOut(ListPage):
    """An institution's notices and its standing."""

    institution_id: int
    institution_name: str
    status: str
    count: int
    notices_until_disqualification: int | None
    items: list[NoticeOut]


class BlacklistIn(BaseModel):
    """第二十七条: who, why, and the period (from today, open-ended when omitted)."""

    kind: BlacklistKind
    subject_id: int
    reason: Text = Field(min_length=2, max_length=1000)
    starts_on: date | None = None
    ends_on: date | None = None


class LiftIn(BaseModel):
    """Why the entry is lifted early."""

    reason: Text = Field(min_length=2, max_length=500)


class BlacklistEntryOut(BaseModel):
    """A blacklist entry; `in_force` on the day asked (today by default)."""

    id: int
    kind: str
    kind_label: str
    subject_id: int
    subject_name: str
    reason: str
    starts_on: str
    ends_on: str | None
    lifted_on: str | None
    lift_reason: str
    in_force: bool


class BlacklistQuery(BaseModel):
    """Filters: kind, subject, in force on a day; paging."""

    kind: BlacklistKind | None = None
    subject_id: int | None = None
    on: date | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=200)


class BlacklistPageOut(BaseModel):
    """A page of entries, newest first."""

    total: int
    offset: int
    limit: int
    items: list[BlacklistEntryOut]


class BlacklistCheckQuery(BaseModel):
    """Is this subject blacklisted on that day (today when omitted)?"""

    kind: BlacklistKind
    subject_id: int
    on: date | None = None


class BlacklistCheckOut(BaseModel):
    """The answer, with the entries in force."""

    kind: str
    subject_id: int
    on: str
    blacklisted: bool
    entries: list[BlacklistEntryOut]


class ScoreIn(BaseModel):
    """A checklist item scored 0–100."""

    item: InspectionItem
    score: int = Field(ge=0, le=100)
    note: Text = Field(default="", max_length=300)


class InspectionIn(BaseModel):
    """明察暗访 (第二十八条): an institution or one of its classes, checklist, findings."""

    institution_id: int | None = None
    class_id: int | None = None
    mode: InspectionMode
    inspected_on: date | None = None
    inspector: Text = Field(min_length=2, max_length=100)
    findings: Text = Field(default="", max_length=5000)
    scores: list[ScoreIn] = Field(min_length=1, max_length=len(InspectionItem))


class ScoreOut(BaseModel):
    """A scored item."""

    item: str
    label: str
    score: int
    note: str


class InspectionOut(BaseModel):
    """An inspection; overall = mean of its items."""

    id: int
    institution_id: int
    class_id: int | None
    mode: str
    mode_label: str
    inspected_on: str
    inspector: str
    findings: str
    overall_score: float
    scores: list[ScoreOut]


class ItemAverage(BaseModel):
    """An item's average over the inspections that scored it."""

    item: str
    label: str
    inspections: int
    average: float | None


class InspectionAverages(BaseModel):
    """Averages over all of an institution's inspections."""

    overall: float | None
    items: list[ItemAverage]


class SupervisionPageQuery(BaseModel):
    """Paging."""

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=100)


class InspectionsOut(BaseModel):
    """An institution's inspections, newest first, with averages."""

    institution_id: int
    institution_name: str
    total: int
    offset: int
    limit: int
    averages: InspectionAverages
    items: list[InspectionOut]


class ActionIn(BaseModel):
    """第十六条: the measure, its reason, the clause (1–6) it rests on, and the date."""

    kind: InstructorActionKind
    reason: Text = Field(min_length=2, max_length=1000)
    ground: int | None = Field(default=None, ge=1, le=6)
    decided_on: date | None = None


class ActionOut(BaseModel):
    """A recorded measure and the standing it left."""

    id: int
    instructor_id: int
    kind: str
    kind_label: str
    ground: int | None
    ground_label: str | None
    reason: str
    decided_on: str
    status_before: str
    status_after: str


class ActionsOut(ListPage):
    """An instructor's standing and measures, newest first."""

    instructor_id: int
    name: str
    status: str
    status_label: str
    items: list[ActionOut]


# --- daily feedback (每日意见) -----------------------------------------------------------------


@bp.post("/sessions/<session_id:int>/feedback")
@openapi.summary("学员填写课次每日意见（课次开始后，每个课次一次）")
@response_model(FeedbackOut, status=201)
@requires(*feedback.RESPONDENTS)
@json_body(FeedbackIn)
async def give_feedback(
    request: Request, session_id: int, body: FeedbackIn, actor: Actor
) -> HTTPResponse:
    """Rate a session of one's class."""
    item = await feedback.give_feedback(actor=actor, session_id=session_id, **body.model_dump())
    return _reply(model_reply(FeedbackOut, feedback.feedback_view(item)), status=201)


@bp.get("/me/feedback")
@openapi.summary("我填写的每日意见")
@response_model(MyFeedbackOut)
@requires(*feedback.RESPONDENTS)
@query_args(MyFeedbackQuery)
async def my_feedback(request: Request, query: MyFeedbackQuery, actor: Actor) -> HTTPResponse:
    """The trainee's own ratings."""
    items = await feedback.my_feedback(actor=actor, class_id=query.class_id)
    views = [model_reply(FeedbackOut, feedback.feedback_view(i)) for i in items]
    return _reply(MyFeedbackOut(**listed({"items": views})))


@bp.get("/sessions/<session_id:int>/feedback-summary")
@openapi.summary("课次每日意见汇总（班级工作人员、机构、人社部门、本课次讲师）")
@response_model(SessionSummaryOut)
@requires(*feedback.SESSION_READERS)
async def session_feedback(request: Request, session_id: int, actor: Actor) -> HTTPResponse:
    """A session's ratings and comments."""
    summary = await feedback.session_summary(actor=actor, session_id=session_id)
    return _reply(model_reply(SessionSummaryOut, summary))


@bp.get("/classes/<class_id:int>/feedback-summary")
@openapi.summary("培训班每日意见汇总（按课次）")
@response_model(ClassFeedbackSummaryOut)
@requires(*feedback.CLASS_READERS)
async def class_feedback(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """A class's ratings per session and overall."""
    summary = await feedback.class_summary(actor=actor, class_id=class_id)
    return _reply(model_reply(ClassFeedbackSummaryOut, summary))


@bp.get("/instructors/<instructor_id:int>/feedback-summary")
@openapi.summary("讲师年度学员满意度（跨班级，第十五条）")
@response_model(InstructorSummaryOut)
@requires(*INSTRUCTOR_READERS)
@query_args(InstructorSummaryQuery)
async def instructor_feedback(
    request: Request, instructor_id: int, query: InstructorSummaryQuery, actor: Actor
) -> HTTPResponse:
    """An instructor's ratings in a year."""
    summary = await feedback.instructor_summary(
        actor=actor, instructor_id=instructor_id, year=query.year
    )
    return _reply(model_reply(InstructorSummaryOut, summary))


# --- written notices (书面通报, 第九条) -----------------------------------------------------------


@bp.post("/institutions/<institution_id:int>/notices")
@openapi.summary("对培训机构书面通报（第三次取消培训资格，第九条）")
@response_model(NoticeOut, status=201)
@requires(*notices.ISSUERS)
@json_body(NoticeIn)
async def issue_notice(
    request: Request, institution_id: int, body: NoticeIn, actor: Actor
) -> HTTPResponse:
    """Issue a written notice."""
    notice = await notices.issue_notice(
        actor=actor, institution_id=institution_id, **body.model_dump()
    )
    return _reply(model_reply(NoticeOut, notices.notice_view(notice)), status=201)


@bp.get("/institutions/<institution_id:int>/notices")
@openapi.summary("培训机构的书面通报记录")
@response_model(NoticesOut)
@requires(*notices.NOTICE_READERS)
async def list_notices(request: Request, institution_id: int, actor: Actor) -> HTTPResponse:
    """An institution's notices and standing."""
    found = await notices.notices_of(actor=actor, institution_id=institution_id)
    return _reply(listed_reply(NoticesOut, found))


# --- blacklist (第二十七条) ----------------------------------------------------------------------


@bp.post("/blacklist")
@openapi.summary("列入求职能力实训黑名单（机构、讲师、学员，第二十七条）")
@response_model(BlacklistEntryOut, status=201)
@requires(*blacklisting.KEEPERS)
@json_body(BlacklistIn)
async def add_to_blacklist(request: Request, body: BlacklistIn, actor: Actor) -> HTTPResponse:
    """Add a blacklist entry."""
    entry = await blacklisting.add_entry(actor=actor, **body.model_dump())
    return _reply(model_reply(BlacklistEntryOut, blacklisting.entry_view(entry)), status=201)


@bp.get("/blacklist")
@openapi.summary("黑名单列表（可按对象和日期查询）")
@response_model(BlacklistPageOut)
@requires(*blacklisting.KEEPERS)
@query_args(BlacklistQuery)
async def list_blacklist(request: Request, query: BlacklistQuery, actor: Actor) -> HTTPResponse:
    """Blacklist entries, newest first."""
    total, entries = await blacklisting.list_entries(
        actor=actor,
        kind=query.kind,
        subject_id=query.subject_id,
        on=query.on,
        offset=query.offset,
        limit=query.limit,
    )
    items = [blacklisting.entry_view(e, query.on) for e in entries]
    page = {"total": total, "offset": query.offset, "limit": query.limit, "items": items}
    return _reply(model_reply(BlacklistPageOut, page))


@bp.get("/blacklist/check")
@openapi.summary("查询某对象在某日是否在黑名单中")
@response_model(BlacklistCheckOut)
@requires(*blacklisting.KEEPERS)
@query_args(BlacklistCheckQuery)
async def check_blacklist(
    request: Request, query: BlacklistCheckQuery, actor: Actor
) -> HTTPResponse:
    """Whether a subject is blacklisted on a day."""
    status = await blacklisting.blacklist_status(
        actor=actor, kind=query.kind, subject_id=query.subject_id, on=query.on
    )
    return _reply(model_reply(BlacklistCheckOut, status))


@bp.post("/blacklist/<entry_id:int>/lift")
@openapi.summary("提前解除黑名单")
@response_model(BlacklistEntryOut)
@requires(*blacklisting.KEEPERS)
@json_body(LiftIn)
async def lift_blacklist(
    request: Request, entry_id: int, body: LiftIn, actor: Actor
) -> HTTPResponse:
    """Lift an entry from today on."""
    entry = await blacklisting.lift_entry(actor=actor, entry_id=entry_id, reason=body.reason)
    return _reply(model_reply(BlacklistEntryOut, blacklisting.entry_view(entry)))


# --- inspections (明察暗访, 第二十八条) -----------------------------------------------------------


@bp.post("/inspections")
@openapi.summary("登记明察暗访检查记录（第二十八条）")
@response_model(InspectionOut, status=201)
@requires(*inspections.INSPECTORS)
@json_body(InspectionIn)
async def record_inspection(request: Request, body: InspectionIn, actor: Actor) -> HTTPResponse:
    """Record an inspection with its checklist."""
    inspection = await inspections.record_inspection(
        actor=actor,
        institution_id=body.institution_id,
        class_id=body.class_id,
        mode=body.mode,
        inspected_on=body.inspected_on,
        inspector=body.inspector,
        findings=body.findings,
        scores=[inspections.ScoreInput(s.item, s.score, s.note) for s in body.scores],
    )
    (view,) = await inspections.inspection_views([inspection])
    return _reply(model_reply(InspectionOut, view), status=201)


@bp.get("/institutions/<institution_id:int>/inspections")
@openapi.summary("培训机构的检查记录与平均分")
@response_model(InspectionsOut)
@requires(*inspections.INSPECTION_READERS)
@query_args(SupervisionPageQuery)
async def list_inspections(
    request: Request, institution_id: int, query: SupervisionPageQuery, actor: Actor
) -> HTTPResponse:
    """An institution's inspections with averages."""
    page = await inspections.inspections_of(
        actor=actor, institution_id=institution_id, offset=query.offset, limit=query.limit
    )
    return _reply(model_reply(InspectionsOut, page))


# --- instructor measures (第十六条) --------------------------------------------------------------


@bp.post("/instructors/<instructor_id:int>/actions")
@openapi.summary("讲师谈话提醒、暂停选派、取消师资资格或恢复选派（市级人社部门，第十六条）")
@response_model(ActionOut, status=201)
@requires(*instructor_actions.SANCTIONERS)
@json_body(ActionIn)
async def take_action(
    request: Request, instructor_id: int, body: ActionIn, actor: Actor
) -> HTTPResponse:
    """Record a 第十六条 measure."""
    action = await instructor_actions.take_action(
        actor=actor, instructor_id=instructor_id, **body.model_dump()
    )
    return _reply(model_reply(ActionOut, instructor_actions.action_view(action)), status=201)


@bp.get("/instructors/<instructor_id:int>/actions")
@openapi.summary("讲师的处理记录")
@response_model(ActionsOut)
@requires(*INSTRUCTOR_READERS)
async def list_actions(request: Request, instructor_id: int, actor: Actor) -> HTTPResponse:
    """An instructor's measures."""
    found = await instructor_actions.actions_of(actor=actor, instructor_id=instructor_id)
    return _reply(listed_reply(ActionsOut, found))
