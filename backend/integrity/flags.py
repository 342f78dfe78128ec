"""Patterns in a class's employment claims that HR should look at (第九条(二), 第二十三条).

Each flag is one function over the class's claims (enrolled trainees whose latest record says
employed) that returns a `Flag` with its reason in Chinese and the trainees concerned, or None.
Flags never block anything by themselves — the verified rate and the spot check do — they put
the class on HR's list (`classes_flagged_for_review`, read by the work queue).

| code | raised when |
|---|---|
| late_entries | ≥ LATE_MIN claims (≥ half) entered from LATE_WINDOW_DAYS before 6 months on |
| shared_phone | ≥ SHARED_PHONE_MIN trainees' employers give one contact phone |
| start_before_end | a job started before the class ended |
| staff_entered | the institution's own people entered claims for more than half the class |
| related_employer | the employer is the institution itself or bears its name or contact |
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Institution, Instructor, Role, RoleGrant
from backend.classes.models import FINISHED, ClassKind, ClassStaff, TrainingClass
from backend.classes.scope import authorize_class, districts_in_scope
from backend.employment.models import EmploymentRecord
from backend.employment.outcomes import enrolled_trainees, latest_outcomes
from backend.followups.completion import six_month_day

LATE_WINDOW_DAYS = 14
LATE_MIN = 3
SHARED_PHONE_MIN = 3
REVIEWERS = frozenset({Role.HR_ADMIN})  # 第二十七条: the flags feed HR's supervision
INSTITUTION_ROLES = (Role.INSTITUTION_ADMIN, Role.CLASS_TEACHER, Role.STAFF)
# Words that say what kind of body a name is, not which one: dropped before comparing names.
NAME_NOISE = re.compile(
    r"(福建省|福州市|福州|有限责任公司|股份有限公司|有限公司|公司|职业技能培训学校|职业培训学校|"
    r"培训学校|培训中心|培训机构|教育科技|人力资源|服务|\s|（.*?）|\(.*?\))"
)


@dataclass(frozen=True)
class Flag:
    """One pattern found in a class's claims, with its reason and the trainees concerned."""

    code: str
    label: str
    reason: str
    trainee_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ClassFlags:
    """A class and the flags raised on it."""

    class_id: int
    title: str
    institution_id: int
    district_code: str
    flags: list[Flag]


@dataclass(frozen=True)
class Claims:
    """What the flags read about one class."""

    klass: TrainingClass
    institution: Institution
    enrolled: int
    records: list[EmploymentRecord]  # the latest record of each trainee claimed employed


def late_entries(claims: Claims, six_months: date) -> Flag | None:
    """Many claims entered in the last days before the 6-month day (or after it)."""
    window = six_months - timedelta(days=LATE_WINDOW_DAYS)
    late = [r for r in claims.records if clock.local(r.created_at).date() >= window]
    if len(late) < LATE_MIN or len(late) * 2 < len(claims.records):
        return None
    return Flag(
        "late_entries",
        "临近6个月节点集中录入",
        f"{len(late)}/{len(claims.records)}条就业记录在6个月节点（{six_months.isoformat()}）"
        f"前{LATE_WINDOW_DAYS}天内或之后才录入",
        sorted(r.trainee_id for r in late),
    )


def shared_phone(claims: Claims) -> Flag | None:
    """Several trainees whose employers give one contact phone."""
    by_phone: dict[str, list[EmploymentRecord]] = defaultdict(list)
    for r in claims.records:
        if r.employer_phone:
            by_phone[r.employer_phone].append(r)
    groups = {p: rs for p, rs in by_phone.items() if len(rs) >= SHARED_PHONE_MIN}
    if not groups:
        return None
    parts = [
        f"{len(rs)}名学员的用人单位（{'、'.join(sorted({r.employer for r in rs}))}）"
        f"联系电话均为尾号{phone[-4:]}"
        for phone, rs in sorted(groups.items())
    ]
    ids = sorted(r.trainee_id for rs in groups.values() for r in rs)
    return Flag("shared_phone", "多名学员同一单位联系电话", "；".join(parts), ids)


def start_before_end(claims: Claims) -> Flag | None:
    """Jobs that started before the class ended: not found through the training."""
    end = claims.klass.end_date
    early = [r for r in claims.records if r.start_date is not None and r.start_date < end]
    if not early:
        return None
    return Flag(
        "start_before_end",
        "入职日期早于结业日期",
        f"{len(early)}名学员的入职日期早于培训结业日期（{end.isoformat()}）",
        sorted(r.trainee_id for r in early),
    )


async def _institution_people(klass: TrainingClass) -> set[int]:
    """Users who work for the class's institution: its grants, class staff, its instructors."""
    grants = await RoleGrant.filter(
        institution_id=klass.institution_id, role__in=list(INSTITUTION_ROLES)
    ).values_list("user_id", flat=True)
    staff = await ClassStaff.filter(training_class_id=klass.id).values_list("user_id", flat=True)
    own = await Instructor.filter(
        institution_id=klass.institution_id, user_id__isnull=False
    ).values_list("user_id", flat=True)
    return {int(u) for u in [*grants, *staff, *own] if u is not None}  # type: ignore[call-overload]


def staff_entered(claims: Claims, people: set[int]) -> Flag | None:
    """The institution's own people entered the claims of most of the class."""
    own = [r for r in claims.records if r.recorded_by_id in people]
    if not claims.enrolled or len(own) * 2 <= claims.enrolled:
        return None
    return Flag(
        "staff_entered",
        "多数就业记录由机构人员录入",
        f"{len(own)}/{claims.enrolled}名学员的就业记录由本机构人员录入",
        sorted(r.trainee_id for r in own),
    )


def name_core(name: str) -> str:
    """A body's name without its place and kind words, to compare names (no I/O)."""
    return NAME_NOISE.sub("", name)


def related_employer(claims: Claims) -> Flag | None:
    """The employer is the institution itself, bears its name, or has its contact person."""
    inst = claims.institution
    core = name_core(inst.name)
    contact = inst.contact_name.strip()

    def related(r: EmploymentRecord) -> bool:
        employer = name_core(r.employer)
        by_name = len(core) >= 2 and len(employer) >= 2 and (core in employer or employer in core)
        return by_name or bool(contact and r.employer_contact.strip() == contact)

    hits = [r for r in claims.records if related(r)]
    if not hits:
        return None
    names = "、".join(sorted({r.employer for r in hits}))
    return Flag(
        "related_employer",
        "用人单位为机构本身或关联单位",
        f"{len(hits)}名学员的用人单位（{names}）与培训机构“{inst.name}”名称或联系人相同",
        sorted(r.trainee_id for r in hits),
    )


async def _claims(klass: TrainingClass) -> Claims:
    trainee_ids = await enrolled_trainees(klass.id)
    latest = await latest_outcomes(trainee_ids)
    return Claims(
        klass=klass,
        institution=await Institution.get(id=klass.institution_id),
        enrolled=len(trainee_ids),
        records=[r for r in latest.values() if r.employed],
    )


async def class_flags(klass: TrainingClass) -> list[Flag]:
    """Every flag raised on the class's employment claims, with its reason."""
    claims = await _claims(klass)
    found = [
        late_entries(claims, await six_month_day(klass)),
        shared_phone(claims),
        start_before_end(claims),
        staff_entered(claims, await _institution_people(klass)),
        related_employer(claims),
    ]
    return [f for f in found if f is not None]


async def flags_of_class(*, actor: Actor, class_id: int) -> ClassFlags:
    """The flags of one class, for HR covering it."""
    klass = await authorize_class(actor, class_id, REVIEWERS)
    return ClassFlags(
        klass.id, klass.title, klass.institution_id, klass.district_code, await class_flags(klass)
    )


async def classes_flagged_for_review(*, actor: Actor | None = None) -> list[ClassFlags]:
    """Trainee classes (completed onwards) with at least one flag, in HR's scope (all if None).

    For the work queue: each class with its flags and reasons, by class id.
    """
    query = TrainingClass.filter(kind=ClassKind.TRAINEE_CLASS, status__in=FINISHED)
    if actor is not None:
        require_role(actor, REVIEWERS)
        query = query.filter(districts_in_scope(actor))
    found = []
    for klass in await query.order_by("id"):
        flags = await class_flags(klass)
        if flags:
            found.append(
                ClassFlags(klass.id, klass.title, klass.institution_id, klass.district_code, flags)
            )
    return found
