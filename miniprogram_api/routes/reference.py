"""Reference data with human labels (code + label) for pickers and for reading values."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.reference.service import RefKind, search
from miniprogram_api.auth import logged_in
from miniprogram_api.validation import Text, query_args, response_model

bp = Blueprint("reference")


class ReferenceQuery(BaseModel):
    """Search a list: code prefix or part of the label."""

    q: Text = Field(
        default="", max_length=30, description="代码前缀或名称中的文字，如 4-01 或 销售"
    )
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=200, ge=1, le=500)


class ReferenceItemOut(BaseModel):
    """One value: the code stored and sent, the label people read."""

    code: str
    label: str
    level: str = Field(
        default="", description="职业：major 大类 / medium 中类 / minor 小类 / occupation 细类"
    )


class ReferenceListOut(BaseModel):
    """A page of a reference list."""

    items: list[ReferenceItemOut]
    total: int
    limit: int
    offset: int


def _page(kind: RefKind, query: ReferenceQuery) -> HTTPResponse:
    found = search(kind, query.q)
    items = found[query.offset : query.offset + query.limit]
    out = ReferenceListOut(
        items=[ReferenceItemOut(**c.__dict__) for c in items],
        total=len(found),
        limit=query.limit,
        offset=query.offset,
    )
    return json(out.model_dump(), ensure_ascii=False)


@bp.get("/reference/districts")
@openapi.summary("区县代码及名称")
@response_model(ReferenceListOut)
@logged_in
@query_args(ReferenceQuery)
async def districts(request: Request, query: ReferenceQuery, actor: Actor) -> HTTPResponse:
    """The districts of the city (GB/T 2260)."""
    return _page(RefKind.DISTRICT, query)


@bp.get("/reference/occupations")
@openapi.summary("职业（岗位类别）代码及名称，GB/T 6565 风格，可按代码前缀或名称搜索")
@response_model(ReferenceListOut)
@logged_in
@query_args(ReferenceQuery)
async def occupations(request: Request, query: ReferenceQuery, actor: Actor) -> HTTPResponse:
    """Groups and occupations of the catalogue, searchable."""
    return _page(RefKind.OCCUPATION, query)


@bp.get("/reference/education-levels")
@openapi.summary("学历代码及名称")
@response_model(ReferenceListOut)
@logged_in
@query_args(ReferenceQuery)
async def education_levels(request: Request, query: ReferenceQuery, actor: Actor) -> HTTPResponse:
    """Education levels from the lowest to the highest."""
    return _page(RefKind.EDUCATION, query)


@bp.get("/reference/trainee-categories")
@openapi.summary("学员人员类别（第三条）代码及名称")
@response_model(ReferenceListOut)
@logged_in
@query_args(ReferenceQuery)
async def trainee_categories(request: Request, query: ReferenceQuery, actor: Actor) -> HTTPResponse:
    """The target groups of 第三条."""
    return _page(RefKind.TRAINEE_CATEGORY, query)
