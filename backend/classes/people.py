"""A trainee as seen through the classes: HR's binding fixes, the audited PII reveal, "me".

These read class scope (a trainee is in an actor's reach through a class), so they sit with
the classes, above the identity functions of `backend/accounts/identity.py` they build on.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.identity import TraineeView, trainee_view
from backend.accounts.models import Role, Trainee, User, WeChatIdentity
from backend.accounts.service import ID_CONTEXT, PHONE_CONTEXT, decrypt_pii
from backend.classes.models import Enrolment
from backend.classes.scope import authorize_trainee
from backend.errors import Conflict, InvalidInput
from backend.security.audit import record_audit
from backend.security.pii import mask_name, mask_phone

# A trainee reads themself; staff, instructors, institution and HR a trainee of a class in scope.
TRAINEE_READERS = frozenset(Role)
BINDING_KEEPERS = frozenset({Role.HR_ADMIN})  # HR fixes a binding (unbind, waive the phone match)
# The full ID-card and phone numbers: HR and the institution only, every read audited.
PII_READERS = frozenset({Role.HR_ADMIN, Role.INSTITUTION_ADMIN})


async def waive_phone_check(*, actor: Actor, trainee_id: int, reason: str, ip: str = "") -> None:
    """HR lets the next binding of this row skip the phone match (the person changed
    numbers); audited, used once."""
    trainee = await authorize_trainee(actor, trainee_id, BINDING_KEEPERS)
    async with in_transaction():
        await Trainee.filter(id=trainee.id).update(phone_check_waived_at=clock.now())
        await record_audit(
            actor_id=actor.user_id,
            action="trainee.phone_check_waive",
            target_type="trainee",
            target_id=trainee.id,
            details={"reason": reason},
            ip=ip,
        )


async def unbind_trainee(*, actor: Actor, trainee_id: int, reason: str, ip: str = "") -> None:
    """HR releases a trainee's WeChat binding so the person can bind again (audited)."""
    trainee = await authorize_trainee(actor, trainee_id, BINDING_KEEPERS)
    if trainee.user_id is None:
        raise Conflict("该学员尚未绑定微信账号", code="NOT_BOUND")
    async with in_transaction():
        old_user = trainee.user_id
        await Trainee.filter(id=trainee.id).update(user_id=None, bound_at=None)
        await User.filter(id=old_user).update(token_version=F("token_version") + 1)
        await record_audit(
            actor_id=actor.user_id,
            action="trainee.unbind",
            target_type="trainee",
            target_id=trainee.id,
            details={"previous_user_id": old_user, "reason": reason},
            ip=ip,
        )


@dataclass(frozen=True, slots=True)
class RevealedPii:
    """A trainee's full ID-card and phone numbers (every read is audited)."""

    name: str
    id_number: str
    phone: str


@dataclass(frozen=True, slots=True)
class Scope:
    """One grant of the logged-in person: a role over an institution or a district (or all)."""

    role: str
    institution_id: int | None
    district_code: str | None


@dataclass(frozen=True, slots=True)
class Me:
    """The logged-in person: roles and scopes; ID-card and phone numbers masked."""

    user_id: int
    display_name: str
    name_masked: str
    roles: list[str]
    scopes: list[Scope]
    trainee: TraineeView | None
    instructor_id: int | None
    class_ids: list[int]
    phone_masked: str


async def reveal_trainee_pii(
    *, actor: Actor, trainee_id: int, reason: str, ip: str = "", request_id: str = ""
) -> RevealedPii:
    """The full ID-card and phone number, for HR and the institution only; always audited."""
    trainee = await authorize_trainee(actor, trainee_id, PII_READERS)
    if not reason.strip():
        raise InvalidInput("查看完整证件信息必须填写事由", code="REASON_REQUIRED")
    await record_audit(
        actor_id=actor.user_id,
        action="pii.read",
        target_type="trainee",
        target_id=trainee.id,
        details={"reason": reason, "fields": ["id_number", "phone"]},
        ip=ip,
        request_id=request_id,
    )
    return RevealedPii(
        name=trainee.name,
        id_number=decrypt_pii(trainee.id_number_enc, context=ID_CONTEXT),
        phone=decrypt_pii(trainee.phone_enc, context=PHONE_CONTEXT),
    )


async def describe_me(actor: Actor) -> Me:
    """The profile, roles and scopes of the logged-in person."""
    trainee = await Trainee.get_or_none(id=actor.trainee_id) if actor.trainee_id else None
    identity = await WeChatIdentity.get_or_none(user_id=actor.user_id)
    enrolments: list[int] = []
    if trainee is not None:
        enrolments = await Enrolment.filter(trainee_id=trainee.id).values_list(
            "training_class_id", flat=True
        )  # type: ignore[assignment]
    return Me(
        user_id=actor.user_id,
        display_name=actor.display_name,
        name_masked=mask_name(actor.display_name),
        roles=sorted(r.value for r in actor.roles),
        scopes=[
            Scope(role=g.role.value, institution_id=g.institution_id, district_code=g.district_code)
            for g in actor.grants
        ],
        trainee=trainee_view(trainee) if trainee else None,
        instructor_id=actor.instructor_id,
        class_ids=sorted(enrolments),
        phone_masked=mask_phone(
            decrypt_pii(identity.phone_enc, context=PHONE_CONTEXT) if identity else ""
        ),
    )
