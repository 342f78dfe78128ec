"""Identity: WeChat login, binding to the roster, phone numbers, re-binding and PII reads.

`session_key` never leaves the server; ID-card and phone numbers leave it only masked, except
through `reveal_trainee_pii` (`backend/classes/people.py`), which writes an audit row.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.models import Instructor, RoleGrant, Trainee, User, WeChatIdentity
from backend.accounts.service import (
    ID_CONTEXT,
    PHONE_CONTEXT,
    checked_id_number,
    decrypt_pii,
    id_number_hash,
)
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated, Upstream
from backend.integrations.wechat import ErrorKind, WeChatConnector, WeChatError
from backend.runtime import runtime
from backend.security.audit import record_audit
from backend.security.idcard import normalize_id_number
from backend.security.models import AuditEntry
from backend.security.pii import mask_id_number, mask_phone
from backend.security.tokens import (
    AccessClaims,
    TokenError,
    TokenExpired,
    decode_access_token,
    issue_access_token,
)

log = logging.getLogger("jobready.identity")

# WeChat's answers to a bad login code, in words a trainee understands.
_LOGIN_REFUSALS = {
    40163: ("LOGIN_CODE_USED", "登录凭证已被使用，请重新进入小程序登录"),
    40029: ("LOGIN_CODE_INVALID", "登录凭证无效，请重新进入小程序登录"),
    45011: ("LOGIN_RATE_LIMITED", "登录过于频繁，请稍后再试"),
}


def wechat_failure(exc: WeChatError, *, action: str) -> Exception:
    """Turn a classified WeChat error into the domain error a person sees."""
    if exc.errcode in _LOGIN_REFUSALS:
        code, message = _LOGIN_REFUSALS[exc.errcode]
        return InvalidInput(message, code=code, details={"wechat_errcode": exc.errcode})
    log.warning("wechat %s failed: %s", action, exc)
    if exc.kind is ErrorKind.PERMANENT:
        return Upstream(
            f"微信接口拒绝了请求：{exc.reason}",
            code="WECHAT_REJECTED",
            details={"wechat_errcode": exc.errcode},
        )
    return Upstream(
        "微信服务暂时不可用，请稍后再试",
        code="WECHAT_UNAVAILABLE",
        details={"wechat_errcode": exc.errcode},
    )


@dataclass(frozen=True)
class LoginResult:
    """A signed token and whom it belongs to."""

    token: str
    user: User
    bound: bool
    is_new: bool


async def _identity_for(session_openid: str, unionid: str | None) -> tuple[WeChatIdentity, bool]:
    appid = runtime().settings.wechat_appid
    identity = await WeChatIdentity.get_or_none(appid=appid, openid=session_openid)
    if identity is not None:
        return identity, False
    try:
        async with in_transaction():
            user = await User.create(display_name="")
            identity = await WeChatIdentity.create(
                user=user, appid=appid, openid=session_openid, unionid=unionid
            )
        return identity, True
    except IntegrityError:  # the same person logging in twice at once: the other won
        return await WeChatIdentity.get(appid=appid, openid=session_openid), False


def issue_token_for(user: User) -> str:
    """A session token for this user at the user's current token version."""
    settings = runtime().settings
    return issue_access_token(
        user_id=user.id,
        token_version=user.token_version,
        secret=settings.secret_key,
        ttl_seconds=settings.token_ttl_seconds,
    )


async def login_with_wechat(*, code: str, connector: WeChatConnector) -> LoginResult:
    """wx.login code → code2session → our own signed token (session_key kept encrypted)."""
    try:
        session = await connector.code2session(code)
    except WeChatError as exc:
        raise wechat_failure(exc, action="code2session") from None
    identity, is_new = await _identity_for(session.openid, session.unionid)
    identity.session_key_enc = runtime().cipher.encrypt(session.session_key, context="session_key")
    if session.unionid:
        identity.unionid = session.unionid
    await identity.save(update_fields=["session_key_enc", "unionid", "updated_at"])
    user = await User.get(id=identity.user_id)
    if not user.is_active:
        raise Unauthenticated("账号已停用，请联系管理员", code="ACCOUNT_DISABLED")
    user.last_login_at = clock.now()
    await user.save(update_fields=["last_login_at"])
    bound = await _is_bound(user.id)
    return LoginResult(issue_token_for(user), user, bound, is_new)


async def _is_bound(user_id: int) -> bool:
    return (
        await Trainee.exists(user_id=user_id)
        or await Instructor.exists(user_id=user_id)
        or await RoleGrant.exists(user_id=user_id, revoked_at__isnull=True)
    )


def authenticate(token: str) -> AccessClaims:
    """The claims of a bearer token; refuses expired and forged ones (revocation: load_actor)."""
    try:
        return decode_access_token(token, secret=runtime().settings.secret_key)
    except TokenError as exc:
        code = "TOKEN_EXPIRED" if isinstance(exc, TokenExpired) else "TOKEN_INVALID"
        raise Unauthenticated(f"{exc.reason}，请重新登录", code=code) from None


def roster_row_key(id_number: str) -> str:
    """The rate-limit key of the roster row a binding attempt names (its ID-number hash)."""
    return id_number_hash(normalize_id_number(id_number))


async def revoke_sessions(*, user_id: int, ip: str = "") -> None:
    """Log out: every token issued so far to this user stops working (token_version + 1)."""
    async with in_transaction():
        await User.filter(id=user_id).update(token_version=F("token_version") + 1)
        await record_audit(
            actor_id=user_id, action="auth.logout", target_type="user", target_id=user_id, ip=ip
        )


RebindHook = Callable[[Trainee], Awaitable[None]]


async def _refuse_staff(user_id: int) -> None:
    """A staff, HR or instructor account cannot also be a trainee: an institution holds its
    trainees' names and ID numbers and could otherwise bind them to its own accounts."""
    staff = await RoleGrant.exists(user_id=user_id, revoked_at__isnull=True)
    if staff or await Instructor.exists(user_id=user_id):
        raise Forbidden(
            "工作人员、讲师或管理员账号不能绑定为学员，请学员本人使用自己的微信绑定",
            code="STAFF_CANNOT_BIND",
        )


async def _check_phone(trainee: Trainee, user_id: int) -> bool:
    """Where the roster has a phone, the WeChat account's own number (getPhoneNumber) must be
    it, unless HR waived the check for this binding. True when the waiver was used."""
    if not trainee.phone_hash:
        return False
    identity = await WeChatIdentity.get_or_none(user_id=user_id)
    if identity is not None and identity.phone_hash == trainee.phone_hash:
        return False
    if trainee.phone_check_waived_at is not None:
        return True
    if identity is None or not identity.phone_hash:
        raise Forbidden("请先授权获取本人微信绑定的手机号，再绑定学员信息", code="PHONE_REQUIRED")
    raise Forbidden(
        "微信绑定的手机号与花名册登记的手机号不一致，请联系培训机构核对或由人社部门审核",
        code="PHONE_MISMATCH",
    )


async def bind_trainee(
    *,
    user_id: int,
    name: str,
    id_number: str,
    ip: str = "",
    on_rebind: RebindHook | None = None,
) -> Trainee:
    """Bind this WeChat user to the roster row with this name and ID-card number.

    Staff accounts are refused; the roster's phone must match the account's (or an HR
    waiver); a row bound before (then released by HR) calls `on_rebind` in the transaction.
    """
    normalized = checked_id_number(id_number)
    trainee = await Trainee.get_or_none(id_number_hash=id_number_hash(normalized))
    if trainee is None or trainee.name != name.strip():
        # One message for both: do not tell a guesser which half was right.
        raise NotFound("未找到匹配的学员信息，请核对姓名和身份证号码", code="TRAINEE_NOT_FOUND")
    if trainee.user_id == user_id:
        return trainee
    await _refuse_staff(user_id)
    if trainee.user_id is not None:
        raise Conflict("该学员已绑定其他微信账号，如需换绑请联系人社部门", code="ALREADY_BOUND")
    if await Trainee.exists(user_id=user_id):
        raise Conflict("您的微信账号已绑定其他学员", code="ALREADY_BOUND")
    waived = await _check_phone(trainee, user_id)
    rebind = await AuditEntry.exists(action="trainee.bind", target_id=str(trainee.id))
    async with in_transaction():
        claimed = await Trainee.filter(id=trainee.id, user_id__isnull=True).update(
            user_id=user_id, bound_at=clock.now(), phone_check_waived_at=None
        )
        if not claimed:
            raise Conflict("该学员已绑定其他微信账号", code="ALREADY_BOUND")
        await User.filter(id=user_id).update(display_name=trainee.name)
        await record_audit(
            actor_id=user_id,
            action="trainee.bind",
            target_type="trainee",
            target_id=trainee.id,
            details={"rebind": rebind, "phone_check_waived": waived},
            ip=ip,
        )
        if rebind and on_rebind is not None:
            await on_rebind(trainee)
    return await Trainee.get(id=trainee.id)


async def store_phone(*, user_id: int, code: str, connector: WeChatConnector) -> str:
    """Fetch the user's phone number through getuserphonenumber; returns it masked."""
    try:
        phone = await connector.get_phone_number(code)
    except WeChatError as exc:
        raise wechat_failure(exc, action="getuserphonenumber") from None
    cipher = runtime().cipher
    await WeChatIdentity.filter(user_id=user_id).update(
        phone_enc=cipher.encrypt(phone, context=PHONE_CONTEXT),
        phone_hash=cipher.blind_index(phone, context=PHONE_CONTEXT),
    )
    return mask_phone(phone)


@dataclass(frozen=True, slots=True)
class TraineeView:
    """A trainee as responses show them: ID-card and phone numbers masked."""

    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    gender: str
    category: str
    education: str
    school: str
    major: str
    graduation_year: int | None
    bound: bool


def trainee_view(trainee: Trainee) -> TraineeView:
    """A trainee as responses show them: ID-card and phone numbers masked."""
    return TraineeView(
        id=trainee.id,
        name=trainee.name,
        id_number_masked=mask_id_number(decrypt_pii(trainee.id_number_enc, context=ID_CONTEXT)),
        phone_masked=mask_phone(decrypt_pii(trainee.phone_enc, context=PHONE_CONTEXT)),
        gender=trainee.gender,
        category=trainee.category.value,
        education=trainee.education,
        school=trainee.school,
        major=trainee.major,
        graduation_year=trainee.graduation_year,
        bound=trainee.user_id is not None,
    )
