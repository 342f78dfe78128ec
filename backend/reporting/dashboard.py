"""HR dashboard: per district or institution, over a period, within HR's scope.

Every figure is summed from per-class figures that other modules compute (attendance,
feedback, follow-up, employment, subsidy), so each one can be traced back to its class.
Two figures for the console's charts: the employment rate by month of the classes' start
(`employment_by_month`, the same trainees as `employment`, cut by cohort), and the follow-up
funnel (`followup_funnel`: survey invitations queued → sent → answered, then trainees employed).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from backend.accounts.access import Actor, require_role
from backend.accounts.models import Institution, Role
from backend.attendance.views import class_attendance
from backend.classes.models import IN_FOLLOWUP_OR_CLOSED, TrainingClass
from backend.classes.scope import districts_in_scope
from backend.districts import district_name
from backend.employment.outcomes import EmploymentRates, class_employment_rates
from backend.errors import InvalidInput
from backend.followups.completion import followup_completion
from backend.followups.models import FollowupMilestone
from backend.followups.service import invitation_key
from backend.notifications.models import OutboxMessage, OutboxStatus
from backend.subsidies.service import SubsidyPlan, subsidy_plan
from backend.supervision.feedback import Averages, Sums, Tally, tallies

# 第二十二、二十七条: 人社部门 supervises the training and evaluates it; the dashboard is HR's.
VIEWERS = frozenset({Role.HR_ADMIN})


@dataclass(frozen=True, slots=True)
class Counted:
    """Trainees employed and the rate as a number in [0, 1] (None without trainees)."""

    employed: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class AttendanceFigures:
    """Attended of expected trainee-sessions, and the rate as a decimal string in [0, 1]."""

    attended: int
    expected: int
    rate: str | None


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """Count, sums and averages of the ratings of the sessions (每日意见)."""

    ratings: int
    sums: Sums
    averages: Averages


@dataclass(frozen=True, slots=True)
class FollowupFigures:
    """Classes in follow-up and those whose follow-up is complete (第二十五条)."""

    classes: int
    complete: int


@dataclass(frozen=True, slots=True)
class EmploymentFigures:
    """第二十三条: claimed and verified employment of the trainees in follow-up, side by side."""

    enrolled: int
    claimed: Counted
    verified: Counted


@dataclass(frozen=True, slots=True)
class SubsidyFigures:
    """第二十四条: the subsidy in yuan (two decimals): total, due and unpaid, paid."""

    total: str
    due_unpaid: str
    paid: str


@dataclass(frozen=True, slots=True)
class MonthEmployment:
    """第二十三条: employment of the trainees of the classes that started in one month."""

    month: str  # "2026-05"
    enrolled: int
    claimed: Counted
    verified: Counted


@dataclass(frozen=True, slots=True)
class Funnel:
    """Survey invitations queued → sent → answered; trainees employed (claimed, verified)."""

    invitations: int
    queued: int
    sent: int
    answered: int
    employed: int
    verified: int


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """One district or institution: every figure with the counts it comes from."""

    key: str
    name: str
    classes_by_status: dict[str, int]
    attendance: AttendanceFigures
    satisfaction: Satisfaction
    followup: FollowupFigures
    employment: EmploymentFigures
    subsidy: SubsidyFigures
    employment_by_month: list[MonthEmployment]
    followup_funnel: Funnel


@dataclass(frozen=True, slots=True)
class Period:
    """The period of the classes' start, both ends included (ISO dates)."""

    start: str
    end: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The groups, their total, the period and the number of sessions."""

    by: str  # district or institution
    period: Period
    groups: list[GroupFigures]
    total: GroupFigures
    sessions: int


@dataclass
class Group:
    """Sums for one district or institution."""

    key: str
    name: str
    classes: Counter[str] = field(default_factory=Counter)
    attended: int = 0
    expected: int = 0
    feedback: Tally = field(default_factory=Tally)
    followup_classes: int = 0
    followup_complete: int = 0
    enrolled_after: int = 0
    employed_after: int = 0  # claimed
    verified_after: int = 0
    subsidy_total: Decimal = Decimal(0)
    subsidy_due: Decimal = Decimal(0)
    subsidy_paid: Decimal = Decimal(0)
    # month of the class start ("2026-05") → [enrolled, claimed employed, verified employed]
    months: dict[str, list[int]] = field(default_factory=dict)
    # survey invitations of the follow-up milestones: invitations, queued, sent, answered
    funnel: Counter[str] = field(default_factory=Counter)

    def view(self) -> GroupFigures:
        """The figures with the rates and the counts they come from."""
        return GroupFigures(
            key=self.key,
            name=self.name,
            classes_by_status=dict(self.classes),
            attendance=AttendanceFigures(
                attended=self.attended,
                expected=self.expected,
                rate=_rate(self.attended, self.expected),
            ),
            satisfaction=Satisfaction(
                ratings=self.feedback.ratings,
                sums=self.feedback.sums(),
                averages=self.feedback.averages(),
            ),
            followup=FollowupFigures(
                classes=self.followup_classes, complete=self.followup_complete
            ),
            employment=EmploymentFigures(
                enrolled=self.enrolled_after,
                claimed=_counted(self.employed_after, self.enrolled_after),
                verified=_counted(self.verified_after, self.enrolled_after),
            ),
            subsidy=SubsidyFigures(
                total=_money(self.subsidy_total),
                due_unpaid=_money(self.subsidy_due),
                paid=_money(self.subsidy_paid),
            ),
            employment_by_month=[
                MonthEmployment(
                    month=month,
                    enrolled=enrolled,
                    claimed=_counted(claimed, enrolled),
                    verified=_counted(verified, enrolled),
                )
                for month, (enrolled, claimed, verified) in sorted(self.months.items())
            ],
            followup_funnel=Funnel(
                invitations=self.funnel["invitations"],
                queued=self.funnel["queued"],
                sent=self.funnel["sent"],
                answered=self.funnel["answered"],
                employed=self.employed_after,
                verified=self.verified_after,
            ),
        )


def _money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def _rate(part: int, whole: int) -> str | None:
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))) if whole else None


def _counted(part: int, whole: int) -> Counted:
    """Employed and the rate as a number in [0, 1] (None without trainees)."""
    rate = _rate(part, whole)
    return Counted(employed=part, rate=float(rate) if rate is not None else None)


def _scoped(actor: Actor, period: tuple[date, date]) -> Any:
    return TrainingClass.filter(
        districts_in_scope(actor), start_date__gte=period[0], start_date__lte=period[1]
    )


async def _followup_figures(
    klass: TrainingClass, plan: SubsidyPlan
) -> tuple[bool, EmploymentRates]:
    """Follow-up completion and employment: from the plan, which has them for trainee classes."""
    if plan.followup_complete is not None and plan.employment is not None:
        return plan.followup_complete, plan.employment
    return (await followup_completion(klass))[0], await class_employment_rates(klass.id)


async def _funnel(class_id: int) -> Counter[str]:
    """The class's survey invitations: how many exist, were queued, sent and answered."""
    milestones = await FollowupMilestone.filter(training_class_id=class_id).values_list(
        "id", "invited_at", "answered_at"
    )
    keys = [invitation_key(m) for m, _, _ in milestones]
    sent = await OutboxMessage.filter(dedupe_key__in=keys, status=OutboxStatus.SENT).count()
    return Counter(
        invitations=len(milestones),
        queued=sum(1 for _, invited, _ in milestones if invited is not None),
        sent=sent,
        answered=sum(1 for _, _, answered in milestones if answered is not None),
    )


async def _add_class(group: Group, klass: TrainingClass) -> int:
    """Add one class's figures to its group; the number of its sessions."""
    group.classes[klass.status.value] += 1
    matrix = await class_attendance(klass=klass)
    held = matrix.held()
    group.expected += len(held) * len(matrix.trainees)
    group.attended += sum(
        matrix.cells[(t.trainee_id, s.id)].counted for t in matrix.trainees for s in held
    )
    for tally in (await tallies([s.id for s in matrix.sessions])).values():
        group.feedback.add(tally)
    plan = await subsidy_plan(klass, matrix=matrix)
    if klass.status in IN_FOLLOWUP_OR_CLOSED:
        complete, rate = await _followup_figures(klass, plan)
        group.followup_classes += 1
        group.followup_complete += complete
        group.enrolled_after += rate.claimed.enrolled
        group.employed_after += rate.claimed.employed
        group.verified_after += rate.verified.employed
        month = group.months.setdefault(klass.start_date.strftime("%Y-%m"), [0, 0, 0])
        month[0] += rate.claimed.enrolled
        month[1] += rate.claimed.employed
        month[2] += rate.verified.employed
        group.funnel.update(await _funnel(klass.id))
    group.subsidy_total += plan.total
    group.subsidy_paid += plan.paid
    group.subsidy_due += plan.due_unpaid
    return len(matrix.sessions)


async def hr_dashboard(*, actor: Actor, by: str, start: date, end: date) -> Dashboard:
    """Figures by district or institution for classes starting in [start, end]."""
    require_role(actor, VIEWERS)
    if by not in ("district", "institution"):
        raise InvalidInput("分组方式应为 district 或 institution", code="GROUP_INVALID")
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期", code="PERIOD_INVALID")
    classes = await _scoped(actor, (start, end)).order_by("id")
    names = dict(await Institution.all().values_list("id", "name"))
    groups: dict[str, Group] = {}
    sessions = 0
    for klass in classes:
        key = klass.district_code if by == "district" else str(klass.institution_id)
        name = district_name(key) if by == "district" else str(names.get(klass.institution_id, key))
        sessions += await _add_class(groups.setdefault(key, Group(key, name)), klass)
    total = Group("all", "合计")
    for g in groups.values():
        _fold(total, g)
    return Dashboard(
        by=by,
        period=Period(start=start.isoformat(), end=end.isoformat()),
        groups=[g.view() for g in groups.values()],
        total=total.view(),
        sessions=sessions,
    )


def _fold(total: Group, g: Group) -> None:
    total.classes.update(g.classes)
    total.attended += g.attended
    total.expected += g.expected
    total.feedback.add(g.feedback)
    total.followup_classes += g.followup_classes
    total.followup_complete += g.followup_complete
    total.enrolled_after += g.enrolled_after
    total.employed_after += g.employed_after
    total.verified_after += g.verified_after
    total.subsidy_total += g.subsidy_total
    total.subsidy_due += g.subsidy_due
    total.subsidy_paid += g.subsidy_paid
    total.funnel.update(g.funnel)
    for key, (enrolled, claimed, verified) in g.months.items():
        month = total.months.setdefault(key, [0, 0, 0])
        month[0] += enrolled
        month[1] += claimed
        month[2] += verified
