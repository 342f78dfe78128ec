"""Who may invite whom: HR invites anyone in its area, an institution only its own staff."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Institution, Invitation, Role, RoleGrant
from backend.accounts.service import create_invitation
from backend.errors import Forbidden, NotFound
from backend.security.audit import record_audit

INSTITUTION_MAY_INVITE = {Role.CLASS_TEACHER, Role.STAFF, Role.INSTITUTION_ADMIN}
# HR grants and revokes roles in its area; an institution its own team (第七条(四)).
INVITERS = frozenset({Role.HR_ADMIN, Role.INSTITUTION_ADMIN})


async def _check_inviter(
    actor: Actor, role: Role, institution_id: int | None, district_code: str | None
) -> None:
    if Role.HR_ADMIN in actor.roles:
        if institution_id is not None:
            inst = await Institution.get_or_none(id=institution_id)
            if inst is None or not actor.hr_covers(inst.district_code):
                raise NotFound("培训机构不存在或不在您的管理范围内", code="INSTITUTION_NOT_FOUND")
        if role is Role.HR_ADMIN and not actor.hr_covers(district_code or "city"):
            raise Forbidden("只能邀请本辖区的人社部门管理员", code="SCOPE_FORBIDDEN")
        return
    if role not in INSTITUTION_MAY_INVITE or institution_id not in actor.institutions(
        Role.INSTITUTION_ADMIN
    ):
        raise Forbidden("培训机构只能邀请本机构的工作人员", code="SCOPE_FORBIDDEN")


async def issue_invitation(
    *,
    actor: Actor,
    role: Role,
    institution_id: int | None,
    district_code: str | None,
    instructor_id: int | None,
    ttl: timedelta,
    note: str = "",
    invitee_name: str = "",
) -> tuple[Invitation, str]:
    """Create an invitation if the actor may grant this role in this scope."""
    require_role(actor, INVITERS)
    if instructor_id is not None and Role.HR_ADMIN not in actor.roles:
        # An instructor's identity backs 第十九条 sign-ins: only HR, who keeps the registry,
        # may hand it to a WeChat account.
        raise Forbidden("只有人社部门可以生成关联讲师的邀请码", code="INSTRUCTOR_ONLY_FROM_HR")
    await _check_inviter(actor, role, institution_id, district_code)
    return await create_invitation(
        role=role,
        institution_id=institution_id,
        district_code=district_code,
        instructor_id=instructor_id,
        created_by_id=actor.user_id,
        ttl=ttl,
        note=note,
        invitee_name=invitee_name,
    )


async def revoke_grant(*, actor: Actor, grant_id: int, reason: str) -> RoleGrant:
    """Take a role away (HR in its area, an institution for its own staff); audited."""
    grant = await RoleGrant.get_or_none(id=grant_id, revoked_at__isnull=True)
    if grant is None:
        raise NotFound("该授权不存在或已撤销", code="GRANT_NOT_FOUND")
    await _check_inviter(actor, grant.role, grant.institution_id, grant.district_code)
    if grant.user_id == actor.user_id:
        raise Forbidden("不能撤销自己的授权", code="SCOPE_FORBIDDEN")
    async with in_transaction():
        grant.revoked_at = clock.now()
        await grant.save(update_fields=["revoked_at"])
        await record_audit(
            actor_id=actor.user_id,
            action="role.revoke",
            target_type="user",
            target_id=grant.user_id,
            details={"grant_id": grant.id, "role": grant.role.value, "reason": reason},
        )
    return grant
