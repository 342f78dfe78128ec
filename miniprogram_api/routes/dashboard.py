"""HR dashboard: classes, attendance, satisfaction, follow-up, employment, subsidy."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.reporting.dashboard import VIEWERS, hr_dashboard
from backend.reporting.export import dashboard_workbook
from miniprogram_api.auth import requires
from miniprogram_api.routes.ratings import Averages, Sums
from miniprogram_api.validation import Text, model_reply, query_args, response_model

bp = Blueprint("dashboard")


class DashboardQuery(BaseModel):
    """Group by district or institution; classes starting within [start, end]."""

    by: Text = Field(default="district", pattern="^(district|institution)$")
    start: date
    end: date


class Counted(BaseModel):
    """Trainees employed and the rate in [0, 1] (null without trainees)."""

    employed: int
    rate: float | None


class AttendanceFigures(BaseModel):
    """Attended of expected trainee-sessions, and the rate as a decimal string in [0, 1]."""

    attended: int
    expected: int
    rate: str | None


class SatisfactionOut(BaseModel):
    """每日意见: the number of ratings, their sums and the averages computed from them."""

    ratings: int
    sums: Sums
    averages: Averages


class FollowupFigures(BaseModel):
    """Classes in follow-up and those whose follow-up is complete (第二十五条)."""

    classes: int
    complete: int


class EmploymentFigures(BaseModel):
    """第二十三条: claimed and verified employment of the trainees in follow-up, side by side."""

    enrolled: int
    claimed: Counted
    verified: Counted


class SubsidyFigures(BaseModel):
    """第二十四条: the subsidy in yuan (two decimals): total, due and unpaid, paid."""

    total: str
    due_unpaid: str
    paid: str


class MonthEmploymentOut(BaseModel):
    """第二十三条: employment of the trainees of the classes that started in one month."""

    month: str = Field(description="开班月份 YYYY-MM")
    enrolled: int
    claimed: Counted
    verified: Counted


class FunnelOut(BaseModel):
    """第二十五条 follow-up: survey invitations queued → sent → answered; trainees employed."""

    invitations: int = Field(description="回访问卷节点数（人次）")
    queued: int = Field(description="已排队发送的问卷邀请")
    sent: int = Field(description="已成功发送的问卷邀请")
    answered: int = Field(description="已作答的问卷")
    employed: int = Field(description="申报就业人数")
    verified: int = Field(description="核实就业人数")


class GroupOut(BaseModel):
    """One district or institution: every figure with the counts it comes from."""

    key: str
    name: str
    classes_by_status: dict[str, int]
    attendance: AttendanceFigures
    satisfaction: SatisfactionOut
    followup: FollowupFigures
    employment: EmploymentFigures
    subsidy: SubsidyFigures
    employment_by_month: list[MonthEmploymentOut]
    followup_funnel: FunnelOut


class DashboardPeriodOut(BaseModel):
    """Classes starting within [start, end] (YYYY-MM-DD, both included)."""

    start: str
    end: str


class DashboardOut(BaseModel):
    """The groups, their total, the period and the number of sessions."""

    by: str
    period: DashboardPeriodOut
    groups: list[GroupOut]
    total: GroupOut
    sessions: int


@bp.get("/dashboard")
@openapi.summary("人社部门看板：按区县或机构、期间汇总各项指标（限本辖区）")
@response_model(DashboardOut)
@requires(*VIEWERS)
@query_args(DashboardQuery)
async def dashboard(request: Request, query: DashboardQuery, actor: Actor) -> HTTPResponse:
    """Figures by district or institution for the period, within the HR user's scope."""
    result = await hr_dashboard(actor=actor, by=query.by, start=query.start, end=query.end)
    return json(model_reply(DashboardOut, result).model_dump(mode="json"), ensure_ascii=False)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/dashboard.xlsx")
@openapi.summary("人社部门看板数据下载（xlsx，与看板同一口径、同一辖区范围）")
@requires(*VIEWERS)
@query_args(DashboardQuery)
async def dashboard_xlsx(request: Request, query: DashboardQuery, actor: Actor) -> HTTPResponse:
    """The dashboard's figures as a workbook, one row per group and the total."""
    result = await hr_dashboard(actor=actor, by=query.by, start=query.start, end=query.end)
    name = f"dashboard-{query.by}-{query.start.isoformat()}-{query.end.isoformat()}.xlsx"
    return raw(
        dashboard_workbook(result),
        content_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )
