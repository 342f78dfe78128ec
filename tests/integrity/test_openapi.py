"""The integrity routes are in the OpenAPI document with their bodies and replies."""

from __future__ import annotations

from tests.support.client import Client


async def test_the_integrity_routes_are_documented_with_their_models(client: Client) -> None:
    document = (await client.get("/api/v1/openapi.json")).json
    paths, schemas = document["paths"], document["components"]["schemas"]
    verification = paths["/api/v1/employment-outcomes/{record_id}/verification"]["post"]
    body = verification["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/VerificationIn")
    for path in (
        "/api/v1/classes/{class_id}/spot-check",
        "/api/v1/spot-check-items/{item_id}/result",
        "/api/v1/classes/{class_id}/fraud-findings",
        "/api/v1/classes/{class_id}/subsidy/roster-full.xlsx",
        "/api/v1/classes/{class_id}/employment-claims",
        "/api/v1/integrity-flags",
        "/api/v1/institutions/{institution_id}/clawbacks",
    ):
        assert path in paths, path
    subsidy = schemas["SubsidyOut"]["properties"]
    assert {"employment", "closing", "clawback"} <= set(subsidy)
    rates = schemas["SubsidyEmploymentOut"]["properties"]
    assert {"claimed", "verified", "gate_basis", "spot_check"} <= set(rates)
