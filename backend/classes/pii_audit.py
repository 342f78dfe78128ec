"""The audit log of full-PII reads (reading a full value is an audited action).

Every full ID-card or phone number leaves the system through one of the actions below, each of
which writes an `AuditEntry` (`backend.security.audit`); this module reads them back for HR:
the city bureau, which answers for the trainees' personal data across the city, reads them all;
a district bureau reads the reads of its own district's trainees and classes (a trainee belongs
to the districts of the classes they are enrolled in). Read-only: the entries are never changed
or deleted by the application. It reads the class tables for that scope, so it lives with the
classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tortoise.expressions import Q

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role, User
from backend.classes.models import TrainingClass
from backend.classes.scope import districts_in_scope, hr_districts, trainees_in_scope
from backend.errors import InvalidInput
from backend.security.audit import AuditEntry

# action → what was read; the writers: accounts.identity.reveal_trainee_pii,
# subsidies.export.full_roster, practice.service (résumé PDF), employment.delivery
PII_READS: dict[str, str] = {
    "pii.read": "查看学员完整证件号与手机号",
    "subsidy.roster_full_export": "导出含完整证件号的补贴花名册",
    "pii.resume_pdf": "学员下载含完整手机号的简历",
    "pii.delivered_to_recruitment_site": "向招聘网站投递学员简历",
}
# City HR reads every entry; a district's HR those about its trainees and classes.
READERS = frozenset({Role.HR_ADMIN})


@dataclass(frozen=True, slots=True)
class PiiRead:
    """One audited read: who, when, what, whose, and why."""

    id: int
    at: str
    action: str
    action_label: str
    actor_id: int | None
    actor_name: str
    target_type: str
    target_id: str
    reason: str
    ip: str


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.SHANGHAI)


async def list_pii_reads(
    *,
    actor: Actor,
    action: str | None = None,
    start: date | None = None,
    end: date | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[PiiRead]]:
    """Full-PII reads, newest first, optionally of one kind and within [start, end] (local days)."""
    require_role(actor, READERS)
    if action is not None and action not in PII_READS:
        raise InvalidInput("查阅类型不正确", code="AUDIT_ACTION_INVALID")
    if start and end and end < start:
        raise InvalidInput("结束日期不能早于开始日期", code="PERIOD_INVALID")
    query = AuditEntry.filter(
        await _targets_in_scope(actor), action__in=[action] if action else list(PII_READS)
    )
    if start:
        query = query.filter(created_at__gte=_day_start(start))
    if end:
        query = query.filter(created_at__lt=_day_start(end + timedelta(days=1)))
    total = await query.count()
    rows = await query.order_by("-created_at", "-id").offset(offset).limit(limit)
    users = {r.actor_id for r in rows if r.actor_id is not None}
    names = dict(await User.filter(id__in=list(users)).values_list("id", "display_name"))
    items = [
        PiiRead(
            id=r.id,
            at=clock.local(r.created_at).isoformat(),
            action=r.action,
            action_label=PII_READS[r.action],
            actor_id=r.actor_id,
            actor_name=str(names.get(r.actor_id, "")) if r.actor_id is not None else "",
            target_type=r.target_type,
            target_id=r.target_id,
            reason=str((r.details or {}).get("reason", "")),
            ip=r.ip,
        )
        for r in rows
    ]
    return total, items


async def _targets_in_scope(actor: Actor) -> Q:
    """The entries whose target (a trainee, or a class for roster exports) is in HR's scope."""
    if None in hr_districts(actor):
        return Q(id__isnull=False)  # city-wide: every entry, including those of no class
    classes = await TrainingClass.filter(districts_in_scope(actor)).values_list("id", flat=True)
    trainees = await trainees_in_scope(actor, READERS)
    return Q(target_type="trainee", target_id__in=[str(t) for t in trainees]) | Q(
        target_type="class", target_id__in=[str(c) for c in classes]
    )
