"""第十五条: the instructor annual evaluation.

Satisfaction, teaching volume, follow-up services and the employment rate of the instructor's
classes, with weights that are shown (EVALUATION_WEIGHTS), plus HR's findings; the result
guides later selection and assignment (评价结果作为后续师资选聘、调配的依据).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role
from backend.classes.models import ClassInstructor, TrainingClass
from backend.config import parse_evaluation_weights
from backend.employment.outcomes import class_employment_rates
from backend.errors import InvalidInput
from backend.followups.models import FollowupService
from backend.runtime import runtime
from backend.supervision.feedback import Tally, tallies
from backend.supervision.models import InstructorEvaluation
from backend.supervision.service import readable_instructor, taught_sessions, year_bounds

# The yearly volume and services that earn full marks; shown with every result.
FULL_VOLUME_SESSIONS = 40
FULL_FOLLOWUP_SERVICES = 60
EVALUATORS = frozenset({Role.HR_ADMIN})  # 第十五条: 人社部门's 年度综合评价 of instructors


def _points(value: Decimal) -> Decimal:
    return min(max(value, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """The four measured parts of an evaluation, before weighting."""

    satisfaction: Tally
    sessions: int
    services: int
    employed: int
    enrolled: int

    def points(self) -> dict[str, Decimal]:
        """Each part on a 0–100 scale."""
        n = self.satisfaction.ratings
        average = Decimal(self.satisfaction.instructor) / n if n else Decimal(1)
        return {
            "satisfaction": _points((average - 1) / 4 * 100),
            "volume": _points(Decimal(self.sessions) / FULL_VOLUME_SESSIONS * 100),
            "followup": _points(Decimal(self.services) / FULL_FOLLOWUP_SERVICES * 100),
            "employment": _points(
                Decimal(self.employed) / self.enrolled * 100 if self.enrolled else Decimal(0)
            ),
        }


def weights() -> dict[str, Decimal]:
    """The weight of each part in force (EVALUATION_WEIGHTS, checked when settings load)."""
    return parse_evaluation_weights(runtime().settings.evaluation_weights)


async def measure(instructor_id: int, year: int) -> Figures:
    """The figures of one instructor in one calendar year (Asia/Shanghai)."""
    start, end = year_bounds(year)
    session_ids = list(await taught_sessions(instructor_id, year))
    tally = Tally()
    for t in (await tallies(session_ids)).values():
        tally.add(t)
    services = await FollowupService.filter(
        instructor_id=instructor_id, served_at__gte=start, served_at__lt=end
    ).count()
    class_ids = await ClassInstructor.filter(instructor_id=instructor_id).values_list(
        "training_class_id", flat=True
    )
    employed = enrolled = 0
    basis = runtime().settings.employment_gate_basis
    for klass in await TrainingClass.filter(
        id__in=list(class_ids), end_date__gte=date(year, 1, 1), end_date__lte=date(year, 12, 31)
    ):
        # the rate the subsidy's 80% gate reads (EMPLOYMENT_GATE_BASIS, HR-verified by default):
        # an instructor is not scored on claims nobody checked
        rate = (await class_employment_rates(klass.id)).basis(basis)
        employed, enrolled = employed + rate.employed, enrolled + rate.enrolled
    return Figures(tally, len(session_ids), services, employed, enrolled)


@dataclass(frozen=True)
class Basis:
    """The measured figures behind an evaluation's points."""

    ratings: int
    instructor_score_sum: int
    sessions_taught: int
    full_volume_sessions: int
    followup_services: int
    full_followup_services: int
    employed: int
    enrolled: int


@dataclass(frozen=True)
class Evaluation:
    """An instructor's year: basis, points per part and weights (decimal strings), score."""

    instructor_id: int
    name: str
    year: int
    weights: dict[str, str]
    basis: Basis
    points: dict[str, str]
    score: str
    findings: str


async def evaluate(*, actor: Actor, instructor_id: int, year: int) -> Evaluation:
    """The evaluation with its parts, weights, total and HR's findings (HR, or the instructor)."""
    instructor = await readable_instructor(actor, instructor_id)
    figures = await measure(instructor_id, year)
    points, weighting = figures.points(), weights()
    total = sum((points[k] * w for k, w in weighting.items()), Decimal(0)).quantize(Decimal("0.1"))
    saved = await InstructorEvaluation.get_or_none(instructor_id=instructor_id, year=year)
    return Evaluation(
        instructor_id=instructor_id,
        name=instructor.name,
        year=year,
        weights={k: str(w) for k, w in weighting.items()},
        basis=Basis(
            ratings=figures.satisfaction.ratings,
            instructor_score_sum=figures.satisfaction.instructor,
            sessions_taught=figures.sessions,
            full_volume_sessions=FULL_VOLUME_SESSIONS,
            followup_services=figures.services,
            full_followup_services=FULL_FOLLOWUP_SERVICES,
            employed=figures.employed,
            enrolled=figures.enrolled,
        ),
        points={k: str(v) for k, v in points.items()},
        score=str(total),
        findings=saved.findings if saved else "",
    )


async def record_findings(
    *, actor: Actor, instructor_id: int, year: int, findings: str
) -> Evaluation:
    """HR adds its findings; the figures at that moment are kept with them."""
    require_role(actor, EVALUATORS)
    if not findings.strip():
        raise InvalidInput("请填写评价意见", code="FINDINGS_REQUIRED")
    result = await evaluate(actor=actor, instructor_id=instructor_id, year=year)
    await InstructorEvaluation.update_or_create(
        defaults={
            "findings": findings,
            "snapshot": asdict(result),
            "recorded_by_id": actor.user_id,
        },
        instructor_id=instructor_id,
        year=year,
    )
    return replace(result, findings=findings)
