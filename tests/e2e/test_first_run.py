"""docs/first-run.md, executed: from an empty database to a class with a bound trainee.

The guide's `sh` blocks run in order in bash, exactly as written: the real `jobready migrate`,
`jobready admin invite` and `jobready serve` (a separate process, outside dev mode, with the
secrets step 1 generates), and every API call with curl over HTTP. Nothing is set up by hand:
no SQL, no factories. The WeChat stand-in answers the logins (WECHAT_API_BASE). On PostgreSQL
with JOBREADY_TEST_DB=postgres (a database of its own), on SQLite otherwise.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import aiohttp
import pytest

from backend import clock
from miniprogram_api.standins.wechat import FakeWeChat
from tests.support.db import create_test_database, drop_test_database
from tests.support.server import free_port

# Runs the guide in bash: migrations, a server and a worker as subprocesses.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "first-run.md"
BLOCK = re.compile(r"^```sh( serve)?\n(.*?)^```$", re.S | re.M)
LAST_SUBMISSION_DAY = date(2027, 2, 16)
TRIAL_APPID, TRIAL_SECRET = (
    "wx-trial-appid",
    "trial-app-secret-not-for-production",
)  # 10 working days before the guide's 2027-03-01 start


def guide_blocks() -> list[tuple[bool, str]]:
    """The guide's shell blocks: (is the long-running server command, text)."""
    return [(bool(serve), text) for serve, text in BLOCK.findall(GUIDE.read_text("utf-8"))]


@pytest.fixture
async def empty_database() -> AsyncIterator[str]:
    """A database of its own with no tables at all."""
    url = await create_test_database("_firstrun")
    yield url
    await drop_test_database("_firstrun")


def _environment(database_url: str, wechat_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOBREADY_", "PII_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        DATABASE_URL=database_url,
        WECHAT_API_BASE=wechat_url,
        PORT=str(port),
        PYTHONPATH=str(ROOT),  # `jobready fake-wechat` and friends import miniprogram_api.standins
    )
    return env


async def _wait_healthy(url: str, server: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(150):
            assert server.returncode is None, "jobready serve exited"
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("jobready serve did not answer /api/v1/health")


def _bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


async def test_the_first_run_guide_works_as_written(
    empty_database: str, fake_wechat: FakeWeChat, tmp_path: Path
) -> None:
    if clock.today() > LAST_SUBMISSION_DAY:
        pytest.fail("docs/first-run.md plans a class for March 2027: move its dates to next year")
    blocks = guide_blocks()
    serve_at = [n for n, (serve, _) in enumerate(blocks) if serve]
    assert len(serve_at) == 1 and len(blocks) >= 8, "the guide's structure changed"
    port = free_port()
    env = _environment(empty_database, fake_wechat.url, port)
    # the guide's trial AppID and AppSecret (step 1), as `jobready fake-wechat --appid …` takes
    accepted = (fake_wechat.state.appid, fake_wechat.state.secret)
    fake_wechat.state.appid, fake_wechat.state.secret = TRIAL_APPID, TRIAL_SECRET
    state = tmp_path / "state.sh"
    before = "\n".join(text for _, text in blocks[: serve_at[0]])
    setup = await asyncio.to_thread(
        _bash, f"set -euo pipefail\n{before}\nexport -p > {state}", env, tmp_path
    )
    assert setup.returncode == 0, setup.stderr
    serve_line = blocks[serve_at[0]][1].strip()
    server = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        f"source {state}\nexec {serve_line}",
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await _wait_healthy(f"http://127.0.0.1:{port}/api/v1/health", server)
        after = "\n".join(text for _, text in blocks[serve_at[0] + 1 :])
        walk = await asyncio.to_thread(
            _bash, f"source {state}\nset -euo pipefail\n{after}", env, tmp_path
        )
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 30)
        fake_wechat.state.appid, fake_wechat.state.secret = accepted
    assert walk.returncode == 0, f"stdout:\n{walk.stdout}\nstderr:\n{walk.stderr}"
    # the last three answers: the plan submitted, approved, and the trainee bound to its class
    assert re.search(r"submitted\napproved\n\[\d+\]\n$", walk.stdout), walk.stdout[-300:]
    assert fake_wechat.state.requests("sns/jscode2session")  # logins went through WeChat
