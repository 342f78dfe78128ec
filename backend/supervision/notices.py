"""Written notices (书面通报) to institutions: the third disqualifies (第九条(一)).

第九条(一) takes the qualification of an institution "被人社部门书面通报三次以上的": notices
count over the institution's whole history (the article names no period). Each notice gets
the next number of its institution while the institution's row is locked, and the pair
(institution, number) is unique in the database: two notices issued at once are numbered one
after the other, and exactly one of them is the third. Disqualification only stops new plans
(`backend/classes/service.create_plan`); classes already running continue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from backend.accounts.access import Actor
from backend.accounts.models import Institution, InstitutionStatus, Role, RoleGrant
from backend.classes.scope import authorize_institution
from backend.registers.models import InstitutionNotice
from backend.security.audit import record_audit
from backend.supervision.service import notify_inbox, past_or_today, require_reason

DISQUALIFYING_NOTICES = 3  # 第九条(一): 书面通报三次以上
ISSUERS = frozenset({Role.HR_ADMIN})  # 第九条(一): 被人社部门书面通报
NOTICE_READERS = frozenset({Role.HR_ADMIN, Role.INSTITUTION_ADMIN})  # … read by the institution too


async def issue_notice(
    *, actor: Actor, institution_id: int, reason: str, issued_on: date | None = None
) -> InstitutionNotice:
    """HR issues a written notice; the third one disqualifies the institution (第九条)."""
    reason = require_reason(reason, article="第九条")
    issued_on = past_or_today(issued_on, what="通报日期")
    async with in_transaction():
        # Locked: concurrent notices are numbered one after the other.
        inst = await authorize_institution(actor, institution_id, ISSUERS, lock=True)
        return await record_notice(
            inst=inst, reason=reason, issued_on=issued_on, issued_by_id=actor.user_id
        )


async def record_notice(
    *, inst: Institution, reason: str, issued_on: date, issued_by_id: int | None
) -> InstitutionNotice:
    """Number and record a notice of a locked institution; the third disqualifies it (第九条)."""
    sequence = await InstitutionNotice.filter(institution_id=inst.id).count() + 1
    disqualifies = sequence >= DISQUALIFYING_NOTICES and inst.status == InstitutionStatus.ACTIVE
    notice = await InstitutionNotice.create(
        institution_id=inst.id,
        sequence=sequence,
        reason=reason,
        issued_on=issued_on,
        disqualified=disqualifies,
        issued_by_id=issued_by_id,
    )
    if disqualifies:
        inst.status = InstitutionStatus.DISQUALIFIED
        await inst.save(update_fields=["status"])
    await record_audit(
        actor_id=issued_by_id,
        action="institution.notice",
        target_type="institution",
        target_id=inst.id,
        details={"notice_id": notice.id, "sequence": sequence, "disqualified": disqualifies},
    )
    await _tell_institution(inst, notice)
    return notice


async def _tell_institution(inst: Institution, notice: InstitutionNotice) -> None:
    admins = await RoleGrant.filter(
        institution_id=inst.id, role=Role.INSTITUTION_ADMIN, revoked_at__isnull=True
    ).values_list("user_id", flat=True)
    body = f"{inst.name}：第{notice.sequence}次书面通报。原因：{notice.reason}"
    if notice.disqualified:
        body += "。根据第九条，已取消开展求职能力实训培训资格，不能再申报新的培训班。"
    elif notice.sequence == DISQUALIFYING_NOTICES - 1 and inst.status == InstitutionStatus.ACTIVE:
        body += "。请注意：根据第九条，再被书面通报一次将取消开展求职能力实训培训资格。"
    await notify_inbox(
        user_ids=[int(u) for u in admins],  # type: ignore[call-overload]
        title="人社部门书面通报",
        body=body,
    )


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice as HR and the institution see it."""

    id: int
    institution_id: int
    sequence: int
    reason: str
    issued_on: str
    disqualified: bool
    issued_by: int | None


@dataclass(frozen=True, slots=True)
class InstitutionNotices:
    """An institution's notices, oldest first, with its standing under 第九条."""

    institution_id: int
    institution_name: str
    status: str
    count: int
    # How many more notices until disqualification (the last of them disqualifies).
    notices_until_disqualification: int | None
    items: list[NoticeView]


def notice_view(notice: InstitutionNotice) -> NoticeView:
    """A notice as HR and the institution see it."""
    return NoticeView(
        id=notice.id,
        institution_id=notice.institution_id,
        sequence=notice.sequence,
        reason=notice.reason,
        issued_on=notice.issued_on.isoformat(),
        disqualified=notice.disqualified,
        issued_by=notice.issued_by_id,
    )


async def notices_of(*, actor: Actor, institution_id: int) -> InstitutionNotices:
    """An institution's notices, oldest first, with its standing under 第九条."""
    inst = await authorize_institution(actor, institution_id, NOTICE_READERS)
    notices = await InstitutionNotice.filter(institution_id=inst.id).order_by("sequence")
    active = inst.status == InstitutionStatus.ACTIVE
    return InstitutionNotices(
        institution_id=inst.id,
        institution_name=inst.name,
        status=inst.status.value,
        count=len(notices),
        notices_until_disqualification=(
            max(DISQUALIFYING_NOTICES - len(notices), 1) if active else None
        ),
        items=[notice_view(n) for n in notices],
    )
