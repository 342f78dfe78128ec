"""People and organisations: creating them, granting roles, invitations, binding trainees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.models import (
    Institution,
    Instructor,
    InstructorStatus,
    Invitation,
    Role,
    RoleGrant,
    Trainee,
    TraineeCategory,
    User,
)
from backend.districts import CITY_CODE, is_known_district
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.runtime import runtime
from backend.security import invitation_codes
from backend.security.audit import record_audit
from backend.security.idcard import (
    InvalidIdNumber,
    InvalidPhoneNumber,
    birth_date,
    gender,
    validate_id_number,
    validate_mobile,
)

ID_CONTEXT = "id_number"
PHONE_CONTEXT = "phone"
INVITATION_TTL = timedelta(hours=72)
ROLES_NEEDING_INSTITUTION = {Role.INSTITUTION_ADMIN, Role.CLASS_TEACHER, Role.STAFF}


def checked_id_number(value: str) -> str:
    """Validate an ID-card number, turning the reason into the domain's error."""
    try:
        return validate_id_number(value)
    except InvalidIdNumber as exc:
        raise InvalidInput(f"身份证号码不正确：{exc.reason}", code="ID_NUMBER_INVALID") from None


def checked_phone(value: str) -> str:
    """Validate a mainland mobile number, turning the reason into the domain's error."""
    try:
        return validate_mobile(value)
    except InvalidPhoneNumber as exc:
        raise InvalidInput(f"手机号码不正确：{exc.reason}", code="PHONE_INVALID") from None


def id_number_hash(id_number: str) -> str:
    """The keyed hash used to find a trainee by ID-card number."""
    return runtime().cipher.blind_index(id_number, context=ID_CONTEXT)


def _encrypt(value: str, context: str) -> str:
    return runtime().cipher.encrypt(value, context=context)


def decrypt_pii(token: str | None, *, context: str) -> str:
    """Decrypt a stored ID-card or phone number (callers audit full-value reads)."""
    return runtime().cipher.decrypt(token, context=context) if token else ""


async def create_institution(*, name: str, credit_code: str, district_code: str) -> Institution:
    """Register a training institution."""
    if not is_known_district(district_code):
        raise InvalidInput("区县代码不正确", code="DISTRICT_UNKNOWN")
    try:
        return await Institution.create(
            name=name, credit_code=credit_code, district_code=district_code
        )
    except IntegrityError:
        raise Conflict("该统一社会信用代码已登记", code="INSTITUTION_EXISTS") from None


def _check_scope_shape(role: Role, institution_id: int | None, district_code: str | None) -> None:
    if role in ROLES_NEEDING_INSTITUTION and institution_id is None:
        raise InvalidInput("该角色必须指定所属培训机构", code="ROLE_NEEDS_INSTITUTION")
    hr_district = role is Role.HR_ADMIN and district_code not in (None, CITY_CODE)
    if hr_district and not is_known_district(district_code or ""):
        raise InvalidInput("区县代码不正确", code="DISTRICT_UNKNOWN")
    if role is Role.TRAINEE:
        raise InvalidInput("学员身份通过花名册绑定获得，不能直接授予", code="ROLE_NOT_GRANTABLE")


async def grant_role(
    *,
    user_id: int,
    role: Role,
    institution_id: int | None = None,
    district_code: str | None = None,
    granted_by_id: int | None = None,
) -> RoleGrant:
    """Give a user a role with its scope; the change is audited."""
    _check_scope_shape(role, institution_id, district_code)
    district = None if district_code in (None, CITY_CODE) else district_code
    async with in_transaction():
        grant = await RoleGrant.create(
            user_id=user_id,
            role=role,
            institution_id=institution_id,
            district_code=district,
            granted_by_id=granted_by_id,
        )
        await record_audit(
            actor_id=granted_by_id,
            action="role.grant",
            target_type="user",
            target_id=user_id,
            details={"role": role.value, "institution_id": institution_id, "district": district},
        )
    return grant


@dataclass(frozen=True)
class TraineeInput:
    """What a roster row says about a person."""

    name: str
    id_number: str
    category: TraineeCategory
    phone: str = ""
    education: str = ""
    school: str = ""
    major: str = ""
    graduation_year: int | None = None


async def register_trainee(*, data: TraineeInput) -> Trainee:
    """Create (or return the existing) trainee row for a person, PII encrypted."""
    id_number = checked_id_number(data.id_number)
    phone = checked_phone(data.phone) if data.phone else ""
    cipher = runtime().cipher
    existing = await Trainee.get_or_none(id_number_hash=id_number_hash(id_number))
    if existing is not None:
        return existing
    birth: date = birth_date(id_number)
    return await Trainee.create(
        name=data.name.strip(),
        id_number_enc=_encrypt(id_number, ID_CONTEXT),
        id_number_hash=id_number_hash(id_number),
        phone_enc=_encrypt(phone, PHONE_CONTEXT) if phone else None,
        phone_hash=cipher.blind_index(phone, context=PHONE_CONTEXT) if phone else None,
        gender=gender(id_number),
        birth_date=birth,
        category=data.category,
        education=data.education,
        school=data.school,
        major=data.major,
        graduation_year=data.graduation_year,
    )


async def create_instructor(
    *, name: str, certificate_no: str | None, phone: str = "", institution_id: int | None = None
) -> Instructor:
    """Add an instructor to HR's registry."""
    phone = checked_phone(phone) if phone else ""
    try:
        return await Instructor.create(
            name=name,
            certificate_no=certificate_no,
            status=InstructorStatus.ACTIVE,
            phone_enc=_encrypt(phone, PHONE_CONTEXT) if phone else None,
            phone_hash=runtime().cipher.blind_index(phone, context=PHONE_CONTEXT)
            if phone
            else None,
            institution_id=institution_id,
        )
    except IntegrityError:
        raise Conflict("该师资证书编号已登记", code="CERTIFICATE_EXISTS") from None


def _code_key() -> bytes:
    return runtime().settings.secret_key.encode()


async def create_invitation(
    *,
    role: Role,
    institution_id: int | None = None,
    district_code: str | None = None,
    instructor_id: int | None = None,
    created_by_id: int | None = None,
    ttl: timedelta = INVITATION_TTL,
    note: str = "",
    invitee_name: str = "",
) -> tuple[Invitation, str]:
    """A one-time, expiring code granting a role; returns the row and the clear code once."""
    _check_scope_shape(role, institution_id, district_code)
    if role is Role.INSTRUCTOR and instructor_id is None:
        raise InvalidInput("讲师邀请码必须关联师资库中的讲师", code="ROLE_NEEDS_INSTRUCTOR")
    if role is not Role.INSTRUCTOR and instructor_id is not None:
        raise InvalidInput(
            "只有讲师邀请码可以关联师资库中的讲师", code="INSTRUCTOR_ONLY_WITH_INSTRUCTOR_ROLE"
        )
    if institution_id is not None and not await Institution.exists(id=institution_id):
        raise NotFound("培训机构不存在", code="INSTITUTION_NOT_FOUND")
    code = invitation_codes.generate_invitation_code()
    invitation = await Invitation.create(
        code_hash=invitation_codes.hash_code(code, key=_code_key()),
        role=role,
        institution_id=institution_id,
        district_code=None if district_code == CITY_CODE else district_code,
        instructor_id=instructor_id,
        created_by_id=created_by_id,
        expires_at=clock.now() + ttl,
        note=note,
        invitee_name=invitee_name.strip()[:50],
    )
    return invitation, code


async def redeem_invitation(*, user_id: int, code: str, ip: str = "", name: str = "") -> RoleGrant:
    """Use a one-time code: exactly one redemption wins, even when two race.

    The person gets a name: the one given now, else the one the inviter gave, else the
    instructor's name in the registry; one who has none is refused (NAME_REQUIRED).
    """
    if not invitation_codes.is_well_formed_code(code):
        raise InvalidInput("邀请码格式不正确", code="INVITATION_INVALID")
    code_hash = invitation_codes.hash_code(invitation_codes.normalize_code(code), key=_code_key())
    now = clock.now()
    async with in_transaction():
        claimed = await Invitation.filter(
            code_hash=code_hash, redeemed_at__isnull=True, expires_at__gt=now
        ).update(redeemed_at=now, redeemed_by_id=user_id)
        invitation = await Invitation.get_or_none(code_hash=code_hash)
        if not claimed or invitation is None:
            raise _invitation_refusal(invitation, now)
        if invitation.instructor_id is not None and invitation.role is Role.INSTRUCTOR:
            await _link_instructor(invitation.instructor_id, user_id)
        await _name_user(user_id, name, invitation)
        grant = await grant_role(
            user_id=user_id,
            role=invitation.role,
            institution_id=invitation.institution_id,
            district_code=invitation.district_code,
            granted_by_id=invitation.created_by_id,
        )
        await record_audit(
            actor_id=user_id,
            action="invitation.redeem",
            target_type="invitation",
            target_id=invitation.id,
            details={"role": invitation.role.value},
            ip=ip,
        )
    return grant


async def _name_user(user_id: int, name: str, invitation: Invitation) -> None:
    chosen = name.strip() or invitation.invitee_name
    if not chosen and invitation.instructor_id is not None:
        chosen = (await Instructor.get(id=invitation.instructor_id)).name
    if chosen:
        await User.filter(id=user_id).update(display_name=chosen[:50])
    elif not (await User.get(id=user_id)).display_name:
        raise InvalidInput("请填写您的姓名后再使用邀请码", code="NAME_REQUIRED")


def _invitation_refusal(invitation: Invitation | None, now: datetime) -> Exception:
    if invitation is None:
        return NotFound("邀请码不存在，请核对后重新输入", code="INVITATION_INVALID")
    if invitation.redeemed_at is not None:
        return Conflict("该邀请码已被使用", code="INVITATION_USED")
    return Forbidden("该邀请码已过期，请联系管理员重新生成", code="INVITATION_EXPIRED")


async def _link_instructor(instructor_id: int, user_id: int) -> None:
    instructor = await Instructor.get(id=instructor_id)
    if instructor.user_id not in (None, user_id):
        raise Conflict("该讲师已绑定其他微信账号，如需换绑请联系人社部门", code="ALREADY_BOUND")
    try:
        await Instructor.filter(id=instructor_id).update(user_id=user_id)
    except IntegrityError:
        raise Conflict("您的微信账号已绑定其他讲师", code="ALREADY_BOUND") from None
