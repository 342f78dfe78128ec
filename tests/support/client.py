"""A small HTTP client for tests that talk to the API served on a real loopback port."""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy


@dataclass
class Response:
    """What a test reads from a response."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8", errors="replace")

    @property
    def json(self) -> Any:
        """The body as JSON (None if it is not JSON)."""
        try:
            return jsonlib.loads(self.body)
        except ValueError:
            return None


class Client:
    """HTTP to the test server: `await client.post("/api/v1/…", json=…, headers=…)`."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._session: aiohttp.ClientSession | None = None

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Send one request and read the whole response."""
        data: Any = content
        if files:
            form = aiohttp.FormData()
            for field, (filename, payload, content_type) in files.items():
                form.add_field(field, payload, filename=filename, content_type=content_type)
            data = form
        http = await self._http()
        async with http.request(
            method, self.base_url + path, json=json, data=data, headers=headers or {}
        ) as response:
            return Response(response.status, response.headers, await response.read())

    async def get(self, path: str, **kwargs: Any) -> Response:
        """GET."""
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Response:
        """POST."""
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> Response:
        """PUT."""
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Response:
        """PATCH."""
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Response:
        """DELETE."""
        return await self.request("DELETE", path, **kwargs)

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
