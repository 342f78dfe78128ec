"""Token → current user, and the role guard every route declares once.

`@requires(Role.X, …)` authenticates and checks the role; object scope is then checked by the
service through `backend.accounts.access` (one mechanism). `@logged_in` accepts any valid
session (binding, redeeming, /me). Every route carries its declaration as `route_access`,
which the role/scope matrix test reads.

One guard, two carriers of the same session token: the mini-program's `Authorization: Bearer`
header, or the console's httpOnly `jr_session` cookie (扫码登录, routes/weblogin.py). A cookie
rides along with any request the browser makes, so an unsafe method authenticated by it must
also carry `X-CSRF-Token` (an HMAC of the session, readable by the console's own script only)
and, when the browser sends an Origin, come from this origin.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from sanic import Request
from sanic_ext import openapi

from backend.accounts.access import Actor, load_actor, require_role
from backend.accounts.identity import authenticate
from backend.accounts.models import Role
from backend.errors import Forbidden, Unauthenticated
from backend.runtime import runtime
from backend.security.tokens import AccessClaims
from backend.weblogin.service import csrf_token_for
from miniprogram_api.validation import carry_openapi

Handler = Callable[..., Awaitable[Any]]
PUBLIC = "public"
LOGGED_IN = "logged_in"
SESSION_COOKIE = "jr_session"
CSRF_COOKIE = "jr_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_ip(request: Request) -> str:
    """The caller's address (the proxy's X-Forwarded-For is honoured by Sanic's config)."""
    return str(request.remote_addr or request.ip or "")


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("请先登录", code="UNAUTHENTICATED")
    return token.strip()


def _check_csrf(request: Request, session: str) -> None:
    """A cookie-authenticated unsafe request must prove it comes from the console's page."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent, csrf_token_for(session)):
        raise Forbidden("请求来源校验失败，请刷新页面后重试", code="CSRF_REJECTED")
    origin = request.headers.get("origin")
    ours = {f"{request.scheme}://{request.host}", runtime().settings.public_base_url.rstrip("/")}
    if origin is not None and origin not in ours:
        raise Forbidden("请求来源校验失败，请刷新页面后重试", code="CSRF_REJECTED")


def _session_token(request: Request) -> str:
    """The bearer token, or else the console's session cookie (CSRF-checked when unsafe)."""
    if "authorization" in request.headers:
        return _bearer(request)
    session = request.cookies.get(SESSION_COOKIE, "")
    if not session:
        raise Unauthenticated("请先登录", code="UNAUTHENTICATED")
    if request.method not in SAFE_METHODS:
        _check_csrf(request, session)
    return session


def authenticate_session(token: str) -> AccessClaims:
    """The claims of a session token, whichever way it arrived."""
    return authenticate(token)


async def current_actor(request: Request) -> Actor:
    """Authenticate the request once and cache the actor on it."""
    actor = getattr(request.ctx, "actor", None)
    if actor is None:
        claims = authenticate(_session_token(request))
        actor = await load_actor(claims.user_id, token_version=claims.token_version)
        request.ctx.actor = actor
    return actor


def _guard(access: str | frozenset[Role]) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
            actor = await current_actor(request)
            if isinstance(access, frozenset):
                require_role(actor, access)
            return await handler(request, *args, actor=actor, **kwargs)

        return _secured(handler, wrapper, access)

    return decorator


def _secured(handler: Handler, wrapper: Handler, access: str | frozenset[Role]) -> Handler:
    """Declare the wrapper's access (read by the role/scope matrix) and its bearer scheme."""
    wrapper.route_access = access  # type: ignore[attr-defined]
    carry_openapi(handler, wrapper)
    return openapi.secured("bearer")(wrapper)


def requires(*roles: Role) -> Callable[[Handler], Handler]:
    """Only these roles may call the route; the handler receives `actor=`."""
    return _guard(frozenset(roles))


logged_in = _guard(LOGGED_IN)


def token_verified(handler: Handler) -> Handler:
    """Like `@logged_in`, but only the token is verified here: the handler receives `claims=`
    and its service checks the account (`access.check_account`) inside its own single read.

    For the check-in burst only (fifty phones at the start of a class), where folding the
    account query into the scan's query saves a database round trip per scan.
    """

    @wraps(handler)
    async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
        return await handler(request, *args, claims=authenticate(_session_token(request)), **kwargs)

    return _secured(handler, wrapper, LOGGED_IN)


def public(handler: Handler) -> Handler:
    """Mark a route as open to anyone (health, login, certificate verification)."""
    handler.route_access = PUBLIC  # type: ignore[attr-defined]
    return handler
