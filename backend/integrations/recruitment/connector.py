"""The recruitment-site connector: aiohttp, retries with back-off, Retry-After, timeouts.

The connector knows HTTP and failure; what to ask and how fields map is the adapter's job.
Every call is retried on network errors, timeouts, 5xx and 429 (waiting as long as the site's
Retry-After says, up to a cap), and raises `RecruitmentError` when it gives up, saying whether
a later attempt may succeed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from backend import clock
from backend.integrations.recruitment.adapter import SiteAdapter, load_adapter
from backend.integrations.recruitment.errors import MappingError, RecruitmentError
from backend.integrations.recruitment.types import (
    ApplicationData,
    Page,
    PostingData,
    Receipt,
    RemovedPosting,
    SiteRequest,
)

Sleep = Callable[[float], Awaitable[None]]
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RecruitmentConfig:
    """How to reach one recruitment site."""

    base_url: str
    source: str = "fuzhou"  # the name postings are stored under
    adapter: str = ""  # "module:Class" of a SiteAdapter; "" = the JSON contract
    api_key: str = ""
    timeout: float = 10.0  # seconds per request
    page_size: int = 500
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    max_retry_after: float = 60.0  # a longer wait is not slept through: the call fails
    connections: int = 4


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - clock.now()).total_seconds())


def _site_message(body: Any) -> tuple[str, str]:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("code", "")), str(error.get("message", ""))
    return "", ""


def classify(status: int, headers: Any, body: Any) -> RecruitmentError:
    """The error for a non-2xx answer: retryable for 408/425/429/5xx, permanent otherwise."""
    code, message = _site_message(body)
    wait = retry_after_seconds(headers.get("Retry-After"))
    if status == 429:
        reason = "招聘网站限流，稍后重试"
        return RecruitmentError(
            reason,
            retryable=True,
            status=status,
            code=code or "RATE_LIMITED",
            retry_after=wait or 1.0,
        )
    if status in RETRY_STATUSES:
        reason = f"招聘网站暂时不可用（HTTP {status}）"
        return RecruitmentError(
            reason, retryable=True, status=status, code=code or "UNAVAILABLE", retry_after=wait
        )
    if status in (404, 410):
        return RecruitmentError(
            message or "岗位不存在或已下架", retryable=False, status=status, code=code or "GONE"
        )
    reason = message or f"招聘网站拒绝了请求（HTTP {status}）"
    return RecruitmentError(reason, retryable=False, status=status, code=code or "REJECTED")


class RecruitmentConnector:
    """Calls one recruitment site through its adapter; one aiohttp session, opened lazily."""

    def __init__(
        self,
        config: RecruitmentConfig,
        *,
        adapter: SiteAdapter | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.adapter = adapter or load_adapter(config.adapter)
        self.retries = 0  # retried calls since creation (for the run log)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._session: aiohttp.ClientSession | None = None

    async def changes(self, cursor: str) -> Page[PostingData]:
        """One page of postings changed after `cursor` (mapped in a thread: pages are big)."""
        body = await self.call(self.adapter.changes_request(cursor, self.config.page_size))
        return await asyncio.to_thread(self._parse, self.adapter.parse_changes, body)

    async def removed(self, cursor: str) -> Page[RemovedPosting]:
        """One page of postings removed after `cursor`."""
        body = await self.call(self.adapter.removed_request(cursor, self.config.page_size))
        return await asyncio.to_thread(self._parse, self.adapter.parse_removed, body)

    async def posting(self, external_id: str) -> PostingData | None:
        """One posting, or None when the site no longer has it."""
        try:
            body = await self.call(self.adapter.detail_request(external_id))
        except RecruitmentError as exc:
            if exc.status in (404, 410):
                return None
            raise
        return self._parse(self.adapter.parse_posting, body)

    async def submit_application(
        self,
        application: ApplicationData,
        *,
        attempts: int | None = None,
        max_wait: float | None = None,
    ) -> Receipt:
        """Deliver a resume; repeating it with the same reference is harmless.

        A caller with its own retries (the outbox) passes fewer `attempts` and a shorter
        `max_wait`: a longer outage or Retry-After is left to its next attempt.
        """
        request = self.adapter.application_request(application)
        body = await self.call(request, attempts=attempts, max_wait=max_wait)
        return self._parse(self.adapter.parse_receipt, body)

    @staticmethod
    def _parse(parse: Callable[[Any], Any], body: Any) -> Any:
        try:
            return parse(body)
        except MappingError as exc:
            reason = f"招聘网站返回的内容无法识别：{exc}"
            raise RecruitmentError(reason, retryable=True, code="BAD_RESPONSE") from exc

    async def call(
        self, request: SiteRequest, *, attempts: int | None = None, max_wait: float | None = None
    ) -> Any:
        """Send a request, retrying what may succeed later; the decoded JSON body."""
        attempts = attempts or self.config.max_attempts
        max_wait = self.config.max_retry_after if max_wait is None else max_wait
        attempt = 0
        while True:
            attempt += 1
            error = await self._attempt(request)
            if not isinstance(error, RecruitmentError):
                return error
            if error.permanent or attempt >= attempts:
                raise error
            wait = self._wait(error, attempt)
            if wait > max_wait:
                raise error
            self.retries += 1
            await self._sleep(wait)

    def _wait(self, error: RecruitmentError, attempt: int) -> float:
        if error.retry_after is not None:
            return error.retry_after
        ceiling = min(self.config.backoff_max, self.config.backoff_base * 2 ** (attempt - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    async def _attempt(self, request: SiteRequest) -> Any:
        """The JSON body, or the RecruitmentError this attempt ended with."""
        try:
            status, headers, body = await self._send(request)
        except TimeoutError:
            return RecruitmentError("招聘网站响应超时", retryable=True, code="TIMEOUT")
        except aiohttp.ClientError as exc:
            reason = f"无法连接招聘网站：{type(exc).__name__}"
            return RecruitmentError(reason, retryable=True, code="NETWORK")
        if 200 <= status < 300:
            if body is None:
                return RecruitmentError(
                    "招聘网站返回的不是 JSON", retryable=True, status=status, code="BAD_RESPONSE"
                )
            return body
        return classify(status, headers, body)

    async def _send(self, request: SiteRequest) -> tuple[int, Any, Any]:
        headers = {"Accept": "application/json", "User-Agent": "JobReady-connector/1"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        if request.idempotency_key:
            headers["Idempotency-Key"] = request.idempotency_key
        url = self.config.base_url.rstrip("/") + request.path
        session = self._http()
        async with session.request(
            request.method, url, params=request.params or None, json=request.json, headers=headers
        ) as response:
            raw = await response.read()
            body = None
            with contextlib.suppress(ValueError):
                body = json.loads(raw) if raw else None
            return response.status, response.headers, body

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.config.timeout)
            connector = aiohttp.TCPConnector(limit=self.config.connections)
            self._session = aiohttp.ClientSession(timeout=timeout, connector=connector)
        return self._session

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None
