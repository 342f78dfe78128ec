"""The mini-program's typed client (`clients/miniprogram/`): fresh types, and its own tests.

The TypeScript types must be what openapi-typescript makes of the document served now (a route
changed without regenerating them fails here: run `.venv/bin/python -m tests.support.contract`);
the wrapper's node tests (which also type-check typed calls against the document) must pass.
"""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from tests.support.client import Client
from tests.support.contract import CLIENT, TYPES, generate_types, npm, npm_ci

# Node checks do not touch the database: run them once, in the SQLite pass of `python -m tests`.
pytestmark = [pytest.mark.slow, pytest.mark.engine_agnostic]


async def test_the_typescript_types_are_generated_from_the_current_document(
    client: Client,
) -> None:
    document = (await client.get("/api/v1/openapi.json")).json
    fresh = await asyncio.to_thread(generate_types, document)
    stale = "src/api-types.ts is stale: run `.venv/bin/python -m tests.support.contract`"
    assert TYPES.read_text(encoding="utf-8") == fresh, stale


def _npm_test() -> subprocess.CompletedProcess[str]:
    npm_ci(CLIENT)
    return subprocess.run(
        [npm(), "test", "--silent"], cwd=CLIENT, capture_output=True, text=True, timeout=300
    )


async def test_the_client_compiles_against_the_document_and_its_node_tests_pass() -> None:
    result = await asyncio.to_thread(_npm_test)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "# fail 0" in result.stdout
