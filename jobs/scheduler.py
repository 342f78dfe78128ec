"""The worker: one APScheduler AsyncIOScheduler per process, jobs from the registry.

A job store is never shared between schedulers (APScheduler's FAQ), so jobs live in memory
here; correctness with several workers comes from claiming rows in the database, not from
the scheduler.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from backend import clock
from backend.clock import SHANGHAI
from backend.config import Settings
from backend.db import close_db, open_db
from backend.lifecycle import EXIT_MARGIN, StopSignals, exit_now, stop_budget, within
from backend.notifications.events import check_event_template_keys
from backend.notifications.templates import check_template_settings
from jobs.runner import REGISTRY, quiet_routine_lines

log = logging.getLogger("jobready.worker")


class BusinessClockTrigger(BaseTrigger):
    """A cron trigger read on the business clock (JOBREADY_CLOCK, development only): "09:10"
    is 09:10 of the clock the jobs themselves read, not of the machine — with `shift:+9h` the
    morning reminders run when the shifted day is at 09:10, as they would in production."""

    def __init__(self, inner: BaseTrigger, offset: timedelta) -> None:
        self.inner, self.offset = inner, offset

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The inner trigger's next time on the business clock, as a machine time."""
        previous = previous_fire_time + self.offset if previous_fire_time else None
        fire: datetime | None = self.inner.get_next_fire_time(previous, now + self.offset)
        return fire - self.offset if fire is not None else None

    def __str__(self) -> str:
        return f"{self.inner} on the business clock ({self.offset} from the machine's)"


def _trigger(kind: str, args: dict[str, Any], offset: timedelta) -> Any:
    """The job's trigger: APScheduler's by name, a cron one moved onto the business clock."""
    if kind == "cron" and offset:
        return BusinessClockTrigger(CronTrigger(timezone=SHANGHAI, **args), offset)
    return kind  # interval triggers count from now on any clock


def business_offset() -> timedelta:
    """How far the business clock is from the machine's (zero unless JOBREADY_CLOCK is set)."""
    offset = timedelta(seconds=round((clock.now() - clock.wall()).total_seconds()))
    return offset if abs(offset) >= timedelta(seconds=1) else timedelta(0)


def build_scheduler() -> AsyncIOScheduler:
    """A scheduler with every registered job added (not started)."""
    import jobs.tasks  # noqa: F401 - registers the jobs

    quiet_routine_lines()
    scheduler = AsyncIOScheduler(
        timezone=SHANGHAI,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    offset = business_offset()
    for spec in REGISTRY:
        trigger = _trigger(spec.trigger, spec.trigger_args, offset)
        args = {} if isinstance(trigger, BaseTrigger) else spec.trigger_args
        scheduler.add_job(spec.func, trigger, id=spec.name, name=spec.name, **args)
    if offset:
        log.info("cron jobs run on the business clock (JOBREADY_CLOCK): %s", offset)
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
