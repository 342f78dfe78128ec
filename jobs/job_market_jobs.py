"""Worker jobs of the job market: hourly sync and daily push.

Applications are delivered by the outbox dispatcher (jobs.worker_jobs.dispatch_outbox), through
the RECRUITMENT channel that importing `backend.employment.delivery` registers.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import backend.employment.delivery  # noqa: F401 - registers the RECRUITMENT outbox channel
from backend import clock
from backend.employment.push import push_daily_jobs
from backend.employment.sync import SyncBusy, sync_postings
from backend.runtime import runtime
from jobs.runner import scheduled

FULL_SYNC_HOUR = 3  # one full listing a night finds postings the site dropped silently


@scheduled("sync_job_postings", "cron", minute=5)
async def sync_job_postings() -> dict[str, Any]:
    """Every hour at :05 an incremental sync; at 03:05 (Asia/Shanghai) a full one."""
    full = clock.local(clock.now()).hour == FULL_SYNC_HOUR
    try:
        report = await sync_postings(connector=runtime().recruitment, full=full)
    except SyncBusy:
        return {"skipped": "another sync holds the lease"}
    return asdict(report.summary())


@scheduled("push_daily_jobs", "cron", hour=10, minute=0)
async def push_jobs() -> dict[str, Any]:
    """Each morning at 10:00 (Asia/Shanghai): a few new matches per trainee."""
    return vars(await push_daily_jobs())
