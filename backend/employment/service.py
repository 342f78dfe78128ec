"""Job seeking for trainees: profile, postings, matches and applications.

第二十一条(三): the platform links to the public recruitment site and offers job matching and
resume delivery (岗位匹配、简历投递). An application is recorded and its delivery queued in the
outbox in one transaction; `delivery.py` forwards it to the site.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor
from backend.accounts.models import Role, Trainee
from backend.districts import district_name
from backend.employment.matching import (
    Match,
    MatchProfile,
    PostingFacts,
    SeekerFacts,
    reasons,
    top_matches,
)
from backend.employment.models import (
    LISTED_FIELDS,
    ApplicationStatus,
    JobApplication,
    JobPosting,
    JobProfile,
)
from backend.employment.search import job_index
from backend.employment.terms import query_terms
from backend.employment.terms import ready as tokens_ready
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from backend.notifications.models import Channel
from backend.notifications.outbox import enqueue
from backend.occupations import (
    EDUCATION_RANK,
    Education,
    code_name,
)
from backend.reference.service import ROSTER_EDUCATION, RefKind, resolve, resolve_all

APPLICATION_TEMPLATE = "job_application"
MATCH_LIMIT = 20
MAX_WANTED = 5
# 第二十一条(三): every role browses the postings (staff recommend jobs too, 第二十条) …
BROWSERS = frozenset(Role)
SEEKERS = frozenset({Role.TRAINEE})  # … a trainee keeps a profile, gets matches and applies


def _trainee_id(actor: Actor) -> int:
    if actor.trainee_id is None:
        raise Forbidden("请先绑定学员身份", code="TRAINEE_REQUIRED")
    return actor.trainee_id


# -- profile ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileInput:
    """What a trainee states about the job they look for (codes or exact labels)."""

    desired_occupations: list[str]
    districts: list[str]
    salary_floor: int | None
    education: str | Education | None
    major: str
    skills: list[str]
    intention: str
    currently_employed: bool


def _checked(data: ProfileInput) -> ProfileInput:
    """Every value read as its code (code or exact label accepted; a refusal lists the allowed)."""
    occupations = resolve_all(
        RefKind.OCCUPATION, data.desired_occupations, field="desired_occupations"
    )
    districts = resolve_all(RefKind.DISTRICT, data.districts, field="districts")
    education = (
        Education(resolve(RefKind.EDUCATION, str(data.education), field="education"))
        if data.education
        else None
    )
    if len(set(occupations)) > MAX_WANTED:
        raise InvalidInput(f"期望岗位类别最多选择{MAX_WANTED}个", code="TOO_MANY_OCCUPATIONS")
    return replace(data, desired_occupations=occupations, districts=districts, education=education)


async def save_job_profile(*, actor: Actor, data: ProfileInput) -> JobProfile:
    """Create or replace the caller's job-seeking profile."""
    trainee_id = _trainee_id(actor)
    data = _checked(data)
    values: dict[str, Any] = {
        "desired_occupations": list(dict.fromkeys(data.desired_occupations)),
        "districts": list(dict.fromkeys(data.districts)),
        "salary_floor": data.salary_floor,
        "education": data.education or None,
        "major": data.major.strip(),
        "skills": [s.strip() for s in data.skills if s.strip()],
        "intention": data.intention.strip(),
        "currently_employed": data.currently_employed,
    }
    # QuerySet.update leaves auto_now fields alone: say when the profile changed.
    changed = {**values, "updated_at": clock.now()}
    if await JobProfile.filter(trainee_id=trainee_id).update(**changed):
        return await JobProfile.get(trainee_id=trainee_id)
    try:
        async with in_transaction():  # a savepoint when the caller holds a transaction
            return await JobProfile.create(trainee_id=trainee_id, **values)
    except IntegrityError:  # created at the same moment by another request: update it
        await JobProfile.filter(trainee_id=trainee_id).update(**changed)
        return await JobProfile.get(trainee_id=trainee_id)


async def job_filters(
    *, district: str | None, occupation: str | None, education: str | None
) -> tuple[str | None, str | None, Education | None]:
    """Search filters given as codes or exact labels, read as codes (refusal lists allowed)."""
    return (
        resolve(RefKind.DISTRICT, district, field="district") if district else None,
        resolve(RefKind.OCCUPATION, occupation, field="occupation") if occupation else None,
        Education(resolve(RefKind.EDUCATION, education, field="education")) if education else None,
    )


async def prefilled_profile(*, actor: Actor) -> ProfileInput:
    """A first profile from the roster row (education, major), before the trainee saves one."""
    trainee = await Trainee.get(id=_trainee_id(actor))
    return ProfileInput(
        desired_occupations=[],
        districts=[],
        salary_floor=None,
        education=ROSTER_EDUCATION.get(trainee.education),
        major=trainee.major,
        skills=[],
        intention="",
        currently_employed=False,
    )


async def get_job_profile(*, actor: Actor) -> JobProfile | None:
    """The caller's profile, None when not written yet."""
    return await JobProfile.get_or_none(trainee_id=_trainee_id(actor))


def profile_terms(profile: JobProfile) -> tuple[str, ...]:
    """The words matching looks for: wanted occupations, intention, skills, major."""
    names = " ".join(code_name(c, "") for c in profile.desired_occupations)
    skills = " ".join(profile.skills)
    return tuple(query_terms(names, profile.intention, skills, profile.major))


def match_profile(profile: JobProfile, *, exclude: frozenset[int] = frozenset()) -> MatchProfile:
    """A stored profile as matching reads it."""
    return MatchProfile(
        occupations=tuple(profile.desired_occupations),
        districts=frozenset(profile.districts),
        salary_floor=profile.salary_floor or None,
        education_rank=EDUCATION_RANK[profile.education] if profile.education else None,
        terms=profile_terms(profile),
        exclude=exclude,
    )


def seeker_facts(profile: JobProfile, terms: tuple[str, ...]) -> SeekerFacts:
    """What reasons may say about the trainee's wishes."""
    return SeekerFacts(
        occupations=tuple(profile.desired_occupations),
        districts=frozenset(profile.districts),
        salary_floor=profile.salary_floor or None,
        education=profile.education,
        terms=terms,
    )


# -- postings and matches ---------------------------------------------------------------------


async def job_detail(*, actor: Actor, posting_id: int) -> tuple[JobPosting, JobApplication | None]:
    """A posting (active or not) and the caller's application to it, if any."""
    posting = await JobPosting.get_or_none(id=posting_id)
    if posting is None:
        raise NotFound("岗位不存在", code="JOB_NOT_FOUND")
    application = None
    if actor.trainee_id is not None:
        application = await JobApplication.get_or_none(
            trainee_id=actor.trainee_id, posting_id=posting_id
        )
    return posting, application


def is_open(posting: JobPosting) -> bool:
    """Active on the site and not past its closing time."""
    return posting.active and (posting.expires_at is None or posting.expires_at > clock.now())


@dataclass(frozen=True)
class RankedJob:
    """A matched posting with its score and reasons."""

    posting: JobPosting
    match: Match
    reasons: list[str]


def posting_facts(posting: JobPosting, terms: Iterable[str] | None = None) -> PostingFacts:
    """What a reason may say about a posting (its index terms from the row unless given)."""
    if terms is None:
        terms = json.loads(posting.terms or "{}")
    age = (clock.now() - posting.published_at).total_seconds() / 86400
    return PostingFacts(
        occupation_code=posting.occupation_code,
        occupation_name=posting.occupation_name or code_name(posting.occupation_code),
        district_name=district_name(posting.district_code),
        salary_min=posting.salary_min,
        salary_max=posting.salary_max,
        education=posting.education,
        terms=frozenset(terms or ()),
        age_days=age,
    )


async def rank_for_profile(
    profile: JobProfile, *, limit: int = MATCH_LIMIT, exclude: frozenset[int] = frozenset()
) -> list[RankedJob]:
    """The best postings for a profile, with reasons."""
    await tokens_ready()
    query = match_profile(profile, exclude=exclude)
    index = await job_index()
    found = top_matches(index, query, now=clock.now().timestamp(), k=limit)
    listed = JobPosting.filter(id__in=[m.posting_id for m in found]).only(*LISTED_FIELDS)
    rows = {p.id: p for p in await listed}
    seeker = seeker_facts(profile, query.terms)
    ranked = []
    for m in found:
        if m.posting_id in rows:
            facts = posting_facts(rows[m.posting_id], index.terms_of(m.posting_id))
            ranked.append(RankedJob(rows[m.posting_id], m, reasons(facts, seeker)))
    return ranked


async def my_job_matches(*, actor: Actor, limit: int = MATCH_LIMIT) -> list[RankedJob]:
    """Ranked postings for the caller's profile (a profile is needed first)."""
    profile = await JobProfile.get_or_none(trainee_id=_trainee_id(actor))
    if profile is None:
        raise RuleViolation("请先填写求职意向，再查看岗位推荐", code="JOB_PROFILE_REQUIRED")
    return await rank_for_profile(profile, limit=limit)


# -- applications -----------------------------------------------------------------------------


async def apply_to_job(*, actor: Actor, posting_id: int, message: str = "") -> JobApplication:
    """Record an application and queue its delivery to the site (one transaction)."""
    trainee_id = _trainee_id(actor)
    posting = await JobPosting.get_or_none(id=posting_id)
    if posting is None:
        raise NotFound("岗位不存在", code="JOB_NOT_FOUND")
    if not is_open(posting):
        raise RuleViolation("该岗位已下架或已过期，无法投递", code="JOB_CLOSED")
    if not await JobProfile.exists(trainee_id=trainee_id):
        raise RuleViolation("投递前请先完善求职意向（简历信息）", code="JOB_PROFILE_REQUIRED")
    try:
        async with in_transaction():
            application = await JobApplication.create(
                trainee_id=trainee_id, posting_id=posting_id, message=message.strip()
            )
            await _queue_delivery(application, actor.user_id)
    except IntegrityError:
        application = await _apply_again(trainee_id, posting_id, actor.user_id)
    application.posting = posting  # the caller shows it: no second read
    return application


async def _queue_delivery(application: JobApplication, user_id: int) -> None:
    await enqueue(
        dedupe_key=f"job_application:{application.id}:{application.submission}",
        channel=Channel.RECRUITMENT,
        template_key=APPLICATION_TEMPLATE,
        payload={"application_id": application.id},
        user_id=user_id,
    )


async def _apply_again(trainee_id: int, posting_id: int, user_id: int) -> JobApplication:
    """A second application: refused kindly, unless the first one failed for good."""
    existing = await JobApplication.get(trainee_id=trainee_id, posting_id=posting_id)
    if existing.status is not ApplicationStatus.FAILED:
        raise Conflict(
            "您已投递过该岗位，无需重复投递，请留意用人单位的联系",
            code="ALREADY_APPLIED",
            details={"application_id": existing.id, "status": existing.status.value},
        )
    async with in_transaction():
        retried = await JobApplication.filter(
            id=existing.id, status=ApplicationStatus.FAILED, submission=existing.submission
        ).update(status=ApplicationStatus.PENDING, submission=F("submission") + 1, last_error="")
        if not retried:
            raise Conflict("投递正在处理中，请稍后查看状态", code="ALREADY_APPLIED")
        await existing.refresh_from_db()
        await _queue_delivery(existing, user_id)
    return existing


async def my_applications(*, actor: Actor) -> list[JobApplication]:
    """The caller's applications with their postings, newest first."""
    return (
        await JobApplication.filter(trainee_id=_trainee_id(actor))
        .order_by("-created_at", "-id")
        .prefetch_related("posting")
    )
