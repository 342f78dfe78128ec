"""Test databases: SQLite (a temp file) or PostgreSQL (a fresh database), chosen by env.

`JOBREADY_TEST_DB=sqlite` (default) or `postgres`; `TEST_POSTGRES_URL` points at a server
database we may connect to (default postgres://postgres@127.0.0.1:5432/test), from which a
fresh `jobready_test` database is created for the run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise, connections

SHM = "/dev/shm"
SHM_EXISTS = os.path.isdir(SHM)
ENGINE = os.environ.get("JOBREADY_TEST_DB", "sqlite").strip().lower()
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def is_postgres() -> bool:
    """True when this run tests against PostgreSQL."""
    return ENGINE in ("postgres", "postgresql", "pg")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def test_database_name(suffix: str = "") -> str:
    """One database per test process, so two runs on one server never disturb each other."""
    return f"jobready_test_{os.getpid()}{suffix}"


async def _admin_execute(*statements: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def drop_test_database(suffix: str = "") -> None:
    """Remove this run's database (PostgreSQL); SQLite files live in a temp folder."""
    if is_postgres():
        name = test_database_name(suffix)
        await _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def create_test_database(suffix: str = "") -> str:
    """A fresh, empty database for this run; returns its URL. Fails loudly if unreachable."""
    name = test_database_name(suffix)
    if not is_postgres():
        # In memory-backed /dev/shm where there is one: SQLite syncs every commit to disk.
        shm = SHM if SHM_EXISTS else None
        folder = Path(tempfile.mkdtemp(prefix="jobready-test-", dir=shm))
        return f"sqlite://{folder / 'test.sqlite3'}"
    await _admin_execute(
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )
    return _with_database(ADMIN_URL, name)


def table_names() -> list[str]:
    """Every table the ORM knows, for cleaning between tests."""
    return [m._meta.db_table for m in Tortoise.apps.get_models_iterable()]  # type: ignore[attr-defined]


# PostgreSQL: DELETE with foreign-key triggers off, then restart every sequence, in one round
# trip. TRUNCATE of ~50 tables cost ~190 ms per test here; this costs a few milliseconds.
PG_CLEAN = """
SET session_replication_role = replica;
{deletes}
SET session_replication_role = DEFAULT;
SELECT setval(c.oid, 1, false) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public';
"""


async def clean_tables() -> None:
    """Empty every table and reset ids: each test starts from a clean database."""
    conn = connections.get("default")
    tables = table_names()
    if is_postgres():
        deletes = "\n".join(f'DELETE FROM "{t}";' for t in tables)
        await conn.execute_script(PG_CLEAN.format(deletes=deletes))
        return
    statements = ["PRAGMA foreign_keys = OFF"]
    statements += [f'DELETE FROM "{t}"' for t in tables]
    statements += ["DELETE FROM sqlite_sequence", "PRAGMA foreign_keys = ON"]
    await conn.execute_script(";\n".join(statements))
