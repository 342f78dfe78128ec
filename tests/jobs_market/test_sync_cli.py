"""`jobready sync-jobs`: one run from the command line, with a progress bar and a summary."""

from __future__ import annotations

import asyncio
import io
import sys
import textwrap
from pathlib import Path

import pytest

from backend.employment.cli import ProgressBar, summary
from backend.employment.models import SyncStatus
from backend.employment.sync import SyncReport
from miniprogram_api.standins.recruitment import RecruitmentSim

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    import backend.db
    if "backend.employment.models" not in backend.db.MODEL_MODULES:
        backend.db.MODEL_MODULES.append("backend.employment.models")
    from tortoise import Tortoise
    from backend.config import Settings
    from backend.employment.cli import sync_jobs_cli

    async def main() -> None:
        url = "sqlite://" + sys.argv[1]
        await backend.db.open_db(url)
        await Tortoise.generate_schemas()
        await backend.db.close_db()
        settings = Settings(dev=True, database_url=url, recruitment_api_base=sys.argv[2])
        report = await sync_jobs_cli(settings, stream=sys.stdout)
        await sync_jobs_cli(settings, stream=sys.stdout)
        sys.exit(0 if report.status.value == "succeeded" else 1)

    asyncio.run(main())
    """
)


@pytest.mark.slow
async def test_sync_jobs_runs_against_the_site_and_prints_progress_and_a_summary(
    sim: RecruitmentSim, tmp_path: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SCRIPT,
        str(tmp_path / "cli.sqlite3"),
        sim.url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    text = out.decode("utf-8")
    assert process.returncode == 0, text
    assert "岗位同步完成" in text
    assert "获取 300，新增 300" in text
    assert "获取 0，新增 0" in text  # the second run resumes from the stored cursor


def test_the_progress_bar_shows_a_share_when_the_site_estimates_what_is_left() -> None:
    report = SyncReport(run_id=1, source="fuzhou", full=False, fetched=250, created=240, updated=10)
    report.remaining, report.seconds = 750, 0.5
    line = ProgressBar(io.StringIO()).line(report)
    assert "25.0%" in line and "已获取 250 条" in line and "500 条/秒" in line
    report.remaining = None
    assert "%" not in ProgressBar(io.StringIO()).line(report)


def test_the_summary_names_what_went_wrong() -> None:
    report = SyncReport(run_id=3, source="fuzhou", full=True, status=SyncStatus.FAILED)
    report.message = "招聘网站暂时不可用（HTTP 503）（已保存进度，下次从断点继续）"
    report.error_samples = ["FZJ00000003: unknown district"]
    text = summary(report)
    assert text.startswith("岗位同步中断：第 3 次运行")
    assert "断点" in text and "FZJ00000003" in text


def test_in_a_log_the_progress_is_a_plain_line_per_interval_and_always_the_last() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, every=3600)
    report = SyncReport(run_id=1, source="fuzhou", full=False, fetched=100, has_more=True)
    report.remaining = 300
    bar.update(report)
    report.fetched = 200
    bar.update(report)  # within the interval: not shown
    report.fetched, report.has_more = 400, False
    bar.update(report)
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "25.0%" in lines[0] and "已获取 400 条" in lines[1]
    assert "\r" not in stream.getvalue()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_rich_draws_the_bar_with_the_counts() -> None:
    terminal = _Terminal()
    bar = ProgressBar(terminal)
    report = SyncReport(run_id=1, source="fuzhou", full=False, fetched=250, has_more=True)
    report.remaining = 750
    bar.update(report)
    bar.close()
    assert "同步岗位" in terminal.getvalue() and "25%" in terminal.getvalue()
    assert "已获取 250 条" in terminal.getvalue()
