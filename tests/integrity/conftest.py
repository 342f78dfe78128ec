"""A controlled clock for the integrity tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from backend import clock


@pytest.fixture
def at() -> Iterator[Any]:
    """Set the clock to a Shanghai-local moment: at("2027-06-01 10:00")."""

    def move(moment: str) -> None:
        local = datetime.fromisoformat(moment).replace(tzinfo=clock.SHANGHAI)
        clock.set_clock(lambda: local.astimezone(UTC))

    yield move
    clock.set_clock(None)
