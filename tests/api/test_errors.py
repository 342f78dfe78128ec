"""Every bad request gets `{"error": {code, message, details}}`, the right status, in Chinese."""

from __future__ import annotations

import aiohttp
import pytest
from pydantic import BaseModel, Field
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from backend.config import Settings
from backend.errors import RuleViolation
from backend.runtime import use_runtime
from miniprogram_api.app import create_app
from miniprogram_api.validation import json_body
from tests.support.server import serve_app


class EchoIn(BaseModel):
    name: str = Field(min_length=1)
    age: int


async def _echo(request: Request, body: EchoIn) -> HTTPResponse:
    return json(body.model_dump())


async def _boom(request: Request) -> HTTPResponse:
    raise RuntimeError("secret internal detail")


async def _rule(request: Request) -> HTTPResponse:
    raise RuleViolation("开班前10个工作日内不能申报", code="PLAN_SUBMITTED_TOO_LATE")


@pytest.fixture(scope="module")
def probe_app(settings: Settings) -> Sanic:
    with use_runtime():  # create_app configures the process: the run's runtime is back after
        app = create_app(settings.replace(request_max_size=2048), manage_orm=False)
    app.add_route(json_body(EchoIn)(_echo), "/api/v1/_probe/echo", methods=["POST"])
    app.add_route(_boom, "/api/v1/_probe/boom")
    app.add_route(_rule, "/api/v1/_probe/rule")
    return app


def _assert_error(response: object, status: int, code: str) -> dict:
    body = response.json  # type: ignore[attr-defined]
    assert response.status == status, body  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"])
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


async def test_valid_body_reaches_the_handler(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.post(
        "/api/v1/_probe/echo", json={"name": "张三", "age": 3}
    )
    assert response.status == 200
    assert response.json == {"name": "张三", "age": 3}


async def test_malformed_json_is_refused_with_400(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.post("/api/v1/_probe/echo", content=b"{name: ")
    _assert_error(response, 400, "MALFORMED_JSON")


async def test_empty_body_is_refused_with_400(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.post("/api/v1/_probe/echo", content=b"")
    _assert_error(response, 400, "EMPTY_BODY")


async def test_wrong_type_names_the_field(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.post(
        "/api/v1/_probe/echo", json={"name": "张三", "age": "three"}
    )
    error = _assert_error(response, 400, "VALIDATION_FAILED")
    assert error["details"]["fields"] == [{"field": "age", "problem": "应为整数"}]


async def test_missing_field_names_the_field(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.post("/api/v1/_probe/echo", json={"age": 3})
    error = _assert_error(response, 400, "VALIDATION_FAILED")
    assert {"field": "name", "problem": "缺少必填字段"} in error["details"]["fields"]


async def test_body_that_is_not_an_object_is_refused(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.post("/api/v1/_probe/echo", json=[1, 2])
    _assert_error(response, 400, "VALIDATION_FAILED")


async def test_unknown_route_is_404(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.get("/api/v1/no-such-thing")
    _assert_error(response, 404, "ROUTE_NOT_FOUND")


async def test_wrong_method_is_405(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.delete("/api/v1/health")
    _assert_error(response, 405, "METHOD_NOT_ALLOWED")


async def test_domain_rule_maps_to_422_with_its_code(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.get("/api/v1/_probe/rule")
    error = _assert_error(response, 422, "PLAN_SUBMITTED_TOO_LATE")
    assert error["message"] == "开班前10个工作日内不能申报"


async def test_unexpected_exception_is_500_with_request_id_and_no_trace(probe_app: Sanic) -> None:
    _, response = await probe_app.asgi_client.get(
        "/api/v1/_probe/boom", headers={"X-Request-ID": "req-test-12345"}
    )
    error = _assert_error(response, 500, "INTERNAL_ERROR")
    assert error["details"] == {"request_id": "req-test-12345"}
    assert "req-test-12345" in error["message"]
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"] == "req-test-12345"


async def test_oversize_body_is_413_over_real_http(probe_app: Sanic) -> None:
    async with serve_app(probe_app) as url, aiohttp.ClientSession() as http:
        payload = {"name": "张" * 3000, "age": 1}
        async with http.post(f"{url}/api/v1/_probe/echo", json=payload) as response:
            body = await response.json()
        assert response.status == 413
        assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"
        assert "请求内容过大" in body["error"]["message"]
