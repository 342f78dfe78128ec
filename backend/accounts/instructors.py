"""HR's instructor registry (师资库): certificates and standing (第十三、十六条)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from backend.accounts.access import Actor, require_city_hr, require_role
from backend.accounts.models import Instructor, InstructorStatus, Role
from backend.accounts.service import PHONE_CONTEXT, create_instructor, decrypt_pii
from backend.errors import InvalidInput, NotFound
from backend.security.audit import record_audit
from backend.security.pii import mask_phone

# 第十三条: 福州市人社局 certifies instructors (`require_city_hr` narrows HR to the city).
REGISTRARS = frozenset({Role.HR_ADMIN})
# HR keeps the registry; an institution chooses its class's 2–4 instructors from it (第十九条).
BROWSERS = frozenset({Role.HR_ADMIN, Role.INSTITUTION_ADMIN})
STATUS_LABELS = {
    InstructorStatus.ACTIVE: "正常",
    InstructorStatus.SUSPENDED: "暂停选派",
    InstructorStatus.REVOKED: "取消师资资格",
}


@dataclass(frozen=True, slots=True)
class InstructorView:
    """An instructor as lists show them (phone masked)."""

    id: int
    name: str
    certificate_no: str | None
    status: str
    status_label: str
    phone_masked: str
    bound: bool


def instructor_view(instructor: Instructor) -> InstructorView:
    """An instructor as lists show them (phone masked)."""
    return InstructorView(
        id=instructor.id,
        name=instructor.name,
        certificate_no=instructor.certificate_no,
        status=instructor.status.value,
        status_label=STATUS_LABELS[instructor.status],
        phone_masked=mask_phone(decrypt_pii(instructor.phone_enc, context=PHONE_CONTEXT)),
        bound=instructor.user_id is not None,
    )


async def register_instructor(
    *, actor: Actor, name: str, certificate_no: str, phone: str = ""
) -> Instructor:
    """City HR adds a certified instructor to the registry (第十三条: 福州市人社局 certifies)."""
    require_city_hr(actor, "第十三条")
    if not certificate_no.strip():
        raise InvalidInput("须填写师资证书编号（第十三条）", code="CERTIFICATE_REQUIRED")
    instructor = await create_instructor(
        name=name, certificate_no=certificate_no.strip(), phone=phone
    )
    await record_audit(
        actor_id=actor.user_id,
        action="instructor.register",
        target_type="instructor",
        target_id=instructor.id,
    )
    return instructor


async def change_status(
    *, actor: Actor, instructor_id: int, status: InstructorStatus, reason: str
) -> Instructor:
    """第十六条: 暂停选派 or 取消师资资格 (or reinstatement), with a reason, audited."""
    require_role(actor, {Role.HR_ADMIN})
    if not reason.strip():
        raise InvalidInput("须填写处理原因（第十六条）", code="REASON_REQUIRED")
    async with in_transaction():
        instructor = await Instructor.get_or_none(id=instructor_id)
        if instructor is None:
            raise NotFound("讲师不存在", code="INSTRUCTOR_NOT_FOUND")
        previous = instructor.status
        instructor.status = status
        await instructor.save(update_fields=["status"])
        await record_audit(
            actor_id=actor.user_id,
            action="instructor.status",
            target_type="instructor",
            target_id=instructor.id,
            details={"from": previous.value, "to": status.value, "reason": reason},
        )
    return instructor


async def list_instructors(
    *, actor: Actor, status: InstructorStatus | None, offset: int, limit: int
) -> tuple[int, list[Instructor]]:
    """The registry, for HR and for institutions choosing instructors."""
    require_role(actor, BROWSERS)
    query = Instructor.all().order_by("id")
    if status is not None:
        query = query.filter(status=status)
    return await query.count(), await query.offset(offset).limit(limit)
