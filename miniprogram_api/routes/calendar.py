"""The working-day calendar: a year's holidays and 调休, HR data entry, and 第十八条 deadlines."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend import clock
from backend.accounts.access import Actor, require_city_hr
from backend.accounts.models import Role
from backend.calendar import working_days
from miniprogram_api.auth import logged_in, requires
from miniprogram_api.validation import Text, json_body, query_args, response_model

bp = Blueprint("calendar")

# sanic-ext keys OpenAPI data by the outermost handler, so what @json_body/@query_args declare
# on their inner wrappers (below the auth guard) does not reach the document: declare it here.


class SpecialDay(BaseModel):
    """One day that differs from the Monday–Friday rule, with its holiday name."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    name: Text = Field(min_length=1, max_length=working_days.NAME_MAX)


class CalendarYearIn(BaseModel):
    """Every holiday and every adjusted working day (调休上班, a Saturday or Sunday) of a year."""

    model_config = ConfigDict(extra="forbid")

    holidays: list[SpecialDay] = Field(max_length=366)
    adjusted_workdays: list[SpecialDay] = Field(default_factory=list, max_length=104)
    note: Text = Field(default="", max_length=200)


class CalendarVersionOut(BaseModel):
    """One complete entry HR saved for a year: who and when."""

    version: int
    entered_by_id: int | None
    entered_at: dt.datetime
    note: str
    working_days: int | None
    holidays: list[SpecialDay]
    adjusted_workdays: list[SpecialDay]


class CalendarYearOut(BaseModel):
    """A year as the system uses it: where its data comes from, and its special days."""

    year: int
    source: Literal["hr", "chinesecalendar", "missing"]
    note: str
    entered_by_id: int | None
    updated_at: dt.datetime | None
    holidays: list[SpecialDay]
    adjusted_workdays: list[SpecialDay]
    working_days: int | None = Field(description="该年工作日天数；缺少数据时为空")
    versions: list[CalendarVersionOut] = Field(
        default_factory=list, description="人社部门录入的各版本（新的在前），替换时保留旧版本"
    )


class CalendarDayChange(BaseModel):
    """A day as it was or is: its name and whether it is a working day."""

    name: str
    is_workday: bool


class CalendarDayDiff(BaseModel):
    """A day added or removed by a replacement."""

    date: dt.date
    name: str
    is_workday: bool


class CalendarDayChanged(BaseModel):
    """A day whose name or kind a replacement changed."""

    date: dt.date
    before: CalendarDayChange
    after: CalendarDayChange


class CalendarChangesOut(BaseModel):
    """What a replacement changed against what the system used before."""

    version: int
    working_days_before: int | None
    working_days_after: int | None
    added: list[CalendarDayDiff]
    removed: list[CalendarDayDiff]
    changed: list[CalendarDayChanged]


class CalendarYearSavedOut(CalendarYearOut):
    """The year after HR's entry, and what the entry changed."""

    changes: CalendarChangesOut


class DeadlinesQuery(BaseModel):
    """The planned start date of a class."""

    start_date: dt.date = Field(description="计划开班日期 YYYY-MM-DD")


class DeadlinesOut(BaseModel):
    """第十八条: submit on or before the 10th working day before the start; HR decides on or
    before the 3rd."""

    start_date: dt.date
    today: dt.date
    submission_deadline: dt.date = Field(description="申报截止日（开班日前第10个工作日，含当日）")
    review_deadline: dt.date = Field(description="审核截止日（开班日前第3个工作日，含当日）")
    working_days_until_start: int = Field(description="今天之后、开班日之前的工作日天数")
    submission_in_time: bool = Field(description="今天申报是否仍在期限内")
    review_in_time: bool = Field(description="今天审核是否仍在期限内")


def _fields(result: Any) -> dict[str, Any]:
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}


async def _year_json(overview: working_days.YearOverview) -> HTTPResponse:
    versions = await working_days.year_versions(overview.year)
    out = CalendarYearOut.model_validate(
        {**_fields(overview), "versions": versions}, from_attributes=True
    )
    return json(out.model_dump(mode="json"), ensure_ascii=False)


@bp.get("/calendar/deadlines")
@openapi.summary("按开班日期计算培训方案申报截止日与审核截止日（第十八条）")
@response_model(DeadlinesOut)
@logged_in
@query_args(DeadlinesQuery)
async def get_deadlines(request: Request, query: DeadlinesQuery, actor: Actor) -> HTTPResponse:
    """Both deadlines of a start date, and the working days left from today (Asia/Shanghai)."""
    result = await working_days.plan_deadlines(start_date=query.start_date, today=clock.today())
    out = DeadlinesOut.model_validate(result, from_attributes=True)
    return json(out.model_dump(mode="json"), ensure_ascii=False)


@bp.get("/calendar/<year:int>")
@openapi.summary("查看某年的法定节假日、调休上班日和工作日天数")
@response_model(CalendarYearOut)
@logged_in
async def get_year(request: Request, year: int, actor: Actor) -> HTTPResponse:
    """A year's holidays and adjusted working days, from HR's data or the package."""
    return await _year_json(await working_days.year_overview(year))


@bp.put("/calendar/<year:int>")
@openapi.summary(
    "市级人社部门录入某年的全部法定节假日和调休上班日（整年替换，须含全部法定节日；保留旧版本）"
)
@response_model(CalendarYearSavedOut)
@requires(Role.HR_ADMIN)
@json_body(CalendarYearIn)
async def put_year(request: Request, year: int, body: CalendarYearIn, actor: Actor) -> HTTPResponse:
    """Replace a year's data with HR's complete list; answers the resulting overview."""
    require_city_hr(actor, "全市统一的工作日历，第十八条期限据此计算")
    changes = await working_days.load_year(
        year=year,
        holidays=[(d.date, d.name) for d in body.holidays],
        workdays=[(d.date, d.name) for d in body.adjusted_workdays],
        entered_by_id=actor.user_id,
        note=body.note,
    )
    overview = await working_days.year_overview(year)
    versions = await working_days.year_versions(year)
    out = CalendarYearSavedOut.model_validate(
        {**_fields(overview), "versions": versions, "changes": changes}, from_attributes=True
    )
    return json(out.model_dump(mode="json"), ensure_ascii=False)
