"""Request and response hardening: headers every answer carries, /docs switch, id ranges.

API answers hold personal data (above all `/trainees/{id}/pii`): no cache, browser or proxy,
may keep them. `nosniff` stops a browser from reading an upload or an export as HTML.
"""

from __future__ import annotations

from sanic import Request
from sanic.response import HTTPResponse

from backend.errors import NotFound
from backend.runtime import runtime

NO_STORE_PREFIXES = ("/api/", "/wechat/")  # the projector page sets its own


def security_headers(request: Request, response: HTTPResponse) -> None:
    """Add nosniff everywhere and no-store on API answers."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.path.startswith(NO_STORE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"


def docs_enabled() -> bool:
    """The /docs pages are served in dev mode or when DOCS_ENABLED is set."""
    settings = runtime().settings
    return bool(settings.dev or settings.docs_enabled)


def refuse_hidden_docs(request: Request) -> None:
    """Answer 404 for /docs when the documentation pages are switched off."""
    if request.path.startswith("/docs") and not docs_enabled():
        raise NotFound("请求的接口不存在", code="ROUTE_NOT_FOUND")


DB_INT_MAX = 2**31 - 1  # ids are 32-bit integers in the database


def refuse_out_of_range_ids(request: Request) -> None:
    """A path id the database cannot hold names nothing: 404, not a database error."""
    for value in (request.match_info or {}).values():
        if isinstance(value, int) and not -DB_INT_MAX - 1 <= value <= DB_INT_MAX:
            raise NotFound("请求的内容不存在", code="NOT_FOUND")
