"""Versioning: a breaking change to the document since the released one must be recorded.

`docs/openapi-released.json` is the document of the last release; `docs/api-changes.md` records
changes. Every breaking change (tests/support/api_diff.py says which) must be quoted there.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.support.api_diff import breaking_changes
from tests.support.client import Client
from tests.support.contract import CHANGES_MD, RELEASED


async def test_every_breaking_change_since_the_release_is_recorded(client: Client) -> None:
    current = (await client.get("/api/v1/openapi.json")).json
    released = json.loads(RELEASED.read_text(encoding="utf-8"))
    recorded = CHANGES_MD.read_text(encoding="utf-8")
    missing = [change for change in breaking_changes(released, current) if change not in recorded]
    assert not missing, (
        "breaking changes not recorded in docs/api-changes.md (quote each line there, or keep "
        "the old shape):\n" + "\n".join(missing)
    )


def _doc() -> dict[str, Any]:
    return {
        "paths": {
            "/things/{id}": {
                "get": {
                    "parameters": [{"in": "path", "name": "id", "required": True}],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"}
                                }
                            }
                        }
                    },
                },
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ThingIn"}}
                        }
                    },
                    "responses": {
                        "201": {"content": {"application/json": {"schema": {"type": "object"}}}}
                    },
                },
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "rate": {"type": "number"},
                        "tags": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"k": {"type": "string"}}},
                        },
                    },
                },
                "ThingIn": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}, "note": {"type": "string"}},
                },
            }
        },
    }


def test_the_diff_names_each_kind_of_breaking_change() -> None:
    released, current = _doc(), _doc()
    assert breaking_changes(released, current) == []
    thing = current["components"]["schemas"]["Thing"]["properties"]
    del thing["name"]
    thing["rate"] = {"type": "string"}
    del thing["tags"]["items"]["properties"]["k"]
    current["components"]["schemas"]["ThingIn"]["required"].append("note")
    current["paths"]["/things/{id}"]["get"]["parameters"].append(
        {"in": "query", "name": "since", "required": True}
    )
    added_field = copy.deepcopy(current)
    del current["paths"]["/things/{id}"]["post"]
    assert breaking_changes(released, current) == [
        "GET /things/{id}: request query parameter since now required",
        "GET /things/{id}: response 200 field name removed",
        "GET /things/{id}: response 200.rate type changed from number to string",
        "GET /things/{id}: response 200.tags[] field k removed",
        "POST /things/{id}: operation removed",
    ]
    assert "POST /things/{id}: request body field note now required" in breaking_changes(
        released, added_field
    )
    # Adding a response field or an optional request field is not breaking.
    more = _doc()
    more["components"]["schemas"]["Thing"]["properties"]["extra"] = {"type": "integer"}
    more["components"]["schemas"]["ThingIn"]["properties"]["optional"] = {"type": "integer"}
    assert breaking_changes(released, more) == []
