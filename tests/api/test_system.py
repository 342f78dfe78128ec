"""The service answers health checks and serves its OpenAPI document."""

from __future__ import annotations

from tests.support.client import Client


async def test_health_reports_the_database(client: Client) -> None:
    response = await client.get("/api/v1/health")
    assert response.status == 200
    assert response.json["database"] == "ok"
    assert response.json["redis"] == "not_configured"
    assert response.headers["x-request-id"]


async def test_openapi_document_lists_the_health_route(client: Client) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    assert response.json["openapi"].startswith("3.")
    assert "/api/v1/health" in response.json["paths"]


async def test_openapi_documents_bodies_with_required_fields_and_security(client: Client) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json
    bind = spec["paths"]["/api/v1/auth/bind-trainee"]["post"]
    ref = bind["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(spec["components"]["schemas"][ref]["required"]) == {"name", "id_number"}
    assert bind["security"] == [{"bearer": []}]
    listing = spec["paths"]["/api/v1/classes"]["get"]
    assert {"status", "offset", "limit"} <= {p["name"] for p in listing["parameters"]}
    ok = bind["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/MeOut")
