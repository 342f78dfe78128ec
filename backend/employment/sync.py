"""Syncing postings from the recruitment site: incremental, paged, idempotent, logged.

One run holds a lease on the source's cursor row (so two workers never sync the same site at
once), streams pages of changes (the next page is fetched while this one is stored), upserts
each page in one transaction together with the cursor (ON CONFLICT on source + external id, so
a re-run never duplicates), then deactivates what the site removed and what expired; a full
run also deactivates postings the site no longer lists. Each run is logged in JobSyncRun.
Postings are re-indexed (jieba terms) only when their content changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from backend import clock
from backend.districts import district_name
from backend.employment.models import (
    Deactivation,
    JobIndexState,
    JobPosting,
    JobSyncCursor,
    JobSyncRun,
    SyncStatus,
)
from backend.employment.terms import index_terms
from backend.errors import Conflict
from backend.integrations.recruitment import (
    Page,
    PostingData,
    RecruitmentConnector,
    RecruitmentError,
    RemovedPosting,
)

log = logging.getLogger("jobready.market.sync")

LEASE = timedelta(minutes=15)
WRITE_BATCH = 100  # rows per INSERT batch: the loop gets control between batches
MAX_ERROR_SAMPLES = 20
INDEX_STATE_ID = 1
UPDATE_FIELDS = (
    "title",
    "employer",
    "district_code",
    "address",
    "occupation_code",
    "occupation_name",
    "salary_min",
    "salary_max",
    "education",
    "experience_years",
    "headcount",
    "description",
    "url",
    "published_at",
    "site_updated_at",
    "expires_at",
    "active",
    "deactivated_at",
    "deactivation",
    "content_hash",
    "terms",
    "doc_len",
    "change_seq",
    "seen_run_id",
    "updated_at",
)


class SyncBusy(Conflict):
    """Another sync of the same source holds the lease."""

    default_code = "SYNC_RUNNING"
    default_message = "另一个岗位同步正在进行，请稍后再试"


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """What a finished run did, as its worker job and its log line report it."""

    run_id: int
    source: str
    full: bool
    status: str
    pages: int
    fetched: int
    created: int
    updated: int
    unchanged: int
    removed: int
    expired: int
    vanished: int
    errors: int
    retries: int
    error_samples: list[str]
    message: str
    seconds: float
    has_more: bool
    remaining: int | None
    rate: float  # postings fetched per second, one decimal


@dataclass
class SyncReport:
    """What a run did (also stored as its JobSyncRun row), counted as it goes."""

    run_id: int
    source: str
    full: bool
    status: SyncStatus = SyncStatus.RUNNING
    pages: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    expired: int = 0
    vanished: int = 0
    errors: int = 0
    retries: int = 0
    error_samples: list[str] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0
    has_more: bool = True
    remaining: int | None = None  # the site's estimate of changes still to fetch

    @property
    def rate(self) -> float:
        """Postings fetched per second."""
        return self.fetched / self.seconds if self.seconds else 0.0

    def problem(self, text: str) -> None:
        """Count a failed item and keep a sample of the reason."""
        self.errors += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(text[:300])

    def summary(self) -> SyncSummary:
        """The run's figures as they stand, frozen."""
        return SyncSummary(
            run_id=self.run_id,
            source=self.source,
            full=self.full,
            status=self.status.value,
            pages=self.pages,
            fetched=self.fetched,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            removed=self.removed,
            expired=self.expired,
            vanished=self.vanished,
            errors=self.errors,
            retries=self.retries,
            error_samples=list(self.error_samples),
            message=self.message,
            seconds=self.seconds,
            has_more=self.has_more,
            remaining=self.remaining,
            rate=round(self.rate, 1),
        )


Progress = Callable[[SyncReport], None]


def content_hash(item: PostingData) -> str:
    """A digest of everything we store about a posting (the site's own timestamp excluded)."""
    data = asdict(item)
    data.pop("updated_at", None)
    raw = json.dumps(data, default=str, sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def _index_text(item: PostingData) -> str:
    place = f"{district_name(item.district_code)} {item.address}"
    return f"{item.occupation_name} {item.employer} {place} {item.description}"


async def next_index_seq() -> int:
    """Advance the index's change counter (inside the caller's transaction) and return it.

    The UPDATE locks the row until commit, so changes commit in the order of their numbers.
    """
    await JobIndexState.filter(id=INDEX_STATE_ID).update(seq=F("seq") + 1)
    seq = await JobIndexState.filter(id=INDEX_STATE_ID).first().values_list("seq", flat=True)
    return int(seq or 0)  # type: ignore[arg-type]


async def ensure_index_state() -> None:
    """Create the index's change counter on first use."""
    await JobIndexState.get_or_create(
        id=INDEX_STATE_ID, defaults={"epoch": uuid.uuid4().hex, "seq": 0}
    )


@dataclass
class _Run:
    """One run in progress: its report, the lease it holds and the connector it reads."""

    report: SyncReport
    connector: RecruitmentConnector
    owner: str
    progress: Progress | None
    started: float = field(default_factory=time.perf_counter)

    @property
    def source(self) -> str:
        """The source name postings are stored under."""
        return self.report.source

    def tick(self) -> None:
        """Bring the report's time and retries up to date and show progress."""
        self.report.seconds = time.perf_counter() - self.started
        self.report.retries = self.connector.retries - self._retries_before
        if self.progress is not None:
            self.progress(self.report)

    def __post_init__(self) -> None:
        self._retries_before = self.connector.retries


async def sync_postings(
    *,
    connector: RecruitmentConnector,
    full: bool = False,
    progress: Progress | None = None,
    owner: str | None = None,
) -> SyncReport:
    """Run one sync of the connector's site; a failure is logged in the run, never raised."""
    source = connector.config.source
    owner = owner or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    cursor = await _claim(source, owner)
    await ensure_index_state()
    row = await JobSyncRun.create(source=source, full=full, started_at=clock.now())
    run = _Run(SyncReport(row.id, source, full), connector, owner, progress)
    try:
        await _sync_changes(run, "" if full else cursor.changes_cursor)
        await _sync_removed(run, cursor.removed_cursor)
        run.report.expired = await _deactivate(
            Q(source=source, active=True, expires_at__lt=clock.now()), Deactivation.EXPIRED
        )
        if full:
            vanished = Q(source=source, active=True) & (
                Q(seen_run_id__isnull=True) | ~Q(seen_run_id=row.id)
            )
            run.report.vanished = await _deactivate(vanished, Deactivation.VANISHED)
        run.report.status = SyncStatus.PARTIAL if run.report.errors else SyncStatus.SUCCEEDED
    except (RecruitmentError, SyncBusy) as exc:
        reason = exc.reason if isinstance(exc, RecruitmentError) else exc.message
        run.report.status = SyncStatus.FAILED
        run.report.message = f"{reason}（已保存进度，下次从断点继续）"
        log.warning("sync stopped", extra={"source": source, "reason": reason})
    finally:
        await _finish(run, row)
    return run.report


async def _claim(source: str, owner: str) -> JobSyncCursor:
    """Take the source's lease (a conditional UPDATE: exactly one taker wins)."""
    await JobSyncCursor.get_or_create(source=source)
    now = clock.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    taken = await JobSyncCursor.filter(Q(source=source) & free).update(
        lease_owner=owner, lease_until=now + LEASE
    )
    if not taken:
        raise SyncBusy()
    return await JobSyncCursor.get(source=source)


async def _finish(run: _Run, row: JobSyncRun) -> None:
    run.report.has_more = False
    run.tick()
    report = run.report
    for name in (
        "status",
        "pages",
        "fetched",
        "created",
        "updated",
        "unchanged",
        "removed",
        "expired",
        "vanished",
        "errors",
        "retries",
        "error_samples",
        "message",
    ):
        setattr(row, name, getattr(report, name))
    row.finished_at = clock.now()
    await row.save()
    done = {"last_success_at": clock.now()} if report.status is not SyncStatus.FAILED else {}
    await JobSyncCursor.filter(source=run.source, lease_owner=run.owner).update(
        lease_owner="", lease_until=None, **done
    )
    log.info("sync finished", extra={"report": asdict(report.summary())})


async def _sync_changes(run: _Run, cursor: str) -> None:
    """Stream the changes feed page by page, fetching the next page while storing this one."""
    fetching: asyncio.Task[Page[PostingData]] | None = asyncio.create_task(
        run.connector.changes(cursor)
    )
    try:
        while fetching is not None:
            page = await fetching
            fetching = None
            if page.has_more and page.next_cursor:
                fetching = asyncio.create_task(run.connector.changes(page.next_cursor))
            await _store_page(run, page)
    finally:
        if fetching is not None:
            fetching.cancel()
            with contextlib.suppress(asyncio.CancelledError, RecruitmentError):
                await fetching


async def _store_page(run: _Run, page: Page[PostingData]) -> None:
    """Upsert one page of postings with the cursor, in one transaction."""
    report = run.report
    report.pages += 1
    report.fetched += page.raw_count
    report.remaining = page.remaining
    for problem in page.problems:
        report.problem(problem)
    items = {item.external_id: item for item in page.items}
    known = await _known(run.source, list(items))
    # Hashing, segmenting and building rows is CPU work: a thread keeps the event loop free.
    plan = await asyncio.to_thread(_plan_page, items, known, report.run_id, run.source)
    report.created += plan.created
    report.updated += len(plan.rows) - plan.created
    report.unchanged += len(plan.unchanged)
    async with in_transaction():
        seq = await next_index_seq() if plan.rows or plan.closed else 0
        for row in plan.rows:
            row.change_seq = seq
        if plan.rows:
            await JobPosting.bulk_create(
                plan.rows,
                batch_size=WRITE_BATCH,
                on_conflict=("external_id", "source"),
                update_fields=UPDATE_FIELDS,
            )
        if plan.unchanged and report.full:
            await JobPosting.filter(source=run.source, external_id__in=plan.unchanged).update(
                seen_run_id=report.run_id
            )
        if plan.closed:
            closed = Q(source=run.source, external_id__in=plan.closed, active=True)
            report.removed += await _mark_inactive(closed, Deactivation.REMOVED, seq)
        await _advance_cursor(run, changes_cursor=page.next_cursor)
    run.tick()


async def _known(source: str, ids: list[str]) -> dict[str, tuple[str, bool]]:
    rows = await JobPosting.filter(source=source, external_id__in=ids).values_list(
        "external_id", "content_hash", "active"
    )
    return {str(ext): (str(digest), bool(active)) for ext, digest, active in rows}


@dataclass
class _PagePlan:
    """What to write for one page."""

    rows: list[JobPosting]  # new or changed postings, with their index terms
    created: int  # how many of `rows` are new
    unchanged: list[str]
    closed: list[str]  # ids the site marks closed


Fresh = list[tuple[PostingData, str]]  # new or changed postings with their content hash


def _compare(
    items: dict[str, PostingData], known: dict[str, tuple[str, bool]]
) -> tuple[_PagePlan, Fresh]:
    """Sort a page into unchanged, closed, and new or changed postings (with their hash)."""
    plan, fresh = _PagePlan([], 0, [], []), []
    for ext, item in items.items():
        digest = content_hash(item)
        if not item.is_open:
            plan.closed.append(ext)
        elif known.get(ext) == (digest, True):
            plan.unchanged.append(ext)
        else:
            fresh.append((item, digest))
            plan.created += ext not in known
    return plan, fresh


def _build(fresh: Fresh, terms: list[dict[str, int]], run_id: int, source: str) -> list[JobPosting]:
    """Posting rows of new or changed postings, with their index terms."""
    now = clock.now()
    pairs = zip(fresh, terms, strict=True)
    return [_row(item, found, digest, run_id, source, now) for (item, digest), found in pairs]


def _plan_page(
    items: dict[str, PostingData], known: dict[str, tuple[str, bool]], run_id: int, source: str
) -> _PagePlan:
    """Compare a page with what is stored; segment and build rows for what is new or changed."""
    plan, fresh = _compare(items, known)
    terms = [index_terms(item.title, _index_text(item)) for item, _ in fresh]
    plan.rows = _build(fresh, terms, run_id, source)
    return plan


def _row(
    item: PostingData,
    terms: dict[str, int],
    digest: str,
    run_id: int,
    source: str,
    now: datetime,
) -> JobPosting:
    """The row of a posting (its change number is set when the page is written)."""
    return JobPosting(
        source=source,
        external_id=item.external_id,
        title=item.title,
        employer=item.employer,
        district_code=item.district_code,
        address=item.address,
        occupation_code=item.occupation_code,
        occupation_name=item.occupation_name,
        salary_min=item.salary_min,
        salary_max=item.salary_max,
        education=item.education,
        experience_years=item.experience_years,
        headcount=item.headcount,
        description=item.description,
        url=item.url,
        published_at=item.published_at,
        site_updated_at=item.updated_at,
        expires_at=item.expires_at,
        active=True,
        deactivated_at=None,
        deactivation=None,
        content_hash=digest,
        terms=json.dumps(terms, ensure_ascii=False, separators=(",", ":")),
        doc_len=sum(terms.values()),
        seen_run_id=run_id,
        first_seen_at=now,
        updated_at=now,
    )


async def _advance_cursor(run: _Run, **cursor: str) -> None:
    """Save where the next run resumes and extend the lease; lost lease = stop."""
    now = clock.now()
    kept = await JobSyncCursor.filter(source=run.source, lease_owner=run.owner).update(
        lease_until=now + LEASE, **cursor
    )
    if not kept:
        raise SyncBusy("同步租约已被其他进程接管，本次同步停止")


async def _sync_removed(run: _Run, cursor: str) -> None:
    """Deactivate the postings the site lists as removed, page by page."""
    while True:
        page: Page[RemovedPosting] = await run.connector.removed(cursor)
        for problem in page.problems:
            run.report.problem(problem)
        ids = [item.external_id for item in page.items]
        async with in_transaction():
            if ids:
                seq = await next_index_seq()
                query = Q(source=run.source, external_id__in=ids, active=True)
                run.report.removed += await _mark_inactive(query, Deactivation.REMOVED, seq)
            await _advance_cursor(run, removed_cursor=page.next_cursor or cursor)
        run.tick()
        cursor = page.next_cursor or cursor
        if not page.has_more:
            return


async def _mark_inactive(query: Q, reason: Deactivation, seq: int) -> int:
    now = clock.now()
    return await JobPosting.filter(query).update(
        active=False, deactivated_at=now, deactivation=reason, change_seq=seq, updated_at=now
    )


async def _deactivate(query: Q, reason: Deactivation) -> int:
    """Deactivate matching postings in one transaction with an index change number."""
    async with in_transaction():
        if not await JobPosting.filter(query).exists():
            return 0
        return await _mark_inactive(query, reason, await next_index_seq())
