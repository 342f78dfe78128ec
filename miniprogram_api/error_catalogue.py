"""`docs/errors.md`: every error code the API can answer, generated from the code.

Codes come from `miniprogram_api.error_codes` (each `DomainError` the code constructs) and from
the mapping's own codes (`miniprogram_api.contract.GENERIC`). The status is the kind's
(`miniprogram_api.errors.STATUS_BY_KIND`); "when" is where the code is raised and its message;
"what to do" follows from the status, with a few codes that need their own advice.
Regenerate with `python -m tests.support.contract`; `tests/api/test_error_catalogue.py` fails when
the committed file is stale.
"""

from __future__ import annotations

from collections import defaultdict

from miniprogram_api.contract import GENERIC
from miniprogram_api.error_codes import all_error_uses
from miniprogram_api.errors import STATUS_BY_KIND

ACTION_BY_STATUS = {
    400: "Show `message`; let the user correct the input and resend.",
    401: "Get a new token (wx.login → POST /api/v1/auth/wx-login) and retry once; "
    "if that fails too, show the login page.",
    403: "Show `message`; do not retry; hide the action for this role or scope.",
    404: "Show `message`; reload the list (the object is gone or outside the caller's scope).",
    405: "A client bug: use the documented method.",
    408: "Retry the request (the connection was too slow to send it in time).",
    409: "Reload the object and show `message`; the action was already done or clashes.",
    413: "Shrink the upload below `details.max_bytes` bytes.",
    422: "Show `message` (it cites the rule or article); the user must change something first.",
    429: "Disable the action and retry after `details.retry_after` seconds (Retry-After header).",
    499: "Nothing to do: the client closed the connection before the answer (logged only).",
    500: "Show `message` (it carries `details.request_id`); report it; retry later.",
    502: "Show `message`; an outside system (WeChat, recruitment site) failed: retry later.",
    503: "Retry after `details.retry_after` seconds (Retry-After header).",
}

ACTION_BY_CODE = {
    "TOKEN_EXPIRED": "Refresh silently: wx.login → POST /api/v1/auth/wx-login, then retry "
    "the request once (the client wrapper does this).",
    "TOKEN_REVOKED": "Log in again (wx.login → POST /api/v1/auth/wx-login); the old session "
    "was ended on purpose.",
    "ACCOUNT_DISABLED": "Show `message`; do not retry: the account was disabled.",
    "VALIDATION_FAILED": "Mark each `details.fields[].field` with its `problem`; let the user "
    "correct and resend.",
    "MALFORMED_JSON": "A client bug: send a JSON object (`Content-Type: application/json`).",
    "EMPTY_BODY": "A client bug: send the JSON body the operation documents.",
    "ROUTE_NOT_FOUND": "A client bug or an old client: check the path against the document.",
}

DETAILS_BY_CODE = {
    "VALIDATION_FAILED": "`fields`: [{`field`, `problem`}]",
    "MALFORMED_JSON": "`position`: offset of the error",
    "PAYLOAD_TOO_LARGE": "`max_bytes`",
    "SERVICE_UNAVAILABLE": "`retry_after` (s)",
    "INTERNAL_ERROR": "`request_id`",
}

_EXTRA = {
    "METHOD_NOT_ALLOWED": (405, "该接口不支持此请求方法", "miniprogram_api.errors (Sanic)"),
    "REQUEST_TIMEOUT": (408, "请求超时，请重试", "miniprogram_api.errors (Sanic)"),
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def catalogue() -> list[dict[str, str]]:
    """One row per code: code, statuses, Chinese message(s), when, what to do, details."""
    statuses: dict[str, set[int]] = defaultdict(set)
    messages: dict[str, list[str]] = defaultdict(list)
    where: dict[str, list[str]] = defaultdict(list)
    for code, (status, message) in GENERIC.items():
        statuses[code].add(status)
        messages[code].append(message)
        where[code].append("every operation of its kind (the mapping or the guard)")
    for code, (status, message, place) in _EXTRA.items():
        statuses[code].add(status)
        messages[code].append(message)
        where[code].append(place)
    for use in sorted(all_error_uses(), key=lambda u: (u.code, u.module, u.function)):
        if use.kind.startswith("status:"):
            statuses[use.code].add(int(use.kind.removeprefix("status:")))
        else:
            statuses[use.code].add(STATUS_BY_KIND.get(use.kind, 400))
        if use.message and use.message not in messages[use.code]:
            messages[use.code].append(use.message)
        place = f"`{use.module}.{use.function}`"
        if place not in where[use.code]:
            where[use.code].append(place)
    rows = []
    for code in sorted(statuses):
        status_list = sorted(statuses[code])
        action = ACTION_BY_CODE.get(code) or ACTION_BY_STATUS.get(status_list[0], "")
        details = DETAILS_BY_CODE.get(code, "")
        if not details and status_list[0] == 429:
            details = "`retry_after` (s), `limit`"
        shown_where = where[code][:3] + (
            [f"… {len(where[code]) - 3} more"] if len(where[code]) > 3 else []
        )
        rows.append(
            {
                "code": code,
                "status": ", ".join(str(s) for s in status_list),
                "message": "；".join(messages[code][:3]),
                "when": ", ".join(shown_where),
                "action": action,
                "details": details,
            }
        )
    return rows


def render_catalogue() -> str:
    """The markdown of docs/errors.md."""
    rows = catalogue()
    lines = [
        "# Error codes",
        "",
        "<!-- Generated by `python -m tests.support.contract` from the code: do not edit. -->",
        "",
        'Every error answers `{"error": {"code", "message", "details"}}` '
        "(`ErrorResponse` in the OpenAPI document). `message` is Chinese and may be shown to the "
        "user as is; `code` is stable and is what a client decides on; `details` is shaped per "
        "code (below; `{}` when empty). 429 and 503 also send a `Retry-After` header. "
        "Each operation in the document lists the codes it can give, with an example of each.",
        "",
        f"{len(rows)} codes.",
        "",
        "| code | HTTP | message (zh) | when (raised in) | what the client should do | details |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = [f"`{row['code']}`", row["status"], row["message"], row["when"], row["action"]]
        cells.append(row["details"])
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
