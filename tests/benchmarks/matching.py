"""Benchmark: matching.

`python -m tests.benchmarks matching [--smoke] [--postings N] [--trainees M] [--sqlite]`:

1. N active postings (50,000) and M trainees with profiles (10,000) in a database of its own;
2. top-20 for every trainee, the way the daily push does it (index loaded from the database,
   then ranked in slices that yield to the event loop): total seconds (goal < 60 s);
3. the API served on loopback in this process, `GET /api/v1/me/job-matches` for random
   trainees from a load generator in another process: at a steady 100 requests/s (latency
   counted from when each request was due), p50/p95/p99 (goal p99 < 100 ms); then 16 clients
   as fast as they can, for the saturation throughput;
4. the longest event-loop stall during 2 and 3 (goal none > 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from datetime import UTC, datetime
from typing import Any

from backend.accounts.identity import issue_token_for
from backend.accounts.models import Trainee, TraineeCategory, User
from backend.employment.models import JobPosting, JobProfile
from backend.employment.push import BATCH as PUSH_BATCH
from backend.employment.push import rank_many
from backend.employment.search import job_index, warm_up
from backend.employment.service import match_profile
from backend.employment.sync import _plan_page, ensure_index_state, next_index_seq
from backend.employment.terms import ready as tokens_ready
from backend.integrations.recruitment import JsonContractAdapter
from backend.occupations import OCCUPATIONS, Education
from backend.runtime import runtime
from miniprogram_api.standins.recruitment_data import DISTRICT_WEIGHTS, TRADES, make_posting
from tests.benchmarks._jobmarket import ROOT, StallMonitor, bench_database, rss_mb

GOAL_ALL_SECONDS = 60.0
GOAL_P99_MS = 100.0
GOAL_STALL_MS = 100.0
BATCH = 1000

LOAD_SCRIPT = """
import asyncio, json, random, sys, time
import aiohttp

async def main():
    job = json.loads(sys.stdin.read())
    tokens, rng = job["tokens"], random.Random(1)
    latencies, failures = [], 0

    async def one(http, token, due):
        nonlocal failures
        async with http.get(job["url"] + "/api/v1/me/job-matches",
                            headers={"Authorization": "Bearer " + token}) as response:
            await response.read()
            failures += response.status != 200
        latencies.append(time.perf_counter() - due)  # from when it was due: no coordinated omission

    async def closed_loop(http):
        queue = [rng.choice(tokens) for _ in range(job["requests"])]
        async def worker():
            while queue:
                await one(http, queue.pop(), time.perf_counter())
        await asyncio.gather(*(worker() for _ in range(job["concurrency"])))

    async def open_loop(http):
        started, tasks = time.perf_counter(), []
        for n in range(job["requests"]):
            due = started + n / job["rate"]
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(http, rng.choice(tokens), due)))
        await asyncio.gather(*tasks)

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        await (open_loop(http) if job["rate"] else closed_loop(http))
    print(json.dumps({"latencies": latencies, "failures": failures,
                      "seconds": time.perf_counter() - started}))

asyncio.run(main())
"""


async def seed_postings(count: int) -> float:
    """Store `count` simulator postings as the sync would (index terms, change number)."""
    started = time.perf_counter()
    adapter, epoch = JsonContractAdapter(), datetime.now(UTC)
    await ensure_index_state()
    for first in range(0, count, BATCH):
        raws = [make_posting(5, i, 0, epoch) for i in range(first, min(count, first + BATCH))]
        items = {p.external_id: p for p in map(adapter.parse_posting, raws)}
        plan = await asyncio.to_thread(_plan_page, items, {}, 0, "fuzhou")
        seq = await next_index_seq()
        for row in plan.rows:
            row.change_seq = seq
        await JobPosting.bulk_create(plan.rows, batch_size=200)
    return time.perf_counter() - started


def _profile_fields(rng: random.Random) -> dict[str, Any]:
    """A plausible profile: 0-3 wanted occupations, 0-3 districts, a floor, some words."""
    trade = rng.choice(TRADES)
    codes = [trade.code, *rng.sample(list(OCCUPATIONS), rng.randrange(0, 3))]
    return {
        "desired_occupations": [] if rng.random() < 0.1 else codes,
        "districts": rng.sample(list(DISTRICT_WEIGHTS), rng.choice((0, 1, 1, 2, 2, 3))),
        "salary_floor": rng.choice((None, 3000, 4000, 5000, 6000, 8000)),
        "education": rng.choice(list(Education)[1:6]),
        "major": "",
        "skills": rng.sample(trade.skills, 2),
        "intention": "、".join(rng.sample(trade.titles, 2)),
    }


async def seed_trainees(count: int) -> tuple[float, list[str]]:
    """`count` bound trainees with profiles; their session tokens."""
    started, rng = time.perf_counter(), random.Random(3)
    for first in range(0, count, BATCH):
        size = min(BATCH, count - first)
        await User.bulk_create([User(display_name=f"学员{first + n}") for n in range(size)])
    users = await User.all().order_by("id")
    trainees = [
        Trainee(
            name=user.display_name,
            id_number_enc="bench",
            id_number_hash=f"bench-{user.id}",
            category=TraineeCategory.UNEMPLOYED_GRADUATE,
            user_id=user.id,
        )
        for user in users
    ]
    await Trainee.bulk_create(trainees, batch_size=BATCH)
    ids = await Trainee.all().order_by("id").values_list("id", flat=True)
    profiles = [JobProfile(trainee_id=t, **_profile_fields(rng)) for t in ids]
    await JobProfile.bulk_create(profiles, batch_size=BATCH)
    tokens = [issue_token_for(user) for user in users]
    return time.perf_counter() - started, tokens


async def match_everyone() -> dict[str, Any]:
    """Top-20 for every profile, as the push does it, with the event loop watched (the runtime
    `bench_database` configured is new: its posting index is loaded here, from nothing)."""
    monitor = StallMonitor().start()
    started = time.perf_counter()
    await tokens_ready()  # as the push does first (in a thread)
    before = rss_mb()
    index = await job_index()
    loaded = time.perf_counter() - started
    index_mb = rss_mb() - before
    sizes: list[int] = []
    last_id = 0
    while True:  # pages of profiles, as the daily push reads them
        profiles = await JobProfile.filter(id__gt=last_id).order_by("id").limit(PUSH_BATCH)
        if not profiles:
            break
        last_id = profiles[-1].id
        queries = ((p.trainee_id, match_profile(p)) for p in profiles)
        ranked = await rank_many(index, queries, now=time.time(), k=20)
        sizes += [len(found) for found in ranked.values()]  # the push writes and forgets them
    total = time.perf_counter() - started
    stall = await monitor.stop()
    return {
        "seconds": round(total, 2),
        "index_load_seconds": round(loaded, 2),
        "index_rss_mb": round(index_mb, 1),
        "ranking_seconds": round(total - loaded, 2),
        "per_trainee_ms": round(1000 * (total - loaded) / max(1, len(sizes)), 2),
        "trainees_with_20": sum(1 for n in sizes if n == 20),
        "longest_loop_stall_ms": stall,
        "rss_mb": round(rss_mb(), 1),
    }


async def load_test(tokens: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """GET /me/job-matches from another process while this one serves and is watched: at a
    steady rate (open loop), then as fast as 16 clients can (the saturation throughput)."""
    from miniprogram_api.app import create_app
    from tests.benchmarks._jobmarket import wire_job_routes
    from tests.support.server import serve_app

    wire_job_routes()
    app = create_app(runtime().settings, manage_orm=False, name="jobready_bench_matching")
    async with serve_app(app) as url:
        await warm_up()
        job = {"url": url, "tokens": tokens, "requests": args.requests, "rate": args.rate}
        steady = await _load(job)
        job.update(rate=0, requests=args.requests // 3, concurrency=args.concurrency)
        saturated = await _load(job)
    return {"steady": steady, "saturated": saturated}


async def _load(job: dict[str, Any]) -> dict[str, Any]:
    monitor = StallMonitor().start()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOAD_SCRIPT, cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate(json.dumps(job).encode())
    stall = await monitor.stop()
    result = json.loads(out)
    latencies = sorted(result["latencies"])

    def pct(q: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1)

    shape = {"rate": job["rate"]} if job["rate"] else {"concurrency": job["concurrency"]}
    return {
        **shape,
        "requests": len(latencies),
        "failures": result["failures"],
        "per_second": round(len(latencies) / result["seconds"]),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(1000 * latencies[-1], 1),
        "longest_loop_stall_ms": stall,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Seed, match everyone, then load the API."""
    async with bench_database("matching", sqlite=args.sqlite):
        seeded = await seed_postings(args.postings)
        people, tokens = await seed_trainees(args.trainees)
        everyone = await match_everyone()
        api = await load_test(tokens, args)
    stalls = (everyone, api["steady"], api["saturated"])
    stall = max(part["longest_loop_stall_ms"] for part in stalls)
    return {
        "benchmark": "matching",
        "database": "sqlite" if args.sqlite else "postgresql",
        "postings": args.postings,
        "trainees": args.trainees,
        "seed_seconds": {"postings": round(seeded, 1), "trainees": round(people, 1)},
        "match_all": everyone,
        "match_all_goal_seconds": GOAL_ALL_SECONDS,
        "ratio": round(everyone["seconds"] / GOAL_ALL_SECONDS, 2),
        "api": api,
        "p99_goal_ms": GOAL_P99_MS,
        "longest_loop_stall_ms": stall,
        "stall_goal_ms": GOAL_STALL_MS,
    }


def main(argv: list[str]) -> int:
    """Entry point: figures as one JSON line, last."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks matching")
    parser.add_argument("--smoke", action="store_true", help="3,000 postings, 500 trainees (CI)")
    parser.add_argument("--postings", type=int, default=50_000)
    parser.add_argument("--trainees", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=100.0, help="steady load, requests/s")
    parser.add_argument("--concurrency", type=int, default=16, help="clients at saturation")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args(argv)
    if args.smoke:
        args.postings, args.trainees, args.requests, args.rate = 3000, 500, 300, 50.0
    figures = asyncio.run(run(args))
    print(
        f"top-20 for {args.trainees:,} trainees × {args.postings:,} postings: "
        f"{figures['match_all']['seconds']} s; /me/job-matches p99 "
        f"{figures['api']['steady']['p99_ms']} ms at {args.rate:g}/s; "
        f"longest stall {figures['longest_loop_stall_ms']} ms",
        file=sys.stderr,
    )
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    failures = figures["api"]["steady"]["failures"] + figures["api"]["saturated"]["failures"]
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
