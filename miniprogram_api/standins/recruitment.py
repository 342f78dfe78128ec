"""A simulator of the public recruitment site: a real aiohttp server speaking the JSON contract.

It serves docs/recruitment-contract.md: postings changed since a cursor (paged), removed
postings, one posting, and resume delivery (idempotent by the Idempotency-Key header). Its
market is reproducible (`seed`), of any size (`postings`; 100,000 are generated lazily, on
demand), and changes over time: `advance(new=…, edit=…, remove=…)`, or on its own every
`churn_seconds`. Faults are controllable and reproducible:

- ``fail(path=…, http_status=…, count=…, retry_after=…, delay=…, after=…)`` queues failures
  (``after=True``: the request takes effect, then the answer fails or comes late);
- ``error_rate`` (random 500/503), ``slow_rate``/``slow_seconds`` (random slow answers);
- ``rate_limit`` requests per second with a ``burst``: beyond it, 429 with Retry-After.

Control over HTTP: ``GET /_sim/state``, ``GET /_sim/requests[?path=]``, ``GET /_sim/applications``,
``POST /_sim/advance``, ``POST /_sim/fail``, ``POST /_sim/faults``, ``POST /_sim/reset``.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import itertools
import json
import math
import random
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from miniprogram_api.standins.recruitment_data import external_id, index_of, make_posting

API = "/api/v1"
PATHS = ("changes", "removed", "posting", "applications")


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class SimFailure:
    """The next `count` calls of `path` (any API path if None) fail, are delayed, or both."""

    path: str | None = None
    count: int = 1
    http_status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    after: bool = False  # the request takes effect first, then its answer fails or is late

    def matches(self, path: str) -> bool:
        """Does this rule apply to a call of `path`?"""
        return self.count > 0 and self.path in (None, path)


@dataclass
class SimCall:
    """One request the simulator received and how it answered."""

    method: str
    path: str
    query: dict[str, str]
    status: int = 200
    time: float = 0.0


@dataclass
class RecruitmentSimState:
    """The site's data, its change log, recorded applications and the faults to inject."""

    seed: int = 7
    postings: int = 1000  # postings existing at start
    clock: Callable[[], datetime] = _utcnow
    error_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 2.0
    rate_limit: float = 0.0  # requests per second; 0 = unlimited
    burst: int = 20
    max_page: int = 1000
    epoch: datetime = field(default_factory=_utcnow)
    count: int = 0
    next_seq: int = 0
    versions: dict[int, int] = field(default_factory=dict)
    seq_of: dict[int, int] = field(default_factory=dict)  # changed after start: latest seq
    changed_at: dict[int, datetime] = field(default_factory=dict)
    created_at: dict[int, datetime] = field(default_factory=dict)
    removed: dict[int, datetime] = field(default_factory=dict)
    change_log: list[tuple[int, int]] = field(default_factory=list)  # (seq, index)
    removed_log: list[tuple[int, int]] = field(default_factory=list)
    failures: list[SimFailure] = field(default_factory=list)
    calls: deque[SimCall] = field(default_factory=lambda: deque(maxlen=50_000))
    applications: list[dict[str, Any]] = field(default_factory=list)
    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tokens: float = 0.0
    _refilled: float = 0.0

    def __post_init__(self) -> None:
        self._faults = (self.error_rate, self.slow_rate, self.slow_seconds, self.rate_limit)
        self.reset()

    # -- control ------------------------------------------------------------------------------

    def reset(self, *, postings: int | None = None, seed: int | None = None) -> None:
        """Back to the initial market (same seed: same data), the faults it started with, no
        applications and no request log."""
        self.seed = self.seed if seed is None else seed
        self.postings = self.postings if postings is None else postings
        self.epoch = self.clock().replace(microsecond=0)
        self.count = self.next_seq = self.postings
        for store in (self.versions, self.seq_of, self.changed_at, self.created_at, self.removed):
            store.clear()
        for log in (self.change_log, self.removed_log, self.failures, self.applications):
            log.clear()
        self.calls.clear()
        self.receipts.clear()
        self.error_rate, self.slow_rate, self.slow_seconds, self.rate_limit = self._faults
        self._rng = random.Random(self.seed + 1)
        self._fault_rng = random.Random(self.seed + 2)
        self._tokens, self._refilled = float(self.burst), time.monotonic()
        self._app_ids = itertools.count(1)

    def advance(self, *, new: int = 0, edit: int = 0, remove: int = 0) -> dict[str, list[str]]:
        """Change the market: new postings, edits, removals (ids chosen reproducibly)."""
        now = self.clock()
        created = [self._create(now) for _ in range(new)]
        edited = [self._edit(i, now) for i in self._pick(edit)]
        removed = [self._remove(i, now) for i in self._pick(remove)]
        return {"new": created, "edited": edited, "removed": removed}

    def edit(self, posting_id: str) -> None:
        """Edit one posting (a new version appears in the changes feed)."""
        self._edit(self._index(posting_id), self.clock())

    def remove(self, posting_id: str) -> None:
        """Take one posting down (it appears in the removed feed)."""
        self._remove(self._index(posting_id), self.clock())

    def fail(
        self,
        path: str | None = None,
        *,
        http_status: int | None = None,
        count: int = 1,
        retry_after: float | None = None,
        delay: float = 0.0,
        after: bool = False,
    ) -> None:
        """Make the next `count` calls of `path` fail with `http_status` and/or answer late."""
        if http_status is None and delay <= 0:
            raise ValueError("give http_status or a delay")
        if path is not None and path not in PATHS:
            raise ValueError(f"path must be one of {PATHS}")
        self.failures.append(SimFailure(path, count, http_status, retry_after, delay, after))

    def requests(self, path: str | None = None) -> list[SimCall]:
        """Calls received (of one path: changes, removed, posting, applications)."""
        return [c for c in self.calls if path is None or c.path == path]

    def active_ids(self) -> list[str]:
        """Ids of every posting the site offers now."""
        return [external_id(i) for i in range(self.count) if i not in self.removed]

    # -- the data -----------------------------------------------------------------------------

    def _index(self, posting_id: str) -> int:
        index = index_of(posting_id)
        if index is None or index >= self.count:
            raise KeyError(posting_id)
        return index

    def _bump(self, index: int, now: datetime) -> int:
        self.next_seq += 1
        self.seq_of[index] = self.next_seq
        self.changed_at[index] = now
        self.change_log.append((self.next_seq, index))
        return self.next_seq

    def _create(self, now: datetime) -> str:
        index = self.count
        self.count += 1
        self.created_at[index] = now.replace(microsecond=0)
        self._bump(index, now)
        return external_id(index)

    def _edit(self, index: int, now: datetime) -> str:
        self.versions[index] = self.versions.get(index, 0) + 1
        self._bump(index, now)
        return external_id(index)

    def _remove(self, index: int, now: datetime) -> str:
        self.next_seq += 1
        self.removed[index] = now
        self.removed_log.append((self.next_seq, index))
        return external_id(index)

    def _pick(self, n: int) -> list[int]:
        chosen: set[int] = set()
        for _ in range(n * 20):
            if len(chosen) >= n or len(chosen) + len(self.removed) >= self.count:
                break
            index = self._rng.randrange(self.count)
            if index not in self.removed:
                chosen.add(index)
        return sorted(chosen)

    def posting(self, index: int) -> dict[str, Any]:
        """Posting `index` as the site shows it now."""
        data = make_posting(
            self.seed, index, self.versions.get(index, 0), self.epoch, self.changed_at.get(index)
        )
        created = self.created_at.get(index)
        if created is not None:
            data["published_at"] = created.isoformat()
            data["expires_at"] = (created + timedelta(days=60)).isoformat()
        return data

    def changes(self, cursor: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
        """Postings changed after `cursor`: (items, next cursor, more to come)."""
        items: list[dict[str, Any]] = []
        position = cursor
        for index in range(cursor, self.postings):  # the initial postings, seq = index + 1
            if len(items) >= limit:
                return items, position, True
            position = index + 1
            if index not in self.seq_of and index not in self.removed:
                items.append(self.posting(index))
        start = bisect.bisect_right(self.change_log, (position, math.inf))
        for seq, index in self.change_log[start:]:
            if len(items) >= limit:
                return items, position, True
            position = seq
            if self.seq_of.get(index) == seq and index not in self.removed:
                items.append(self.posting(index))
        return items, max(position, cursor), False

    def removed_since(self, cursor: int, limit: int) -> tuple[list[dict[str, Any]], int, bool]:
        """Postings removed after `cursor`: (items, next cursor, more to come)."""
        start = bisect.bisect_right(self.removed_log, (cursor, math.inf))
        chunk = self.removed_log[start : start + limit]
        items = [
            {"id": external_id(i), "removed_at": self.removed[i].isoformat()} for _, i in chunk
        ]
        position = chunk[-1][0] if chunk else cursor
        return items, position, start + limit < len(self.removed_log)

    def apply(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Record an application once per key: (HTTP status, answer)."""
        if key in self.receipts:
            return 200, {**self.receipts[key], "duplicate": True}
        index = index_of(str(body.get("posting_id", "")))
        if index is None or index >= self.count:
            return 404, _error("POSTING_NOT_FOUND", "岗位不存在")
        if index in self.removed:
            return 410, _error("POSTING_CLOSED", "岗位已下架，无法投递")
        applicant = body.get("applicant") or {}
        if not applicant.get("name") or not applicant.get("phone"):
            return 422, _error("APPLICANT_INCOMPLETE", "求职者姓名和电话不能为空")
        receipt = {"application_id": f"SIM-APP-{next(self._app_ids):06d}", "status": "received"}
        self.receipts[key] = receipt
        self.applications.append({**body, "key": key, **receipt, "received_at": time.time()})
        return 201, {**receipt, "duplicate": False}

    # -- faults -------------------------------------------------------------------------------

    def take_failure(self, path: str) -> SimFailure | None:
        """Use up one queued failure matching `path`."""
        for rule in self.failures:
            if rule.matches(path):
                rule.count -= 1
                return rule
        return None

    def rate_limited(self) -> float | None:
        """Seconds to wait when the token bucket is empty, else None (and a token is used)."""
        if self.rate_limit <= 0:
            return None
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._refilled) * self.rate_limit)
        self._refilled = now
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        return (1 - self._tokens) / self.rate_limit

    def random_fault(self) -> tuple[int | None, float]:
        """(status to fail with or None, seconds to delay) drawn from the fault rates."""
        status = None
        if self.error_rate and self._fault_rng.random() < self.error_rate:
            status = self._fault_rng.choice((500, 502, 503))
        slow = self.slow_rate and self._fault_rng.random() < self.slow_rate
        return status, self.slow_seconds if slow else 0.0


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return web.Response(text=text, status=status, headers=headers, content_type="application/json")


def _cursor(request: web.Request) -> int:
    raw = request.query.get("cursor", "") or "0"
    if not raw.isdigit():
        raise web.HTTPBadRequest(
            text=json.dumps(_error("BAD_CURSOR", "cursor 无效")), content_type="application/json"
        )
    return int(raw)


def _limit(request: web.Request, state: RecruitmentSimState) -> int:
    raw = request.query.get("limit", "200")
    return max(1, min(state.max_page, int(raw) if raw.isdigit() else 200))


Handler = Callable[[web.Request], Awaitable[web.Response]]


class SiteApi:
    """The contract's endpoints, with faults applied around them."""

    def __init__(self, state: RecruitmentSimState) -> None:
        self.state = state

    def register(self, app: web.Application) -> None:
        """Add the API routes."""
        app.router.add_get(f"{API}/postings/changes", self._guard("changes", self.changes))
        app.router.add_get(f"{API}/postings/removed", self._guard("removed", self.removed))
        app.router.add_get(f"{API}/postings/{{pid}}", self._guard("posting", self.posting))
        app.router.add_post(f"{API}/applications", self._guard("applications", self.apply))

    def _guard(self, name: str, handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.Response:
            call = SimCall(request.method, name, dict(request.query), time=time.time())
            self.state.calls.append(call)
            response = await self._faulty(name, request, handler)
            call.status = response.status
            return response

        return guarded

    async def _faulty(self, name: str, request: web.Request, handler: Handler) -> web.Response:
        state = self.state
        wait = state.rate_limited()
        if wait is not None:
            retry = str(max(1, math.ceil(wait)))
            return _json(_error("RATE_LIMITED", "请求过于频繁"), 429, {"Retry-After": retry})
        rule = state.take_failure(name)
        if rule is not None and not rule.after:
            failed = await self._fail(rule.http_status, rule.retry_after, rule.delay)
        else:
            status, delay = state.random_fault() if rule is None else (None, 0.0)
            failed = await self._fail(status, None, delay)
        if failed is not None:
            return failed
        response = await handler(request)
        if rule is not None and rule.after:
            failed = await self._fail(rule.http_status, rule.retry_after, rule.delay)
        return failed or response

    @staticmethod
    async def _fail(
        status: int | None, retry_after: float | None, delay: float
    ) -> web.Response | None:
        """Wait `delay`, then the error answer for `status` (None: no error, go on)."""
        if delay > 0:
            await asyncio.sleep(delay)
        if status is None:
            return None
        headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after is not None else None
        return _json(_error("SIMULATED", f"simulated HTTP {status}"), status, headers)

    async def changes(self, request: web.Request) -> web.Response:
        """GET /postings/changes?cursor=&limit=."""
        items, cursor, more = self.state.changes(_cursor(request), _limit(request, self.state))
        remaining = max(0, self.state.next_seq - cursor) if more else 0
        body = {
            "items": items,
            "next_cursor": str(cursor),
            "has_more": more,
            "remaining": remaining,
        }
        return _json(body)

    async def removed(self, request: web.Request) -> web.Response:
        """GET /postings/removed?cursor=&limit=."""
        state = self.state
        items, cursor, more = state.removed_since(_cursor(request), _limit(request, state))
        return _json({"items": items, "next_cursor": str(cursor), "has_more": more})

    async def posting(self, request: web.Request) -> web.Response:
        """GET /postings/{id}: 404 unknown, 410 removed."""
        index = index_of(request.match_info["pid"])
        if index is None or index >= self.state.count:
            return _json(_error("POSTING_NOT_FOUND", "岗位不存在"), 404)
        if index in self.state.removed:
            return _json(_error("POSTING_REMOVED", "岗位已下架"), 410)
        return _json(self.state.posting(index))

    async def apply(self, request: web.Request) -> web.Response:
        """POST /applications (Idempotency-Key required)."""
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return _json(_error("IDEMPOTENCY_KEY_REQUIRED", "缺少 Idempotency-Key"), 400)
        try:
            body = await request.json()
        except ValueError:
            return _json(_error("BAD_JSON", "请求内容不是 JSON"), 400)
        status, answer = self.state.apply(key, body if isinstance(body, dict) else {})
        return _json(answer, status)


class ControlApi:
    """``/_sim/...``: read what happened and drive the market and the faults over HTTP."""

    def __init__(self, state: RecruitmentSimState) -> None:
        self.state = state

    def register(self, app: web.Application) -> None:
        """Add the control routes."""
        app.router.add_get("/_sim/state", self.summary)
        app.router.add_get("/_sim/requests", self.requests)
        app.router.add_get("/_sim/applications", self.applications)
        app.router.add_post("/_sim/advance", self.advance)
        app.router.add_post("/_sim/fail", self.fail)
        app.router.add_post("/_sim/faults", self.faults)
        app.router.add_post("/_sim/reset", self.reset)

    async def summary(self, request: web.Request) -> web.Response:
        """Counts of the market and of what was received."""
        s = self.state
        return _json(
            {
                "seed": s.seed,
                "postings": s.count,
                "active": s.count - len(s.removed),
                "removed": len(s.removed),
                "edited": len(s.versions),
                "applications": len(s.applications),
                "calls": len(s.calls),
            }
        )

    async def requests(self, request: web.Request) -> web.Response:
        """The request log."""
        path = request.query.get("path")
        return _json([c.__dict__ for c in self.state.requests(path)])

    async def applications(self, request: web.Request) -> web.Response:
        """Applications received (once per Idempotency-Key)."""
        return _json(self.state.applications)

    async def advance(self, request: web.Request) -> web.Response:
        """{new, edit, remove}: change the market."""
        body = await request.json()
        return _json(
            self.state.advance(**{k: int(body.get(k, 0)) for k in ("new", "edit", "remove")})
        )

    async def fail(self, request: web.Request) -> web.Response:
        """{path, http_status, count, retry_after, delay, after}."""
        try:
            self.state.fail(**(await request.json()))
        except (TypeError, ValueError) as exc:
            return _json({"ok": False, "error": str(exc)}, 400)
        return _json({"ok": True})

    async def faults(self, request: web.Request) -> web.Response:
        """{error_rate, slow_rate, slow_seconds, rate_limit, burst}."""
        body = await request.json()
        for key in ("error_rate", "slow_rate", "slow_seconds", "rate_limit"):
            if key in body:
                setattr(self.state, key, float(body[key]))
        if "burst" in body:
            self.state.burst = int(body["burst"])
        return _json({"ok": True})

    async def reset(self, request: web.Request) -> web.Response:
        """{postings?, seed?}: back to the initial market."""
        body = await request.json() if request.can_read_body else {}
        self.state.reset(postings=body.get("postings"), seed=body.get("seed"))
        return _json({"ok": True})


def build_app(state: RecruitmentSimState) -> web.Application:
    """The aiohttp application serving `state`."""
    app = web.Application()
    SiteApi(state).register(app)
    ControlApi(state).register(app)
    return app


@dataclass
class RecruitmentSim:
    """A running simulator: its base `url`, its `state`."""

    url: str
    host: str
    port: int
    state: RecruitmentSimState
    runner: web.AppRunner
    churn: asyncio.Task[None] | None = None

    async def stop(self) -> None:
        """Stop serving."""
        if self.churn is not None:
            self.churn.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.churn
        await self.runner.cleanup()


async def _churn(state: RecruitmentSimState, every: float) -> None:
    """Change the market a little every `every` seconds, as a real site does."""
    while True:
        await asyncio.sleep(every)
        state.advance(new=3, edit=4, remove=2)


async def start_recruitment_sim(
    host: str = "127.0.0.1", port: int = 0, *, churn_seconds: float = 0.0, **options: Any
) -> RecruitmentSim:
    """Start the simulator on `host:port` (port 0: a free one); `options` set the state."""
    state = RecruitmentSimState(**options)
    runner = web.AppRunner(
        build_app(state), access_log=None, handler_cancellation=True, shutdown_timeout=0.5
    )
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    real_port = int(runner.addresses[0][1])
    sim = RecruitmentSim(f"http://{host}:{real_port}", host, real_port, state, runner)
    if churn_seconds > 0:
        sim.churn = asyncio.create_task(_churn(state, churn_seconds))
    return sim


async def serve_forever(host: str, port: int, **options: Any) -> None:
    """Run the simulator until cancelled or sent SIGTERM."""
    sim = await start_recruitment_sim(host, port, **options)
    print(
        f"招聘网站模拟服务已启动：{sim.url}（{sim.state.count} 个岗位，按 Ctrl-C 停止）", flush=True
    )
    stopped = asyncio.Event()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    try:
        await stopped.wait()
    finally:
        await sim.stop()
        print("招聘网站模拟服务已停止", flush=True)


def run_recruitment_sim(
    host: str = "127.0.0.1",
    port: int = 8602,
    *,
    postings: int = 5000,
    seed: int = 7,
    churn_seconds: float = 60.0,
) -> None:
    """Serve the simulator, blocking until Ctrl-C (the market changes every minute)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve_forever(host, port, postings=postings, seed=seed, churn_seconds=churn_seconds)
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Simulator of the recruitment site")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8602)
    parser.add_argument("--postings", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--churn-seconds", type=float, default=60.0)
    args = parser.parse_args()
    run_recruitment_sim(
        args.host,
        args.port,
        postings=args.postings,
        seed=args.seed,
        churn_seconds=args.churn_seconds,
    )
