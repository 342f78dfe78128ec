"""Benchmark: mock-interview feedback under load, and objective scoring.

`python -m tests.benchmarks practice [--smoke] [--requests N] [--concurrency C] [--latency S]`

1. The API served on loopback in this process, the language-model stand-in
   (miniprogram_api/standins/llm.py)
   answering every call after `--latency` seconds (1 s). C clients (20) post answers
   (`POST /api/v1/practice/interviews/{id}/answers`, each trainee its own session) as fast as
   they can: each request's time from sending to the full reply, p50/p95 (goal p95 ≤ 1.3 s:
   the event loop never waits on the model, so 20 concurrent 1 s calls take about 1 s each).
   Every reply must say `mode: model`.
2. Objective scoring (`scoring.score_objective` + `percent`) of 200 trainees × 50 items
   (single, multiple and true/false): seconds (goal ≤ 1 s).
3. The longest event-loop stall while serving.

The last line is one JSON object with `feedback_p95_s` and `objective_scoring_s`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from backend import clock
from backend.accounts.identity import issue_token_for
from backend.accounts.models import Trainee, TraineeCategory, User
from backend.employment.terms import ready as tokens_ready
from backend.practice import scoring
from backend.practice.models import Interview
from backend.practice.questions import session_questions
from backend.runtime import configure, runtime
from tests.benchmarks._jobmarket import ROOT, StallMonitor, bench_database, free_port

GOAL_P95_S = 1.3
GOAL_SCORING_S = 1.0
ANSWER = (
    "当时我在门店做销售，有一次遇到顾客集中投诉退货慢，我的任务是三天内处理完积压的退货。"
    "我首先按日期整理退货单，然后和仓库沟通固定时段集中处理，同时主动给顾客打电话说明进度。"
    "最终三天内全部处理完，投诉减少了百分之八十。"
)


async def seed(trainees: int) -> list[tuple[str, int]]:
    """Bound trainees, each with an open mock interview: (token, interview id)."""
    out = []
    for n in range(trainees):
        user = await User.create(display_name=f"学员{n}")
        trainee = await Trainee.create(
            name=f"学员{n}",
            id_number_enc="-",
            id_number_hash=f"bench-{n}",
            category=TraineeCategory.UNEMPLOYED_GRADUATE,
            user=user,
        )
        interview = await Interview.create(
            trainee=trainee,
            occupation_code="4-01-02-01",
            questions=[q.to_dict() for q in session_questions("4-01-02-01", 0)],
            created_at=clock.now(),
        )
        out.append((issue_token_for(user), interview.id))
    return out


LOAD_SCRIPT = """
import asyncio, json, sys, time
import aiohttp

async def main():
    job = json.loads(sys.stdin.read())
    people, latencies, failures = job["people"], [], []
    queue = list(range(job["requests"]))

    async def client(http):
        while queue:
            i = queue.pop()
            token, interview_id = people[i % len(people)]
            started = time.perf_counter()
            async with http.post(
                job["url"] + "/api/v1/practice/interviews/%d/answers" % interview_id,
                json={"question_index": i % 5, "text": job["answer"]},
                headers={"Authorization": "Bearer " + token},
            ) as reply:
                body = await reply.json()
            latencies.append(time.perf_counter() - started)
            if reply.status != 201 or body["feedback"]["mode"] != "model":
                failures.append("%d %s" % (reply.status, str(body)[:200]))

    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=job["concurrency"])
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(client(http) for _ in range(job["concurrency"])))
    print(json.dumps({"latencies": latencies, "failures": failures,
                      "wall": time.perf_counter() - started}))

asyncio.run(main())
"""


async def feedback_load(
    url: str, people: list[tuple[str, int]], requests: int, concurrency: int
) -> dict[str, Any]:
    """C clients (another process) posting answers until `requests` are done."""
    job = {
        "url": url,
        "people": people,
        "requests": requests,
        "concurrency": concurrency,
        "answer": ANSWER,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOAD_SCRIPT, cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate(json.dumps(job).encode())
    result = json.loads(out)
    latencies = sorted(result["latencies"])

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 3)

    return {
        "requests": len(latencies),
        "failures": len(result["failures"]),
        "failure_samples": result["failures"][:3],
        "wall_s": round(result["wall"], 2),
        "p50_s": pct(0.50),
        "p95_s": pct(0.95),
        "max_s": round(latencies[-1], 3),
    }


@contextlib.asynccontextmanager
async def model_process(latency: float) -> AsyncIterator[str]:
    """The model stand-in in a process of its own (a real model runs elsewhere too)."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "miniprogram_api.standins.llm",
        "--port",
        str(port),
        "--latency",
        str(latency),
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{url}/_fake/requests") as reply:
                        if reply.status == 200:
                            break
                await asyncio.sleep(0.05)
        yield url
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=10)


async def model_calls(url: str) -> int:
    """How many chat completions the stand-in received."""
    async with aiohttp.ClientSession() as http, http.get(f"{url}/_fake/requests") as reply:
        return len((await reply.json())["requests"])


def objective_scoring(trainees: int, items: int, seed: int = 21) -> dict[str, Any]:
    """Score `trainees` answer sheets of `items` objective questions: seconds."""
    rng = random.Random(seed)
    kinds = ("single", "multiple", "true_false")
    questions: list[dict[str, Any]] = []
    for n in range(items):
        kind = kinds[n % 3]
        answer: Any = (
            [rng.choice("ABCD")]
            if kind == "single"
            else sorted(rng.sample("ABCD", 2))
            if kind == "multiple"
            else rng.random() < 0.5
        )
        questions.append({"id": n + 1, "kind": kind, "answer": answer, "points": 2})
    sheets = [
        {
            str(q["id"]): (
                rng.choice(["A", "B", "C", "D", "AB", "CD"]) if q["kind"] != "true_false" else "对"
            )
            for q in questions
        }
        for _ in range(trainees)
    ]
    started = time.perf_counter()
    totals = [scoring.percent(questions, scoring.score_objective(questions, s)) for s in sheets]
    seconds = time.perf_counter() - started
    return {
        "trainees": trainees,
        "items": items,
        "seconds": round(seconds, 4),
        "mean_score": round(float(sum(totals)) / len(totals), 1),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Seed, load the feedback endpoint against the stand-in, time the scoring."""
    from miniprogram_api.app import create_app
    from tests.support.server import serve_app

    async with model_process(args.latency) as model_url:
        async with bench_database("practice", sqlite=args.sqlite):
            configure(
                runtime().settings.replace(
                    llm_api_base=model_url + "/v1",
                    llm_timeout=10.0,
                    llm_max_concurrency=max(32, args.concurrency),
                    llm_daily_calls_per_trainee=100_000,
                    log_level="WARNING",
                )
            )
            await tokens_ready()
            people = await seed(args.concurrency)
            app = create_app(runtime().settings, manage_orm=False, name="jobready_bench_practice")
            async with serve_app(app) as url:
                monitor = StallMonitor().start()
                cpu = time.process_time()
                load = await feedback_load(url, people, args.requests, args.concurrency)
                cpu = time.process_time() - cpu
                stall = await monitor.stop()
            await runtime().close()
        calls = await model_calls(model_url)
    scored = objective_scoring(200, 50)
    return {
        "benchmark": "practice",
        "database": "sqlite" if args.sqlite else "postgresql",
        "model_latency_s": args.latency,
        "concurrency": args.concurrency,
        "feedback": load,
        "feedback_p95_s": load["p95_s"],
        "feedback_goal_s": GOAL_P95_S,
        "model_calls": calls,
        # CPU this process (the API) spent per answer: 20 answers arriving at once queue for
        # about 20 × this before the last one reaches the model
        "api_cpu_ms_per_answer": round(1000 * cpu / max(1, load["requests"]), 1),
        "objective_scoring": scored,
        "objective_scoring_s": scored["seconds"],
        "objective_goal_s": GOAL_SCORING_S,
        "longest_loop_stall_ms": stall,
    }


def main(argv: list[str]) -> int:
    """Entry point: figures as one JSON line, last; exit 1 if a reply failed."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks practice")
    parser.add_argument("--smoke", action="store_true", help="40 requests (CI)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--latency", type=float, default=1.0, help="the stand-in's seconds")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    args = parser.parse_args(argv)
    if args.smoke:
        args.requests = 40
    figures = asyncio.run(run(args))
    print(
        f"feedback p95 {figures['feedback_p95_s']} s with {args.concurrency} clients against a "
        f"{args.latency:g} s model; objective scoring 200×50: {figures['objective_scoring_s']} s",
        file=sys.stderr,
    )
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return 1 if figures["feedback"]["failures"] else 0
