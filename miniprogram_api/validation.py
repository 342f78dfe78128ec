"""Typed request bodies: validated by pydantic, documented in OpenAPI, errors in Chinese."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, ValidationError
from sanic import Request
from sanic_ext import openapi
from sanic_ext.extensions.openapi.builders import OperationStore
from sanic_ext.extensions.openapi.definitions import Component

from backend.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)

# C0 control characters but tab, line feed and carriage return; DEL. NUL breaks PostgreSQL
# text, the others make openpyxl refuse a whole export.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse_control_characters(value: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("不能包含控制字符")
    return value


# The one string type of request bodies and query strings: surrounding whitespace stripped
# before length limits apply (a blank employer is an empty one), control characters refused.
Text = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_refuse_control_characters)
]
Handler = Callable[..., Awaitable[Any]]

_PROBLEMS = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601",
    "datetime_type": "时间格式应为 ISO 8601",
    "time_parsing": "时间格式应为 HH:MM",
    "list_type": "应为数组",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "decimal_parsing": "应为金额数字",
    "too_short": "条目过少",
    "too_long": "条目过多",
    "value_error": "取值不正确",
}


def carry_openapi(inner: Handler, outer: Handler) -> Handler:
    """Move what OpenAPI decorators recorded on `inner` to the wrapper that replaces it.

    sanic-ext keys its operation data by function: without this, a body or parameter declared
    under another decorator (the role guard) vanishes from the document.
    """
    store = OperationStore()
    if inner in store:
        previous = store.pop(inner)
        if outer in store:
            previous.__dict__.update(
                {k: v for k, v in store[outer].__dict__.items() if v not in (None, [], {})}
            )
        store[outer] = previous
    return outer


def _problem(error: Any) -> dict[str, str]:
    field = ".".join(str(p) for p in error["loc"]) or "body"
    problem = _PROBLEMS.get(error["type"], "格式不正确")
    if error["type"] == "value_error":
        # Our own validators raise ValueError with a Chinese reason: show it.
        problem = str(error.get("ctx", {}).get("error", problem))
    if error["type"] in ("enum", "literal_error") and error.get("ctx", {}).get("expected"):
        # A refused value names the allowed ones.
        problem = f"{problem}（可选：{error['ctx']['expected']}）"
    return {"field": field, "problem": problem}


def validation_error(exc: ValidationError) -> InvalidInput:
    """Turn a pydantic error into the domain's InvalidInput with every field listed."""
    problems = [_problem(e) for e in exc.errors()]
    summary = "；".join(f"{p['field']}: {p['problem']}" for p in problems[:3])
    return InvalidInput(f"请求内容不正确：{summary}", details={"fields": problems})


def parse_model(model: type[M], data: Any) -> M:
    """Validate already-decoded data into a model, raising InvalidInput in Chinese."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None


MAX_JSON_DEPTH = 32  # the deepest request body is 4 levels; pydantic recurses per level
MAX_INT_DIGITS = 20  # beyond any id, count or amount; Python refuses 4,300+ digits with a 500


class _TooBig(ValueError):
    """A JSON number or nesting beyond what any request needs."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _TooBig(f"整数超过{MAX_INT_DIGITS}位")
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise _TooBig(f"不支持 {name}")


def _check_depth(value: Any) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH (iteratively: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _TooBig(f"嵌套超过{MAX_JSON_DEPTH}层")
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            stack.extend((child, depth + 1) for child in children)


def _malformed(why: str, position: int = 0) -> InvalidInput:
    return InvalidInput(
        f"请求内容不是有效的 JSON{('：' + why) if why else ''}",
        code="MALFORMED_JSON",
        details={"position": position},
    )


def read_json(request: Request) -> Any:
    """Decode the JSON body ourselves so malformed JSON gets our error, not Sanic's.

    Bodies nested too deep, integers too long and NaN/Infinity are MALFORMED_JSON too: the
    standard decoder would otherwise raise RecursionError or ValueError (a 500).
    """
    raw = request.body or b""
    if not raw.strip():
        raise InvalidInput("请求内容为空，应为 JSON 对象", code="EMPTY_BODY")
    try:
        data = json.loads(raw, parse_int=_bounded_int, parse_constant=_refuse_constant)
        _check_depth(data)
        return data
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _malformed("", getattr(exc, "pos", 0)) from None
    except _TooBig as exc:
        raise _malformed(str(exc)) from None
    except RecursionError:
        raise _malformed(f"嵌套超过{MAX_JSON_DEPTH}层") from None


def json_body(model: type[M]) -> Callable[[Handler], Handler]:
    """Validate the JSON body into `model`, pass it as `body=`, and document it (required)."""

    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
            body = parse_model(model, read_json(request))
            return await handler(request, *args, body=body, **kwargs)

        carry_openapi(handler, wrapper)
        wrapper.body_model = model  # type: ignore[attr-defined]  # read by miniprogram_api.contract
        return openapi.body({"application/json": Component(model)}, required=True)(wrapper)

    return decorator


def query_args(model: type[M]) -> Callable[[Handler], Handler]:
    """Validate query-string parameters into `model` and pass it as `query=`."""

    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
            data = {k: v[0] if len(v) == 1 else v for k, v in request.args.items()}
            return await handler(request, *args, query=parse_model(model, data), **kwargs)

        carry_openapi(handler, wrapper)
        wrapper.query_model = model  # type: ignore[attr-defined]  # read by miniprogram_api.contract
        for name, prop in model.model_json_schema().get("properties", {}).items():
            wrapper = openapi.parameter(
                name, _openapi_type(prop), "query", description=prop.get("description", "")
            )(wrapper)
        return wrapper

    return decorator


def _openapi_type(prop: dict[str, Any]) -> type:
    kinds = {p.get("type") for p in prop.get("anyOf", [prop])}
    if "integer" in kinds:
        return int
    if "number" in kinds:
        return float
    if "boolean" in kinds:
        return bool
    return str


def response_model(
    model: type[BaseModel], status: int = 200, description: str = "OK", *, nullable: bool = False
) -> Callable[[Handler], Handler]:
    """Document the response body of a route with a pydantic model (`nullable`: or JSON null)."""
    documented: Callable[[Handler], Handler] = openapi.response(
        status, {"application/json": Component(model)}, description
    )

    def decorator(handler: Handler) -> Handler:
        handler = documented(handler)
        # Read by miniprogram_api.contract (a model whose class name another model shares).
        models = {**getattr(handler, "response_models", {}), status: model}
        handler.response_models = models  # type: ignore[attr-defined]
        if nullable:
            nulls = {*getattr(handler, "nullable_responses", set()), status}
            handler.nullable_responses = nulls  # type: ignore[attr-defined]
        return handler

    return decorator


class ListPage(BaseModel):
    """The one list shape: `items` with `total`, `limit`, `offset` (docs/api-changes.md, Lists).

    A paged list takes `limit`/`offset` query parameters. A bounded list (one class, person or
    test) answers every item at once: `limit` equals `total` and `offset` is 0.
    """

    total: int = Field(ge=0, description="Number of items in the whole list.")
    limit: int = Field(ge=0, description="Page size used (= total for a bounded list).")
    offset: int = Field(ge=0, description="Index of the first item of this page.")


def listed(
    body: dict[str, Any],
    *,
    total: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    """`body` (with its `items`) in the list shape; a bounded list is one page of everything."""
    count = len(body["items"]) if total is None else total
    size = count if limit is None else limit
    return {**body, "total": count, "limit": size, "offset": offset}


Out = TypeVar("Out", bound=BaseModel)


def model_reply(model: type[Out], result: Any) -> Out:
    """The response model built from a service's dataclass (or a list of them, as `items`)."""
    return model.model_validate(result, from_attributes=True)


def listed_reply(
    model: type[Out],
    result: Any,
    *,
    total: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Out:
    """A list-shaped response model built from a service's dataclass that carries `items`."""
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    body = listed(fields, total=total, limit=limit, offset=offset)
    return model.model_validate(body, from_attributes=True)
