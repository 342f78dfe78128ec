"""Model calls never block the event loop, are capped per process, and a double start of a
test attempt makes one row (PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from backend import clock
from backend.employment.terms import ready as tokens_ready
from backend.integrations.llm import ChatClient, LlmConfig
from backend.practice.models import OnlineTestAttempt
from miniprogram_api.standins.llm import FakeLlm
from tests.practice.conftest import Cohort
from tests.practice.test_interviews import STAR_ANSWER
from tests.practice.test_online_tests import GOOD_ROWS, workbook
from tests.support.client import Client
from tests.support.factories import auth, enrol, make_trainee, make_user


async def test_concurrent_answers_wait_on_the_model_together_not_in_turn(
    client: Client, cohort: Cohort, fake_llm: FakeLlm
) -> None:
    fake_llm.state.latency = 0.5
    people = []
    for _ in range(8):
        user = await make_user()
        await enrol(cohort.klass, await make_trainee(user=user))
        reply = await client.post(
            "/api/v1/practice/interviews",
            json={"occupation_code": "4-01-02-01"},
            headers=auth(user),
        )
        people.append((auth(user), reply.json["id"]))
    await tokens_ready()  # jieba's dictionary loads once per process (the API warms it at start)
    started = time.perf_counter()
    replies = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/practice/interviews/{interview_id}/answers",
                json={"question_index": 1, "text": STAR_ANSWER},
                headers=headers,
            )
            for headers, interview_id in people
        )
    )
    elapsed = time.perf_counter() - started
    assert [r.json["feedback"]["mode"] for r in replies] == ["model"] * 8
    assert elapsed < 8 * 0.5 / 2  # in turn it would take 4 s


async def test_calls_beyond_the_concurrency_cap_wait_their_turn(fake_llm: FakeLlm) -> None:
    fake_llm.state.latency = 0.3
    client = ChatClient(LlmConfig(api_base=fake_llm.api_base, model="m", max_concurrency=2))
    messages = [{"role": "user", "content": '{"回答": "当时我负责"}'}]
    try:
        started = time.perf_counter()
        await asyncio.gather(*(client.complete(messages) for _ in range(4)))
        elapsed = time.perf_counter() - started
    finally:
        await client.close()
    assert elapsed >= 0.6  # two rounds of two
    assert len(fake_llm.state.requests) == 4


@pytest.mark.postgres_only
async def test_a_double_start_of_an_attempt_makes_one_row(
    client: Client, cohort: Cohort, use_settings: Callable[..., Any]
) -> None:
    bank = await client.post(
        "/api/v1/practice/banks", json={"title": "题库"}, headers=cohort.instructor_headers
    )
    await client.post(
        f"/api/v1/practice/banks/{bank.json['id']}/import",
        content=workbook(GOOD_ROWS[:1]),
        headers=cohort.instructor_headers,
    )
    now = clock.now()
    test = await client.post(
        f"/api/v1/practice/classes/{cohort.klass.id}/tests",
        json={
            "title": "测试",
            "bank_id": bank.json["id"],
            "duration_minutes": 10,
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(hours=1)).isoformat(),
        },
        headers=cohort.instructor_headers,
    )
    replies = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/practice/tests/{test.json['id']}/attempts",
                headers=cohort.trainee_headers,
            )
            for _ in range(6)
        )
    )
    assert {r.status for r in replies} <= {201, 409}
    assert await OnlineTestAttempt.filter(test_id=test.json["id"]).count() == 1
