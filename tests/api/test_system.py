"""The service answers health checks and serves its OpenAPI document."""

from __future__ import annotations

from sanic import Sanic


async def test_health_reports_the_database(app: Sanic) -> None:
    _, response = await app.asgi_client.get("/api/v1/health")
    assert response.status == 200
    assert response.json["database"] == "ok"
    assert response.json["redis"] == "not_configured"
    assert response.headers["x-request-id"]


async def test_openapi_document_lists_the_health_route(app: Sanic) -> None:
    _, response = await app.asgi_client.get("/api/v1/openapi.json")
    assert response.status == 200
    assert response.json["openapi"].startswith("3.")
    assert "/api/v1/health" in response.json["paths"]
