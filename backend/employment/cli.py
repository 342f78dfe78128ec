"""`jobready sync-jobs`: one sync run from the command line, with a progress bar."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from backend.config import Settings
from backend.employment.sync import SyncReport, sync_postings


class ProgressBar:
    """A one-line progress display on a terminal (plain lines when not a terminal)."""

    WIDTH = 30

    def __init__(self, stream: TextIO | None = None, *, every: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self._shown = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def line(self, report: SyncReport) -> str:
        """The text shown for a report."""
        done = report.fetched
        counts = (
            f"已获取 {done:,} 条 | 新增 {report.created:,} 更新 {report.updated:,} "
            f"下架 {report.removed + report.expired + report.vanished:,} 出错 {report.errors:,} "
            f"| {report.rate:,.0f} 条/秒"
        )
        if report.remaining is None or not report.has_more:
            return f"同步岗位 {counts}"
        total = max(1, done + report.remaining)
        filled = int(self.WIDTH * done / total)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        return f"同步岗位 [{bar}] {100 * done / total:5.1f}% {counts}"

    def update(self, report: SyncReport) -> None:
        """Show the report, at most every `every` seconds (always the last one)."""
        now = time.monotonic()
        if report.has_more and now - self._shown < self.every:
            return
        self._shown = now
        if self._tty:
            self.stream.write("\r\x1b[2K" + self.line(report))
        else:
            self.stream.write(self.line(report) + "\n")
        self.stream.flush()

    def close(self) -> None:
        """End the line."""
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()


def summary(report: SyncReport) -> str:
    """The closing lines of a run, in Chinese."""
    status = {"succeeded": "完成", "partial": "完成（部分条目有误）", "failed": "中断"}.get(
        report.status.value, report.status.value
    )
    lines = [
        f"岗位同步{status}：第 {report.run_id} 次运行，"
        f"{report.seconds:.1f} 秒，{report.rate:,.0f} 条/秒",
        f"  获取 {report.fetched:,}，新增 {report.created:,}，更新 {report.updated:,}，"
        f"未变 {report.unchanged:,}，下架 {report.removed:,}，过期 {report.expired:,}，"
        f"消失 {report.vanished:,}，出错 {report.errors:,}，重试 {report.retries:,}",
    ]
    if report.message:
        lines.append(f"  {report.message}")
    lines += [f"  · {sample}" for sample in report.error_samples[:5]]
    return "\n".join(lines)


async def sync_jobs_cli(
    settings: Settings, *, full: bool = False, stream: TextIO | None = None
) -> SyncReport:
    """Open the database, run one sync of the configured site with a progress bar, close."""
    from backend.db import close_db, open_db
    from backend.runtime import configure

    rt = configure(settings)
    await open_db(settings.database_url)
    connector = rt.recruitment
    bar = ProgressBar(stream)
    try:
        report = await sync_postings(connector=connector, full=full, progress=bar.update)
    finally:
        bar.close()
        await rt.close()
        await close_db()
    print(summary(report), file=stream or sys.stderr, flush=True)
    return report
