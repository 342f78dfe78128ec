"""Online tests (第二十二条): banks and their import, timed attempts, scoring, the assessment."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from backend import clock
from backend.certificates.models import AssessmentResult
from backend.classes.models import Enrolment
from backend.practice.online_tests import combine, formula
from backend.practice.scoring import percent, score_objective
from tests.practice.conftest import Cohort
from tests.support.client import Client

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "分值", "评分标准"]
GOOD_ROWS = [
    [
        "单选",
        "简历中最应突出的是？",
        "兴趣爱好",
        "与岗位相关的经历",
        "家庭情况",
        "星座",
        "B",
        2,
        "",
    ],
    ["多选", "面试前应准备哪些？", "了解公司", "准备自我介绍", "熬夜", "整理着装", "ABD", 4, ""],
    ["判断", "面试迟到不需要解释。", "", "", "", "", "错", 2, ""],
    [
        "简答",
        "请用STAR法则描述一次团队合作经历。",
        "",
        "",
        "",
        "",
        "",
        12,
        "情境、任务、行动、结果各3分",
    ],
]


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _bank(client: Client, cohort: Cohort, rows: list[list[Any]] = GOOD_ROWS) -> int:
    bank = await client.post(
        "/api/v1/practice/banks", json={"title": "求职基础"}, headers=cohort.instructor_headers
    )
    assert bank.status == 201, bank.text
    imported = await client.post(
        f"/api/v1/practice/banks/{bank.json['id']}/import",
        files={"file": ("bank.xlsx", workbook(rows), "application/octet-stream")},
        headers=cohort.instructor_headers,
    )
    assert imported.status == 201, imported.text
    assert imported.json["imported"] == len(rows)
    return int(bank.json["id"])


async def _test(client: Client, cohort: Cohort, bank_id: int, **extra: Any) -> dict[str, Any]:
    body = {
        "title": "结业测试",
        "bank_id": bank_id,
        "duration_minutes": 30,
        "opens_at": (NOW - timedelta(hours=1)).isoformat(),
        "closes_at": (NOW + timedelta(hours=3)).isoformat(),
    } | extra
    reply = await client.post(
        f"/api/v1/practice/classes/{cohort.klass.id}/tests",
        json=body,
        headers=cohort.instructor_headers,
    )
    assert reply.status == 201, reply.text
    return reply.json


def _answers(attempt: dict[str, Any], *given: Any) -> dict[str, Any]:
    return {str(q["id"]): a for q, a in zip(attempt["questions"], given, strict=True)}


async def test_an_import_with_bad_rows_lists_every_one_and_imports_nothing(
    client: Client, cohort: Cohort
) -> None:
    bank = await client.post(
        "/api/v1/practice/banks", json={"title": "题库"}, headers=cohort.instructor_headers
    )
    rows = [
        GOOD_ROWS[0],
        ["单选", "只有一个选项", "甲", "", "", "", "A", 2, ""],
        ["多选", "答案只有一个", "甲", "乙", "丙", "", "A", 2, ""],
        ["判断", "判断题", "", "", "", "", "也许", 2, ""],
        ["填空", "", "", "", "", "", "", 0, ""],
        GOOD_ROWS[3],
    ]
    reply = await client.post(
        f"/api/v1/practice/banks/{bank.json['id']}/import",
        content=workbook(rows),
        headers=cohort.instructor_headers,
    )
    assert reply.status == 422
    errors = {e["row"]: e["problems"] for e in reply.json["errors"]}
    assert sorted(errors) == [3, 4, 5, 6]
    assert errors[3] == ["选择题至少需要两个选项"]
    assert errors[4] == ["多选题至少有两个正确答案"]
    assert errors[5] == ["判断题答案应为“对”或“错”"]
    assert len(errors[6]) == 3  # kind, stem and points
    listed = await client.get(
        f"/api/v1/practice/banks/{bank.json['id']}/questions", headers=cohort.instructor_headers
    )
    assert listed.json["total"] == 0


def test_objective_items_are_scored_exactly_and_short_answers_wait() -> None:
    questions = [
        {"id": 1, "kind": "single", "answer": ["B"], "points": 2},
        {"id": 2, "kind": "multiple", "answer": ["A", "B", "D"], "points": 4},
        {"id": 3, "kind": "true_false", "answer": False, "points": 2},
        {"id": 4, "kind": "short", "answer": "", "points": 12},
    ]
    scores = score_objective(questions, {"1": "b", "2": ["D", "A", "B"], "3": "错", "4": "…"})
    assert scores == {"1": 2.0, "2": 4.0, "3": 2.0, "4": None}
    partly = score_objective(questions, {"1": "A", "2": "AB", "3": True})
    assert partly == {"1": 0.0, "2": 0.0, "3": 0.0, "4": None}
    assert percent(questions, {**scores, "4": 6}) == Decimal("70.0")


def test_the_assessment_formula_is_the_setting() -> None:
    assert combine(Decimal("80"), Decimal("60"), Decimal("0.5")) == Decimal("70.0")
    assert combine(Decimal("73.3"), None, Decimal("1")) == Decimal("73.3")
    assert formula(Decimal("0.4")) == "考核成绩 = 在线测试成绩 × 40% + 实操成绩 × 60%"


async def test_a_trainee_has_one_timed_attempt_unless_the_instructor_allows_more(
    client: Client, cohort: Cohort
) -> None:
    bank_id = await _bank(client, cohort, GOOD_ROWS[:3])
    test = await _test(client, cohort, bank_id)
    started = await client.post(
        f"/api/v1/practice/tests/{test['id']}/attempts", headers=cohort.trainee_headers
    )
    assert started.status == 201
    attempt = started.json
    assert "answer" not in attempt["questions"][0]
    assert attempt["deadline"] == "2026-11-24T10:30:00+08:00"  # 02:30 UTC, shown in Shanghai
    saved = await client.put(
        f"/api/v1/practice/attempts/{attempt['id']}/answers",
        json={"answers": _answers(attempt, "B", "AB", "错")},
        headers=cohort.trainee_headers,
    )
    assert saved.status == 200
    clock.set_clock(lambda: NOW + timedelta(minutes=45))  # past the deadline and the grace
    late = await client.post(
        f"/api/v1/practice/attempts/{attempt['id']}/submit",
        json={"answers": _answers(attempt, "B", "ABD", "错")},
        headers=cohort.trainee_headers,
    )
    assert late.status == 200
    result = late.json
    assert result["late"] is True
    assert result["answers"][str(attempt["questions"][1]["id"])] == "AB"  # saved in time
    assert result["status"] == "graded"
    assert result["score"] == 50.0  # 4 of 8 points
    again = await client.post(
        f"/api/v1/practice/tests/{test['id']}/attempts", headers=cohort.trainee_headers
    )
    assert again.status == 409 and again.json["error"]["code"] == "TEST_ATTEMPTS_USED"
    allowed = await client.post(
        f"/api/v1/practice/tests/{test['id']}/allowances",
        json={"trainee_id": cohort.trainee.id, "extra_attempts": 1},
        headers=cohort.instructor_headers,
    )
    assert allowed.json["allowed_attempts"] == 2
    retake = await client.post(
        f"/api/v1/practice/tests/{test['id']}/attempts", headers=cohort.trainee_headers
    )
    assert retake.status == 201 and retake.json["number"] == 2


async def test_a_test_outside_its_window_cannot_be_started(client: Client, cohort: Cohort) -> None:
    bank_id = await _bank(client, cohort, GOOD_ROWS[:1])
    test = await _test(
        client,
        cohort,
        bank_id,
        opens_at=(NOW + timedelta(days=1)).isoformat(),
        closes_at=(NOW + timedelta(days=2)).isoformat(),
    )
    reply = await client.post(
        f"/api/v1/practice/tests/{test['id']}/attempts", headers=cohort.trainee_headers
    )
    assert reply.status == 422 and reply.json["error"]["code"] == "TEST_NOT_OPEN"


async def test_short_answers_are_graded_and_the_result_feeds_the_assessment(
    client: Client, cohort: Cohort, use_settings: Callable[..., Any]
) -> None:
    use_settings(assessment_online_test_weight=0.6)
    bank_id = await _bank(client, cohort)
    test = await _test(client, cohort, bank_id)
    attempt = (
        await client.post(
            f"/api/v1/practice/tests/{test['id']}/attempts", headers=cohort.trainee_headers
        )
    ).json
    submitted = await client.post(
        f"/api/v1/practice/attempts/{attempt['id']}/submit",
        json={"answers": _answers(attempt, "B", "ABD", "错", "当时……最终……")},
        headers=cohort.trainee_headers,
    )
    assert submitted.json["status"] == "submitted" and submitted.json["score"] is None
    assert submitted.json["objective_score"] == 8.0
    short_id = attempt["questions"][3]["id"]
    over = await client.post(
        f"/api/v1/practice/attempts/{attempt['id']}/grade",
        json={"grades": [{"question_id": short_id, "points": 13}]},
        headers=cohort.instructor_headers,
    )
    assert over.status == 400
    graded = await client.post(
        f"/api/v1/practice/attempts/{attempt['id']}/grade",
        json={"grades": [{"question_id": short_id, "points": 9, "comment": "结果不够具体"}]},
        headers=cohort.instructor_headers,
    )
    assert graded.status == 200, graded.text
    assert graded.json["status"] == "graded" and graded.json["score"] == 85.0  # 17 of 20
    missing = await client.post(
        f"/api/v1/practice/tests/{test['id']}/assessment",
        json={"practical_scores": []},
        headers=cohort.instructor_headers,
    )
    assert missing.json["items"] == []
    assert missing.json["skipped"] == [{"trainee_id": cohort.trainee.id, "reason": "缺少实操成绩"}]
    fed = await client.post(
        f"/api/v1/practice/tests/{test['id']}/assessment",
        json={"practical_scores": [{"trainee_id": cohort.trainee.id, "score": 70}]},
        headers=cohort.instructor_headers,
    )
    assert fed.status == 200, fed.text
    row = fed.json["items"][0]
    assert fed.json["formula"] == "考核成绩 = 在线测试成绩 × 60% + 实操成绩 × 40%"
    assert (row["test_score"], row["practical_score"], row["combined"]) == ("85.0", "70.0", "79.0")
    enrolment = await Enrolment.get(training_class_id=cohort.klass.id, trainee_id=cohort.trainee.id)
    result = await AssessmentResult.get(enrolment_id=enrolment.id)
    assert (result.score, result.passed) == (Decimal("79.0"), True)
    shown = await client.get(
        f"/api/v1/practice/tests/{test['id']}/assessment", headers=cohort.instructor_headers
    )
    assert shown.json["items"][0]["formula"] == fed.json["formula"]
    kept = await client.get(
        f"/api/v1/practice/attempts/{attempt['id']}", headers=cohort.trainee_headers
    )
    assert kept.json["answers"][str(short_id)] == "当时……最终……"
