"""Figures for `/metrics`: read from the database so that they hold for every process.

The API process answers a scrape; the dispatcher and the jobs may run in other processes (one
or more workers), so what they do is read back from the rows they write: the outbox by status
and error code, each job's runs (recorded by `record_job_run`), and the recruitment sync's last
success. Each figure is one grouped query on an indexed column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise import connections
from tortoise.expressions import F

from backend import clock
from backend.monitoring.models import JobRunStat


@dataclass(frozen=True)
class OutboxCount:
    """Outbox messages of one channel in one status."""

    channel: str
    status: str
    count: int


@dataclass(frozen=True)
class OutboxErrorCount:
    """Outbox messages whose last attempt ended with a WeChat (or HTTP) error code."""

    channel: str
    status: str
    errcode: int
    count: int


@dataclass(frozen=True)
class JobFigures:
    """One job's runs over every worker."""

    name: str
    runs: int
    failures: int
    total_seconds: float
    last_seconds: float
    last_ok: bool
    last_finished_at: datetime | None


@dataclass(frozen=True)
class SyncLag:
    """Seconds since a recruitment source was last synced successfully (None: never)."""

    source: str
    seconds: float | None


@dataclass(frozen=True)
class OperationalFigures:
    """Everything `/metrics` reads from the database at one scrape."""

    outbox: list[OutboxCount]
    outbox_errors: list[OutboxErrorCount]
    jobs: list[JobFigures]
    sync_lag: list[SyncLag]


async def record_job_run(*, name: str, seconds: float, ok: bool) -> None:
    """Add one run of a scheduled job to its figures (one upsert; safe with several workers)."""
    now = clock.now()
    updated = await JobRunStat.filter(name=name).update(
        runs=F("runs") + 1,
        failures=F("failures") + (0 if ok else 1),
        total_seconds=F("total_seconds") + seconds,
        last_seconds=seconds,
        last_ok=ok,
        last_finished_at=now,
    )
    if not updated:
        _, created = await JobRunStat.get_or_create(
            name=name,
            defaults={
                "runs": 1,
                "failures": 0 if ok else 1,
                "total_seconds": seconds,
                "last_seconds": seconds,
                "last_ok": ok,
                "last_finished_at": now,
            },
        )
        if not created:  # another worker created it between our two statements
            await record_job_run(name=name, seconds=seconds, ok=ok)


async def operational_figures() -> OperationalFigures:
    """Read every database-backed figure of `/metrics`."""
    db = connections.get("default")
    _, outbox = await db.execute_query(
        "SELECT channel, status, COUNT(*) AS n FROM outbox_message GROUP BY channel, status"
    )
    _, errors = await db.execute_query(
        "SELECT channel, status, last_errcode, COUNT(*) AS n FROM outbox_message "
        "WHERE last_errcode IS NOT NULL GROUP BY channel, status, last_errcode"
    )
    _, cursors = await db.execute_query("SELECT source, last_success_at FROM job_sync_cursor")
    now = clock.now()
    return OperationalFigures(
        outbox=[OutboxCount(r["channel"], r["status"], int(r["n"])) for r in outbox],
        outbox_errors=[
            OutboxErrorCount(r["channel"], r["status"], int(r["last_errcode"]), int(r["n"]))
            for r in errors
        ],
        jobs=[_job_figures(stat) for stat in await JobRunStat.all().order_by("name")],
        sync_lag=[SyncLag(r["source"], _seconds_since(now, r["last_success_at"])) for r in cursors],
    )


def _job_figures(stat: JobRunStat) -> JobFigures:
    return JobFigures(
        name=stat.name,
        runs=stat.runs,
        failures=stat.failures,
        total_seconds=stat.total_seconds,
        last_seconds=stat.last_seconds,
        last_ok=stat.last_ok,
        last_finished_at=stat.last_finished_at,
    )


def _seconds_since(now: datetime, then: datetime | str | None) -> float | None:
    if then is None:
        return None
    if isinstance(then, str):  # SQLite hands back text
        then = datetime.fromisoformat(then)
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds())
