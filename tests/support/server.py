"""Run a real HTTP server on a free loopback port inside the test's event loop."""

from __future__ import annotations

import random
import socket
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from sanic import Sanic


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_block(size: int) -> int:
    """A first port of `size` consecutive free ports, below the kernel's ephemeral range.

    For a process that binds port, port + 1, … itself (the demo's stand-ins): ports the kernel
    hands out for port 0 — every other test's `free_port()` — never fall here, so a test running
    in parallel cannot take one between this check and the process's own bind.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for first in random.sample(range(20000, low - size, size), 200):
        try:
            with ExitStack() as stack:
                for port in range(first, first + size):
                    sock = stack.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError(f"no {size} consecutive free ports below {low}")


@asynccontextmanager
async def serve_app(app: Sanic, port: int | None = None) -> AsyncIterator[str]:
    """Serve `app` over real HTTP on loopback; yields its base URL."""
    port = port or free_port()
    server: Any = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
