"""The console (管理后台) and the API docs: static files shipped inside this package.

`console_dist/` is the Vite build of the top-level `console/` sources (a single-page app: any
path under /console/ that is not a file gets index.html); `docs_dist/` is Swagger UI from its
npm package. Both are built by `npm run build` in `console/`, committed, and checked against a
fresh build by `tests/console/test_build.py`; neither loads anything from another origin, and
the Content-Security-Policy below tells the browser to refuse if one ever tried.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw
from sanic_ext import openapi

from backend.config import Settings
from backend.errors import NotFound
from miniprogram_api.auth import public

HERE = Path(__file__).parent
CONSOLE_DIR = HERE / "console_dist"
DOCS_DIR = HERE / "docs_dist"
# Element Plus positions popups with inline styles; scripts only from this origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
_TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8"}

console_bp = Blueprint("console")
docs_bp = Blueprint("docs")


def _file(root: Path, relative: str) -> Path | None:
    """The file `relative` inside `root`, or None (also for any path that climbs out)."""
    if not relative:
        return None
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path


def _send(path: Path, *, immutable: bool) -> HTTPResponse:
    kind = (
        _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    if kind.startswith("text/") and "charset" not in kind:
        kind += "; charset=utf-8"
    cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
    headers = {**HEADERS, "Cache-Control": cache}
    return raw(path.read_bytes(), content_type=kind, headers=headers)


def _index(root: Path) -> HTTPResponse:
    index = root / "index.html"
    if not index.is_file():
        raise NotFound("管理后台尚未构建（console/ 中运行 npm run build）", code="CONSOLE_MISSING")
    return _send(index, immutable=False)


@console_bp.get("/console")
@openapi.exclude()
@public
async def console_index(request: Request) -> HTTPResponse:
    """The console's entry page (/console and /console/)."""
    return _index(CONSOLE_DIR)


@console_bp.get("/console/<path:path>")
@openapi.exclude()
@public
async def console_files(request: Request, path: str = "") -> HTTPResponse:
    """A built file, or the app's index.html for any route of the single-page app."""
    found = _file(CONSOLE_DIR, path)
    if found is None:
        if path.startswith("assets/"):
            raise NotFound("文件不存在", code="NOT_FOUND")
        return _index(CONSOLE_DIR)
    return _send(found, immutable=path.startswith("assets/"))


def docs_page(settings: Settings) -> Path:
    """The page sanic-ext serves at /docs: Swagger UI in dev mode or when enabled."""
    if settings.dev or settings.docs_enabled:
        return DOCS_DIR / "index.html"
    return HERE / "docs_disabled.html"


@docs_bp.get("/docs/assets/<name:str>")
@openapi.exclude()
@public
async def docs_files(request: Request, name: str) -> HTTPResponse:
    """Swagger UI's script and style sheet (the page itself is served by sanic-ext)."""
    found = _file(DOCS_DIR, name)
    if found is None:
        raise NotFound("文件不存在", code="NOT_FOUND")
    return _send(found, immutable=False)
