"""Subsidy of a class (第二十四条): tranches with their conditions, payments, materials."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw
from sanic_ext import openapi

from backend.accounts.access import Actor, authorize_class
from backend.accounts.models import Role
from backend.subsidies import export, service
from miniprogram_api.auth import requires
from miniprogram_api.validation import json_body

bp = Blueprint("subsidies")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PaidIn(BaseModel):
    """The tranche paid and the payment reference."""

    tranche: int = Field(ge=1, le=4)
    reference: str = Field(default="", max_length=100)


def _xlsx(data: bytes, name: str) -> HTTPResponse:
    return raw(
        data,
        content_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}.xlsx"},
    )


@bp.get("/classes/<class_id:int>/subsidy")
@openapi.summary("培训补贴：金额、各期拨付条件与状态（第二十四条）")
@requires(*service.READERS)
async def get_subsidy(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """The subsidy plan of a class, computed from the data."""
    plan = await service.class_subsidy(actor=actor, class_id=class_id)
    return json(plan.to_dict(), ensure_ascii=False)


@bp.post("/classes/<class_id:int>/subsidy/payments")
@openapi.summary("人社部门标记某期补贴已拨付（条件满足时）")
@requires(Role.HR_ADMIN)
@json_body(PaidIn)
async def mark_paid(request: Request, class_id: int, body: PaidIn, actor: Actor) -> HTTPResponse:
    """Record a tranche as paid."""
    payment = await service.mark_paid(
        actor=actor, class_id=class_id, tranche=body.tranche, reference=body.reference
    )
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
