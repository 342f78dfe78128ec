"""Redocly lints the served document with its recommended rules: no error allowed.

Runs `@redocly/cli` from `clients/contract/` (installed by `npm ci` from its lockfile on first
use); the rules turned off are named and justified in `clients/contract/redocly.yaml`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.client import Client
from tests.support.contract import redocly_lint

# Node checks do not touch the database: run them once, in the SQLite pass of `python -m tests`.
pytestmark = [pytest.mark.slow, pytest.mark.engine_agnostic]


async def test_the_document_passes_redocly_lint_with_the_recommended_rules(
    client: Client, tmp_path: Path
) -> None:
    document = (await client.get("/api/v1/openapi.json")).json
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = await asyncio.to_thread(redocly_lint, spec)
    report = json.loads(result.stdout)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    shown = [f"{p['ruleId']}: {p['location'][0]['pointer']}: {p['message']}" for p in errors[:30]]
    assert not errors, f"{len(errors)} lint errors:\n" + "\n".join(shown)
    assert result.returncode == 0, result.stderr[-2000:]
