"""The one runtime and its one test hook: `use_runtime` swaps it for a block and puts it back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import backend.runtime as rt
from backend.attendance.policy import AttendancePolicy, policy, policy_from_settings
from backend.config import Settings
from backend.runtime import configure, runtime, use_runtime


@pytest.fixture
def no_runtime() -> Iterator[None]:
    """A process that configured nothing (the run's runtime is back afterwards)."""
    before, rt._current = rt._current, None
    yield
    rt._current = before


def test_reading_settings_without_a_runtime_raises_instead_of_using_defaults(
    no_runtime: None,
) -> None:
    with pytest.raises(RuntimeError, match="configure"):
        runtime()
    with pytest.raises(RuntimeError, match="configure"):
        policy()


def test_what_a_block_installs_is_gone_after_it(no_runtime: None) -> None:
    base = configure(Settings(dev=True))
    with use_runtime():
        configure(Settings(dev=True, request_max_size=2048))  # as create_app does
        assert runtime() is not base
    assert runtime() is base


def test_swapped_settings_rebuild_what_is_derived_from_them_and_come_back(
    no_runtime: None,
) -> None:
    configure(Settings(dev=True))
    assert policy().qr_step_seconds == 15
    with use_runtime(runtime().settings.replace(attendance_qr_step_seconds=30)):
        assert policy().qr_step_seconds == 30
    assert policy().qr_step_seconds == 15


def test_a_given_policy_holds_inside_a_nested_settings_swap(no_runtime: None) -> None:
    configure(Settings(dev=True))
    fast = AttendancePolicy(qr_step_seconds=2)
    with use_runtime(derived={policy_from_settings: fast}):
        with use_runtime(runtime().settings.replace(notify_daily_cap=9)):
            assert policy() is fast
            assert runtime().settings.notify_daily_cap == 9
        assert policy() is fast
    assert policy().qr_step_seconds == 15


def test_a_given_collaborator_is_used_as_given(no_runtime: None) -> None:
    configure(Settings(dev=True))
    given = object()
    with use_runtime(recruitment=given):
        assert runtime().recruitment is given
    with pytest.raises(TypeError, match="unknown collaborators"), use_runtime(mailer=given):
        pass
