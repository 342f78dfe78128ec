"""Inspections (明察暗访, 第二十八条): HR visits an institution or one of its classes and scores it.

The checklist holds the five aspects of 第二十八条 (培训组织、学员管理、教学实施、师资授课、
学员满意度) and the materials of 第二十七条 (教材、设备、教具). Each item is scored 0–100 (the
scale of the evaluation forms; finer than 1–5, and averages read as percentages). An
inspection scores at least one item; its overall score is the mean of its items. Per
institution, each item's average is taken over the inspections that scored it, and the overall
average is the mean of the inspections' overall scores (each inspection weighs the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from backend.accounts.access import Actor
from backend.accounts.models import Role
from backend.classes.scope import authorize_class, authorize_institution
from backend.errors import InvalidInput
from backend.registers.models import (
    INSPECTION_ITEM_LABELS,
    INSPECTION_MODE_LABELS,
    SCORE_MAX,
    SCORE_MIN,
    Inspection,
    InspectionItem,
    InspectionMode,
    InspectionScore,
)
from backend.security.audit import record_audit
from backend.supervision.service import CENT, as_number, mean, past_or_today

# 第二十八条: 人社部门 … 明察暗访; the institution reads the inspections of itself.
INSPECTORS = frozenset({Role.HR_ADMIN})
INSPECTION_READERS = frozenset({Role.HR_ADMIN, Role.INSTITUTION_ADMIN})


@dataclass(frozen=True)
class ScoreInput:
    """One checklist item as the inspector scored it."""

    item: InspectionItem
    score: int
    note: str = ""


def _check_scores(scores: list[ScoreInput]) -> None:
    if not scores:
        raise InvalidInput("检查记录至少包含一个评分项目", code="INSPECTION_SCORES_MISSING")
    items = [s.item for s in scores]
    if len(set(items)) != len(items):
        raise InvalidInput("评分项目不能重复", code="INSPECTION_ITEM_REPEATED")
    bad = [s.item.value for s in scores if not SCORE_MIN <= s.score <= SCORE_MAX]
    if bad:
        raise InvalidInput(
            f"评分应为 {SCORE_MIN} 至 {SCORE_MAX} 分",
            code="SCORE_OUT_OF_RANGE",
            details={"items": bad},
        )


async def _inspected_institution(
    actor: Actor, institution_id: int | None, class_id: int | None
) -> int:
    """The institution inspected, checked against HR's scope (a class: its district)."""
    if class_id is not None:
        klass = await authorize_class(actor, class_id, INSPECTORS)
        if institution_id is not None and institution_id != klass.institution_id:
            raise InvalidInput("培训班不属于该培训机构", code="CLASS_NOT_OF_INSTITUTION")
        return klass.institution_id
    if institution_id is None:
        raise InvalidInput("须指定被检查的培训机构或培训班", code="INSPECTION_TARGET_MISSING")
    return (await authorize_institution(actor, institution_id, INSPECTORS)).id


async def record_inspection(
    *,
    actor: Actor,
    mode: InspectionMode,
    inspector: str,
    scores: list[ScoreInput],
    institution_id: int | None = None,
    class_id: int | None = None,
    inspected_on: date | None = None,
    findings: str = "",
) -> Inspection:
    """HR records an inspection with its checklist scores and findings (第二十八条)."""
    _check_scores(scores)
    if not inspector.strip():
        raise InvalidInput("须填写检查人员", code="INSPECTOR_REQUIRED")
    inspected_on = past_or_today(inspected_on, what="检查日期")
    target = await _inspected_institution(actor, institution_id, class_id)
    overall = mean(sum(s.score for s in scores), len(scores))
    async with in_transaction():
        inspection = await Inspection.create(
            institution_id=target,
            training_class_id=class_id,
            mode=mode,
            inspected_on=inspected_on,
            inspector=inspector.strip(),
            findings=findings.strip(),
            overall_score=overall,
            recorded_by_id=actor.user_id,
        )
        await InspectionScore.bulk_create(
            [
                InspectionScore(
                    inspection_id=inspection.id, item=s.item, score=s.score, note=s.note.strip()
                )
                for s in scores
            ]
        )
        await record_audit(
            actor_id=actor.user_id,
            action="inspection.record",
            target_type="institution",
            target_id=target,
            details={"inspection_id": inspection.id, "class_id": class_id},
        )
    return inspection


@dataclass(frozen=True, slots=True)
class ScoreView:
    """A scored item."""

    item: str
    label: str
    score: int
    note: str


@dataclass(frozen=True, slots=True)
class InspectionView:
    """An inspection; overall = mean of its items."""

    id: int
    institution_id: int
    class_id: int | None
    mode: str
    mode_label: str
    inspected_on: str
    inspector: str
    findings: str
    overall_score: float | None
    scores: list[ScoreView]


@dataclass(frozen=True, slots=True)
class ItemAverage:
    """An item's average over the inspections that scored it."""

    item: str
    label: str
    inspections: int
    average: float | None


@dataclass(frozen=True, slots=True)
class InspectionAverages:
    """Averages over all of an institution's inspections."""

    overall: float | None
    items: list[ItemAverage]


@dataclass(frozen=True, slots=True)
class InstitutionInspections:
    """A page of an institution's inspections, newest first, with averages over all of them."""

    institution_id: int
    institution_name: str
    total: int
    offset: int
    limit: int
    averages: InspectionAverages
    items: list[InspectionView]


async def inspection_views(inspections: list[Inspection]) -> list[InspectionView]:
    """Inspections with their scored items (one query for all the scores)."""
    scores = await InspectionScore.filter(inspection_id__in=[i.id for i in inspections]).order_by(
        "id"
    )
    by_inspection: dict[int, list[ScoreView]] = {i.id: [] for i in inspections}
    for s in scores:
        by_inspection[s.inspection_id].append(
            ScoreView(
                item=s.item.value, label=INSPECTION_ITEM_LABELS[s.item], score=s.score, note=s.note
            )
        )
    return [
        InspectionView(
            id=i.id,
            institution_id=i.institution_id,
            class_id=i.training_class_id,
            mode=i.mode.value,
            mode_label=INSPECTION_MODE_LABELS[i.mode],
            inspected_on=i.inspected_on.isoformat(),
            inspector=i.inspector,
            findings=i.findings,
            overall_score=as_number(i.overall_score),
            scores=by_inspection[i.id],
        )
        for i in inspections
    ]


async def _averages(institution_id: int) -> InspectionAverages:
    rows = (
        await InspectionScore.filter(inspection__institution_id=institution_id)
        .annotate(n=Count("id"), total=Sum("score"))
        .group_by("item")
        .values("item", "n", "total")
    )
    by_item = {InspectionItem(r["item"]): (int(r["total"]), int(r["n"])) for r in rows}
    inspected = (
        await Inspection.filter(institution_id=institution_id)
        .annotate(n=Count("id"), total=Sum("overall_score"))
        .first()
        .values("n", "total")
    )
    # Overall scores have two decimals, so their sum does too (SQLite sums them as floats).
    total = Decimal(str(inspected["total"] or 0)).quantize(CENT) if inspected else Decimal(0)
    return InspectionAverages(
        overall=as_number(mean(total, int(inspected["n"]) if inspected else 0)),
        items=[
            ItemAverage(
                item=item.value,
                label=INSPECTION_ITEM_LABELS[item],
                inspections=by_item[item][1] if item in by_item else 0,
                average=as_number(mean(*by_item[item])) if item in by_item else None,
            )
            for item in InspectionItem
        ],
    )


async def inspections_of(
    *, actor: Actor, institution_id: int, offset: int = 0, limit: int = 20
) -> InstitutionInspections:
    """An institution's inspections, newest first, with averages over all of them."""
    inst = await authorize_institution(actor, institution_id, INSPECTION_READERS)
    query = Inspection.filter(institution_id=inst.id)
    total = await query.count()
    page = await query.order_by("-inspected_on", "-id").offset(offset).limit(limit)
    return InstitutionInspections(
        institution_id=inst.id,
        institution_name=inst.name,
        total=total,
        offset=offset,
        limit=limit,
        averages=await _averages(inst.id),
        items=await inspection_views(page),
    )
