"""Jobs: search, posting detail, job-seeking profile, matches, applications, employment."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import date

from pydantic import BaseModel, Field
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.exceptions import ConfigurationError

from backend.accounts.access import Actor
from backend.clock import LocalDateTime
from backend.districts import district_name
from backend.employment import outcome_reports, service
from backend.employment.evidence import evidence_of
from backend.employment.models import (
    APPLICATION_STATUS_LABELS,
    EmploymentEvidence,
    EmploymentRecord,
    EmploymentStatus,
    JobApplication,
    JobPosting,
    JobProfile,
    OutcomeSource,
)
from backend.employment.search import JobQuery, search_jobs, warm_up
from backend.occupations import (
    Education,
    code_name,
    education_requirement,
    salary_text,
)
from miniprogram_api.auth import requires
from miniprogram_api.validation import ListPage, Text, json_body, listed, query_args, response_model

log = logging.getLogger("jobready.api.jobs")
bp = Blueprint("jobs")


@bp.after_server_start
async def warm_job_index(app: Sanic) -> None:
    """Load jieba and the posting index in the background, so no request waits for them."""
    app.ctx.job_index_warm_up = asyncio.create_task(_warm_up())


async def _warm_up() -> None:
    try:
        await warm_up()
    except ConfigurationError as err:  # an app serving without a database (e.g. its document)
        log.info("job index not warmed up: no database is open (%s)", err)
    except Exception:  # the first request loads it instead; say why it could not be done now
        log.warning("job index warm-up failed", exc_info=True)


@bp.before_server_stop
async def stop_job_services(app: Sanic) -> None:
    """Stop a warm-up still running (the runtime closes the recruitment-site connector)."""
    task = getattr(app.ctx, "job_index_warm_up", None)
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


# -- bodies -----------------------------------------------------------------------------------


class JobSearchQuery(BaseModel):
    """Search: Chinese keywords (segmented with jieba) and filters."""

    q: Text = Field(default="", max_length=50, description="关键词，如：销售 台江")
    district: Text | None = Field(default=None, max_length=20, description="区县代码或名称")
    occupation: Text | None = Field(
        default=None,
        max_length=40,
        description="职业或职业类别代码（如 4-01 或 4-01-02-01）或其名称",
    )
    education: Text | None = Field(
        default=None, max_length=20, description="本人学历（代码或名称）：只显示要求不高于此的岗位"
    )
    salary_min: int | None = Field(default=None, ge=0, le=200000, description="月薪下限（元）")
    offset: int = Field(default=0, ge=0, le=10000)
    limit: int = Field(default=20, ge=1, le=50)


class JobOut(BaseModel):
    """A posting in a list."""

    id: int
    title: str
    employer: str
    district_code: str
    district_name: str
    occupation_code: str
    occupation_name: str
    salary_min: int
    salary_max: int
    salary_text: str
    education: str
    education_text: str
    experience_years: int
    published_at: LocalDateTime
    expires_at: LocalDateTime | None
    active: bool


class JobListOut(BaseModel):
    """A page of search results; `relaxed` when no posting had every keyword."""

    total: int
    offset: int
    limit: int
    relaxed: bool
    keywords: list[str]
    items: list[JobOut]


class ApplicationBrief(BaseModel):
    """The caller's application to a posting."""

    id: int
    status: str
    status_text: str
    created_at: LocalDateTime


class JobDetailOut(JobOut):
    """A posting with its description and the link to the recruitment site."""

    description: str
    address: str
    headcount: int
    site_url: str
    open: bool
    application: ApplicationBrief | None


class ProfileIn(BaseModel):
    """A job-seeking profile (求职意向)."""

    desired_occupations: list[Text] = Field(
        default_factory=list,
        max_length=5,
        description="职业代码或名称（/api/v1/reference/occupations）",
    )
    districts: list[Text] = Field(
        default_factory=list,
        max_length=13,
        description="区县代码或名称（/api/v1/reference/districts）",
    )
    salary_floor: int | None = Field(default=None, ge=0, le=200000, description="期望月薪（元）")
    education: Text | None = Field(
        default=None,
        max_length=20,
        description="学历代码或名称（/api/v1/reference/education-levels）",
    )
    major: Text = Field(default="", max_length=100)
    skills: list[Text] = Field(default_factory=list, max_length=20)
    intention: Text = Field(default="", max_length=500, description="求职意向，自由填写")
    currently_employed: bool = Field(default=False, description="已就业：不再推送岗位")


class OccupationOut(BaseModel):
    """An occupation code with its name."""

    code: str
    name: str


class ProfileOut(BaseModel):
    """The profile as stored; `exists` is false before the first save."""

    exists: bool
    desired_occupations: list[OccupationOut]
    districts: list[str]
    salary_floor: int | None
    education: str | None
    major: str
    skills: list[str]
    intention: str
    currently_employed: bool
    updated_at: LocalDateTime | None


class MatchOut(BaseModel):
    """A recommended posting, its score (0-100) and the reasons."""

    job: JobOut
    score: float
    reasons: list[str]


class MatchListOut(ListPage):
    """Recommended postings, best first."""

    items: list[MatchOut]


class ApplyIn(BaseModel):
    """An optional note to the employer."""

    message: Text = Field(default="", max_length=300)


class ApplicationOut(BaseModel):
    """An application and its delivery status."""

    id: int
    job: JobOut
    status: str
    status_text: str
    message: str
    last_error: str
    created_at: LocalDateTime
    delivered_at: LocalDateTime | None


class ApplicationListOut(ListPage):
    """The caller's applications, newest first."""

    items: list[ApplicationOut]


class EmploymentIn(BaseModel):
    """An employment outcome (就业情况)."""

    status: EmploymentStatus
    employer: Text = Field(default="", max_length=200)
    position: Text = Field(default="", max_length=100)
    start_date: date | None = None
    source: OutcomeSource | None = Field(
        default=None, description="讲师填报：instructor / survey / site；学员本人填报忽略此项"
    )
    verified: bool = Field(
        default=False,
        description="不可为 true：就业信息由人社部门核实（/employment-outcomes/{id}/verification）",
    )
    insurance_record_no: str = Field(default="", max_length=64, description="社保参保记录编号")
    insurance_month: str = Field(default="", max_length=7, description="参保月份 YYYY-MM")
    employer_contact: str = Field(default="", max_length=50, description="用人单位联系人（供回访）")
    employer_phone: str = Field(default="", max_length=20, description="用人单位联系电话（供回访）")


class EvidenceBrief(BaseModel):
    """An evidence file of a record (download: GET /employment-evidence/{id})."""

    id: int
    kind: str
    content_type: str
    size: int


class EmploymentOut(BaseModel):
    """One employment record."""

    id: int
    trainee_id: int
    class_id: int | None
    status: str
    employer: str
    position: str
    start_date: str | None
    source: str
    verified: bool
    verification: str = Field(description="pending 待核实 / verified 已核实 / refused 核实未通过")
    verification_reason: str
    verified_at: LocalDateTime | None
    insurance_record_no: str
    insurance_month: str
    employer_contact: str
    employer_phone: str
    evidence: list[EvidenceBrief] = Field(default_factory=list)
    created_at: LocalDateTime


class EmploymentListOut(ListPage):
    """A trainee's records (the latest counts), newest first."""

    latest: EmploymentOut | None
    items: list[EmploymentOut]


# -- shaping ----------------------------------------------------------------------------------


def job_out(posting: JobPosting) -> JobOut:
    """A posting as listed."""
    return JobOut(
        id=posting.id,
        title=posting.title,
        employer=posting.employer,
        district_code=posting.district_code,
        district_name=district_name(posting.district_code),
        occupation_code=posting.occupation_code,
        occupation_name=posting.occupation_name or code_name(posting.occupation_code),
        salary_min=posting.salary_min,
        salary_max=posting.salary_max,
        salary_text=salary_text(posting.salary_min, posting.salary_max),
        education=posting.education.value,
        education_text=education_requirement(posting.education),
        experience_years=posting.experience_years,
        published_at=posting.published_at,
        expires_at=posting.expires_at,
        active=posting.active,
    )


def _application_brief(application: JobApplication | None) -> ApplicationBrief | None:
    if application is None:
        return None
    return ApplicationBrief(
        id=application.id,
        status=application.status.value,
        status_text=APPLICATION_STATUS_LABELS[application.status],
        created_at=application.created_at,
    )


def _profile_out(profile: JobProfile | None) -> ProfileOut:
    if profile is None:
        return ProfileOut(
            exists=False,
            desired_occupations=[],
            districts=[],
            salary_floor=None,
            education=None,
            major="",
            skills=[],
            intention="",
            currently_employed=False,
            updated_at=None,
        )
    return ProfileOut(
        exists=True,
        desired_occupations=[
            OccupationOut(code=c, name=code_name(c)) for c in profile.desired_occupations
        ],
        districts=list(profile.districts),
        salary_floor=profile.salary_floor,
        education=profile.education.value if profile.education else None,
        major=profile.major,
        skills=list(profile.skills),
        intention=profile.intention,
        currently_employed=profile.currently_employed,
        updated_at=profile.updated_at,
    )


def _application_out(application: JobApplication) -> ApplicationOut:
    return ApplicationOut(
        id=application.id,
        job=job_out(application.posting),
        status=application.status.value,
        status_text=APPLICATION_STATUS_LABELS[application.status],
        message=application.message,
        last_error=application.last_error,
        created_at=application.created_at,
        delivered_at=application.delivered_at,
    )


def evidence_brief(item: EmploymentEvidence) -> EvidenceBrief:
    """An evidence file as listed with its record."""
    return EvidenceBrief(
        id=item.id, kind=item.kind.value, content_type=item.content_type, size=item.size
    )


def employment_out(record: EmploymentRecord) -> EmploymentOut:
    return EmploymentOut(
        id=record.id,
        trainee_id=record.trainee_id,
        class_id=record.training_class_id,
        status=record.status.value,
        employer=record.employer,
        position=record.position,
        start_date=record.start_date.isoformat() if record.start_date else None,
        source=record.source.value,
        verified=record.verified,
        verification=record.verification.value,
        verification_reason=record.verification_reason,
        verified_at=record.verified_at,
        insurance_record_no=record.insurance_record_no,
        insurance_month=record.insurance_month,
        employer_contact=record.employer_contact,
        employer_phone=record.employer_phone,
        created_at=record.created_at,
    )


def _reply(model: BaseModel, status: int = 200) -> HTTPResponse:
    return json(model.model_dump(mode="json"), status=status, ensure_ascii=False)


# -- routes -----------------------------------------------------------------------------------


@bp.get("/jobs")
@openapi.summary("搜索岗位（中文关键词分词检索；可按区县、职业、学历、薪资筛选；分页）")
@response_model(JobListOut)
@requires(*service.BROWSERS)
@query_args(JobSearchQuery)
async def list_jobs(request: Request, query: JobSearchQuery, actor: Actor) -> HTTPResponse:
    """Search postings."""
    district, occupation, education = await service.job_filters(
        district=query.district, occupation=query.occupation, education=query.education
    )
    page, postings = await search_jobs(
        query=JobQuery(
            keywords=query.q,
            district=district,
            occupation=occupation,
            education=education,
            salary_min=query.salary_min,
            offset=query.offset,
            limit=query.limit,
        )
    )
    return _reply(
        JobListOut(
            total=page.total,
            offset=query.offset,
            limit=query.limit,
            relaxed=page.relaxed,
            keywords=page.terms,
            items=[job_out(p) for p in postings],
        )
    )


@bp.get("/jobs/<job_id:int>")
@openapi.summary("岗位详情（含招聘网站原文链接）")
@response_model(JobDetailOut)
@requires(*service.BROWSERS)
async def get_job(request: Request, job_id: int, actor: Actor) -> HTTPResponse:
    """One posting with the link to the site and the caller's application."""
    posting, application = await service.job_detail(actor=actor, posting_id=job_id)
    detail = JobDetailOut(
        **job_out(posting).model_dump(),
        description=posting.description,
        address=posting.address,
        headcount=posting.headcount,
        site_url=posting.url,
        open=service.is_open(posting),
        application=_application_brief(application),
    )
    return _reply(detail)


@bp.put("/me/job-profile")
@openapi.summary("保存我的求职意向（期望岗位、区县、薪资、学历、专业、技能、已就业开关）")
@response_model(ProfileOut)
@requires(*service.SEEKERS)
@json_body(ProfileIn)
async def put_profile(request: Request, body: ProfileIn, actor: Actor) -> HTTPResponse:
    """Create or replace the caller's profile."""
    profile = await service.save_job_profile(
        actor=actor, data=service.ProfileInput(**body.model_dump())
    )
    return _reply(_profile_out(profile))


@bp.get("/me/job-profile")
@openapi.summary("我的求职意向")
@response_model(ProfileOut)
@requires(*service.SEEKERS)
async def get_profile(request: Request, actor: Actor) -> HTTPResponse:
    """The caller's profile (exists=false before the first save, pre-filled from the roster)."""
    profile = await service.get_job_profile(actor=actor)
    if profile is not None:
        return _reply(_profile_out(profile))
    first = await service.prefilled_profile(actor=actor)
    out = _profile_out(None)
    out.education = first.education.value if isinstance(first.education, Education) else None
    out.major = first.major
    return _reply(out)


@bp.get("/me/job-matches")
@openapi.summary("为我推荐的岗位（按匹配度排序，附推荐理由）")
@response_model(MatchListOut)
@requires(*service.SEEKERS)
async def get_matches(request: Request, actor: Actor) -> HTTPResponse:
    """Ranked postings for the caller's profile."""
    ranked = await service.my_job_matches(actor=actor)
    items = [
        MatchOut(job=job_out(r.posting), score=round(100 * r.match.score, 1), reasons=r.reasons)
        for r in ranked
    ]
    return _reply(MatchListOut(**listed({"items": items})))


@bp.post("/jobs/<job_id:int>/apply")
@openapi.summary("投递简历（转发至招聘网站；同一岗位只能投递一次）")
@response_model(ApplicationOut, status=201)
@requires(*service.SEEKERS)
@json_body(ApplyIn)
async def apply(request: Request, job_id: int, body: ApplyIn, actor: Actor) -> HTTPResponse:
    """Apply to a posting: recorded now, delivered to the site by the worker."""
    application = await service.apply_to_job(actor=actor, posting_id=job_id, message=body.message)
    return _reply(_application_out(application), status=201)


@bp.get("/me/applications")
@openapi.summary("我的投递记录及状态")
@response_model(ApplicationListOut)
@requires(*service.SEEKERS)
async def list_applications(request: Request, actor: Actor) -> HTTPResponse:
    """The caller's applications."""
    items = [_application_out(a) for a in await service.my_applications(actor=actor)]
    return _reply(ApplicationListOut(**listed({"items": items})))


@bp.post("/trainees/<trainee_id:int>/employment")
@openapi.summary("登记就业情况（学员本人或所在班级的讲师）")
@response_model(EmploymentOut, status=201)
@requires(*outcome_reports.REPORTERS)
@json_body(EmploymentIn)
async def post_employment(
    request: Request, trainee_id: int, body: EmploymentIn, actor: Actor
) -> HTTPResponse:
    """Record an employment outcome."""
    record = await outcome_reports.report_employment(
        actor=actor,
        trainee_id=trainee_id,
        report=outcome_reports.EmploymentReport(**body.model_dump()),
    )
    return _reply(employment_out(record), status=201)


@bp.get("/trainees/<trainee_id:int>/employment")
@openapi.summary("学员就业情况记录（最新一条为准）")
@response_model(EmploymentListOut)
@requires(*outcome_reports.READERS)
async def get_employment(request: Request, trainee_id: int, actor: Actor) -> HTTPResponse:
    """A trainee's employment records."""
    records = await outcome_reports.employment_history(actor=actor, trainee_id=trainee_id)
    files = await evidence_of([r.id for r in records])
    items = [
        employment_out(r).model_copy(update={"evidence": [evidence_brief(e) for e in files[r.id]]})
        for r in records
    ]
    return _reply(
        EmploymentListOut(**listed({"latest": items[0] if items else None, "items": items}))
    )
