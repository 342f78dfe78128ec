"""Benchmark: follow-up milestones for 100,000 trainees, and outbox dispatch against the stand-in.

`python -m tests.benchmarks followups [--smoke] [--trainees N] [--messages M] [--concurrency C]
[--sqlite]` builds a database of its own (PostgreSQL by default, created and dropped; `--sqlite`
for a temporary file), then measures:

1. milestone generation: every completed class moves to following_up and each of its trainees
   gets three milestones (`start_due_followups`, bulk inserts);
2. dispatch throughput: M consented notices sent by the real dispatcher (claim, consent, daily
   cap, send through the wechatpy connector over aiohttp, record, inbox copy) to the WeChat
   stand-in running in a process of its own; `send_p99_ms` is the 99th percentile of one send
   (the channel's call, token and HTTP included) during that run;
3. in the same run, a bare aiohttp loop posting the same M requests to the same stand-in at the
   same concurrency, and the connector alone (no database) — `ratio` is dispatch ÷ bare loop;
4. due-day queuing: the week-1 survey invitations of every trainee written to the outbox.

The figures are printed as one JSON line, last.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
from tortoise import Tortoise, connections

from backend import clock
from backend.accounts.models import Institution, Trainee, TraineeCategory, User, WeChatIdentity
from backend.classes.models import ClassStatus, Enrolment, TrainingClass
from backend.config import Settings
from backend.db import MODEL_MODULES, close_db, open_db
from backend.integrations.wechat import (
    WeChatConfig,
    WeChatConnector,
    WeChatError,
    wrap_template_data,
)
from backend.notifications.channels import HANDLERS, Attempt, ChannelHandler, Outcome, Result
from backend.notifications.dispatch import Dispatcher
from backend.notifications.models import (
    Channel,
    ConsentResult,
    OutboxMessage,
    OutboxStatus,
    SubscriptionConsent,
)
from backend.notifications.templates import NOTICE, template
from backend.runtime import configure
from tests.support.db import ADMIN_URL, SHM, SHM_EXISTS, _admin_execute, _with_database

DB_NAME = "jobready_bench_followups"
APPID, SECRET = "wx-demo-appid", "demo-secret"
PER_CLASS = 50
FIRST_END = date(2026, 8, 25)  # classes end 25–31 August: the 31st clamps in February
DISPATCH_AT = datetime(2026, 9, 7, 10, 0, tzinfo=clock.SHANGHAI)  # daytime, all week-1 due
FOLLOWUP_MODELS = "backend.followups.models"
REPEATS = 3  # the loops without a database are short and noisy: median of three


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start_standin() -> tuple[asyncio.subprocess.Process, str]:
    """The WeChat stand-in in a process of its own, so it does not share our event loop."""
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "miniprogram_api.standins.wechat",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(f"{url}/_fake/requests?path=none") as res:
                    if res.status == 200:
                        return proc, url
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    proc.kill()
    raise RuntimeError("the WeChat stand-in did not start")


async def _seed_classes(trainees: int) -> int:
    """Completed classes of PER_CLASS trainees each (bulk inserts, not measured)."""
    now = clock.now()
    inst = await Institution.create(
        name="基准机构", credit_code="BENCH0000000000002", district_code="350102"
    )
    classes = max(1, trainees // PER_CLASS)
    await TrainingClass.bulk_create(
        [
            TrainingClass(
                institution_id=inst.id,
                title=f"基准学员班{n}",
                district_code="350102",
                start_date=FIRST_END - timedelta(days=6),
                end_date=FIRST_END + timedelta(days=n % 7),
                contract_amount=Decimal("0"),
                status=ClassStatus.COMPLETED,
                created_at=now,
                updated_at=now,
            )
            for n in range(classes)
        ],
        batch_size=2000,
    )
    await Trainee.bulk_create(
        [
            Trainee(
                name=f"学员{n}",
                id_number_enc="bench",
                id_number_hash=f"bench-{n}",
                category=TraineeCategory.UNEMPLOYED_GRADUATE,
                created_at=now,
            )
            for n in range(trainees)
        ],
        batch_size=5000,
    )
    class_ids = list(await TrainingClass.all().order_by("id").values_list("id", flat=True))
    trainee_ids = list(await Trainee.all().order_by("id").values_list("id", flat=True))
    await Enrolment.bulk_create(
        [
            Enrolment(
                training_class_id=class_ids[i // PER_CLASS % len(class_ids)],
                trainee_id=t,
                category="unemployed_graduate",
                created_at=now,
            )
            for i, t in enumerate(trainee_ids)
        ],
        batch_size=5000,
    )
    return len(class_ids)


async def _seed_messages(messages: int) -> list[dict[str, Any]]:
    """Users with an openid and one consent each, and one due notice per user."""
    now, spec = clock.now(), template(NOTICE)
    before = await User.all().order_by("-id").first()
    await User.bulk_create(
        [User(display_name=f"用户{n}", created_at=now) for n in range(messages)], batch_size=5000
    )
    newer = User.filter(id__gt=before.id if before else 0)
    user_ids = list(await newer.order_by("id").values_list("id", flat=True))
    await WeChatIdentity.bulk_create(
        [
            WeChatIdentity(
                user_id=u, appid=APPID, openid=f"o-bench{u}", created_at=now, updated_at=now
            )
            for u in user_ids
        ],
        batch_size=5000,
    )
    await SubscriptionConsent.bulk_create(
        [
            SubscriptionConsent(
                user_id=u,
                template_id=spec.subscribe_id,
                remaining=1,
                last_result=ConsentResult.ACCEPT,
                updated_at=now,
            )
            for u in user_ids
        ],
        batch_size=5000,
    )
    payloads: list[dict[str, Any]] = [
        {
            "data": {"thing1": "面试通知", "date2": "2026年9月8日", "thing3": "请准时参加"},
            "page": f"pages/notice/index?n={u}",
        }
        for u in user_ids
    ]
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                dedupe_key=f"bench:{u}",
                channel=Channel.SUBSCRIBE,
                template_key=NOTICE,
                payload=p,
                user_id=u,
                next_attempt_at=now,
                created_at=now,
            )
            for u, p in zip(user_ids, payloads, strict=True)
        ],
        batch_size=5000,
    )
    return [
        {
            "touser": f"o-bench{u}",
            "template_id": spec.subscribe_id,
            "data": wrap_template_data(p["data"]),
            "miniprogram_state": "formal",
            "lang": "zh_CN",
            "page": p["page"],
        }
        for u, p in zip(user_ids, payloads, strict=True)
    ]


async def _bare_loop(url: str, bodies: list[dict[str, Any]], concurrency: int) -> float:
    """Messages per second of a plain aiohttp client posting the same requests."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        token_body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
        async with http.post(f"{url}/cgi-bin/stable_token", json=token_body) as res:
            token = (await res.json())["access_token"]
        endpoint = f"{url}/cgi-bin/message/subscribe/send?access_token={token}"
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for body in bodies:
            queue.put_nowait(body)
        failures = 0

        async def sender() -> None:
            nonlocal failures
            while not queue.empty():
                body = queue.get_nowait()
                async with http.post(endpoint, json=body) as res:
                    failures += (await res.json()).get("errcode", 0) != 0

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"bare loop: {failures} sends failed")
    return len(bodies) / elapsed


async def _connector_only(
    connector: WeChatConnector, bodies: list[dict[str, Any]], concurrency: int
) -> float:
    """Messages per second through the wechatpy connector alone (no database, no thread)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(body: dict[str, Any]) -> None:
        data = {k: v["value"] for k, v in body["data"].items()}
        async with gate:
            await connector.send_subscribe(
                body["touser"], body["template_id"], data, page=body["page"]
            )

    started = time.perf_counter()
    await asyncio.gather(*(one(b) for b in bodies))
    return len(bodies) / (time.perf_counter() - started)


# The floor's recording statement on PostgreSQL: what the dispatcher's is, less the inbox copy.
_FLOOR_RECORD_PG = """
WITH quick AS (SELECT set_config('synchronous_commit', 'off', true))
UPDATE outbox_message SET status = 'sent', sent_at = $1, lease_until = NULL
 WHERE id = ANY($2::bigint[]) AND status = 'pending' AND EXISTS (SELECT 1 FROM quick)
"""


async def _recorded_floor(
    url: str, bodies: list[dict[str, Any]], ids: list[int], concurrency: int
) -> float:
    """Messages per second of the least any dispatcher meeting the crash bound must do.

    The bare loop's sends, each recorded before its window slot is given back (at most
    `concurrency` sent and unrecorded), the outcomes that arrive meanwhile written together in
    one statement (asynchronous commit on PostgreSQL) — and nothing else: no claim, consent,
    daily cap, ledger, inbox copy or wechatpy. Not a production path: it shows how far the
    machine lets any dispatcher come to the bare loop.
    """
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"

    async def write(group: list[int]) -> None:
        if postgres:
            await connection.execute_query(_FLOOR_RECORD_PG, [clock.now(), group])
        else:
            await OutboxMessage.filter(id__in=group, status=OutboxStatus.PENDING).update(
                status=OutboxStatus.SENT, sent_at=clock.now()
            )

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        token_body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
        async with http.post(f"{url}/cgi-bin/stable_token", json=token_body) as res:
            token = (await res.json())["access_token"]
        endpoint = f"{url}/cgi-bin/message/subscribe/send?access_token={token}"
        window, writers = asyncio.Semaphore(concurrency), asyncio.Semaphore(1)
        finished: asyncio.Queue[int] = asyncio.Queue()
        pending = iter(zip(ids, bodies, strict=True))

        async def sender() -> None:
            while True:
                await window.acquire()
                item = next(pending, None)
                if item is None:
                    window.release()
                    return
                async with http.post(endpoint, json=item[1]) as res:
                    if (await res.json()).get("errcode", 0) != 0:
                        raise RuntimeError("floor loop: a send failed")
                finished.put_nowait(item[0])

        async def record(group: list[int]) -> None:
            try:
                await write(group)
            finally:
                writers.release()
                for _ in group:
                    window.release()

        started = time.perf_counter()
        tasks = [asyncio.create_task(sender()) for _ in range(concurrency)]
        taken = 0
        while taken < len(ids):
            group = [await finished.get()]
            await writers.acquire()
            while not finished.empty():
                group.append(finished.get_nowait())
            taken += len(group)
            tasks.append(asyncio.create_task(record(group)))
        await asyncio.gather(*tasks)
        return len(ids) / (time.perf_counter() - started)


class _CpuMeter:
    """CPU seconds spent, per message, by this process, the stand-in and the database backends
    of this run (PostgreSQL: the backends connected to the benchmark's database; Linux /proc)."""

    def __init__(self, standin_pid: int) -> None:
        self.standin_pid = standin_pid
        self.spent: dict[str, dict[str, list[float]]] = {}

    @staticmethod
    def _of(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def _now(self) -> tuple[float, dict[int, float], float]:
        database = {pid: self._of(pid) for pid in await _backend_pids()}
        return time.process_time(), database, self._of(self.standin_pid)

    @contextlib.asynccontextmanager
    async def measure(self, name: str, messages: int) -> AsyncIterator[None]:
        """Add the CPU per message of the block to `name`'s figures (a backend opened during
        the block counts from its start)."""
        worker, database, standin = await self._now()
        yield
        worker_after, database_after, standin_after = await self._now()
        spent = {
            "worker": worker_after - worker,
            "database": sum(t - database.get(pid, 0.0) for pid, t in database_after.items()),
            "standin": standin_after - standin,
        }
        parts = self.spent.setdefault(name, {key: [] for key in spent})
        for key, seconds in spent.items():
            parts[key].append(round(seconds * 1000 / messages, 4))

    def medians(self) -> dict[str, dict[str, float]]:
        """Milliseconds of CPU per message, median over the rounds, per loop and process."""
        return {
            name: {key: round(statistics.median(v), 3) for key, v in parts.items()}
            for name, parts in self.spent.items()
        }


async def _backend_pids() -> list[int]:
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        return []
    rows = await connection.execute_query_dict(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    )
    return [int(row["pid"]) for row in rows]


def _timed_subscribe(durations: list[float]) -> ChannelHandler:
    """The subscribe channel as registered, each send's duration appended to `durations`."""
    original = HANDLERS[Channel.SUBSCRIBE]

    async def send(attempt: Attempt) -> Outcome:
        started = time.perf_counter()
        try:
            return await original.send(attempt)
        finally:
            durations.append(time.perf_counter() - started)

    return ChannelHandler(Channel.SUBSCRIBE, send, push=original.push)


def _p99_ms(durations: list[float]) -> float:
    return (
        round(statistics.quantiles(durations, n=100)[98] * 1000, 2) if len(durations) > 1 else 0.0
    )


async def _dispatch(
    connector: WeChatConnector,
    concurrency: int,
    messages: int,
    durations: list[float] | None = None,
) -> float:
    """Run the dispatcher until the outbox is empty; messages per second."""
    before = await OutboxMessage.filter(status=OutboxStatus.SENT).count()
    dispatcher = Dispatcher(connector=connector, concurrency=concurrency)
    original = HANDLERS[Channel.SUBSCRIBE]
    if durations is not None:
        HANDLERS[Channel.SUBSCRIBE] = _timed_subscribe(durations)
    started = time.perf_counter()
    try:
        report = await dispatcher.run_until_idle(max_batches=10**6)
    finally:
        HANDLERS[Channel.SUBSCRIBE] = original
    seconds = time.perf_counter() - started
    sent = await OutboxMessage.filter(status=OutboxStatus.SENT).count() - before
    if sent != messages:
        raise RuntimeError(f"dispatch sent {sent} of {messages}: {report}")
    return messages / seconds


async def _dispatch_over_aiohttp(
    url: str, connector: WeChatConnector, concurrency: int, messages: int
) -> float:
    """The same dispatcher with the subscribe channel sent by aiohttp instead of wechatpy.

    Not a production path: it shows what the dispatcher itself costs once the transport is
    as cheap as the bare loop's.
    """
    await _seed_messages(messages)
    original = HANDLERS[Channel.SUBSCRIBE]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        token_body = {"grant_type": "client_credential", "appid": APPID, "secret": SECRET}
        async with http.post(f"{url}/cgi-bin/stable_token", json=token_body) as res:
            token = (await res.json())["access_token"]
        endpoint = f"{url}/cgi-bin/message/subscribe/send?access_token={token}"

        async def send(attempt: Attempt) -> Outcome:
            assert attempt.recipient is not None and attempt.rendered is not None
            body = {
                "touser": attempt.recipient.openid,
                "template_id": attempt.spec.subscribe_id,
                "data": wrap_template_data(attempt.rendered.data),
                "page": attempt.rendered.page,
                "miniprogram_state": "formal",
                "lang": "zh_CN",
            }
            async with http.post(endpoint, json=body) as res:
                answer = await res.json()
            if answer.get("errcode"):
                raise WeChatError(int(answer["errcode"]), str(answer.get("errmsg", "")))
            return Outcome(Result.SENT)

        HANDLERS[Channel.SUBSCRIBE] = ChannelHandler(Channel.SUBSCRIBE, send, push=True)
        try:
            return await _dispatch(connector, concurrency, messages)
        finally:
            HANDLERS[Channel.SUBSCRIBE] = original


async def _measure_dispatch(
    url: str, messages: int, concurrency: int, standin_pid: int
) -> dict[str, Any]:
    """REPEATS rounds, each: the dispatcher on fresh messages, the recorded floor on fresh
    messages, the connector alone, the bare loop — back to back, so a round's figures see the
    same machine (these machines are shared and noisy); each ratio is the median of the rounds'.
    The CPU each loop spends per message, in this process, the database and the stand-in, shows
    where a message's time goes (and what the machine's cores can give)."""
    config = WeChatConfig(
        api_base=url, appid=APPID, secret=SECRET, timeout=10.0, max_workers=concurrency
    )
    rates: dict[str, list[float]] = {"dispatch": [], "floor": [], "connector": [], "bare": []}
    durations: list[float] = []
    async with WeChatConnector(config) as connector:
        await connector.send_subscribe(
            "o-warmup", template(NOTICE).subscribe_id, {"thing1": "预热"}
        )
        meter = _CpuMeter(standin_pid)
        for _ in range(REPEATS):
            bodies = await _seed_messages(messages)
            async with meter.measure("dispatch", messages):
                rates["dispatch"].append(
                    await _dispatch(connector, concurrency, messages, durations)
                )
            await _seed_messages(messages)
            pending = OutboxMessage.filter(status=OutboxStatus.PENDING).order_by("id")
            ids = [int(i) for i in await pending.values_list("id", flat=True)]  # type: ignore[call-overload]
            async with meter.measure("floor", messages):
                rates["floor"].append(await _recorded_floor(url, bodies, ids, concurrency))
            async with meter.measure("connector", messages):
                rates["connector"].append(await _connector_only(connector, bodies, concurrency))
            async with meter.measure("bare", messages):
                rates["bare"].append(await _bare_loop(url, bodies, concurrency))
        async_rate = await _dispatch_over_aiohttp(url, connector, concurrency, messages)

    def ratio(name: str, of: str = "bare") -> float:
        return round(
            statistics.median(a / b for a, b in zip(rates[name], rates[of], strict=True)), 3
        )

    bare_rate = statistics.median(rates["bare"])
    return {
        "dispatch_per_second": round(statistics.median(rates["dispatch"]), 1),
        "connector_only_per_second": round(statistics.median(rates["connector"]), 1),
        "bare_aiohttp_per_second": round(bare_rate, 1),
        "ratio": ratio("dispatch"),
        "ratios": [round(a / b, 3) for a, b in zip(rates["dispatch"], rates["bare"], strict=True)],
        "send_p99_ms": _p99_ms(durations),
        "connector_ratio": ratio("connector"),
        "recorded_floor_per_second": round(statistics.median(rates["floor"]), 1),
        "recorded_floor_ratio": ratio("floor"),
        "dispatch_over_floor": ratio("dispatch", of="floor"),
        "cpu_ms_per_message": meter.medians(),
        "dispatch_over_aiohttp_per_second": round(async_rate, 1),
        "dispatch_over_aiohttp_ratio": round(async_rate / bare_rate, 3),
        "load_average": round(os.getloadavg()[0], 2),
    }


async def _standin_log_size(url: str) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{url}/_fake/requests", params={"path": "cgi-bin/message/subscribe/send"}) as res,
    ):
        return len(await res.json())


async def run(trainees: int, messages: int, concurrency: int, sqlite: bool) -> dict[str, Any]:
    from backend.followups.models import FollowupMilestone
    from backend.followups.service import queue_due_invitations, start_due_followups

    if FOLLOWUP_MODELS not in MODEL_MODULES:  # until backend/db.py lists it
        MODEL_MODULES.append(FOLLOWUP_MODELS)
    folder = None
    if sqlite:
        folder = tempfile.mkdtemp(prefix="jobready-bench-", dir=SHM if SHM_EXISTS else None)
        url = f"sqlite://{Path(folder) / 'bench.sqlite3'}"
    else:
        await _admin_execute(
            f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', f'CREATE DATABASE "{DB_NAME}"'
        )
        url = _with_database(ADMIN_URL, DB_NAME)
    clock.set_clock(lambda: DISPATCH_AT.astimezone(UTC))
    proc, standin = await _start_standin()
    configure(Settings(dev=True, database_url=url, redis_url="", wechat_api_base=standin))
    try:
        await open_db(url)
        await Tortoise.generate_schemas()
        started = time.perf_counter()
        classes = await _seed_classes(trainees)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        moved = await start_due_followups()
        generation = time.perf_counter() - started
        milestones = await FollowupMilestone.all().count()
        dispatch = await _measure_dispatch(standin, messages, concurrency, proc.pid)
        started = time.perf_counter()
        queued = await queue_due_invitations()
        queuing = time.perf_counter() - started
        requests = await _standin_log_size(standin)
    finally:
        clock.set_clock(None)
        proc.terminate()
        await proc.wait()
        await close_db()
        if not sqlite:
            await _admin_execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    return {
        "benchmark": "followups",
        "database": "sqlite" if sqlite else "postgres",
        "trainees": trainees,
        "classes": classes,
        "seed_seconds": round(seeded, 2),
        "classes_moved": moved,
        "milestones": milestones,
        "milestone_generation_seconds": round(generation, 2),
        "milestones_per_second": round(milestones / generation),
        "messages": messages,
        "concurrency": concurrency,
        **dispatch,
        "invitations_queued": queued,
        "invitation_queuing_seconds": round(queuing, 2),
        # warm-up + REPEATS × (dispatch + floor + connector alone + bare loop) + over aiohttp
        "standin_send_requests": requests,
    }


def main(argv: list[str]) -> int:
    """Entry point for `python -m tests.benchmarks followups`."""
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks followups")
    parser.add_argument("--smoke", action="store_true", help="small size for CI")
    parser.add_argument("--trainees", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument(
        "--concurrency", type=int, default=8, help="the dispatcher's window = the bare loop's"
    )
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file")
    args = parser.parse_args(argv)
    trainees = 2_000 if args.smoke else args.trainees
    messages = 300 if args.smoke else args.messages
    figures = asyncio.run(run(trainees, messages, args.concurrency, args.sqlite))
    print(json.dumps(figures, ensure_ascii=False))
    expected = 3 * (trainees // PER_CLASS) * PER_CLASS
    return (
        0 if figures["milestones"] == expected and figures["invitations_queued"] == trainees else 1
    )
