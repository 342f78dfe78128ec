"""HR's instructor registry (师资库)."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts import instructors as registry
from backend.accounts.access import Actor
from backend.accounts.models import InstructorStatus, Role
from backend.supervision.evaluation import evaluate, record_findings
from miniprogram_api.auth import requires
from miniprogram_api.validation import Text, json_body, query_args, response_model

bp = Blueprint("instructors")


class InstructorIn(BaseModel):
    """A certified instructor (第十三条: 求职能力实训师资证书)."""

    name: Text = Field(min_length=2, max_length=50)
    certificate_no: Text = Field(min_length=3, max_length=40)
    phone: Text = Field(default="", max_length=20)


class InstructorOut(BaseModel):
    """An instructor in the registry (phone masked)."""

    id: int
    name: str
    certificate_no: str | None
    status: str
    status_label: str
    phone_masked: str
    bound: bool


class InstructorListQuery(BaseModel):
    """Filters and paging."""

    status: InstructorStatus | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=200)


class InstructorListOut(BaseModel):
    """A page of the registry."""

    total: int
    offset: int
    limit: int
    items: list[InstructorOut]


@bp.get("/instructors")
@openapi.summary("师资库列表")
@response_model(InstructorListOut)
@requires(Role.HR_ADMIN, Role.INSTITUTION_ADMIN)
@query_args(InstructorListQuery)
async def list_instructors(
    request: Request, query: InstructorListQuery, actor: Actor
) -> HTTPResponse:
    """The registry; institutions use it to choose instructors."""
    total, items = await registry.list_instructors(
        actor=actor, status=query.status, offset=query.offset, limit=query.limit
    )
    page = {
        "total": total,
        "offset": query.offset,
        "limit": query.limit,
        "items": [registry.instructor_view(i) for i in items],
    }
    return json(page, ensure_ascii=False)


@bp.post("/instructors")
@openapi.summary("登记持证讲师")
@response_model(InstructorOut, status=201)
@requires(Role.HR_ADMIN)
@json_body(InstructorIn)
async def add_instructor(request: Request, body: InstructorIn, actor: Actor) -> HTTPResponse:
    """Add a certified instructor to the registry."""
    item = await registry.register_instructor(
        actor=actor, name=body.name, certificate_no=body.certificate_no, phone=body.phone
    )
    return json(registry.instructor_view(item), status=201, ensure_ascii=False)


class EvaluationQuery(BaseModel):
    """The year evaluated."""

    year: int = Field(ge=2024, le=2100)


class FindingsIn(BaseModel):
    """HR's findings for the year."""

    year: int = Field(ge=2024, le=2100)
    findings: Text = Field(min_length=2, max_length=2000)


@bp.get("/instructors/<instructor_id:int>/evaluation")
@openapi.summary("讲师年度综合评价（第十五条）：满意度、授课量、后续服务、就业情况及权重")
@requires(Role.HR_ADMIN, Role.INSTRUCTOR)
@query_args(EvaluationQuery)
async def evaluation(
    request: Request, instructor_id: int, query: EvaluationQuery, actor: Actor
) -> HTTPResponse:
    """The computed evaluation with its basis, weights and HR's findings."""
    result = await evaluate(actor=actor, instructor_id=instructor_id, year=query.year)
    return json(result, ensure_ascii=False)


@bp.put("/instructors/<instructor_id:int>/evaluation")
@openapi.summary("人社部门填写讲师年度评价意见")
@requires(Role.HR_ADMIN)
@json_body(FindingsIn)
async def findings(
    request: Request, instructor_id: int, body: FindingsIn, actor: Actor
) -> HTTPResponse:
    """Record HR's findings with the figures of the moment."""
    result = await record_findings(
        actor=actor, instructor_id=instructor_id, year=body.year, findings=body.findings
    )
    return json(result, ensure_ascii=False)
