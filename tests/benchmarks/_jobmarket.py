"""Shared pieces of the job-market benchmarks: a database of their own, the simulator in a
process of its own, memory and event-loop stall measurements."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from tortoise import Tortoise

import backend.db
from backend.config import Settings
from backend.db import close_db, open_db
from backend.runtime import configure
from tests.support.db import ADMIN_URL, _admin_execute, _with_database

ROOT = Path(__file__).resolve().parents[2]


def wire_job_models() -> None:
    """Make sure the job models are part of the schema (a no-op once backend/db.py lists them)."""
    if "backend.employment.models" not in backend.db.MODEL_MODULES:
        backend.db.MODEL_MODULES.append("backend.employment.models")


@contextlib.asynccontextmanager
async def bench_database(name: str, *, sqlite: bool) -> AsyncIterator[str]:
    """A fresh database with the schema, open and configured; dropped afterwards."""
    wire_job_models()
    if sqlite:
        folder = tempfile.mkdtemp(prefix=f"jobready-{name}-")
        url = f"sqlite://{folder}/bench.sqlite3"
    else:
        db = f"jobready_bench_{name}_{os.getpid()}"
        await _admin_execute(
            f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'CREATE DATABASE "{db}"'
        )
        url = _with_database(ADMIN_URL, db)
    configure(Settings(dev=True, database_url=url, log_format="text"))
    await open_db(url)
    await Tortoise.generate_schemas()
    try:
        yield url
    finally:
        await close_db()
        if not sqlite:
            await _admin_execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def simulator_process(postings: int, seed: int = 7) -> AsyncIterator[str]:
    """The recruitment simulator in a process of its own (so it does not share our CPU)."""
    port = free_port()
    command = [
        sys.executable, "-m", "miniprogram_api.standins.recruitment", "--port", str(port),
        "--postings", str(postings), "--seed", str(seed), "--churn-seconds", "0",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_up(url)
        yield url
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=10)


async def _wait_until_up(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{url}/_sim/state") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.05)
    raise RuntimeError("the simulator did not start")


def rss_mb() -> float:
    """Resident memory of this process, in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


class StallMonitor:
    """Measures the longest time the event loop failed to wake a 10 ms sleeper on time."""

    def __init__(self, tick: float = 0.01) -> None:
        self.tick = tick
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(self.tick)
            self.longest = max(self.longest, time.perf_counter() - started - self.tick)

    def start(self) -> StallMonitor:
        """Begin watching (from now on)."""
        self.longest = 0.0
        self._task = asyncio.create_task(self._watch())
        return self

    async def stop(self) -> float:
        """Stop watching; the longest stall in milliseconds."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        return round(self.longest * 1000, 1)


def wire_job_routes() -> None:
    """Make sure the API serves the jobs blueprint (a no-op once routes/__init__ includes it)."""
    import miniprogram_api.routes
    from miniprogram_api.routes.jobs import bp

    if all(group_bp.name != "jobs" for group_bp in miniprogram_api.routes.api_v1.blueprints):
        miniprogram_api.routes.api_v1.append(bp)
