"""The worker: one APScheduler AsyncIOScheduler per process, jobs from the registry.

A job store is never shared between schedulers (APScheduler's FAQ), so jobs live in memory
here; correctness with several workers comes from claiming rows in the database, not from
the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
import time

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from backend.clock import SHANGHAI
from backend.config import Settings
from backend.db import close_db, open_db
from backend.lifecycle import EXIT_MARGIN, StopSignals, exit_now, stop_budget, within
from backend.notifications.events import check_event_template_keys
from backend.notifications.templates import check_template_settings
from jobs.runner import REGISTRY, quiet_routine_lines

log = logging.getLogger("jobready.worker")


def build_scheduler() -> AsyncIOScheduler:
    """A scheduler with every registered job added (not started)."""
    import jobs.tasks  # noqa: F401 - registers the jobs

    quiet_routine_lines()
    scheduler = AsyncIOScheduler(
        timezone=SHANGHAI,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for spec in REGISTRY:
        scheduler.add_job(
            spec.func, spec.trigger, id=spec.name, name=spec.name, **spec.trigger_args
        )
    return scheduler


async def run_worker(settings: Settings) -> None:
    """Run the scheduler until SIGINT/SIGTERM, then let running jobs finish."""
    scheduler = build_scheduler()
    check_template_settings(settings)  # the jobs' modules have registered every template
    check_event_template_keys(settings)
    signals = StopSignals()  # a second Ctrl-C exits at once
    signals.install()
    await open_db(settings.database_url)
    scheduler.start()
    log.info("worker started", extra={"jobs": len(scheduler.get_jobs())})
    try:
        await signals.requested.wait()
    finally:
        budget = stop_budget(settings.shutdown_timeout)
        try:
            complete = await asyncio.wait_for(_stop(scheduler, budget), budget)
        except TimeoutError:
            exit_now(f"worker stop took longer than {settings.shutdown_timeout:g} s")
        log.info("worker stopped")
        if not complete:  # a thread still waits on a call (WeChat): do not wait for it at exit
            exit_now("worker stopped; abandoning calls still in flight", 0)


async def _stop(scheduler: AsyncIOScheduler, budget: float) -> bool:
    from backend.runtime import runtime
    from jobs.worker_jobs import shutdown as finish_claimed_work

    # APScheduler's shutdown cancels running jobs: stop claiming, let the batch in flight
    # finish (or release what it claimed) within most of the time, then stop.
    deadline = time.monotonic() + budget
    scheduler.pause()
    await finish_claimed_work(budget * 0.6)
    scheduler.shutdown(wait=False)
    await close_db()
    left = deadline - time.monotonic() - EXIT_MARGIN
    return await within(runtime().close(), left, "closing clients")
