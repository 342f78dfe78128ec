"""File downloads: one way to name an attachment (RFC 6266 with an RFC 5987 UTF-8 name)."""

from __future__ import annotations

from urllib.parse import quote

from sanic.response import HTTPResponse, raw

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_disposition(filename: str, *, fallback: str = "download") -> str:
    """`attachment` with an ASCII fallback name and the real (Chinese) name as `filename*`."""
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else ""
    ascii_name = f"{fallback}.{suffix}" if suffix else fallback
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(data: bytes, *, content_type: str, filename: str, fallback: str) -> HTTPResponse:
    """A download response; the browser saves it under `filename` (UTF-8), never renders it."""
    return raw(
        data,
        content_type=content_type,
        headers={
            "Content-Disposition": content_disposition(filename, fallback=fallback),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
