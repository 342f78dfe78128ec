"""The worker's job-market jobs: thin runs of the sync and the push; delivery by the dispatcher."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from backend import clock
from backend.config import Settings
from backend.employment.models import JobPosting, JobSyncCursor
from backend.integrations.recruitment import RecruitmentConnector
from backend.notifications.dispatch import Dispatcher, claim_batch
from backend.notifications.models import Channel, OutboxMessage, OutboxStatus
from backend.notifications.outbox import enqueue
from jobs import worker_jobs
from jobs.job_market_jobs import push_jobs, sync_job_postings
from miniprogram_api.standins.recruitment import RecruitmentSim
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


async def test_the_push_job_runs_with_nothing_to_do(
    settings: Settings, sim: RecruitmentSim, connector: RecruitmentConnector
) -> None:
    assert (await push_jobs())["profiles"] == 0


WORKER_IMPORTS = """
import jobs.tasks
from backend.notifications.channels import HANDLERS
from backend.notifications.models import Channel
from jobs.runner import REGISTRY
handler = HANDLERS[Channel.RECRUITMENT]
print(handler.send.__module__, handler.push, sorted(spec.name for spec in REGISTRY))
"""


@pytest.mark.slow
@pytest.mark.engine_agnostic
def test_the_worker_registers_the_recruitment_channel_and_no_forwarding_job() -> None:
    # A fresh interpreter: the tests themselves import the delivery module anyway.
    shown = subprocess.run(
        [sys.executable, "-c", WORKER_IMPORTS], capture_output=True, text=True, check=True
    ).stdout
    module, push, jobs = shown.split(" ", 2)
    assert (module, push) == ("backend.employment.delivery", "False")
    assert "dispatch_outbox" in jobs and "forward_applications" not in jobs


async def test_a_stopping_worker_gives_back_the_applications_it_claimed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatcher = Dispatcher()
    monkeypatch.setattr(worker_jobs, "DISPATCHER", dispatcher)
    queued = await enqueue(
        dedupe_key="job_application:1:1",
        channel=Channel.RECRUITMENT,
        template_key="job_application",
        payload={"application_id": 1},
    )
    assert queued is not None
    claim = f"{dispatcher.worker_id}:1"
    await claim_batch(claim=claim, now=clock.now(), limit=5, channels=[Channel.RECRUITMENT])
    assert await worker_jobs.shutdown(grace=1.0) == 1
    row = await OutboxMessage.get(id=queued.id)
    assert (row.status, row.attempts, row.claimed_by) == (OutboxStatus.PENDING, 0, "")
