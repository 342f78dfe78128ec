"""An OpenAI-compatible chat-completions client on aiohttp (vLLM, Ollama, domestic clouds).

`POST {api_base}/chat/completions` with `{model, messages, temperature, max_tokens}` and a
Bearer key when one is set; the reply's `choices[0].message.content` is returned. Never blocks
the event loop: one shared aiohttp session, a semaphore caps the calls in flight per process
(LLM_MAX_CONCURRENCY), each try has a total timeout (LLM_TIMEOUT), and timeouts, connection
errors, 429 and 5xx are tried again (LLM_RETRIES) after a short back-off. Anything else fails
at once with `LlmError`. What is sent is the caller's business: callers strip personal data.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger("jobready.llm")

BACKOFF = 0.25  # seconds before the first retry, doubled after each


@dataclass(frozen=True)
class LlmConfig:
    """Where the model is and how much it may be asked."""

    api_base: str
    model: str
    api_key: str = ""
    timeout: float = 20.0
    retries: int = 1
    max_concurrency: int = 32
    max_tokens: int = 900


class LlmError(Exception):
    """The model did not answer usably; `reason` says why (for logs, not for people)."""

    def __init__(self, reason: str, *, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class ChatClient:
    """One per process (built by the runtime); safe to share between concurrent requests."""

    def __init__(self, config: LlmConfig) -> None:
        self.config = config
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(config.max_concurrency)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.config.max_concurrency)
            )
        return self._session

    async def complete(self, messages: list[dict[str, str]], *, temperature: float = 0.3) -> str:
        """The model's reply to `messages`, or LlmError after the allowed tries."""
        body = {
            "model": self.config.model,
            "messages": messages,
            "temperature": temperature,
            "max_tokens": self.config.max_tokens,
            "response_format": {"type": "json_object"},
        }
        async with self._slots:
            for attempt in range(self.config.retries + 1):
                try:
                    return await self._post(body)
                except LlmError as exc:
                    if not exc.retryable or attempt == self.config.retries:
                        raise
                    log.info("model call retried", extra={"reason": exc.reason, "try": attempt + 1})
                    await asyncio.sleep(BACKOFF * 2**attempt)
        raise LlmError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _post(self, body: dict[str, Any]) -> str:
        url = self.config.api_base.rstrip("/") + "/chat/completions"
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)
        try:
            async with self._http().post(url, json=body, headers=headers, timeout=timeout) as reply:
                if reply.status == 429 or reply.status >= 500:
                    raise LlmError(f"HTTP {reply.status}", retryable=True)
                if reply.status != 200:
                    raise LlmError(f"HTTP {reply.status}: {(await reply.text())[:200]}")
                data = await reply.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise LlmError(f"{type(exc).__name__}: {exc}", retryable=True) from exc
        try:
            return str(data["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError) as exc:
            raise LlmError("reply without choices[0].message.content") from exc

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None
