"""The code, its tests and its docs explain a rule where it lives, and cite only what a reader
of this repository can open: the regulation's articles (第N条) and the repository's own files.
A comment that says "(issue 13)" or "PRODUCT.md §1" sends the next engineer to a document they
may not have; the rule itself belongs in the comment.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("backend", "miniprogram_api", "jobs", "tests", "docs", "deploy", "clients", "console")
SUFFIXES = {".py", ".md", ".ts", ".vue", ".js", ".yaml", ".yml", ".toml", ".txt", ".sh"}
SKIPPED_PARTS = {"node_modules", "dist", "console_dist", "docs_dist", "__pycache__"}
# History kept as it was: a migration's recorded text, the document of the last release.
KEPT = {"backend/migrations/0001_initial.py", "docs/openapi-released.json"}
OUTSIDE = re.compile(
    r"\b[Ii]ssues? ?#?\d+|\b(?:PRODUCT|NOTES|STYLE)(?:\.md)?\b|\.\./shared/|regulation-fuzhou"
)


def _files() -> list[Path]:
    found = [
        ROOT / "README.md",
        ROOT / "Dockerfile",
        ROOT / "compose.yaml",
        ROOT / "pyproject.toml",
    ]
    found += [p for p in (ROOT / ".ci").iterdir() if p.is_file()]
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in SUFFIXES and not SKIPPED_PARTS & set(path.parts) and path.is_file():
                found.append(path)
    return [p for p in found if p.exists() and p != Path(__file__).resolve()]


def test_nothing_cites_an_issue_or_a_document_outside_the_repository() -> None:
    hits = []
    for path in _files():
        name = path.relative_to(ROOT).as_posix()
        if name in KEPT:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{name}:{number}: {line.strip()[:100]}")
    assert hits == []


def test_the_check_finds_the_citations_it_is_for() -> None:
    for cited in (
        "(issue 13)",
        "Issue 14 item 5:",
        "PRODUCT.md §1",
        "(STYLE 10)",
        "see ../shared/spec",
    ):
        assert OUTSIDE.search(cited), cited
    for fine in ("第二十三条", "docs/outbox.md", "tissue 3", "an issue with the lease"):
        assert not OUTSIDE.search(fine), fine
