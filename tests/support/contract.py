"""The API contract's generated files, and the command that regenerates them.

`python -m tests.support.contract` rewrites, from the current code:
- `clients/miniprogram/src/api-types.ts` (openapi-typescript from the current document),
- `console/src/api/api-types.ts` (the same types, for the console: one generation, two clients),
- `docs/errors.md` (the error catalogue),
and, with `--release`, `docs/openapi-released.json` (the document a release promises).
Tests compare each with a fresh generation and fail when one is stale.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients" / "miniprogram"
LINT = ROOT / "clients" / "contract"
TYPES = CLIENT / "src" / "api-types.ts"
CONSOLE_TYPES = ROOT / "console" / "src" / "api" / "api-types.ts"
RELEASED = ROOT / "docs" / "openapi-released.json"
ERRORS_MD = ROOT / "docs" / "errors.md"
CHANGES_MD = ROOT / "docs" / "api-changes.md"


def npm() -> str:
    """The npm executable (Node 20 is on the machine kind; CI installs from lockfiles)."""
    found = shutil.which("npm")
    if not found:
        raise RuntimeError("npm is not installed: the contract checks need Node 20 and npm")
    return found


def npm_ci(package: Path) -> None:
    """`npm ci` from the committed lockfile, unless node_modules already matches it."""
    lock = package / "package-lock.json"
    marker = package / "node_modules" / ".package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        [npm(), "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
        cwd=package,
        check=True,
        timeout=300,
    )


def node_bin(package: Path, name: str) -> str:
    """A tool installed in a package's node_modules."""
    return str(package / "node_modules" / ".bin" / name)


def generate_types(document: dict[str, Any]) -> str:
    """TypeScript types of the document, as openapi-typescript writes them."""
    npm_ci(CLIENT)
    with tempfile.TemporaryDirectory() as tmp:
        spec, out = Path(tmp) / "openapi.json", Path(tmp) / "api-types.ts"
        spec.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        subprocess.run(
            [node_bin(CLIENT, "openapi-typescript"), str(spec), "-o", str(out), "--alphabetize"],
            cwd=CLIENT,
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "NO_COLOR": "1"},
        )
        return out.read_text(encoding="utf-8")


def redocly_lint(spec: Path) -> subprocess.CompletedProcess[str]:
    """`redocly lint` of a document file with the project's rules (JSON report on stdout)."""
    npm_ci(LINT)
    return subprocess.run(
        [
            node_bin(LINT, "redocly"),
            "lint",
            str(spec),
            "--config",
            str(LINT / "redocly.yaml"),
            "--format=json",
            "--max-problems=10000",
        ],
        cwd=LINT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def current_document() -> dict[str, Any]:
    """The document the current code serves (an app built in dev mode, asked over HTTP)."""
    from sanic import Sanic

    from backend.config import Settings
    from backend.runtime import use_runtime
    from miniprogram_api.app import create_app

    Sanic.test_mode = True
    settings = Settings(dev=True, database_url="sqlite://:memory:", redis_url="")
    with use_runtime(settings):  # a test that asks keeps its own runtime afterwards
        app = create_app(settings, manage_orm=False, name="jobready_contract")
        _, response = app.test_client.get("/api/v1/openapi.json")
    return dict(response.json)


def main() -> int:
    """Regenerate the contract's files from the current code."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.contract")
    parser.add_argument("--release", action="store_true", help="also write the released snapshot")
    args = parser.parse_args()
    document = current_document()
    types = generate_types(document)
    for target in (TYPES, CONSOLE_TYPES):
        target.write_text(types, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    from miniprogram_api.error_catalogue import render_catalogue

    ERRORS_MD.write_text(render_catalogue(), encoding="utf-8")
    print(f"wrote {ERRORS_MD.relative_to(ROOT)}")
    if args.release:
        from tests.support.api_diff import strip_examples

        RELEASED.write_text(
            json.dumps(strip_examples(document), ensure_ascii=False, indent=1, sort_keys=True)
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {RELEASED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
