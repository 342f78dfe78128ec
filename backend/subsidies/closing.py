"""结案 fixes the figures (第二十四条 money, 第二十五条 closing).

When a class is closed its subsidy figures are frozen in a `ClosingSnapshot` — counts, both
employment rates, the spot check, every tranche with its amount, whether it held and why —
with who closed it and when. From then on the class's subsidy is read from the snapshot (only
payments, which are facts of their own, are added), so nothing that arrives later silently moves
money: an employment record reported or verified after 结案 is kept as an adjustment
(`backend.employment.models.ClosedClassChange`) and shown beside the snapshot with what the
figures would be now, for HR to act on explicitly (a fraud finding, `clawback`).
"""

from __future__ import annotations

from backend import clock
from backend.accounts.access import Actor
from backend.classes.models import TrainingClass
from backend.followups import closing
from backend.subsidies.models import ClosingSnapshot
from backend.subsidies.service import figures_of, subsidy_plan


async def freeze_figures(
    klass: TrainingClass, actor_id: int | None, reason: str
) -> ClosingSnapshot:
    """Record the class's figures as they are at 结案 (inside the closing transaction)."""
    plan = await subsidy_plan(klass, live=True)
    return await ClosingSnapshot.create(
        training_class_id=klass.id,
        figures=figures_of(plan),
        taken_by_id=actor_id,
        taken_at=clock.now(),
        reason=reason,
    )


async def close_and_freeze(*, actor: Actor, class_id: int, reason: str) -> TrainingClass:
    """HR closes a class (see `followups.closing.close_class`); its figures are frozen."""
    return await closing.close_class(
        actor=actor, class_id=class_id, reason=reason, freeze=freeze_figures
    )


async def close_and_freeze_completed() -> int:
    """Worker: close each class whose follow-up is complete, freezing its figures; how many."""
    return await closing.close_completed_followups(freeze=freeze_figures)
