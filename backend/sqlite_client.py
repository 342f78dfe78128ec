"""Tortoise's SQLite client, made safe against cancellation (the engine `backend.db` names).

Tortoise 1.1.9's SQLite client serialises every call on one asyncio lock and opens its
aiosqlite connection lazily, *inside* `ConnectionWrapper.__aenter__` after taking that lock.
When the first call is cancelled (a client that gives up while the API starts), `__aenter__`
raises before the `async with` body is entered, so `__aexit__` never runs and the lock is
held forever: every later query waits (tortoise-orm #1655, fix proposed in PR #1656). The
transaction context has the same gap between taking the lock and `BEGIN`. Cancelling
`aiosqlite.connect()` itself can also lose the native connection (aiosqlite PR #389).

This client closes those gaps without changing what a query does:
- the connection is opened once, by a task of its own that callers await through
  `asyncio.shield`, so a cancelled caller never interrupts it half-way (pragmas unset, a
  native connection lost); it is published only when fully set up;
- taking the lock and opening the connection is one step that releases the lock on any
  failure, cancellation included;
- a transaction that fails or is cancelled before its body runs is rolled back (a no-op if
  `BEGIN` never ran) and its lock released.

Statements already queued on aiosqlite's worker thread finish there in order, so a cancelled
query cannot interleave with the next caller's. `tests/integration/test_sqlite_cancellation.py`
pins each gap against the pinned versions (tortoise-orm 1.1.9, aiosqlite 0.22.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from typing import Any

import aiosqlite
from tortoise.backends.base.client import ConnectionWrapper, TransactionalDBClient
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)


class _GuardedConnection(ConnectionWrapper[aiosqlite.Connection]):
    """`async with client.acquire_connection()` that never keeps the lock when entry fails."""

    async def __aenter__(self) -> aiosqlite.Connection:
        await self._lock.acquire()
        try:
            await self.ensure_connection()
        except BaseException:
            self._lock.release()
            raise
        return self.connection


class _GuardedTransaction(SqliteTransactionContext):
    """A transaction whose entry either completes or leaves nothing behind."""

    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        token_set = False
        try:
            await self.ensure_connection()
            self.token = self._set_current()
            token_set = True
            await self.connection.begin()
        except BaseException:
            await _settle(self.connection._connection)
            if token_set:
                self._reset_current()
            self._trxlock.release()
            raise
        return self.connection

    def _set_current(self) -> Any:
        from tortoise.connection import get_connections

        return get_connections().set(self.connection_name, self.connection)

    def _reset_current(self) -> None:
        from tortoise.connection import get_connections

        get_connections().reset(self.token)


async def _settle(connection: aiosqlite.Connection | None) -> None:
    """Roll back whatever a half-entered transaction began, even if cancelled again."""
    if connection is None:
        return
    rollback = asyncio.ensure_future(connection.rollback())  # queued on aiosqlite's thread now
    # Even if this wait is cancelled, the rollback runs before any later statement (one queue).
    with contextlib.suppress(asyncio.CancelledError, sqlite3.Error, ValueError):
        await asyncio.shield(rollback)


class GuardedSqliteClient(SqliteClient):
    """Tortoise's SqliteClient with cancellation-safe connection opening and locking."""

    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._opening: asyncio.Task[aiosqlite.Connection] | None = None

    async def create_connection(self, with_db: bool) -> None:
        """Open the connection once; a cancelled caller leaves the opening to finish."""
        if self._connection:
            return
        if self._opening is None or (self._opening.done() and self._opening.exception()):
            self._opening = asyncio.ensure_future(self._open())
        self._connection = await asyncio.shield(self._opening)

    async def _open(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(self.filename, isolation_level=None)
        try:
            connection._conn.row_factory = sqlite3.Row
            for pragma, value in self.pragmas.items():
                cursor = await connection.execute(f"PRAGMA {pragma}={value}")
                await cursor.close()
        except BaseException:
            await connection.close()
            raise
        await self._post_connect()
        self.log.debug("Created connection %s: filename=%s", connection, self.filename)
        return connection

    async def close(self) -> None:
        """Close the connection (waiting for an opening in progress)."""
        opening, self._opening = self._opening, None
        if opening is not None and not opening.done():
            with contextlib.suppress(Exception):  # nothing opened, nothing to close
                self._connection = await opening
        await super().close()

    def acquire_connection(self) -> ConnectionWrapper[aiosqlite.Connection]:
        """The connection under the client's lock, released on any failure to enter."""
        return _GuardedConnection(self._lock, self)

    def _in_transaction(self) -> _GuardedTransaction:
        return _GuardedTransaction(GuardedTransactionWrapper(self), self._lock)


class GuardedTransactionWrapper(SqliteTransactionWrapper):
    """The connection inside a transaction (nested transactions are savepoints)."""

    def acquire_connection(self) -> ConnectionWrapper[aiosqlite.Connection]:
        """The transaction's connection under its own lock, released on any failure."""
        return _GuardedConnection(self._lock, self)


client_class = GuardedSqliteClient
