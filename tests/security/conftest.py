"""Fixtures of the security regressions: the business clock set to a Shanghai moment."""

from __future__ import annotations

from tests.attendance.conftest import at  # noqa: F401 - shared fixture
from tests.followups.conftest import connector  # noqa: F401 - the dispatcher's connector
