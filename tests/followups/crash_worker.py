"""A real worker process for the crash tests: dispatch the outbox until told to die (SIGKILL).

`python -m tests.followups.crash_worker --database URL --wechat URL --at ISO --concurrency C`
opens the database, sets its clock to `--at` (then lets it run), and dispatches until nothing
is due. It prints ``ready`` once the database is open, so the test knows when to watch.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

from backend import clock
from backend.config import Settings
from backend.db import close_db, open_db
from backend.integrations.wechat import WeChatConfig, WeChatConnector
from backend.notifications.dispatch import Dispatcher
from backend.runtime import configure
from miniprogram_api.standins.wechat import DEFAULT_APPID, DEFAULT_SECRET


async def work(database: str, wechat: str, at: datetime, concurrency: int) -> None:
    """Dispatch everything due, with the clock starting at `at`."""
    started = time.monotonic()
    clock.set_clock(lambda: at + timedelta(seconds=time.monotonic() - started))
    configure(Settings(dev=True, database_url=database, redis_url="", wechat_api_base=wechat))
    await open_db(database)
    config = WeChatConfig(api_base=wechat, appid=DEFAULT_APPID, secret=DEFAULT_SECRET, timeout=5.0)
    async with WeChatConnector(config) as connector:
        print("ready", flush=True)
        await Dispatcher(connector=connector, concurrency=concurrency).run_until_idle()
    await close_db()


def main() -> None:
    """Parse the arguments and work."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--wechat", required=True)
    parser.add_argument("--at", required=True, help="ISO moment with offset")
    parser.add_argument("--concurrency", type=int, required=True)
    args = parser.parse_args()
    at = datetime.fromisoformat(args.at).astimezone(UTC)
    asyncio.run(work(args.database, args.wechat, at, args.concurrency))


if __name__ == "__main__":
    main()
