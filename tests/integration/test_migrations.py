"""The committed migrations build, on an empty database, exactly the schema the models describe."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.db import create_test_database, drop_test_database, is_postgres

# Applies every migration to a database of its own, then compares it with the models.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# Runs in its own process: the migrations get a database (and an ORM) of their own.
CHECK = """
import asyncio, sys
from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector
from backend.accounts.models import WeChatIdentity
from backend.db import close_db, migrate_db, open_db, tortoise_config

async def main(url):
    await migrate_db(url)
    await close_db()
    await open_db(url)
    await migrate_db(url)  # a second run applies nothing and does not fail
    detector = MigrationAutodetector(Tortoise.apps, tortoise_config(url)["apps"])
    pending = [w.name for w in await detector.changes()]
    client = connections.get("default")
    comment = None
    if client.capabilities.dialect == "postgres":  # a table's description is its comment
        rows = await client.execute_query_dict(
            "SELECT obj_description('wechat_identity'::regclass, 'pg_class') AS c"
        )
        comment = rows[0]["c"]
    await close_db()
    print("PENDING", pending, "COMMENT", comment)
    described = comment in (None, WeChatIdentity._meta.table_description)
    sys.exit(1 if pending or not described else 0)

asyncio.run(main(sys.argv[1]))
"""


async def test_migrations_apply_cleanly_and_match_the_models() -> None:
    url = await create_test_database("_migrations")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CHECK,
            url,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await proc.communicate()
    finally:
        await drop_test_database("_migrations")
    assert proc.returncode == 0, (
        f"{'PostgreSQL' if is_postgres() else 'SQLite'}: {out.decode()} {err.decode()[-2000:]}\n"
        "run `jobready makemigrations` and commit the result"
    )
