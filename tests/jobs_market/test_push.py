"""The daily job push: few, new, relevant postings; never twice; not to the employed."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import pytest

from backend.accounts.access import load_actor
from backend.accounts.models import Trainee
from backend.config import Settings
from backend.employment.matching import reasons
from backend.employment.models import (
    EmploymentStatus,
    JobPosting,
    JobProfile,
    JobPush,
    OutcomeSource,
)
from backend.employment.outcomes import Outcome, record_employment
from backend.employment.push import MAX_PUSHES_PER_DAY, MIN_PUSH_SCORE, push_daily_jobs
from backend.employment.service import (
    ProfileInput,
    match_profile,
    posting_facts,
    save_job_profile,
    seeker_facts,
)
from backend.employment.sync import sync_postings
from backend.integrations.recruitment import RecruitmentConnector
from backend.notifications.models import Channel, OutboxMessage
from backend.notifications.templates import template
from backend.occupations import Education
from miniprogram_api.standins.recruitment import RecruitmentSim
from tests.support.factories import make_trainee, make_user

DAY = date(2026, 12, 1)


@pytest.fixture
async def market(
    settings: Settings, sim: RecruitmentSim, connector: RecruitmentConnector
) -> RecruitmentSim:
    await sync_postings(connector=connector)
    return sim


async def seeker(bound: bool = True, **changes: Any) -> Trainee:
    """A trainee who wants sales work in the inner districts."""
    user = await make_user() if bound else None
    trainee = await make_trainee(user=user)
    if user is None:
        return trainee
    data = {
        "desired_occupations": ["4-01-02-01"],
        "districts": ["350102", "350103", "350104", "350111"],
        "salary_floor": 4000,
        "education": Education.JUNIOR_COLLEGE,
        "major": "市场营销",
        "skills": ["客户开发"],
        "intention": "销售工作，沟通能力强",
        "currently_employed": False,
    }
    data.update(changes)
    await save_job_profile(actor=await load_actor(user.id), data=ProfileInput(**data))
    return trainee


async def pushed_ids(trainee: Trainee) -> list[int]:
    return list(await JobPush.filter(trainee_id=trainee.id).values_list("posting_id", flat=True))


async def test_a_trainee_gets_at_most_n_new_matches_a_day_in_one_subscribe_message(
    market: RecruitmentSim,
) -> None:
    trainee = await seeker()
    report = await push_daily_jobs(day=DAY)
    assert (report.trainees_pushed, report.postings_pushed) == (1, MAX_PUSHES_PER_DAY)
    pushes = await JobPush.filter(trainee_id=trainee.id)
    assert len(pushes) == MAX_PUSHES_PER_DAY
    assert all(p.score >= MIN_PUSH_SCORE and p.pushed_on == DAY for p in pushes)
    message = await OutboxMessage.get(channel=Channel.SUBSCRIBE, template_key="job_push")
    assert message.dedupe_key == f"job_push:{trainee.id}:2026-12-01"
    assert message.payload["posting_ids"] == [
        p.posting_id for p in sorted(pushes, key=lambda p: -p.score)
    ]
    assert message.payload["data"]["thing4"] == "今日为您推荐3个新岗位，点击查看"
    assert template("job_push").render(message.payload).data["thing1"]


async def test_a_second_run_the_same_day_pushes_nothing_more(market: RecruitmentSim) -> None:
    await seeker()
    await push_daily_jobs(day=DAY)
    again = await push_daily_jobs(day=DAY)
    assert (again.postings_pushed, again.already_today) == (0, 1)
    assert await OutboxMessage.filter(template_key="job_push").count() == 1


async def test_the_next_day_brings_other_postings_never_pushed_before(
    market: RecruitmentSim,
) -> None:
    trainee = await seeker()
    await push_daily_jobs(day=DAY)
    first = set(await pushed_ids(trainee))
    await push_daily_jobs(day=DAY + timedelta(days=1))
    everything = await pushed_ids(trainee)
    assert len(everything) == len(set(everything)) == 2 * MAX_PUSHES_PER_DAY
    assert first < set(everything)
    assert await OutboxMessage.filter(template_key="job_push").count() == 2


async def test_trainees_recorded_as_employed_are_skipped(market: RecruitmentSim) -> None:
    hired = await seeker()
    await record_employment(
        trainee_id=hired.id,
        class_id=None,
        outcome=Outcome(EmploymentStatus.EMPLOYED, OutcomeSource.INSTRUCTOR, "某公司", "销售"),
        recorded_by_id=None,
    )
    switched = await seeker(currently_employed=True)
    looking = await seeker()
    report = await push_daily_jobs(day=DAY)
    assert report.skipped_employed == 2 and report.trainees_pushed == 1
    assert await pushed_ids(hired) == [] and await pushed_ids(switched) == []
    assert len(await pushed_ids(looking)) == MAX_PUSHES_PER_DAY


async def test_a_trainee_who_found_work_and_lost_it_again_gets_pushes(
    market: RecruitmentSim,
) -> None:
    trainee = await seeker()
    for status in (EmploymentStatus.EMPLOYED, EmploymentStatus.UNEMPLOYED):
        outcome = Outcome(status, OutcomeSource.SURVEY, "某公司", "销售")
        await record_employment(
            trainee_id=trainee.id, class_id=None, outcome=outcome, recorded_by_id=None
        )
    report = await push_daily_jobs(day=DAY)
    assert report.trainees_pushed == 1


async def test_nothing_is_pushed_when_nothing_relevant_is_left(market: RecruitmentSim) -> None:
    # Wants welding in a district with no welding postings, at a salary nobody pays.
    trainee = await seeker(
        desired_occupations=["6-18-02-04"],
        districts=["350125"],
        salary_floor=60000,
        skills=[],
        intention="",
        major="",
    )
    report = await push_daily_jobs(day=DAY)
    assert report.postings_pushed == 0 and await pushed_ids(trainee) == []
    assert await OutboxMessage.filter(template_key="job_push").count() == 0


async def test_a_trainee_not_bound_to_a_user_cannot_be_reached_and_is_skipped(
    market: RecruitmentSim,
) -> None:
    unbound = await seeker(bound=False)
    await JobProfile.create(trainee_id=unbound.id, desired_occupations=["4-01-02-01"])
    report = await push_daily_jobs(day=DAY)
    assert report.skipped_unbound == 1 and report.postings_pushed == 0


def posting_reads(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The statements that read postings' display fields (the push's, not the index's)."""
    sql = [r.getMessage() for r in caplog.records if r.name == "tortoise.db_client"]
    return [q for q in sql if '"job_posting"' in q and '"employer"' in q]


async def test_a_batch_reads_its_picked_postings_once_and_explains_each_push_as_before(
    market: RecruitmentSim, caplog: pytest.LogCaptureFixture
) -> None:
    trainees = [
        await seeker(),
        await seeker(desired_occupations=["4-02-02-01"], intention="仓库管理 叉车"),
        await seeker(skills=["收银"], intention="超市收银员"),
    ]
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        report = await push_daily_jobs(day=DAY)
    assert report.trainees_pushed == 3
    assert len(posting_reads(caplog)) == 1
    for trainee in trainees:
        message = await OutboxMessage.get(dedupe_key=f"job_push:{trainee.id}:2026-12-01")
        profile = await JobProfile.get(trainee_id=trainee.id)
        top = await JobPosting.get(id=message.payload["posting_ids"][0])
        seeker_wishes = seeker_facts(profile, match_profile(profile).terms)
        why = reasons(posting_facts(top), seeker_wishes, limit=1)  # the stored row's terms
        assert message.payload["data"]["thing3"] == (why[0] if why else "与您的求职意向相符")
        assert message.payload["data"]["thing1"] == top.title
        assert message.payload["data"]["thing2"] == top.employer
