"""The institution registry (第五、七条): HR registers, edits, suspends and lists institutions.

HR acts on institutions of the districts it covers (a city-wide grant covers all); an
institution's admin reads its own record. Every change is audited. The standing ledger
(第七条(六)) comes from backend/registers/standing.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Institution, InstitutionStatus, Role
from backend.accounts.scope import district_covers, institution_covers, institutions_in_scope
from backend.accounts.service import PHONE_CONTEXT, checked_phone, decrypt_pii
from backend.districts import DISTRICTS, district_name, is_known_district
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from backend.institutions.creditcode import InvalidCreditCode, validate_credit_code
from backend.institutions.models import QUALIFICATION_LABELS, InstitutionProfile, Qualification
from backend.institutions.schemas import (
    STATUS_LABELS,
    InstitutionIn,
    InstitutionPatch,
    QualificationIn,
)
from backend.reference.service import RefKind, resolve
from backend.registers.standing import LedgerRecord, StandingLedger, standing_ledger
from backend.runtime import runtime
from backend.security.audit import record_audit
from backend.security.pii import mask_phone

TEAM_LEAD_MIN_YEARS = 5  # 第七条(四): 团队负责人1名，有5年以上培训组织经验
# 第五条、第六条(二): 人社部门 (公共就业服务机构) chooses the institutions and supervises them.
REGISTRARS = frozenset({Role.HR_ADMIN})
READERS = frozenset({Role.HR_ADMIN, Role.INSTITUTION_ADMIN})  # … and each institution reads its own
PROFILE_FIELDS = (
    "address",
    "team_lead_name",
    "team_lead_years",
    "facilities",
    "contract_no",
    "contract_start",
    "contract_end",
    "contract_amount",
)


@dataclass(frozen=True)
class InstitutionRecord:
    """An institution, its registry file (None for one registered before the registry) and
    its standing ledger."""

    institution: Institution
    profile: InstitutionProfile | None
    ledger: StandingLedger | None = None


def checked_credit_code(value: str) -> str:
    """A valid unified social credit code, or a 400 naming the problem."""
    try:
        return validate_credit_code(value)
    except InvalidCreditCode as exc:
        raise InvalidInput(
            f"统一社会信用代码不正确：{exc.reason}",
            code="CREDIT_CODE_INVALID",
            details={"field": "credit_code"},
        ) from None


def checked_district(code: str) -> str:
    """A district code of the city, or a 400 listing the allowed ones."""
    if not is_known_district(code):
        raise InvalidInput(
            "区县代码不正确",
            code="DISTRICT_UNKNOWN",
            details={"allowed": [{"code": c, "label": n} for c, n in DISTRICTS.items()]},
        )
    return code


def check_team_lead(years: int) -> None:
    """第七条(四): the team lead has at least five years of training-organisation experience."""
    if years < TEAM_LEAD_MIN_YEARS:
        raise RuleViolation(
            f"团队负责人须有{TEAM_LEAD_MIN_YEARS}年以上培训组织经验（第七条），当前为{years}年",
            code="TEAM_LEAD_EXPERIENCE",
            details={"article": "第七条", "years": years},
        )


def check_qualifications(items: list[QualificationIn]) -> None:
    """第七条(一)–(五): each condition is met and shown by evidence."""
    given = {q.item: q for q in items}
    missing = [
        q
        for q in Qualification
        if q not in given or not given[q].met or not given[q].evidence.strip()
    ]
    if missing:
        raise RuleViolation(
            "培训机构须具备第七条规定的基本条件并提供证明材料，尚缺："
            + "；".join(
                f"{QUALIFICATION_LABELS[q][0]}{QUALIFICATION_LABELS[q][1]}" for q in missing
            ),
            code="QUALIFICATION_MISSING",
            details={"article": "第七条", "missing": [q.value for q in missing]},
        )


def check_contract(start: Any, end: Any) -> None:
    """第五条: a service contract's period ends after it starts."""
    if start is not None and end is not None and end < start:
        raise InvalidInput("合同结束日期不能早于开始日期", code="CONTRACT_DATES_INVALID")


def _phone_columns(phone: str) -> dict[str, Any]:
    phone = checked_phone(phone)
    cipher = runtime().cipher
    return {
        "contact_phone_enc": cipher.encrypt(phone, context=PHONE_CONTEXT),
        "contact_phone_hash": cipher.blind_index(phone, context=PHONE_CONTEXT),
    }


def _require_hr_for(actor: Actor, district: str) -> None:
    require_role(actor, REGISTRARS)
    if not district_covers(actor, district):
        raise Forbidden(
            f"{district_name(district)}的培训机构须由该区县或市级人社部门登记和管理",
            code="SCOPE_FORBIDDEN",
        )


async def register_institution(*, actor: Actor, data: InstitutionIn) -> InstitutionRecord:
    """HR registers a qualified institution (第五、七条); audited."""
    district = checked_district(data.district)
    _require_hr_for(actor, district)
    credit_code = checked_credit_code(data.credit_code)
    check_team_lead(data.team_lead_years)
    check_qualifications(data.qualifications)
    check_contract(data.contract_start, data.contract_end)
    phone = _phone_columns(data.contact_phone)
    async with in_transaction():
        try:
            inst = await Institution.create(
                name=data.name.strip(),
                credit_code=credit_code,
                district_code=district,
                contact_name=data.contact_name.strip(),
            )
        except IntegrityError:
            raise Conflict("该统一社会信用代码已登记", code="INSTITUTION_EXISTS") from None
        profile = await InstitutionProfile.create(
            institution_id=inst.id,
            qualifications=[q.model_dump(mode="json") for q in data.qualifications],
            created_by_id=actor.user_id,
            **phone,
            **{f: getattr(data, f) for f in PROFILE_FIELDS},
        )
        await record_audit(
            actor_id=actor.user_id,
            action="institution.register",
            target_type="institution",
            target_id=inst.id,
            details={"credit_code": credit_code, "district": district},
        )
    return InstitutionRecord(inst, profile)


async def _readable(actor: Actor, institution_id: int) -> Institution:
    require_role(actor, READERS)
    inst = await Institution.get_or_none(id=institution_id)
    if inst is not None and institution_covers(actor, inst, READERS):
        return inst
    raise NotFound("培训机构不存在或不在您的管理范围内", code="INSTITUTION_NOT_FOUND")


async def institution_record(*, actor: Actor, institution_id: int) -> InstitutionRecord:
    """An institution with its registry file and its three-year standing ledger."""
    inst = await _readable(actor, institution_id)
    profile = await InstitutionProfile.get_or_none(institution_id=inst.id)
    ledger = await standing_ledger(institution_id=inst.id, today=clock.today())
    return InstitutionRecord(inst, profile, ledger)


def _status_change(
    inst: Institution, status: str | None, reason: str | None
) -> InstitutionStatus | None:
    if status is None or status == inst.status.value:
        return None
    if inst.status is InstitutionStatus.DISQUALIFIED:
        raise Conflict(
            "该机构已被取消培训资格（第九条），不能在登记册中恢复或暂停",
            code="INSTITUTION_DISQUALIFIED",
        )
    if not (reason or "").strip():
        raise InvalidInput("暂停或恢复须填写原因", code="REASON_REQUIRED")
    return InstitutionStatus(status)


async def update_institution(
    *, actor: Actor, institution_id: int, patch: InstitutionPatch
) -> InstitutionRecord:
    """HR edits an institution's file, or suspends / reinstates it with a reason; audited."""
    changes = patch.model_dump(exclude_unset=True)
    async with in_transaction():
        inst = await _readable(actor, institution_id)
        _require_hr_for(actor, inst.district_code)
        inst = await Institution.filter(id=inst.id).select_for_update().first() or inst
        profile = await InstitutionProfile.get_or_none(institution_id=inst.id)
        if profile is None:
            profile = await InstitutionProfile.create(institution_id=inst.id)
        new_status = _status_change(inst, changes.get("status"), changes.get("status_reason"))
        _apply(inst, profile, patch, changes)
        if new_status is not None:
            inst.status = new_status
            profile.status_reason = (patch.status_reason or "").strip()
        await inst.save()
        await profile.save()
        await record_audit(
            actor_id=actor.user_id,
            action="institution.update",
            target_type="institution",
            target_id=inst.id,
            details={"fields": sorted(k for k in changes if k != "contact_phone")},
        )
    return InstitutionRecord(inst, profile)


def _apply(
    inst: Institution, profile: InstitutionProfile, patch: InstitutionPatch, changes: dict
) -> None:
    if "name" in changes and patch.name:
        inst.name = patch.name.strip()
    if "contact_name" in changes and patch.contact_name:
        inst.contact_name = patch.contact_name.strip()
    if patch.contact_phone:
        for key, value in _phone_columns(patch.contact_phone).items():
            setattr(profile, key, value)
    if patch.team_lead_years is not None:
        check_team_lead(patch.team_lead_years)
    if patch.qualifications is not None:
        check_qualifications(patch.qualifications)
        profile.qualifications = [q.model_dump(mode="json") for q in patch.qualifications]
    for field in PROFILE_FIELDS:
        # null clears a column that may be empty; for one that may not, it leaves it unchanged
        nullable = InstitutionProfile._meta.fields_map[field].null
        if field in changes and (changes[field] is not None or nullable):
            setattr(profile, field, changes[field])
    check_contract(profile.contract_start, profile.contract_end)


async def list_institutions(
    *,
    actor: Actor,
    district: str | None,
    status: str | None,
    q: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[InstitutionRecord]]:
    """The registry as the actor may see it: HR its districts, an institution itself."""
    require_role(actor, READERS)
    query = Institution.filter(institutions_in_scope(actor, READERS))
    if district:  # the code or the exact label (鼓楼区)
        query = query.filter(district_code=resolve(RefKind.DISTRICT, district, field="district"))
    if status:
        query = query.filter(status=status)
    if q:
        query = query.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()))
    total = await query.count()
    rows = await query.order_by("id").offset(offset).limit(limit)
    profiles = {
        p.institution_id: p
        for p in await InstitutionProfile.filter(institution_id__in=[i.id for i in rows])
    }
    return total, [InstitutionRecord(i, profiles.get(i.id)) for i in rows]


@dataclass(frozen=True, slots=True)
class InstitutionSummary:
    """An institution as lists show it (contact phone masked)."""

    id: int
    name: str
    credit_code: str
    district: str
    district_name: str
    contact_name: str
    contact_phone_masked: str
    status: str
    status_label: str
    contract_end: date | None


@dataclass(frozen=True, slots=True)
class QualificationView:
    """A condition of 第七条 with its article, label, whether it is met and the evidence."""

    item: str
    article: str
    label: str
    met: bool
    evidence: str


@dataclass(frozen=True, slots=True)
class Standing:
    """第七条(六): the last three years of supervision records, and whether they are clean."""

    since: date
    clean: bool
    records: list[LedgerRecord]


@dataclass(frozen=True, slots=True)
class InstitutionDetail(InstitutionSummary):
    """An institution with its registry file and standing ledger."""

    address: str
    team_lead_name: str
    team_lead_years: int
    facilities: list[str]
    qualifications: list[QualificationView]
    contract_no: str
    contract_start: date | None
    contract_amount: str | None
    status_reason: str
    standing: Standing


def summary_view(record: InstitutionRecord) -> InstitutionSummary:
    """An institution as lists show it (contact phone masked)."""
    inst, profile = record.institution, record.profile
    phone = decrypt_pii(profile.contact_phone_enc, context=PHONE_CONTEXT) if profile else ""
    return InstitutionSummary(
        id=inst.id,
        name=inst.name,
        credit_code=inst.credit_code,
        district=inst.district_code,
        district_name=district_name(inst.district_code),
        contact_name=inst.contact_name,
        contact_phone_masked=mask_phone(phone) if phone else "",
        status=inst.status.value,
        status_label=STATUS_LABELS[inst.status],
        contract_end=profile.contract_end if profile else None,
    )


def _qualification_views(profile: InstitutionProfile | None) -> list[QualificationView]:
    given = {q["item"]: q for q in (profile.qualifications if profile else [])}
    return [
        QualificationView(
            item=q.value,
            article=QUALIFICATION_LABELS[q][0],
            label=QUALIFICATION_LABELS[q][1],
            met=bool(given.get(q.value, {}).get("met", False)),
            evidence=str(given.get(q.value, {}).get("evidence", "")),
        )
        for q in Qualification
    ]


def detail_view(record: InstitutionRecord) -> InstitutionDetail:
    """An institution with its registry file and standing ledger."""
    profile = record.profile
    ledger = record.ledger
    amount = profile.contract_amount if profile else None
    return InstitutionDetail(
        **asdict(summary_view(record)),
        address=profile.address if profile else "",
        team_lead_name=profile.team_lead_name if profile else "",
        team_lead_years=profile.team_lead_years if profile else 0,
        facilities=list(profile.facilities) if profile else [],
        qualifications=_qualification_views(profile),
        contract_no=profile.contract_no if profile else "",
        contract_start=profile.contract_start if profile else None,
        contract_amount=f"{amount:.2f}" if amount is not None else None,
        status_reason=profile.status_reason if profile else "",
        standing=Standing(
            since=ledger.since if ledger else clock.today(),
            clean=ledger.clean if ledger else True,
            records=list(ledger.records) if ledger else [],
        ),
    )
