"""Benchmark: syncing the recruitment site.

`python -m tests.benchmarks sync [--smoke] [--postings N] [--sqlite]`: the simulator (in a
process of its own) offers N postings (100,000 by default); one sync stores them all, streaming
pages of 500. Measured: postings per second (goal ≥ 2,000), resident memory after the first
10% and at the end (flat memory: the growth between the two stays small), the longest
event-loop stall; then an incremental sync of a few changes and a full re-sync that must not
duplicate anything. Database: PostgreSQL (its own database, dropped after), or SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import aiohttp

from backend.employment import terms
from backend.employment.models import JobPosting
from backend.employment.sync import SyncReport, sync_postings
from backend.integrations.recruitment import RecruitmentConfig, RecruitmentConnector
from tests.benchmarks._jobmarket import StallMonitor, bench_database, rss_mb, simulator_process

GOAL_PER_SECOND = 2000


class MemoryTrace:
    """Resident memory sampled after every stored page."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.at_tenth: float | None = None
        self.peak = rss_mb()
        self.start = self.peak

    def __call__(self, report: SyncReport) -> None:
        now = rss_mb()
        self.peak = max(self.peak, now)
        if self.at_tenth is None and report.fetched >= self.total / 10:
            self.at_tenth = now


async def run(postings: int, *, sqlite: bool, page_size: int) -> dict[str, Any]:
    """Sync N postings three ways and measure."""
    async with bench_database("sync", sqlite=sqlite), simulator_process(postings) as url:
        connector = RecruitmentConnector(RecruitmentConfig(base_url=url, page_size=page_size))
        await asyncio.to_thread(terms.tokenizer)  # as the worker does at start
        memory = MemoryTrace(postings)
        monitor = StallMonitor().start()
        started = time.perf_counter()
        first = await sync_postings(connector=connector, progress=memory)
        seconds = time.perf_counter() - started
        stall_ms = await monitor.stop()
        changes = max(10, postings // 100)
        async with aiohttp.ClientSession() as http:
            body = {"new": changes, "edit": changes, "remove": changes // 2}
            await (await http.post(f"{url}/_sim/advance", json=body)).read()
        incremental = await sync_postings(connector=connector)
        rows_before = await JobPosting.all().count()
        full = await sync_postings(connector=connector, full=True)
        rows = await JobPosting.all().count()
        await connector.close()
    rate = first.fetched / seconds
    cache = _cache_figures()
    return {
        "benchmark": "sync",
        "database": "sqlite" if sqlite else "postgresql",
        "postings": postings,
        "stored": first.created,
        "seconds": round(seconds, 2),
        "postings_per_s": round(rate),
        "goal_postings_per_s": GOAL_PER_SECOND,
        "ratio": round(rate / GOAL_PER_SECOND, 2),
        "rss_start_mb": round(memory.start, 1),
        "rss_at_10pct_mb": round(memory.at_tenth or memory.peak, 1),
        "rss_peak_mb": round(memory.peak, 1),
        "rss_growth_after_10pct_mb": round(memory.peak - (memory.at_tenth or memory.peak), 1),
        "longest_loop_stall_ms": stall_ms,
        "incremental": {
            "fetched": incremental.fetched,
            "created": incremental.created,
            "updated": incremental.updated,
            "removed": incremental.removed,
            "seconds": round(incremental.seconds, 2),
        },
        "full_resync": {
            "fetched": full.fetched,
            "created": full.created,
            "unchanged": full.unchanged,
            "seconds": round(full.seconds, 2),
        },
        "rows_before_resync": rows_before,
        "rows_after_resync": rows,
        "token_cache": cache,
    }


def _cache_figures() -> dict[str, Any]:
    """Hits of the cache of segmented text blocks."""
    info = terms.block_cache_info()
    if info is None:
        return {"hit_rate": None, "blocks": 0}
    hits, misses, size = info
    return {"hit_rate": round(hits / (hits + misses), 3) if hits + misses else None, "blocks": size}


def main(argv: list[str]) -> int:
    """Entry point: figures as one JSON line, last."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks sync")
    parser.add_argument("--smoke", action="store_true", help="2,000 postings (CI)")
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument(
        "--no-token-cache",
        action="store_true",
        help="segment every text afresh (real postings repeat less wording than the simulator's)",
    )
    args = parser.parse_args(argv)
    if args.no_token_cache:
        terms.cache_blocks(0)
    postings = 2000 if args.smoke else args.postings
    figures = asyncio.run(run(postings, sqlite=args.sqlite, page_size=args.page_size))
    print(
        f"synced {postings:,} postings in {figures['seconds']} s "
        f"({figures['postings_per_s']:,}/s, goal {GOAL_PER_SECOND:,}/s); "
        f"memory {figures['rss_at_10pct_mb']} MB at 10% → {figures['rss_peak_mb']} MB peak",
        file=sys.stderr,
    )
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    no_duplicates = figures["rows_after_resync"] == figures["rows_before_resync"]
    return 0 if no_duplicates and figures["full_resync"]["created"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
