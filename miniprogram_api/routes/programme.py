"""Programme administration: intake, training plans, instructor certification, typical cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.clock import LocalDateTime
from backend.money import MoneyIn, money_text
from backend.programme import cases, certification, intake, plans
from backend.programme.models import ApplicationStatus
from miniprogram_api.auth import requires
from miniprogram_api.validation import ListPage, Text, json_body, listed, query_args, response_model

bp = Blueprint("programme")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IntakeIn(BaseModel):
    """培训需求调查 (第八条(四)); obstacles and special_needs use the documented keys."""

    education_level: Text = Field(min_length=1, max_length=20)
    knowledge_level: int = Field(ge=1, le=5, description="求职知识掌握程度 1–5")
    desired_occupations: list[Text] = Field(default_factory=list, max_length=5)
    intention: Text = Field(default="", max_length=500)
    obstacles: list[Text] = Field(default_factory=list, max_length=10)
    special_needs: list[Text] = Field(default_factory=list, max_length=6)
    special_needs_note: Text = Field(default="", max_length=500)
    availability: Text = Field(default="", max_length=200)


class IntakeOut(IntakeIn):
    """The trainee's saved answers."""

    id: int


class InterviewIn(BaseModel):
    """A short interview note about one trainee of the class."""

    trainee_id: int
    note: Text = Field(min_length=2, max_length=1000)


class InstitutionPlanIn(BaseModel):
    """An annual (month omitted) or monthly training plan (第八条(三))."""

    year: int = Field(ge=2024, le=2100)
    month: int | None = Field(default=None, ge=1, le=12)
    classes_planned: int = Field(ge=0, le=1000)
    trainees_planned: int = Field(ge=0, le=100000)
    districts: list[Text] = Field(default_factory=list)
    budget: MoneyIn = Decimal("0")


class PlanOut(InstitutionPlanIn):
    """A saved plan."""

    budget: str = Field(description="yuan, two decimals")  # type: ignore[assignment]

    id: int
    institution_id: int
    status: str


class YearQuery(BaseModel):
    """The year to compare."""

    year: int = Field(ge=2024, le=2100)


class CandidateIn(BaseModel):
    """An instructor-class candidate (第十一条)."""

    name: Text = Field(min_length=2, max_length=50)
    background: Text = Field(default="", max_length=100)
    user_id: int | None = None


class ScreeningIn(BaseModel):
    """The screening interview result."""

    passed: bool
    note: Text = Field(default="", max_length=500)


class AssessmentIn(BaseModel):
    """The instructor-class assessment score (合格 ≥ 60)."""

    score: Decimal = Field(ge=0, le=100, max_digits=4, decimal_places=1)


class ObservationIn(BaseModel):
    """跟班观摩学习记录表 (第十三条)."""

    class_id: int
    start_date: date
    end_date: date
    observed: Text = Field(min_length=2, max_length=2000)


class ApplicationIn(BaseModel):
    """The certification application with the list of materials handed in."""

    materials: list[Text] = Field(min_length=1, max_length=20)


class DecisionIn(BaseModel):
    """HR's decision on an application."""

    decision: Text = Field(pattern="^(approve|reject)$")
    note: Text = Field(default="", max_length=500)


class CaseIn(BaseModel):
    """A typical case (第二十六条); anonymised unless said otherwise."""

    trainee_id: int
    title: Text = Field(min_length=2, max_length=100)
    story: Text = Field(min_length=10, max_length=5000)
    occupation: Text = Field(default="", max_length=60)
    anonymised: bool = True


class ConsentIn(BaseModel):
    """Evidence of the trainee's consent, e.g. the number of the signed form."""

    evidence: Text = Field(min_length=2, max_length=200)


class CreatedOut(BaseModel):
    """The id of the record created."""

    id: int


class NeedOut(BaseModel):
    """A trainee who flagged special needs (labels in Chinese)."""

    trainee_id: int
    name: str
    needs: list[str]
    note: str


class InterviewNoteOut(BaseModel):
    """An interview note and who wrote it."""

    trainee_id: int
    note: str
    author_id: int | None


class IntakeSummaryOut(BaseModel):
    """The class's intake analysis: answers, distributions, flagged needs, interview notes."""

    class_id: int
    enrolled: int
    answered: int
    desired_occupations: list[list[str | int]] = Field(
        description="[occupation, count] pairs, most wanted first"
    )
    obstacles: list[list[str | int]] = Field(
        description="[obstacle label, count] pairs, most frequent first"
    )
    knowledge_levels: dict[str, int] = Field(description='trainees per level "1"…"5"')
    special_needs: list[NeedOut]
    interview_notes: list[InterviewNoteOut]


class ActualOut(BaseModel):
    """What the classes table says happened."""

    classes: int
    trainees: int


class PlanRowOut(BaseModel):
    """The year (month null) or one month: planned beside actual."""

    month: int | None
    planned_classes: int | None
    planned_trainees: int | None
    budget: str | None = Field(description="yuan, two decimals")
    status: str | None
    actual: ActualOut


class PlanVsActualOut(BaseModel):
    """An institution's plans of a year beside its classes."""

    institution_id: int
    institution: str
    year: int
    rows: list[PlanRowOut]


class CandidateObservationOut(BaseModel):
    """An observation record of the candidate."""

    id: int
    class_id: int
    signed: bool


class CandidateApplicationOut(BaseModel):
    """An application of the candidate."""

    id: int
    status: str
    certificate_no: str | None


class CandidateOut(BaseModel):
    """A candidate and where they stand on the path to the certificate."""

    id: int
    name: str
    background: str
    screening: str
    assessment_score: str | None
    assessment_passed: bool | None
    instructor_id: int | None
    observations: list[CandidateObservationOut]
    applications: list[CandidateApplicationOut]


class SignedOut(BaseModel):
    """The observation record, now signed."""

    id: int
    signed: bool


class ApplicationStatusOut(BaseModel):
    """The application and its status."""

    id: int
    status: str


class DecisionOut(ApplicationStatusOut):
    """The decided application and, when approved, the certificate number."""

    certificate_no: str | None


class CaseStatusOut(BaseModel):
    """The case and its status."""

    id: int
    status: str


class CaseConsentOut(BaseModel):
    """The case, now consented."""

    id: int
    consented: bool


class CaseOut(BaseModel):
    """A typical case as lists show it (the name masked unless the trainee agreed)."""

    id: int
    title: str
    story: str
    trainee: str
    category: str
    occupation: str
    district: str
    anonymised: bool
    consented: bool
    status: str


class CaseListOut(ListPage):
    """Cases in scope, newest first (bounded by the caller's institutions or districts)."""

    items: list[CaseOut]


def _intake_json(form: Any) -> HTTPResponse:
    fields = {k: getattr(form, k) for k in IntakeIn.model_fields}
    return json(IntakeOut(id=form.id, **fields).model_dump(), ensure_ascii=False)


@bp.put("/me/intake/<class_id:int>")
@openapi.summary("填写培训需求调查（开班前）")
@response_model(IntakeOut)
@requires(*intake.RESPONDENTS)
@json_body(IntakeIn)
async def put_intake(request: Request, class_id: int, body: IntakeIn, actor: Actor) -> HTTPResponse:
    """Fill or update the intake form."""
    form = await intake.submit_intake(
        actor=actor, class_id=class_id, data=intake.IntakeInput(**body.model_dump())
    )
    return _intake_json(form)


@bp.get("/me/intake/<class_id:int>")
@openapi.summary("我的培训需求调查")
@response_model(IntakeOut, nullable=True)
@requires(*intake.RESPONDENTS)
async def get_intake(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The trainee's own form (the body is JSON `null` if not filled yet)."""
    form = await intake.my_intake(actor=actor, class_id=class_id)
    return _intake_json(form) if form else json(None)


@bp.post("/classes/<class_id:int>/interview-notes")
@openapi.summary("记录学员简短面试情况")
@response_model(CreatedOut, status=201)
@requires(*intake.INTERVIEWERS)
@json_body(InterviewIn)
async def add_note(
    request: Request, class_id: int, body: InterviewIn, actor: Actor
) -> HTTPResponse:
    """Record an interview note."""
    note = await intake.add_interview_note(
        actor=actor, class_id=class_id, trainee_id=body.trainee_id, note=body.note
    )
    return _model_json(CreatedOut(id=note.id), status=201)


@bp.get("/classes/<class_id:int>/intake-summary")
@openapi.summary("培训需求分析汇总（本班讲师、班主任、机构、人社可见）")
@response_model(IntakeSummaryOut)
@requires(*intake.SUMMARY_ROLES)
async def summary(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """Distribution of intentions, obstacles, flagged needs and interview notes."""
    found = await intake.intake_summary(actor=actor, class_id=class_id)
    return _model_json(IntakeSummaryOut.model_validate(found, from_attributes=True))


def _plan_json(plan: Any, status: int = 200) -> HTTPResponse:
    out = PlanOut(
        id=plan.id,
        institution_id=plan.institution_id,
        status=plan.status.value,
        year=plan.year,
        month=plan.month,
        classes_planned=plan.classes_planned,
        trainees_planned=plan.trainees_planned,
        districts=plan.districts,
        budget=money_text(plan.budget),
    )
    return json(out.model_dump(mode="json"), status=status, ensure_ascii=False)


@bp.put("/institutions/<institution_id:int>/training-plans")
@openapi.summary("制定或修改本机构年度、月度培训计划（第八条）")
@response_model(PlanOut)
@requires(*plans.READERS)
@json_body(InstitutionPlanIn)
async def save_plan(
    request: Request, institution_id: int, body: InstitutionPlanIn, actor: Actor
) -> HTTPResponse:
    """Create or revise a draft plan."""
    plan = await plans.save_plan(actor=actor, institution_id=institution_id, **body.model_dump())
    return _plan_json(plan)


@bp.post("/training-plans/<plan_id:int>/submit")
@openapi.summary("向人社部门报送培训计划")
@response_model(PlanOut)
@requires(*plans.READERS)
async def submit_plan(request: Request, plan_id: int, actor: Actor) -> HTTPResponse:
    """Report the plan to HR."""
    return _plan_json(await plans.submit_plan_to_hr(actor=actor, plan_id=plan_id))


@bp.get("/institutions/<institution_id:int>/plan-vs-actual")
@openapi.summary("培训计划与实际开班对比")
@response_model(PlanVsActualOut)
@requires(*plans.READERS)
@query_args(YearQuery)
async def plan_vs_actual(
    request: Request, institution_id: int, query: YearQuery, actor: Actor
) -> HTTPResponse:
    """Planned versus actual classes and trainees, per month and for the year."""
    result = await plans.plan_vs_actual(actor=actor, institution_id=institution_id, year=query.year)
    return _model_json(PlanVsActualOut.model_validate(result, from_attributes=True))


def _model_json(model: BaseModel, status: int = 200) -> HTTPResponse:
    return json(model.model_dump(mode="json"), status=status, ensure_ascii=False)


async def _candidate_json(candidate: Any, status: int = 200) -> HTTPResponse:
    view = await certification.candidate_view(candidate)
    return _model_json(CandidateOut.model_validate(view, from_attributes=True), status=status)


@bp.post("/certification/candidates")
@openapi.summary("登记师资班学员（第十一条）")
@response_model(CandidateOut, status=201)
@requires(*certification.CERTIFIERS)
@json_body(CandidateIn)
async def add_candidate(request: Request, body: CandidateIn, actor: Actor) -> HTTPResponse:
    """Register a candidate."""
    candidate = await certification.add_candidate(actor=actor, **body.model_dump())
    return await _candidate_json(candidate, status=201)


@bp.post("/certification/candidates/<candidate_id:int>/screening")
@openapi.summary("记录面试筛选结果（第十一条）")
@response_model(CandidateOut)
@requires(*certification.CERTIFIERS)
@json_body(ScreeningIn)
async def screening(
    request: Request, candidate_id: int, body: ScreeningIn, actor: Actor
) -> HTTPResponse:
    """Record the screening interview."""
    candidate = await certification.record_screening(
        actor=actor, candidate_id=candidate_id, passed=body.passed, note=body.note
    )
    return await _candidate_json(candidate)


@bp.post("/certification/candidates/<candidate_id:int>/assessment")
@openapi.summary("记录师资班考核成绩（第十三条）")
@response_model(CandidateOut)
@requires(*certification.CERTIFIERS)
@json_body(AssessmentIn)
async def assessment(
    request: Request, candidate_id: int, body: AssessmentIn, actor: Actor
) -> HTTPResponse:
    """Record the assessment."""
    candidate = await certification.record_assessment(
        actor=actor, candidate_id=candidate_id, score=body.score
    )
    return await _candidate_json(candidate)


@bp.post("/certification/candidates/<candidate_id:int>/observations")
@openapi.summary("填写跟班观摩学习记录表（第十三条）")
@response_model(CreatedOut, status=201)
@requires(*certification.APPLICANTS)
@json_body(ObservationIn)
async def observation(
    request: Request, candidate_id: int, body: ObservationIn, actor: Actor
) -> HTTPResponse:
    """Record an observation (the candidate, or HR on their behalf)."""
    record = await certification.add_observation(
        actor=actor,
        candidate_id=candidate_id,
        class_id=body.class_id,
        start=body.start_date,
        end=body.end_date,
        observed=body.observed,
    )
    return _model_json(CreatedOut(id=record.id), status=201)


@bp.post("/certification/observations/<observation_id:int>/sign-off")
@openapi.summary("主讲讲师签字确认观摩记录")
@response_model(SignedOut)
@requires(*certification.SIGNERS)
async def sign_off(request: Request, observation_id: int, actor: Actor) -> HTTPResponse:
    """The observed class's lead instructor signs the record."""
    record = await certification.sign_off_observation(actor=actor, observation_id=observation_id)
    return _model_json(SignedOut(id=record.id, signed=True))


@bp.post("/certification/candidates/<candidate_id:int>/application")
@openapi.summary("提交师资认证申请（须有签字的观摩记录）")
@response_model(ApplicationStatusOut, status=201)
@requires(*certification.APPLICANTS)
@json_body(ApplicationIn)
async def apply(
    request: Request, candidate_id: int, body: ApplicationIn, actor: Actor
) -> HTTPResponse:
    """Apply for certification."""
    application = await certification.apply_for_certificate(
        actor=actor, candidate_id=candidate_id, materials=body.materials
    )
    out = ApplicationStatusOut(id=application.id, status=application.status.value)
    return _model_json(out, status=201)


@bp.post("/certification/applications/<application_id:int>/decision")
@openapi.summary("人社部门审核师资认证并核发证书编号")
@response_model(DecisionOut)
@requires(*certification.CERTIFIERS)
@json_body(DecisionIn)
async def decide(
    request: Request, application_id: int, body: DecisionIn, actor: Actor
) -> HTTPResponse:
    """Approve (issuing the certificate number) or reject."""
    application = await certification.decide_application(
        actor=actor,
        application_id=application_id,
        approve=body.decision == "approve",
        note=body.note,
    )
    out = DecisionOut(
        id=application.id,
        status=application.status.value,
        certificate_no=application.certificate_no,
    )
    return _model_json(out)


@bp.post("/typical-cases")
@openapi.summary("新建典型案例（默认匿名，第二十六条）")
@response_model(CaseStatusOut, status=201)
@requires(*cases.CASE_ROLES)
@json_body(CaseIn)
async def create_case(request: Request, body: CaseIn, actor: Actor) -> HTTPResponse:
    """Draft a case about a trainee in scope."""
    case = await cases.create_case(actor=actor, **body.model_dump())
    return _model_json(CaseStatusOut(id=case.id, status=case.status.value), status=201)


@bp.post("/typical-cases/<case_id:int>/consent")
@openapi.summary("记录学员同意发布")
@response_model(CaseConsentOut)
@requires(*cases.CASE_ROLES)
@json_body(ConsentIn)
async def consent(request: Request, case_id: int, body: ConsentIn, actor: Actor) -> HTTPResponse:
    """Record the trainee's consent."""
    case = await cases.record_consent(actor=actor, case_id=case_id, evidence=body.evidence)
    return _model_json(CaseConsentOut(id=case.id, consented=True))


@bp.post("/typical-cases/<case_id:int>/publish")
@openapi.summary("发布典型案例（须已取得学员同意）")
@response_model(CaseStatusOut)
@requires(*cases.CASE_ROLES)
async def publish(request: Request, case_id: int, actor: Actor) -> HTTPResponse:
    """Publish a consented case."""
    case = await cases.publish_case(actor=actor, case_id=case_id)
    return _model_json(CaseStatusOut(id=case.id, status=case.status.value))


@bp.get("/typical-cases")
@openapi.summary("典型案例列表")
@response_model(CaseListOut)
@requires(*cases.CASE_ROLES)
async def list_cases(request: Request, actor: Actor) -> HTTPResponse:
    """Cases in scope (names masked unless the trainee agreed to be named)."""
    found = await cases.list_cases(actor=actor)
    items = [CaseOut.model_validate(c, from_attributes=True) for c in found]
    return _model_json(CaseListOut(**listed({"items": items})))


@bp.get("/typical-cases.xlsx")
@openapi.summary("导出已发布的典型案例（xlsx）")
@requires(*cases.PUBLICISTS)
async def export(request: Request, actor: Actor) -> HTTPResponse:
    """Published cases for publicity."""
    rows = await cases.list_cases(actor=actor, published_only=True)
    return raw(
        cases.export_cases(rows),
        content_type=XLSX,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''typical-cases.xlsx"},
    )


class CertificationApplicationQuery(BaseModel):
    """Filters and paging of certification applications."""

    status: ApplicationStatus | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=100)


class CertificationApplicationItem(BaseModel):
    """A certification application as HR's list shows it."""

    id: int
    candidate_id: int
    candidate_name: str
    status: str
    materials: list[str]
    certificate_no: str | None
    created_at: LocalDateTime
    decided_at: LocalDateTime | None


class CertificationApplicationPage(BaseModel):
    """A page of certification applications, oldest first."""

    items: list[CertificationApplicationItem]
    total: int
    limit: int
    offset: int


@bp.get("/certification/applications")
@openapi.summary("师资认证申请列表（人社部门），可按状态筛选")
@response_model(CertificationApplicationPage)
@requires(*certification.CERTIFIERS)
@query_args(CertificationApplicationQuery)
async def list_applications(
    request: Request, query: CertificationApplicationQuery, actor: Actor
) -> HTTPResponse:
    """Certification applications, the oldest waiting first."""
    total, rows = await certification.list_applications(
        actor=actor, status=query.status, offset=query.offset, limit=query.limit
    )
    items = [
        CertificationApplicationItem(
            id=a.id,
            candidate_id=a.candidate_id,
            candidate_name=a.candidate.name,
            status=a.status.value,
            materials=[str(m) for m in a.materials or []],
            certificate_no=a.certificate_no,
            created_at=a.created_at,
            decided_at=a.decided_at,
        ).model_dump()
        for a in rows
    ]
    body = {"items": items, "total": total, "limit": query.limit, "offset": query.offset}
    return json(body, ensure_ascii=False)
