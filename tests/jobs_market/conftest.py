"""Fixtures of the job-market tests: the recruitment simulator and a connector to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from backend import clock
from backend.employment.search import IndexCache, index_cache
from backend.integrations.recruitment import (
    RecruitmentConfig,
    RecruitmentConnector,
)
from backend.runtime import use_runtime
from miniprogram_api.standins.recruitment import RecruitmentSim, start_recruitment_sim

SIM_POSTINGS = 300


@pytest.fixture(scope="session")
async def running_sim() -> AsyncIterator[RecruitmentSim]:
    """The simulator, a real HTTP server on a free loopback port, for the whole run."""
    sim = await start_recruitment_sim("127.0.0.1", 0, postings=SIM_POSTINGS, clock=clock.now)
    yield sim
    await sim.stop()


@pytest.fixture
def sim(running_sim: RecruitmentSim) -> RecruitmentSim:
    """The simulator back at its initial market, without faults or applications."""
    running_sim.state.reset(postings=SIM_POSTINGS, seed=7)
    return running_sim


class Sleeps:
    """Records the waits a connector asked for and sleeps only a token amount."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        import asyncio

        self.waits.append(seconds)
        await asyncio.sleep(min(seconds, 0.01))


def make_connector(
    url: str, sleeps: Sleeps | None = None, *, sleep: Any = None, **config: Any
) -> RecruitmentConnector:
    """A connector to `url` with small pages and quick back-off (overridable)."""
    settings: dict[str, Any] = {"page_size": 50, "timeout": 2.0, "backoff_base": 0.01}
    settings.update(config)
    return RecruitmentConnector(
        RecruitmentConfig(base_url=url, **settings), sleep=sleep or sleeps or Sleeps()
    )


@pytest.fixture
async def connector(sim: RecruitmentSim) -> AsyncIterator[RecruitmentConnector]:
    """A connector to the simulator, also installed as the process's connector."""
    made = make_connector(sim.url)
    with use_runtime(recruitment=made):
        yield made
    await made.close()


@pytest.fixture(autouse=True)
def own_runtime(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test on the database runs on a runtime of its own: its posting index is built from that
    test's database and checks it on every use, so a search sees every change at once."""
    if "database_url" not in request.fixturenames:
        yield
    else:
        request.getfixturevalue("settings")  # the runtime this test's one is swapped from
        with use_runtime(derived={index_cache: IndexCache(check_seconds=0.0)}):
            yield
    clock.set_clock(None)
