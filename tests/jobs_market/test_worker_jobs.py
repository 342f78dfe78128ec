"""The worker's job-market jobs: thin runs of the sync, the push and the delivery."""

from __future__ import annotations

from datetime import timedelta

from backend import clock
from backend.config import Settings
from backend.employment.models import JobPosting, JobSyncCursor
from backend.integrations.recruitment import RecruitmentConnector
from jobs.job_market_jobs import forward_applications, push_jobs, sync_job_postings
from tests.fakes.recruitment import RecruitmentSim
from tests.jobs_market.conftest import SIM_POSTINGS


async def test_the_hourly_job_syncs_the_site_through_the_process_connector(
    settings: Settings, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    result = await sync_job_postings()
    assert result["status"] == "succeeded" and result["created"] == SIM_POSTINGS
    assert await JobPosting.all().count() == SIM_POSTINGS


async def test_the_hourly_job_steps_aside_while_another_sync_holds_the_lease(
    settings: Settings, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    await JobSyncCursor.create(
        source=connector.config.source,
        lease_owner="another worker",
        lease_until=clock.now() + timedelta(minutes=5),
    )
    assert await sync_job_postings() == {"skipped": "another sync holds the lease"}


async def test_the_push_and_delivery_jobs_run_with_nothing_to_do(
    settings: Settings, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    assert (await push_jobs())["profiles"] == 0
    assert await forward_applications() == 0
