"""Whether a class's follow-up after training is complete (第二十五条).

Complete means: the 6-month stage has been reached for the class, every enrolled trainee had
at least MIN_SERVICES follow-up services within the three stages (`counted_services`), and
every home visit owed to a trainee still unemployed at 6 months is done.

A home visit is owed by the trainee's latest employment record, not by the task the worker
opens a week after the 6-month milestone: until that task exists the visit is still owed, so
follow-up cannot read as complete in the days between the milestone and the task. It is done
by a home-visit service logged on or after the 6-month milestone, or by its task marked done.

The last subsidy tranche (`backend.subsidies`), closing (`closing`) and the overdue listing
(`summary`) all read the rule from here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from datetime import date

from backend import clock
from backend.classes.models import Enrolment, EnrolmentStatus, TrainingClass
from backend.employment.outcomes import latest_outcomes
from backend.followups.models import FollowupMilestone, FollowupService, ServiceKind, Stage
from backend.followups.service import MIN_SERVICES, milestone_dates, needs_home_visit
from backend.notifications.models import HumanTask, TaskKind, TaskStatus

# 第二十五条: services within the three stages count; later ones (AFTER_STAGES) do not.
COUNTED_STAGES = frozenset(s.value for s in Stage)


# -- the 6-month day ------------------------------------------------------------------------------


def six_months_after(end_date: date) -> date:
    """The 6-month day as the regulation computes it from the class's end date."""
    return milestone_dates(end_date)[Stage.MONTH_6]


async def six_month_due(klass: TrainingClass) -> date | None:
    """The day the class's 6-month stage is reached (its last 6-month milestone), if any."""
    last = (
        await FollowupMilestone.filter(training_class_id=klass.id, stage=Stage.MONTH_6)
        .order_by("-due_date")
        .first()
    )
    return None if last is None else last.due_date


async def six_month_day(klass: TrainingClass) -> date:
    """The day the 6-month stage is reached: the last 6-month milestone, else end + 6 months."""
    due = await six_month_due(klass)
    return due if due is not None else six_months_after(klass.end_date)


# -- services -------------------------------------------------------------------------------------


async def services_by_stage(
    class_ids: Collection[int],
) -> defaultdict[tuple[int, int], Counter[str]]:
    """Follow-up services per (class id, trainee id), by stage (later ones included)."""
    rows = await FollowupService.filter(training_class_id__in=list(class_ids)).values_list(
        "training_class_id", "trainee_id", "stage"
    )
    found: defaultdict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    for class_id, trainee_id, stage in rows:
        found[(int(class_id), int(trainee_id))][str(stage)] += 1
    return found


def counted(by_stage: Mapping[str, int]) -> int:
    """第二十五条: the services that count, those within the three stages."""
    return sum(n for stage, n in by_stage.items() if stage in COUNTED_STAGES)


async def counted_services(class_ids: Collection[int]) -> Counter[tuple[int, int]]:
    """第二十五条: counted services per (class id, trainee id); compare with MIN_SERVICES."""
    found = await services_by_stage(class_ids)
    return Counter({key: counted(by_stage) for key, by_stage in found.items()})


# -- completion -----------------------------------------------------------------------------------


async def _visits_owed(klass: TrainingClass, trainee_ids: list[int], due: date) -> int:
    """第二十五条: trainees not employed at 6 months whose home visit is not done yet.

    A home-visit task still open counts too (a person was sent and has not reported back).
    """
    latest = await latest_outcomes(trainee_ids)
    owed = {t for t in trainee_ids if needs_home_visit(latest[t].status if t in latest else None)}
    tasks = await HumanTask.filter(
        training_class_id=klass.id, kind=TaskKind.HOME_VISIT
    ).values_list("trainee_id", "status")
    open_tasks = {int(t) for t, status in tasks if t is not None and status == TaskStatus.OPEN}
    done = {int(t) for t, status in tasks if t is not None and status == TaskStatus.DONE}
    visited = await FollowupService.filter(
        training_class_id=klass.id, trainee_id__in=list(owed), kind=ServiceKind.HOME_VISIT
    ).values_list("trainee_id", "served_at")
    done |= {int(t) for t, served_at in visited if clock.local(served_at).date() >= due}
    return len((owed - done) | open_tasks)


async def followup_completion(klass: TrainingClass) -> tuple[bool, str]:
    """(complete, why in Chinese) for one class."""
    # Only a generated milestone marks the stage reached: no fallback to end + 6 months here.
    due = await six_month_due(klass)
    if due is None:
        return False, "尚未生成后续跟踪节点"
    if clock.today() < due:
        return False, f"6个月跟踪节点（{due.isoformat()}）尚未到达"
    enrolled = await Enrolment.filter(
        training_class_id=klass.id, status=EnrolmentStatus.ENROLLED
    ).values_list("trainee_id", flat=True)
    trainee_ids = [int(t) for t in enrolled]  # type: ignore[call-overload]
    services = await counted_services([klass.id])
    short = sum(1 for t in trainee_ids if services[(klass.id, t)] < MIN_SERVICES)
    open_visits = await _visits_owed(klass, trainee_ids, due)
    if short or open_visits:
        return False, f"{short}名学员后续服务少于{MIN_SERVICES}次，{open_visits}项家访未完成"
    return True, f"后续服务已完成（每名学员不少于{MIN_SERVICES}次，家访均已完成）"
