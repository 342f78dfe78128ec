"""`/metrics` in Prometheus' text format, on the API port.

Two sources: what this process measures itself (request latency by route, responses by status),
and what every process leaves in the database (outbox depth and errors by code, job runs, the
recruitment sync's lag), read at scrape time by `backend.monitoring.service`. Open in dev mode;
otherwise only with `Authorization: Bearer <METRICS_TOKEN>`, and closed (404) without a token.
Each API replica is scraped on its own (by its address, not through the proxy); the database
figures are the same from every replica.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sanic import HTTPResponse, Request, Sanic
from sanic.response import raw

from backend.config import Settings
from backend.errors import NotFound, Unauthenticated
from backend.monitoring.service import OperationalFigures, operational_figures

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds: a scan answers in tens of milliseconds, an export may take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _DatabaseFigures(Collector):
    """Turns the figures read at this scrape into metric families."""

    def __init__(self) -> None:
        self.figures: OperationalFigures | None = None

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        if figures is None:
            return
        depth = GaugeMetricFamily(
            "jobready_outbox_messages",
            "Outbox messages by channel and status (pending and sending are the queue).",
            labels=["channel", "status"],
        )
        for row in figures.outbox:
            depth.add_metric([row.channel, row.status], row.count)
        yield depth
        sent = CounterMetricFamily(
            "jobready_outbox_sent",
            "Outbox messages sent, by channel (rate() of it is the dispatch rate).",
            labels=["channel"],
        )
        for row in figures.outbox:
            if row.status == "sent":
                sent.add_metric([row.channel], row.count)
        yield sent
        errors = GaugeMetricFamily(
            "jobready_outbox_errors",
            "Outbox messages whose last attempt failed, by channel, status and error code.",
            labels=["channel", "status", "errcode"],
        )
        for err in figures.outbox_errors:
            errors.add_metric([err.channel, err.status, str(err.errcode)], err.count)
        yield errors
        yield from _job_families(figures)
        lag = GaugeMetricFamily(
            "jobready_recruitment_sync_lag_seconds",
            "Seconds since the last successful sync of postings (-1: never synced).",
            labels=["source"],
        )
        for item in figures.sync_lag:
            lag.add_metric([item.source], -1 if item.seconds is None else item.seconds)
        yield lag


def _job_families(figures: OperationalFigures) -> Iterator[Metric]:
    runs = CounterMetricFamily(
        "jobready_job_runs", "Runs of each scheduled job, all workers.", labels=["job"]
    )
    failures = CounterMetricFamily(
        "jobready_job_failures", "Failed runs of each scheduled job.", labels=["job"]
    )
    seconds = CounterMetricFamily(
        "jobready_job_seconds", "Seconds spent in each scheduled job.", labels=["job"]
    )
    last = GaugeMetricFamily(
        "jobready_job_last_run_timestamp_seconds",
        "When each job last finished (Unix time).",
        labels=["job"],
    )
    for job in figures.jobs:
        runs.add_metric([job.name], job.runs)
        failures.add_metric([job.name], job.failures)
        seconds.add_metric([job.name], job.total_seconds)
        if job.last_finished_at is not None:
            last.add_metric([job.name], job.last_finished_at.timestamp())
    yield from (runs, failures, seconds, last)


class ApiMetrics:
    """One process's registry: request figures plus the database figures at scrape time."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.latency = Histogram(
            "jobready_http_request_duration_seconds",
            "Time from request to response, by route.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.responses = Counter(
            "jobready_http_responses",
            "Responses by route and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.database = _DatabaseFigures()
        self.registry.register(self.database)

    def observe(self, request: Request, response: HTTPResponse) -> None:
        """Count one answered request under its route's pattern (never the raw path)."""
        route = request.route.path if request.route else "<unmatched>"
        route = "/" + route.lstrip("/")
        started = getattr(request.ctx, "started", None)
        if started is not None:
            self.latency.labels(request.method, route).observe(time.perf_counter() - started)
        self.responses.labels(request.method, route, str(response.status)).inc()

    async def exposition(self) -> bytes:
        """The text format, with the database read now."""
        self.database.figures = await operational_figures()
        try:
            return generate_latest(self.registry)
        finally:
            self.database.figures = None


def check_scraper(request: Request, settings: Settings) -> None:
    """Dev mode: open. Otherwise the METRICS_TOKEN bearer, and no token configured = closed."""
    if settings.dev:
        return
    if not settings.metrics_token:
        raise NotFound("页面不存在", code="NOT_FOUND")
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), settings.metrics_token.encode()):
        raise Unauthenticated("需要监控令牌（METRICS_TOKEN）", code="METRICS_TOKEN_REQUIRED")


def install_metrics(app: Sanic, settings: Settings) -> None:
    """Measure every response and serve `/metrics`."""
    metrics = ApiMetrics()
    app.ctx.metrics = metrics

    async def observe(request: Request, response: HTTPResponse) -> None:
        if request.path != "/metrics":
            metrics.observe(request, response)

    async def scrape(request: Request) -> HTTPResponse:
        check_scraper(request, settings)
        return raw(await metrics.exposition(), content_type=CONTENT_TYPE)

    app.on_response(observe, priority=-90)
    app.add_route(scrape, "/metrics", methods=["GET"], name="metrics")
