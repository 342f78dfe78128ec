"""The daily job push: a few new, relevant postings per trainee, through the outbox.

For every trainee with a profile who is not recorded as employed, the best matches never pushed
to them before are taken (at most MAX_PUSHES_PER_DAY, each scoring at least MIN_PUSH_SCORE) and
sent as one subscribe message of the `job_push` template; the dispatcher falls back to the
in-app inbox when there is no consent. `JobPush` is unique per (trainee, posting), and the
outbox key per (trainee, day): a second run on the same day sends nothing more.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.models import Trainee
from backend.employment.index import JobIndex
from backend.employment.matching import Match, MatchProfile, reasons, top_matches
from backend.employment.models import (
    EMPLOYED_STATES,
    LISTED_FIELDS,
    JobPosting,
    JobProfile,
    JobPush,
)
from backend.employment.outcomes import latest_outcomes
from backend.employment.search import job_index
from backend.employment.service import match_profile, posting_facts, seeker_facts
from backend.employment.terms import ready as tokens_ready
from backend.notifications.models import Channel
from backend.notifications.outbox import enqueue
from backend.notifications.templates import TemplateSpec, register_template

MAX_PUSHES_PER_DAY = 3
MIN_PUSH_SCORE = 0.35
CANDIDATES = 20
BATCH = 200
SLICE_SECONDS = 0.015  # longest stretch of matching before yielding to the event loop
# A zero sleep would resume this task before timers that fell due meanwhile (they queue behind
# it); a millisecond lets them, and requests served by the same loop, go first.
YIELD_SECONDS = 0.001
PUSH_TEMPLATE = "job_push"
PUSH_PAGE = "pages/jobs/matches"

register_template(
    TemplateSpec(
        key=PUSH_TEMPLATE,
        title="岗位推荐",
        subscribe_id="tpl-job-push",
        fields={"thing1": "thing", "thing2": "thing", "thing3": "thing", "thing4": "thing"},
        labels={
            "thing1": "推荐岗位",
            "thing2": "招聘单位",
            "thing3": "推荐理由",
            "thing4": "温馨提示",
        },
        page=PUSH_PAGE,
        needs_person=False,  # a missed job push is not worth a phone call: the inbox keeps it
    )
)

K = TypeVar("K")


async def rank_many(
    index: JobIndex, profiles: Iterable[tuple[K, MatchProfile]], *, now: float, k: int = CANDIDATES
) -> dict[K, list[Match]]:
    """Top matches of many profiles, yielding to the event loop every 15 ms."""
    results: dict[K, list[Match]] = {}
    await asyncio.sleep(YIELD_SECONDS)  # reading the profiles was a stretch of its own
    deadline = time.perf_counter() + SLICE_SECONDS
    for key, profile in profiles:
        results[key] = top_matches(index, profile, now=now, k=k)
        if time.perf_counter() > deadline:
            await asyncio.sleep(YIELD_SECONDS)
            deadline = time.perf_counter() + SLICE_SECONDS
    return results


@dataclass
class PushReport:
    """What a daily push run did."""

    profiles: int = 0
    skipped_employed: int = 0
    skipped_unbound: int = 0
    already_today: int = 0
    trainees_pushed: int = 0
    postings_pushed: int = 0


async def push_daily_jobs(*, day: date | None = None) -> PushReport:
    """Queue today's job push for every trainee who looks for work (idempotent per day)."""
    day = day or clock.today()
    report = PushReport()
    await tokens_ready()
    last_id = 0
    while True:
        profiles = await JobProfile.filter(id__gt=last_id).order_by("id").limit(BATCH)
        if not profiles:
            return report
        last_id = profiles[-1].id
        await _push_batch(profiles, day, report)


async def _push_batch(profiles: list[JobProfile], day: date, report: PushReport) -> None:
    report.profiles += len(profiles)
    users = await _bound_users([p.trainee_id for p in profiles])
    employed = await _employed([p.trainee_id for p in profiles])
    done_today = set(
        await JobPush.filter(
            trainee_id__in=[p.trainee_id for p in profiles], pushed_on=day
        ).values_list("trainee_id", flat=True)
    )
    wanted: list[JobProfile] = []
    for profile in profiles:
        if profile.currently_employed or profile.trainee_id in employed:
            report.skipped_employed += 1
        elif profile.trainee_id not in users:
            report.skipped_unbound += 1
        elif profile.trainee_id in done_today:
            report.already_today += 1
        else:
            wanted.append(profile)
    index = await job_index()
    queries, picked = await _pick(index, wanted)
    postings = await _postings({m.posting_id for picks in picked.values() for m in picks})
    for profile in wanted:
        picks = [m for m in picked[profile.trainee_id] if m.posting_id in postings]
        if picks:
            top = postings[picks[0].posting_id]
            terms = index.terms_of(top.id) or ()  # () if it left the index since it was ranked
            reason = _reason(profile, queries[profile.trainee_id], top, terms)
            payload = _payload(top, reason, picks, day)
            count = await _push_one(profile, users[profile.trainee_id], picks, payload, day)
            report.trainees_pushed += bool(count)
            report.postings_pushed += count


async def _pick(
    index: JobIndex, wanted: list[JobProfile]
) -> tuple[dict[int, MatchProfile], dict[int, list[Match]]]:
    """Each trainee's query and best new matches (at most MAX_PUSHES_PER_DAY, good enough)."""
    pushed = await _pushed([p.trainee_id for p in wanted])
    queries: dict[int, MatchProfile] = {}

    def query_of(profile: JobProfile) -> tuple[int, MatchProfile]:
        query = match_profile(profile, exclude=pushed[profile.trainee_id])
        queries[profile.trainee_id] = query  # kept: its terms also explain the push
        return profile.trainee_id, query

    ranked = await rank_many(index, map(query_of, wanted), now=clock.now().timestamp())
    picked = {
        trainee_id: [m for m in found if m.score >= MIN_PUSH_SCORE][:MAX_PUSHES_PER_DAY]
        for trainee_id, found in ranked.items()
    }
    return queries, picked


async def _postings(ids: set[int]) -> dict[int, JobPosting]:
    """The picked postings of a batch, in one query (only what the message needs)."""
    if not ids:
        return {}
    rows = await JobPosting.filter(id__in=ids).only(*LISTED_FIELDS)
    return {p.id: p for p in rows}


async def _bound_users(trainee_ids: list[int]) -> dict[int, int]:
    rows = await Trainee.filter(id__in=trainee_ids, user_id__isnull=False).values_list(
        "id", "user_id"
    )
    return {int(t): int(u) for t, u in rows}


async def _employed(trainee_ids: list[int]) -> set[int]:
    latest = await latest_outcomes(trainee_ids)
    return {t for t, record in latest.items() if record.status in EMPLOYED_STATES}


async def _pushed(trainee_ids: list[int]) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for trainee_id, posting_id in await JobPush.filter(trainee_id__in=trainee_ids).values_list(
        "trainee_id", "posting_id"
    ):
        found[int(trainee_id)].add(int(posting_id))
    return defaultdict(frozenset, {t: frozenset(p) for t, p in found.items()})


def _reason(
    profile: JobProfile, query: MatchProfile, top: JobPosting, terms: tuple[str, ...]
) -> str:
    """Why the best posting was picked (`terms`: its index terms)."""
    why = reasons(posting_facts(top, terms), seeker_facts(profile, query.terms), limit=1)
    return why[0] if why else "与您的求职意向相符"


def _payload(top: JobPosting, reason: str, picks: list[Match], day: date) -> dict[str, Any]:
    """The message: the best posting, its employer, why, and how many were picked today."""
    return {
        "data": {
            "thing1": top.title,
            "thing2": top.employer,
            "thing3": reason,
            "thing4": f"今日为您推荐{len(picks)}个新岗位，点击查看",
        },
        "page": f"{PUSH_PAGE}?date={day.isoformat()}",
        "posting_ids": [m.posting_id for m in picks],
    }


async def _push_one(
    profile: JobProfile, user_id: int, picks: list[Match], payload: dict[str, Any], day: date
) -> int:
    """One message and its JobPush rows in one transaction; 0 if already done."""
    try:
        async with in_transaction():
            message = await enqueue(
                dedupe_key=f"job_push:{profile.trainee_id}:{day.isoformat()}",
                channel=Channel.SUBSCRIBE,
                template_key=PUSH_TEMPLATE,
                payload=payload,
                user_id=user_id,
            )
            if message is None:
                return 0
            await JobPush.bulk_create(
                [
                    JobPush(
                        trainee_id=profile.trainee_id,
                        posting_id=m.posting_id,
                        pushed_on=day,
                        score=round(m.score, 4),
                        outbox_id=message.id,
                    )
                    for m in picks
                ]
            )
    except IntegrityError:  # pushed by a concurrent run: that run's message stands
        return 0
    return len(picks)
