"""The process's copy of the posting index, kept in step with the database, and job search.

The sync stores each posting's jieba terms and numbers every change (`JobPosting.change_seq`,
`JobIndexState.seq`). A process loads the index once, then on every use reads the one-row state
and applies only the rows changed since (a new epoch or too many changes: a full rebuild, done
beside the old index, which keeps serving). Loading yields to the event loop between pages.

The copy belongs to the runtime (`runtime().derived(index_cache)`), like the other things a
process builds once: a runtime swapped with `use_runtime` starts from an empty index, and tests
give one that checks the database on every use (`IndexCache(check_seconds=0)`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.functions import Avg

from backend import clock
from backend.config import Settings
from backend.employment.index import NEVER, IndexedPosting, JobIndex
from backend.employment.models import LISTED_FIELDS, JobIndexState, JobPosting
from backend.employment.sync import INDEX_STATE_ID
from backend.employment.terms import query_terms
from backend.employment.terms import ready as tokens_ready
from backend.occupations import EDUCATION_RANK, Education
from backend.runtime import runtime

log = logging.getLogger("jobready.market.index")

PAGE = 250
REBUILD_DEAD_SHARE = 0.3
REBUILD_CHANGED_SHARE = 0.2
REBUILD_MIN_CHANGES = 500
CHECK_SECONDS = 1.0  # postings change with the hourly sync, not by the second
YIELD_EVERY = 20_000  # index entries handled between two yields to the event loop
FIELDS = (
    "id",
    "active",
    "district_code",
    "occupation_code",
    "salary_min",
    "salary_max",
    "education",
    "published_at",
    "expires_at",
    "terms",
)


def _timestamp(value: datetime | None) -> float:
    return value.timestamp() if value is not None else NEVER


def _indexed(row: tuple[Any, ...]) -> IndexedPosting:
    pid, _, district, code, low, high, education, published, expires, terms = row
    return IndexedPosting(
        posting_id=int(pid),
        district=district,
        code=code,
        salary_min=int(low),
        salary_max=int(high),
        education_rank=EDUCATION_RANK[Education(education)],
        published=_timestamp(published),
        expires=_timestamp(expires),
        terms=json.loads(terms),
    )


class IndexCache:
    """One process's index and the change number it reflects."""

    def __init__(self, *, check_seconds: float = CHECK_SECONDS) -> None:
        self.index = JobIndex()
        self.epoch: str | None = None
        self.seq = 0
        self.check_seconds = check_seconds
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._checked = -math.inf

    def _guard(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    async def current(self) -> JobIndex:
        """The index, brought up to date with the database first (checked at most every
        `check_seconds`)."""
        now = time.monotonic()
        if self.epoch is not None and now - self._checked < self.check_seconds:
            return self.index
        self._checked = now
        state = await _state()
        if state == (self.epoch, self.seq):
            return self.index
        async with self._guard():
            state = await _state()
            if state != (self.epoch, self.seq):
                await self._refresh(*state)
        return self.index

    async def _refresh(self, epoch: str | None, seq: int) -> None:
        if epoch is None:
            self.index, self.epoch, self.seq = JobIndex(), None, 0
            return
        changed = await JobPosting.filter(change_seq__gt=self.seq).count()
        too_many = changed > max(REBUILD_MIN_CHANGES, REBUILD_CHANGED_SHARE * self.index.live)
        if epoch != self.epoch or too_many or self.index.dead_share > REBUILD_DEAD_SHARE:
            started = time.perf_counter()
            self.index = await load_index()
            gc.freeze()  # the index lives until the next rebuild: no need to scan it for cycles
            log.info(
                "job index built",
                extra={
                    "postings": self.index.live,
                    "seconds": round(time.perf_counter() - started, 2),
                },
            )
        else:
            await _apply_changes(self.index, self.seq)
            self.index.prepare()  # re-order the few buckets the changes touched
        self.epoch, self.seq = epoch, seq


async def _state() -> tuple[str | None, int]:
    row = await JobIndexState.filter(id=INDEX_STATE_ID).first().values_list("epoch", "seq")
    return (str(row[0]), int(row[1])) if row else (None, 0)


async def load_index() -> JobIndex:
    """A full index of the active postings, built page by page (the loop stays responsive)."""
    averages = (
        await JobPosting.filter(active=True)
        .annotate(avg=Avg("doc_len"))
        .values_list("avg", flat=True)
    )
    avgdl = float(averages[0] or 0) if averages else 0.0  # type: ignore[arg-type]
    index = JobIndex(avgdl=avgdl)
    last_id = 0
    while True:
        rows = (
            await JobPosting.filter(active=True, id__gt=last_id)
            .order_by("id")
            .limit(PAGE)
            .values_list(*FIELDS)
        )
        if not rows:
            break
        for row in rows:
            index.add(_indexed(row))
        last_id = int(rows[-1][0])
        await asyncio.sleep(0)
    await _finish(index)
    return index


async def _finish(index: JobIndex) -> None:
    """Split large term lists by district and order the buckets, yielding every ~20,000 entries."""
    work = 0
    for term in index.large_terms():
        index.split_term(term)
        work += len(index.lists[term])
        if work > YIELD_EVERY:
            work = 0
            await asyncio.sleep(0)
    for key in index.unsorted_buckets():
        index.sort_bucket(key)
        work += 1000
        if work > YIELD_EVERY:
            work = 0
            await asyncio.sleep(0)


async def _apply_changes(index: JobIndex, after_seq: int) -> None:
    """Apply rows changed after `after_seq`: add or replace active ones, drop the others."""
    rows = (
        await JobPosting.filter(change_seq__gt=after_seq)
        .order_by("change_seq", "id")
        .values_list(*FIELDS)
    )
    for n, row in enumerate(rows):
        if row[1]:
            index.add(_indexed(row))
        else:
            index.remove(int(row[0]))
        if n % PAGE == PAGE - 1:
            await asyncio.sleep(0)


def index_cache(settings: Settings) -> IndexCache:
    """The runtime's posting index, empty until its first use (`runtime().derived` builds it
    once per runtime; it depends on no setting)."""
    return IndexCache()


async def job_index() -> JobIndex:
    """This process's posting index, up to date."""
    return await runtime().derived(index_cache).current()


async def warm_up() -> None:
    """Load jieba's dictionary (in a thread) and the index, so no request waits for them.

    Called when a process has started: what exists now (the app, the index, the dictionary)
    lives as long as the process, so it is moved out of the cyclic collector's full passes,
    which otherwise took 30-50 ms every few seconds under load.
    """
    await tokens_ready()
    await job_index()
    gc.freeze()


# -- search -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobQuery:
    """Search criteria: Chinese keywords and filters."""

    keywords: str = ""
    district: str | None = None
    occupation: str | None = None  # an occupation code or a group code (prefix)
    education: Education | None = None  # the seeker's education: requirements up to it
    salary_min: int | None = None  # the posting's top salary at least this
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class SearchPage:
    """One page of results: posting ids in order, the total, and whether words were relaxed."""

    posting_ids: list[int]
    total: int
    relaxed: bool
    terms: list[str]


def _code_matches(code: str, wanted: str | None) -> bool:
    return wanted is None or code == wanted or code.startswith(wanted + "-")


def _filter(index: JobIndex, query: JobQuery, now: float) -> Any:
    rank = EDUCATION_RANK[query.education] if query.education is not None else None

    def keep(slot: int) -> bool:
        if not index.alive[slot] or index.expires[slot] <= now:
            return False
        if query.district and index.district[slot] != query.district:
            return False
        if rank is not None and index.edu_rank[slot] > rank:
            return False
        if query.salary_min and index.salary_max[slot] < query.salary_min:
            return False
        return _code_matches(index.code[slot], query.occupation)

    return keep


def _scores(index: JobIndex, terms: list[str], require_all: bool) -> dict[int, float]:
    """BM25 of postings holding all (or any) of the words (unknown words through their parts)."""
    known = index.known_terms(terms)
    lists = {t: index.lists[t] for t in known}
    if not lists or (require_all and any(not index.known_terms([t]) for t in terms)):
        return {}
    scores: dict[int, float] = {}
    hits: dict[int, int] = {}
    for term, plist in lists.items():
        idf = index.idf(term)
        for slot, weight in zip(plist.slots, plist.weights, strict=True):
            scores[slot] = scores.get(slot, 0.0) + idf * weight
            hits[slot] = hits.get(slot, 0) + 1
    if require_all:
        return {s: v for s, v in scores.items() if hits[s] == len(lists)}
    return scores


def search_index(index: JobIndex, query: JobQuery, *, now: float) -> SearchPage:
    """Rank postings for a query: all words first; none found → any word (relaxed)."""
    terms = query_terms(query.keywords) if query.keywords.strip() else []
    keep = _filter(index, query, now)
    relaxed = False
    if query.keywords.strip() and not terms:  # only single characters or function words
        return SearchPage([], 0, False, [])
    if terms:
        scores = _scores(index, terms, require_all=True)
        if not scores and len(terms) > 1:
            scores, relaxed = _scores(index, terms, require_all=False), True
        ranked = sorted(
            (s for s in scores if keep(s)),
            key=lambda s: (
                scores[s] + 0.5 * math.exp(-max(0.0, now - index.published[s]) / 864000),
                index.posting_id[s],
            ),
            reverse=True,
        )
    else:
        return _newest(index, query, now)
    page = ranked[query.offset : query.offset + query.limit]
    return SearchPage([index.posting_id[s] for s in page], len(ranked), relaxed, terms)


def _newest(index: JobIndex, query: JobQuery, now: float) -> SearchPage:
    """No keywords: the newest postings that pass the filters, read from an ordered list."""
    index.prepare()
    if query.district:
        slots: list[int] = index.by_district.get(query.district, [])
    else:
        slots = index.newest_first()
    alive, expires, edu, highs, codes = (
        index.alive, index.expires, index.edu_rank, index.salary_max, index.code
    )  # fmt: skip
    rank = EDUCATION_RANK[query.education] if query.education is not None else None
    floor, wanted = query.salary_min, query.occupation
    prefix = f"{wanted}-" if wanted else ""
    first, last = query.offset, query.offset + query.limit
    page, total = [], 0
    for slot in slots:
        if not alive[slot] or expires[slot] <= now:
            continue
        if (rank is not None and edu[slot] > rank) or (floor and highs[slot] < floor):
            continue
        if wanted and codes[slot] != wanted and not codes[slot].startswith(prefix):
            continue
        if first <= total < last:
            page.append(index.posting_id[slot])
        total += 1
    return SearchPage(page, total, False, [])


async def search_jobs(*, query: JobQuery) -> tuple[SearchPage, list[JobPosting]]:
    """A page of search results with the postings themselves, in rank order."""
    await tokens_ready()
    index = await job_index()
    page = search_index(index, query, now=clock.now().timestamp())
    listed = JobPosting.filter(id__in=page.posting_ids).only(*LISTED_FIELDS)
    rows = {p.id: p for p in await listed}
    return page, [rows[i] for i in page.posting_ids if i in rows]
