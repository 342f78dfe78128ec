"""Follow-up after training (第二十五条), the in-app inbox, subscribe consent and human tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend import clock
from backend.accounts.access import Actor
from backend.clock import LocalDateTime
from backend.employment.models import EmploymentStatus
from backend.followups import service, summary
from backend.followups.models import SERVICE_LABELS, FollowupService, ServiceKind
from backend.notifications import consent, inbox, tasks
from backend.notifications.models import ConsentResult, HumanTask, TaskKind, TaskStatus
from miniprogram_api.auth import logged_in, requires
from miniprogram_api.routes.subsidies import EmploymentRateFigures
from miniprogram_api.validation import (
    ListPage,
    Text,
    json_body,
    listed,
    model_reply,
    query_args,
    response_model,
)

bp = Blueprint("followups")


def _reply(data: Any, status: int = 200) -> HTTPResponse:
    return json(data, status=status, ensure_ascii=False)


# -- the trainee's follow-ups ---------------------------------------------------------------------


class FollowupOut(BaseModel):
    """One follow-up milestone of the trainee (state: upcoming, open, answered)."""

    id: int
    class_id: int
    class_title: str
    stage: str
    stage_label: str
    due_date: str
    state: str
    invited: bool
    answered_at: LocalDateTime | None


class FollowupListOut(ListPage):
    """The trainee's milestones, soonest first (bounded: all at once)."""

    items: list[FollowupOut]


class SurveyIn(BaseModel):
    """The follow-up survey: employment, employer, position, start date, satisfaction, needs."""

    employment_status: EmploymentStatus
    employer: Text = Field(default="", max_length=200)
    position: Text = Field(default="", max_length=100)
    start_date: date | None = None
    satisfaction: int = Field(ge=1, le=5)
    help_needed: Text = Field(default="", max_length=500)


class SurveyOut(BaseModel):
    """The recorded answer and the employment record it wrote."""

    id: int
    milestone_id: int
    employment_status: str
    employer: str
    position: str
    start_date: str | None
    satisfaction: int
    help_needed: str
    employment_record_id: int | None


@bp.get("/me/followups")
@openapi.summary("我的培训后回访（1周、3个月、6个月）")
@response_model(FollowupListOut)
@requires(*service.RESPONDENTS)
async def my_followups(request: Request, actor: Actor) -> HTTPResponse:
    """The trainee's follow-up milestones."""
    items = [model_reply(FollowupOut, m) for m in await service.my_followups(actor=actor)]
    return _reply(FollowupListOut(**listed({"items": items})).model_dump(mode="json"))


@bp.post("/followups/<milestone_id:int>/survey")
@openapi.summary("提交回访问卷（就业情况、满意度、需要的帮助）")
@response_model(SurveyOut, status=201)
@requires(*service.RESPONDENTS)
@json_body(SurveyIn)
async def submit_survey(
    request: Request, milestone_id: int, body: SurveyIn, actor: Actor
) -> HTTPResponse:
    """Answer the survey of one milestone (updates the employment record)."""
    answer = service.SurveyAnswer(**body.model_dump())
    saved = await service.submit_survey(actor=actor, milestone_id=milestone_id, answer=answer)
    out = SurveyOut(
        id=saved.id,
        milestone_id=saved.milestone_id,
        employment_status=saved.employment_status,
        employer=saved.employer,
        position=saved.position,
        start_date=saved.start_date.isoformat() if saved.start_date else None,
        satisfaction=saved.satisfaction,
        help_needed=saved.help_needed,
        employment_record_id=saved.employment_record_id,
    )
    return _reply(out.model_dump(), status=201)


# -- instructors' services ------------------------------------------------------------------------


class ServiceIn(BaseModel):
    """A follow-up service given to a trainee (a time without offset is Asia/Shanghai)."""

    kind: ServiceKind
    served_at: datetime
    notes: Text = Field(default="", max_length=2000)
    outcome: Text = Field(default="", max_length=2000)
    class_id: int | None = None

    @field_validator("served_at")
    @classmethod
    def _local_by_default(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=clock.SHANGHAI)


class ServiceOut(BaseModel):
    """A logged follow-up service."""

    id: int
    class_id: int
    trainee_id: int
    instructor_id: int | None
    kind: str
    kind_label: str
    stage: str
    served_at: LocalDateTime
    notes: str
    outcome: str
    task_id: int | None


class ServiceListOut(ListPage):
    """A trainee's follow-up services, newest first."""

    items: list[ServiceOut]


def _service_json(item: FollowupService) -> dict[str, Any]:
    return ServiceOut(
        id=item.id,
        class_id=item.training_class_id,
        trainee_id=item.trainee_id,
        instructor_id=item.instructor_id,
        kind=item.kind.value,
        kind_label=SERVICE_LABELS[item.kind],
        stage=item.stage,
        served_at=item.served_at,
        notes=item.notes,
        outcome=item.outcome,
        task_id=item.task_id,
    ).model_dump()


@bp.post("/trainees/<trainee_id:int>/followup-services")
@openapi.summary("登记后续跟踪服务（电话、岗位推送、个体指导、宣讲、对接会、家访）")
@response_model(ServiceOut, status=201)
@requires(*service.SERVICE_ROLES)
@json_body(ServiceIn)
async def add_service(
    request: Request, trainee_id: int, body: ServiceIn, actor: Actor
) -> HTTPResponse:
    """Log a follow-up service for a trainee of one of the caller's classes."""
    data = service.ServiceInput(**body.model_dump())
    saved = await service.record_service(actor=actor, trainee_id=trainee_id, data=data)
    return _reply(_service_json(saved), status=201)


@bp.get("/trainees/<trainee_id:int>/followup-services")
@openapi.summary("学员的后续跟踪服务记录")
@response_model(ServiceListOut)
@requires(*service.SERVICE_READERS)
async def list_services(request: Request, trainee_id: int, actor: Actor) -> HTTPResponse:
    """A trainee's follow-up services."""
    items = await service.services_of(actor=actor, trainee_id=trainee_id)
    return _reply(listed({"items": [_service_json(i) for i in items]}))


# -- dashboards -----------------------------------------------------------------------------------


class MilestoneSummary(BaseModel):
    """One stage of a class: how many invitations were queued, sent and answered."""

    stage: str
    label: str
    due_date: str | None
    trainees: int
    queued: int
    sent: int
    fallback: int
    failed: int
    answered: int


class FollowupEmploymentFigures(BaseModel):
    """第二十三条: the class's employment rate; `employed` and `rate` are the claimed figures."""

    enrolled: int = Field(description="结业时在册学员人数（两个就业率的共同分母）")
    employed: int = Field(description="已申报就业人数")
    rate: str = Field(
        description="已申报就业率，十进制字符串（如 0.8000；无学员时为 0）；数值形式见 claimed.rate"
    )
    claimed: EmploymentRateFigures
    verified: EmploymentRateFigures
    pending: int = Field(description="已申报、待人社部门核实")
    refused: int = Field(description="已申报、人社部门核实未通过")
    definition: str = Field(description="就业率的口径说明")


class TraineeServicesOut(BaseModel):
    """A trainee's follow-up services: counted, per stage, after the last stage, compliant."""

    trainee_id: int
    name: str
    services: int = Field(description="计入的后续跟踪服务次数（第二十五条）")
    by_stage: dict[str, int] = Field(description="各阶段（after_1_week 等）的服务次数")
    later: int = Field(description="第三阶段之后的服务次数（不计入）")
    compliant: bool


class ServiceComplianceOut(BaseModel):
    """Services per trainee against the required number (第二十五条)."""

    required_per_trainee: int
    compliant: int
    trainees: list[TraineeServicesOut]


class FollowupSummaryOut(BaseModel):
    """A class's follow-up: milestones, services per trainee, employment rate, tasks."""

    class_id: int
    title: str
    status: str
    end_date: str
    milestones: list[MilestoneSummary]
    services: ServiceComplianceOut
    employment: FollowupEmploymentFigures
    tasks: dict[str, int]


@bp.get("/classes/<class_id:int>/followup-summary")
@openapi.summary("培训班后续跟踪服务完成情况与就业率")
@response_model(FollowupSummaryOut)
@requires(*summary.SUMMARY_ROLES)
async def followup_summary(request: Request, class_id: int, actor: Actor) -> HTTPResponse:
    """Completion of the follow-up and the class's employment rate."""
    found = await summary.followup_summary(actor=actor, class_id=class_id)
    return _reply(model_reply(FollowupSummaryOut, found).model_dump(mode="json"))


class PageQuery(BaseModel):
    """Paging."""

    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=200)


class OverdueItemOut(BaseModel):
    """Something of the follow-up that should have been done by `due_date`."""

    kind: Literal["survey_unanswered", "task_overdue", "services_missing"]
    class_id: int
    class_title: str
    trainee_id: int | None
    trainee_name: str
    due_date: str
    detail: str


class OverdueOut(ListPage):
    """Overdue follow-up work: unanswered surveys, late tasks, trainees lacking services."""

    items: list[OverdueItemOut]


@bp.get("/followups/overdue")
@openapi.summary("逾期的后续跟踪事项（培训机构、人社部门）")
@response_model(OverdueOut)
@requires(*summary.OVERDUE_ROLES)
@query_args(PageQuery)
async def overdue(request: Request, query: PageQuery, actor: Actor) -> HTTPResponse:
    """What is overdue in the caller's classes."""
    total, items = await summary.overdue_items(actor=actor, offset=query.offset, limit=query.limit)
    rows = [OverdueItemOut.model_validate(i, from_attributes=True).model_dump() for i in items]
    body = {"items": rows}
    return _reply(listed(body, total=total, limit=query.limit, offset=query.offset))


# -- inbox ----------------------------------------------------------------------------------------


class InboxQuery(PageQuery):
    """Inbox filters and paging."""

    unread_only: bool = False


class InboxItem(BaseModel):
    """One inbox message."""

    id: int
    title: str
    body: str
    page: str
    created_at: LocalDateTime
    read_at: LocalDateTime | None


class InboxOut(ListPage):
    """A page of the inbox, newest first."""

    unread: int
    items: list[InboxItem]


def _inbox_item(item: Any) -> dict[str, Any]:
    return InboxItem(
        id=item.id,
        title=item.title,
        body=item.body,
        page=item.page,
        created_at=item.created_at,
        read_at=item.read_at,
    ).model_dump()


@bp.get("/me/inbox")
@openapi.summary("我的消息（站内信）")
@response_model(InboxOut)
@logged_in
@query_args(InboxQuery)
async def my_inbox(request: Request, query: InboxQuery, actor: Actor) -> HTTPResponse:
    """The caller's in-app messages."""
    page = await inbox.list_inbox(
        user_id=actor.user_id, unread_only=query.unread_only, offset=query.offset, limit=query.limit
    )
    items = [_inbox_item(i) for i in page.items]
    body = {"unread": page.unread, "items": items}
    return _reply(listed(body, total=page.total, limit=query.limit, offset=query.offset))


@bp.post("/me/inbox/<message_id:int>/read")
@openapi.summary("标记消息为已读")
@response_model(InboxItem)
@logged_in
async def read_message(request: Request, message_id: int, actor: Actor) -> HTTPResponse:
    """Mark one message read."""
    return _reply(_inbox_item(await inbox.mark_read(user_id=actor.user_id, message_id=message_id)))


# -- subscribe consent ----------------------------------------------------------------------------


class SubscriptionsIn(BaseModel):
    """The result of wx.requestSubscribeMessage: template id → accept / reject / ban / filter."""

    results: dict[str, Literal["accept", "reject", "ban", "filter"]] = Field(
        min_length=1, max_length=20
    )

    @field_validator("results")
    @classmethod
    def _template_ids(cls, value: dict[str, str]) -> dict[str, str]:
        if any(not key or len(key) > 64 for key in value):
            raise ValueError("模板ID长度应为1至64个字符")
        return value


class ConsentOut(BaseModel):
    """What the caller allows for one template."""

    template_id: str
    template_key: str | None
    long_term: bool
    remaining: int
    last_result: str | None
    can_send: bool


class ConsentListOut(ListPage):
    """The caller's consent per template."""

    items: list[ConsentOut]


def _consents(states: list[consent.ConsentState]) -> dict[str, Any]:
    items = [ConsentOut(can_send=s.can_send, **vars(s)).model_dump() for s in states]
    return listed({"items": items})


@bp.post("/me/subscriptions")
@openapi.summary("记录订阅消息授权结果（wx.requestSubscribeMessage）")
@response_model(ConsentListOut)
@logged_in
@json_body(SubscriptionsIn)
async def record_subscriptions(
    request: Request, body: SubscriptionsIn, actor: Actor
) -> HTTPResponse:
    """Record which templates the user accepted; each one-time accept allows one message."""
    results = {k: ConsentResult(v) for k, v in body.results.items()}
    states = await consent.record_subscription_results(user_id=actor.user_id, results=results)
    return _reply(_consents(states))


@bp.get("/me/subscriptions")
@openapi.summary("我的订阅消息授权（每个模板剩余可发送次数）")
@response_model(ConsentListOut)
@logged_in
async def my_subscriptions(request: Request, actor: Actor) -> HTTPResponse:
    """The caller's consent per template (which templates to ask for)."""
    return _reply(_consents(await consent.consent_states(user_id=actor.user_id)))


# -- human tasks ----------------------------------------------------------------------------------


class TaskQuery(PageQuery):
    """Task filters and paging."""

    status: TaskStatus | None = None
    kind: TaskKind | None = None
    overdue: bool = False


class TaskOut(BaseModel):
    """A task for a person: a phone call, a home visit."""

    id: int
    kind: str
    status: str
    reason: str
    due_date: str
    trainee_id: int | None
    class_id: int | None
    assignee_id: int | None
    done_at: LocalDateTime | None
    note: str


class TaskListOut(ListPage):
    """A page of tasks, the soonest due first."""

    items: list[TaskOut]


class TaskDoneIn(BaseModel):
    """What was done."""

    note: Text = Field(min_length=2, max_length=2000)


def _task_json(task: HumanTask) -> dict[str, Any]:
    return TaskOut(
        id=task.id,
        kind=task.kind.value,
        status=task.status.value,
        reason=task.reason,
        due_date=task.due_date.isoformat(),
        trainee_id=task.trainee_id,
        class_id=task.training_class_id,
        assignee_id=task.assignee_id,
        done_at=task.done_at,
        note=task.note,
    ).model_dump()


@bp.get("/tasks")
@openapi.summary("待办任务（电话回访、家访），可筛选逾期")
@response_model(TaskListOut)
@requires(*tasks.TASK_READERS)
@query_args(TaskQuery)
async def list_tasks(request: Request, query: TaskQuery, actor: Actor) -> HTTPResponse:
    """Tasks of the caller's classes (and those assigned to the caller)."""
    page = await tasks.list_tasks(
        actor=actor,
        status=query.status,
        kind=query.kind,
        overdue_only=query.overdue,
        offset=query.offset,
        limit=query.limit,
    )
    body = {"items": [_task_json(t) for t in page.items]}
    return _reply(listed(body, total=page.total, limit=query.limit, offset=query.offset))


@bp.post("/tasks/<task_id:int>/complete")
@openapi.summary("完成任务并填写情况说明")
@response_model(TaskOut)
@requires(*tasks.TASK_WORKERS)
@json_body(TaskDoneIn)
async def complete_task(
    request: Request, task_id: int, body: TaskDoneIn, actor: Actor
) -> HTTPResponse:
    """Mark a task done."""
    return _reply(
        _task_json(await tasks.complete_task(actor=actor, task_id=task_id, note=body.note))
    )
