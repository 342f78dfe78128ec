"""The process's posting index follows the database: incrementally, and like a fresh build."""

from __future__ import annotations

import pytest

from backend import clock
from backend.employment import search
from backend.employment.matching import MatchProfile, top_matches
from backend.employment.search import (
    CHECK_SECONDS,
    IndexCache,
    JobQuery,
    index_cache,
    job_index,
    load_index,
    search_index,
)
from backend.employment.sync import sync_postings
from backend.integrations.recruitment import RecruitmentConnector
from backend.runtime import runtime, use_runtime
from miniprogram_api.standins.recruitment import RecruitmentSim

PROFILES = [
    MatchProfile(occupations=("4-01-02-01",), districts=frozenset({"350103", "350102"})),
    MatchProfile(terms=("养老", "护理"), salary_floor=4500),
    MatchProfile(occupations=("6-25",), education_rank=2),
]
QUERIES = [
    JobQuery(keywords="销售"),
    JobQuery(district="350104", limit=50),
    JobQuery(keywords="厨师 台江"),
]


def answers(index: search.JobIndex) -> list[object]:
    now = clock.now().timestamp()
    found: list[object] = [[m.posting_id for m in top_matches(index, p, now=now)] for p in PROFILES]
    found += [search_index(index, q, now=now).posting_ids for q in QUERIES]
    return found


async def test_the_index_is_loaded_once_and_then_only_changed_rows_are_applied(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    await sync_postings(connector=connector)
    first = await job_index()
    assert first.live == 300
    assert await job_index() is first  # nothing changed: no reload
    sim.state.advance(new=5, edit=10, remove=5)
    await sync_postings(connector=connector)
    after = await job_index()
    assert after is first and after.live == 300  # updated in place
    assert answers(after) == answers(await load_index())


async def test_many_changes_at_once_rebuild_the_index(
    database_url: str,
    sim: RecruitmentSim,
    connector: RecruitmentConnector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "REBUILD_MIN_CHANGES", 50)
    await sync_postings(connector=connector)
    first = await job_index()
    sim.state.advance(edit=200)
    await sync_postings(connector=connector)
    rebuilt = await job_index()
    assert rebuilt is not first and rebuilt.dead_share == 0
    assert answers(rebuilt) == answers(await load_index())


async def test_an_emptied_database_empties_the_index(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    from tests.support.db import clean_tables

    await sync_postings(connector=connector)
    assert (await job_index()).live == 300
    await clean_tables()
    assert (await job_index()).live == 0


async def test_the_index_belongs_to_the_runtime(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    assert index_cache(runtime().settings).check_seconds == CHECK_SECONDS  # as in production
    await sync_postings(connector=connector)
    outer = await job_index()
    with use_runtime(derived={index_cache: IndexCache(check_seconds=0.0)}):
        inner = await job_index()
        assert inner is not outer and inner.live == 300  # built afresh from the database
    assert await job_index() is outer  # the runtime before, and its index, are back
