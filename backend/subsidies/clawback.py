"""第九条(二): subsidy obtained by fraud (以弄虚作假、欺骗手段获取培训补贴) is taken back, and the
institution loses its qualification to run training.

HR covering the class records a confirmed finding, once per class: the amount to recover of
each paid tranche (all that was paid unless HR names less), the institution disqualified (no
new plans, as for 第九条(一); classes already running continue), its admins told in the inbox,
and nothing more of the class is paid. The clawback shows in the class's subsidy, its
application form, and the institution's standing ledger (`institution_clawbacks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Institution, InstitutionStatus, Role, RoleGrant
from backend.classes.scope import authorize_class, authorize_institution
from backend.errors import Conflict, InvalidInput, RuleViolation
from backend.notifications.inbox import inbox_message
from backend.notifications.models import InboxMessage
from backend.registers.models import FraudFinding
from backend.security.audit import record_audit
from backend.subsidies.models import Clawback, TranchePayment
from backend.supervision.service import past_or_today, require_reason

ARTICLE = "第九条(二)"
# 第九条(二): HR finds the fraud and recovers the money; the institution reads its own ledger.
FINDERS = frozenset({Role.HR_ADMIN})
LEDGER_READERS = frozenset({Role.HR_ADMIN, Role.INSTITUTION_ADMIN})


@dataclass(frozen=True)
class ClawbackLine:
    """One tranche to recover, as the institution's ledger lists it."""

    finding_id: int
    class_id: int
    class_title: str
    decided_on: date
    reason: str
    tranche: int
    paid: Decimal
    amount: Decimal


def amounts_to_recover(
    paid: dict[int, Decimal], named: dict[int, Decimal] | None
) -> dict[int, Decimal]:
    """Per paid tranche, what to recover: all of it, or what HR names (≤ paid) (no I/O)."""
    if not paid:
        raise RuleViolation("该班级尚无已拨付的补贴，无需追回", code="NOTHING_TO_RECOVER")
    if named is None:
        return dict(paid)
    for tranche, amount in named.items():
        if tranche not in paid:
            raise InvalidInput(f"第{tranche}期款项未拨付，不能追回", code="TRANCHE_NOT_PAID")
        if not Decimal(0) < amount <= paid[tranche]:
            raise InvalidInput(
                f"第{tranche}期追回金额应大于0且不超过已拨付的{paid[tranche]}元",
                code="CLAWBACK_AMOUNT_INVALID",
            )
    return {t: a.quantize(Decimal("0.01")) for t, a in named.items()}


async def record_fraud_finding(
    *,
    actor: Actor,
    class_id: int,
    reason: str,
    decided_on: date | None = None,
    amounts: dict[int, Decimal] | None = None,
) -> FraudFinding:
    """HR records a confirmed fraud finding: clawback per tranche, disqualification (第九条(二))."""
    reason = require_reason(reason, article=ARTICLE)
    decided_on = past_or_today(decided_on, what="认定日期")
    try:
        async with in_transaction():
            klass = await authorize_class(actor, class_id, FINDERS)
            inst = await Institution.filter(id=klass.institution_id).select_for_update().get()
            payments = await TranchePayment.filter(training_class_id=klass.id)
            recover = amounts_to_recover({p.tranche: p.amount for p in payments}, amounts)
            disqualifies = inst.status is InstitutionStatus.ACTIVE
            finding = await FraudFinding.create(
                training_class_id=klass.id,
                institution_id=inst.id,
                reason=reason,
                decided_on=decided_on,
                disqualified=disqualifies,
                recorded_by_id=actor.user_id,
            )
            paid = {p.tranche: p.amount for p in payments}
            for tranche, amount in sorted(recover.items()):
                await Clawback.create(
                    finding_id=finding.id, tranche=tranche, paid=paid[tranche], amount=amount
                )
            if disqualifies:
                inst.status = InstitutionStatus.DISQUALIFIED
                await inst.save(update_fields=["status"])
            total = sum(recover.values(), Decimal(0))
            await record_audit(
                actor_id=actor.user_id,
                action="subsidy.fraud_finding",
                target_type="class",
                target_id=klass.id,
                details={
                    "finding_id": finding.id,
                    "article": ARTICLE,
                    "recover": {str(t): str(a) for t, a in recover.items()},
                    "disqualified": disqualifies,
                },
            )
            await _tell_institution(inst, klass.title, reason, total)
    except IntegrityError:
        raise Conflict("该班级已有骗取补贴认定", code="FRAUD_FINDING_EXISTS") from None
    return finding


async def _tell_institution(inst: Institution, title: str, reason: str, total: Decimal) -> None:
    admins = await RoleGrant.filter(
        institution_id=inst.id, role=Role.INSTITUTION_ADMIN, revoked_at__isnull=True
    ).values_list("user_id", flat=True)
    body = (
        f"{inst.name}：经认定“{title}”以弄虚作假、欺骗手段获取培训补贴（{ARTICLE}）。"
        f"原因：{reason}。应退回补贴{total.quantize(Decimal('0.01'))}元，"
        "并取消开展求职能力实训培训资格，不能再申报新的培训班。"
    )
    rows = [
        inbox_message(user_id=int(u), title="骗取培训补贴认定", body=body, now=clock.now())  # type: ignore[call-overload]
        for u in sorted(set(admins))
    ]
    await InboxMessage.bulk_create(rows)


async def institution_clawbacks(institution_id: int) -> list[ClawbackLine]:
    """Every amount to recover from an institution, for its standing ledger (oldest first)."""
    findings = await FraudFinding.filter(institution_id=institution_id).prefetch_related(
        "training_class", "clawbacks"
    )
    return [
        ClawbackLine(
            f.id,
            f.training_class_id,
            f.training_class.title,
            f.decided_on,
            f.reason,
            c.tranche,
            c.paid,
            c.amount,
        )
        for f in sorted(findings, key=lambda f: (f.decided_on, f.id))
        for c in sorted(f.clawbacks, key=lambda c: c.tranche)
    ]


async def clawbacks_of(*, actor: Actor, institution_id: int) -> list[ClawbackLine]:
    """An institution's clawbacks, for HR covering it or its admin."""
    inst = await authorize_institution(actor, institution_id, LEDGER_READERS)
    return await institution_clawbacks(inst.id)
