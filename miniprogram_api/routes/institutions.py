"""The institution registry (第五、七条): HR registers, edits, suspends and lists institutions."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.institutions import service
from backend.institutions.schemas import (
    InstitutionIn,
    InstitutionListOut,
    InstitutionListQuery,
    InstitutionOut,
    InstitutionPatch,
    InstitutionSummaryOut,
)
from miniprogram_api.auth import requires
from miniprogram_api.validation import json_body, query_args, response_model

bp = Blueprint("institutions")


def _detail(record: service.InstitutionRecord, status: int = 200) -> HTTPResponse:
    out = InstitutionOut.model_validate(service.detail_view(record), from_attributes=True)
    return json(out.model_dump(mode="json"), status=status, ensure_ascii=False)


@bp.post("/institutions")
@openapi.summary("登记培训机构（第五、七条：资质条件及证明材料、团队负责人、购买服务合同）")
@response_model(InstitutionOut, status=201)
@requires(*service.REGISTRARS)
@json_body(InstitutionIn)
async def register(request: Request, body: InstitutionIn, actor: Actor) -> HTTPResponse:
    """HR of the institution's district (or the city) registers it."""
    record = await service.register_institution(actor=actor, data=body)
    return _detail(
        await service.institution_record(actor=actor, institution_id=record.institution.id), 201
    )


@bp.get("/institutions")
@openapi.summary("培训机构登记册（按区县、状态、名称或信用代码查询）")
@response_model(InstitutionListOut)
@requires(*service.READERS)
@query_args(InstitutionListQuery)
async def list_all(request: Request, query: InstitutionListQuery, actor: Actor) -> HTTPResponse:
    """HR sees its districts' institutions, an institution admin its own."""
    total, records = await service.list_institutions(
        actor=actor,
        district=query.district,
        status=query.status,
        q=query.q,
        offset=query.offset,
        limit=query.limit,
    )
    page = InstitutionListOut(
        items=[
            InstitutionSummaryOut.model_validate(service.summary_view(r), from_attributes=True)
            for r in records
        ],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )
    return json(page.model_dump(mode="json"), ensure_ascii=False)


@bp.get("/institutions/<institution_id:int>")
@openapi.summary("培训机构详情：资质清单、合同、近三年监管记录（第七条（六））")
@response_model(InstitutionOut)
@requires(*service.READERS)
async def get_one(request: Request, institution_id: int, actor: Actor) -> HTTPResponse:
    """The registry file and the standing ledger."""
    return _detail(await service.institution_record(actor=actor, institution_id=institution_id))


@bp.patch("/institutions/<institution_id:int>")
@openapi.summary("修改培训机构登记信息，或暂停／恢复（须填写原因）")
@response_model(InstitutionOut)
@requires(*service.REGISTRARS)
@json_body(InstitutionPatch)
async def patch(
    request: Request, institution_id: int, body: InstitutionPatch, actor: Actor
) -> HTTPResponse:
    """HR covering the institution's district edits it; every change is audited."""
    await service.update_institution(actor=actor, institution_id=institution_id, patch=body)
    return _detail(await service.institution_record(actor=actor, institution_id=institution_id))
