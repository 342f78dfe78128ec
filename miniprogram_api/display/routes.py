"""The projector page's routes (at the root, not under /api/v1): the page, its state, its files.

No WeChat login here: every request carries the signed display link's token (`?t=`), which
the class teacher created for this one session (`POST /api/v1/sessions/{id}/display-link`).
"""

from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path

from pydantic import BaseModel, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, html, json, raw
from sanic_ext import openapi

from backend.attendance.codes import check_display_link, display_state
from backend.clock import LocalDateTime
from backend.errors import DomainError
from miniprogram_api.auth import public
from miniprogram_api.errors import error_body
from miniprogram_api.validation import Text, model_reply, query_args, response_model

bp = Blueprint("display")

_HERE = Path(__file__).parent
_FILES = {name: (_HERE / name).read_bytes() for name in ("display.js", "display.css")}
_TYPES = {"display.js": "text/javascript; charset=utf-8", "display.css": "text/css; charset=utf-8"}
VERSION = hashlib.sha256(b"".join(_FILES.values())).hexdigest()[:10]
_PAGE = (_HERE / "page.html").read_text(encoding="utf-8").replace("__VERSION__", VERSION)
_ERROR = (_HERE / "error.html").read_text(encoding="utf-8").replace("__VERSION__", VERSION)
# The page loads only its own files; the code arrives as a data: URL; the token stays here.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class LinkQuery(BaseModel):
    """The display link's token."""

    t: Text = Field(default="", max_length=2000)


class DisplaySessionOut(BaseModel):
    """The session shown."""

    id: int
    class_id: int
    class_title: str
    topic: str
    room: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime


class DisplayCodeOut(BaseModel):
    """The code to show now: its token (in the QR), purpose, when it changes."""

    token: str
    session_id: int
    purpose: str = Field(description="in 签到 / out 签退")
    purpose_label: str
    step_seconds: int
    changes_at: LocalDateTime
    valid_until: LocalDateTime
    refresh_in_ms: int
    valid_for_ms: int


class DisplayCountsOut(BaseModel):
    """Live counts of the session."""

    enrolled: int
    checked_in: int
    late: int
    checked_out: int


class DisplayStateOut(BaseModel):
    """What the projector shows now; `code`/`image` are null outside the check-in windows."""

    session: DisplaySessionOut
    code: DisplayCodeOut | None
    image: str | None = Field(description="the code's QR as an SVG data URL")
    phase: str
    phase_label: str
    opens_at: LocalDateTime | None = Field(default=None, description="before check-in opens: when")
    refresh_in_ms: int | None = Field(default=None, description="poll again after this")
    counts: DisplayCountsOut
    server_time: LocalDateTime


@bp.get("/display/sessions/<session_id:int>")
@openapi.summary("投屏页：全屏滚动签到码、倒计时、实时签到人数（凭投屏链接打开）")
@openapi.response(200, {"text/html": str}, "The page (HTML).")
@public
@query_args(LinkQuery)
async def page(request: Request, session_id: int, query: LinkQuery) -> HTTPResponse:
    """The full-screen projector page of one session."""
    try:
        await check_display_link(session_id=session_id, token=query.t)
    except DomainError as exc:
        body = _ERROR.replace("__MESSAGE__", escape(exc.message))
        return html(body, status=403, headers=HEADERS)
    return html(_PAGE.replace("__SESSION_ID__", str(session_id)), headers=HEADERS)


@bp.get("/display/sessions/<session_id:int>/state")
@openapi.summary("投屏页数据：当前签到码（SVG）、更新倒计时、签到人数")
@response_model(DisplayStateOut)
@public
@query_args(LinkQuery)
async def state(request: Request, session_id: int, query: LinkQuery) -> HTTPResponse:
    """The code to show now, its countdown and the live counts (JSON)."""
    found = await display_state(session_id=session_id, token=query.t)
    body = model_reply(DisplayStateOut, found)
    # The countdown to the opening (or its absence) is part of the answer only while waiting.
    hidden = None if found.waiting else {"opens_at", "refresh_in_ms"}
    return json(
        body.model_dump(mode="json", exclude=hidden),
        headers={"Cache-Control": "no-store"},
        ensure_ascii=False,
    )


@bp.get("/display/static/<name:str>")
@openapi.exclude()
@public
async def static_file(request: Request, name: str) -> HTTPResponse:
    """The page's own script and style sheet."""
    if name not in _FILES:
        return error_body("ROUTE_NOT_FOUND", "请求的文件不存在", status=404)
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return raw(_FILES[name], content_type=_TYPES[name], headers=headers)
