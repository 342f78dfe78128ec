"""`jobready sync-jobs`: one sync run from the command line, with a progress bar."""

from __future__ import annotations

import sys
from typing import TextIO

from backend.config import Settings
from backend.employment.sync import SyncReport, sync_postings
from backend.progress import CliProgress


class ProgressBar:
    """The sync's progress: rich's bar on a terminal, a plain line per interval in a log."""

    WIDTH = 30

    def __init__(self, stream: TextIO | None = None, *, every: float = 0.2) -> None:
        self._display = CliProgress("同步岗位", stream, every=every)

    @staticmethod
    def counts(report: SyncReport) -> str:
        """What the run has done so far, in Chinese."""
        return (
            f"已获取 {report.fetched:,} 条 | 新增 {report.created:,} 更新 {report.updated:,} "
            f"下架 {report.removed + report.expired + report.vanished:,} 出错 {report.errors:,} "
            f"| {report.rate:,.0f} 条/秒"
        )

    @staticmethod
    def total(report: SyncReport) -> int | None:
        """How many postings the run will have fetched, when the site estimates what is left."""
        if report.remaining is None or not report.has_more:
            return None
        return max(1, report.fetched + report.remaining)

    def line(self, report: SyncReport) -> str:
        """The plain-text line shown for a report (logs, pipes)."""
        total = self.total(report)
        if total is None:
            return f"同步岗位 {self.counts(report)}"
        done = report.fetched
        filled = int(self.WIDTH * done / total)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        return f"同步岗位 [{bar}] {100 * done / total:5.1f}% {self.counts(report)}"

    def update(self, report: SyncReport) -> None:
        """Show the report, at most every `every` seconds (always the last one)."""
        self._display.update(
            report.fetched,
            self.total(report),
            detail=self.counts(report),
            line=self.line(report),
            last=not report.has_more,
        )

    def close(self) -> None:
        """End the display."""
        self._display.close()


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
