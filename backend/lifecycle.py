"""Stopping a long-running process (API, worker, demo): the first SIGINT/SIGTERM asks for a
graceful stop, a second one exits at once; a stop that overruns SHUTDOWN_TIMEOUT is cut."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("jobready.lifecycle")


class StopSignals:
    """SIGINT/SIGTERM on the running loop: `requested` is set by the first; the second exits
    the process immediately (status 130, as a shell reports Ctrl-C)."""

    def __init__(self) -> None:
        self.requested = asyncio.Event()
        self.received = 0

    def install(self) -> None:
        """Handle SIGINT and SIGTERM on the running loop."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal, sig)

    def _on_signal(self, sig: int) -> None:
        self.received += 1
        if self.received > 1:
            exit_now("second signal", 130)
        log.info("stopping (%s); a second Ctrl-C exits at once", signal.Signals(sig).name)
        self.requested.set()


def exit_now(reason: str, status: int = 1) -> None:
    """Leave the process immediately, saying why on stderr."""
    print(f"jobready: {reason}; exiting now", file=sys.stderr, flush=True)
    logging.shutdown()
    os._exit(status)


EXIT_MARGIN = 0.5  # seconds kept for leaving after the last, bounded, stop step


def stop_budget(shutdown_timeout: float) -> float:
    """The seconds a graceful stop may take: SHUTDOWN_TIMEOUT less a margin to exit in."""
    return max(shutdown_timeout - 1.0, shutdown_timeout * 0.8)


async def within(coro: Coroutine[Any, Any, Any], seconds: float, what: str) -> bool:
    """Await `coro` for at most `seconds`; False (and a warning) if it had to be left."""
    try:
        await asyncio.wait_for(coro, max(seconds, 0.1))
    except TimeoutError:
        log.warning("%s did not finish within the shutdown time; left unfinished", what)
        return False
    return True
