"""One progress display for the command line (`jobready sync-jobs`, `admin import-roster`).

On a terminal it is rich's progress bar. Anywhere else (cron, systemd, a pipe) it writes one plain
line at most every `every` seconds, and always the last one, so a log keeps the progress: rich
draws nothing there until it stops.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn


class CliProgress:
    """A labelled progress display; `update` often, `close` once at the end."""

    def __init__(self, label: str, stream: TextIO | None = None, *, every: float = 0.2) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.every = every
        self._shown = float("-inf")  # the first update is always shown
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def update(
        self, done: int, total: int | None, *, detail: str = "", line: str = "", last: bool = False
    ) -> None:
        """Show `done` of `total` (None: unknown) with `detail`; `line` is the plain-text form
        (default `label done/total detail`); `last` shows it whatever the interval."""
        if self._tty:
            self._draw(done, total, detail)
        else:
            now = time.monotonic()
            if not last and now - self._shown < self.every:
                return
            self._shown = now
            shown = f"{done}/{total}" if total is not None else f"{done}"
            self.stream.write((line or f"{self.label} {shown} {detail}".rstrip()) + "\n")
            self.stream.flush()
        if last:
            self.close()

    def _draw(self, done: int, total: int | None, detail: str) -> None:
        if self._bar is None:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[detail]}"),
                console=Console(file=self.stream),
                auto_refresh=False,  # no drawing thread: it draws on update
            )
            self._task = self._bar.add_task(self.label, total=total, detail=detail)
            self._bar.start()
        assert self._task is not None
        self._bar.update(self._task, completed=done, total=total, detail=detail, refresh=True)

    def close(self) -> None:
        """End the display (the bar stays on the terminal)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
