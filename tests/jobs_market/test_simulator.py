"""The recruitment-site simulator: reproducible Fuzhou data, paging, changes, faults, control."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import aiohttp

from backend.districts import DISTRICTS
from backend.occupations import Education, is_valid_code
from miniprogram_api.standins.recruitment import RecruitmentSim, RecruitmentSimState
from miniprogram_api.standins.recruitment_data import make_posting

EPOCH = datetime(2026, 11, 20, tzinfo=UTC)
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_same_seed_gives_the_same_market_and_another_seed_another() -> None:
    first = [make_posting(7, i, 0, EPOCH) for i in range(50)]
    assert first == [make_posting(7, i, 0, EPOCH) for i in range(50)]
    assert first != [make_posting(8, i, 0, EPOCH) for i in range(50)]


def test_postings_look_like_fuzhou_jobs() -> None:
    for i in range(500):
        raw = make_posting(7, i, 0, EPOCH)
        assert raw["district"]["code"] in DISTRICTS
        assert raw["district"]["name"] in raw["address"] and raw["address"].startswith("福州市")
        assert is_valid_code(raw["occupation"]["code"]) and len(raw["occupation"]["code"]) == 10
        assert CJK.search(raw["title"]) or "Java" in raw["title"] or "Python" in raw["title"]
        assert raw["employer"]["name"].endswith("有限公司")
        assert raw["salary"]["min"] <= raw["salary"]["max"]
        assert Education(raw["education"])
        assert "岗位职责" in raw["description"] and "任职要求" in raw["description"]
        assert raw["published_at"] < raw["expires_at"]


def test_a_market_of_a_hundred_thousand_postings_is_served_without_building_it() -> None:
    started = time.perf_counter()
    state = RecruitmentSimState(postings=100_000)
    items, cursor, more = state.changes(90_000, 1000)
    while more:
        items, cursor, more = state.changes(cursor, 1000)
    assert cursor == 100_000 and items[-1]["id"] == "FZJ00099999"
    assert time.perf_counter() - started < 5  # 10,000 postings made on demand


def test_paging_the_changes_feed_yields_every_active_posting_once() -> None:
    state = RecruitmentSimState(postings=230)
    state.advance(new=5, edit=7, remove=4)
    seen: list[str] = []
    cursor, more = 0, True
    while more:
        items, cursor, more = state.changes(cursor, 40)
        seen += [item["id"] for item in items]
    assert len(seen) == len(set(seen)) == 230 + 5 - 4
    assert set(seen) == set(state.active_ids())


def test_a_consumer_at_the_end_of_the_feed_sees_only_what_changed_since() -> None:
    state = RecruitmentSimState(postings=100)
    _, cursor, _ = state.changes(0, 1000)
    changed = state.advance(new=2, edit=3, remove=1)
    items, _, more = state.changes(cursor, 1000)
    assert not more
    edited_and_new = set(changed["new"]) | set(changed["edited"]) - set(changed["removed"])
    assert {item["id"] for item in items} == edited_and_new
    edited = [item for item in items if item["id"] in changed["edited"]]
    assert all(item["version"] == 1 for item in edited)
    removed, _, _ = state.removed_since(0, 100)
    assert [r["id"] for r in removed] == changed["removed"]


async def test_the_http_api_serves_pages_details_and_gone_postings(sim: RecruitmentSim) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sim.url}/api/v1/postings/changes?limit=7") as response:
            page = await response.json()
        assert len(page["items"]) == 7 and page["has_more"] and page["next_cursor"] == "7"
        sim.state.remove("FZJ00000001")
        async with http.get(f"{sim.url}/api/v1/postings/FZJ00000001") as gone:
            assert gone.status == 410
        async with http.get(f"{sim.url}/api/v1/postings/FZJ00000002") as found:
            assert (await found.json())["id"] == "FZJ00000002"
        async with http.get(f"{sim.url}/api/v1/postings/changes?cursor=abc") as bad:
            assert bad.status == 400


async def test_the_rate_limit_answers_429_with_retry_after(sim: RecruitmentSim) -> None:
    sim.state.rate_limit, sim.state.burst = 1.0, 1
    sim.state._tokens = 1.0
    async with aiohttp.ClientSession() as http:
        statuses, waits = [], []
        for _ in range(3):
            async with http.get(f"{sim.url}/api/v1/postings/changes?limit=1") as response:
                statuses.append(response.status)
                waits.append(response.headers.get("Retry-After"))
    assert statuses[0] == 200 and statuses[1:] == [429, 429]
    assert waits[1] == "1"


async def test_random_faults_are_reproducible_from_the_seed() -> None:
    def pattern() -> list[tuple[int | None, float]]:
        state = RecruitmentSimState(postings=10, error_rate=0.3, slow_rate=0.2, slow_seconds=1.0)
        return [state.random_fault() for _ in range(40)]

    first = pattern()
    assert first == pattern()
    assert any(status for status, _ in first) and any(delay for _, delay in first)


async def test_applications_are_recorded_once_per_idempotency_key(sim: RecruitmentSim) -> None:
    body = {
        "posting_id": "FZJ00000003",
        "reference": "r1",
        "applicant": {"name": "林小雨", "phone": "13912345678"},
    }
    async with aiohttp.ClientSession() as http:
        url = f"{sim.url}/api/v1/applications"
        async with http.post(url, json=body, headers={"Idempotency-Key": "r1"}) as first:
            assert first.status == 201
            receipt = await first.json()
        async with http.post(url, json=body, headers={"Idempotency-Key": "r1"}) as second:
            assert second.status == 200
            assert (await second.json()) == {**receipt, "duplicate": True}
        async with http.post(url, json=body) as unkeyed:
            assert unkeyed.status == 400
        async with http.get(f"{sim.url}/_sim/applications") as log:
            recorded = await log.json()
    assert len(recorded) == 1 and recorded[0]["applicant"]["name"] == "林小雨"


async def test_the_market_and_the_faults_are_driven_over_http(sim: RecruitmentSim) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{sim.url}/_sim/advance", json={"new": 2, "remove": 1}) as r:
            changed = await r.json()
        async with http.post(
            f"{sim.url}/_sim/fail", json={"path": "changes", "http_status": 503}
        ) as r:
            assert r.status == 200
        async with http.get(f"{sim.url}/api/v1/postings/changes") as failed:
            assert failed.status == 503
        async with http.get(f"{sim.url}/_sim/state") as r:
            summary = await r.json()
    assert len(changed["new"]) == 2 and len(changed["removed"]) == 1
    assert summary["postings"] == 302 and summary["active"] == 301
