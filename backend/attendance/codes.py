"""The code a classroom shows: for the class teacher's phone, the projector page and WeChat.

The projector has no WeChat login: a class teacher creates a short-lived signed display link
(`sign_payload(purpose="display")`) and the page polls `display_state` with it.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, load_actor
from backend.accounts.identity import wechat_failure
from backend.accounts.models import User
from backend.attendance.images import qr_png, qr_svg
from backend.attendance.policy import (
    DISPLAY_AFTER_CLOSE,
    DISPLAY_LEAD,
    AttendancePolicy,
    policy,
)
from backend.attendance.qr import Purpose, issue_code, step_at, step_ends
from backend.attendance.rules import Phase, checkin_phase, checkout_window
from backend.attendance.service import TEACHERS, qr_key, session_in_scope
from backend.attendance.views import LiveCounts, SessionView, iso, live_counts, session_view
from backend.classes.models import ClassSession, TrainingClass
from backend.errors import Forbidden, InvalidInput, NotFound, RuleViolation, Unauthenticated
from backend.integrations.wechat import WeChatError
from backend.runtime import runtime
from backend.security.audit import record_audit
from backend.security.tokens import TokenError, TokenExpired, sign_payload, verify_payload

DISPLAY_PURPOSE = "display"
WXA_PAGE = "pages/checkin/index"
PHASE_LABELS = {
    Phase.NOT_OPEN: "签到未开始",
    Phase.ON_TIME: "正在签到",
    Phase.LATE: "签到中（已过迟到时间）",
    Phase.CLOSED: "签到已结束",
}


@dataclass(frozen=True)
class CurrentCode:
    """The code of one session and purpose at one moment, and when it changes."""

    token: str
    session_id: int
    purpose: Purpose
    step_seconds: int
    changes_at: datetime  # the next code is shown from then
    valid_until: datetime  # this one is accepted until then (grace included)


def auto_purpose(session: ClassSession, now: datetime, p: AttendancePolicy) -> Purpose:
    """The check-out code once check-out has opened, the check-in code before."""
    opens, _ = checkout_window(ends_at=session.ends_at, p=p)
    return Purpose.OUT if now >= opens else Purpose.IN


def current_code(session: ClassSession, purpose: Purpose | None = None) -> CurrentCode:
    """The code to show now for a session (`purpose` None: chosen by the time)."""
    p, now = policy(), clock.now()
    purpose = purpose or auto_purpose(session, now, p)
    step = step_at(now, p.qr_step_seconds)
    return CurrentCode(
        token=issue_code(key=qr_key(), session_id=session.id, purpose=purpose, step=step),
        session_id=session.id,
        purpose=purpose,
        step_seconds=p.qr_step_seconds,
        changes_at=step_ends(step, p.qr_step_seconds),
        valid_until=step_ends(step + p.qr_grace_steps, p.qr_step_seconds),
    )


@dataclass(frozen=True, slots=True)
class CodeView:
    """A code as the teacher's phone and the projector show it: token, purpose, countdowns."""

    token: str
    session_id: int
    purpose: str
    purpose_label: str
    step_seconds: int
    changes_at: str
    valid_until: str
    refresh_in_ms: int
    valid_for_ms: int


@dataclass(frozen=True, slots=True)
class DisplayState:
    """What the projector shows now; `code`/`image` are None outside the check-in windows,
    and only then are `opens_at`/`refresh_in_ms` part of the answer (`waiting`)."""

    session: SessionView
    code: CodeView | None
    image: str | None
    phase: str
    phase_label: str
    counts: LiveCounts
    server_time: str
    waiting: bool = False
    opens_at: str | None = None
    refresh_in_ms: int | None = None


def code_view(code: CurrentCode) -> CodeView:
    """A code with its countdowns from now."""
    return CodeView(
        token=code.token,
        session_id=code.session_id,
        purpose=code.purpose.value,
        purpose_label="签到码" if code.purpose is Purpose.IN else "签退码",
        step_seconds=code.step_seconds,
        changes_at=clock.local(code.changes_at).isoformat(),
        valid_until=clock.local(code.valid_until).isoformat(),
        refresh_in_ms=_ms_until(code.changes_at),
        valid_for_ms=_ms_until(code.valid_until),
    )


def _ms_until(moment: datetime) -> int:
    return max(0, int((moment - clock.now()).total_seconds() * 1000))


async def code_for_teacher(
    *, actor: Actor, session_id: int, purpose: Purpose | None
) -> CurrentCode:
    """The current code, for the class teacher or staff of the session's class."""
    session, _ = await session_in_scope(actor, session_id, TEACHERS)
    return current_code(session, purpose)


def code_png(code: CurrentCode) -> bytes:
    """The code as a PNG QR image (scanned in the mini-program with wx.scanCode)."""
    return qr_png(code.token)


def code_svg(code: CurrentCode) -> bytes:
    """The code as an SVG QR image."""
    return qr_svg(code.token)


async def code_wxacode(code: CurrentCode) -> bytes:
    """The code as a mini-program code (getwxacodeunlimit, the token as its scene)."""
    try:
        return await runtime().wechat.get_wxa_code_unlimited(scene=code.token, page=WXA_PAGE)
    except WeChatError as exc:
        raise wechat_failure(exc, action="getwxacodeunlimit") from None


# --- the projector page's link ---------------------------------------------------------------


@dataclass(frozen=True)
class DisplayLink:
    """A signed, short-lived link to a session's projector page."""

    token: str
    session_id: int
    expires_at: datetime

    @property
    def path(self) -> str:
        """The page's path with its token."""
        return f"/display/sessions/{self.session_id}?t={self.token}"


def display_window(session: ClassSession, p: AttendancePolicy) -> tuple[datetime, datetime]:
    """When a session's projector link works: from an hour before check-in opens to half an
    hour after check-out closes (outside the check-in windows it shows no code, only when
    check-in starts or that it is over)."""
    _, closes = checkout_window(ends_at=session.ends_at, p=p)
    return session.starts_at - p.checkin_opens_before - DISPLAY_LEAD, closes + DISPLAY_AFTER_CLOSE


async def create_display_link(
    *, actor: Actor, session_id: int, ttl: timedelta | None = None
) -> DisplayLink:
    """A class teacher's link for the classroom projector (no WeChat there).

    It names the teacher (account and token version) and ends with the session's window at
    the latest: every use checks the teacher still holds the class, and staff may revoke it.
    """
    session, _ = await session_in_scope(actor, session_id, TEACHERS)
    lifetime = ttl or policy().display_link_ttl
    if not timedelta(minutes=1) <= lifetime <= timedelta(hours=12):
        raise InvalidInput("投屏链接有效期应在 1 分钟到 12 小时之间", code="DISPLAY_TTL_INVALID")
    now = clock.now()
    _, window_ends = display_window(session, policy())
    if now >= window_ends - DISPLAY_AFTER_CLOSE:  # check-out has closed
        raise RuleViolation("该课次签到、签退已结束，不能再生成投屏链接", code="SESSION_OVER")
    expires_at = min(now + lifetime, window_ends)
    user = await User.get(id=actor.user_id)
    token = sign_payload(
        {"s": session.id, "u": actor.user_id, "v": user.token_version, "i": _millis(now)},
        secret=runtime().settings.secret_key,
        ttl_seconds=max(1, math.ceil((expires_at - now).total_seconds())),
        purpose=DISPLAY_PURPOSE,
        now=now,
    )
    return DisplayLink(token, session.id, expires_at)


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def revoke_display_links(*, actor: Actor, session_id: int) -> datetime:
    """Every projector link of this session issued so far stops working (audited)."""
    session, _ = await session_in_scope(actor, session_id, TEACHERS)
    now = clock.now()
    async with in_transaction():
        await ClassSession.filter(id=session.id).update(display_revoked_at=now)
        await record_audit(
            actor_id=actor.user_id,
            action="display_link.revoke",
            target_type="session",
            target_id=session.id,
        )
    return now


def _payload(session_id: int, token: str) -> dict[str, Any]:
    try:
        data = verify_payload(
            token, secret=runtime().settings.secret_key, purpose=DISPLAY_PURPOSE, now=clock.now()
        )
    except TokenExpired:
        raise Forbidden(
            "投屏链接已过期，请在小程序中重新生成", code="DISPLAY_LINK_EXPIRED"
        ) from None
    except TokenError:
        raise Forbidden("投屏链接无效", code="DISPLAY_LINK_INVALID") from None
    if data.get("s") != session_id:
        raise Forbidden("投屏链接无效", code="DISPLAY_LINK_INVALID")
    return data


async def check_display_link(*, session_id: int, token: str) -> ClassSession:
    """Refuse a display link that is forged, expired, for another session, revoked, outside
    the session's window, or whose teacher no longer holds the class (checked on every call)."""
    data = _payload(session_id, token)
    revoked = Forbidden("投屏链接已失效，请在小程序中重新生成", code="DISPLAY_LINK_REVOKED")
    try:
        teacher = await load_actor(int(data.get("u", 0)), token_version=data.get("v"))
        session, _ = await session_in_scope(teacher, session_id, TEACHERS)
    except (Unauthenticated, Forbidden, NotFound):
        raise revoked from None
    if session.display_revoked_at is not None and int(data.get("i", 0)) <= _millis(
        session.display_revoked_at
    ):
        raise revoked
    opens, closes = display_window(session, policy())
    if not opens <= clock.now() <= closes:
        raise Forbidden(
            "投屏链接只在本课次签到开放前一小时至签退结束后半小时内有效",
            code="DISPLAY_LINK_OUTSIDE_WINDOW",
        )
    return session


def _no_code_yet_or_anymore(
    session: ClassSession, now: datetime, p: AttendancePolicy
) -> tuple[str, str | None, int | None] | None:
    """Before check-in opens and after check-out closes the projector shows no code, only when
    it starts (then the page polls until the code appears by itself) or that it is over."""
    opens = session.starts_at - p.checkin_opens_before
    if now < opens:
        return f"签到将于 {clock.local(opens):%H:%M} 开始", iso(opens), _ms_until(opens)
    _, closes = checkout_window(ends_at=session.ends_at, p=p)
    if now > closes:
        return "本课次签到、签退已结束", None, None
    return None


async def display_state(*, session_id: int, token: str) -> DisplayState:
    """What the projector shows now: the code as SVG, its countdown, the live counts."""
    session = await check_display_link(session_id=session_id, token=token)
    klass = await TrainingClass.get(id=session.training_class_id)
    p, now = policy(), clock.now()
    phase = checkin_phase(now, starts_at=session.starts_at, ends_at=session.ends_at, p=p)
    waiting = _no_code_yet_or_anymore(session, now, p)
    if waiting is not None:  # a code shown outside the windows would only mislead the room
        label, opens_at, refresh_in_ms = waiting
        return DisplayState(
            session=session_view(session, klass),
            code=None,
            image=None,
            phase=phase.value,
            phase_label=label,
            counts=await live_counts(session.id, klass.id),
            server_time=clock.local(now).isoformat(),
            waiting=True,
            opens_at=opens_at,
            refresh_in_ms=refresh_in_ms,
        )
    code = current_code(session)
    svg = base64.b64encode(code_svg(code)).decode("ascii")
    return DisplayState(
        session=session_view(session, klass),
        code=code_view(code),
        image=f"data:image/svg+xml;base64,{svg}",
        phase=phase.value,
        phase_label="正在签退" if code.purpose is Purpose.OUT else PHASE_LABELS[phase],
        counts=await live_counts(session.id, klass.id),
        server_time=clock.local(now).isoformat(),
    )
