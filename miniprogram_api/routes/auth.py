"""Login, binding to the roster, invitation codes, phone number, and /me."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts import identity
from backend.accounts.access import Actor, load_actor
from backend.accounts.service import redeem_invitation
from backend.classes import people
from backend.notifications.rebinds import tell_hr_of_rebind
from backend.runtime import runtime
from miniprogram_api.auth import CSRF_COOKIE, SESSION_COOKIE, client_ip, logged_in, public
from miniprogram_api.routes.people import TraineeOut
from miniprogram_api.validation import Text, json_body, response_model

bp = Blueprint("auth")


class WxLoginIn(BaseModel):
    """The code from wx.login()."""

    code: Text = Field(min_length=1, max_length=128)


class ScopeOut(BaseModel):
    """A role over an institution or a district (both null: the whole city)."""

    role: str
    institution_id: int | None
    district_code: str | None


class MeOut(BaseModel):
    """The logged-in person: roles and scopes; ID-card and phone numbers masked."""

    user_id: int
    display_name: str
    name_masked: str
    roles: list[str]
    scopes: list[ScopeOut]
    trainee: TraineeOut | None
    instructor_id: int | None
    class_ids: list[int]
    phone_masked: str


class WxLoginOut(BaseModel):
    """Our own signed session token; `bound` says whether the user is linked to anything yet."""

    token: str
    token_type: str = "Bearer"
    expires_in: int
    bound: bool
    user: MeOut


class BindTraineeIn(BaseModel):
    """Name and ID-card number exactly as on the roster."""

    name: Text = Field(min_length=1, max_length=50)
    id_number: Text = Field(min_length=15, max_length=22)


class RedeemIn(BaseModel):
    """A one-time invitation code, e.g. ABCD-EFGH-JK."""

    code: Text = Field(min_length=4, max_length=32)
    name: Text = Field(
        default="", max_length=50, description="本人姓名（邀请时已填写的可不填；填写则以此为准）"
    )


class PhoneIn(BaseModel):
    """The code from the getPhoneNumber button."""

    code: Text = Field(min_length=1, max_length=128)


class PhoneOut(BaseModel):
    """The stored phone number, masked."""

    phone_masked: str


def me_out(me: people.Me) -> MeOut:
    """The response model of the logged-in person."""
    return MeOut.model_validate(me, from_attributes=True)


def _me_json(me: people.Me, status: int = 200) -> HTTPResponse:
    return json(me_out(me).model_dump(), status=status, ensure_ascii=False)


@bp.post("/auth/wx-login")
@openapi.summary("微信登录：wx.login 的 code 换取本系统的令牌")
@response_model(WxLoginOut)
@public
@json_body(WxLoginIn)
async def wx_login(request: Request, body: WxLoginIn) -> HTTPResponse:
    """wx.login code → code2session → our own signed token."""
    rt = runtime()
    await rt.limits.hit("login", ip=client_ip(request))
    result = await identity.login_with_wechat(code=body.code, connector=rt.wechat)
    await rt.limits.hit("login", user_id=result.user.id)  # per WeChat account
    me = await people.describe_me(await load_actor(result.user.id))
    out = WxLoginOut(
        token=result.token,
        expires_in=rt.settings.token_ttl_seconds,
        bound=result.bound,
        user=me_out(me),
    )
    return json(out.model_dump(), ensure_ascii=False)


@bp.post("/auth/bind-trainee")
@openapi.summary("学员绑定花名册：姓名 + 身份证号")
@response_model(MeOut)
@logged_in
@json_body(BindTraineeIn)
async def bind_trainee(request: Request, body: BindTraineeIn, actor: Actor) -> HTTPResponse:
    """Bind the logged-in WeChat user to a roster row."""
    ip = client_ip(request)
    row = identity.roster_row_key(body.id_number)
    await runtime().limits.hit("bind", user_id=actor.user_id, ip=ip, row=row)
    await identity.bind_trainee(
        user_id=actor.user_id,
        name=body.name,
        id_number=body.id_number,
        ip=ip,
        on_rebind=tell_hr_of_rebind,
    )
    return _me_json(await people.describe_me(await load_actor(actor.user_id)))


@bp.post("/auth/redeem-invitation")
@openapi.summary("使用邀请码获得工作人员、讲师或管理员身份")
@response_model(MeOut)
@logged_in
@json_body(RedeemIn)
async def redeem(request: Request, body: RedeemIn, actor: Actor) -> HTTPResponse:
    """Grant the role a one-time invitation code carries."""
    ip = client_ip(request)
    await runtime().limits.hit("redeem", user_id=actor.user_id, ip=ip)
    await redeem_invitation(user_id=actor.user_id, code=body.code, ip=ip, name=body.name)
    return _me_json(await people.describe_me(await load_actor(actor.user_id)))


class LogoutOut(BaseModel):
    """The session token (and every other token of this account) no longer opens anything."""

    ok: bool


@bp.post("/auth/logout")
@openapi.summary("退出登录：令牌立即失效（其他设备上的令牌一并失效），清除管理后台的会话 Cookie")
@response_model(LogoutOut)
@logged_in
async def logout(request: Request, actor: Actor) -> HTTPResponse:
    """Revoke the caller's session tokens (bearer or console cookie) and clear the cookies."""
    await identity.revoke_sessions(user_id=actor.user_id, ip=client_ip(request))
    response = json(LogoutOut(ok=True).model_dump())
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@bp.get("/me")
@openapi.summary("当前用户：资料、角色与管理范围")
@response_model(MeOut)
@logged_in
async def me(request: Request, actor: Actor) -> HTTPResponse:
    """Profile, roles and scopes of the logged-in person."""
    return _me_json(await people.describe_me(actor))


@bp.post("/me/phone")
@openapi.summary("获取并保存微信绑定的手机号（getPhoneNumber）")
@response_model(PhoneOut)
@logged_in
@json_body(PhoneIn)
async def phone(request: Request, body: PhoneIn, actor: Actor) -> HTTPResponse:
    """Exchange a getPhoneNumber code for the number; stored encrypted, returned masked."""
    rt = runtime()
    await rt.limits.hit("phone", user_id=actor.user_id)
    masked = await identity.store_phone(user_id=actor.user_id, code=body.code, connector=rt.wechat)
    return json(PhoneOut(phone_masked=masked).model_dump())
