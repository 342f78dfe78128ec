"""Fixtures of the end-to-end tests."""

from tests.e2e.test_plan_to_closed import at  # noqa: F401 - the controlled-clock fixture
