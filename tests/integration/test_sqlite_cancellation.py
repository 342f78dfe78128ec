"""The SQLite client survives callers cancelled at any point (backend/sqlite_client.py).

Pinned against tortoise-orm 1.1.9 and aiosqlite 0.22.1: the first test shows the upstream
client still keeps its lock when its first call is cancelled (tortoise-orm #1655); when that
test fails after an upgrade, the upstream fix has landed and the workaround may go.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from tortoise.backends.sqlite.client import SqliteClient

from backend.sqlite_client import GuardedSqliteClient

# Points at which a caller gives up: before the connection opens, while it opens, after.
DELAYS = (0.0, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01)


async def _cancel_after(coro: Coroutine[Any, Any, Any], delay: float) -> None:
    task = asyncio.ensure_future(coro)
    await asyncio.sleep(delay)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _first_call_cancelled(client: SqliteClient) -> None:
    await _cancel_after(client.execute_query("SELECT 1"), 0)


async def test_tortoise_sqlite_client_keeps_its_lock_when_its_first_call_is_cancelled(
    tmp_path: Path,
) -> None:
    client = SqliteClient(str(tmp_path / "upstream.sqlite3"), connection_name="upstream")
    await _first_call_cancelled(client)
    with pytest.raises(TimeoutError):  # every later query waits for a lock nobody releases
        await asyncio.wait_for(client.execute_query("SELECT 1"), 1.0)
    client._lock = asyncio.Lock()  # only to close it
    await client.close()


async def test_a_cancelled_first_call_leaves_the_guarded_client_usable(tmp_path: Path) -> None:
    for delay in DELAYS:
        client = GuardedSqliteClient(str(tmp_path / f"g{delay}.sqlite3"), connection_name="g")
        await _cancel_after(client.execute_query("SELECT 1"), delay)
        _, rows = await asyncio.wait_for(client.execute_query("PRAGMA foreign_keys"), 1.0)
        assert rows[0][0] == 1  # the connection was fully set up, pragmas included
        assert not client._lock.locked()
        await client.close()


async def test_a_transaction_cancelled_at_any_point_leaves_no_lock_and_no_write(
    tmp_path: Path, database_url: str
) -> None:
    """(`database_url` opens the ORM: a transaction registers itself in its context.)"""
    client = GuardedSqliteClient(str(tmp_path / "tx.sqlite3"), connection_name="tx")
    await client.execute_script("CREATE TABLE t (n INTEGER)")

    async def write(n: int) -> None:
        async with client._in_transaction() as tx:
            await tx.execute_query("INSERT INTO t (n) VALUES (?)", [n])
            await asyncio.sleep(0.001)
            await tx.execute_query("INSERT INTO t (n) VALUES (?)", [n])

    for n, delay in enumerate(DELAYS * 3):
        await _cancel_after(write(n), delay)
        async with asyncio.timeout(1.0):
            _, rows = await client.execute_query("SELECT n, COUNT(*) FROM t GROUP BY n")
        assert all(count == 2 for _, count in rows)  # each transaction is all or nothing
        assert not client._lock.locked()
        assert client._connection is not None and not client._connection.in_transaction
    await write(999)
    _, rows = await client.execute_query("SELECT COUNT(*) FROM t WHERE n = 999")
    assert rows[0][0] == 2
    await client.close()
