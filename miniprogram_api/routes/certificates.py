"""Assessment results, completion, certificates and their public verification (第二十二条)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from html import escape

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, html, json, raw
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.certificates import service
from backend.certificates.render import render_certificate, verification_url
from backend.runtime import runtime
from miniprogram_api.auth import client_ip, public, requires
from miniprogram_api.validation import (
    ListPage,
    Text,
    json_body,
    listed,
    listed_reply,
    model_reply,
    response_model,
)

bp = Blueprint("certificates")


def _reply(model: BaseModel, status: int = 200) -> HTTPResponse:
    return json(model.model_dump(mode="json"), status=status, ensure_ascii=False)


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
    certificate_title: str | None = None
    class_title: str | None = None
    class_kind: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    issued_on: str | None = None
    authority: str | None = None


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
    attendance_rate: float = Field(
        ge=0, le=1, description="Share of the class's sessions attended, 4 decimals (0.8667)."
    )
    completed: bool


class CompletionOut(ListPage):
    """The completion sheet of a class with its threshold and pass mark."""

    class_id: int
    threshold: str
    pass_score: str
    completed: int
    items: list[CompletionItemOut]


class IssuedOut(BaseModel):
    """How many certificates this call issued (0 when all were issued before), and their numbers."""

    issued: int
    numbers: list[str]


class MyCertificateOut(BaseModel):
    """One of the caller's certificates: what it certifies, who issued it, when, its status."""

    number: str
    certificate_title: str
    class_id: int
    class_title: str
    class_kind: str
    start_date: str
    end_date: str
    issued_on: str
    authority: str
    status: str
    verify_url: str
    image_url: str


class MyCertificatesOut(ListPage):
    """The caller's certificates, newest first (bounded: all at once)."""

    items: list[MyCertificateOut]


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
@requires(*service.COMPLETION_READERS)
async def completion(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """Per trainee: score, pass, attendance rate, completed."""
    report = await service.completion_report(actor=actor, class_id=class_id)
    return _reply(listed_reply(CompletionOut, report))


@bp.post("/classes/<class_id:int>/certificates")
@openapi.summary("人社部门向结业合格学员颁发证书（第二十二条）")
@response_model(IssuedOut, status=201)
@requires(*service.ISSUERS)
async def issue(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """Issue certificates to everyone who completed (idempotent)."""
    issued = await service.issue_certificates(actor=actor, class_id=class_id)
    return _reply(model_reply(IssuedOut, issued), status=201)


@bp.get("/me/certificates")
@openapi.summary("我的证书（学员）：证书名称、发证机关、发证日期、状态与验证地址")
@response_model(MyCertificatesOut)
@requires(*service.HOLDERS)
async def mine(request: Request, actor: Actor) -> HTTPResponse:
    """The caller's certificates."""
    base = runtime().settings.public_base_url.rstrip("/")
    items = [
        MyCertificateOut(
            **asdict(item),
            verify_url=verification_url(base, item.number),
            image_url=f"{base}/api/v1/certificates/{item.number}/image.png",
        )
        for item in await service.my_certificates(actor=actor)
    ]
    return _reply(MyCertificatesOut(**listed({"items": items})))


def wants_html(request: Request) -> bool:
    """A browser (the certificate's QR opened in WeChat) asks for text/html; machines get JSON."""
    if request.args.get("format") == "json":
        return False
    accept = request.headers.get("accept", "").lower()
    if "text/html" not in accept:
        return False
    return "application/json" not in accept or accept.index("text/html") < accept.index(
        "application/json"
    )


@bp.get("/certificates/<number:str>/verify")
@openapi.summary("公开验证证书（脱敏姓名、班级、日期、状态）")
@openapi.description(
    "JSON for machines; a browser (Accept: text/html, e.g. the certificate's QR opened in "
    "WeChat) gets a mobile-friendly Chinese page. `?format=json` forces JSON."
)
@response_model(VerifyOut)
@public
async def verify(request: Request, number: str) -> HTTPResponse:
    """Anyone: is this certificate valid, revoked or unknown (rate-limited per address)."""
    await runtime().limits.hit("verify", ip=client_ip(request))
    info = await service.verify(number)
    if wants_html(request):
        return html(verification_page(info))
    # An unknown number answers its number, status and message only.
    out = model_reply(VerifyOut, info).model_dump(mode="json", exclude_none=True)
    return json(out, ensure_ascii=False)


_STATUS_COLOURS = {"valid": "#1a7f37", "revoked": "#b42318", "unknown": "#8a6d00"}


def verification_page(info: service.Verification) -> str:
    """The verification result as a small, self-contained Chinese HTML page for phones."""
    rows = [
        ("证书名称", info.certificate_title),
        ("证书编号", info.number),
        ("持证人", info.name),
        ("培训班", info.class_title),
        ("培训日期", f"{info.start_date} 至 {info.end_date}" if info.start_date else None),
        ("发证机关", info.authority),
        ("发证日期", info.issued_on),
    ]
    cells = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(str(value))}</td></tr>"
        for label, value in rows
        if value
    )
    colour = _STATUS_COLOURS.get(info.status, "#333")
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>证书验证</title>
<style>
body{{margin:0;background:#f6f6f6;color:#222}}
body{{font-family:-apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",
sans-serif}}
main{{max-width:560px;margin:0 auto;padding:16px}}
h1{{font-size:20px;text-align:center;margin:12px 0}}
.status{{font-size:22px;font-weight:bold;text-align:center;color:#fff;background:{colour};
border-radius:8px;padding:14px;margin:12px 0}}
table{{width:100%;border-collapse:collapse;background:#fff;border-radius:8px}}
th{{text-align:left;white-space:nowrap;color:#666;font-weight:normal;padding:10px;width:5em}}
td{{padding:10px;word-break:break-all}}
tr+tr th,tr+tr td{{border-top:1px solid #eee}}
p{{font-size:13px;color:#888;text-align:center}}
</style></head>
<body><main>
<h1>求职能力实训证书验证</h1>
<div class="status">{escape(info.message)}</div>
<table>{cells}</table>
<p>持证人姓名已脱敏显示。如有疑问，请联系发证机关。</p>
</main></body></html>"""


@bp.get("/certificates/<number:str>/image.png")
@openapi.summary("证书图片（含验证二维码）")
@requires(*service.DOWNLOADERS)
async def image(request: Request, number: str, actor: Actor) -> HTTPResponse:
    """The certificate as a PNG for its holder, the class staff, institution and HR."""
    certificate, info = await service.certificate_for(actor=actor, number=number)
    url = verification_url(runtime().settings.public_base_url, certificate.number)
    png = render_certificate(
        number=certificate.number,
        name=info.name,
        class_title=info.class_title,
        start=info.start,
        end=info.end,
        verify_url=url,
        kind=info.kind,
        authority=info.authority,
        issued_on=info.issued_on,
    )
    return raw(png, content_type="image/png")


@bp.post("/certificates/<number:str>/revoke")
@openapi.summary("撤销证书（须填写原因）")
@response_model(RevokedOut)
@requires(*service.ISSUERS)
@json_body(CertificateRevokeIn)
async def revoke(
    request: Request, number: str, body: CertificateRevokeIn, actor: Actor
) -> HTTPResponse:
    """Revoke a certificate; verification will say so."""
    certificate = await service.revoke_certificate(actor=actor, number=number, reason=body.reason)
    return json({"number": certificate.number, "status": "revoked"})
