"""JOBREADY_CLOCK: a development-only business clock read by the API and the worker alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from backend import clock
from backend.clock import parse_business_clock
from backend.config import SettingsError, load_settings


@pytest.fixture(autouse=True)
def real_clock_after() -> Iterator[None]:
    yield
    clock.set_clock(None)


def test_a_fixed_clock_is_that_shanghai_moment() -> None:
    fn = parse_business_clock("fixed:2026-12-08T08:40")
    assert fn is not None
    assert fn() == datetime(2026, 12, 8, 0, 40, tzinfo=UTC)
    assert fn() == fn()  # frozen


def test_a_shifted_clock_runs_with_the_real_time_moved() -> None:
    fn = parse_business_clock("shift:-1d2h30m")
    assert fn is not None
    expected = datetime.now(UTC) - timedelta(days=1, hours=2, minutes=30)
    assert abs((fn() - expected).total_seconds()) < 1


@pytest.mark.parametrize("spec", ["tomorrow", "fixed:8:40", "shift:+2x", "shift:2h", "fixed:"])
def test_a_malformed_clock_is_refused_with_its_setting_named(spec: str) -> None:
    with pytest.raises(SettingsError, match="JOBREADY_CLOCK"):
        load_settings(dev=True, business_clock=spec)


def test_the_business_clock_is_refused_outside_dev_mode() -> None:
    with pytest.raises(SettingsError, match="JOBREADY_CLOCK is for development only"):
        load_settings(dev=False, business_clock="shift:+1h")


def test_a_process_configured_with_it_runs_on_it() -> None:
    settings = load_settings(dev=True, business_clock="fixed:2026-12-08T08:40+08:00")
    clock.configure_business_clock(settings.business_clock)  # what runtime.configure does
    assert clock.now() == datetime(2026, 12, 8, 0, 40, tzinfo=UTC)
    assert clock.local(clock.now()).strftime("%H:%M") == "08:40"


@pytest.mark.parametrize("value", [0.5, 301.0])
def test_shutdown_timeout_out_of_range_is_refused(value: float) -> None:
    with pytest.raises(SettingsError, match="SHUTDOWN_TIMEOUT"):
        load_settings(dev=True, shutdown_timeout=value)
