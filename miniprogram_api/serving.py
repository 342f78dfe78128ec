"""Run the API in this process: the port opens only once the API can answer, and a signal
stops it within a bound.

`Sanic.run` binds and listens on its socket before the `before_server_start` listeners run,
so connections made during start-up are accepted by the kernel and wait; clients with short
timeouts give up on them, which once left the SQLite connection locked for good.
Here the socket is bound without listening (`start_serving=False`), every `before_server_start`
listener runs (the ORM opens and connects, the stand-ins start), and only then does the socket
listen: before that, a client is refused at once. `after_server_start` listeners (the scheduler,
the job index's warm-up, the OpenAPI snapshot) run once it listens, as with `Sanic.run`.

Stopping: the first SIGINT/SIGTERM stops listening, lets requests in flight finish, runs the
stop listeners (the in-process worker releases what it claimed) and closes the database, all
within `SHUTDOWN_TIMEOUT` seconds; past it, or on a second signal, the process exits at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from time import monotonic as current_time
from typing import Any

from sanic import Sanic
from sanic.exceptions import RequestTimeout
from sanic.http import Stage
from sanic.server.protocols.http_protocol import HttpProtocol

from backend.lifecycle import EXIT_MARGIN, StopSignals, exit_now, stop_budget, within

log = logging.getLogger("jobready.server")

DRAIN_SHARE = 0.4  # share of the shutdown time requests in flight may take to finish


class JobReadyHttpProtocol(HttpProtocol):
    """Sanic's HTTP/1.1 protocol, with REQUEST_TIMEOUT also covering the body.

    Sanic moves a connection to its handler stage once the headers are in and reads the body
    there, so a body that stops arriving was only cut by RESPONSE_TIMEOUT (a 503). Here a body
    idle for REQUEST_TIMEOUT seconds ends the request with 408 REQUEST_TIMEOUT.
    """

    def check_timeouts(self) -> None:
        """Cut a request whose body has been idle too long; otherwise Sanic's checks."""
        http = self._http
        if (
            self._task
            and http is not None
            and http.stage is Stage.HANDLER
            and http.request_body  # body not fully received
            and current_time() - self._time > self.request_timeout
        ):
            http.exception = RequestTimeout("Request Timeout")
            self._task.cancel("request body timed out")
            return
        super().check_timeouts()


def run_api(
    app: Sanic,
    *,
    host: str,
    port: int,
    shutdown_timeout: float,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve `app` until SIGINT/SIGTERM (see the module docstring)."""
    asyncio.run(_serve(app, host, port, shutdown_timeout, on_ready))


async def _serve(
    app: Sanic,
    host: str,
    port: int,
    shutdown_timeout: float,
    on_ready: Callable[[], None] | None,
) -> None:
    signals = StopSignals()
    signals.install()
    server: Any = await app.create_server(
        host=host,
        port=port,
        return_asyncio_server=True,
        access_log=False,
        protocol=JobReadyHttpProtocol,
        asyncio_server_kwargs={"start_serving": False},  # bound, not listening yet
    )
    await server.startup()
    starting = asyncio.ensure_future(_start(server))
    stopping = asyncio.ensure_future(signals.requested.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():  # a signal during start-up: stop what has started
        starting.cancel()
        await asyncio.gather(starting, return_exceptions=True)
    else:
        starting.result()  # a start-up failure ends the process with its traceback
        log.info("listening on http://%s:%s", host, port)
        if on_ready is not None:
            on_ready()
        await stopping
    began = time.monotonic()
    budget = stop_budget(shutdown_timeout)
    try:
        complete = await asyncio.wait_for(_stop(server, budget), budget)
    except TimeoutError:
        exit_now(f"shutdown took longer than {shutdown_timeout:g} s (SHUTDOWN_TIMEOUT)")
    log.info("stopped in %.1f s", time.monotonic() - began)
    if not complete:  # a thread still waits on a call (WeChat): do not wait for it at exit
        exit_now("stopped; abandoning calls still in flight", 0)


async def _start(server: Any) -> None:
    await server.before_start()  # the database is connected, the stand-ins are up
    await server.start_serving()
    await server.after_start()  # as with Sanic's own runner: the scheduler, the warm-ups


async def _stop(server: Any, budget: float) -> bool:
    """Stop listening, let requests finish (a share of the time), run the stop listeners;
    False if the last of them (closing clients) had to be left unfinished."""
    deadline = time.monotonic() + budget
    if server.server is not None:
        server.server.close()  # no new connections
    for connection in list(server.connections):
        connection.close_if_idle()
    drained = time.monotonic() + budget * DRAIN_SHARE
    while server.connections and time.monotonic() < drained:  # noqa: ASYNC110 - Sanic's set
        await asyncio.sleep(0.05)
    for connection in list(server.connections):
        connection.abort()  # its handler is cancelled: a disconnect, logged as such
    await server.before_stop()  # the in-process worker gives back what it claimed
    left = deadline - time.monotonic() - EXIT_MARGIN
    return await within(server.after_stop(), left, "closing")
