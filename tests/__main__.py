"""`python -m tests`: lint, type-check, the package order, the whole suite on SQLite and PostgreSQL.

The package order of backend/ is import-linter's contracts in pyproject (`lint-imports`).

This is README's test command and what CI runs. PostgreSQL must answer: an unreachable
server fails the run, it is never skipped. `--sqlite-only` is for a quick local loop.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(title: str, cmd: list[str], env: dict[str, str] | None = None) -> int:
    print(f"\n=== {title}: {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, cwd=ROOT, env={**os.environ, **(env or {})})


def _pytest(engine: str, extra: list[str], totals: dict[str, int]) -> int:
    report = Path(tempfile.mkdtemp()) / "junit.xml"
    cmd = [sys.executable, "-m", "pytest", f"--junitxml={report}", *extra]
    code = _run(f"pytest on {engine}", cmd, {"JOBREADY_TEST_DB": engine})
    if report.exists():
        for suite in ET.parse(report).getroot().iter("testsuite"):
            tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
            failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            totals["passed"] += tests - skipped - failed
            totals["failed"] += failed
            totals["skipped"] += skipped
    elif code:
        totals["failed"] += 1
    return code


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


def main() -> int:
    """Run every check; the exit code is non-zero if any failed."""
    parser = argparse.ArgumentParser(prog="python -m tests")
    parser.add_argument("--sqlite-only", action="store_true", help="skip lint and PostgreSQL")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest")
    args = parser.parse_args()
    failures = 0
    if not args.sqlite_only:
        failures += bool(_run("ruff check", [str(BIN / "ruff"), "check", "."]))
        failures += bool(_run("ruff format", [str(BIN / "ruff"), "format", "--check", "."]))
        failures += bool(_run("mypy", [str(BIN / "mypy")]))
        failures += bool(_run("import contracts", [str(BIN / "lint-imports")]))
    totals = {"passed": 0, "failed": 0, "skipped": 0}
    extra = ["-q", *args.pytest_args]
    failures += bool(_pytest("sqlite", extra, totals))
    if not args.sqlite_only:
        if not _postgres_answers():
            print("FAILED: the PostgreSQL run cannot be skipped", file=sys.stderr)
            failures += 1
            totals["failed"] += 1
        else:
            failures += bool(_pytest("postgres", extra, totals))
    print(
        f"\ntotal: {totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['skipped']} skipped"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
