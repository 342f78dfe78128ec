"""Run the real `jobready` command in a subprocess (serve, demo, worker) and watch it.

For tests and benchmarks of what only a real process shows: when its port opens, how it
answers while starting, how it stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
HEALTH = "/api/v1/health"


class JobreadyProcess:
    """One `jobready …` subprocess with its output in a temp file."""

    def __init__(self, *args: str, env: dict[str, str], cwd: Path | None = None) -> None:
        self.args = args
        self.log: IO[str] = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            "w+", prefix="jobready-proc-", suffix=".log", encoding="utf-8"
        )
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "miniprogram_api.cli", *args],
            cwd=cwd or ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        """Everything the process wrote so far."""
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")

    def signal(self, sig: int) -> None:
        """Send one signal (SIGINT is Ctrl-C)."""
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int | None:
        """Its exit code, or None if it is still running after `timeout` seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """Make sure it is gone (SIGKILL if needed) and drop its log."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


async def get_status(url: str, *, limit: float = 1.0) -> int | str:
    """One GET given up after `limit` s: the status, or the error's name (refused, timed out…)."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=limit)) as http,
            http.get(url) as response,
        ):
            await response.read()
            return response.status
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        return type(exc).__name__


async def first_healthy(
    base: str, process: JobreadyProcess, *, limit: float, every: float = 0.1
) -> float:
    """Seconds from the process's start to its first 200 on /api/v1/health."""
    while time.monotonic() - process.started < limit:
        if process.proc.poll() is not None:
            raise AssertionError(f"jobready exited early:\n{process.output()[-3000:]}")
        if await get_status(base + HEALTH, limit=1.0) == 200:
            return time.monotonic() - process.started
        await asyncio.sleep(every)
    raise AssertionError(f"not healthy after {limit} s:\n{process.output()[-3000:]}")


def interrupt_and_time(
    process: JobreadyProcess, *, sig: int = signal.SIGINT, limit: float
) -> float:
    """Send `sig`, return the seconds until the process exited (fails after `limit`)."""
    sent = time.monotonic()
    process.signal(sig)
    if process.wait(limit) is None:
        raise AssertionError(f"still running {limit} s after {sig!r}:\n{process.output()[-3000:]}")
    return time.monotonic() - sent
