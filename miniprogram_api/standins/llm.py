"""A local stand-in for an OpenAI-compatible chat-completions API: a real aiohttp server.

``POST /v1/chat/completions`` answers like vLLM or Ollama would, with one JSON object of
interview feedback as the message content (the shape `backend.practice.coach` asks for),
judged crudely from the answer it was sent: enough to show the model path end to end.
Every request is recorded (body and headers, the Authorization value masked) so tests can
check what left the system — in particular that no personal data did.

Control API (also in-process through `FakeLlmState`): ``GET /_fake/requests``,
``POST /_fake/reset``, ``POST /_fake/latency {"seconds": 1.0}``,
``POST /_fake/fail {"times": N, "status": 503}`` (status 0 = answer garbage text).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

_MARKERS = {
    "situation": ("当时", "有一次", "那时", "期间"),
    "task": ("负责", "任务", "目标", "需要"),
    "action": ("首先", "然后", "我先", "沟通", "安排"),
    "result": ("结果", "最终", "最后", "成功", "提高"),
}


@dataclass
class FakeLlmState:
    """What the stand-in received, how slow it is, and failures it was told to give."""

    latency: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    fail_times: int = 0
    fail_status: int = 503

    def reset(self) -> None:
        """Forget requests and failures; no latency."""
        self.latency, self.fail_times, self.fail_status = 0.0, 0, 503
        self.requests.clear()

    def fail(self, times: int = 1, status: int = 503) -> None:
        """Fail the next `times` calls with `status` (0: a 200 with unusable content)."""
        self.fail_times, self.fail_status = times, status

    def sent_text(self) -> str:
        """Everything the API was sent, as one text (for leak checks)."""
        return "\n".join(json.dumps(r["body"], ensure_ascii=False) for r in self.requests)


STATE = web.AppKey("state", FakeLlmState)


def verdict(answer: str) -> dict[str, Any]:
    """Crude feedback on an answer, in the JSON shape the backend asks for."""
    star = {part: any(m in answer for m in words) for part, words in _MARKERS.items()}
    score = 40 + 10 * sum(star.values()) + min(20, len(answer) // 20)
    return {
        "score": min(100, score),
        "star": star,
        "relevance": 0.7,
        "relevance_comment": "（模拟模型）回答基本切题。",
        "strengths": ["（模拟模型）态度积极，表达清楚。"],
        "improvements": ["（模拟模型）补充一个具体的数字结果，说明你的贡献。"],
        "sample_answer": "（模拟模型）当时……我负责……我首先……最终……提高了20%。",
    }


def _answer_of(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = str(message.get("content", ""))
            with contextlib.suppress(ValueError, AttributeError):
                return str(json.loads(content).get("回答", content))
            return content
    return ""


async def _completions(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await request.json()
    headers = dict(request.headers)
    if "Authorization" in headers:
        headers["Authorization"] = re.sub(r"\S+$", "***", headers["Authorization"])
    state.requests.append(
        {"path": request.path, "headers": headers, "body": body, "at": time.monotonic()}
    )
    if state.latency:
        await asyncio.sleep(state.latency)
    if state.fail_times > 0:
        state.fail_times -= 1
        if state.fail_status:
            return web.json_response({"error": {"message": "simulated"}}, status=state.fail_status)
        return _completion(body, "抱歉，我无法回答。")
    return _completion(body, json.dumps(verdict(_answer_of(body)), ensure_ascii=False))


def _completion(body: dict[str, Any], content: str) -> web.Response:
    return web.json_response(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": body.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }
    )


async def _requests(request: web.Request) -> web.Response:
    return web.json_response({"requests": request.app[STATE].requests})


async def _reset(request: web.Request) -> web.Response:
    request.app[STATE].reset()
    return web.json_response({"ok": True})


async def _latency(request: web.Request) -> web.Response:
    request.app[STATE].latency = float((await request.json()).get("seconds", 0))
    return web.json_response({"ok": True})


async def _fail(request: web.Request) -> web.Response:
    data = await request.json()
    request.app[STATE].fail(int(data.get("times", 1)), int(data.get("status", 503)))
    return web.json_response({"ok": True})


def build_app(state: FakeLlmState) -> web.Application:
    """The aiohttp application serving `state`."""
    app = web.Application()
    app[STATE] = state
    app.router.add_post("/v1/chat/completions", _completions)
    app.router.add_get("/_fake/requests", _requests)
    app.router.add_post("/_fake/reset", _reset)
    app.router.add_post("/_fake/latency", _latency)
    app.router.add_post("/_fake/fail", _fail)
    return app


@dataclass
class FakeLlm:
    """A running stand-in: `api_base` is what LLM_API_BASE should be."""

    url: str
    state: FakeLlmState
    runner: web.AppRunner

    @property
    def api_base(self) -> str:
        """The OpenAI-style base URL (…/v1)."""
        return self.url + "/v1"

    async def stop(self) -> None:
        """Stop serving."""
        await self.runner.cleanup()


async def start_fake_llm(
    host: str = "127.0.0.1", port: int = 0, *, latency: float = 0.0
) -> FakeLlm:
    """Start the stand-in on `host:port` (port 0: a free one)."""
    state = FakeLlmState(latency=latency)
    runner = web.AppRunner(build_app(state), access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, host, port, backlog=1024).start()
    real_port = int(runner.addresses[0][1])
    return FakeLlm(f"http://{host}:{real_port}", state, runner)


async def serve_forever(host: str, port: int, latency: float) -> None:
    """Run the stand-in until cancelled or sent SIGTERM."""
    fake = await start_fake_llm(host, port, latency=latency)
    print(f"大模型接口模拟服务已启动：LLM_API_BASE={fake.api_base}（按 Ctrl-C 停止）", flush=True)
    stopped = asyncio.Event()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    try:
        await stopped.wait()
    finally:
        await fake.stop()


def run_fake_llm(host: str, port: int, latency: float = 0.0) -> None:
    """Serve the stand-in, blocking until Ctrl-C."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(host, port, latency))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Local stand-in for an OpenAI-compatible API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8603)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    run_fake_llm(args.host, args.port, args.latency)
