"""Whether a class's follow-up after training is complete (第二十五条), for the last tranche.

Complete means: the 6-month stage has been reached for the class, every enrolled trainee had
at least MIN_SERVICES follow-up services within the three stages, and every home visit owed
to a trainee still unemployed at 6 months is done.
"""

from __future__ import annotations

from backend import clock
from backend.classes.models import Enrolment, EnrolmentStatus, TrainingClass
from backend.followups.models import FollowupMilestone, FollowupService, Stage
from backend.followups.service import MIN_SERVICES
from backend.notifications.models import HumanTask, TaskKind, TaskStatus

UNCOUNTED_STAGE = "after_6_months"


async def followup_completion(klass: TrainingClass) -> tuple[bool, str]:
    """(complete, why in Chinese) for one class."""
    last = (
        await FollowupMilestone.filter(training_class_id=klass.id, stage=Stage.MONTH_6)
        .order_by("-due_date")
        .first()
    )
    if last is None:
        return False, "尚未生成后续跟踪节点"
    if clock.today() < last.due_date:
        return False, f"6个月跟踪节点（{last.due_date.isoformat()}）尚未到达"
    enrolled = await Enrolment.filter(
        training_class_id=klass.id, status=EnrolmentStatus.ENROLLED
    ).values_list("trainee_id", flat=True)
    counts: dict[int, int] = {int(t): 0 for t in enrolled}  # type: ignore[call-overload]
    services = (
        await FollowupService.filter(training_class_id=klass.id)
        .exclude(stage=UNCOUNTED_STAGE)
        .values_list("trainee_id", flat=True)
    )
    for trainee_id in services:
        counts[int(trainee_id)] = counts.get(int(trainee_id), 0) + 1  # type: ignore[call-overload]
    short = sum(1 for n in counts.values() if n < MIN_SERVICES)
    open_visits = await HumanTask.filter(
        training_class_id=klass.id, kind=TaskKind.HOME_VISIT, status=TaskStatus.OPEN
    ).count()
    if short or open_visits:
        return False, f"{short}名学员后续服务少于{MIN_SERVICES}次，{open_visits}项家访未完成"
    return True, f"后续服务已完成（每名学员不少于{MIN_SERVICES}次，家访均已完成）"
