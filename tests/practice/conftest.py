"""Fixtures of the practice tests: the language-model stand-in and a bound trainee."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from backend.accounts.models import Trainee, User
from backend.classes.models import TrainingClass
from miniprogram_api.standins.llm import FakeLlm, start_fake_llm
from tests.support.factories import (
    assign_instructor,
    auth,
    enrol,
    make_class,
    make_institution,
    make_instructor,
    make_trainee,
    make_user,
)


@pytest.fixture(scope="session")
async def running_llm() -> AsyncIterator[FakeLlm]:
    """The model stand-in, a real HTTP server on a free loopback port."""
    fake = await start_fake_llm("127.0.0.1", 0)
    yield fake
    await fake.stop()


@pytest.fixture
def fake_llm(running_llm: FakeLlm, use_settings: Callable[..., Any]) -> FakeLlm:
    """The stand-in, reset, configured as LLM_API_BASE for this test."""
    running_llm.state.reset()
    use_settings(llm_api_base=running_llm.api_base, llm_timeout=2.0, llm_retries=1)
    return running_llm


@dataclass
class Cohort:
    """A class with one bound trainee and one instructor (with their request headers)."""

    klass: TrainingClass
    trainee: Trainee
    trainee_user: User
    trainee_headers: dict[str, str]
    instructor_headers: dict[str, str]


@pytest.fixture
async def cohort(database_url: str) -> Cohort:
    inst = await make_institution()
    klass = await make_class(inst)
    user = await make_user()
    trainee = await make_trainee("陈雨桐", user=user, phone="13912345678")
    trainee.school, trainee.major, trainee.education = "福建师范大学", "市场营销", "本科"
    await trainee.save()
    await enrol(klass, trainee)
    instructor, instructor_user = await make_instructor()
    await assign_instructor(klass, instructor)
    assert instructor_user is not None
    return Cohort(klass, trainee, user, auth(user), auth(instructor_user))
