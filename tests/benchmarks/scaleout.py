"""Benchmark: check-in throughput through nginx (TLS) with 1 and then 2 API processes.

`python -m tests.benchmarks scaleout [--smoke] [--trainees N] [--sessions S] [--concurrency C]`

The cluster of tests/support/cluster.py (PostgreSQL + Redis, nginx on loopback, no workers) with
two API processes, each warmed up (the job index loaded, its CPU quiet) before anything is
measured, logging as deployed (LOG_LEVEL=INFO, JSON: one access-log line per request; `--log-level
WARNING` leaves it out). nginx first sends everything to one of them, then round robin to both.
Each configuration gets its own sessions: every trainee scans each session's current code once, so
every request records one new check-in (`trainees × sessions` requests per configuration).

The load comes from a process of its own (`--load`): one aiohttp session, `--concurrency`
keep-alive TLS connections opened (and nginx's upstream connections with them) by a warm-up
before the clock starts, its garbage collector off during the measured requests. It reports
its own CPU time, so the figure says how much of the machine the load itself took.

Around each measured run the CPU time (utime + stime from /proc) of each process is read:
the API processes, nginx, the PostgreSQL backends of the benchmark's database, Redis, the
load generator, and the whole machine (/proc/stat). Per configuration: requests per second,
p50/p99, CPU milliseconds per request by part, how busy each API process was (cores), how
busy the machine was (cores, all of its users), and the load average. When the machine's
cores are all busy and each API process is below one core, a second API process cannot add
throughput here: `cores_to_show_scaling` says how many cores this mix of processes would need
for two API processes to each run a full core, from the measured CPU per request
(`server_cores_to_show_scaling`: the same without the load generator).

`--priority -10` (root) runs the benchmark in a session of its own with that nice value on the
session's scheduling group, and renices its PostgreSQL backends: on a machine that others load,
closer to what it would do with the cores to itself.

Last line: one JSON object; `scaling` = rps(2) ÷ rps(1); `one_api_saturated` says whether the
single API process was the limit at all (over 0.9 of a core): if not, a second one cannot help.
Exit 1 if any reply was not 2xx or the check-ins recorded do not match the requests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from backend import clock
from backend.attendance.models import Checkin
from backend.attendance.qr import Purpose, derive_key, issue_code, step_at
from backend.classes.models import ClassSession
from backend.config import DEV_SECRET_KEY, Settings
from backend.db import close_db, migrate_db, open_db
from backend.runtime import configure
from tests.support.cluster import nginx_proxy, running_cluster
from tests.support.db import ADMIN_URL, _admin_execute, _with_database
from tests.support.factories import (
    auth,
    enrol,
    make_class,
    make_institution,
    make_trainee,
    make_user,
)

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = f"jobready_bench_scaleout_{os.getpid()}"
TICK = os.sysconf("SC_CLK_TCK")


# --- the data set ----------------------------------------------------------------------------


async def _seed(trainees: int, sessions: int) -> tuple[list[str], list[int]]:
    """One class of `trainees` enrolled trainees with `sessions` sessions about to start."""
    inst = await make_institution()
    klass = await make_class(inst, start=clock.today())
    bearers = []
    for n in range(trainees):
        user = await make_user(f"学员{n}")
        await enrol(klass, await make_trainee(f"学员{n}", user=user))
        bearers.append(auth(user)["Authorization"])
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
    return bearers, ids


# --- the load generator (its own process) ----------------------------------------------------


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    """Send spec's requests over keep-alive TLS connections; figures and own CPU time."""
    import ssl

    key = derive_key(DEV_SECRET_KEY)
    tls = ssl.create_default_context(cafile=spec["cafile"])
    concurrency = spec["concurrency"]
    url = spec["url"] + "/api/v1/checkins"
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    connections = 0

    async def count_connection(*_: Any) -> None:
        nonlocal connections
        connections += 1

    trace = aiohttp.TraceConfig()
    trace.on_connection_create_end.append(count_connection)

    async def scan(http: aiohttp.ClientSession, bearer: str, session_id: int) -> None:
        token = issue_code(
            key=key,
            session_id=session_id,
            purpose=Purpose.IN,
            step=step_at(datetime.now(UTC), 15),
        )
        async with gate:
            started = time.perf_counter()
            async with http.post(
                url, json={"token": token}, headers={"Authorization": bearer}
            ) as reply:
                await reply.read()
            latencies.append(time.perf_counter() - started)
            statuses[reply.status] = statuses.get(reply.status, 0) + 1

    connector = aiohttp.TCPConnector(ssl=tls, limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, trace_configs=[trace]) as http:
        # Warm-up: every connection opened (TLS handshakes here, nginx's upstream ones too).
        await asyncio.gather(*(scan(http, b, s) for b, s in spec["warmup"]))
        latencies.clear()
        statuses.clear()
        warm_connections = connections
        gc.collect()
        gc.disable()
        print("ready", flush=True)
        sys.stdin.readline()  # the parent has read every process's CPU time: go
        cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(scan(http, b, s) for b, s in spec["requests"]))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        gc.enable()
    ordered = sorted(latencies)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "requests": len(ordered),
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "connections_opened_measured": connections - warm_connections,
    }


def load_main() -> int:
    """`--load`: read the spec (JSON line) from stdin, print the figures (JSON line)."""
    spec = json.loads(sys.stdin.readline())
    print(json.dumps(asyncio.run(_load(spec))), flush=True)
    return 0


# --- CPU accounting --------------------------------------------------------------------------


def _cpu(pid: int) -> float:
    """utime + stime of a process, seconds (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


def _redis_pid() -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "redis-server":
                    return int(entry.name)
    return None


async def _backend_pids(dsn: str) -> list[int]:
    """The PostgreSQL server processes serving the benchmark's database."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return [r["pid"] for r in rows]


def _renice(pid: int, priority: int) -> None:
    """Give every thread of `pid` this nice value."""
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, int(task.name), priority)


def _take_priority(priority: int) -> None:
    """`--priority`: this run's processes get the weight of `priority` against the machine's
    other users. Linux schedules sessions as groups (autogroup), where a nice value counts only
    inside the group: so a session of its own, and the nice value set on that session's group.
    The PostgreSQL backends stay in the server's group; `_measure` renices them within it."""
    with contextlib.suppress(OSError):
        os.setsid()
    with contextlib.suppress(OSError):
        Path("/proc/self/autogroup").write_text(f"{priority}\n")
    _renice(os.getpid(), priority)


def _wait_quiet(pids: list[int], seconds: float = 90) -> None:
    """Until each process used under 5% of a core for a second (warm-ups finished)."""
    deadline = time.monotonic() + seconds
    before = [_cpu(p) for p in pids]
    while time.monotonic() < deadline:
        time.sleep(1.0)
        after = [_cpu(p) for p in pids]
        if all(b - a < 0.05 for a, b in zip(before, after, strict=True)):
            return
        before = after
    raise AssertionError("the API processes did not settle after start-up")


@dataclass
class Parts:
    """The processes whose CPU time is read around a run."""

    apis: list[int]
    nginx: list[int]
    loadgen: int
    redis: int | None

    def read(self, backends: list[int]) -> dict[str, Any]:
        return {
            "api": [_cpu(p) for p in self.apis],
            "nginx": sum(_cpu(p) for p in self.nginx),
            "loadgen": _cpu(self.loadgen),
            "redis": _cpu(self.redis) if self.redis else 0.0,
            "postgres": {p: _cpu(p) for p in backends},
            "machine": _machine_busy(),
        }


# --- one configuration -----------------------------------------------------------------------


@contextlib.contextmanager
def _load_process(spec: dict[str, Any]) -> Iterator[subprocess.Popen[str]]:
    command = [sys.executable, "-m", "tests.benchmarks.scaleout", "--load"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(spec) + "\n")
        proc.stdin.flush()
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


async def _measure(
    *,
    url: str,
    cafile: Path,
    nginx_pid: int,
    apis: list[int],
    dsn: str,
    requests: list[tuple[str, int]],
    warmup: list[tuple[str, int]],
    concurrency: int,
    priority: int,
) -> dict[str, Any]:
    spec = {
        "url": url,
        "cafile": str(cafile),
        "concurrency": concurrency,
        "warmup": warmup,
        "requests": requests,
    }
    with _load_process(spec) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise AssertionError("the load generator did not start")
        parts = Parts(apis, [nginx_pid, *_children(nginx_pid)], proc.pid, _redis_pid())
        backends = await _backend_pids(dsn)
        if priority:
            for pid in backends:
                _renice(pid, priority)
        load_before = os.getloadavg()[0]
        before = parts.read(backends)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        after = parts.read(backends + await _backend_pids(dsn))
        load = json.loads(line)
    n, wall = load["requests"], load["seconds"]
    api_cpu = [b - a for a, b in zip(before["api"], after["api"], strict=True)]
    postgres = sum(cpu - before["postgres"].get(pid, 0.0) for pid, cpu in after["postgres"].items())
    per_request = {
        "api": sum(api_cpu),
        "nginx": after["nginx"] - before["nginx"],
        "postgres": postgres,
        "redis": after["redis"] - before["redis"],
        "loadgen": load["cpu_seconds"],
    }
    busy = after["machine"][0] - before["machine"][0]
    elapsed_all_cores = after["machine"][1] - before["machine"][1]
    cores = os.cpu_count() or 1
    return {
        "requests": n,
        "rps": round(n / wall, 1),
        "p50_ms": round(load["p50_ms"], 1),
        "p99_ms": round(load["p99_ms"], 1),
        "statuses": load["statuses"],
        "non_2xx": sum(v for k, v in load["statuses"].items() if not 200 <= int(k) < 300),
        "cpu_ms_per_request": {k: round(v * 1000 / n, 3) for k, v in per_request.items()}
        | {"all_parts": round(sum(per_request.values()) * 1000 / n, 3)},
        "api_cores_busy": [round(c / wall, 2) for c in api_cpu],
        "loadgen_cores_busy": round(load["cpu_seconds"] / wall, 2),
        "parts_cores_busy": round(sum(per_request.values()) / wall, 2),
        "machine_cores_busy": round(busy / elapsed_all_cores * cores, 2),
        "new_connections_while_measured": load["connections_opened_measured"],
        "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


# --- the run ---------------------------------------------------------------------------------


def _plan(
    bearers: list[str], sessions: list[int], concurrency: int
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(warm-up, measured): the warm-up scans the first session, enough to open every
    connection; the measured requests are every trainee on each of the other sessions."""
    warmup = [(b, sessions[0]) for b in bearers[: max(concurrency * 2, 1)]]
    measured = [(b, s) for s in sessions[1:] for b in bearers]
    return warmup, measured


async def run(
    trainees: int, sessions: int, concurrency: int, priority: int = 0, log_level: str = "INFO"
) -> dict[str, Any]:
    """Seed, start two warmed-up API processes, measure through nginx with 1 then 2."""
    # Always PostgreSQL, whatever JOBREADY_TEST_DB says: two processes writing one SQLite
    # file queue on its lock, and that measured the file lock, not the product, once.
    await _admin_execute(
        f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{DB_NAME}"'
    )
    database_url = _with_database(ADMIN_URL, DB_NAME)
    dsn = database_url.replace("postgres://", "postgresql://", 1)
    try:
        configure(Settings(dev=True, database_url=database_url, log_format="text"))
        await migrate_db(database_url)
        await close_db()
        await open_db(database_url)
        seeded = time.perf_counter()
        bearers, ids = await _seed(trainees, 2 * (sessions + 1))
        seed_seconds = time.perf_counter() - seeded
        figures: dict[str, Any] = {
            "benchmark": "scaleout",
            "trainees": trainees,
            "sessions": sessions,
            "concurrency": concurrency,
            "cpus": os.cpu_count(),
            "seed_seconds": round(seed_seconds, 1),
            "priority": priority,
            "log_level": log_level,
        }
        env = {
            "JOBREADY_DEV": "1",
            "DATABASE_URL": database_url,
            # As deployed: one JSON access-log line per request (to a file here).
            "LOG_LEVEL": log_level,
            "LOG_FORMAT": "json",
            "REDIS_URL": "redis://127.0.0.1:6379/10",
        }
        expected = 0
        with (
            tempfile.TemporaryDirectory() as tmp,
            running_cluster(Path(tmp), settings_env=env, apis=2, workers=0) as cluster,
        ):
            api_pids = [p.pid for p in cluster.processes[:2]]
            _wait_quiet(api_pids)
            ports = [int(u.rsplit(":", 1)[1]) for u in cluster.api_urls]
            for apis, chunk in ((1, ids[: sessions + 1]), (2, ids[sessions + 1 :])):
                warmup, measured = _plan(bearers, chunk, concurrency)
                expected += len(warmup) + len(measured)
                folder = Path(tmp) / f"proxy{apis}"
                folder.mkdir()
                with nginx_proxy(folder, ports[:apis]) as url:
                    nginx_pid = int((folder / "nginx.pid").read_text())
                    figures[f"{apis}_api"] = await _measure(
                        url=url,
                        cafile=folder / "fullchain.pem",
                        nginx_pid=nginx_pid,
                        apis=api_pids[:apis],
                        dsn=dsn,
                        requests=measured,
                        warmup=warmup,
                        concurrency=concurrency,
                        priority=priority,
                    )
        recorded = await Checkin.all().count()
        one, two = figures["1_api"], figures["2_api"]
        figures["scaling"] = round(two["rps"] / one["rps"], 3) if one["rps"] else 0.0
        # A second process can only add throughput if the first one was the limit.
        figures["one_api_saturated"] = one["api_cores_busy"][0] >= 0.9
        figures["checkins_recorded"] = recorded
        figures["checkins_expected"] = expected
        # Two API processes each on a full core need these cores for everything a request
        # takes (nginx, PostgreSQL, the load generator), at the CPU per request measured.
        cost = one["cpu_ms_per_request"]
        if cost["api"]:
            figures["cores_to_show_scaling"] = math.ceil(2 * cost["all_parts"] / cost["api"])
            # ... and without the load generator, which a deployment does not run.
            server = cost["all_parts"] - cost["loadgen"]
            figures["server_cores_to_show_scaling"] = math.ceil(2 * server / cost["api"])
        return figures
    finally:
        await close_db()
        await _admin_execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def main(argv: list[str]) -> int:
    """Run the benchmark; the last line printed is its JSON figures."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks scaleout")
    parser.add_argument("--smoke", action="store_true", help="a small size for CI")
    parser.add_argument("--trainees", type=int, default=300)
    parser.add_argument("--sessions", type=int, default=8, help="measured per configuration")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        help="nice value (e.g. -10, as root) for this run's processes and its PostgreSQL"
        " backends: on a machine others load, closer to having the cores to itself",
    )
    parser.add_argument("--log-level", default="INFO", help="the API processes' LOG_LEVEL")
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load:
        return load_main()
    if args.priority:
        _take_priority(args.priority)
    trainees, sessions = (40, 3) if args.smoke else (args.trainees, args.sessions)
    concurrency = min(args.concurrency, trainees)
    figures = asyncio.run(run(trainees, sessions, concurrency, args.priority, args.log_level))
    print(json.dumps(figures), flush=True)
    failed = figures["1_api"]["non_2xx"] or figures["2_api"]["non_2xx"]
    return 1 if failed or figures["checkins_recorded"] != figures["checkins_expected"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
