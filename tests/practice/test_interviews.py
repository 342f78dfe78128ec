"""Mock interviews: feedback from the model stand-in or the basic mode, no personal data sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend.practice.questions import STAGES, session_questions
from backend.practice.redact import scrub
from backend.practice.rubric import basic_feedback
from miniprogram_api.standins.llm import FakeLlm
from tests.practice.conftest import Cohort
from tests.support.client import Client

STAR_ANSWER = (
    "当时我在门店做销售，有一次遇到顾客集中投诉退货慢的问题，我的任务是三天内把积压的退货处理完。"
    "我首先把退货单按日期排好，然后和仓库沟通每天固定两个时段集中处理，同时主动给每位顾客打电话说明进度。"
    "最终三天内处理完全部退货，顾客投诉减少了百分之八十，店长还在例会上表扬了我。"
    "这件事让我学会了先理清问题再安排优先顺序，我相信这对营销员的工作也很有帮助。"
)
THIN_ANSWER = "嗯，那个，我觉得就是说，我挺能吃苦的，啊。"
PII_ANSWER = (
    "我叫陈雨桐，身份证号350102200005170013，手机13912345678，邮箱cyt2000@example.com。"
    "有一次在福州鑫源商贸有限公司，我负责处理退货，首先和仓库沟通，最终投诉减少了一半。"
    "雨桐觉得这段经历很有收获，家住福州市鼓楼区五四路123号。"
)


async def _start(client: Client, cohort: Cohort, code: str = "4-01-02-01") -> dict[str, Any]:
    reply = await client.post(
        "/api/v1/practice/interviews",
        json={"occupation_code": code},
        headers=cohort.trainee_headers,
    )
    assert reply.status == 201, reply.text
    return reply.json


async def _answer(client: Client, cohort: Cohort, interview_id: int, index: int, text: str) -> Any:
    reply = await client.post(
        f"/api/v1/practice/interviews/{interview_id}/answers",
        json={"question_index": index, "text": text},
        headers=cohort.trainee_headers,
    )
    assert reply.status == 201, reply.text
    return reply.json["feedback"]


def test_a_session_asks_each_stage_and_rotates_on_the_next_attempt() -> None:
    first = session_questions("4-01-02-01", 0)
    assert [q.stage for q in first] == [
        "self_intro",
        "behavioural",
        "behavioural",
        "situational",
        "salary",
    ]
    assert "顾客" in first[1].text  # the sales group's own question comes first
    assert session_questions("4-01-02-01", 1) != first
    assert set(STAGES) == {q.stage for q in first}


def test_basic_mode_finds_star_in_a_structured_answer_and_gaps_in_a_thin_one() -> None:
    question = session_questions("4-01-02-01", 0)[2]  # behavioural, general
    good = basic_feedback(STAR_ANSWER, question, "营销员")
    thin = basic_feedback(THIN_ANSWER, question, "营销员")
    assert good.star.model_dump() == {
        "situation": True,
        "task": True,
        "action": True,
        "result": True,
    }
    assert good.score > thin.score + 30
    assert {f.word for f in thin.filler_words} >= {"嗯", "那个", "就是说", "啊"}
    assert any("STAR" in tip for tip in thin.improvements)
    assert any("偏短" in tip for tip in thin.improvements)
    assert thin.sample_answer and thin.mode == "basic"


def test_scrub_replaces_names_numbers_employers_and_addresses() -> None:
    text = scrub(PII_ANSWER, names=["陈雨桐"], organisations=["福州鑫源商贸有限公司"])
    for secret in (
        "陈雨桐",
        "雨桐",
        "350102200005170013",
        "13912345678",
        "cyt2000@example.com",
        "鑫源",
        "五四路",
    ):
        assert secret not in text
    assert "【姓名】" in text and "【单位】" in text and "【电话】" in text
    assert "首先和仓库沟通" in text  # the substance stays


async def test_without_a_model_feedback_comes_from_the_basic_mode(
    client: Client, cohort: Cohort
) -> None:
    interview = await _start(client, cohort)
    feedback = await _answer(client, cohort, interview["id"], 1, STAR_ANSWER)
    assert feedback["mode"] == "basic"
    assert "基础模式" in feedback["notice"]
    assert feedback["star"]["result"] is True
    assert feedback["improvements"] and feedback["sample_answer"]


async def test_with_the_model_stand_in_feedback_comes_from_the_model(
    client: Client, cohort: Cohort, fake_llm: FakeLlm
) -> None:
    interview = await _start(client, cohort)
    feedback = await _answer(client, cohort, interview["id"], 1, STAR_ANSWER)
    assert feedback["mode"] == "model"
    assert feedback["sample_answer"].startswith("（模拟模型）")
    assert feedback["length_chars"] > 100  # measured by the rules in both modes
    assert len(fake_llm.state.requests) == 1
    sent = fake_llm.state.requests[0]["body"]
    assert sent["model"] == "qwen2.5-7b-instruct"
    assert "营销员" in sent["messages"][1]["content"]


async def test_no_personal_data_reaches_the_model(
    client: Client, cohort: Cohort, fake_llm: FakeLlm
) -> None:
    resume = (await client.get("/api/v1/practice/resume", headers=cohort.trainee_headers)).json
    content = resume["content"] | {
        "email": "cyt2000@example.com",
        "experience": [
            {
                "employer": "福州鑫源商贸有限公司",
                "position": "销售助理",
                "description": "在鑫源负责退货",
            }
        ],
        "skills": ["收银系统"],
        "self_evaluation": "我是陈雨桐，电话13912345678，在福州鑫源商贸有限公司干过两年。",
    }
    saved = await client.put(
        "/api/v1/practice/resume", json=content, headers=cohort.trainee_headers
    )
    assert saved.status == 200, saved.text
    interview = await _start(client, cohort)
    feedback = await _answer(client, cohort, interview["id"], 1, PII_ANSWER)
    assert feedback["mode"] == "model"
    sent = fake_llm.state.sent_text()
    leaks = [
        s
        for s in (
            "陈雨桐",
            "雨桐",
            "350102200005170013",
            "13912345678",
            "cyt2000@example.com",
            "鑫源",
            "福建师范大学",
            "五四路123号",
        )
        if s in sent
    ]
    assert leaks == [], sent
    assert "销售助理" in sent and "首先和仓库沟通" in sent  # what the feedback needs is there


async def test_a_failing_model_falls_back_to_the_basic_mode_after_a_retry(
    client: Client, cohort: Cohort, fake_llm: FakeLlm
) -> None:
    fake_llm.state.fail(times=2, status=503)
    interview = await _start(client, cohort)
    feedback = await _answer(client, cohort, interview["id"], 1, STAR_ANSWER)
    assert feedback["mode"] == "basic"
    assert "大模型暂时不可用" in feedback["notice"]
    assert len(fake_llm.state.requests) == 2  # the first try and one retry (LLM_RETRIES=1)


async def test_an_unusable_model_reply_falls_back_to_the_basic_mode(
    client: Client, cohort: Cohort, fake_llm: FakeLlm
) -> None:
    fake_llm.state.fail(times=1, status=0)
    interview = await _start(client, cohort)
    feedback = await _answer(client, cohort, interview["id"], 1, STAR_ANSWER)
    assert feedback["mode"] == "basic"


async def test_the_daily_cap_on_model_calls_switches_to_the_basic_mode(
    client: Client, cohort: Cohort, fake_llm: FakeLlm, use_settings: Callable[..., Any]
) -> None:
    use_settings(llm_daily_calls_per_trainee=1)
    interview = await _start(client, cohort)
    first = await _answer(client, cohort, interview["id"], 0, STAR_ANSWER)
    second = await _answer(client, cohort, interview["id"], 1, STAR_ANSWER)
    assert (first["mode"], second["mode"]) == ("model", "basic")
    assert "次数已用完" in second["notice"]
    assert len(fake_llm.state.requests) == 1


async def test_session_feedback_review_and_progress(client: Client, cohort: Cohort) -> None:
    first = await _start(client, cohort)
    await _answer(client, cohort, first["id"], 0, THIN_ANSWER)
    done = await client.post(
        f"/api/v1/practice/interviews/{first['id']}/finish", headers=cohort.trainee_headers
    )
    assert done.status == 200
    summary = done.json["summary"]
    assert summary["answered"] == 1 and summary["asked"] == 5
    assert summary["mode"] == "basic"
    assert "还有4道题没有回答" in summary["improvements"][0]

    second = await _start(client, cohort)
    for index in range(5):
        await _answer(client, cohort, second["id"], index, STAR_ANSWER)
    finished = await client.post(
        f"/api/v1/practice/interviews/{second['id']}/finish", headers=cohort.trainee_headers
    )
    assert finished.json["summary"]["score"] > summary["score"]
    again = await _answer_refused(client, cohort, second["id"])
    assert again == 409

    review = await client.post(
        f"/api/v1/practice/interviews/{second['id']}/reviews",
        json={"structure": 4, "relevance": 5, "expression": 3, "job_fit": 4, "comment": "有进步"},
        headers=cohort.instructor_headers,
    )
    assert review.status == 200, review.text
    assert review.json["reviews"][0]["total"] == 80

    progress = await client.get(
        "/api/v1/practice/interviews/progress", headers=cohort.trainee_headers
    )
    assert progress.json["attempts"] == 2
    assert progress.json["change"] > 0
    assert progress.json["reviewed_scores"] == [80]

    klass = await client.get(
        f"/api/v1/practice/classes/{cohort.klass.id}/interview-progress",
        headers=cohort.instructor_headers,
    )
    assert klass.status == 200
    row = klass.json["items"][0]
    assert (row["attempts"], row["first_score"]) == (2, summary["score"])
    assert klass.json["trainees_practising"] == 1
    seen = await client.get(
        f"/api/v1/practice/interviews/{second['id']}", headers=cohort.instructor_headers
    )
    assert seen.status == 200 and len(seen.json["answers"]) == 5


async def _answer_refused(client: Client, cohort: Cohort, interview_id: int) -> int:
    reply = await client.post(
        f"/api/v1/practice/interviews/{interview_id}/answers",
        json={"question_index": 0, "text": "再答一次"},
        headers=cohort.trainee_headers,
    )
    return reply.status
