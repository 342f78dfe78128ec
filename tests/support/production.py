"""A complete production configuration (fresh secrets, real-looking template ids) for tests
that start the service outside dev mode."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from miniprogram_api.ops_cli import fresh_secrets
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
APPID, SECRET = "wx1234567890abcdef", "appsecret-from-gongzhong-pingtai"


@functools.lru_cache(maxsize=1)
def template_keys() -> tuple[str, ...]:
    """Every logical template the service registers, as `jobready admin template-keys` lists
    them (asked of a fresh process: test modules may register templates of their own here)."""
    listed = subprocess.run(
        [sys.executable, "-m", "miniprogram_api.cli", "admin", "template-keys"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "JOBREADY_DEV": "1"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return tuple(line.split("\t", 1)[0] for line in listed.stdout.splitlines() if line)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment variables of a deployment that passes every production check."""
    ids = ",".join(f"{key}=REAL{n:03d}" for n, key in enumerate(sorted(template_keys())))
    return {
        **fresh_secrets(),
        "WECHAT_APPID": APPID,
        "WECHAT_SECRET": SECRET,
        "PUBLIC_BASE_URL": "https://jobready.example.gov.cn",
        "WECHAT_TEMPLATE_IDS": ids,
        "DATABASE_URL": f"sqlite://{tmp_path / 'production.sqlite3'}",
        **extra,
    }


def jobready(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a folder without a .env file, with only `env` configuring it."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("JOBREADY_", "WECHAT_"))}
    return subprocess.run(
        [sys.executable, "-m", "miniprogram_api.cli", *args],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextmanager
def production_server(tmp_path: Path, **extra: str) -> Iterator[str]:
    """`jobready migrate` then `jobready serve` outside dev mode on a free port; its base URL."""
    env = production_env(tmp_path, **extra)
    migrated = jobready("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "miniprogram_api.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "JOBREADY_DEV": "", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,  # read only after it stopped: keep what it logs small
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while urlopen_status(f"{base}/api/v1/health", timeout=15) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"serve did not come up: {process.communicate()[1][-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def urlopen_status(url: str, *, token: str = "", timeout: float = 5) -> int:
    """The HTTP status of a GET (0 when nothing answers)."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, urllib.error.URLError):
        return 0
