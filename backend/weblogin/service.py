"""扫码登录: a browser asks for a ticket, a staff member confirms it in the mini-program, the
browser that asked (and only it, once, before the ticket expires) receives a session token.

The ticket id travels in the QR code and may be seen by anyone in the room; what binds the
ticket to the browser is a secret kept in that browser's httpOnly cookie, stored here only as
a hash. Each transition is one conditional UPDATE, so two confirmations or two redemptions
of one ticket cannot both succeed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.identity import issue_token_for
from backend.accounts.models import Role, User
from backend.errors import Conflict, Forbidden, NotFound, Unauthenticated
from backend.runtime import runtime
from backend.weblogin.models import WebLoginTicket

# Who may open the console: everyone but trainees (they use the mini-program only).
CONSOLE_ROLES = frozenset(Role) - {Role.TRAINEE}


class TicketState(StrEnum):
    PENDING = "pending"  # waiting for a scan
    CONFIRMED = "confirmed"  # confirmed on a phone, not yet redeemed by the browser
    USED = "used"  # redeemed: the browser has its session
    EXPIRED = "expired"


@dataclass(frozen=True)
class NewTicket:
    """A fresh ticket and the secret its browser keeps in a cookie."""

    ticket: str
    browser_secret: str
    expires_at: datetime


def _hash(browser_secret: str) -> str:
    return hashlib.sha256(browser_secret.encode()).hexdigest()


def qr_text(ticket: str) -> str:
    """What the QR code says: a URL whose `ticket` parameter the mini-program confirms."""
    return f"{runtime().settings.public_base_url}/console/scan?ticket={ticket}"


async def start_web_login() -> NewTicket:
    """Create a pending ticket valid for WEB_LOGIN_TICKET_SECONDS."""
    ticket, secret = secrets.token_urlsafe(24), secrets.token_urlsafe(32)
    expires = clock.now() + timedelta(seconds=runtime().settings.web_login_ticket_seconds)
    await WebLoginTicket.create(ticket=ticket, browser_hash=_hash(secret), expires_at=expires)
    return NewTicket(ticket, secret, expires)


def _state(row: WebLoginTicket) -> TicketState:
    if row.consumed_at is not None:
        return TicketState.USED
    if row.expires_at <= clock.now():
        return TicketState.EXPIRED
    return TicketState.CONFIRMED if row.confirmed_at is not None else TicketState.PENDING


async def ticket_state(*, ticket: str, browser_secret: str) -> TicketState:
    """The state of a ticket, for the browser that asked for it (others: not found)."""
    row = await WebLoginTicket.get_or_none(ticket=ticket)
    if row is None or not hmac.compare_digest(row.browser_hash, _hash(browser_secret)):
        raise NotFound("登录二维码不存在，请刷新二维码", code="WEB_LOGIN_NOT_FOUND")
    return _state(row)


def _refusal(row: WebLoginTicket | None) -> Exception:
    if row is None:
        return NotFound("登录二维码不存在，请在电脑上刷新二维码", code="WEB_LOGIN_NOT_FOUND")
    if _state(row) is TicketState.EXPIRED:
        return Conflict("登录二维码已过期，请在电脑上刷新二维码", code="WEB_LOGIN_EXPIRED")
    return Conflict("该登录二维码已被使用，请在电脑上刷新二维码", code="WEB_LOGIN_USED")


async def confirm_web_login(*, ticket: str, actor: Actor) -> None:
    """A staff member, logged in on the phone, lets the browser showing this ticket in."""
    if not actor.has_any(CONSOLE_ROLES):
        raise Forbidden("学员账号不能登录管理后台", code="WEB_LOGIN_NOT_STAFF")
    now = clock.now()
    updated = await WebLoginTicket.filter(
        ticket=ticket, confirmed_at__isnull=True, expires_at__gt=now
    ).update(user_id=actor.user_id, confirmed_at=now)
    if not updated:
        raise _refusal(await WebLoginTicket.get_or_none(ticket=ticket))


async def redeem_web_login(*, ticket: str, browser_secret: str) -> str:
    """The browser that asked trades its confirmed ticket for a session token, once."""
    state = await ticket_state(ticket=ticket, browser_secret=browser_secret)
    if state is TicketState.PENDING:
        raise Conflict("请先在小程序中扫码并确认登录", code="WEB_LOGIN_PENDING")
    now = clock.now()
    updated = await WebLoginTicket.filter(
        ticket=ticket,
        confirmed_at__isnull=False,
        consumed_at__isnull=True,
        expires_at__gt=now,
    ).update(consumed_at=now)
    row = await WebLoginTicket.get(ticket=ticket)
    if not updated:
        raise _refusal(row)
    user = await User.get(id=row.user_id)  # type: ignore[attr-defined]
    if not user.is_active:
        raise Unauthenticated("账号已停用，请联系管理员", code="ACCOUNT_DISABLED")
    return issue_token_for(user)


def csrf_token_for(session_token: str) -> str:
    """The double-submit value tied to one session: the console echoes it in X-CSRF-Token."""
    key = runtime().settings.secret_key.encode()
    return hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()
