"""扫码登录 for the console: ticket, status, phone confirmation, session cookie, logout.

The browser holds two cookies after login: `jr_session` (the session token; httpOnly,
SameSite=Strict, Secure under HTTPS) and `jr_csrf` (readable by the console's script, which
echoes it in `X-CSRF-Token` on unsafe methods; see `miniprogram_api.auth`).
"""

from __future__ import annotations

import base64

from pydantic import BaseModel
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from backend.accounts.access import Actor, load_actor
from backend.attendance.images import qr_svg
from backend.classes import people
from backend.clock import LocalDateTime
from backend.runtime import runtime
from backend.weblogin import service
from backend.weblogin.service import CONSOLE_ROLES
from miniprogram_api.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    authenticate_session,
    client_ip,
    public,
    requires,
)
from miniprogram_api.routes.auth import MeOut, me_out
from miniprogram_api.validation import response_model

bp = Blueprint("weblogin")
TICKET_COOKIE = "jr_wl"
TICKET_COOKIE_PATH = "/api/v1/auth/web-login"


class WebLoginTicketOut(BaseModel):
    """A one-time login ticket and its QR code (an SVG data URL) for the console to show."""

    ticket: str
    qr_text: str
    qr_image: str
    expires_at: LocalDateTime
    expires_in: int


class WebLoginStateOut(BaseModel):
    """pending (not scanned yet), confirmed (redeem it now), used or expired."""

    state: str


class WebSessionOut(BaseModel):
    """The console's session is in the cookies; this is who logged in."""

    user: MeOut


def _secure(request: Request) -> bool:
    return request.scheme == "https" or runtime().settings.public_base_url.startswith("https:")


def _cookie(response: HTTPResponse, request: Request, name: str, value: str, **kw: object) -> None:
    response.add_cookie(
        name,
        value,
        secure=_secure(request),
        samesite="Strict",
        **kw,  # type: ignore[arg-type]
    )


@bp.post("/auth/web-login")
@openapi.summary("管理后台扫码登录：生成一次性登录二维码（与本浏览器绑定）")
@response_model(WebLoginTicketOut, 201)
@public
async def start(request: Request) -> HTTPResponse:
    """A fresh ticket; the browser keeps its secret in an httpOnly cookie."""
    await runtime().limits.hit("web_login", ip=client_ip(request))
    new = await service.start_web_login()
    text = service.qr_text(new.ticket)
    seconds = runtime().settings.web_login_ticket_seconds
    out = WebLoginTicketOut(
        ticket=new.ticket,
        qr_text=text,
        qr_image="data:image/svg+xml;base64," + base64.b64encode(qr_svg(text)).decode(),
        expires_at=new.expires_at,
        expires_in=seconds,
    )
    response = json(out.model_dump(mode="json"), status=201)
    _cookie(
        response,
        request,
        TICKET_COOKIE,
        new.browser_secret,
        httponly=True,
        path=TICKET_COOKIE_PATH,
        max_age=seconds,
    )
    return response


@bp.get("/auth/web-login/<ticket:str>")
@openapi.summary("管理后台扫码登录：查询二维码状态（仅限生成它的浏览器）")
@response_model(WebLoginStateOut)
@public
async def state(request: Request, ticket: str) -> HTTPResponse:
    """pending / confirmed / used / expired."""
    secret = str(request.cookies.get(TICKET_COOKIE) or "")
    found = await service.ticket_state(ticket=ticket, browser_secret=secret)
    return json(WebLoginStateOut(state=found.value).model_dump())


@bp.post("/auth/web-login/<ticket:str>/confirm")
@openapi.summary("小程序扫码后确认登录管理后台（工作人员、讲师、机构与人社管理员）")
@response_model(WebLoginStateOut)
@requires(*CONSOLE_ROLES)
async def confirm(request: Request, ticket: str, actor: Actor) -> HTTPResponse:
    """The logged-in staff member lets the browser showing this ticket in."""
    await service.confirm_web_login(ticket=ticket, actor=actor)
    return json(WebLoginStateOut(state="confirmed").model_dump())


@bp.post("/auth/web-login/<ticket:str>/session")
@openapi.summary("管理后台扫码登录：以已确认的二维码换取会话（httpOnly Cookie）")
@response_model(WebSessionOut)
@public
async def session(request: Request, ticket: str) -> HTTPResponse:
    """The browser that asked trades the confirmed ticket for its session cookies, once."""
    secret = str(request.cookies.get(TICKET_COOKIE) or "")
    token = await service.redeem_web_login(ticket=ticket, browser_secret=secret)
    actor = await load_actor(authenticate_session(token).user_id)
    me = me_out(await people.describe_me(actor))
    response = json(WebSessionOut(user=me).model_dump(), ensure_ascii=False)
    ttl = runtime().settings.token_ttl_seconds
    _cookie(response, request, SESSION_COOKIE, token, httponly=True, path="/", max_age=ttl)
    csrf = service.csrf_token_for(token)
    _cookie(response, request, CSRF_COOKIE, csrf, httponly=False, path="/", max_age=ttl)
    response.delete_cookie(TICKET_COOKIE, path=TICKET_COOKIE_PATH)
    return response
