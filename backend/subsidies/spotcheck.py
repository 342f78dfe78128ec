"""Spot check before the last tranche (第二十三条 employment as the basis, 第二十四条 the 10%).

Once a class's 6-month day is reached, HR draws a random sample of its employment claims
(trainees whose latest record says employed) — SPOT_CHECK_MIN_ITEMS or SPOT_CHECK_SHARE of
them, whichever is more, all of them when fewer — and checks each (a call-back, the insurance
record). The draw is reproducible: the seed and the population are recorded, and
`sample_of(seed, population, size)` gives the same trainees again. It is drawn once per class
(a unique row): nobody can redraw until the sample suits them.

The last tranche holds only when every sampled claim is checked and no refusal is unresolved
(`spot_check_gate`). A refusal also marks the claim refused, so it leaves the verified rate.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role
from backend.classes.models import IN_FOLLOWUP_OR_CLOSED, ClassKind, TrainingClass
from backend.classes.scope import authorize_class
from backend.employment.models import EmploymentRecord
from backend.employment.outcomes import enrolled_trainees, latest_outcomes
from backend.employment.verification import CheckMethod, Decision, decide_locked
from backend.errors import Conflict, InvalidInput, NotFound, RuleViolation
from backend.followups.completion import six_month_day
from backend.runtime import runtime
from backend.security.audit import record_audit
from backend.subsidies.models import SpotCheck, SpotCheckItem, SpotCheckResult

# 第二十三、二十四条: HR checks a sample of the claimed employment before the last 10% is paid.
CHECKERS = frozenset({Role.HR_ADMIN})


def sample_size(population: int, *, min_items: int, share: float) -> int:
    """max(min_items, ⌈share × population⌉), never more than the population (no I/O)."""
    return min(population, max(min_items, math.ceil(Decimal(str(share)) * population)))


def sample_of(seed: str, population: list[int], size: int) -> list[int]:
    """The sampled trainee ids: the same seed and population always give the same (no I/O)."""
    return sorted(random.Random(seed).sample(sorted(population), size))


@dataclass(frozen=True)
class SpotCheckView:
    """A spot check and its items, for HR."""

    check: SpotCheck
    items: list[SpotCheckItem]


async def _claims(class_id: int) -> dict[int, EmploymentRecord]:
    latest = await latest_outcomes(await enrolled_trainees(class_id))
    return {t: r for t, r in latest.items() if r.employed}


async def draw_spot_check(*, actor: Actor, class_id: int) -> SpotCheckView:
    """HR draws the class's sample once its 6-month day is reached; recorded, never redrawn."""
    klass = await authorize_class(actor, class_id, CHECKERS)
    if klass.kind is not ClassKind.TRAINEE_CLASS or klass.status not in IN_FOLLOWUP_OR_CLOSED:
        raise Conflict(
            "只有后续跟踪阶段或已结案的学员班可以抽查就业情况", code="SPOT_CHECK_NOT_DRAWABLE"
        )
    due = await six_month_day(klass)
    if clock.today() < due:
        raise RuleViolation(
            f"培训后6个月（{due.isoformat()}）之后方可抽查就业情况",
            code="SPOT_CHECK_TOO_EARLY",
            details={"six_month_due": due.isoformat()},
        )
    settings = runtime().settings
    claims = await _claims(klass.id)
    population = sorted(claims)
    size = sample_size(
        len(population), min_items=settings.spot_check_min_items, share=settings.spot_check_share
    )
    seed = secrets.token_hex(16)
    try:
        async with in_transaction():
            check = await SpotCheck.create(
                training_class_id=klass.id,
                seed=seed,
                population=population,
                sample_size=size,
                min_items=settings.spot_check_min_items,
                share=Decimal(str(settings.spot_check_share)),
                drawn_by_id=actor.user_id,
                drawn_at=clock.now(),
            )
            items = [
                await SpotCheckItem.create(
                    spot_check_id=check.id, trainee_id=t, record_id=claims[t].id
                )
                for t in sample_of(seed, population, size)
            ]
            await record_audit(
                actor_id=actor.user_id,
                action="subsidy.spot_check_drawn",
                target_type="class",
                target_id=klass.id,
                details={"seed": seed, "population": len(population), "sample": size},
            )
    except IntegrityError:
        raise Conflict("该班级已抽取过抽查样本", code="SPOT_CHECK_ALREADY_DRAWN") from None
    return SpotCheckView(check, items)


async def spot_check_of(*, actor: Actor, class_id: int) -> SpotCheckView:
    """The class's spot check and its items, for HR."""
    klass = await authorize_class(actor, class_id, CHECKERS)
    check = await SpotCheck.get_or_none(training_class_id=klass.id)
    if check is None:
        raise NotFound("该班级尚未抽取抽查样本", code="SPOT_CHECK_NOT_DRAWN")
    return SpotCheckView(check, await SpotCheckItem.filter(spot_check_id=check.id).order_by("id"))


async def _locked_item(actor: Actor, item_id: int) -> SpotCheckItem:
    require_role(actor, CHECKERS)
    item = await SpotCheckItem.filter(id=item_id).select_for_update().first()
    if item is None:
        raise NotFound("抽查项不存在", code="SPOT_CHECK_ITEM_NOT_FOUND")
    check = await SpotCheck.get(id=item.spot_check_id)
    await authorize_class(actor, check.training_class_id, CHECKERS)
    return item


async def record_check(
    *,
    actor: Actor,
    item_id: int,
    confirmed: bool,
    methods: tuple[CheckMethod, ...] = (),
    reason: str = "",
) -> SpotCheckItem:
    """HR confirms or refuses a sampled claim; the claim's verification follows the result."""
    async with in_transaction():
        item = await _locked_item(actor, item_id)
        if item.result is not SpotCheckResult.PENDING:
            raise Conflict("该抽查项已有结果", code="SPOT_CHECK_ITEM_DONE")
        record = await EmploymentRecord.filter(id=item.record_id).select_for_update().get()
        decision = Decision(verified=confirmed, methods=methods, reason=reason)
        await decide_locked(actor=actor, record=record, decision=decision)
        item.result = SpotCheckResult.CONFIRMED if confirmed else SpotCheckResult.REFUSED
        item.reason = reason.strip()
        item.checked_by_id, item.checked_at = actor.user_id, clock.now()
        await item.save(update_fields=["result", "reason", "checked_by_id", "checked_at"])
    return item


async def resolve_refusal(*, actor: Actor, item_id: int, resolution: str) -> SpotCheckItem:
    """HR records how a refused sample item was dealt with; payment may then go ahead."""
    if not resolution.strip():
        raise InvalidInput("请说明处理结果", code="REASON_REQUIRED")
    async with in_transaction():
        item = await _locked_item(actor, item_id)
        if item.result is not SpotCheckResult.REFUSED or item.resolved_at is not None:
            raise Conflict("只有未处理的抽查不通过项需要处理", code="SPOT_CHECK_NOT_REFUSED")
        item.resolution = resolution.strip()
        item.resolved_by_id, item.resolved_at = actor.user_id, clock.now()
        await item.save(update_fields=["resolution", "resolved_by_id", "resolved_at"])
        await record_audit(
            actor_id=actor.user_id,
            action="subsidy.spot_check_resolved",
            target_type="spot_check_item",
            target_id=item.id,
            details={"resolution": item.resolution},
        )
    return item


async def spot_check_gate(klass: TrainingClass) -> tuple[bool, str]:
    """(passes, why in Chinese): sample drawn, every item checked, no unresolved refusal."""
    check = await SpotCheck.get_or_none(training_class_id=klass.id)
    if check is None:
        return False, "尚未抽查就业情况"
    items = await SpotCheckItem.filter(spot_check_id=check.id)
    pending = sum(1 for i in items if i.result is SpotCheckResult.PENDING)
    blocking = sum(
        1 for i in items if i.result is SpotCheckResult.REFUSED and i.resolved_at is None
    )
    if blocking:
        return False, f"抽查{len(items)}人，{blocking}人核实未通过尚未处理"
    if pending:
        return False, f"抽查{len(items)}人，{pending}人尚未核实"
    return True, f"抽查{len(items)}人，均已核实"
