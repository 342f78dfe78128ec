"""People as staff and HR see them: trainees (masked), audited full reads, invitations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts import identity
from backend.accounts.access import Actor
from backend.accounts.invitations import INVITERS, issue_invitation, revoke_grant
from backend.accounts.models import Role
from backend.classes import people
from backend.classes.pii_audit import READERS as PII_AUDIT_READERS
from backend.classes.pii_audit import list_pii_reads
from backend.classes.scope import authorize_trainee
from backend.clock import LocalDateTime
from miniprogram_api.auth import client_ip, requires
from miniprogram_api.validation import Text, json_body, query_args, response_model

bp = Blueprint("people")


class TraineeOut(BaseModel):
    """A trainee with ID-card and phone numbers masked."""

    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    gender: str
    category: str
    education: str
    school: str
    major: str
    graduation_year: int | None
    bound: bool


class RevealIn(BaseModel):
    """Why the full values are needed (kept in the audit trail)."""

    reason: Text = Field(min_length=2, max_length=200)


class RevealOut(BaseModel):
    """Full values: every read is audited."""

    name: str
    id_number: str
    phone: str


class UnbindIn(BaseModel):
    """Why the binding is released (kept in the audit trail)."""

    reason: Text = Field(min_length=2, max_length=200)


class InvitationIn(BaseModel):
    """A role to grant with its scope; HR invites anyone, an institution its own staff."""

    role: Role
    institution_id: int | None = None
    district_code: Text | None = Field(default=None, min_length=6, max_length=6)
    instructor_id: int | None = None
    valid_hours: int = Field(default=72, ge=1, le=720)
    note: Text = Field(default="", max_length=200)
    name: Text = Field(default="", max_length=50, description="被邀请人姓名（兑换时显示为其姓名）")


class InvitationOut(BaseModel):
    """The code, shown once; only its hash is stored."""

    code: str
    role: str
    expires_at: LocalDateTime


@bp.get("/trainees/<trainee_id:int>")
@openapi.summary("学员信息（证件号、手机号脱敏）")
@response_model(TraineeOut)
@requires(*people.TRAINEE_READERS)
async def get_trainee(request: Request, trainee_id: int, actor: Actor) -> HTTPResponse:
    """A trainee in the caller's scope, masked."""
    trainee = await authorize_trainee(actor, trainee_id, people.TRAINEE_READERS)
    out = TraineeOut.model_validate(identity.trainee_view(trainee), from_attributes=True)
    return json(out.model_dump(), ensure_ascii=False)


@bp.post("/trainees/<trainee_id:int>/pii")
@openapi.summary("查看完整身份证号与手机号（需填写事由，留痕审计）")
@response_model(RevealOut)
@requires(*people.PII_READERS)
@json_body(RevealIn)
async def reveal_pii(
    request: Request, trainee_id: int, body: RevealIn, actor: Actor
) -> HTTPResponse:
    """Full ID-card and phone number; writes an audit row."""
    data = await people.reveal_trainee_pii(
        actor=actor,
        trainee_id=trainee_id,
        reason=body.reason,
        ip=client_ip(request),
        request_id=getattr(request.ctx, "rid", ""),
    )
    return json(
        RevealOut.model_validate(data, from_attributes=True).model_dump(), ensure_ascii=False
    )


class UnboundOut(BaseModel):
    """The binding is released."""

    ok: bool


@bp.post("/trainees/<trainee_id:int>/unbind")
@openapi.summary("解除学员的微信绑定（人社部门操作，留痕审计）")
@response_model(UnboundOut)
@requires(*people.BINDING_KEEPERS)
@json_body(UnbindIn)
async def unbind(request: Request, trainee_id: int, body: UnbindIn, actor: Actor) -> HTTPResponse:
    """Release a binding so the person can bind a new WeChat identity."""
    await people.unbind_trainee(
        actor=actor, trainee_id=trainee_id, reason=body.reason, ip=client_ip(request)
    )
    return json(UnboundOut(ok=True).model_dump())


class WaivePhoneIn(BaseModel):
    """Why the phone match is waived for the next binding (kept in the audit trail)."""

    reason: Text = Field(min_length=2, max_length=200)


class WaivedOut(BaseModel):
    """The next binding of this trainee will not need the roster's phone number."""

    ok: bool


@bp.post("/trainees/<trainee_id:int>/waive-phone-check")
@openapi.summary("人社部门审核后，允许学员下次绑定时不核对花名册手机号（留痕审计）")
@response_model(WaivedOut)
@requires(*people.BINDING_KEEPERS)
@json_body(WaivePhoneIn)
async def waive_phone_check(
    request: Request, trainee_id: int, body: WaivePhoneIn, actor: Actor
) -> HTTPResponse:
    """Let the next binding skip the phone match (the person changed numbers)."""
    await people.waive_phone_check(
        actor=actor, trainee_id=trainee_id, reason=body.reason, ip=client_ip(request)
    )
    return json(WaivedOut(ok=True).model_dump())


@bp.post("/invitations")
@openapi.summary("生成一次性邀请码")
@response_model(InvitationOut, status=201)
@requires(*INVITERS)
@json_body(InvitationIn)
async def create_invitation(request: Request, body: InvitationIn, actor: Actor) -> HTTPResponse:
    """HR invites admins, instructors and HR; an institution invites its own staff."""
    invitation, code = await issue_invitation(
        actor=actor,
        role=body.role,
        institution_id=body.institution_id,
        district_code=body.district_code,
        instructor_id=body.instructor_id,
        ttl=timedelta(hours=body.valid_hours),
        note=body.note,
        invitee_name=body.name,
    )
    out: dict[str, Any] = InvitationOut(
        code=code, role=invitation.role.value, expires_at=invitation.expires_at
    ).model_dump(mode="json")
    return json(out, status=201)


class RevokeIn(BaseModel):
    """Why the role is taken away (kept in the audit trail)."""

    reason: Text = Field(min_length=2, max_length=200)


class GrantRevokedOut(BaseModel):
    """The role grant, now revoked."""

    id: int
    revoked: bool


@bp.post("/role-grants/<grant_id:int>/revoke")
@openapi.summary("撤销用户的角色授权（留痕审计）")
@response_model(GrantRevokedOut)
@requires(*INVITERS)
@json_body(RevokeIn)
async def revoke(request: Request, grant_id: int, body: RevokeIn, actor: Actor) -> HTTPResponse:
    """HR in its area, or an institution for its own staff, removes a role."""
    grant = await revoke_grant(actor=actor, grant_id=grant_id, reason=body.reason)
    return json(GrantRevokedOut(id=grant.id, revoked=True).model_dump())


class PiiReadsQuery(BaseModel):
    """Filters: the kind of read, local days [start, end]; paging."""

    action: Text | None = Field(default=None, max_length=64)
    start: date | None = None
    end: date | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=200)


class PiiReadOut(BaseModel):
    """One audited read of full personal data."""

    id: int
    at: LocalDateTime
    action: str
    action_label: str
    actor_id: int | None
    actor_name: str
    target_type: str
    target_id: str
    reason: str
    ip: str


class PiiReadsOut(BaseModel):
    """A page of audited reads, newest first."""

    items: list[PiiReadOut]
    total: int
    limit: int
    offset: int


@bp.get("/audit/pii-reads")
@openapi.summary("完整证件信息查阅记录（审计日志，人社部门：市级全部，区县本辖区学员）")
@response_model(PiiReadsOut)
@requires(*PII_AUDIT_READERS)
@query_args(PiiReadsQuery)
async def pii_reads(request: Request, query: PiiReadsQuery, actor: Actor) -> HTTPResponse:
    """Who read full ID-card or phone numbers, when, whose and why."""
    total, items = await list_pii_reads(
        actor=actor,
        action=query.action,
        start=query.start,
        end=query.end,
        offset=query.offset,
        limit=query.limit,
    )
    page = PiiReadsOut(
        items=[PiiReadOut.model_validate(i, from_attributes=True) for i in items],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )
    return json(page.model_dump(), ensure_ascii=False)
