"""Career cognition and the résumé: the interest test seeds the profile, the PDF reads back."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from backend.employment.models import JobProfile
from backend.occupations import OCCUPATIONS
from backend.practice import interest
from backend.security.models import AuditEntry
from tests.practice.conftest import Cohort
from tests.support.client import Client

# Strongly social (S), then enterprising (E), then conventional (C).
LIKES = {"S": 5, "E": 4, "C": 3, "A": 2, "I": 2, "R": 1}
ANSWERS = [LIKES[kind] for kind, _ in interest.ITEMS]


def pdf_text(data: bytes) -> str:
    """Every page's extracted text."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_every_suggested_occupation_is_in_the_reference_catalogue() -> None:
    for kind, codes in interest.TYPE_OCCUPATIONS.items():
        assert kind in interest.TYPES
        assert [c for c in codes if c not in OCCUPATIONS] == []
        assert len(codes) >= 2


def test_scores_map_each_type_onto_0_to_100_and_the_code_is_the_top_three() -> None:
    report = interest.score_answers(ANSWERS)
    assert report.scores == {"R": 0, "I": 25, "A": 25, "S": 100, "E": 75, "C": 50}
    assert report.code == "SEC"
    assert report.suggested == (
        "4-10-01-05",
        "4-01-02-01",
        "3-01-02-01",
        "2-08-06-01",
        "4-01-02-02",
    )


def test_ties_are_broken_in_riasec_order() -> None:
    assert interest.score_answers([3] * len(interest.ITEMS)).code == "RIA"


@pytest.mark.parametrize("answers", [[3] * 29, [3] * 29 + [6], [0] + [3] * 29])
def test_incomplete_or_off_scale_answers_are_refused(answers: list[int]) -> None:
    with pytest.raises(interest.AnswerError):
        interest.score_answers(answers)


async def test_interest_test_seeds_an_empty_profile(client: Client, cohort: Cohort) -> None:
    items = await client.get("/api/v1/practice/interest-test", headers=cohort.trainee_headers)
    assert items.status == 200 and len(items.json["items"]) == 30
    reply = await client.post(
        "/api/v1/practice/interest-test",
        json={"answers": ANSWERS},
        headers=cohort.trainee_headers,
    )
    assert reply.status == 201, reply.text
    report = reply.json
    assert report["code"] == "SEC"
    assert report["occupations"][0] == {"code": "4-10-01-05", "name": "养老护理员"}
    assert sorted(report["seeded_fields"]) == ["desired_occupations", "intention"]
    profile = await JobProfile.get(trainee_id=cohort.trainee.id)
    assert profile.desired_occupations == [o["code"] for o in report["occupations"]]
    assert "SEC" in profile.intention
    again = await client.get(
        "/api/v1/practice/interest-test/result", headers=cohort.trainee_headers
    )
    assert again.json["id"] == report["id"]


async def test_interest_test_never_overwrites_what_the_trainee_wrote(
    client: Client, cohort: Cohort
) -> None:
    written = {"desired_occupations": ["4-04-05-02"], "intention": "想做软件测试"}
    saved = await client.put("/api/v1/me/job-profile", json=written, headers=cohort.trainee_headers)
    assert saved.status == 200
    reply = await client.post(
        "/api/v1/practice/interest-test",
        json={"answers": ANSWERS},
        headers=cohort.trainee_headers,
    )
    assert reply.json["seeded_fields"] == []
    profile = await JobProfile.get(trainee_id=cohort.trainee.id)
    assert (profile.desired_occupations, profile.intention) == (["4-04-05-02"], "想做软件测试")


async def test_interest_test_fills_only_the_empty_intention(client: Client, cohort: Cohort) -> None:
    await client.put(
        "/api/v1/me/job-profile",
        json={"desired_occupations": ["4-04-05-02"]},
        headers=cohort.trainee_headers,
    )
    reply = await client.post(
        "/api/v1/practice/interest-test", json={"answers": ANSWERS}, headers=cohort.trainee_headers
    )
    assert reply.json["seeded_fields"] == ["intention"]
    profile = await JobProfile.get(trainee_id=cohort.trainee.id)
    assert profile.desired_occupations == ["4-04-05-02"]


async def test_resume_is_drafted_from_roster_and_profile_with_the_phone_masked(
    client: Client, cohort: Cohort
) -> None:
    await client.put(
        "/api/v1/me/job-profile",
        json={"desired_occupations": ["4-01-02-01"], "skills": ["Excel", "客户沟通"]},
        headers=cohort.trainee_headers,
    )
    reply = await client.get("/api/v1/practice/resume", headers=cohort.trainee_headers)
    assert reply.status == 200
    resume = reply.json
    assert resume["saved"] is False
    content = resume["content"]
    assert content["name"] == "陈雨桐"
    assert content["phone_masked"] == "139****5678"
    assert "13912345678" not in reply.text
    assert content["education"][0]["school"] == "福建师范大学"
    assert content["desired_occupations"] == ["营销员"]
    assert content["skills"] == ["Excel", "客户沟通"]


async def test_resume_pdf_carries_the_edited_chinese_text(client: Client, cohort: Cohort) -> None:
    draft = (await client.get("/api/v1/practice/resume", headers=cohort.trainee_headers)).json
    content = draft["content"] | {
        "intention": "希望从事门店销售或客户服务工作",
        "experience": [
            {
                "employer": "福州鑫源商贸有限公司",
                "position": "销售助理",
                "start": "2023.07",
                "end": "2025.06",
                "description": "负责门店日常销售，月销售额提升百分之十五。",
            }
        ],
        "skills": ["收银系统", "客户沟通"],
        "self_evaluation": "认真负责，善于沟通。",
    }
    saved = await client.put(
        "/api/v1/practice/resume", json=content, headers=cohort.trainee_headers
    )
    assert saved.status == 200, saved.text
    reply = await client.get("/api/v1/practice/resume.pdf", headers=cohort.trainee_headers)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/pdf"
    assert len(reply.body) < 200_000  # a subset of the font, not all of it
    text = pdf_text(reply.body)
    for expected in (
        "陈雨桐",
        "电话：13912345678",
        "求职意向",
        "希望从事门店销售或客户服务工作",
        "福建师范大学",
        "福州鑫源商贸有限公司",
        "销售助理",
        "负责门店日常销售，月销售额提升百分之十五。",
        "收银系统、客户沟通",
        "认真负责，善于沟通。",
    ):
        assert expected in text, (expected, text)
    assert await AuditEntry.filter(action="pii.resume_pdf").count() == 1


async def test_an_unbound_user_has_no_resume(client: Client, cohort: Cohort) -> None:
    reply = await client.get("/api/v1/practice/resume", headers=cohort.instructor_headers)
    assert reply.status == 403
