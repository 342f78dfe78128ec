"""The hand-written statements of `backend.db`: placeholders, conversions, conflicts, and the
pooled PostgreSQL connection that is released without asyncpg's session reset."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import connections

from backend import db
from backend.attendance.models import Checkin, Purpose
from tests.support import factories
from tests.support.db import is_postgres

ROOT = Path(__file__).resolve().parents[2]

# Statements that leave state on a connection after it is back in the pool. PooledConnection
# skips asyncpg's reset (RESET ALL, UNLISTEN *, CLOSE ALL, advisory unlock), so none may appear.
START = r"""(?:^|;|\(\s*[fr]?["']{1,3})\s*"""  # a statement's start: not UPDATE's SET, not prose
SESSION_STATE = re.compile(
    START + r"SET\s+(?:SESSION\s+)?\w+\s*(?:=|TO\b)|" + START + r"LISTEN\s+\w+"
    r"|\bpg_advisory_(?:xact_)?lock|\bDECLARE\s+\w+.*\bCURSOR\b"
    r"|\bset_config\s*\((?![^)]*,\s*true\s*\))",  # set_config(…, true) ends with its transaction
    re.IGNORECASE,
)


def test_no_code_leaves_session_state_on_a_pooled_connection() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for top in ("backend", "miniprogram_api", "jobs")
        for path in sorted((ROOT / top).rglob("*.py"))
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SESSION_STATE.search(line)
    ]
    assert offenders == []


def test_the_session_state_pattern_recognises_what_it_forbids() -> None:
    for sql in (
        "SET search_path TO x",
        "set statement_timeout = 5",
        "LISTEN jobs",
        "SELECT pg_advisory_lock(1)",
    ):
        assert SESSION_STATE.search(sql), sql
    assert SESSION_STATE.search("SELECT set_config('search_path', 'x', false)")
    assert not SESSION_STATE.search('UPDATE "outbox" SET status = $1')
    assert not SESSION_STATE.search("SELECT set_config('synchronous_commit', 'off', true)")


@pytest.mark.usefixtures("settings")
async def test_a_transaction_local_setting_is_gone_when_its_statement_ends() -> None:
    """The dispatcher's asynchronous commit (set_config(…, true) inside one statement) must not
    stay on the pooled connection for whoever uses it next."""
    if not is_postgres():
        pytest.skip("a PostgreSQL setting")
    client = connections.get("default")
    before = await client.execute_query_dict("SHOW synchronous_commit")
    for _ in range(3):  # the pool may hand out another connection: every one stays as it was
        await client.execute_query_dict(
            "SELECT set_config('synchronous_commit', 'off', true) AS quick"
        )
        assert await client.execute_query_dict("SHOW synchronous_commit") == before


@pytest.mark.usefixtures("settings")
async def test_fetch_rows_binds_numbered_placeholders_in_any_order_and_repeated() -> None:
    user = await factories.make_user("扫码学员")
    await factories.make_user("另一位")
    rows = await db.fetch_rows(
        "SELECT id, display_name FROM app_user WHERE display_name = $2 AND id = $1 AND id >= $1",
        user.id,
        "扫码学员",
    )
    assert rows == [{"id": user.id, "display_name": "扫码学员"}]


@pytest.mark.usefixtures("settings")
async def test_insert_unless_exists_inserts_once_and_reports_the_conflict() -> None:
    klass = await factories.make_class(await factories.make_institution())
    session = await factories.make_session(klass)
    trainee = await factories.make_trainee()
    values = {
        "session_id": session.id,
        "trainee_id": trainee.id,
        "purpose": Purpose.IN,
        "scanned_at": datetime(2026, 11, 23, 0, 55, tzinfo=UTC),
        "flags": ["poor_accuracy"],
    }
    first = Checkin(**values)
    assert await db.insert_unless_exists(first) is True
    again = Checkin(**{**values, "scanned_at": datetime(2026, 11, 23, 0, 56, tzinfo=UTC)})
    assert await db.insert_unless_exists(again) is False
    stored = await Checkin.get(id=first.pk)
    assert stored.scanned_at == values["scanned_at"]  # the first scan wins, converted back intact
    assert stored.flags == ["poor_accuracy"] and stored.review.value == "pending"
    assert await Checkin.all().count() == 1


@pytest.mark.skipif(not is_postgres(), reason="the pooled connection class is PostgreSQL's")
@pytest.mark.usefixtures("settings")
async def test_the_postgresql_pool_releases_connections_without_the_reset_round_trip() -> None:
    client = connections.get("default")
    async with client.acquire_connection() as conn:
        assert isinstance(conn, db.PooledConnection)
        assert conn.get_reset_query() == ""


def test_a_postgresql_url_gets_the_lean_pool_of_twenty_unless_it_names_a_size() -> None:
    config = db.connection_config("postgresql://jobready@db.internal:5432/jobready")
    assert isinstance(config, dict)
    credentials = config["credentials"]
    assert credentials["connection_class"] is db.PooledConnection
    assert credentials["maxsize"] == db.POOL_MAX == 20
    sized = db.connection_config("postgres://jobready@db.internal:5432/jobready?maxsize=8")
    assert isinstance(sized, dict) and sized["credentials"]["maxsize"] == "8"
    sqlite = db.connection_config("sqlite://jobready.sqlite3")  # the cancellation-safe client
    assert isinstance(sqlite, dict) and sqlite["engine"] == db.SQLITE_ENGINE
    assert sqlite["credentials"]["file_path"] == "jobready.sqlite3"
