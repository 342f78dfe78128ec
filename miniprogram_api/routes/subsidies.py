"""Subsidy of a class (第二十四条): tranches with their conditions, payments, materials."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw
from sanic_ext import openapi

from backend.accounts.access import Actor, authorize_class
from backend.accounts.models import Role
from backend.subsidies import export, service
from miniprogram_api.auth import requires
from miniprogram_api.validation import Text, json_body, response_model

bp = Blueprint("subsidies")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PaidIn(BaseModel):
    """The tranche paid and the payment reference."""

    tranche: int = Field(ge=1)  # how many there are is the service's (第二十四条)
    reference: Text = Field(default="", max_length=100)


class PaidOut(BaseModel):
    """The tranche recorded as paid and its amount (yuan, two decimals)."""

    tranche: int
    amount: str


class TrancheOut(BaseModel):
    """One instalment: share, amount, its condition of 第二十四条, whether it holds and why."""

    tranche: int
    share: str
    amount: str
    condition: str
    holds: bool
    why: str
    due_by: str | None = None
    paid: dict[str, Any] | None = None


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


def _xlsx(data: bytes, name: str) -> HTTPResponse:
    return raw(
        data,
        content_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}.xlsx"},
    )


@bp.get("/classes/<class_id:int>/subsidy")
@openapi.summary("培训补贴：金额、各期拨付条件与状态（第二十四条）")
@response_model(SubsidyOut)
@requires(*service.READERS)
async def get_subsidy(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The subsidy plan of a class, computed from the data."""
    plan = await service.class_subsidy(actor=actor, class_id=class_id)
    return json(plan.to_dict(), ensure_ascii=False)


@bp.post("/classes/<class_id:int>/subsidy/payments")
@openapi.summary("人社部门标记某期补贴已拨付（条件满足时）")
@response_model(PaidOut, status=201)
@requires(Role.HR_ADMIN)
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
    return _xlsx(await export.application_form(klass, plan), "subsidy-application")


@bp.get("/classes/<class_id:int>/subsidy/roster.xlsx")
@openapi.summary("导出求职能力实训补贴人员花名册")
@requires(*service.READERS)
async def roster(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """补贴人员花名册 (ID numbers masked)."""
    klass = await authorize_class(actor, class_id, service.READERS)
    return _xlsx(await export.roster_form(klass), "subsidy-roster")
