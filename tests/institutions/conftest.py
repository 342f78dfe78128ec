"""Fixtures shared by the onboarding tests."""

from tests.api.test_class_plans import at  # noqa: F401 - the clock-moving fixture
