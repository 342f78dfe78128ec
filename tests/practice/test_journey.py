"""A trainee's practice journey over HTTP, from career cognition to the assessment.

第二十一条(四) 模拟实训: "从职业初步认知到求职实践全过程线上实操训练" — interest test → the profile
seeded → a résumé exported as PDF and attached to an application → mock interviews with the
model (stand-in) and in the basic mode → the class's online test scored into the assessment
(第二十二条).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from backend import clock
from backend.certificates.models import AssessmentResult
from backend.classes.models import Enrolment
from backend.employment.models import JobApplication, JobPosting
from backend.practice import interest
from backend.practice.models import ResumeAttachment
from miniprogram_api.standins.llm import FakeLlm
from tests.practice.conftest import Cohort
from tests.practice.test_interest_and_resume import pdf_text
from tests.practice.test_interviews import STAR_ANSWER
from tests.practice.test_online_tests import GOOD_ROWS, workbook
from tests.support.client import Client

# Social first, then enterprising and conventional: SEC.
ANSWERS = [{"S": 5, "E": 4, "C": 3}.get(kind, 1) for kind, _ in interest.ITEMS]


async def _posting() -> JobPosting:
    now = clock.now()
    return await JobPosting.create(
        source="fzrc",
        external_id="J-2001",
        title="养老护理员",
        employer="福州康宁养老服务有限公司",
        district_code="350102",
        occupation_code="4-10-01-05",
        occupation_name="养老护理员",
        salary_min=4500,
        salary_max=6000,
        published_at=now,
        content_hash="x" * 40,
        first_seen_at=now,
        updated_at=now,
    )


async def test_trainee_journey_from_interest_test_to_assessment(
    client: Client,
    cohort: Cohort,
    fake_llm: FakeLlm,
    use_settings: Callable[..., Any],
) -> None:
    trainee, instructor = cohort.trainee_headers, cohort.instructor_headers

    # 1. career cognition: the report seeds the empty job-seeking profile
    report = await client.post(
        "/api/v1/practice/interest-test", json={"answers": ANSWERS}, headers=trainee
    )
    assert report.status == 201 and report.json["code"] == "SEC"
    profile = (await client.get("/api/v1/me/job-profile", headers=trainee)).json
    assert profile["desired_occupations"][0]["code"] == "4-10-01-05"

    # 2. the résumé: drafted, edited, exported, attached to an application
    resume = (await client.get("/api/v1/practice/resume", headers=trainee)).json["content"]
    assert resume["desired_occupations"][0] == "养老护理员"
    resume |= {
        "experience": [
            {"employer": "鼓楼区社区服务中心", "position": "志愿者", "description": "照护独居老人"}
        ],
        "self_evaluation": "有耐心，愿意照顾老人。",
    }
    assert (await client.put("/api/v1/practice/resume", json=resume, headers=trainee)).status == 200
    exported = await client.get("/api/v1/practice/resume.pdf", headers=trainee)
    text = pdf_text(exported.body)
    assert "陈雨桐" in text and "养老护理员" in text and "有耐心，愿意照顾老人。" in text
    posting = await _posting()
    applied = await client.post(
        f"/api/v1/practice/jobs/{posting.id}/apply", json={"message": "期待面试"}, headers=trainee
    )
    assert applied.status == 201, applied.text
    application_id = applied.json["application_id"]
    assert await JobApplication.exists(id=application_id, trainee_id=cohort.trainee.id)
    attached = await ResumeAttachment.get(application_id=application_id)
    assert attached.content["self_evaluation"] == "有耐心，愿意照顾老人。"
    attached_pdf = await client.get(
        f"/api/v1/practice/applications/{application_id}/resume.pdf", headers=trainee
    )
    assert "鼓楼区社区服务中心" in pdf_text(attached_pdf.body)

    # 3. a mock interview for the seeded occupation, feedback from the model stand-in
    started = await client.post("/api/v1/practice/interviews", json={}, headers=trainee)
    assert started.json["occupation_code"] == "4-10-01-05"
    interview_id = started.json["id"]
    answered = await client.post(
        f"/api/v1/practice/interviews/{interview_id}/answers",
        json={"question_index": 1, "text": STAR_ANSWER},
        headers=trainee,
    )
    assert answered.json["feedback"]["mode"] == "model"
    assert "养老护理员" in fake_llm.state.sent_text()
    assert "陈雨桐" not in fake_llm.state.sent_text()

    # … and again without a model: the basic mode says so
    use_settings(llm_api_base="")
    basic = await client.post(
        f"/api/v1/practice/interviews/{interview_id}/answers",
        json={"question_index": 2, "text": STAR_ANSWER},
        headers=trainee,
    )
    assert basic.json["feedback"]["mode"] == "basic"
    assert "基础模式" in basic.json["feedback"]["notice"]
    finished = await client.post(
        f"/api/v1/practice/interviews/{interview_id}/finish", headers=trainee
    )
    assert finished.json["summary"]["mode"] == "mixed"
    assert len(fake_llm.state.requests) == 1

    # 4. the class's online test, scored into the assessment (test alone: weight 1)
    use_settings(assessment_online_test_weight=1.0)
    bank = await client.post(
        "/api/v1/practice/banks", json={"title": "结业题库"}, headers=instructor
    )
    await client.post(
        f"/api/v1/practice/banks/{bank.json['id']}/import",
        content=workbook(GOOD_ROWS[:3]),
        headers=instructor,
    )
    now = clock.now()
    test = await client.post(
        f"/api/v1/practice/classes/{cohort.klass.id}/tests",
        json={
            "title": "结业测试",
            "bank_id": bank.json["id"],
            "duration_minutes": 20,
            "opens_at": (now - timedelta(minutes=5)).isoformat(),
            "closes_at": (now + timedelta(hours=1)).isoformat(),
        },
        headers=instructor,
    )
    listed = await client.get(f"/api/v1/practice/classes/{cohort.klass.id}/tests", headers=trainee)
    assert [t["id"] for t in listed.json["items"]] == [test.json["id"]]
    attempt = (
        await client.post(f"/api/v1/practice/tests/{test.json['id']}/attempts", headers=trainee)
    ).json
    ids = [str(q["id"]) for q in attempt["questions"]]
    submitted = await client.post(
        f"/api/v1/practice/attempts/{attempt['id']}/submit",
        json={"answers": dict(zip(ids, ["B", "ABD", "对"], strict=True))},
        headers=trainee,
    )
    assert submitted.json["status"] == "graded" and submitted.json["score"] == 75.0
    fed = await client.post(
        f"/api/v1/practice/tests/{test.json['id']}/assessment",
        json={"practical_scores": []},
        headers=instructor,
    )
    assert fed.json["formula"] == "考核成绩 = 在线测试成绩"
    assert fed.json["items"][0]["combined"] == "75.0"
    enrolment = await Enrolment.get(training_class_id=cohort.klass.id, trainee_id=cohort.trainee.id)
    assert (await AssessmentResult.get(enrolment_id=enrolment.id)).passed is True
    completion = await client.get(
        f"/api/v1/classes/{cohort.klass.id}/completion", headers=instructor
    )
    assert completion.json["items"][0]["score"] == "75.0"
