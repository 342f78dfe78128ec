"""The restore drill of docs/operations.md §4, walked on PostgreSQL: pg_dump, pg_restore into a
fresh database, an API on the copy with the kept keys reads a trainee's full ID number (audited).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from backend.accounts.models import Role
from tests.support.client import Client
from tests.support.cluster import spawn_cli, wait_healthy
from tests.support.db import _admin_execute, _with_database
from tests.support.factories import (
    auth,
    enrol,
    make_class,
    make_institution,
    make_staff,
    make_trainee,
    new_id_number,
)
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


def _pg_env(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    return {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
    }


def _restore_and_read(
    database_url: str, restored: str, path: str, headers: dict[str, str], tmp: Path
) -> str:
    """pg_dump, pg_restore into `restored`, an API on it; the body of one POST to `path`."""
    dump = tmp / "jobready.dump"
    source = urlsplit(database_url).path.lstrip("/")
    pg = _pg_env(database_url)
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), source], env=pg, check=True)
    subprocess.run(["pg_restore", "--no-owner", "-d", restored, str(dump)], env=pg, check=True)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "JOBREADY_DEV": "1",  # the dev keys are the "kept keys" of this drill
        "DATABASE_URL": _with_database(database_url, restored),
    }
    process = spawn_cli(["serve", "--no-worker", "--port", str(port)], env, tmp / "api.log")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, process)
        request = urllib.request.Request(
            f"{base}{path}",
            data='{"reason": "恢复演练核对"}'.encode(),
            headers={**headers, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            return str(response.read().decode())
    finally:
        process.terminate()
        process.wait(timeout=20)


async def test_a_dump_restored_with_the_kept_keys_serves_and_decrypts(
    client: Client, database_url: str, tmp_path: Path
) -> None:
    id_number = new_id_number()
    trainee = await make_trainee("恢复演练", id_number=id_number, phone="13800138000")
    await enrol(await make_class(await make_institution()), trainee)
    hr = await make_staff(Role.HR_ADMIN)
    restored = f"{urlsplit(database_url).path.lstrip('/')}_restored"
    await _admin_execute(f'DROP DATABASE IF EXISTS "{restored}"', f'CREATE DATABASE "{restored}"')
    try:
        path = f"/api/v1/trainees/{trainee.id}/pii"
        body = await asyncio.to_thread(
            _restore_and_read, database_url, restored, path, auth(hr), tmp_path
        )
        assert id_number in body  # the kept keys decrypt the restored rows
        restored_url = _with_database(database_url, restored)
        conn = await asyncpg.connect(restored_url.replace("postgres://", "postgresql://", 1))
        try:
            audited = await conn.fetchval("SELECT COUNT(*) FROM audit_entry")
        finally:
            await conn.close()
        assert audited >= 1  # the full-number read was audited in the restored database
    finally:
        await _admin_execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
