"""The OpenAPI document made exact, in one place: `finish_document(spec, app)`.

sanic-ext builds the document from the routes' decorators; this pass completes it from what the
code already declares, so that no route file has to repeat it:

- descriptions (English) from each handler's docstring, plus who may call it (its role guard);
- error responses derived from the route: its guard (401/403), path ids (404), body (400/413),
  and the domain errors its code can raise (`miniprogram_api.error_codes`), each referencing the
  one error schema with its possible `code` values and an example per code;
- required and typed query parameters from the `query_args` model;
- examples for request and response bodies generated from the schemas (field examples, defaults);
- pydantic 2's OpenAPI 3.1 constructs rewritten for 3.0.3 (`anyOf [..., {type: null}]` →
  `nullable: true`, `const`, numeric `exclusiveMinimum`, `examples`, `$ref` siblings);
- file downloads described by their media type; the WeChat callback's XML body.

`tests/api/test_openapi_contract.py` fails when a route escapes any of this.
"""

from __future__ import annotations

import copy
import inspect
import re
import sys
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sanic import Sanic

from miniprogram_api.error_codes import ErrorUse, codes_reached

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

STATUS_TEXT = {
    400: "The request is malformed or a field is invalid (`details.fields` lists each problem).",
    401: "Not logged in, or the session expired (`TOKEN_EXPIRED`: log in again with wx.login).",
    403: "Logged in, but this role or scope may not do this.",
    404: "The object does not exist or is outside the caller's scope.",
    409: "The request clashes with the current state (duplicate, already done).",
    413: "The request body is larger than the server accepts (`REQUEST_MAX_SIZE`).",
    422: "A rule of the regulation or of the product refuses the request.",
    429: "Too many attempts: wait `details.retry_after` seconds.",
    502: "An external system (WeChat, the recruitment site) failed: try again later.",
    503: "The server is busy or the request took too long: retry after `details.retry_after` s.",
}

# Codes every route of a kind can give, with the Chinese message the mapping uses.
GENERIC: dict[str, tuple[int, str]] = {
    "VALIDATION_FAILED": (400, "请求内容不正确：{字段}: {问题}"),
    "EMPTY_BODY": (400, "请求内容为空，应为 JSON 对象"),
    "MALFORMED_JSON": (400, "请求内容不是有效的 JSON"),
    "BAD_REQUEST": (400, "请求格式不正确"),
    "UNAUTHENTICATED": (401, "请先登录"),
    "TOKEN_EXPIRED": (401, "登录已过期，请重新登录"),
    "TOKEN_INVALID": (401, "登录凭证无效，请重新登录"),
    "ROLE_FORBIDDEN": (403, "您的身份无权执行此操作"),
    "NOT_FOUND": (404, "请求的内容不存在"),
    "ROUTE_NOT_FOUND": (404, "请求的接口不存在"),
    "PAYLOAD_TOO_LARGE": (413, "请求内容过大"),
    "SERVICE_UNAVAILABLE": (503, "服务繁忙，请稍后再试"),
}

ERROR_SCHEMA = "ErrorResponse"
ERROR_BODY_SCHEMA = "ErrorBody"
ERROR_DETAIL_SCHEMA = "ValidationProblem"

_FILES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".ics": "text/calendar",
}

_STRING = {"type": "string"}
_PARAM = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)(?::[^>]*)?>")


def _error_components() -> dict[str, Any]:
    ref = f"#/components/schemas/{ERROR_BODY_SCHEMA}"
    return {
        ERROR_SCHEMA: {
            "type": "object",
            "description": "Every error response: one object under `error`.",
            "required": ["error"],
            "properties": {"error": {"$ref": ref}},
        },
        ERROR_BODY_SCHEMA: {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable machine code (docs/errors.md lists every one).",
                    "example": "VALIDATION_FAILED",
                },
                "message": {
                    "type": "string",
                    "description": "Chinese message that may be shown to the user as is.",
                    "example": "请求内容不正确：name: 缺少必填字段",
                },
                "details": {
                    "type": "object",
                    "description": "Shaped per code (docs/errors.md); `{}` when there is nothing.",
                    "additionalProperties": True,
                    "properties": {
                        "fields": {
                            "type": "array",
                            "description": "VALIDATION_FAILED: every field that was refused.",
                            "items": {"$ref": f"#/components/schemas/{ERROR_DETAIL_SCHEMA}"},
                        },
                        "retry_after": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "429 and 503: seconds to wait before trying again.",
                        },
                        "max_bytes": {
                            "type": "integer",
                            "description": "PAYLOAD_TOO_LARGE: the largest body accepted.",
                        },
                        "limit": {
                            "type": "string",
                            "description": "TOO_MANY_ATTEMPTS: the limit that applied.",
                        },
                        "request_id": {
                            "type": "string",
                            "description": "INTERNAL_ERROR: the id to quote to support.",
                        },
                    },
                },
            },
        },
        ERROR_DETAIL_SCHEMA: {
            "type": "object",
            "required": ["field", "problem"],
            "properties": {
                "field": {"type": "string", "example": "name"},
                "problem": {"type": "string", "example": "缺少必填字段"},
            },
        },
    }


def _uri(route_uri: str) -> str:
    path = _PARAM.sub(r"{\1}", route_uri)
    return path if path.startswith("/") else "/" + path


def _routes_by_operation(app: Sanic) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for route in app.router.routes:
        for method in route.methods:
            found[(_uri(route.uri).rstrip("/") or "/", method.lower())] = route.handler
    return found


def _access(handler: Any) -> str | frozenset[Any] | None:
    return getattr(handler, "route_access", None)


def _access_text(access: Any) -> str:
    if access is None or access == "public":
        return "Access: public (no token)."
    if access == "logged_in":
        return "Access: any logged-in user (bearer token)."
    roles = ", ".join(sorted(getattr(r, "value", str(r)) for r in access))
    return f"Access: bearer token of a user with one of the roles {roles}; scope checked."


def _guard_uses(access: Any) -> list[ErrorUse]:
    from miniprogram_api.auth import current_actor

    uses: list[ErrorUse] = []
    if access in (None, "public"):
        return uses
    uses += codes_reached(current_actor)
    if isinstance(access, frozenset):
        from backend.accounts.access import require_role

        uses += codes_reached(require_role)
    return uses


def _example_error(code: str, message: str, status: int) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if code == "VALIDATION_FAILED":
        details = {"fields": [{"field": "name", "problem": "缺少必填字段"}]}
        message = "请求内容不正确：name: 缺少必填字段"
    elif status == 429:
        details = {"retry_after": 600, "limit": "5/10 minutes"}
    elif status == 503:
        details = {"retry_after": 5}
    elif code == "PAYLOAD_TOO_LARGE":
        details = {"max_bytes": 5242880}
    return {"error": {"code": code, "message": message, "details": details}}


def _error_responses(
    operation: dict[str, Any],
    handler: Any,
    method: str,
    path: str,
    messages: dict[str, set[tuple[str, int]]],
) -> dict[str, dict[str, Any]]:
    """The operation's error responses; every (message, status) a code can carry is added to
    `messages`, from which `_error_examples` picks one example per code."""
    access = _access(handler)
    codes: dict[int, dict[str, set[str]]] = {}

    def add(status: int, code: str, message: str) -> None:
        codes.setdefault(status, {}).setdefault(code, set()).add(message)

    has_body = "requestBody" in operation or method in ("post", "put", "patch")
    if "requestBody" in operation:
        for code in ("VALIDATION_FAILED", "EMPTY_BODY", "MALFORMED_JSON"):
            add(*_generic(code))
    if any(p.get("in") == "query" for p in operation.get("parameters", [])):
        add(*_generic("VALIDATION_FAILED"))
    if has_body:
        add(*_generic("PAYLOAD_TOO_LARGE"))
    if access not in (None, "public"):
        for code in ("UNAUTHENTICATED", "TOKEN_EXPIRED", "TOKEN_INVALID"):
            add(*_generic(code))
    if isinstance(access, frozenset):
        add(*_generic("ROLE_FORBIDDEN"))
    if "{" in path:
        add(*_generic("NOT_FOUND"))
    for use in [*_guard_uses(access), *codes_reached(handler)]:
        add(STATUS_BY_KIND.get(use.kind, 400), use.code, use.message)
    add(*_generic("SERVICE_UNAVAILABLE"))
    for status, by_code in codes.items():
        for code, texts in by_code.items():
            messages.setdefault(code, set()).update((text, status) for text in texts)
    responses: dict[str, dict[str, Any]] = {}
    for status in sorted(codes):
        by_code = codes[status]
        listed = ", ".join(f"`{c}`" for c in sorted(by_code))
        responses[str(status)] = {
            "description": f"{STATUS_TEXT.get(status, 'Error.')} Codes: {listed}.",
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"},
                    "examples": {
                        code: {"$ref": f"#/components/examples/{code}"} for code in sorted(by_code)
                    },
                }
            },
        }
    return responses


def _error_examples(messages: dict[str, set[tuple[str, int]]]) -> dict[str, Any]:
    """One example per error code, the same in every generation: a code raised with several
    messages (a trainee's and an instructor's binding, say) shows the first written one in
    sorted order — not whichever route the document happened to reach first."""
    examples = {}
    for code in sorted(messages):
        message, status = min(messages[code], key=lambda m: (m[0] == "", m))
        examples[code] = {"summary": message, "value": _example_error(code, message, status)}
    return examples


def _generic(code: str) -> tuple[int, str, str]:
    status, message = GENERIC[code]
    return status, code, message


# ---------------------------------------------------------------- OpenAPI 3.1 → 3.0.3 schemas

_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "not", "additionalProperties")


def fix_schema(node: Any) -> Any:
    """Rewrite pydantic 2's JSON Schema (OpenAPI 3.1 style) into an OpenAPI 3.0.3 schema."""
    if not isinstance(node, dict):
        return node
    for key in _SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            node[key] = {k: fix_schema(v) for k, v in node[key].items()}
    for key in _SCHEMA_LISTS:
        if isinstance(node.get(key), list):
            node[key] = [fix_schema(v) for v in node[key]]
    for key in _SCHEMA_ONE:
        if isinstance(node.get(key), dict):
            node[key] = fix_schema(node[key])
    if isinstance(node.get("type"), list):
        kinds = [t for t in node["type"] if t != "null"]
        if len(kinds) < len(node["type"]):
            node["nullable"] = True
        node["type"] = kinds[0] if len(kinds) == 1 else "string"
    if "anyOf" in node:
        options = node["anyOf"]
        rest = [o for o in options if o != {"type": "null"}]
        if len(rest) < len(options):
            node["nullable"] = True
            del node["anyOf"]
            if len(rest) == 1:
                only = rest[0]
                if "$ref" in only:
                    node["allOf"] = [only]
                else:
                    for k, v in only.items():
                        node.setdefault(k, v)
            elif rest:
                # 3.0.3 wants a type beside `nullable`: each option carries its own.
                node["anyOf"] = [o if "$ref" in o else {**o, "nullable": True} for o in rest]
                del node["nullable"]
            else:
                node["type"] = "string"
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            node[plain] = value
            node[bound] = True
    if isinstance(node.get("examples"), list):
        examples = node.pop("examples")
        if examples:
            node.setdefault("example", examples[0])
    if "$ref" in node and len(node) > 1:
        ref = node.pop("$ref")
        node["allOf"] = [{"$ref": ref}, *node.get("allOf", [])]
    if "prefixItems" in node:
        node.pop("prefixItems")
        node.setdefault("items", {})
    return node


def _fix_schemas_everywhere(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" and isinstance(value, dict):
                fix_schema(value)
            else:
                _fix_schemas_everywhere(value)
    elif isinstance(node, list):
        for item in node:
            _fix_schemas_everywhere(item)


# ---------------------------------------------------------------- examples from schemas

_STRING_BY_FORMAT = {
    "date": "2026-09-01",
    "date-time": "2026-09-01T09:00:00+08:00",
    "time": "09:00:00",
    "email": "user@example.cn",
    "uri": "https://example.cn/",
    "binary": "",
}
_ALTERNATIVES = re.compile(r"^\^?\(?([A-Za-z0-9_\-]+)(?:\|[A-Za-z0-9_\-|]+)?\)?\$?$")


def example_of(schema: Any, components: dict[str, Any], depth: int = 0, name: str = "") -> Any:
    """A plausible value for `schema`: its example, default or first enum value, else built."""
    if not isinstance(schema, dict) or depth > 8:
        return None
    if "$ref" in schema:
        target = components.get(schema["$ref"].split("/")[-1], {})
        return example_of(target, components, depth + 1, name)
    if "example" in schema:
        return schema["example"]
    if schema.get("default") not in (None, "", [], {}):
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("allOf"):
        merged: Any = None
        for part in schema["allOf"]:
            value = example_of(part, components, depth + 1, name)
            if isinstance(value, dict) and isinstance(merged, dict):
                merged.update(value)
            elif merged is None:
                merged = value
        return merged
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            return example_of(schema[key][0], components, depth + 1, name)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        out = {}
        for prop, sub in schema.get("properties", {}).items():
            out[prop] = example_of(sub, components, depth + 1, prop)
        extra = schema.get("additionalProperties")
        if not out and isinstance(extra, dict):
            out["key"] = example_of(extra, components, depth + 1, "key")
        return out
    if kind == "array":
        item = example_of(schema.get("items", {}), components, depth + 1, name)
        return [] if item is None else [item]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1) if "minimum" in schema else 1
    if kind == "number":
        if schema.get("maximum") == 1:
            return 0.85
        return float(schema.get("minimum", 0)) + 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        return _string_example(schema, name)
    return None


def _string_example(schema: dict[str, Any], name: str) -> str:
    if schema.get("format") in _STRING_BY_FORMAT:
        return _STRING_BY_FORMAT[schema["format"]]
    pattern = schema.get("pattern", "")
    match = _ALTERNATIVES.match(pattern) if pattern else None
    if match:
        return match.group(1)
    if pattern and (name.endswith("amount") or "\\d" in pattern):
        return "1200.00" if "." in pattern else "1"
    lowered = name.lower()
    guesses = {
        "name": "张三",
        "phone": "13800000000",
        "district": "350102",
        "code": "ABCD-EFGH-JK",
        "reason": "说明原因",
        "title": "求职能力实训",
    }
    for key, value in guesses.items():
        if key in lowered:
            text = value
            break
    else:
        text = "示例"
    low, high = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10_000))
    while len(text) < low:
        text += text
    return text[:high]


def _add_examples(spec: dict[str, Any]) -> None:
    components = spec.get("components", {}).get("schemas", {})
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            holders = [operation.get("requestBody", {})]
            holders += [r for s, r in operation.get("responses", {}).items() if s.startswith("2")]
            for holder in holders:
                for media_type, media in holder.get("content", {}).items():
                    if "example" in media or "examples" in media or "json" not in media_type:
                        continue
                    value = example_of(media.get("schema", {}), components)
                    if value is not None:
                        media["example"] = value


# ---------------------------------------------------------------- operations


def _query_model_schema(handler: Any) -> dict[str, Any]:
    model = getattr(handler, "query_model", None)
    return model.model_json_schema() if model is not None else {}


def _fix_parameters(operation: dict[str, Any], handler: Any) -> None:
    query = _query_model_schema(handler)
    properties, required = query.get("properties", {}), set(query.get("required", []))
    for param in operation.get("parameters", []):
        if param.get("in") == "path":
            param["required"] = True
        if param.get("in") == "query" and param["name"] in properties:
            prop = _inline_defs(copy.deepcopy(properties[param["name"]]), query.get("$defs", {}))
            description = prop.pop("description", "") or param.get("description", "")
            prop.pop("title", None)
            param["schema"] = fix_schema(prop)
            param["required"] = param["name"] in required
            if description:
                param["description"] = description
            else:
                param.pop("description", None)
        elif param.get("description") == "":
            param.pop("description")


def _inline_defs(node: Any, defs: dict[str, Any]) -> Any:
    """Replace `#/$defs/X` references (a query model's enums) by their definitions."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**_inline_defs(copy.deepcopy(defs[ref.split("/")[-1]]), defs), **rest}
        return {k: _inline_defs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_defs(v, defs) for v in node]
    return node


def _nullable_refs(node: Any, components: dict[str, Any]) -> None:
    """`nullable` beside `allOf: [$ref]` needs the referenced schema's `type` in 3.0.3."""
    if isinstance(node, dict):
        if node.get("nullable") and "type" not in node and node.get("allOf"):
            target = components.get(node["allOf"][0].get("$ref", "").split("/")[-1], {})
            node["type"] = target.get("type", "object")
        for value in node.values():
            _nullable_refs(value, components)
    elif isinstance(node, list):
        for value in node:
            _nullable_refs(value, components)


def _sends_a_file(handler: Any) -> bool:
    """True if the handler answers with a file (`attachment(...)`, `raw(...)`, `file(...)`)."""
    try:
        source = inspect.getsource(inspect.unwrap(handler))
    except (OSError, TypeError):
        return False
    return any(f"return {call}(" in source for call in ("attachment", "raw", "file"))


def _answers_empty(handler: Any) -> bool:
    """True if the handler answers 204 without a body (`return empty()`)."""
    try:
        source = inspect.getsource(inspect.unwrap(handler))
    except (OSError, TypeError):
        return False
    return "return empty()" in source


_DOCUMENT_ROUTES = {"/api/v1/openapi.json"}
OPENAPI_DOCUMENT_SCHEMA = {
    "type": "object",
    "description": "An OpenAPI 3.0.3 document (https://spec.openapis.org/oas/v3.0.3).",
    "required": ["openapi", "info", "paths", "components"],
    "properties": {
        "openapi": {"type": "string", "example": "3.0.3"},
        "info": {"type": "object", "additionalProperties": True},
        "servers": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        "paths": {"type": "object", "additionalProperties": True},
        "components": {"type": "object", "additionalProperties": True},
        "tags": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        "security": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
    },
    "additionalProperties": True,
}


def _source_status(handler: Any) -> int:
    try:
        source = inspect.getsource(inspect.unwrap(handler))
    except (OSError, TypeError):
        return 200
    return 201 if "status=201" in source else 200


def _fix_success(operation: dict[str, Any], handler: Any, path: str) -> None:
    responses = operation.setdefault("responses", {})
    if any(s.startswith("2") for s in responses):
        responses.pop("default", None)
        return
    default = responses.pop("default", {})
    suffix = next((s for s in _FILES if path.endswith(s)), "")
    if suffix or path.endswith("/file") or _sends_a_file(handler):
        media = _FILES.get(suffix, "application/octet-stream")
        responses["200"] = {
            "description": "The file.",
            "content": {media: {"schema": {"type": "string", "format": "binary"}}},
        }
        return
    if path in _DOCUMENT_ROUTES:
        responses["200"] = {
            "description": "The OpenAPI 3.0.3 document of this API (what this page describes).",
            "content": {"application/json": {"schema": OPENAPI_DOCUMENT_SCHEMA}},
        }
        return
    if _answers_empty(handler):
        responses["204"] = {"description": "Done; no body."}
        return
    status = _source_status(handler)
    responses[str(status)] = {
        "description": default.get("description") or "OK (body not yet described by a model).",
        "x-untyped": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }


# Routes outside the blueprints, described here (their handlers are closures without docstrings).
_OPERATOR_ROUTES = {
    "/metrics": (
        "Prometheus metrics in the text exposition format, for the operators' scraper "
        "(bearer `METRICS_TOKEN` outside dev mode).",
        "text/plain",
    ),
}


def _describe(operation: dict[str, Any], handler: Any, path: str = "") -> None:
    doc = inspect.getdoc(inspect.unwrap(handler)) if handler else None
    if path in _OPERATOR_ROUTES:
        text, media = _OPERATOR_ROUTES[path]
        doc = text
        operation["responses"] = {
            "200": {"description": "The metrics.", "content": {media: {"schema": _STRING}}}
        }
    access = _access_text(_access(handler))
    operation["description"] = f"{doc}\n\n{access}" if doc else access


WECHAT_PUSH_EXAMPLE = (
    "<xml><ToUserName><![CDATA[gh_123456789abc]]></ToUserName>"
    "<FromUserName><![CDATA[o-user-openid]]></FromUserName><CreateTime>1767225600</CreateTime>"
    "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe_msg_popup_event]]></Event>"
    "<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[tpl-followup]]></TemplateId>"
    "<SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>0</PopupScene>"
    "</List></SubscribeMsgPopupEvent></xml>"
)

WECHAT_PUSH_XML = {
    "type": "object",
    "description": (
        "WeChat's pushed event (plaintext mode; in safe mode the same XML is encrypted inside "
        "`<xml><ToUserName/><Encrypt/></xml>`). Only subscribe-message events are acted on. "
        "Example:\n\n```xml\n" + WECHAT_PUSH_EXAMPLE + "\n```"
    ),
    "xml": {"name": "xml"},
    "required": ["ToUserName", "FromUserName", "CreateTime", "MsgType"],
    "properties": {
        "ToUserName": {"type": "string", "description": "The mini-program's original id."},
        "FromUserName": {"type": "string", "description": "The user's openid."},
        "CreateTime": {"type": "integer", "description": "Unix time of the event."},
        "MsgType": {"type": "string", "enum": ["event"]},
        "Event": {
            "type": "string",
            "enum": [
                "subscribe_msg_popup_event",
                "subscribe_msg_change_event",
                "subscribe_msg_sent_event",
            ],
        },
        "Encrypt": {"type": "string", "description": "Safe mode only: the encrypted message."},
    },
}
_SIGNATURE_PARAMS = [
    ("signature", "SHA1 of token, timestamp and nonce (sorted).", True),
    ("timestamp", "Unix time WeChat signed.", True),
    ("nonce", "Random string WeChat signed.", True),
]


def _wechat_callback(spec: dict[str, Any]) -> None:
    item = spec.get("paths", {}).get("/wechat/callback")
    if not item:
        return
    for method, operation in item.items():
        params = [
            {
                "name": n,
                "in": "query",
                "required": r,
                "description": d,
                "schema": {"type": "string"},
            }
            for n, d, r in _SIGNATURE_PARAMS
        ]
        text = {"text/plain": {"schema": {"type": "string"}}}
        if method == "get":
            params.append(
                {
                    "name": "echostr",
                    "in": "query",
                    "required": True,
                    "description": "Echoed back when the signature holds.",
                    "schema": {"type": "string"},
                }
            )
            operation["responses"]["200"] = {"description": "`echostr`, echoed.", "content": text}
        else:
            params += [
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": description,
                    "schema": {"type": "string"},
                }
                for name, description in (
                    ("encrypt_type", "`aes` in safe mode."),
                    ("msg_signature", "Safe mode: signature over the encrypted body."),
                    ("openid", "The user's openid (WeChat adds it)."),
                )
            ]
            operation["requestBody"] = {
                "required": True,
                "content": {
                    media: {"schema": {"$ref": "#/components/schemas/WeChatPushEvent"}}
                    for media in ("text/xml", "application/xml")
                },
            }
            operation["responses"]["200"] = {
                "description": "`success` (WeChat's acknowledgement).",
                "content": {"text/plain": {"schema": {"type": "string"}, "example": "success"}},
            }
        operation["parameters"] = params
    spec["components"]["schemas"]["WeChatPushEvent"] = WECHAT_PUSH_XML


def _tag_descriptions(spec: dict[str, Any], handlers: Iterable[Any]) -> None:
    by_tag: dict[str, str] = {}
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            for tag in operation.get("tags", []):
                by_tag.setdefault(tag, "")
    for handler in handlers:
        module = sys.modules.get(getattr(inspect.unwrap(handler), "__module__", ""))
        doc = (inspect.getdoc(module) or "").split("\n")[0] if module else ""
        name = getattr(getattr(module, "bp", None), "name", None)
        if name in by_tag and doc and not by_tag[name]:
            by_tag[name] = doc
    spec["tags"] = [
        {"name": tag, **({"description": text} if text else {})}
        for tag, text in sorted(by_tag.items())
    ]


def _models_used(handler: Any) -> list[tuple[str, Any]]:
    """(where, model) for the models a route's decorators declared: "request" or a status."""
    used: list[tuple[str, Any]] = []
    if getattr(handler, "body_model", None) is not None:
        used.append(("request", handler.body_model))
    for status, model in getattr(handler, "response_models", {}).items():
        used.append((str(status), model))
    return used


def clashing_model_names() -> set[str]:
    """Class names shared by two pydantic models of the project (loaded ones)."""
    by_name: dict[str, set[Any]] = {}
    stack = list(BaseModel.__subclasses__())
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        if model.__module__.split(".")[0] in ("backend", "miniprogram_api"):
            by_name.setdefault(model.__name__, set()).add(model)
    return {name for name, models in by_name.items() if len(models) > 1}


def _qualified_name(model: Any) -> str:
    tail = model.__module__.split(".")[-1]
    return "".join(part.capitalize() for part in tail.split("_")) + model.__name__


def _disambiguate(spec: dict[str, Any], handlers: dict[tuple[str, str], Any]) -> None:
    """Two models with one class name overwrite each other in `components/schemas` (sanic-ext
    keys them by name): give each a name qualified by its module and point its routes at it."""
    clashing = clashing_model_names()
    if not clashing:
        return
    schemas = spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for where, model in _models_used(handlers.get((path.rstrip("/") or "/", method))):
                if model.__name__ not in clashing:
                    continue
                name = _qualified_name(model)
                if name not in schemas:
                    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                    for def_name, definition in schema.pop("$defs", {}).items():
                        schemas.setdefault(def_name, fix_schema(definition))
                    schemas[name] = fix_schema(schema)
                holder = (
                    operation.get("requestBody", {})
                    if where == "request"
                    else operation["responses"].get(where, {})
                )
                media = holder.get("content", {}).get("application/json")
                if media is not None:
                    media["schema"] = {"$ref": f"#/components/schemas/{name}"}


def _nullable_bodies(spec: dict[str, Any], handlers: dict[tuple[str, str], Any]) -> None:
    """A body that may be JSON `null` (`response_model(..., nullable=True)`): `allOf` + nullable."""
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            handler = handlers.get((path.rstrip("/") or "/", method))
            for status in getattr(handler, "nullable_responses", ()):
                media = operation["responses"][str(status)]["content"]["application/json"]
                media["schema"] = {"allOf": [media["schema"]], "nullable": True}


# Chinese labels of enumerations that no `*_LABELS` table of the code names (the tables found in
# the loaded modules come first; `_label_tables`). Keyed by the enumeration's values.
EXTRA_LABELS: tuple[dict[str, str], ...] = (
    {"in": "签到", "out": "签退"},
    {"present": "出勤", "late": "迟到", "absent": "缺勤", "excused": "请假"},
    {"hr": "人社部门录入", "chinesecalendar": "国家法定安排", "missing": "未录入"},
    {"trainee_class": "学员培训班", "instructor_class": "师资培训班"},
    {
        "employed": "单位就业",
        "self_employed": "自主创业/灵活就业",
        "further_study": "升学",
        "unemployed": "未就业",
    },
    {"accept": "同意接收", "reject": "拒绝", "ban": "已被屏蔽", "filter": "被过滤"},
    {
        "notice": "整改通知",
        "blacklist": "黑名单",
        "inspection": "督导检查",
        "instructor_action": "讲师处理",
        "fraud_finding": "骗取补贴认定",
    },
    {"pending": "待答复", "accepted": "已接受", "refused": "已拒绝"},
    {"survey": "回访问卷", "trainee": "学员上报", "instructor": "讲师上报", "site": "招聘网站"},
    {"pending": "待抽查", "confirmed": "核实通过", "refused": "核实未通过"},
    {
        "self_intro": "自我介绍",
        "behavioural": "行为面试",
        "situational": "情景面试",
        "salary": "薪资谈判",
    },
    {"model": "智能点评", "basic": "基础点评", "mixed": "部分智能点评"},
    {"single": "单选", "multiple": "多选", "true_false": "判断", "short": "简答"},
    {"in_progress": "作答中", "submitted": "已交卷", "graded": "已评分"},
    {"file": "文件", "link": "链接"},
    {"open": "待处理", "done": "已完成"},
    {"phone_call": "电话联系", "home_visit": "上门走访"},
    {"draft": "草稿", "submitted": "已报送"},
    {"submitted": "已提交", "approved": "已批准", "rejected": "已驳回"},
    {"draft": "草稿", "published": "已发布"},
    {"open": "待核实", "confirmed": "已认定私自代课", "dismissed": "已排除"},
    {"requested": "待审批", "approved": "已批准", "rejected": "已驳回"},
    {"json": "JSON（签到码内容）", "png": "PNG 图片", "svg": "SVG 图片", "wxacode": "小程序码"},
    {
        "survey_unanswered": "回访问卷未填写",
        "task_overdue": "回访任务逾期",
        "services_missing": "缺少后续服务记录",
    },
    {"event": "事件推送"},
    {
        "subscribe_msg_popup_event": "用户在弹窗中选择",
        "subscribe_msg_change_event": "用户在设置中更改",
        "subscribe_msg_sent_event": "发送结果",
    },
)


def _label_tables() -> list[dict[str, str]]:
    """value → Chinese label, from every `*_LABELS` table keyed by an enumeration, then EXTRA."""
    from enum import Enum

    tables: list[dict[str, str]] = []
    for name, module in sorted(sys.modules.items()):
        if not name.startswith(("backend.", "miniprogram_api.")):
            continue
        for attr, value in list(vars(module).items()):
            if not (attr.endswith("LABELS") and isinstance(value, dict) and value):
                continue
            if all(isinstance(k, Enum) for k in value):
                tables.append(
                    {
                        str(k.value): v[0] if isinstance(v, tuple) else str(v)
                        for k, v in value.items()
                    }
                )
    return [*tables, *EXTRA_LABELS]


def enum_labels(values: list[Any], tables: list[dict[str, str]]) -> dict[str, str] | None:
    """The labels of these values: the table with exactly these keys, else the smallest cover.

    None when no table covers them, or when the best-fitting tables disagree (two enumerations
    with the same values, e.g. an institution's and an instructor's status): which one a field
    means is then declared on the field (`json_schema_extra={"x-enum-labels": …}`), never
    guessed from which module happened to be imported first.
    """
    wanted = [str(v) for v in values]
    covering = [t for t in tables if set(wanted) <= set(t)]
    if not covering:
        return None

    def fit(table: dict[str, str]) -> tuple[bool, int]:
        return set(table) != set(wanted), len(table)

    best = min(fit(t) for t in covering)
    readings = {tuple(t[v] for v in wanted) for t in covering if fit(t) == best}
    if len(readings) != 1:
        return None
    return dict(zip(wanted, readings.pop(), strict=True))


def _label_enums(node: Any, tables: list[dict[str, str]]) -> None:
    """Every enumeration says what each value means in Chinese (`x-enum-labels`, description)."""
    if isinstance(node, dict):
        values = node.get("enum")
        if isinstance(values, list) and values and "Values: " not in node.get("description", ""):
            labels = node.get("x-enum-labels") or enum_labels(values, tables)  # declared first
            if labels is not None:
                node["x-enum-labels"] = labels
                listed = "; ".join(f"`{v}` {label}" for v, label in labels.items())
                text = node.get("description", "")
                node["description"] = f"{text}\n\nValues: {listed}".strip()
        for value in node.values():
            _label_enums(value, tables)
    elif isinstance(node, list):
        for value in node:
            _label_enums(value, tables)


def finish_document(spec: dict[str, Any], app: Sanic, *, server_url: str = "/") -> dict[str, Any]:
    """Complete sanic-ext's document (see the module docstring); returns the same dict."""
    handlers = _routes_by_operation(app)
    spec["servers"] = [{"url": server_url, "description": "This server"}]
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, schema in list(schemas.items()):
        schemas[name] = fix_schema(schema)
    schemas.update(_error_components())
    messages: dict[str, set[tuple[str, int]]] = {}
    _fix_schemas_everywhere(spec.get("paths", {}))
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            operation["responses"] = {str(k): v for k, v in operation.get("responses", {}).items()}
    _disambiguate(spec, handlers)
    for path, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            handler = handlers.get((path.rstrip("/") or "/", method))
            _describe(operation, handler, path)
            _fix_parameters(operation, handler)
            _fix_success(operation, handler, path)
            errors = _error_responses(operation, handler, method, path, messages)
            operation["responses"].update(errors)
    _wechat_callback(spec)
    _nullable_bodies(spec, handlers)
    _label_enums(spec, _label_tables())
    _nullable_refs(spec, schemas)
    _add_examples(spec)
    _tag_descriptions(spec, handlers.values())
    components["examples"] = _error_examples(messages)
    return spec
