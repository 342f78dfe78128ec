"""The console's TypeScript types are generated from the OpenAPI document (types come
from the document, never a second hand-written copy): `console/src/api/api-types.ts` is what
openapi-typescript makes of the document served now. A route changed without regenerating
them fails here: run `.venv/bin/python -m tests.support.contract` (then rebuild the console).
"""

from __future__ import annotations

import asyncio

import pytest

from tests.support.client import Client
from tests.support.contract import CONSOLE_TYPES, generate_types
from tests.support.db import is_postgres

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(is_postgres(), reason="no database involved: runs in the SQLite pass"),
]


async def test_the_console_types_are_generated_from_the_current_document(client: Client) -> None:
    document = (await client.get("/api/v1/openapi.json")).json
    fresh = await asyncio.to_thread(generate_types, document)
    stale = (
        "console/src/api/api-types.ts is stale: run `.venv/bin/python -m tests.support.contract`"
    )
    assert CONSOLE_TYPES.read_text(encoding="utf-8") == fresh, stale
