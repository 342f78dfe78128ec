"""The console and the docs shipped in the package are exactly what `console/` builds (CI
rebuilds them from source and fails if the shipped build differs), and they name no other
origin to load from.

Needs Node ≥ 20.19 and npm (the registry, or npm's cache, for `npm ci` when node_modules is
missing or older than package-lock.json). A missing Node FAILS this test: it is never skipped.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "console"
SHIPPED = {
    "console": ROOT / "miniprogram_api" / "console_dist",
    "docs": ROOT / "miniprogram_api" / "docs_dist",
}
FIX = "run `npm ci && npm run build` in console/ and commit miniprogram_api/{console,docs}_dist"


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("Node.js and npm are needed to check the console's build (Node ≥ 20.19)")
    return npm


def _install(npm: str) -> None:
    """`npm ci` unless node_modules is already what package-lock.json describes."""
    marker = SOURCE / "node_modules" / ".package-lock.json"
    lock = SOURCE / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
        cwd=SOURCE,
        check=True,
        capture_output=True,
        timeout=600,
    )


def _differences(built: Path, shipped: Path) -> list[str]:
    def walk(left: Path, right: Path, prefix: str) -> list[str]:
        cmp = filecmp.dircmp(left, right)
        found = [f"only in the fresh build: {prefix}{n}" for n in cmp.left_only]
        found += [f"only in the shipped build: {prefix}{n}" for n in cmp.right_only]
        _, mismatch, errors = filecmp.cmpfiles(left, right, cmp.common_files, shallow=False)
        found += [f"differs: {prefix}{n}" for n in mismatch + errors]
        for sub in cmp.common_dirs:
            found += walk(left / sub, right / sub, f"{prefix}{sub}/")
        return found

    return walk(built, shipped, "")


@pytest.mark.slow
@pytest.mark.engine_agnostic
def test_the_shipped_console_and_docs_are_what_the_sources_build() -> None:
    npm = _npm()
    _install(npm)
    with tempfile.TemporaryDirectory(prefix="jobready-console-") as tmp:
        out = {name: Path(tmp) / name for name in SHIPPED}
        env = {
            **os.environ,
            "CONSOLE_OUT_DIR": str(out["console"]),
            "DOCS_OUT_DIR": str(out["docs"]),
        }
        build = subprocess.run(
            [npm, "run", "build"], cwd=SOURCE, env=env, capture_output=True, text=True, timeout=600
        )
        assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
        differences = [d for n in SHIPPED for d in _differences(out[n], SHIPPED[n])]
    assert differences == [], f"the shipped build is stale ({FIX}): {differences}"


@pytest.mark.engine_agnostic
def test_the_shipped_pages_load_nothing_from_another_origin() -> None:
    """No script, style sheet, font or image is referenced by an absolute URL (the browser test
    also watches the network); URLs in scripts are XML namespaces and documentation links."""
    remote = re.compile(
        r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import"""
    )
    offending = []
    for root in SHIPPED.values():
        for path in root.rglob("*"):
            if path.suffix in (".html", ".css") and remote.search(path.read_text("utf-8")):
                offending.append(str(path.relative_to(ROOT)))
    assert (SHIPPED["console"] / "index.html").exists() and offending == []
