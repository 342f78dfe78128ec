"""Fixtures of the work-queue and event tests: the controlled clock and a WeChat connector."""

from tests.followups.conftest import at, connector  # noqa: F401 - shared fixtures
