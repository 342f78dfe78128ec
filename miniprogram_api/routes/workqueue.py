"""The work queue (待办) and 第十九条 private-substitution cases."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend import clock
from backend.accounts.access import Actor
from backend.clock import LocalDateTime
from backend.substitution import service as substitution
from backend.substitution.models import CaseStatus, SubstitutionCase
from backend.workqueue.service import READERS, work_queue
from miniprogram_api.auth import requires
from miniprogram_api.validation import ListPage, Text, json_body, listed, query_args, response_model

bp = Blueprint("workqueue")


class WorkItemOut(BaseModel):
    """One thing to do, with its deadline and the working days left where the regulation counts."""

    kind: str = Field(description="plan_review, leave_request, advance_payment, … (see counts)")
    kind_label: str
    title: str
    deadline: date | None
    days_left: int | None = Field(
        description="working days from today to the deadline (0 on the day, negative once "
        "passed); null where no working-day rule applies or the calendar lacks the year"
    )
    overdue: bool
    article: str
    link: str = Field(description="API path (GET) where the object is found and acted on")
    object_type: str = Field(description="class, leave, session, trainee, task, …")
    object_id: int
    class_id: int | None
    institution_id: int | None
    count: int


class WorkQueueOut(ListPage):
    """The caller's work, soonest deadline first, and how many items of each kind."""

    items: list[WorkItemOut]
    counts: dict[str, int]


@bp.get("/me/work-queue")
@openapi.summary("我的待办：按截止日期排序，含各类数量与工作日倒计时")
@response_model(WorkQueueOut)
@requires(*READERS)
async def my_work_queue(request: Request, actor: Actor) -> HTTPResponse:
    """What the caller must do now."""
    queue = await work_queue(actor=actor)
    items = [WorkItemOut.model_validate(i, from_attributes=True) for i in queue.items]
    page = WorkQueueOut.model_validate(listed({"items": items, "counts": queue.counts}))
    return json(page.model_dump(mode="json"), ensure_ascii=False)


class SubstitutionCaseQuery(BaseModel):
    """Filters and paging of substitution cases."""

    status: CaseStatus | None = None
    class_id: int | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=100)


class SubstitutionCaseOut(BaseModel):
    """A suspected private substitution (第十九条) and HR's finding."""

    id: int
    class_id: int
    session_id: int
    missing_instructor_ids: list[int]
    trainees_checked_in: int
    status: str
    opened_at: LocalDateTime
    decided_at: LocalDateTime | None
    reason: str


class SubstitutionCasePage(BaseModel):
    """A page of substitution cases."""

    items: list[SubstitutionCaseOut]
    total: int
    limit: int
    offset: int


class SubstitutionDecisionIn(BaseModel):
    """HR's finding: confirm (the class loses its subsidy eligibility) or dismiss, with a reason."""

    decision: Text = Field(pattern="^(confirm|dismiss)$")
    reason: Text = Field(min_length=2, max_length=500)


def _case(case: SubstitutionCase) -> dict[str, object]:
    return {
        "id": case.id,
        "class_id": case.training_class_id,
        "session_id": case.session_id,
        "missing_instructor_ids": list(case.missing_instructor_ids),
        "trainees_checked_in": case.trainees_checked_in,
        "status": case.status.value,
        "opened_at": clock.local(case.opened_at).isoformat(),
        "decided_at": clock.local(case.decided_at).isoformat() if case.decided_at else None,
        "reason": case.reason,
    }


@bp.get("/substitution-cases")
@openapi.summary("疑似私自代课核实事项（第十九条）")
@response_model(SubstitutionCasePage)
@requires(*substitution.DECIDERS)
@query_args(SubstitutionCaseQuery)
async def list_cases(request: Request, query: SubstitutionCaseQuery, actor: Actor) -> HTTPResponse:
    """Cases of the classes HR covers, newest first."""
    page = await substitution.list_cases(
        actor=actor,
        status=query.status,
        class_id=query.class_id,
        offset=query.offset,
        limit=query.limit,
    )
    items = [_case(c) for c in page.items]
    body = {"items": items, "total": page.total, "limit": query.limit, "offset": query.offset}
    return json(body, ensure_ascii=False)


@bp.post("/substitution-cases/<case_id:int>/decision")
@openapi.summary("人社部门核实私自代课：认定（取消该班级补贴申请资格）或排除，须填写理由")
@response_model(SubstitutionCaseOut)
@requires(*substitution.DECIDERS)
@json_body(SubstitutionDecisionIn)
async def decide_case(
    request: Request, case_id: int, body: SubstitutionDecisionIn, actor: Actor
) -> HTTPResponse:
    """Confirm or dismiss a case."""
    case = await substitution.decide_case(
        actor=actor, case_id=case_id, confirm=body.decision == "confirm", reason=body.reason
    )
    return json(_case(case), ensure_ascii=False)
