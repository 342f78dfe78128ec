"""HR verifies a claimed employment outcome, or refuses it with a reason (第二十三条).

第二十三条 makes a class's employment the basis of its subsidy; a claim counts as verified only
when HR checked it (a call-back to the employer, the social-insurance record, the contract, the
business licence), and never by the person who reported it or gave its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role, Trainee
from backend.classes.scope import authorize_class, authorize_trainee
from backend.employment.evidence import evidence_of
from backend.employment.models import (
    EmploymentEvidence,
    EmploymentRecord,
    EmploymentStatus,
    EvidenceKind,
    Verification,
)
from backend.employment.outcomes import enrolled_trainees, latest_outcomes, note_if_closed
from backend.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from backend.security.audit import record_audit


class CheckMethod(StrEnum):
    CALL_BACK = "call_back"  # 电话回访用人单位
    INSURANCE_RECORD = "insurance_record"  # 查验社保参保记录
    CONTRACT = "contract"  # 查验劳动合同或录用通知
    BUSINESS_LICENCE = "business_licence"  # 查验营业执照
    HOME_VISIT = "home_visit"  # 实地走访


CHECK_METHOD_LABELS = {
    CheckMethod.CALL_BACK: "电话回访用人单位",
    CheckMethod.INSURANCE_RECORD: "查验社保参保记录",
    CheckMethod.CONTRACT: "查验劳动合同或录用通知",
    CheckMethod.BUSINESS_LICENCE: "查验营业执照",
    CheckMethod.HOME_VISIT: "实地走访",
}
CONTRACT_KINDS = (
    EvidenceKind.LABOUR_CONTRACT,
    EvidenceKind.OFFER_LETTER,
    EvidenceKind.INSURANCE_RECORD,
)
# 第二十三条: employment is the basis of the subsidy, so HR verifies each claimed outcome.
VERIFIERS = frozenset({Role.HR_ADMIN})


@dataclass(frozen=True)
class Decision:
    """HR's decision on a claim: verified (with what was checked) or refused (with why)."""

    verified: bool
    methods: tuple[CheckMethod, ...] = ()
    reason: str = ""


def missing_evidence(record: EmploymentRecord, kinds: set[EvidenceKind]) -> str | None:
    """Why the claim lacks the evidence its kind needs, or None (no I/O).

    单位就业: a contract, offer letter or insurance record (a file, or the record's number and
    month); 自主创业: the business licence.
    """
    if record.status is EmploymentStatus.SELF_EMPLOYED:
        if EvidenceKind.BUSINESS_LICENCE not in kinds:
            return "自主创业须提供营业执照"
        return None
    has_insurance = bool(record.insurance_record_no and record.insurance_month)
    if not (has_insurance or kinds & set(CONTRACT_KINDS)):
        return "单位就业须提供劳动合同、录用通知或社保参保记录（编号和参保月份）"
    return None


async def _in_hr_scope(actor: Actor, record: EmploymentRecord) -> None:
    if record.training_class_id is not None:
        await authorize_class(actor, record.training_class_id, VERIFIERS)
    else:
        await authorize_trainee(actor, record.trainee_id, VERIFIERS)


async def _refuse_own_claim(actor: Actor, record: EmploymentRecord) -> None:
    """The verifier is never the reporter, nor who gave the evidence."""
    uploaded = await EmploymentEvidence.exists(record_id=record.id, uploaded_by_id=actor.user_id)
    if record.recorded_by_id == actor.user_id or uploaded:
        raise Forbidden("就业信息不能由填报人或提供材料的人核实", code="VERIFIER_IS_REPORTER")


def _check_decision(record: EmploymentRecord, decision: Decision, kinds: set[EvidenceKind]) -> None:
    if not record.employed:
        raise RuleViolation(
            "只有“单位就业”或“自主创业”的记录需要核实", code="EMPLOYMENT_NOT_CLAIMED"
        )
    if not decision.verified:
        if not decision.reason.strip():
            raise InvalidInput("核实未通过须填写原因", code="REASON_REQUIRED")
        return
    if not decision.methods:
        raise InvalidInput(
            "请注明核实方式（电话回访、社保记录、合同等）", code="VERIFICATION_METHOD_REQUIRED"
        )
    missing = missing_evidence(record, kinds)
    if missing:
        raise RuleViolation(missing, code="EVIDENCE_MISSING")


async def decide_locked(
    *, actor: Actor, record: EmploymentRecord, decision: Decision
) -> EmploymentRecord:
    """Apply HR's decision to a record locked by the caller's transaction (checks included)."""
    await _refuse_own_claim(actor, record)
    kinds = await EmploymentEvidence.filter(record_id=record.id).values_list("kind", flat=True)
    _check_decision(record, decision, {EvidenceKind(str(k)) for k in kinds})
    record.verification = Verification.VERIFIED if decision.verified else Verification.REFUSED
    record.verification_method = ",".join(m.value for m in decision.methods)
    record.verification_reason = decision.reason.strip()
    record.verified_by_id = actor.user_id
    record.verified_at = clock.now()
    await record.save(
        update_fields=[
            "verification",
            "verification_method",
            "verification_reason",
            "verified_by_id",
            "verified_at",
        ]
    )
    await record_audit(
        actor_id=actor.user_id,
        action="employment.verification",
        target_type="employment_record",
        target_id=record.id,
        details={
            "decision": record.verification.value,
            "methods": record.verification_method,
            "reason": record.verification_reason,
        },
    )
    await note_if_closed(
        class_id=record.training_class_id,
        record_id=record.id,
        change=record.verification.value,
        actor_id=actor.user_id,
    )
    return record


async def verify_outcome(*, actor: Actor, record_id: int, decision: Decision) -> EmploymentRecord:
    """HR in scope verifies a claim (with what was checked) or refuses it (with a reason)."""
    require_role(actor, VERIFIERS)
    async with in_transaction():
        record = await EmploymentRecord.filter(id=record_id).select_for_update().first()
        if record is None:
            raise NotFound("就业记录不存在", code="EMPLOYMENT_RECORD_NOT_FOUND")
        await _in_hr_scope(actor, record)
        return await decide_locked(actor=actor, record=record, decision=decision)


CLAIM_READERS = frozenset({Role.HR_ADMIN, Role.INSTITUTION_ADMIN})  # … the institution too


@dataclass(frozen=True)
class Claim:
    """A trainee of a class and the latest record that says they work, to verify."""

    trainee_id: int
    name: str
    record: EmploymentRecord
    evidence: list[EmploymentEvidence]


async def class_claims(*, actor: Actor, class_id: int) -> list[Claim]:
    """The class's employment claims (latest record says employed) with their evidence."""
    await authorize_class(actor, class_id, CLAIM_READERS)
    trainee_ids = await enrolled_trainees(class_id)
    claims = [r for r in (await latest_outcomes(trainee_ids)).values() if r.employed]
    names = dict(
        await Trainee.filter(id__in=[r.trainee_id for r in claims]).values_list("id", "name")
    )
    files = await evidence_of([r.id for r in claims])
    return [
        Claim(r.trainee_id, str(names.get(r.trainee_id, "")), r, files[r.id])
        for r in sorted(claims, key=lambda r: r.trainee_id)
    ]
