"""第八条(三): institutions plan their classes for the year and the month; HR compares the
plan with the classes actually run (counted from the classes table, never typed in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Institution, Role
from backend.classes.models import ClassStatus, Enrolment, EnrolmentStatus, TrainingClass
from backend.classes.scope import institution_covers
from backend.districts import is_known_district
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.money import money_text
from backend.programme.models import InstitutionPlan, PlanStatus

# The institution drafts and submits its plan (第八条(三)); HR of its district reads it.
WRITERS = frozenset({Role.INSTITUTION_ADMIN})
READERS = frozenset({Role.INSTITUTION_ADMIN, Role.HR_ADMIN})

# A class counts as actual once HR approved it (rejected and draft plans do not).
COUNTED = (
    ClassStatus.APPROVED,
    ClassStatus.IN_PROGRESS,
    ClassStatus.COMPLETED,
    ClassStatus.FOLLOWING_UP,
    ClassStatus.CLOSED,
)


async def _institution_in_scope(actor: Actor, institution_id: int, *, write: bool) -> Institution:
    institution = await Institution.get_or_none(id=institution_id)
    if institution is None:
        raise NotFound("培训机构不存在", code="INSTITUTION_NOT_FOUND")
    if institution_covers(actor, institution, WRITERS if write else READERS):
        return institution
    if write and institution_covers(actor, institution, READERS):
        raise Forbidden("培训计划由培训机构制定并报送", code="ROLE_FORBIDDEN")
    raise NotFound("培训机构不存在或不在您的管理范围内", code="INSTITUTION_NOT_FOUND")


async def save_plan(
    *,
    actor: Actor,
    institution_id: int,
    year: int,
    month: int | None,
    classes_planned: int,
    trainees_planned: int,
    districts: list[str],
    budget: Decimal,
) -> InstitutionPlan:
    """Create or revise an annual (month None) or monthly plan while it is a draft."""
    require_role(actor, READERS)
    await _institution_in_scope(actor, institution_id, write=True)
    if month is not None and not 1 <= month <= 12:
        raise InvalidInput("月份应为1至12", code="PLAN_MONTH_INVALID")
    if any(not is_known_district(d) for d in districts):
        raise InvalidInput("区县代码不正确", code="DISTRICT_UNKNOWN")
    values: dict[str, Any] = {
        "classes_planned": classes_planned,
        "trainees_planned": trainees_planned,
        "districts": districts,
        "budget": budget,
    }
    plan = await InstitutionPlan.get_or_none(institution_id=institution_id, year=year, month=month)
    if plan is not None and plan.status == PlanStatus.SUBMITTED:
        raise Conflict("该计划已报送，不能修改", code="PLAN_ALREADY_SUBMITTED")
    if plan is None:
        try:
            return await InstitutionPlan.create(
                institution_id=institution_id, year=year, month=month, **values
            )
        except IntegrityError:
            raise Conflict("该期间的计划已存在", code="PLAN_EXISTS") from None
    await InstitutionPlan.filter(id=plan.id).update(**values)
    return await InstitutionPlan.get(id=plan.id)


async def submit_plan_to_hr(*, actor: Actor, plan_id: int) -> InstitutionPlan:
    """Report a plan to HR (第八条(三)); afterwards it is fixed."""
    plan = await InstitutionPlan.get_or_none(id=plan_id)
    if plan is None:
        raise NotFound("培训计划不存在", code="PLAN_NOT_FOUND")
    await _institution_in_scope(actor, plan.institution_id, write=True)
    updated = await InstitutionPlan.filter(id=plan.id, status=PlanStatus.DRAFT).update(
        status=PlanStatus.SUBMITTED, submitted_at=clock.now()
    )
    if not updated:
        raise Conflict("该计划已报送", code="PLAN_ALREADY_SUBMITTED")
    return await InstitutionPlan.get(id=plan.id)


def _period(year: int, month: int | None) -> tuple[date, date]:
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    last = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, 1), date.fromordinal(last.toordinal() - 1)


@dataclass(frozen=True)
class Actual:
    """What the classes table says happened in a period."""

    classes: int
    trainees: int


@dataclass(frozen=True)
class PlanRow:
    """The year (month None) or one month: the plan beside what happened."""

    month: int | None
    planned_classes: int | None
    planned_trainees: int | None
    budget: str | None
    status: str | None
    actual: Actual


@dataclass(frozen=True)
class PlanVsActual:
    """An institution's plans of a year beside its classes."""

    institution_id: int
    institution: str
    year: int
    rows: list[PlanRow]


async def actual_for(institution_id: int, year: int, month: int | None) -> Actual:
    """Classes approved or run with a start date in the period, and their enrolled trainees."""
    first, last = _period(year, month)
    class_ids = await TrainingClass.filter(
        institution_id=institution_id,
        status__in=COUNTED,
        start_date__gte=first,
        start_date__lte=last,
    ).values_list("id", flat=True)
    trainees = await Enrolment.filter(
        training_class_id__in=list(class_ids), status=EnrolmentStatus.ENROLLED
    ).count()
    return Actual(classes=len(class_ids), trainees=trainees)


async def plan_vs_actual(*, actor: Actor, institution_id: int, year: int) -> PlanVsActual:
    """The annual plan and each monthly plan beside what the classes table says happened."""
    require_role(actor, READERS)
    institution = await _institution_in_scope(actor, institution_id, write=False)
    plans = {
        p.month: p for p in await InstitutionPlan.filter(institution_id=institution_id, year=year)
    }
    rows = []
    for month in [None, *range(1, 13)]:
        plan = plans.get(month)
        if plan is None and month is not None:
            continue
        rows.append(
            PlanRow(
                month=month,
                planned_classes=plan.classes_planned if plan else None,
                planned_trainees=plan.trainees_planned if plan else None,
                budget=money_text(plan.budget) if plan else None,
                status=plan.status.value if plan else None,
                actual=await actual_for(institution_id, year, month),
            )
        )
    return PlanVsActual(
        institution_id=institution.id, institution=institution.name, year=year, rows=rows
    )
