"""The worker's jobs: each a thin run() that calls one service."""

from __future__ import annotations

import jobs.job_market_jobs
import jobs.worker_jobs
import jobs.workqueue_jobs  # noqa: F401 - registers the event, reminder and warning jobs
from backend.classes.service import advance_due_classes
from jobs.runner import scheduled


@scheduled("advance_classes", "cron", minute="*/10")
async def advance_classes() -> int:
    """Approved classes start on their day; running classes complete after their last session."""
    return await advance_due_classes()
