"""Benchmark: one plan's instructor-conflict check (第十九条) against many committed sessions.

`python -m tests.benchmarks conflicts [--smoke] [--sessions N]` on PostgreSQL (a database of
its own, created and dropped). Prints the check's timing and the query plan, then the figures
as one JSON line: the check must use the (instructor, committed, starts_at) index, not load
sessions into Python.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import UTC, datetime, timedelta

from tortoise import Tortoise, connections

from backend.classes.models import SessionInstructor
from backend.classes.rules import Booking, find_conflicts
from backend.db import close_db, open_db
from tests.support.db import ADMIN_URL, _admin_execute, _with_database

DB_NAME = "jobready_bench_conflicts"
BASE = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


SEED_SQL = """
INSERT INTO institution (name, credit_code, district_code, status, contact_name, created_at)
VALUES ('基准机构', 'BENCH0000000000001', '350102', 'active', '', now());
INSERT INTO instructor (name, status, created_at)
SELECT '讲师' || g, 'active', now() FROM generate_series(1, {instructors}) g;
INSERT INTO training_class (institution_id, kind, title, district_code, venue_address, start_date,
    end_date, length_reason, capacity, contract_amount, status, created_at, updated_at)
VALUES (1, 'trainee_class', '基准班', '350102', '', '2027-01-04', '2040-12-31', '', 50, 0,
    'approved', now(), now());
-- one session per slot, two slots a day (09:00 and 14:00 in Shanghai), instructors rotating
INSERT INTO class_session (training_class_id, starts_at, ends_at, topic, room)
SELECT 1, t, t + INTERVAL '3 hours', '课程', ''
FROM (SELECT TIMESTAMPTZ '{base}' + (g / 2) * INTERVAL '1 day' + (g % 2) * INTERVAL '5 hours' AS t
      FROM generate_series(0, {last}) g) slots;
INSERT INTO session_instructor (session_id, instructor_id, starts_at, ends_at, committed)
SELECT s.id, 1 + (s.id % {instructors}), s.starts_at, s.ends_at, true FROM class_session s;
ANALYZE;
"""


async def _seed(sessions: int, instructors: int) -> None:
    sql = SEED_SQL.format(instructors=instructors, base=BASE.isoformat(), last=sessions - 1)
    await connections.get("default").execute_script(sql)


def _plan(instructors: int, first_day: int) -> list[Booking]:
    """A 7-day plan, two sessions a day, two instructors each; every session's first
    instructor is the one already booked at that time (14 conflicts expected)."""
    bookings = []
    for n in range(14):
        day, half = first_day + n // 2, n % 2
        starts = BASE + timedelta(days=day, hours=5 * half)
        busy = 1 + (2 * day + half + 1) % instructors  # see _seed: slot g has session id g + 1
        for instructor in (busy, 1 + (busy + instructors // 2) % instructors):
            bookings.append(Booking(-(n + 1), instructor, starts, starts + timedelta(hours=3)))
    return bookings


async def _explain(bookings: list[Booking]) -> str:
    from functools import reduce
    from operator import or_

    from backend.classes.rules import _overlap_condition

    overlap = reduce(or_, [_overlap_condition(b) for b in bookings])
    query = SessionInstructor.filter(overlap, committed=True).values("session_id", "instructor_id")
    sql = query.sql(params_inline=True)
    rows = await connections.get("default").execute_query_dict("EXPLAIN " + sql)
    return "\n".join(r["QUERY PLAN"] for r in rows)


async def run(sessions: int, repeats: int) -> dict[str, object]:
    admin = ADMIN_URL
    await _admin_execute(
        f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{DB_NAME}"'
    )
    url = _with_database(admin, DB_NAME)
    try:
        await open_db(url)
        await Tortoise.generate_schemas()
        instructors = max(20, sessions // 50)
        started = time.perf_counter()
        await _seed(sessions, instructors)
        seeded = time.perf_counter() - started
        bookings = _plan(instructors, first_day=(sessions // 4) // 2)
        timings, found = [], 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            found = len(await find_conflicts(bookings))
            timings.append((time.perf_counter() - t0) * 1000)
        plan = await _explain(bookings)
        count = await SessionInstructor.all().count()
    finally:
        await close_db()
        await _admin_execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    lines = plan.splitlines()
    print(
        "\n".join(
            lines[:6] + ([f"  … ({len(lines) - 6} more plan lines)"] if len(lines) > 6 else [])
        )
    )
    return {
        "benchmark": "conflicts",
        "existing_sessions": count,
        "plan_bookings": len(bookings),
        "conflicts_found": found,
        "seed_seconds": round(seeded, 2),
        "check_ms_median": round(statistics.median(timings), 2),
        "check_ms_max": round(max(timings), 2),
        "uses_index": "idx_session_ins" in plan or "Index" in plan,
        "seq_scan": "Seq Scan on session_instructor" in plan,
    }


def main(argv: list[str]) -> int:
    """Entry point for `python -m tests.benchmarks conflicts`."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks conflicts")
    parser.add_argument("--smoke", action="store_true", help="small size for CI")
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    sessions = 1_000 if args.smoke else args.sessions
    figures = asyncio.run(run(sessions, 5 if args.smoke else args.repeats))
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if figures["uses_index"] and not figures["seq_scan"] else 1
