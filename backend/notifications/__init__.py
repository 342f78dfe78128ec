"""Notifications: the outbox, consent ledger, in-app inbox, human tasks, and event fan-out."""

from backend.notifications import events as _events  # noqa: F401 - registers the event fan-out
