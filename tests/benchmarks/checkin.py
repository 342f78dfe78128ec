"""Benchmark: a burst of check-ins against a real server on PostgreSQL.

`python -m tests.benchmarks checkin [--smoke] [--trainees N] [--sessions S] [--rounds R]`

1,000 trainees (bound, enrolled) across 20 classes, each with one session about to start,
all scan the session's current code in a burst: `POST /api/v1/checkins` through the whole
stack (token → actor, code verification, enrolment, window, the INSERT guarded by the unique
constraint). In the same run and the same server, a bare endpoint does one raw asyncpg INSERT
(same unique constraint, ON CONFLICT DO NOTHING) per request under the same load: the same
number of requests, the same concurrency, bodies of the same shape. Both pools have the same
size. The server runs in a process of its own (`--serve`, one Sanic process, access logs at
WARNING); the load comes from this process over loopback.

Figures: requests per second over each burst's wall time, and p50/p99 of each request's time
from sending to the full reply (queueing inside the server included, not the client's own
queue). The last line is one JSON object with `ratio` = check-in rps ÷ raw-insert rps.
Exit status 1 if any reply was not 2xx or a burst did not leave exactly one row per trainee.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import aiohttp
import asyncpg
from sanic import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_reply

from backend import db
from backend.attendance.qr import Purpose, derive_key, issue_code, step_at
from backend.config import DEV_SECRET_KEY
from backend.security.tokens import issue_access_token
from miniprogram_api.auth import logged_in
from tests.support.db import ADMIN_URL, _admin_execute, _with_database
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "jobready_bench_checkin"
RAW_PATH = "/bench/raw-insert"
AUTH_PATH = "/bench/auth-only"
READY_PATH = "/bench/ready"
CHECKIN_PATH = "/api/v1/checkins"
PATHS = {"raw": RAW_PATH, "auth": AUTH_PATH, "checkin": CHECKIN_PATH}
USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) MicroMessenger/8.0.50 benchmark"


# --- the server process ----------------------------------------------------------------------


def serve(port: int, database_url: str, pool: int) -> int:
    """Run the API plus the bare raw-insert endpoint (this is the `--serve` child process)."""
    from backend.config import Settings
    from backend.logs import configure_logging
    from miniprogram_api.app import create_app

    settings = Settings(
        dev=True,
        database_url=f"{database_url}?minsize={pool}&maxsize={pool}",
        log_level="WARNING",
        log_format="json",
    )
    configure_logging(level="WARNING", fmt="json")
    app = create_app(settings, name="jobready_bench_checkin")

    @app.before_server_start
    async def open_raw_pool(app: Any) -> None:
        dsn = database_url.replace("postgres://", "postgresql://", 1)
        # The same connection class as the API's pool (no reset round trip on release):
        # like for like, the baseline gets every advantage the API has.
        app.ctx.raw_pool = await asyncpg.create_pool(
            dsn, min_size=pool, max_size=pool, connection_class=db.PooledConnection
        )

    @app.after_server_stop
    async def close_raw_pool(app: Any) -> None:
        await app.ctx.raw_pool.close()

    app.add_route(ready, READY_PATH, methods=["GET"], name="bench_ready")
    app.add_route(raw_insert, RAW_PATH, methods=["POST"], name="bench_raw_insert")
    app.add_route(cast(Any, auth_only), AUTH_PATH, methods=["POST"], name="bench_auth_only")
    app.run(host="127.0.0.1", port=port, single_process=True, access_log=False, motd=False)
    return 0


async def ready(request: Request) -> HTTPResponse:
    """200 once the process has warmed up (jieba's dictionary, the job index, gc.freeze)."""
    warm_up = getattr(request.app.ctx, "job_index_warm_up", None)
    done = warm_up is None or warm_up.done()
    return json_reply({"ready": done}, status=200 if done else 503)


async def raw_insert(request: Request) -> HTTPResponse:
    """The baseline: parse the JSON body, one raw asyncpg INSERT, a JSON reply."""
    body = request.json
    await request.app.ctx.raw_pool.execute(
        "INSERT INTO bench_raw (session_id, trainee_id, purpose, token, scanned_at, ip,"
        " user_agent) VALUES ($1, $2, 'in', $3, now(), $4, $5) ON CONFLICT DO NOTHING",
        body["session_id"],
        body["trainee_id"],
        body["token"],
        request.ip or "",
        request.headers.get("user-agent", ""),
    )
    return json_reply({"ok": True}, status=201)


@logged_in
async def auth_only(request: Request, actor: Any) -> HTTPResponse:
    """A diagnostic: what every authenticated route pays before its own work (token, actor)."""
    return json_reply({"ok": True}, status=201)


# --- the data set ----------------------------------------------------------------------------


async def _seed(conn: asyncpg.Connection, trainees: int, sessions: int, starts: datetime) -> None:
    """Bulk-insert classes, sessions, users with WeChat identities, trainees and enrolments."""
    await conn.execute(
        "INSERT INTO institution (name, credit_code, district_code, status, contact_name,"
        " created_at) VALUES ('基准机构', 'BENCH0000000000001', '350102', 'active', '', now())"
    )
    await conn.execute(
        "INSERT INTO training_class (institution_id, kind, title, district_code, venue_address,"
        " start_date, end_date, length_reason, capacity, contract_amount, status, created_at,"
        " updated_at) SELECT 1, 'trainee_class', '基准班' || g, '350102', '', current_date,"
        " current_date + 6, '', 200, 0, 'in_progress', now(), now()"
        " FROM generate_series(1, $1) g",
        sessions,
    )
    await conn.execute(
        "INSERT INTO class_session (training_class_id, starts_at, ends_at, topic, room)"
        " SELECT g, $2::timestamptz, $2::timestamptz + interval '3 hours', '简历制作', ''"
        " FROM generate_series(1, $1) g",
        sessions,
        starts,
    )
    await conn.execute(
        "INSERT INTO app_user (display_name, is_active, token_version, created_at)"
        " SELECT '学员' || g, true, 1, now() FROM generate_series(1, $1) g",
        trainees,
    )
    await conn.execute(
        "INSERT INTO wechat_identity (appid, openid, created_at, updated_at, user_id)"
        " SELECT 'wx-demo-appid', 'o-bench-' || g, now(), now(), g FROM generate_series(1, $1) g",
        trainees,
    )
    await conn.execute(
        "INSERT INTO trainee (name, id_number_enc, id_number_hash, gender, category, education,"
        " school, major, created_at, user_id, bound_at) SELECT '学员' || g, 'bench',"
        " 'bench-' || g, '', 'unemployed_graduate', '', '', '', now(), g, now()"
        " FROM generate_series(1, $1) g",
        trainees,
    )
    await conn.execute(
        "INSERT INTO enrolment (status, category, created_at, trainee_id, training_class_id,"
        " withdraw_reason, withdraw_note) SELECT 'enrolled', 'unemployed_graduate', now(), g,"
        " 1 + (g - 1) % $2, '', ''"
        " FROM generate_series(1, $1) g",
        trainees,
        sessions,
    )
    await conn.execute(
        "CREATE TABLE bench_raw (id SERIAL PRIMARY KEY, session_id INT NOT NULL,"
        " trainee_id INT NOT NULL, purpose VARCHAR(8) NOT NULL, token VARCHAR(64) NOT NULL,"
        " scanned_at TIMESTAMPTZ NOT NULL, ip VARCHAR(64) NOT NULL, user_agent VARCHAR(300)"
        " NOT NULL, UNIQUE (session_id, trainee_id, purpose))"
    )
    await conn.execute("ANALYZE")


async def _create_schema(url: str) -> None:
    from tortoise import Tortoise

    await db.open_db(url)
    try:
        await Tortoise.generate_schemas()
    finally:
        await db.close_db()


# --- the load --------------------------------------------------------------------------------


@dataclass
class Trainee:
    """One simulated phone: who it is and which session it scans."""

    user_id: int
    session_id: int
    bearer: str


@dataclass
class Burst:
    """The figures of one kind of request over every measured round."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    requests: int = 0
    non_2xx: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        """Throughput and latency percentiles."""
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
        return {
            "requests": self.requests,
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else 0.0,
            "p99_ms": round(p99 * 1000, 2),
            "non_2xx": self.non_2xx,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }


def _code(key: bytes, session_id: int) -> str:
    """The code the session's projector shows right now (computed at send time)."""
    return issue_code(
        key=key, session_id=session_id, purpose=Purpose.IN, step=step_at(datetime.now(UTC), 15)
    )


async def _burst(
    http: aiohttp.ClientSession,
    base: str,
    kind: str,
    phones: list[Trainee],
    concurrency: int,
    key: bytes,
    result: Burst | None,
) -> None:
    """Every phone sends one request, at most `concurrency` in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def one(phone: Trainee) -> None:
        body: dict[str, Any] = {
            "token": _code(key, phone.session_id),
            "latitude": 26.0745,
            "longitude": 119.2965,
            "accuracy": 20.0,
            "device_id": f"bench-device-{phone.user_id}",
        }
        if kind == "raw":
            body.update(session_id=phone.session_id, trainee_id=phone.user_id)
        headers = {"Authorization": phone.bearer, "User-Agent": USER_AGENT}
        async with gate:
            started = time.perf_counter()
            async with http.post(base + PATHS[kind], json=body, headers=headers) as reply:
                await reply.read()
                status = reply.status
            elapsed = time.perf_counter() - started
        if result is not None:
            result.latencies.append(elapsed)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            result.non_2xx += not 200 <= status < 300

    started = time.perf_counter()
    await asyncio.gather(*(one(p) for p in phones))
    if result is not None:
        result.seconds += time.perf_counter() - started
        result.requests += len(phones)


async def _wait_for_server(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if proc.poll() is not None:
                raise RuntimeError(f"the benchmark server exited with {proc.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                # Ready, not only up: a warm-up still loading in a thread would tax one burst.
                async with http.get(base + READY_PATH) as reply:
                    if reply.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError("the benchmark server did not start within 30 s")


async def _rows(conn: asyncpg.Connection, table: str) -> int:
    return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


async def _measure(
    base: str,
    conn: asyncpg.Connection,
    phones: list[Trainee],
    rounds: int,
    concurrency: int,
) -> tuple[dict[str, Burst], list[str]]:
    """A warm-up, then `rounds` bursts of each kind (rotating which goes first)."""
    key = derive_key(DEV_SECRET_KEY)
    kinds = ["raw", "auth", "checkin"]
    results = {kind: Burst() for kind in kinds}
    problems: list[str] = []
    tables = {"raw": "bench_raw", "checkin": "attendance_checkin"}
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as http:
        for kind in kinds:  # warm-up: connections, prepared statements, caches
            await _burst(http, base, kind, phones[: min(200, len(phones))], concurrency, key, None)
        for n in range(rounds):
            await conn.execute("TRUNCATE bench_raw, attendance_checkin RESTART IDENTITY CASCADE")
            for kind in kinds[n % 3 :] + kinds[: n % 3]:
                # The load generator collects its garbage between bursts, not during them: a
                # full collection here (70-90 ms seen) stalled every request in flight and
                # showed up as the server's p99.
                gc.collect()
                gc.disable()
                try:
                    await _burst(http, base, kind, phones, concurrency, key, results[kind])
                finally:
                    gc.enable()
                if kind in tables and (rows := await _rows(conn, tables[kind])) != len(phones):
                    problems.append(f"round {n + 1}: {kind} left {rows} rows for {len(phones)}")
    return results, problems


def _start_server(url: str, port: int, pool: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tests.benchmarks.checkin", "--serve"]
    command += ["--port", str(port), "--database-url", url, "--pool", str(pool)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def run(
    trainees: int, sessions: int, rounds: int, concurrency: int, pool: int
) -> dict[str, Any]:
    """Build the data set, start the server, measure, clean up; the figures."""
    await _admin_execute(
        f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{DB_NAME}"'
    )
    url = _with_database(ADMIN_URL, DB_NAME)
    proc = None
    conn = None
    try:
        await _create_schema(url)
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        seeded = time.perf_counter()
        starts = datetime.now(UTC) + timedelta(minutes=5)  # on time: the window is open
        await _seed(conn, trainees, sessions, starts)
        seed_seconds = time.perf_counter() - seeded
        phones = [
            Trainee(
                user_id=g,
                session_id=1 + (g - 1) % sessions,
                bearer="Bearer "
                + issue_access_token(
                    user_id=g, token_version=1, secret=DEV_SECRET_KEY, ttl_seconds=3600
                ),
            )
            for g in range(1, trainees + 1)
        ]
        port = free_port()
        proc = _start_server(url, port, pool)
        base = f"http://127.0.0.1:{port}"
        await _wait_for_server(base, proc)
        results, problems = await _measure(base, conn, phones, rounds, concurrency)
    finally:
        if proc is not None:
            _stop_server(proc)
        if conn is not None:
            await conn.close()
        await _admin_execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    c, r, a = (results[k].figures() for k in ("checkin", "raw", "auth"))
    ratio = round(c["rps"] / r["rps"], 3) if r["rps"] else 0.0
    p99_ratio = round(c["p99_ms"] / r["p99_ms"], 3) if r["p99_ms"] else 0.0
    return {
        "benchmark": "checkin",
        "trainees": trainees,
        "sessions": sessions,
        "rounds": rounds,
        "concurrency": concurrency,
        "db_pool": pool,
        "cpus": os.cpu_count(),
        "seed_seconds": round(seed_seconds, 2),
        "checkin": c,
        "raw_insert": r,
        "auth_only": a,
        "ratio": ratio,
        "p99_ratio": p99_ratio,
        "auth_only_ratio": round(a["rps"] / r["rps"], 3) if r["rps"] else 0.0,
        "goal_met": ratio >= 0.5 and p99_ratio <= 2.0 and not c["non_2xx"] and not r["non_2xx"],
        "problems": problems,
    }


def main(argv: list[str]) -> int:
    """Entry point for `python -m tests.benchmarks checkin`."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks checkin")
    parser.add_argument("--smoke", action="store_true", help="small size for CI")
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight")
    parser.add_argument(
        "--pool", type=int, default=db.POOL_MAX, help="database connections (each side)"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.port, args.database_url, args.pool)
    if args.smoke:
        args.trainees, args.sessions, args.rounds = 100, 4, 1
    figures = asyncio.run(
        run(args.trainees, args.sessions, args.rounds, args.concurrency, args.pool)
    )
    print(
        f"check-in: {figures['checkin']['rps']} req/s, p50 {figures['checkin']['p50_ms']} ms,"
        f" p99 {figures['checkin']['p99_ms']} ms | raw INSERT: {figures['raw_insert']['rps']}"
        f" req/s, p50 {figures['raw_insert']['p50_ms']} ms, p99 {figures['raw_insert']['p99_ms']}"
        f" ms | auth only: {figures['auth_only']['rps']} req/s | ratio {figures['ratio']}"
    )
    print(json.dumps(figures, ensure_ascii=False))
    failed = (
        figures["checkin"]["non_2xx"] or figures["raw_insert"]["non_2xx"] or figures["problems"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
