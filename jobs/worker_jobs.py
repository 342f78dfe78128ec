"""Worker jobs of the notification outbox and of follow-up after training (第二十五条).

Each is a thin run() around one service; `jobs.runner.scheduled` gives it logging, timing and
isolation. The scheduler's timezone is Asia/Shanghai, so cron hours below are local hours.
Several workers may run at once: every job claims its rows in the database.
"""

from __future__ import annotations

from typing import Any

from backend.followups import service as followups
from backend.notifications.dispatch import Dispatcher
from backend.subsidies.closing import close_and_freeze_completed
from jobs.runner import scheduled

# One dispatcher per process: its worker id prefixes every claim it makes, so a stopping worker
# can release exactly its own rows.
DISPATCHER = Dispatcher()
SHUTDOWN_GRACE = 30.0  # seconds a stopping worker waits for messages in flight


@scheduled("dispatch_outbox", "interval", seconds=10)
async def dispatch_outbox() -> dict[str, Any]:
    """Send what is due in the outbox (pushes wait out the quiet hours)."""
    report = await DISPATCHER.run_until_idle()
    return {"claimed": report.claimed, **report.results}


@scheduled("start_followups", "cron", minute="2-59/10")
async def start_followups() -> int:
    """Completed classes get their follow-up milestones and move to following_up."""
    return await followups.start_due_followups()


@scheduled("queue_followup_invitations", "cron", hour="9-20", minute=5)
async def queue_followup_invitations() -> int:
    """On the due day, queue each milestone's survey invitation (once)."""
    return await followups.queue_due_invitations()


@scheduled("assign_home_visits", "cron", hour=9, minute=30)
async def assign_home_visits() -> int:
    """Trainees not employed after the 6-month survey get a home-visit task."""
    return await followups.assign_home_visits()


@scheduled("close_followed_up_classes", "cron", hour=21, minute=15)
async def close_followed_up_classes() -> int:
    """Classes whose follow-up is complete are closed (结案, 第二十五条), after the invitations."""
    return await close_and_freeze_completed()  # the figures are frozen as each closes


async def shutdown(grace: float = SHUTDOWN_GRACE) -> int:
    """Graceful stop: claim nothing more, let batches in flight finish, release what is left."""
    DISPATCHER.stop()
    await DISPATCHER.drain(grace)
    return await DISPATCHER.release()
