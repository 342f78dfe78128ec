"""Assessment results, completion, certificates and their public verification (第二十二条)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.accounts.models import Role
from backend.certificates import service
from backend.certificates.render import render_certificate, verification_url
from backend.runtime import runtime
from miniprogram_api.auth import client_ip, public, requires
from miniprogram_api.validation import Text, json_body, response_model

bp = Blueprint("certificates")


class ResultIn(BaseModel):
    """A trainee's assessment score (合格 ≥ 60)."""

    trainee_id: int
    score: Decimal = Field(ge=0, le=100, max_digits=4, decimal_places=1)


class CertificateRevokeIn(BaseModel):
    """Why the certificate is revoked."""

    reason: Text = Field(min_length=2, max_length=500)


class VerifyOut(BaseModel):
    """What anyone may learn from a certificate number."""

    number: str
    status: str
    message: str
    name: str | None = None
    class_title: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    issued_on: str | None = None


class ResultOut(BaseModel):
    """The recorded score and whether it passes."""

    score: str
    passed: bool


class CompletionItemOut(BaseModel):
    """One trainee: score, pass, attendance rate, completed."""

    trainee_id: int
    name: str
    score: str | None
    passed: bool
    attendance_rate: str
    completed: bool


class CompletionOut(BaseModel):
    """The completion sheet of a class with its threshold and pass mark."""

    class_id: int
    threshold: str
    pass_score: str
    completed: int
    items: list[CompletionItemOut]


class IssuedOut(BaseModel):
    """How many certificates this call issued (0 when all were issued before)."""

    issued: int


class RevokedOut(BaseModel):
    """The certificate now revoked."""

    number: str
    status: str


@bp.post("/classes/<class_id:int>/assessments")
@openapi.summary("录入学员考核成绩")
@response_model(ResultOut)
@requires(*service.ASSESSORS)
@json_body(ResultIn)
async def record(request: Request, class_id: int, body: ResultIn, actor: Actor) -> HTTPResponse:
    """Record or correct one trainee's score."""
    result = await service.record_result(
        actor=actor, class_id=class_id, trainee_id=body.trainee_id, score=body.score
    )
    return json({"score": str(result.score), "passed": result.passed})


@bp.get("/classes/<class_id:int>/completion")
@openapi.summary("结业情况：考核与出勤率（默认出勤率不低于80%）")
@response_model(CompletionOut)
@requires(*service.ASSESSORS, Role.HR_ADMIN)
async def completion(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """Per trainee: score, pass, attendance rate, completed."""
    return json(await service.completion_report(actor=actor, class_id=class_id), ensure_ascii=False)


@bp.post("/classes/<class_id:int>/certificates")
@openapi.summary("人社部门向结业合格学员颁发证书（第二十二条）")
@response_model(IssuedOut, status=201)
@requires(Role.HR_ADMIN)
async def issue(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """Issue certificates to everyone who completed (idempotent)."""
    return json(await service.issue_certificates(actor=actor, class_id=class_id), status=201)


@bp.get("/certificates/<number:str>/verify")
@openapi.summary("公开验证证书（脱敏姓名、班级、日期、状态）")
@response_model(VerifyOut)
@public
async def verify(request: Request, number: str) -> HTTPResponse:
    """Anyone: is this certificate valid, revoked or unknown (rate-limited per address)."""
    await runtime().limits.hit("verify", ip=client_ip(request))
    return json(await service.verify(number), ensure_ascii=False)


@bp.get("/certificates/<number:str>/image.png")
@openapi.summary("证书图片（含验证二维码）")
@requires(Role.TRAINEE, *service.ASSESSORS, Role.HR_ADMIN)
async def image(request: Request, number: str, actor: Actor) -> HTTPResponse:
    """The certificate as a PNG for its holder, the class staff, institution and HR."""
    certificate, info = await service.certificate_for(actor=actor, number=number)
    url = verification_url(runtime().settings.public_base_url, certificate.number)
    png = render_certificate(
        number=certificate.number,
        name=info["name"],
        class_title=info["class_title"],
        start=info["start"],
        end=info["end"],
        verify_url=url,
    )
    return raw(png, content_type="image/png")


@bp.post("/certificates/<number:str>/revoke")
@openapi.summary("撤销证书（须填写原因）")
@response_model(RevokedOut)
@requires(Role.HR_ADMIN)
@json_body(CertificateRevokeIn)
async def revoke(
    request: Request, number: str, body: CertificateRevokeIn, actor: Actor
) -> HTTPResponse:
    """Revoke a certificate; verification will say so."""
    certificate = await service.revoke_certificate(actor=actor, number=number, reason=body.reason)
    return json({"number": certificate.number, "status": "revoked"})
