"""Worker jobs of workflow events: fan-out, reminders, warnings and 第十九条 detection.

Each is a thin run() around one service. Every service records domain events whose keys name
their facts, so a run repeated (or run by two workers at once) sends nothing twice.
"""

from __future__ import annotations

from backend.notifications.events import fan_out_pending
from backend.substitution.service import open_substitution_cases
from backend.workqueue import reminders
from jobs.runner import scheduled


@scheduled("fan_out_events", "interval", seconds=30)
async def fan_out_events() -> int:
    """Events recorded where no fan-out ran get their messages (normally none)."""
    return await fan_out_pending()


@scheduled("remind_tomorrows_sessions", "cron", minute="*/15")
async def remind_tomorrows_sessions() -> int:
    """From SESSION_REMINDER_TIME on: tomorrow's sessions to their trainees and instructors."""
    return await reminders.remind_tomorrows_sessions()


@scheduled("warn_absences", "cron", minute="4-59/10")
async def warn_absences() -> int:
    """Trainees whose attendance can no longer reach the completion threshold, and teachers."""
    return await reminders.warn_absences()


@scheduled("remind_plan_deadlines", "cron", hour=9, minute=0)
async def remind_plan_deadlines() -> int:
    """第十八条: institutions before their submission deadline, HR on its review deadline."""
    return await reminders.remind_submission_deadlines() + await reminders.remind_review_deadlines()


@scheduled("remind_payments", "cron", hour=9, minute=10)
async def remind_payments() -> int:
    """第二十四条: tranches whose condition holds and that are unpaid."""
    return await reminders.remind_payments()


@scheduled("remind_overdue_followups", "cron", hour=9, minute=40)
async def remind_overdue_followups() -> int:
    """第二十五条: follow-up stages passed without a service, home visits past due."""
    return await reminders.remind_overdue_followups()


@scheduled("open_substitution_cases", "cron", minute="7-59/15")
async def detect_private_substitution() -> int:
    """第十九条: sessions with trainees but no booked instructor's sign-in open an HR case."""
    return await open_substitution_cases()
