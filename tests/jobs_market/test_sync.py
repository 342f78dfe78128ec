"""The connector and the sync against the simulator: paging, cursors, faults, idempotency."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from backend import clock
from backend.employment.models import (
    Deactivation,
    JobPosting,
    JobSyncCursor,
    JobSyncRun,
    SyncStatus,
)
from backend.employment.sync import SyncBusy, sync_postings
from backend.integrations.recruitment import RecruitmentConnector, RecruitmentError
from miniprogram_api.standins.recruitment import RecruitmentSim
from tests.jobs_market.conftest import SIM_POSTINGS, Sleeps, make_connector


async def active_ids() -> set[str]:
    return set(await JobPosting.filter(active=True).values_list("external_id", flat=True))


async def test_first_sync_stores_every_posting_of_the_site_page_by_page(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    report = await sync_postings(connector=connector)
    assert report.status is SyncStatus.SUCCEEDED
    assert (report.fetched, report.created, report.updated) == (SIM_POSTINGS, SIM_POSTINGS, 0)
    assert report.pages == SIM_POSTINGS // 50  # 50 a page
    assert await JobPosting.all().count() == SIM_POSTINGS
    assert await active_ids() == set(sim.state.active_ids())
    run = await JobSyncRun.get(id=report.run_id)
    assert (run.status, run.fetched, run.created) == (
        SyncStatus.SUCCEEDED,
        SIM_POSTINGS,
        SIM_POSTINGS,
    )


async def test_a_stored_posting_keeps_the_sites_fields_and_its_chinese_index_terms(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    await sync_postings(connector=connector)
    raw = sim.state.posting(0)
    posting = await JobPosting.get(external_id=raw["id"])
    assert posting.title == raw["title"]
    assert posting.employer == raw["employer"]["name"]
    assert posting.occupation_code == raw["occupation"]["code"]
    assert (posting.salary_min, posting.salary_max) == (raw["salary"]["min"], raw["salary"]["max"])
    assert posting.url.endswith(raw["id"])
    assert posting.doc_len > 10 and '"' in posting.terms


async def test_a_second_sync_resumes_from_the_cursor_and_fetches_only_changes(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    await sync_postings(connector=connector)
    changed = sim.state.advance(new=4, edit=3, remove=2)
    report = await sync_postings(connector=connector)
    assert report.fetched == 4 + 3
    assert (report.created, report.updated, report.removed) == (4, 3, 2)
    assert await JobPosting.all().count() == SIM_POSTINGS + 4
    assert await active_ids() == set(sim.state.active_ids())
    for external_id in changed["removed"]:
        posting = await JobPosting.get(external_id=external_id)
        assert (posting.active, posting.deactivation) == (False, Deactivation.REMOVED)


async def test_a_full_re_sync_from_the_start_never_duplicates_a_posting(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    await sync_postings(connector=connector)
    report = await sync_postings(connector=connector, full=True)
    assert (report.fetched, report.created, report.updated) == (SIM_POSTINGS, 0, 0)
    assert report.unchanged == SIM_POSTINGS
    assert await JobPosting.all().count() == SIM_POSTINGS


async def test_a_cursor_lost_with_its_database_row_re_reads_everything_without_duplicates(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    await sync_postings(connector=connector)
    await JobSyncCursor.all().update(changes_cursor="")
    report = await sync_postings(connector=connector)
    assert report.created == 0 and report.unchanged == SIM_POSTINGS
    assert await JobPosting.all().count() == SIM_POSTINGS


async def test_a_posting_missing_from_a_full_listing_is_deactivated_as_vanished(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    await sync_postings(connector=connector)
    # The site drops a posting without listing it as removed (reset forgets the removal log).
    sim.state.remove("FZJ00000007")
    sim.state.removed_log.clear()
    incremental = await sync_postings(connector=connector)
    assert incremental.vanished == 0
    full = await sync_postings(connector=connector, full=True)
    assert full.vanished == 1
    posting = await JobPosting.get(external_id="FZJ00000007")
    assert (posting.active, posting.deactivation) == (False, Deactivation.VANISHED)


async def test_postings_past_their_closing_date_are_deactivated_as_expired(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    await sync_postings(connector=connector)
    later = clock.now() + timedelta(days=40)
    clock.set_clock(lambda: later)
    expected = await JobPosting.filter(expires_at__lt=later).count()
    report = await sync_postings(connector=connector)
    assert expected > 0 and report.expired == expected
    assert await JobPosting.filter(active=True, expires_at__lt=later).count() == 0


async def test_sync_survives_5xx_answers_and_timeouts_by_retrying(
    database_url: str, sim: RecruitmentSim
) -> None:
    sleeps = Sleeps()
    connector = make_connector(sim.url, sleeps, timeout=0.3)
    sim.state.fail("changes", http_status=503, count=2)
    sim.state.fail("changes", http_status=500, count=1)
    sim.state.fail("changes", delay=1.0, count=1)  # slower than the connector waits
    try:
        report = await sync_postings(connector=connector)
    finally:
        await connector.close()
    assert report.status is SyncStatus.SUCCEEDED
    assert report.retries == 4 and len(sleeps.waits) == 4
    assert await JobPosting.all().count() == SIM_POSTINGS


async def test_sync_honours_the_retry_after_of_a_429(
    database_url: str, sim: RecruitmentSim
) -> None:
    sleeps = Sleeps()
    connector = make_connector(sim.url, sleeps)
    sim.state.fail("changes", http_status=429, retry_after=7, count=1)
    try:
        report = await sync_postings(connector=connector)
    finally:
        await connector.close()
    assert report.status is SyncStatus.SUCCEEDED
    assert sleeps.waits == [7.0]
    assert await JobPosting.all().count() == SIM_POSTINGS


async def test_sync_slows_down_to_the_rate_limit_of_the_site(
    database_url: str, sim: RecruitmentSim
) -> None:
    sim.state.rate_limit, sim.state.burst = 4.0, 2  # 4 requests a second, 2 at once
    # 3 pages of changes and 1 of removals, sleeping as long as the site says.
    connector = make_connector(sim.url, sleep=asyncio.sleep, page_size=100)
    started = time.monotonic()
    try:
        report = await sync_postings(connector=connector)
    finally:
        await connector.close()
    limited = [c for c in sim.state.requests() if c.status == 429]
    assert report.status is SyncStatus.SUCCEEDED and limited
    assert report.retries == len(limited)
    assert time.monotonic() - started < 10
    assert await JobPosting.all().count() == SIM_POSTINGS


async def test_a_site_down_for_good_fails_the_run_and_the_next_run_resumes_where_it_stopped(
    database_url: str, sim: RecruitmentSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = make_connector(sim.url, max_attempts=3)
    sim.state.fail("changes", http_status=502, count=1)  # the first page: retried, fine
    try:
        first = await sync_postings(connector=connector)
        assert first.status is SyncStatus.SUCCEEDED
        sim.state.advance(new=120)
        # Once the second page is served, the third fails three times: the run stops there.
        original = sim.state.changes
        calls = 0

        def flaky(cursor: int, limit: int):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            if calls == 2:
                sim.state.fail("changes", http_status=503, count=3)
            return original(cursor, limit)

        monkeypatch.setattr(sim.state, "changes", flaky)
        second = await sync_postings(connector=connector)
        monkeypatch.undo()
        assert second.status is SyncStatus.FAILED and "断点" in second.message
        assert second.created == 100
        third = await sync_postings(connector=connector)
    finally:
        await connector.close()
    assert third.status is SyncStatus.SUCCEEDED
    assert second.created + third.created == 120
    assert await JobPosting.all().count() == SIM_POSTINGS + 120


async def test_an_item_the_adapter_cannot_map_is_logged_and_the_rest_is_stored(
    database_url: str,
    sim: RecruitmentSim,
    connector: RecruitmentConnector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = sim.state.posting

    def broken(index: int):  # type: ignore[no-untyped-def]
        data = original(index)
        if index == 3:
            data["district"] = {"code": "999999", "name": "火星"}
        return data

    monkeypatch.setattr(sim.state, "posting", broken)
    report = await sync_postings(connector=connector)
    assert report.status is SyncStatus.PARTIAL and report.errors == 1
    assert "FZJ00000003" in report.error_samples[0]
    assert await JobPosting.all().count() == SIM_POSTINGS - 1
    run = await JobSyncRun.get(id=report.run_id)
    assert run.errors == 1 and run.error_samples


@pytest.mark.postgres_only
async def test_two_syncs_at_once_never_run_together(database_url: str, sim: RecruitmentSim) -> None:
    first, second = make_connector(sim.url), make_connector(sim.url)
    try:
        results = await asyncio.gather(
            sync_postings(connector=first), sync_postings(connector=second), return_exceptions=True
        )
    finally:
        await first.close()
        await second.close()
    busy = [r for r in results if isinstance(r, SyncBusy)]
    done = [r for r in results if not isinstance(r, BaseException)]
    assert len(busy) == 1 and len(done) == 1
    assert await JobPosting.all().count() == SIM_POSTINGS


async def test_a_second_sync_is_refused_while_the_lease_is_held(
    database_url: str, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    await JobSyncCursor.create(
        source=connector.config.source,
        lease_owner="other",
        lease_until=clock.now() + timedelta(minutes=5),
    )
    with pytest.raises(SyncBusy):
        await sync_postings(connector=connector)
    assert await JobPosting.all().count() == 0


async def test_the_connector_gives_up_at_once_on_a_permanent_answer(sim: RecruitmentSim) -> None:
    connector = make_connector(sim.url)
    try:
        assert await connector.posting("FZJ99999999") is None
        sim.state.fail("changes", http_status=403, count=1)
        with pytest.raises(RecruitmentError) as caught:
            await connector.changes("")
    finally:
        await connector.close()
    assert caught.value.permanent and caught.value.status == 403
    assert len(sim.state.requests("changes")) == 1
