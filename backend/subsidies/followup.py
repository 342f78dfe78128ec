"""Whether a class's follow-up after training is complete (第二十五条), for the last tranche.

The rule lives with follow-ups, in `backend.followups.completion`; this module names it for
the subsidy code that reads it.
"""

from __future__ import annotations

from backend.followups.completion import followup_completion, six_month_day, six_month_due

__all__ = ["followup_completion", "six_month_day", "six_month_due"]
