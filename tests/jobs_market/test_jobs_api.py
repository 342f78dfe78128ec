"""Job search, posting detail, the job-seeking profile and matches, over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from backend import clock
from backend.accounts.models import User
from backend.employment.models import JobPosting
from backend.employment.sync import sync_postings
from backend.integrations.recruitment import RecruitmentConnector
from miniprogram_api.standins.recruitment import RecruitmentSim
from tests.support.client import Client
from tests.support.factories import auth, make_trainee, make_user

PROFILE = {
    "desired_occupations": ["4-10-01-05"],
    "districts": ["350102", "350103", "350111"],
    "salary_floor": 4500,
    "education": "high_school",
    "major": "护理",
    "skills": ["老人照护", "康复训练"],
    "intention": "想在鼓楼或台江找养老院护理员的工作，有爱心，能接受轮班",
    "currently_employed": False,
}


@pytest.fixture
async def market(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> RecruitmentSim:
    """The simulator's 300 postings, synced."""
    await sync_postings(connector=connector)
    return sim


@pytest.fixture
async def seeker(client: Client) -> dict[str, str]:
    """A logged-in trainee's headers."""
    user: User = await make_user()
    await make_trainee(user=user)
    return auth(user)


def text_of(item: dict[str, Any], posting: JobPosting) -> str:
    return f"{item['title']} {posting.description} {item['occupation_name']} {item['employer']}"


async def test_search_finds_postings_by_chinese_words_and_pages_through_them(
    client: Client, market: RecruitmentSim, seeker: dict[str, str]
) -> None:
    first = await client.get("/api/v1/jobs?q=养老护理&limit=3", headers=seeker)
    assert first.status == 200, first.text
    body = first.json
    assert body["keywords"] == ["养老护理"] and body["relaxed"] is False
    assert body["total"] > 3 and len(body["items"]) == 3
    second = (await client.get("/api/v1/jobs?q=养老护理&limit=3&offset=3", headers=seeker)).json
    ids = [i["id"] for i in body["items"] + second["items"]]
    assert len(set(ids)) == len(ids) == min(6, body["total"])
    for item in body["items"] + second["items"]:
        posting = await JobPosting.get(id=item["id"])
        assert "养老护理" in text_of(item, posting)


async def test_search_reads_words_not_substrings(
    client: Client, market: RecruitmentSim, seeker: dict[str, str]
) -> None:
    with_substring = await JobPosting.filter(description__contains="件测").count()
    response = await client.get("/api/v1/jobs?q=件测", headers=seeker)
    assert with_substring > 0  # a LIKE search would find these
    assert response.json["total"] == 0


async def test_search_with_several_words_wants_them_all_then_relaxes(
    client: Client, market: RecruitmentSim, seeker: dict[str, str]
) -> None:
    both = (await client.get("/api/v1/jobs?q=销售 台江", headers=seeker)).json
    assert both["relaxed"] is False and both["total"] > 0
    for item in both["items"]:
        posting = await JobPosting.get(id=item["id"])
        assert "销售" in text_of(item, posting) and item["district_name"] == "台江区"
    none = (await client.get("/api/v1/jobs?q=护士 焊工", headers=seeker)).json
    assert none["relaxed"] is True and none["total"] > 0


async def test_search_filters_by_district_occupation_education_and_salary(
    client: Client, market: RecruitmentSim, seeker: dict[str, str]
) -> None:
    query = "district=350103&occupation=4-03&education=high_school&salary_min=5000&limit=50"
    body = (await client.get(f"/api/v1/jobs?{query}", headers=seeker)).json
    assert body["total"] > 0
    expected = [
        p
        for p in await JobPosting.filter(active=True, district_code="350103")
        if p.occupation_code.startswith("4-03-")
        and p.education.value in ("none", "junior_middle", "high_school")
        and p.salary_max >= 5000
    ]
    assert body["total"] == len(expected)
    newest_first = [i["published_at"] for i in body["items"]]
    assert newest_first == sorted(newest_first, reverse=True)


async def test_search_rejects_bad_filters_in_chinese(
    client: Client, market: RecruitmentSim, seeker: dict[str, str]
) -> None:
    response = await client.get("/api/v1/jobs?limit=500", headers=seeker)
    assert response.status == 400
    assert "数值过大" in response.json["error"]["message"]


async def test_a_posting_shows_its_description_and_the_link_to_the_site(
    client: Client, market: RecruitmentSim, seeker: dict[str, str]
) -> None:
    posting = await JobPosting.first()
    assert posting is not None
    body = (await client.get(f"/api/v1/jobs/{posting.id}", headers=seeker)).json
    assert body["site_url"] == f"https://fzjob.example.cn/jobs/{posting.external_id}"
    assert body["description"] == posting.description and body["open"] is True
    assert body["application"] is None
    missing = await client.get("/api/v1/jobs/999999", headers=seeker)
    assert missing.status == 404 and missing.json["error"]["code"] == "JOB_NOT_FOUND"


async def test_search_follows_the_sync_without_a_restart(
    client: Client, market: RecruitmentSim, seeker: dict[str, str], connector: RecruitmentConnector
) -> None:
    before = (await client.get("/api/v1/jobs?limit=1", headers=seeker)).json["total"]
    changed = market.state.advance(new=3, remove=2)
    await sync_postings(connector=connector)
    after = (await client.get("/api/v1/jobs?limit=50", headers=seeker)).json
    assert after["total"] == before + 3 - 2
    removed = {p.id for p in await JobPosting.filter(external_id__in=changed["removed"])}
    assert removed and not removed & {i["id"] for i in after["items"]}


async def test_a_trainee_saves_and_reads_back_the_job_profile(
    client: Client, database_url: str, seeker: dict[str, str]
) -> None:
    empty = (await client.get("/api/v1/me/job-profile", headers=seeker)).json
    assert empty["exists"] is False
    saved = await client.put("/api/v1/me/job-profile", json=PROFILE, headers=seeker)
    assert saved.status == 200, saved.text
    body = (await client.get("/api/v1/me/job-profile", headers=seeker)).json
    assert body["exists"] is True
    assert body["desired_occupations"] == [{"code": "4-10-01-05", "name": "养老护理员"}]
    assert body["salary_floor"] == 4500 and body["skills"] == ["老人照护", "康复训练"]


async def test_editing_the_profile_says_when_it_was_last_changed(
    client: Client, database_url: str, seeker: dict[str, str]
) -> None:
    clock.set_clock(lambda: datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    try:
        await client.put("/api/v1/me/job-profile", json=PROFILE, headers=seeker)
        first = (await client.get("/api/v1/me/job-profile", headers=seeker)).json["updated_at"]
        clock.set_clock(lambda: datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
        edited = {**PROFILE, "salary_floor": 5000}
        await client.put("/api/v1/me/job-profile", json=edited, headers=seeker)
        body = (await client.get("/api/v1/me/job-profile", headers=seeker)).json
    finally:
        clock.set_clock(None)
    assert body["salary_floor"] == 5000
    assert body["updated_at"] == "2026-11-25T09:00:00+08:00" != first


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"districts": ["999999"]}, "DISTRICT_UNKNOWN"),
        ({"desired_occupations": ["护理员"]}, "OCCUPATION_UNKNOWN"),
        ({"salary_floor": -1}, "VALIDATION_FAILED"),
    ],
)
async def test_a_profile_with_unknown_codes_is_refused_in_chinese(
    client: Client, database_url: str, seeker: dict[str, str], change: dict[str, Any], code: str
) -> None:
    response = await client.put(
        "/api/v1/me/job-profile", json={**PROFILE, **change}, headers=seeker
    )
    assert response.status == 400
    assert response.json["error"]["code"] == code


async def test_matches_need_a_profile_first(
    client: Client, database_url: str, seeker: dict[str, str]
) -> None:
    response = await client.get("/api/v1/me/job-matches", headers=seeker)
    assert response.status == 422
    assert response.json["error"]["code"] == "JOB_PROFILE_REQUIRED"


async def test_a_profile_yields_ranked_matches_with_reasons(
    client: Client, market: RecruitmentSim, seeker: dict[str, str]
) -> None:
    await client.put("/api/v1/me/job-profile", json=PROFILE, headers=seeker)
    response = await client.get("/api/v1/me/job-matches", headers=seeker)
    assert response.status == 200, response.text
    items = response.json["items"]
    assert items, "the market has elderly-care postings in these districts"
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    top = items[0]
    assert top["job"]["occupation_code"] == "4-10-01-05"
    assert top["job"]["district_code"] in PROFILE["districts"]
    assert top["reasons"][0] == "您期望的岗位类别「养老护理员」与该岗位一致"
    for item in items:
        assert item["job"]["district_code"] in PROFILE["districts"]
        assert item["job"]["salary_max"] == 0 or item["job"]["salary_max"] >= 4500
        assert item["job"]["education"] in ("none", "junior_middle", "high_school")


async def test_only_trainees_keep_a_job_profile(client: Client, database_url: str) -> None:
    stranger = auth(await make_user())
    response = await client.put("/api/v1/me/job-profile", json=PROFILE, headers=stranger)
    assert response.status == 403


async def test_the_openapi_document_describes_the_job_routes(
    client: Client, database_url: str
) -> None:
    document = (await client.get("/api/v1/openapi.json")).json
    paths = document["paths"]
    for path in (
        "/api/v1/jobs",
        "/api/v1/jobs/{job_id}",
        "/api/v1/me/job-profile",
        "/api/v1/me/job-matches",
        "/api/v1/jobs/{job_id}/apply",
        "/api/v1/me/applications",
        "/api/v1/trainees/{trainee_id}/employment",
    ):
        assert path in paths, path
    search = paths["/api/v1/jobs"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {"q", "district", "occupation", "limit"}
    assert "requestBody" in paths["/api/v1/me/job-profile"]["put"]
