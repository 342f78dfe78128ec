"""The worker's follow-up and outbox jobs: registered, isolated, and stopping gracefully."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from backend import clock
from backend.classes.models import ClassStatus
from backend.notifications.dispatch import Dispatcher, claim_batch
from backend.notifications.models import Channel, OutboxMessage, OutboxStatus
from jobs import worker_jobs
from jobs.runner import REGISTRY
from miniprogram_api.standins.wechat import FakeWeChat
from tests.followups.support import delivered, grant, make_world, notice_for
from tests.support.factories import make_user

JOBS = {"dispatch_outbox", "start_followups", "queue_followup_invitations", "assign_home_visits"}


def test_every_job_is_registered_with_a_valid_trigger() -> None:
    specs = {spec.name: spec for spec in REGISTRY if spec.name in JOBS}
    assert set(specs) == JOBS
    scheduler = AsyncIOScheduler(timezone="Asia/Shanghai")
    for spec in specs.values():
        scheduler.add_job(spec.func, spec.trigger, id=spec.name, **spec.trigger_args)
    assert len(scheduler.get_jobs()) == len(JOBS)


async def test_the_jobs_run_the_follow_up_services(
    settings: Any, fake_wechat: FakeWeChat, at: Any
) -> None:
    world = await make_world(("a",))
    world.klass.status = ClassStatus.COMPLETED
    await world.klass.save()
    at("2026-12-06 09:05")
    await grant(world.people[0].user, "tpl-followup-survey")
    assert await worker_jobs.start_followups() == 1
    assert await worker_jobs.queue_followup_invitations() == 1
    result = await worker_jobs.dispatch_outbox()
    assert result == {"claimed": 1, "sent": 1}
    assert len(delivered(fake_wechat)) == 1
    assert await worker_jobs.assign_home_visits() == 0


async def test_a_failing_run_is_logged_and_the_worker_goes_on(
    settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> int:
        raise RuntimeError("database went away")

    monkeypatch.setattr(worker_jobs.followups, "start_due_followups", broken)
    with caplog.at_level(logging.ERROR, logger="jobready.worker.jobs"):
        assert await worker_jobs.start_followups() is None
    assert any(getattr(r, "job", "") == "start_followups" for r in caplog.records)


async def test_shutdown_releases_what_this_worker_still_holds(
    settings: Any, monkeypatch: pytest.MonkeyPatch, at: Any
) -> None:
    at("2026-12-07 10:00")
    dispatcher = Dispatcher()
    monkeypatch.setattr(worker_jobs, "DISPATCHER", dispatcher)
    user = await make_user(openid="o-bye")
    mine = await notice_for(user, key="mine")
    others = await notice_for(user, key="others")
    await claim_batch(
        claim=f"{dispatcher.worker_id}:7", now=clock.now(), limit=1, channels=[Channel.SUBSCRIBE]
    )
    await OutboxMessage.filter(id=others.id).update(
        status=OutboxStatus.SENDING, claimed_by="another-worker:1"
    )
    assert await worker_jobs.shutdown(grace=1.0) == 1
    row = await OutboxMessage.get(id=mine.id)
    assert (row.status, row.attempts, row.claimed_by) == (OutboxStatus.PENDING, 0, "")
    assert (await OutboxMessage.get(id=others.id)).status is OutboxStatus.SENDING
    assert (await dispatcher.run_once()).claimed == 0  # a stopped dispatcher claims nothing


async def test_a_worker_at_info_writes_one_line_per_run_and_no_routine_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from jobs.runner import quiet_routine_lines, scheduled

    runs: list[int] = []

    async def tick() -> dict[str, int]:
        runs.append(1)
        await asyncio.sleep(0.3)  # longer than the interval: the next run is skipped
        return {"claimed": 3, "sent": 2}

    job = scheduled("test_tick", "interval", seconds=0.1)(tick)
    REGISTRY.pop()  # a job of this test only, not of the worker
    quiet_routine_lines()
    scheduler = AsyncIOScheduler(timezone="Asia/Shanghai")
    with caplog.at_level(logging.INFO):
        scheduler.add_job(job, "interval", seconds=0.1, id="test_tick", name="test_tick")
        scheduler.start()
        await asyncio.sleep(0.75)
        scheduler.pause()
        await asyncio.sleep(0.35)  # the run in flight ends
        scheduler.shutdown(wait=False)
    lines = [r for r in caplog.records if r.levelno >= logging.INFO]
    routine = [r.getMessage() for r in lines if r.name.startswith("apscheduler.executors")]
    routine += [
        r.getMessage()
        for r in lines
        if r.name == "apscheduler.scheduler" and ("Added job" in r.msg or "skipped" in r.msg)
    ]
    assert routine == []
    done = [r.getMessage() for r in lines if r.name == "jobready.worker.jobs"]
    assert len(done) == len(runs) >= 2
    assert all(m.startswith("job test_tick done in ") for m in done)
    assert all(m.endswith(": claimed=3 sent=2") for m in done)


async def test_routine_lines_are_kept_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    from jobs.runner import quiet_routine_lines

    quiet_routine_lines()
    with caplog.at_level(logging.DEBUG):
        scheduler_log = logging.getLogger("apscheduler.scheduler")
        scheduler_log.info('Added job "%s" to job store "%s"', "x", "y")
    [record] = [r for r in caplog.records if r.name == "apscheduler.scheduler"]
    assert record.levelname == "DEBUG"


def test_with_a_shifted_business_clock_the_morning_jobs_run_at_that_clocks_morning() -> None:
    """JOBREADY_CLOCK=shift:+9h (development): the jobs read the shifted clock, so their cron
    times are read on it too — the 09:10 payment reminders run when the shifted day is 09:10,
    i.e. at 00:10 on the machine, not at the machine's 09:10 (18:10 business time)."""
    from datetime import datetime, timedelta

    from apscheduler.triggers.cron import CronTrigger

    from jobs.scheduler import BusinessClockTrigger, build_scheduler

    machine = datetime(2026, 12, 7, 15, 0, tzinfo=clock.SHANGHAI)  # 15:00 on the machine
    shift = timedelta(hours=9)
    payments = BusinessClockTrigger(CronTrigger(hour=9, minute=10, timezone=clock.SHANGHAI), shift)
    fire = payments.get_next_fire_time(None, machine)
    assert fire is not None
    assert fire == datetime(2026, 12, 8, 0, 10, tzinfo=clock.SHANGHAI)  # the machine's time
    assert fire + shift == datetime(2026, 12, 8, 9, 10, tzinfo=clock.SHANGHAI)  # business 09:10
    after = payments.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert after == fire + timedelta(days=1)

    clock.set_clock(lambda: clock.wall() + shift)
    try:
        jobs = {job.id: job for job in build_scheduler().get_jobs()}
    finally:
        clock.set_clock(None)
    assert isinstance(jobs["remind_payments"].trigger, BusinessClockTrigger)
    assert jobs["remind_payments"].trigger.offset.total_seconds() == pytest.approx(9 * 3600, abs=1)
    assert not isinstance(jobs["dispatch_outbox"].trigger, BusinessClockTrigger)  # an interval
    plain = {job.id: job for job in build_scheduler().get_jobs()}  # the real clock: as before
    assert isinstance(plain["remind_payments"].trigger, CronTrigger)
