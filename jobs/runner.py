"""One decorator that gives each scheduled job its own logging, timing and error isolation.

Each run writes one INFO line, ``job <name> done in <s>s: <figures>`` (or one ERROR line with
the traceback when it fails). APScheduler's routine lines — a job added, running, executed, a
run skipped because the previous one is still going — are demoted to DEBUG (`quiet_routine_lines`):
a worker at INFO writes what its jobs did, not that the clock ticked.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from backend.monitoring.service import record_job_run

log = logging.getLogger("jobready.worker.jobs")

# APScheduler 3's loggers and the beginnings of its routine messages (their format strings).
APSCHEDULER_LOGGERS = ("apscheduler.scheduler", "apscheduler.executors.default")
ROUTINE = (
    "Added job ",
    "Adding job tentatively",
    "Running job ",
    'Job "%s" executed successfully',
    'Execution of job "%s" skipped',
    "Removed job ",
)


class RoutineToDebug(logging.Filter):
    """Turns APScheduler's routine lines into DEBUG records (dropped unless DEBUG is on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep other lines; demote a routine one, keeping it only where DEBUG is enabled."""
        if record.levelno <= logging.DEBUG or not str(record.msg).startswith(ROUTINE):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


_ROUTINE_FILTER = RoutineToDebug()


def quiet_routine_lines() -> None:
    """Demote APScheduler's routine lines to DEBUG (idempotent)."""
    for name in APSCHEDULER_LOGGERS:
        logger = logging.getLogger(name)
        if _ROUTINE_FILTER not in logger.filters:
            logger.addFilter(_ROUTINE_FILTER)


def figures_of(result: Any) -> str:
    """A run's result as `key=value …` (a dict), the value itself otherwise."""
    if isinstance(result, dict):
        return " ".join(f"{key}={value}" for key, value in result.items()) or "nothing"
    return str(result)


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
            figures = figures_of(result)
            log.info(
                "job %s done in %.3fs: %s",
                name,
                elapsed,
                figures,
                extra={"job": name, "seconds": elapsed, "result": figures},
            )
            await _record(name, elapsed, ok=True)
            return result

        REGISTRY.append(JobSpec(name, isolated, trigger, trigger_args))
        return isolated

    return decorator
