"""Benchmark: check-in throughput through nginx (TLS) with 1 and then 2 API processes.

`python -m tests.benchmarks scaleout [--smoke] [--trainees N] [--bursts B]`

The cluster of tests/support/cluster.py (PostgreSQL + Redis, nginx on loopback, no workers):
every trainee scans the current code of a fresh session in one burst, `--bursts` times, first
with one API process behind the proxy, then with two. The load generator, nginx, PostgreSQL and
the API processes share this machine's cores, so the figure says how far a second process helps
here, not on a server with cores to spare. Last line: one JSON object with both rates,
`scaling` = rps(2) ÷ rps(1), p99s and the count of non-2xx replies (exit 1 if any).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp

from backend import clock
from backend.attendance.qr import Purpose, issue_code, step_at
from backend.attendance.service import qr_key
from backend.classes.models import ClassSession
from backend.config import Settings
from backend.db import close_db, migrate_db, open_db
from backend.runtime import configure
from tests.support.cluster import client_tls, running_cluster
from tests.support.db import create_test_database, drop_test_database
from tests.support.factories import (
    auth,
    enrol,
    make_class,
    make_institution,
    make_trainee,
    make_user,
)

SUFFIX = "_scaleout"


async def _seed(trainees: int, sessions: int) -> tuple[list[dict[str, str]], list[int]]:
    inst = await make_institution()
    klass = await make_class(inst, start=clock.today())
    headers = []
    for n in range(trainees):
        user = await make_user(f"学员{n}")
        await enrol(klass, await make_trainee(f"学员{n}", user=user))
        headers.append(auth(user))
    starts = clock.now() + timedelta(minutes=5)
    ids = []
    for n in range(sessions):
        session = await ClassSession.create(
            training_class=klass,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            topic=f"基准第{n + 1}课",
            room="301",
        )
        ids.append(session.id)
    return headers, ids


async def _burst(url: str, tls: Any, headers: list[dict[str, str]], session_id: int) -> Any:
    token = issue_code(
        key=qr_key(), session_id=session_id, purpose=Purpose.IN, step=step_at(clock.now(), 15)
    )
    connector = aiohttp.TCPConnector(ssl=tls, limit=50)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def scan(h: dict[str, str]) -> tuple[int, float]:
            started = time.perf_counter()
            async with http.post(f"{url}/api/v1/checkins", json={"token": token}, headers=h) as r:
                await r.read()
                return r.status, time.perf_counter() - started

        started = time.perf_counter()
        results = await asyncio.gather(*(scan(h) for h in headers))
        return results, time.perf_counter() - started


async def _measure(
    cluster_url: str, tls: Any, headers: list[dict[str, str]], sessions: list[int]
) -> dict[str, float]:
    await _burst(cluster_url, tls, headers[:10], sessions[0])  # warm-up: connections, caches
    latencies: list[float] = []
    wall, bad, count = 0.0, 0, 0
    for session_id in sessions:
        results, seconds = await _burst(cluster_url, tls, headers, session_id)
        wall += seconds
        count += len(results)
        bad += sum(1 for status, _ in results if status >= 300)
        latencies += [latency for _, latency in results]
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else latencies[0]
    return {"rps": count / wall, "p99_ms": p99 * 1000, "non_2xx": bad}


async def run(trainees: int, bursts: int) -> dict[str, Any]:
    """Seed, then measure through nginx with one and with two API processes."""
    database_url = await create_test_database(SUFFIX)
    try:
        configure(Settings(dev=True, database_url=database_url, log_format="text"))
        await migrate_db(database_url)
        await close_db()
        await open_db(database_url)
        headers, sessions = await _seed(trainees, 2 * bursts)
        await close_db()
        figures: dict[str, Any] = {"benchmark": "scaleout", "trainees": trainees}
        env = {"JOBREADY_DEV": "1", "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
        env["REDIS_URL"] = "redis://127.0.0.1:6379/10"
        for apis, chunk in ((1, sessions[:bursts]), (2, sessions[bursts:])):
            with (
                tempfile.TemporaryDirectory() as tmp,
                running_cluster(Path(tmp), settings_env=env, apis=apis, workers=0) as cluster,
            ):
                tls = client_tls(cluster.tls_folder)
                measured = await _measure(cluster.url, tls, headers, chunk)
            figures.update({f"{k}_{apis}_api": round(v, 1) for k, v in measured.items()})
        figures["scaling"] = round(figures["rps_2_api"] / figures["rps_1_api"], 3)
        return figures
    finally:
        await drop_test_database(SUFFIX)


def main(argv: list[str]) -> int:
    """Run the benchmark; the last line printed is its JSON figures."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks scaleout")
    parser.add_argument("--smoke", action="store_true", help="a small size for CI")
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--bursts", type=int, default=3)
    args = parser.parse_args(argv)
    trainees, bursts = (30, 1) if args.smoke else (args.trainees, args.bursts)
    figures = asyncio.run(run(trainees, bursts))
    print(json.dumps(figures), flush=True)
    return 1 if figures["non_2xx_1_api"] or figures["non_2xx_2_api"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
