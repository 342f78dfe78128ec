"""Follow-up dashboards: one class's completion and employment rate, and what is overdue.

The employment rate has one definition, `backend.employment.outcomes.class_employment_rate`;
`EMPLOYMENT_RATE_DEFINITION` says it in words for the people reading the dashboard.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role, Trainee
from backend.classes.models import FINISHED, Enrolment, EnrolmentStatus, TrainingClass
from backend.classes.scope import authorize_class, classes_in_scope
from backend.employment.outcomes import EmploymentRate, class_employment_rates
from backend.followups.completion import (
    counted,
    counted_services,
    services_by_stage,
    six_months_after,
)
from backend.followups.models import STAGE_LABELS, FollowupMilestone, Stage
from backend.followups.service import AFTER_STAGES, MIN_SERVICES, SURVEY_GRACE_DAYS, invitation_key
from backend.notifications.models import HumanTask, OutboxMessage, TaskStatus

SUMMARY_ROLES = frozenset(
    {Role.INSTITUTION_ADMIN, Role.HR_ADMIN, Role.CLASS_TEACHER, Role.STAFF, Role.INSTRUCTOR}
)
OVERDUE_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.HR_ADMIN})
EMPLOYMENT_RATE_DEFINITION = (
    "就业率 = 结业时在册学员中，最新一条就业记录为“单位就业”或“自主创业/灵活就业”的人数"
    " ÷ 结业时在册学员人数；已退学者不计入，没有就业记录者按未就业计，升学不计为就业。"
    "“已申报”(claimed) 计入全部申报，“已核实”(verified) 只计入人社部门核实通过的记录。"
)
STAGES = list(Stage)


@dataclass(frozen=True, slots=True)
class StageRow:
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


@dataclass(frozen=True, slots=True)
class TraineeServices:
    """A trainee's follow-up services: counted, per stage, after the last stage, compliant."""

    trainee_id: int
    name: str
    services: int
    by_stage: dict[str, int]  # keyed by stage value
    later: int
    compliant: bool


@dataclass(frozen=True, slots=True)
class ServiceCompliance:
    """Services per trainee against the required number."""

    required_per_trainee: int
    compliant: int
    trainees: list[TraineeServices]


@dataclass(frozen=True, slots=True)
class FollowupEmployment:
    """The class's employment rate (第二十三条): `employed` and `rate` (a decimal string) are the
    claimed figures, as before; then claimed and verified side by side, and the definition."""

    enrolled: int
    employed: int
    rate: str
    claimed: EmploymentRate
    verified: EmploymentRate
    pending: int  # claimed, not yet checked by HR
    refused: int  # claimed, refused by HR
    definition: str


@dataclass(frozen=True, slots=True)
class FollowupSummary:
    """A class's follow-up: milestones, services per trainee, employment rate, tasks.

    `tasks` counts per "kind:status": a mapping documented as a free-form object.
    """

    class_id: int
    title: str
    status: str
    end_date: str
    milestones: list[StageRow]
    services: ServiceCompliance
    employment: FollowupEmployment
    tasks: dict[str, int]


def _stage_rows(milestones: list[dict[str, Any]], statuses: dict[str, str]) -> list[StageRow]:
    rows = []
    for stage in STAGES:
        mine = [m for m in milestones if m["stage"] == stage]
        sent = Counter(statuses.get(invitation_key(m["id"]), "") for m in mine)
        rows.append(
            StageRow(
                stage=stage.value,
                label=STAGE_LABELS[stage],
                due_date=mine[0]["due_date"].isoformat() if mine else None,
                trainees=len(mine),
                queued=sum(1 for m in mine if m["invited_at"] is not None),
                sent=sent["sent"],
                fallback=sent["fallback"],
                failed=sent["failed"],
                answered=sum(1 for m in mine if m["answered_at"] is not None),
            )
        )
    return rows


async def _service_rows(class_id: int) -> list[TraineeServices]:
    trainee_ids = await Enrolment.filter(
        training_class_id=class_id, status=EnrolmentStatus.ENROLLED
    ).values_list("trainee_id", flat=True)
    names = dict(await Trainee.filter(id__in=list(trainee_ids)).values_list("id", "name"))
    counts = await services_by_stage([class_id])
    rows = []
    for trainee_id in sorted(names):
        mine = counts[(class_id, trainee_id)]
        rows.append(
            TraineeServices(
                trainee_id=trainee_id,
                name=names[trainee_id],
                services=counted(mine),
                by_stage={s.value: mine[s.value] for s in STAGES},
                later=mine[AFTER_STAGES],
                compliant=counted(mine) >= MIN_SERVICES,
            )
        )
    return rows


async def followup_summary(*, actor: Actor, class_id: int) -> FollowupSummary:
    """Per milestone queued / sent / answered, services per trainee, employment rate, tasks."""
    klass = await authorize_class(actor, class_id, SUMMARY_ROLES)
    milestones = await FollowupMilestone.filter(training_class_id=class_id).values(
        "id", "stage", "due_date", "invited_at", "answered_at"
    )
    keys = [invitation_key(m["id"]) for m in milestones]
    statuses = dict(
        await OutboxMessage.filter(dedupe_key__in=keys).values_list("dedupe_key", "status")
    )
    services = await _service_rows(class_id)
    tasks = Counter(
        f"{kind}:{status}"
        for kind, status in await HumanTask.filter(training_class_id=class_id).values_list(
            "kind", "status"
        )
    )
    rates = await class_employment_rates(class_id)
    return FollowupSummary(
        class_id=klass.id,
        title=klass.title,
        status=klass.status.value,
        end_date=klass.end_date.isoformat(),
        milestones=_stage_rows(list(milestones), {k: str(v) for k, v in statuses.items()}),
        services=ServiceCompliance(
            required_per_trainee=MIN_SERVICES,
            compliant=sum(1 for s in services if s.compliant),
            trainees=services,
        ),
        employment=FollowupEmployment(
            enrolled=rates.enrolled,
            employed=rates.claimed.employed,
            rate=str(rates.claimed.rate),
            claimed=rates.claimed,
            verified=rates.verified,
            pending=rates.pending,
            refused=rates.refused,
            definition=EMPLOYMENT_RATE_DEFINITION,
        ),
        tasks=dict(sorted(tasks.items())),
    )


# -- overdue --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueItem:
    """Something of the follow-up that should have been done by `due_date`."""

    kind: str  # survey_unanswered, task_overdue, services_missing
    class_id: int
    class_title: str
    trainee_id: int | None
    trainee_name: str
    due_date: str
    detail: str


async def _unanswered(class_ids: list[int], today: date) -> list[tuple[int, int, date, str]]:
    rows = await FollowupMilestone.filter(
        training_class_id__in=class_ids,
        answered_at__isnull=True,
        due_date__lt=today - timedelta(days=SURVEY_GRACE_DAYS),
    ).values_list("training_class_id", "trainee_id", "due_date", "stage")
    return [
        (c, t, d + timedelta(days=SURVEY_GRACE_DAYS), f"{STAGE_LABELS[Stage(s)]}回访问卷未填写")
        for c, t, d, s in rows
    ]


async def _late_tasks(class_ids: list[int], today: date) -> list[tuple[int, int, date, str]]:
    rows = await HumanTask.filter(
        training_class_id__in=class_ids, status=TaskStatus.OPEN, due_date__lt=today
    ).values_list("training_class_id", "trainee_id", "due_date", "kind", "id")
    return [(c, t, d, f"任务#{i}（{k}）逾期未完成") for c, t, d, k, i in rows]


async def _missing_services(
    classes: list[TrainingClass], today: date
) -> list[tuple[int, int, date, str]]:
    # The 6-month day from each class's end date, not its milestones: one pass over many
    # classes without a milestone query each (completion and closing read the milestones).
    ended = {k.id: six_months_after(k.end_date) for k in classes}
    ended = {c: d for c, d in ended.items() if d < today}
    if not ended:
        return []
    pairs = await Enrolment.filter(
        training_class_id__in=list(ended), status=EnrolmentStatus.ENROLLED
    ).values_list("training_class_id", "trainee_id")
    services = await counted_services(ended)
    return [
        (c, t, ended[c], f"后续跟踪服务{services[(c, t)]}次，少于{MIN_SERVICES}次（第二十五条）")
        for c, t in pairs
        if services[(c, t)] < MIN_SERVICES
    ]


async def overdue_items(*, actor: Actor, offset: int, limit: int) -> tuple[int, list[OverdueItem]]:
    """Overdue follow-up work in the classes of the actor's institution or district."""
    require_role(actor, OVERDUE_ROLES)
    classes = await TrainingClass.filter(
        await classes_in_scope(actor, OVERDUE_ROLES), status__in=FINISHED
    )
    if not classes:
        return 0, []
    today, ids = clock.today(), [k.id for k in classes]
    found = [("survey_unanswered", *row) for row in await _unanswered(ids, today)]
    found += [("task_overdue", *row) for row in await _late_tasks(ids, today)]
    found += [("services_missing", *row) for row in await _missing_services(classes, today)]
    found.sort(key=lambda item: (item[3], item[1], item[2] or 0))
    page = found[offset : offset + limit]
    titles = {k.id: k.title for k in classes}
    names = dict(
        await Trainee.filter(id__in={p[2] for p in page if p[2]}).values_list("id", "name")
    )
    items = [
        OverdueItem(kind, c, titles[c], t, names.get(t, "") if t else "", d.isoformat(), detail)
        for kind, c, t, d, detail in page
    ]
    return len(found), items
