"""HR's instructor registry (师资库)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts import instructors as registry
from backend.accounts.access import Actor
from backend.accounts.models import InstructorStatus
from backend.instructor_registry import service as profiles
from backend.instructor_registry.service import registry_page
from backend.supervision.evaluation import EVALUATORS, evaluate, record_findings
from backend.supervision.service import INSTRUCTOR_READERS
from miniprogram_api.auth import requires
from miniprogram_api.validation import Text, json_body, query_args, response_model

bp = Blueprint("instructors")


class InstructorProfileFields(BaseModel):
    """The registry profile (第十、十二、十三、十四条)."""

    organisation: str = Field(default="", max_length=200, description="工作单位")
    qualifications: list[str] = Field(
        default_factory=list, max_length=20, description="资质：师资班结业、考核、职称等"
    )
    specialities: list[str] = Field(default_factory=list, max_length=20, description="擅长课程模块")
    certificate_date: date | None = Field(default=None, description="师资证书核发日期")
    bio: str = Field(default="", max_length=2000)


class InstructorIn(InstructorProfileFields):
    """A certified instructor (第十三条: 求职能力实训师资证书) and their profile."""

    name: Text = Field(min_length=2, max_length=50)
    certificate_no: Text = Field(min_length=3, max_length=40)
    phone: Text = Field(default="", max_length=20)


class InstructorPatch(BaseModel):
    """Profile fields city HR changes."""

    organisation: Text | None = Field(default=None, max_length=200)
    qualifications: list[Text] | None = Field(default=None, max_length=20)
    specialities: list[Text] | None = Field(default=None, max_length=20)
    certificate_date: date | None = None
    bio: Text | None = Field(default=None, max_length=2000)


class LastEvaluationOut(BaseModel):
    """第十五条: the latest recorded annual evaluation."""

    year: int
    score: str
    findings: str


class InstructorOut(BaseModel):
    """An instructor in the registry (phone masked)."""

    id: int
    name: str
    certificate_no: str | None
    status: str
    status_label: str
    phone_masked: str
    bound: bool
    specialities: list[str] = Field(default_factory=list)
    certificate_date: date | None = None
    last_evaluation: LastEvaluationOut | None = Field(
        default=None, description="最近一次年度综合评价（第十五条），供选聘讲师时参考"
    )


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
@requires(*registry.BROWSERS)
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
        "items": [
            InstructorOut.model_validate(r, from_attributes=True)
            for r in await registry_page(items)
        ],
    }
    return json(InstructorListOut.model_validate(page).model_dump(mode="json"), ensure_ascii=False)


@bp.post("/instructors")
@openapi.summary("登记持证讲师")
@response_model(InstructorOut, status=201)
@requires(*registry.REGISTRARS)
@json_body(InstructorIn)
async def add_instructor(request: Request, body: InstructorIn, actor: Actor) -> HTTPResponse:
    """Add a certified instructor to the registry."""
    item = await registry.register_instructor(
        actor=actor, name=body.name, certificate_no=body.certificate_no, phone=body.phone
    )
    profile = body.model_dump(include=set(InstructorProfileFields.model_fields))
    await profiles.save_profile(actor=actor, instructor_id=item.id, changes=profile)
    out = InstructorOut.model_validate((await registry_page([item]))[0], from_attributes=True)
    return json(out.model_dump(mode="json"), status=201, ensure_ascii=False)


class EvaluationQuery(BaseModel):
    """The year evaluated."""

    year: int = Field(ge=2024, le=2100)


class FindingsIn(BaseModel):
    """HR's findings for the year."""

    year: int = Field(ge=2024, le=2100)
    findings: Text = Field(min_length=2, max_length=2000)


class EvaluationBasisOut(BaseModel):
    """The measured figures behind the points."""

    ratings: int
    instructor_score_sum: int
    sessions_taught: int
    full_volume_sessions: int
    followup_services: int
    full_followup_services: int
    employed: int
    enrolled: int


class EvaluationOut(BaseModel):
    """The annual evaluation: basis, each part's points (0–100), weights, score, findings."""

    instructor_id: int
    name: str
    year: int
    weights: dict[str, str] = Field(description="part → weight, decimal string (sum 1)")
    basis: EvaluationBasisOut
    points: dict[str, str] = Field(description="part → points 0–100, decimal string")
    score: str = Field(description="weighted total, one decimal")
    findings: str


@bp.get("/instructors/<instructor_id:int>/evaluation")
@openapi.summary("讲师年度综合评价（第十五条）：满意度、授课量、后续服务、就业情况及权重")
@response_model(EvaluationOut)
@requires(*INSTRUCTOR_READERS)
@query_args(EvaluationQuery)
async def evaluation(
    request: Request, instructor_id: int, query: EvaluationQuery, actor: Actor
) -> HTTPResponse:
    """The computed evaluation with its basis, weights and HR's findings."""
    result = await evaluate(actor=actor, instructor_id=instructor_id, year=query.year)
    out = EvaluationOut.model_validate(result, from_attributes=True)
    return json(out.model_dump(), ensure_ascii=False)


@bp.put("/instructors/<instructor_id:int>/evaluation")
@openapi.summary("人社部门填写讲师年度评价意见")
@response_model(EvaluationOut)
@requires(*EVALUATORS)
@json_body(FindingsIn)
async def findings(
    request: Request, instructor_id: int, body: FindingsIn, actor: Actor
) -> HTTPResponse:
    """Record HR's findings with the figures of the moment."""
    result = await record_findings(
        actor=actor, instructor_id=instructor_id, year=body.year, findings=body.findings
    )
    out = EvaluationOut.model_validate(result, from_attributes=True)
    return json(out.model_dump(), ensure_ascii=False)


class AssignmentOut(BaseModel):
    """An HR assignment request and the instructor's answer (第十六条(四))."""

    id: int
    class_id: int | None
    request: str
    requested_on: date
    answer: Literal["pending", "accepted", "refused"]
    answered_on: date | None
    refusal_reason: str


class TrainingOut(BaseModel):
    """Training attended in a year (第二十六条)."""

    year: int
    title: str
    trained_on: date
    hours: str


class InstructorProfileOut(InstructorProfileFields):
    """The instructor's registry file: profile, standing, evaluations, assignments, training."""

    id: int
    name: str
    certificate_no: str | None
    status: str
    status_label: str
    phone_masked: str
    bound: bool
    evaluations: list[LastEvaluationOut]
    assignments: list[AssignmentOut]
    refusals_last_year: int
    refusal_ground: bool = Field(description="上一年度累计三次拒不接受调配（第十六条（四））")
    trainings: list[TrainingOut]
    trained_this_year: bool


async def _profile_json(actor: Actor, instructor_id: int, status: int = 200) -> HTTPResponse:
    data = await profiles.instructor_profile(actor=actor, instructor_id=instructor_id)
    out = InstructorProfileOut.model_validate(data, from_attributes=True)
    return json(out.model_dump(mode="json"), status=status, ensure_ascii=False)


@bp.get("/instructors/<instructor_id:int>")
@openapi.summary("讲师档案：资质、擅长领域、证书、状态、年度评价、调配与培训记录")
@response_model(InstructorProfileOut)
@requires(*profiles.READERS)
async def get_profile(request: Request, instructor_id: int, actor: Actor) -> HTTPResponse:
    """HR, institutions choosing instructors, and the instructor themself."""
    return await _profile_json(actor, instructor_id)


@bp.patch("/instructors/<instructor_id:int>")
@openapi.summary("市级人社部门修改讲师档案（第十三条）")
@response_model(InstructorProfileOut)
@requires(*profiles.KEEPERS)
@json_body(InstructorPatch)
async def patch_profile(
    request: Request, instructor_id: int, body: InstructorPatch, actor: Actor
) -> HTTPResponse:
    """City HR keeps the profile; audited."""
    changes = body.model_dump(exclude_unset=True)
    await profiles.save_profile(actor=actor, instructor_id=instructor_id, changes=changes)
    return await _profile_json(actor, instructor_id)


class AssignmentIn(BaseModel):
    """An assignment request (调配) to an instructor."""

    request: Text = Field(min_length=2, max_length=300, description="调配内容")
    class_id: int | None = None


class AnswerIn(BaseModel):
    """The instructor's answer; a refusal needs a reason."""

    accepted: bool
    reason: Text = Field(default="", max_length=300)


class TrainingIn(BaseModel):
    """Training attended (第二十六条 师资培养)."""

    year: int = Field(ge=2024, le=2100)
    title: Text = Field(min_length=2, max_length=200)
    trained_on: date
    hours: Decimal = Field(
        ge=Decimal("0.1"), le=500, max_digits=5, decimal_places=1
    )  # no exclusiveMinimum: OpenAPI 3.0


@bp.post("/instructors/<instructor_id:int>/assignments")
@openapi.summary("人社部门向讲师发出调配（记录在案，第十六条（四））")
@response_model(AssignmentOut, status=201)
@requires(*profiles.KEEPERS)
@json_body(AssignmentIn)
async def add_assignment(
    request: Request, instructor_id: int, body: AssignmentIn, actor: Actor
) -> HTTPResponse:
    """Record an assignment request."""
    item = await profiles.request_assignment(
        actor=actor, instructor_id=instructor_id, request=body.request, class_id=body.class_id
    )
    out = AssignmentOut.model_validate(profiles.assignment_view(item), from_attributes=True)
    return json(out.model_dump(mode="json"), status=201, ensure_ascii=False)


@bp.post("/instructor-assignments/<assignment_id:int>/answer")
@openapi.summary("讲师接受或拒绝调配（拒绝须填写原因；人社部门也可代为记录）")
@response_model(AssignmentOut)
@requires(*profiles.ASSIGNMENT_ANSWERERS)
@json_body(AnswerIn)
async def answer(
    request: Request, assignment_id: int, body: AnswerIn, actor: Actor
) -> HTTPResponse:
    """The answer to an assignment request."""
    item = await profiles.answer_assignment(
        actor=actor, assignment_id=assignment_id, accepted=body.accepted, reason=body.reason
    )
    out = AssignmentOut.model_validate(profiles.assignment_view(item), from_attributes=True)
    return json(out.model_dump(mode="json"), ensure_ascii=False)


@bp.post("/instructors/<instructor_id:int>/trainings")
@openapi.summary("记录讲师年度培训（第二十六条）")
@response_model(TrainingOut, status=201)
@requires(*profiles.KEEPERS)
@json_body(TrainingIn)
async def add_training(
    request: Request, instructor_id: int, body: TrainingIn, actor: Actor
) -> HTTPResponse:
    """HR records training an instructor attended."""
    item = await profiles.record_training(
        actor=actor,
        instructor_id=instructor_id,
        year=body.year,
        title=body.title,
        trained_on=body.trained_on,
        hours=body.hours,
    )
    out = TrainingOut(
        year=item.year, title=item.title, trained_on=item.trained_on, hours=str(item.hours)
    )
    return json(out.model_dump(mode="json"), status=201, ensure_ascii=False)
