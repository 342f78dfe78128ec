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

ENGINE = os.environ.get("JOBREADY_TEST_DB", "sqlite").strip().lower()
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def is_postgres() -> bool:
    """True when this run tests against PostgreSQL."""
    return ENGINE in ("postgres", "postgresql", "pg")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def create_test_database(name: str = "jobready_test") -> str:
    """A fresh, empty database for this run; returns its URL. Fails loudly if unreachable."""
    if not is_postgres():
        folder = Path(tempfile.mkdtemp(prefix="jobready-test-"))
        return f"sqlite://{folder / 'test.sqlite3'}"
    conn = await asyncpg.connect(ADMIN_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return _with_database(ADMIN_URL, name)


def table_names() -> list[str]:
    """Every table the ORM knows, for cleaning between tests."""
    return [m._meta.db_table for m in Tortoise.apps.get_models_iterable()]  # type: ignore[attr-defined]


async def clean_tables() -> None:
    """Empty every table and reset ids: each test starts from a clean database."""
    conn = connections.get("default")
    tables = table_names()
    if is_postgres():
        quoted = ", ".join(f'"{t}"' for t in tables)
        await conn.execute_script(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        return
    statements = ["PRAGMA foreign_keys = OFF"]
    statements += [f'DELETE FROM "{t}"' for t in tables]
    statements += ["DELETE FROM sqlite_sequence", "PRAGMA foreign_keys = ON"]
    await conn.execute_script(";\n".join(statements))
