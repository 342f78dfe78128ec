"""The work queue (待办) per person, the reminders and warnings that feed it."""
