"""Subsidy of a class (第二十四条): tranches with their conditions, payments, materials."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.classes.models import TrainingClass
from backend.classes.scope import authorize_class
from backend.clock import LocalDateTime
from backend.subsidies import export, service
from miniprogram_api.auth import client_ip, requires
from miniprogram_api.downloads import XLSX, attachment
from miniprogram_api.validation import Text, json_body, model_reply, response_model

bp = Blueprint("subsidies")


class PaidIn(BaseModel):
    """The tranche paid and the payment reference."""

    tranche: int = Field(ge=1)  # how many there are is the service's (第二十四条)
    reference: Text = Field(default="", max_length=100)


class PaidOut(BaseModel):
    """The tranche recorded as paid and its amount (yuan, two decimals)."""

    tranche: int
    amount: str


class TranchePaymentOut(BaseModel):
    """HR's record that the tranche was paid: amount (yuan), time, payment reference."""

    amount: str
    paid_at: LocalDateTime
    reference: str


class TrancheOut(BaseModel):
    """One instalment: share, amount, its condition of 第二十四条, whether it holds and why."""

    tranche: int
    share: str
    amount: str
    condition: str
    holds: bool
    why: str
    due_by: str | None = None
    paid: TranchePaymentOut | None = Field(default=None, description="未拨付为空")


class EmploymentRateFigures(BaseModel):
    """Trainees counted as employed and the rate in [0, 1]."""

    employed: int
    rate: float = Field(ge=0, le=1, description="employed ÷ enrolled, 4 decimals (0.6667)")


class SpotCheckGateOut(BaseModel):
    """Whether HR's spot check of the employment claims lets the last tranche be paid."""

    passed: bool
    why: str


class SubsidyEmploymentOut(BaseModel):
    """The two employment rates side by side and what the last tranche reads (第二十四条)."""

    enrolled: int
    claimed: EmploymentRateFigures
    verified: EmploymentRateFigures
    pending: int
    refused: int
    gate_basis: str = Field(description="EMPLOYMENT_GATE_BASIS: verified 或 claimed")
    gate_share: float
    spot_check: SpotCheckGateOut


class ClosingAdjustmentOut(BaseModel):
    """An employment change recorded after 结案: kept against the frozen figures."""

    record_id: int
    trainee_id: int
    change: str = Field(description="reported 新申报 / verified 核实通过 / refused 核实未通过")
    status: str
    employer: str
    actor_id: int | None
    at: LocalDateTime


class ClosingNowOut(BaseModel):
    """What the figures would be today, beside the frozen ones (never applied by itself)."""

    employment: SubsidyEmploymentOut | None
    last_tranche_would_hold: bool
    why: str


class ClosingOut(BaseModel):
    """The figures were frozen at 结案: when, by whom (null: the worker), why, and since."""

    frozen_at: LocalDateTime
    frozen_by: int | None
    reason: str
    adjustments: list[ClosingAdjustmentOut]
    now: ClosingNowOut | None


class ClawbackItemOut(BaseModel):
    """One paid tranche and the amount to recover of it (yuan, two decimals)."""

    tranche: int
    paid: str
    amount: str


class SubsidyClawbackOut(BaseModel):
    """第九条(二): the class's fraud finding and what is to be recovered."""

    finding_id: int
    article: str
    reason: str
    decided_on: str
    disqualified: bool
    items: list[ClawbackItemOut]
    total: str


class SubsidyOut(BaseModel):
    """A class subsidy: the basis of its amount, its tranches, what is due, paid, overpaid."""

    class_id: int
    kind: str
    contract_amount: str
    actual_trainees: int
    counted_trainees: int
    basis: str
    basis_label: str
    per_person_cap: str
    total: str
    due_unpaid: str
    paid: str
    overpaid: str
    tranches: list[TrancheOut]
    eligible: bool = Field(description="False once a private substitution is confirmed (第十九条)")
    ineligible_reason: str
    employment: SubsidyEmploymentOut | None = Field(
        default=None, description="学员班：已申报与已核实就业率（师资班为空）"
    )
    closing: ClosingOut | None = Field(
        default=None, description="已结案：结案时锁定的数据及其后的调整（未结案为空）"
    )
    clawback: SubsidyClawbackOut | None = Field(
        default=None, description="骗取补贴认定及应追回金额（第九条(二)；无则为空）"
    )


def _xlsx(data: bytes, klass: TrainingClass, what: str, fallback: str) -> HTTPResponse:
    """A workbook named in Chinese after the class (RFC 5987 `filename*`)."""
    title = "".join("_" if c in '\\/:*?"<>|' else c for c in klass.title)
    return attachment(data, content_type=XLSX, filename=f"{title}_{what}.xlsx", fallback=fallback)


@bp.get("/classes/<class_id:int>/subsidy")
@openapi.summary("培训补贴：金额、各期拨付条件与状态（第二十四条）")
@response_model(SubsidyOut)
@requires(*service.READERS)
async def get_subsidy(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The subsidy plan of a class, computed from the data."""
    plan = await service.class_subsidy(actor=actor, class_id=class_id)
    return json(model_reply(SubsidyOut, plan).model_dump(mode="json"), ensure_ascii=False)


@bp.post("/classes/<class_id:int>/subsidy/payments")
@openapi.summary("人社部门标记某期补贴已拨付（条件满足时）")
@response_model(PaidOut, status=201)
@requires(*service.PAYERS)
@json_body(PaidIn)
async def mark_paid(request: Request, class_id: int, body: PaidIn, actor: Actor) -> HTTPResponse:
    """Record a tranche as paid."""
    payment = await service.mark_paid(actor=actor, class_id=class_id, **body.model_dump())
    return json({"tranche": payment.tranche, "amount": str(payment.amount)}, status=201)


@bp.get("/classes/<class_id:int>/subsidy/application.xlsx")
@openapi.summary("导出求职能力实训补贴申请表")
@requires(*service.READERS)
async def application(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """补贴申请表."""
    klass = await authorize_class(actor, class_id, service.READERS)
    plan = await service.subsidy_plan(klass)
    data = await export.application_form(klass, plan, await export.reader_of(actor))
    return _xlsx(data, klass, "补贴申请表", "subsidy-application")


@bp.get("/classes/<class_id:int>/subsidy/roster.xlsx")
@openapi.summary("导出求职能力实训补贴人员花名册（证件号脱敏）")
@requires(*service.READERS)
async def roster(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """补贴人员花名册 (ID numbers masked)."""
    klass = await authorize_class(actor, class_id, service.READERS)
    data = await export.roster_form(klass, await export.reader_of(actor))
    return _xlsx(data, klass, "补贴人员花名册", "subsidy-roster")


class FullRosterIn(BaseModel):
    """Why the full ID numbers are needed (kept in the audit trail and printed on the file)."""

    reason: str = Field(min_length=1, max_length=200)


@bp.post("/classes/<class_id:int>/subsidy/roster-full.xlsx")
@openapi.summary("导出含完整身份证号的补贴人员花名册（须填写用途；留痕并加导出人水印）")
@requires(*service.READERS)
@json_body(FullRosterIn)
async def roster_full(
    request: Request, class_id: int, body: FullRosterIn, actor: Actor
) -> HTTPResponse:
    """补贴人员花名册 with full ID numbers, for the bureau's claim: an audited read."""
    klass, data = await export.full_roster(
        actor=actor,
        class_id=class_id,
        reason=body.reason,
        ip=client_ip(request),
        request_id=getattr(request.ctx, "rid", ""),
    )
    return _xlsx(data, klass, "补贴人员花名册（完整证件号）", "subsidy-roster-full")
