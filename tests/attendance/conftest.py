"""Fixtures of the attendance tests: a controlled clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from backend import clock


@pytest.fixture
def at() -> Iterator[Any]:
    """Set the clock to a Shanghai-local moment: at("2026-11-23 09:00")."""

    def move(moment: str) -> datetime:
        local = datetime.fromisoformat(moment).replace(tzinfo=clock.SHANGHAI)
        clock.set_clock(lambda: local.astimezone(UTC))
        return local.astimezone(UTC)

    yield move
    clock.set_clock(None)
