"""The single mapping from errors to HTTP: `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from asyncpg.exceptions import DataError as PostgresDataError
from sanic import Request, exceptions
from sanic.handlers import ErrorHandler
from sanic.response import HTTPResponse, json
from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError

from backend.errors import DomainError
from backend.logs import request_id_var

log = logging.getLogger("jobready.errors")

STATUS_BY_KIND = {
    "invalid": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "rule": 422,
    "rate_limited": 429,
    "upstream": 502,
}

# Sanic's own exceptions: (code, Chinese message) by class, most specific first.
_SANIC_ERRORS: list[tuple[type[Exception], str, str]] = [
    (exceptions.NotFound, "ROUTE_NOT_FOUND", "请求的接口不存在"),
    (exceptions.MethodNotAllowed, "METHOD_NOT_ALLOWED", "该接口不支持此请求方法"),
    (exceptions.PayloadTooLarge, "PAYLOAD_TOO_LARGE", "请求内容过大"),
    (exceptions.RequestTimeout, "REQUEST_TIMEOUT", "请求超时，请重试"),
    (exceptions.ServiceUnavailable, "SERVICE_UNAVAILABLE", "服务繁忙，请稍后再试"),
    (exceptions.HeaderNotFound, "UNAUTHENTICATED", "请先登录"),
    (exceptions.BadRequest, "BAD_REQUEST", "请求格式不正确"),
]


RETRY_AFTER_SECONDS = 5  # what a 503 asks the client to wait before trying again

# The database is unreachable (refused, reset, restarting, pool exhausted past its timeout):
# not a bug of ours, a 503 the client may retry.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    DBConnectionError,
    ConnectionError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
)
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk I/O error")


def _unavailable_reason(exc: BaseException) -> str | None:
    """Why the service cannot answer now (a 503), or None for any other error."""
    if isinstance(exc, exceptions.ServiceUnavailable):
        return "response timeout"
    if isinstance(exc, _UNAVAILABLE):
        return f"database unreachable: {type(exc).__name__}"
    if isinstance(exc, OperationalError) and any(m in str(exc) for m in _SQLITE_UNAVAILABLE):
        return f"database unavailable: {exc}"
    return None


def error_body(
    code: str, message: str, details: dict[str, Any] | None = None, *, status: int
) -> HTTPResponse:
    """Build the error response every failure uses."""
    payload = {"error": {"code": code, "message": message, "details": details or {}}}
    return json(payload, status=status, ensure_ascii=False)


def _database_refusal(exception: Exception) -> HTTPResponse | None:
    """A value the database refuses is the client's mistake, never a 500.

    Integrity errors (a duplicate, a missing referenced row) are 409; numbers beyond a
    column's range (SQLite's OverflowError, PostgreSQL's DataError) are 400.
    """
    if isinstance(exception, IntegrityError):
        return error_body("INTEGRITY_CONFLICT", "数据与已有记录冲突或引用的记录不存在", status=409)
    causes = [exception, exception.__cause__, exception.__context__]
    if any(isinstance(c, OverflowError | PostgresDataError) for c in causes):
        return error_body("VALUE_OUT_OF_RANGE", "数值超出允许范围", status=400)
    return None


def _sanic_error(exc: exceptions.SanicException) -> tuple[int, str, str]:
    status = getattr(exc, "status_code", 500) or 500
    for cls, code, message in _SANIC_ERRORS:
        if isinstance(exc, cls):
            return status, code, message
    if status >= 500:
        return status, "INTERNAL_ERROR", "服务器内部错误，请稍后再试"
    return status, "BAD_REQUEST", "请求无法处理"


def _retry_after(details: dict[str, Any]) -> int:
    """Seconds before a refused attempt may succeed: the limit's window (`details.limit`)."""
    if isinstance(details.get("retry_after"), int):
        return int(details["retry_after"])
    try:
        from limits import parse

        return int(parse(str(details["limit"])).get_expiry())
    except (KeyError, ValueError):
        return 60


def _shaped(response: HTTPResponse, details: dict[str, Any]) -> HTTPResponse:
    if "retry_after" in details:
        response.headers["Retry-After"] = str(details["retry_after"])
    return response


class JsonErrorHandler(ErrorHandler):
    """Turns every exception into the project's error shape; never a stack trace.

    `details` is shaped per code (docs/errors.md): `fields` for VALIDATION_FAILED, `retry_after`
    (also the Retry-After header) for 429 and 503, `max_bytes` for PAYLOAD_TOO_LARGE.
    """

    def default(self, request: Request, exception: Exception) -> HTTPResponse:
        """Map one exception to a response."""
        if isinstance(exception, exceptions.RequestCancelled):
            # The client went away (gave up, timed out): nobody reads this answer, nothing broke.
            log.info("client disconnected", extra={"path": request.path})
            return error_body("CLIENT_CLOSED_REQUEST", "客户端已断开连接", status=499)
        reason = _unavailable_reason(exception)
        if reason is not None:
            log.warning("service unavailable: %s", reason, extra={"path": request.path})
            details = {"retry_after": RETRY_AFTER_SECONDS}
            response = error_body(
                "SERVICE_UNAVAILABLE", "服务繁忙，请稍后再试", details, status=503
            )
            return _shaped(response, details)
        if isinstance(exception, DomainError):
            status = STATUS_BY_KIND.get(exception.kind, 400)
            details = dict(exception.details)
            if status == 429:
                details["retry_after"] = _retry_after(details)
            response = error_body(exception.code, exception.message, details, status=status)
            return _shaped(response, details)
        if isinstance(exception, exceptions.SanicException) and exception.status_code < 500:
            status, code, message = _sanic_error(exception)
            if code == "PAYLOAD_TOO_LARGE":
                try:
                    max_bytes = int(request.app.config.REQUEST_MAX_SIZE)
                except Exception:  # a request refused before it was bound to the app
                    return error_body(code, message, status=status)
                return error_body(code, message, {"max_bytes": max_bytes}, status=status)
            return error_body(code, message, status=status)
        if (refusal := _database_refusal(exception)) is not None:
            return refusal
        request_id = request_id_var.get() or getattr(getattr(request, "ctx", None), "rid", "")
        log.error("unhandled error", exc_info=exception, extra={"path": request.path})
        return error_body(
            "INTERNAL_ERROR",
            f"服务器内部错误，请稍后再试（请求编号 {request_id}）",
            {"request_id": request_id},
            status=500,
        )
