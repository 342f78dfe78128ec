"""`python -m tests`: lint, type-check, the package order, the whole suite on SQLite and PostgreSQL.

The package order of backend/ is import-linter's contracts in pyproject (`lint-imports`).

This is README's test command and what CI runs. The two engines' passes run at once, as two
pytest processes (each with its own database and temp folder, output captured and printed
when both are done); lint and type-check run meanwhile. Tests marked `engine_agnostic` (the
browser, the Node tools, the fuzzer: nothing in them depends on the database engine) run in
the SQLite pass only. PostgreSQL must answer: an unreachable server fails the run, it is never
skipped.

`--quick` is the inner loop: SQLite only, no lint, without the `slow` tests (subprocesses,
migrations, browsers, benchmarks), spread over two pytest-xdist workers. `--sqlite-only` is
the whole SQLite pass without lint.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# The Node packages tests run tools from: installed once here, before the passes start, so two
# passes never run `npm ci` in one folder at the same time.
NODE_PACKAGES = ("clients/miniprogram", "clients/contract", "console")


@dataclass
class Pass:
    """One pytest process on one engine, its output in a file until it is done."""

    engine: str
    args: list[str]
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="jobready-pass-")))
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    seconds: float = 0.0

    @property
    def report(self) -> Path:
        return self.folder / "junit.xml"

    @property
    def log(self) -> Path:
        return self.folder / "output.txt"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "pytest",
            f"--junitxml={self.report}",
            f"--basetemp={self.folder / 'tmp'}",
            *self.args,
        ]

    def env(self) -> dict[str, str]:
        return {**os.environ, "JOBREADY_TEST_DB": self.engine, "TMPDIR": str(self.folder)}

    def run(self) -> int:
        """Run in the foreground, output as it comes."""
        print(f"\n=== pytest on {self.engine}: {' '.join(self.command())}", flush=True)
        return subprocess.call(self.command(), cwd=ROOT, env=self.env())

    def start(self) -> None:
        """Start in the background, output to a file."""
        print(f"=== pytest on {self.engine} (started): {' '.join(self.command())}", flush=True)
        self.started = time.monotonic()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT
            )

    def wait(self) -> int:
        assert self.process is not None
        code = self.process.wait()
        self.seconds = time.monotonic() - self.started
        return code

    def show(self, code: int) -> None:
        print(f"\n=== pytest on {self.engine}: exit {code}, {self.seconds:.0f} s", flush=True)
        sys.stdout.write(self.log.read_text(encoding="utf-8", errors="replace"))
        sys.stdout.flush()

    def count(self, totals: dict[str, int], code: int) -> None:
        if not self.report.exists():
            totals["failed"] += bool(code)
            return
        for suite in ET.parse(self.report).getroot().iter("testsuite"):
            tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
            failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            totals["passed"] += tests - skipped - failed
            totals["failed"] += failed
            totals["skipped"] += skipped


def _run(title: str, cmd: list[str]) -> int:
    print(f"\n=== {title}: {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def _postgres_answers() -> bool:
    import asyncio

    import asyncpg

    url = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")

    async def ping() -> None:
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1), timeout=5)
        await conn.close()

    try:
        asyncio.run(ping())
        return True
    except Exception as exc:
        print(f"PostgreSQL at {url} does not answer: {exc!r}", file=sys.stderr)
        return False


def _install_node_packages() -> None:
    """`npm ci` where node_modules is missing or older than the lockfile (npm absent: the
    tests that need it say so)."""
    if shutil.which("npm") is None:
        return
    from tests.support.contract import npm_ci

    for package in NODE_PACKAGES:
        npm_ci(ROOT / package)


def _lint() -> int:
    failures = bool(_run("ruff check", [str(BIN / "ruff"), "check", "."]))
    failures += bool(_run("ruff format", [str(BIN / "ruff"), "format", "--check", "."]))
    failures += bool(_run("mypy", [str(BIN / "mypy")]))
    failures += bool(_run("import contracts", [str(BIN / "lint-imports")]))
    return failures


def _passes(args: argparse.Namespace) -> list[Pass]:
    extra = ["-q", *args.pytest_args]
    if args.quick:  # both cores: one pytest-xdist worker each
        return [Pass("sqlite", ["-m", "not slow", "-n", "2", *extra])]
    if args.sqlite_only:
        return [Pass("sqlite", extra)]
    return [Pass("sqlite", extra), Pass("postgres", ["-m", "not engine_agnostic", *extra])]


def main() -> int:
    """Run every check; the exit code is non-zero if any failed."""
    parser = argparse.ArgumentParser(prog="python -m tests")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--quick", action="store_true", help="SQLite only, no lint, without slow tests"
    )
    group.add_argument("--sqlite-only", action="store_true", help="skip lint and PostgreSQL")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest")
    args = parser.parse_args()
    failures = 0
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    passes = _passes(args)
    if any(p.engine == "postgres" for p in passes) and not _postgres_answers():
        print("FAILED: the PostgreSQL run cannot be skipped", file=sys.stderr)
        return 1
    _install_node_packages()
    if len(passes) == 1:  # one pass: its output as it comes
        code = passes[0].run()
        passes[0].count(totals, code)
        failures += bool(code)
    else:
        try:
            for p in passes:
                p.start()
            failures += _lint()  # while the passes run
            for p in passes:
                code = p.wait()
                p.show(code)
                p.count(totals, code)
                failures += bool(code)
        finally:  # interrupted: no pass left running
            for p in passes:
                if p.process is not None and p.process.poll() is None:
                    p.process.terminate()
    for p in passes:
        shutil.rmtree(p.folder, ignore_errors=True)
    print(
        f"\ntotal: {totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['skipped']} skipped"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
