"""Benchmark: city HR's work queue over a city's classes — the service behind
`GET /api/v1/me/work-queue`, called directly (no HTTP).

`python -m tests.benchmarks workqueue [--classes N] [--smoke]`, on PostgreSQL. Seeds N classes
in 10 institutions across the stages HR's queue reads (plans to review, approved, in progress,
completed, following up), each with trainees, seven sessions and the demo's attendance (no
follow-up milestones or employment records: those stages read fewer rows than in real data, in
as many statements), then asks the queue as city HR and reports the time and the statements of
one request (median of five).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise import Tortoise

from backend import clock
from backend.accounts.access import load_actor
from backend.accounts.models import Role
from backend.classes.models import ClassSession, ClassStatus
from backend.config import Settings
from backend.db import close_db, open_db
from backend.demo.attendance import seed_attendance
from backend.runtime import configure
from backend.workqueue.service import work_queue
from tests.support.db import ADMIN_URL, _admin_execute, _with_database
from tests.support.factories import enrol, make_class, make_institution, make_staff, make_trainee

DB_NAME = "jobready_bench_workqueue"
TODAY = date(2027, 3, 15)  # a Monday
NOW = datetime(2027, 3, 15, 10, 0, tzinfo=clock.SHANGHAI)
TRAINEES = 10  # per class
REPEATS = 5
# (status, share of the classes, start date relative to today)
MIX = [
    (ClassStatus.SUBMITTED, 0.1, 30),
    (ClassStatus.APPROVED, 0.2, 10),
    (ClassStatus.IN_PROGRESS, 0.2, -3),
    (ClassStatus.COMPLETED, 0.2, -20),
    (ClassStatus.FOLLOWING_UP, 0.3, -60),
]


class _Statements(logging.Handler):
    """Counts the statements the ORM sends (its client logs each at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def _seed(classes: int) -> int:
    institutions = [await make_institution("350102", name=f"机构{n}") for n in range(10)]
    teachers = [await make_staff(Role.CLASS_TEACHER, institution=i) for i in institutions]
    hr = await make_staff(Role.HR_ADMIN)
    made = 0
    for status, share, offset in MIX:
        for _ in range(max(1, round(classes * share))):
            start = TODAY + timedelta(days=offset)
            klass = await make_class(institutions[made % 10], start=start, status=status)
            for _ in range(TRAINEES):
                await enrol(klass, await make_trainee())
            for day in range(7):
                begins = datetime.combine(start + timedelta(days=day), datetime.min.time(), UTC)
                await ClassSession.create(
                    training_class=klass,
                    starts_at=begins + timedelta(hours=1),
                    ends_at=begins + timedelta(hours=4),
                    topic=f"第{day + 1}课",
                    room="301",
                )
            # the demo's plausible attendance: scans, a leave, an absence, late arrivals
            await seed_attendance(class_id=klass.id, teacher_user_id=teachers[made % 10].id)
            made += 1
    return hr.id


async def run(classes: int) -> dict[str, Any]:
    await _admin_execute(
        f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{DB_NAME}"'
    )
    url = _with_database(ADMIN_URL, DB_NAME)
    clock.set_clock(lambda: NOW.astimezone(UTC))
    configure(Settings(dev=True, database_url=url, redis_url=""))
    counter = _Statements()
    client_log = logging.getLogger("tortoise.db_client")
    level = client_log.level
    try:
        await open_db(url)
        await Tortoise.generate_schemas()
        started = time.perf_counter()
        hr_id = await _seed(classes)
        seeded = time.perf_counter() - started
        actor = await load_actor(hr_id)
        seconds, statements, items = [], [], 0
        client_log.addHandler(counter)
        client_log.setLevel(logging.DEBUG)
        for _ in range(REPEATS):
            counter.count = 0
            started = time.perf_counter()
            queue = await work_queue(actor=actor)
            seconds.append(time.perf_counter() - started)
            statements.append(counter.count)
            items = len(queue.items)
    finally:
        client_log.removeHandler(counter)
        client_log.setLevel(level)
        clock.set_clock(None)
        await close_db()
        await _admin_execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    median = statistics.median(seconds)
    return {
        "benchmark": "workqueue",
        "database": "postgres",
        "classes": classes,
        "seed_seconds": round(seeded, 2),
        "items": items,
        "queue_seconds": round(median, 3),
        "queue_seconds_all": [round(s, 3) for s in seconds],
        "statements": statistics.median(statements),
        "statements_per_class": round(statistics.median(statements) / classes, 1),
    }


def main(argv: list[str]) -> int:
    """Run and print the figures as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks workqueue")
    parser.add_argument("--smoke", action="store_true", help="small size for CI")
    parser.add_argument("--classes", type=int, default=200)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(10 if args.smoke else args.classes))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
