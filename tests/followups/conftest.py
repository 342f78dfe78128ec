"""Fixtures of the follow-up and notification tests: a controlled clock, a connector."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from backend import clock
from backend.config import Settings
from backend.integrations.wechat import WeChatConfig, WeChatConnector
from miniprogram_api.standins.wechat import FakeWeChat


@pytest.fixture
def at() -> Iterator[Any]:
    """Set the clock to a Shanghai-local moment: at("2026-12-06 10:00")."""

    def move(moment: str) -> datetime:
        local = datetime.fromisoformat(moment).replace(tzinfo=clock.SHANGHAI)
        clock.set_clock(lambda: local.astimezone(UTC))
        return local

    yield move
    clock.set_clock(None)


@pytest.fixture
async def connector(settings: Settings, fake_wechat: FakeWeChat) -> AsyncIterator[WeChatConnector]:
    """A connector of its own (fresh token cache) talking to the stand-in over HTTP."""
    made = WeChatConnector(
        WeChatConfig(
            api_base=fake_wechat.url,
            appid=fake_wechat.state.appid,
            secret=fake_wechat.state.secret,
            timeout=2.0,
        )
    )
    yield made
    await made.close()
