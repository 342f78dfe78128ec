"""One decorator that gives each scheduled job its own logging, timing and error isolation."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from backend.monitoring.service import record_job_run

log = logging.getLogger("jobready.jobs")

JobFunc = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    """A job of the worker: a name, a trigger (APScheduler kwargs) and the coroutine to run."""

    name: str
    func: JobFunc
    trigger: str
    trigger_args: dict[str, Any]


REGISTRY: list[JobSpec] = []


async def _record(name: str, seconds: float, *, ok: bool) -> None:
    """Count the run for `/metrics`; a database hiccup here never fails the job."""
    try:
        await record_job_run(name=name, seconds=seconds, ok=ok)
    except Exception:
        log.warning("job run not recorded", extra={"job": name}, exc_info=True)


def scheduled(name: str, trigger: str, **trigger_args: Any) -> Callable[[JobFunc], JobFunc]:
    """Register a thin `run()` as a worker job: a failing run is logged, the worker goes on."""

    def decorator(func: JobFunc) -> JobFunc:
        @functools.wraps(func)
        async def isolated() -> Any:
            started = time.perf_counter()
            try:
                result = await func()
            except Exception:
                log.exception("job failed", extra={"job": name})
                await _record(name, time.perf_counter() - started, ok=False)
                return None
            elapsed = round(time.perf_counter() - started, 3)
            log.info("job done", extra={"job": name, "seconds": elapsed, "result": str(result)})
            await _record(name, elapsed, ok=True)
            return result

        REGISTRY.append(JobSpec(name, isolated, trigger, trigger_args))
        return isolated

    return decorator
