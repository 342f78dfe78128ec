"""`/metrics`: Prometheus' text format with request, outbox, job and sync figures.

The scrape is parsed with prometheus_client's own parser, so a malformed exposition fails here.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from backend import clock
from backend.employment.models import JobSyncCursor
from backend.monitoring.service import record_job_run
from backend.notifications.models import Channel, OutboxMessage, OutboxStatus
from tests.support.client import Client, Response
from tests.support.factories import make_user
from tests.support.production import production_server, urlopen_status


def _samples(response: Response) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    assert response.status == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def _outbox(status: OutboxStatus, n: int, errcode: int | None = None) -> None:
    user = await make_user()
    for i in range(n):
        await OutboxMessage.create(
            dedupe_key=f"metrics-{status}-{errcode}-{user.id}-{i}",
            channel=Channel.SUBSCRIBE,
            user=user,
            template_key="notice",
            status=status,
            next_attempt_at=clock.now(),
            last_errcode=errcode,
        )


async def test_a_scrape_counts_requests_by_route_pattern_and_status(client: Client) -> None:
    for _ in range(3):
        assert (await client.get("/api/v1/health")).status == 200
    await client.get("/api/v1/classes/999999")  # 401: no token
    samples = _samples(await client.get("/metrics"))
    health = _value(
        samples, "jobready_http_responses_total", method="GET", route="/api/v1/health", status="200"
    )
    assert health >= 3
    by_pattern = [
        labels
        for (name, labels) in samples
        if name == "jobready_http_responses_total" and ("status", "401") in labels
    ]
    assert any(("route", "/api/v1/classes/<class_id:int>") in labels for labels in by_pattern)
    assert not any("999999" in value for labels in by_pattern for _, value in labels)
    count = _value(
        samples,
        "jobready_http_request_duration_seconds_count",
        method="GET",
        route="/api/v1/health",
    )
    assert count >= 3


async def test_a_scrape_reads_outbox_depth_errors_job_runs_and_sync_lag(client: Client) -> None:
    await _outbox(OutboxStatus.PENDING, 4)
    await _outbox(OutboxStatus.SENT, 2)
    await _outbox(OutboxStatus.FAILED, 1, errcode=43101)
    await record_job_run(name="dispatch_outbox", seconds=0.5, ok=True)
    await record_job_run(name="dispatch_outbox", seconds=1.5, ok=False)
    await JobSyncCursor.create(source="fz-rc", last_success_at=clock.now() - timedelta(hours=2))
    samples = _samples(await client.get("/metrics"))
    assert _value(samples, "jobready_outbox_messages", channel="subscribe", status="pending") == 4
    assert _value(samples, "jobready_outbox_sent_total", channel="subscribe") == 2
    failed = {"channel": "subscribe", "status": "failed", "errcode": "43101"}
    assert _value(samples, "jobready_outbox_errors", **failed) == 1
    assert _value(samples, "jobready_job_runs_total", job="dispatch_outbox") == 2
    assert _value(samples, "jobready_job_failures_total", job="dispatch_outbox") == 1
    assert _value(samples, "jobready_job_seconds_total", job="dispatch_outbox") == 2.0
    lag = _value(samples, "jobready_recruitment_sync_lag_seconds", source="fz-rc")
    assert 7190 <= lag <= 7300


@pytest.mark.slow  # two production servers as processes
def test_outside_dev_mode_metrics_need_the_metrics_token(tmp_path: Path) -> None:
    token = "scrape-token-0123456789"
    with production_server(tmp_path, METRICS_TOKEN=token) as base:
        assert urlopen_status(f"{base}/metrics") == 401
        assert urlopen_status(f"{base}/metrics", token="wrong") == 401
        assert urlopen_status(f"{base}/metrics", token=token) == 200
    with production_server(tmp_path, METRICS_TOKEN="") as base:  # no token: closed
        assert urlopen_status(f"{base}/metrics", token=token) == 404
