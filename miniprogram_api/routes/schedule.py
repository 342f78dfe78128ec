"""Schedules and instructor leave."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, text
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.classes import leave
from backend.classes.models import LeaveStatus
from backend.classes.schedule import TIMETABLED, my_schedule, to_icalendar
from backend.clock import LocalDateTime
from miniprogram_api.auth import requires
from miniprogram_api.validation import ListPage, Text, json_body, listed, query_args, response_model

bp = Blueprint("schedule")


class ScheduleEntry(BaseModel):
    """One session on a personal schedule."""

    session_id: int
    class_id: int
    class_title: str
    topic: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    room: str
    venue_address: str
    instructors: list[str]
    role: str


class ScheduleOut(ListPage):
    """The caller's sessions, soonest first."""

    items: list[ScheduleEntry]


class LeaveIn(BaseModel):
    """Why the instructor cannot teach this session."""

    reason: Text = Field(min_length=2, max_length=500)


class LeaveDecisionIn(BaseModel):
    """HR's decision: approving needs a substitute (第十九条)."""

    decision: Text = Field(pattern="^(approve|reject)$")
    substitute_id: int | None = None
    note: Text = Field(default="", max_length=500)


class LeaveOut(BaseModel):
    """A leave request and its state."""

    id: int
    session_id: int
    instructor_id: int
    substitute_id: int | None
    status: str
    reason: str


def _leave_json(item: Any, status: int = 200) -> HTTPResponse:
    out = LeaveOut(
        id=item.id,
        session_id=item.session_id,
        instructor_id=item.instructor_id,
        substitute_id=item.substitute_id,
        status=item.status.value,
        reason=item.reason,
    )
    return json(out.model_dump(), status=status, ensure_ascii=False)


@bp.get("/me/schedule")
@openapi.summary("我的课表（学员：我的课程；讲师：我的授课）")
@response_model(ScheduleOut)
@requires(*TIMETABLED)
async def schedule_json(request: Request, actor: Actor) -> HTTPResponse:
    """The caller's sessions as JSON."""
    items = [
        ScheduleEntry.model_validate(e, from_attributes=True)
        for e in await my_schedule(actor=actor)
    ]
    page = ScheduleOut.model_validate(listed({"items": items}))
    return json(page.model_dump(), ensure_ascii=False)


@bp.get("/me/schedule.ics")
@openapi.summary("我的课表（iCalendar，可导入手机日历）")
@requires(*TIMETABLED)
async def schedule_ics(request: Request, actor: Actor) -> HTTPResponse:
    """The caller's sessions as an iCalendar feed."""
    body = to_icalendar(await my_schedule(actor=actor))
    return text(body, content_type="text/calendar; charset=utf-8")


@bp.post("/sessions/<session_id:int>/leave")
@openapi.summary("讲师请假（课次开始前，须人社部门批准并安排代课讲师）")
@response_model(LeaveOut, status=201)
@requires(*leave.REQUESTERS)
@json_body(LeaveIn)
async def request_leave(
    request: Request, session_id: int, body: LeaveIn, actor: Actor
) -> HTTPResponse:
    """Ask HR for leave from one session."""
    item = await leave.request_leave(actor=actor, session_id=session_id, reason=body.reason)
    return _leave_json(item, status=201)


@bp.post("/leaves/<leave_id:int>/decision")
@openapi.summary("人社部门审批讲师请假并指定代课讲师")
@response_model(LeaveOut)
@requires(*leave.DECIDERS)
@json_body(LeaveDecisionIn)
async def decide_leave(
    request: Request, leave_id: int, body: LeaveDecisionIn, actor: Actor
) -> HTTPResponse:
    """Approve (with a substitute) or reject a leave request."""
    item = await leave.decide_leave(
        actor=actor,
        leave_id=leave_id,
        approve=body.decision == "approve",
        substitute_id=body.substitute_id,
        note=body.note,
    )
    return _leave_json(item)


class LeaveQuery(BaseModel):
    """Filters and paging of leave requests."""

    status: LeaveStatus | None = None
    class_id: int | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=100)


class LeaveListItem(LeaveOut):
    """A leave request with its session and the people named in it."""

    class_id: int
    session_starts_at: LocalDateTime
    instructor_name: str
    substitute_name: str | None
    decision_note: str


class LeaveListOut(BaseModel):
    """A page of leave requests, the soonest session first."""

    items: list[LeaveListItem]
    total: int
    limit: int
    offset: int


@bp.get("/leaves")
@openapi.summary("讲师请假列表（人社部门：辖区内；讲师：本人），可按状态、班级筛选")
@response_model(LeaveListOut)
@requires(*leave.READERS)
@query_args(LeaveQuery)
async def list_leaves(request: Request, query: LeaveQuery, actor: Actor) -> HTTPResponse:
    """Leave requests in the caller's scope."""
    page = await leave.list_leaves(
        actor=actor,
        status=query.status,
        class_id=query.class_id,
        offset=query.offset,
        limit=query.limit,
    )
    items = [
        LeaveListItem(
            id=item.id,
            session_id=item.session_id,
            instructor_id=item.instructor_id,
            substitute_id=item.substitute_id,
            status=item.status.value,
            reason=item.reason,
            class_id=item.session.training_class_id,
            session_starts_at=item.session.starts_at,
            instructor_name=item.instructor.name,
            substitute_name=item.substitute.name if item.substitute else None,
            decision_note=item.decision_note,
        ).model_dump()
        for item in page.items
    ]
    body = {"items": items, "total": page.total, "limit": query.limit, "offset": query.offset}
    return json(body, ensure_ascii=False)
