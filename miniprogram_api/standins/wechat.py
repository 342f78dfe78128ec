"""A local stand-in for the WeChat API: a real aiohttp server on loopback.

Endpoints behave like WeChat (JSON bodies with errcode/errmsg):

- ``GET cgi-bin/token``, ``POST cgi-bin/stable_token``: access tokens, ``expires_in`` 7200.
- ``GET sns/jscode2session``: code ``test-<x>`` → openid ``o-<x>``, unionid ``u-<x>``.
- ``POST cgi-bin/message/subscribe/send``, ``POST cgi-bin/message/template/send``.
- ``POST wxa/getwxacodeunlimit``: a real PNG QR code of the scene.
- ``POST wxa/business/getuserphonenumber``: code ``phone-<digits>`` → that number.

Token lifetimes (the choice this stand-in makes):

- ``cgi-bin/token`` issues a new token on every call; the previous one stays valid for 5 minutes
  (``token_grace``), as WeChat documents for that endpoint.
- ``stable_token`` without ``force_refresh`` returns the current token (with its remaining
  ``expires_in``) until its last 5 minutes (``stable_renew_window``); then, or once it expired, it
  issues a new one and the old one keeps its remaining minutes, as WeChat documents. With
  ``force_refresh`` it issues a new token and the previous one becomes invalid at once
  (``force_refresh_grace`` = 0 s): WeChat documents "会导致上次获取的 access_token 失效".
  WeChat's limit on force mode (20 a day, 30 s apart) is not simulated.
- A token expired by time or by ``expire-tokens`` answers 42001; an unknown one, or one replaced
  by a forced refresh, 40001.

Control API (also available in-process as methods of `FakeWeChatState`):
``GET /_fake/requests[?path=]``, ``POST /_fake/reset``, ``POST /_fake/fail``,
``POST /_fake/refuse``, ``POST /_fake/expire-tokens``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import io
import itertools
import json
import secrets
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import qrcode
from aiohttp import web

from backend.integrations.wechat.limits import validate_template_data

DEFAULT_APPID = "wx-demo-appid"
DEFAULT_SECRET = "demo-secret"
ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40029: "invalid code",
    40037: "invalid template_id",
    40097: "invalid args",
    40125: "invalid appsecret",
    40129: "invalid scene",
    40163: "code been used",
    41030: "invalid page",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47003: "argument invalid!",
}
SCENE_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&'()*+,/:;=?@-._~"
)
Reply = dict[str, Any] | bytes


def _error(errcode: int, errmsg: str | None = None) -> dict[str, Any]:
    return {"errcode": errcode, "errmsg": errmsg or ERRMSG.get(errcode, "error")}


def _ok(**extra: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **extra}


@dataclass
class RecordedRequest:
    """One request the stand-in received, and how it answered."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    time: float
    errcode: int | None = None
    http_status: int = 200

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


@dataclass
class FailureRule:
    """The next `count` calls matching `path` (any path if None) fail or are delayed."""

    errcode: int | None = None
    count: int = 1
    path: str | None = None
    delay: float = 0.0
    http_status: int | None = None

    def matches(self, path: str) -> bool:
        """Does this rule apply to a call of `path`?"""
        return self.count > 0 and (self.path is None or self.path.strip("/") == path)


@dataclass
class IssuedToken:
    """An access token and when it stops working (monotonic clock)."""

    value: str
    expires_at: float
    revoked: bool = False  # replaced by a forced refresh: answers 40001, not 42001


@dataclass
class FakeWeChatState:
    """Everything the stand-in knows; tests may read and drive it in-process."""

    appid: str = DEFAULT_APPID
    secret: str = DEFAULT_SECRET
    token_ttl: int = 7200
    token_grace: float = 300.0
    force_refresh_grace: float = 0.0
    stable_renew_window: float = 300.0
    valid_pages: set[str] | None = None  # None: every page exists
    log: list[RecordedRequest] = field(default_factory=list)
    failures: list[FailureRule] = field(default_factory=list)
    refusing: set[str] = field(default_factory=set)
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    used_codes: set[str] = field(default_factory=set)
    current_basic: str | None = None
    current_stable: str | None = None
    _msgids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    # -- control -----------------------------------------------------------------------------

    def fail(
        self,
        errcode: int | None = None,
        count: int = 1,
        path: str | None = None,
        delay: float = 0.0,
        http_status: int | None = None,
    ) -> None:
        """Make the next `count` matching calls fail with `errcode`/`http_status`, or delay them."""
        if errcode is None and http_status is None and delay <= 0:
            raise ValueError("give errcode, http_status or a delay")
        self.failures.append(FailureRule(errcode, count, path, delay, http_status))

    def refuse(self, openid: str) -> None:
        """Subscribe messages to `openid` will answer 43101."""
        self.refusing.add(openid)

    def expire_tokens(self) -> None:
        """Every token issued so far answers 42001 from now on."""
        now = time.monotonic()
        for token in self.tokens.values():
            token.expires_at = min(token.expires_at, now - 1)

    def reset(self) -> None:
        """Forget requests, failures, refusals, tokens, used codes and sent messages."""
        self.log.clear()
        self.failures.clear()
        self.refusing.clear()
        self.tokens.clear()
        self.sent.clear()
        self.used_codes.clear()
        self.current_basic = self.current_stable = None

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        """Recorded requests, optionally only those of `path` (e.g. ``cgi-bin/stable_token``)."""
        wanted = path.strip("/") if path else None
        return [r.as_dict() for r in self.log if wanted is None or r.path == wanted]

    # -- internals ---------------------------------------------------------------------------

    def record(self, method: str, path: str, query: dict[str, str], body: Any) -> RecordedRequest:
        """Log a request (its answer is filled in later)."""
        entry = RecordedRequest(method, path, query, body, time.time())
        self.log.append(entry)
        return entry

    def take_failure(self, path: str) -> FailureRule | None:
        """Consume one use of the first failure rule matching `path`."""
        for rule in self.failures:
            if rule.matches(path):
                rule.count -= 1
                return rule
        return None

    def issue_token(self, previous: str | None, grace: float) -> IssuedToken:
        """A new token; `previous` stays valid at most `grace` more seconds."""
        now = time.monotonic()
        old = self.tokens.get(previous or "")
        if old is not None and grace <= 0:
            old.revoked = True
        elif old is not None:
            old.expires_at = min(old.expires_at, now + grace)
        token = IssuedToken("fake-token-" + secrets.token_urlsafe(24), now + self.token_ttl)
        self.tokens[token.value] = token
        return token

    def check_token(self, value: str | None) -> int:
        """0 if valid, 42001 if expired, 40001 if missing, unknown or revoked."""
        token = self.tokens.get(value or "")
        if token is None or token.revoked:
            return 40001
        return 0 if time.monotonic() < token.expires_at else 42001

    def valid_token(self, value: str | None) -> IssuedToken | None:
        """The token behind `value` if it still works."""
        return self.tokens[value] if value and self.check_token(value) == 0 else None

    def next_msgid(self) -> int:
        """A fresh message id."""
        return next(self._msgids)


class FakeWeChatApi:
    """The WeChat endpoints, as plain functions of (query, body) → reply."""

    def __init__(self, state: FakeWeChatState) -> None:
        self.state = state
        self.routes: dict[tuple[str, str], Callable[[dict[str, str], Any], Reply]] = {
            ("GET", "cgi-bin/token"): self.token,
            ("POST", "cgi-bin/stable_token"): self.stable_token,
            ("GET", "sns/jscode2session"): self.jscode2session,
            ("POST", "cgi-bin/message/subscribe/send"): self.subscribe_send,
            ("POST", "cgi-bin/message/template/send"): self.template_send,
            ("POST", "wxa/getwxacodeunlimit"): self.wxacode_unlimit,
            ("POST", "wxa/business/getuserphonenumber"): self.phone_number,
        }

    def _credentials_error(self, params: dict[str, Any]) -> dict[str, Any] | None:
        if params.get("grant_type") != "client_credential":
            return _error(40002)
        if params.get("appid") != self.state.appid:
            return _error(40013)
        if params.get("secret") != self.state.secret:
            return _error(40125)
        return None

    def token(self, query: dict[str, str], body: Any) -> Reply:
        """GET cgi-bin/token: a new token on every call."""
        error = self._credentials_error(query)
        if error:
            return error
        token = self.state.issue_token(self.state.current_basic, self.state.token_grace)
        self.state.current_basic = token.value
        return {"access_token": token.value, "expires_in": self.state.token_ttl}

    def stable_token(self, query: dict[str, str], body: Any) -> Reply:
        """POST cgi-bin/stable_token: the current token, or a new one when forced/expired."""
        params = body if isinstance(body, dict) else {}
        error = self._credentials_error(params)
        if error:
            return error
        current = self.state.valid_token(self.state.current_stable)
        if params.get("force_refresh") is True:
            current = self._new_stable_token(self.state.force_refresh_grace)
        elif current is None or self._remaining(current) < self.state.stable_renew_window:
            current = self._new_stable_token(self.state.stable_renew_window)
        return {"access_token": current.value, "expires_in": max(1, int(self._remaining(current)))}

    def _new_stable_token(self, grace: float) -> IssuedToken:
        token = self.state.issue_token(self.state.current_stable, grace)
        self.state.current_stable = token.value
        return token

    @staticmethod
    def _remaining(token: IssuedToken) -> float:
        return token.expires_at - time.monotonic()

    def _use_code(self, code: str, prefix: str) -> int:
        if not code.startswith(prefix) or len(code) == len(prefix):
            return 40029
        if code in self.state.used_codes:
            return 40163
        self.state.used_codes.add(code)
        return 0

    def jscode2session(self, query: dict[str, str], body: Any) -> Reply:
        """GET sns/jscode2session: login code → openid, unionid, session_key."""
        if query.get("appid") != self.state.appid:
            return _error(40013)
        if query.get("secret") != self.state.secret:
            return _error(40125)
        code = query.get("js_code", "")
        errcode = self._use_code(code, "test-")
        if errcode:
            return _error(errcode)
        # `test-<x>~<n>` is another login of the same person (each code works once, as in WeChat).
        user = code.removeprefix("test-").split("~", 1)[0]
        session_key = base64.b64encode(secrets.token_bytes(16)).decode()
        return {"openid": f"o-{user}", "unionid": f"u-{user}", "session_key": session_key}

    def _message_error(self, body: dict[str, Any]) -> dict[str, Any] | None:
        if not body.get("template_id"):
            return _error(40037)
        if not str(body.get("touser", "")).startswith("o-"):
            return _error(40003)
        data = body.get("data")
        if not isinstance(data, dict):
            return _error(47003, "argument invalid! data")
        problems = validate_template_data(data)
        return _error(47003, f"argument invalid! {problems[0]}") if problems else None

    def subscribe_send(self, query: dict[str, str], body: Any) -> Reply:
        """POST cgi-bin/message/subscribe/send."""
        body = body if isinstance(body, dict) else {}
        if body.get("touser") in self.state.refusing:
            return _error(43101)
        if body.get("miniprogram_state", "formal") not in ("formal", "trial", "developer"):
            return _error(47003, "argument invalid! miniprogram_state")
        page = body.get("page")
        if page and self.state.valid_pages is not None and page not in self.state.valid_pages:
            return _error(41030)
        return self._accept(body) or _ok(msgid=self.state.next_msgid())

    def template_send(self, query: dict[str, str], body: Any) -> Reply:
        """POST cgi-bin/message/template/send (official-account template message)."""
        body = body if isinstance(body, dict) else {}
        return self._accept(body) or _ok(msgid=self.state.next_msgid())

    def _accept(self, body: dict[str, Any]) -> dict[str, Any] | None:
        error = self._message_error(body)
        if error is None:
            self.state.sent.append(body)
        return error

    def wxacode_unlimit(self, query: dict[str, str], body: Any) -> Reply:
        """POST wxa/getwxacodeunlimit: a PNG QR code of the scene."""
        body = body if isinstance(body, dict) else {}
        scene = str(body.get("scene", ""))
        if not scene or len(scene) > 32:
            return _error(40097)
        if set(scene) - SCENE_CHARS:
            return _error(40129)
        page = body.get("page")
        if page and self.state.valid_pages is not None and page not in self.state.valid_pages:
            return _error(41030)
        return qr_png(scene, int(body.get("width") or 430))

    def phone_number(self, query: dict[str, str], body: Any) -> Reply:
        """POST wxa/business/getuserphonenumber: code ``phone-<digits>`` → that number."""
        code = str(body.get("code", "")) if isinstance(body, dict) else ""
        digits = code.removeprefix("phone-")
        errcode = self._use_code(code, "phone-") if digits.isdigit() else 40029
        if errcode:
            return _error(errcode)
        watermark = {"timestamp": int(time.time()), "appid": self.state.appid}
        info = {
            "phoneNumber": digits,
            "purePhoneNumber": digits,
            "countryCode": "86",
            "watermark": watermark,
        }
        return _ok(phone_info=info)

    def needs_token(self, path: str) -> bool:
        """Does `path` require an access_token query parameter?"""
        return path not in ("cgi-bin/token", "cgi-bin/stable_token", "sns/jscode2session")


def qr_png(text: str, width: int = 430) -> bytes:
    """A PNG image of a QR code encoding `text`, about `width` pixels wide."""
    image = qrcode.make(text).get_image()
    width = max(280, min(width, 1280))
    buffer = io.BytesIO()
    image.resize((width, width)).save(buffer, format="PNG")
    return buffer.getvalue()


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"_raw": raw.decode("utf-8", "replace")}


def _json(entry: RecordedRequest, reply: dict[str, Any]) -> web.Response:
    entry.errcode = int(reply.get("errcode", 0))
    return web.json_response(reply, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))


async def _apply_failure(rule: FailureRule, entry: RecordedRequest) -> web.Response | None:
    if rule.delay > 0:
        await asyncio.sleep(rule.delay)
    if rule.http_status is not None:
        entry.http_status = rule.http_status
        return web.Response(status=rule.http_status, text=f"<html>{rule.http_status}</html>")
    if rule.errcode is not None:
        return _json(entry, _error(rule.errcode))
    return None


def _make_api_handler(api: FakeWeChatApi) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        """Log, apply injected failures, check the token, then answer like WeChat."""
        path = request.match_info["tail"].strip("/")
        query, body = dict(request.query), await _json_body(request)
        entry = api.state.record(request.method, path, query, body)
        rule = api.state.take_failure(path)
        failed = await _apply_failure(rule, entry) if rule else None
        if failed is not None:
            return failed
        endpoint = api.routes.get((request.method, path))
        if endpoint is None:
            entry.http_status = 404
            return web.Response(status=404, text="not found")
        token_error = api.needs_token(path) and api.state.check_token(query.get("access_token"))
        if token_error:
            return _json(entry, _error(token_error))
        reply = endpoint(query, body)
        if isinstance(reply, bytes):
            entry.errcode = 0
            return web.Response(body=reply, content_type="image/png")
        return _json(entry, reply)

    return handle


class ControlApi:
    """The ``/_fake/...`` endpoints: read the request log and drive failures over HTTP."""

    def __init__(self, state: FakeWeChatState) -> None:
        self.state = state

    def register(self, app: web.Application) -> None:
        """Add the control routes to `app`."""
        app.router.add_get("/_fake/requests", self.list_requests)
        app.router.add_post("/_fake/reset", self.reset)
        app.router.add_post("/_fake/fail", self.fail)
        app.router.add_post("/_fake/refuse", self.refuse)
        app.router.add_post("/_fake/expire-tokens", self.expire_tokens)

    async def list_requests(self, request: web.Request) -> web.Response:
        """GET /_fake/requests[?path=...]: the request log."""
        return web.json_response(self.state.requests(request.query.get("path")))

    async def reset(self, request: web.Request) -> web.Response:
        """POST /_fake/reset: forget everything."""
        self.state.reset()
        return web.json_response({"ok": True})

    async def fail(self, request: web.Request) -> web.Response:
        """POST /_fake/fail {errcode, count, path, delay, http_status}."""
        try:
            self.state.fail(**(await request.json()))
        except (TypeError, ValueError) as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response({"ok": True})

    async def refuse(self, request: web.Request) -> web.Response:
        """POST /_fake/refuse {openid}: subscribe sends to it answer 43101."""
        openid = (await request.json()).get("openid")
        if not openid:
            return web.json_response({"ok": False, "error": "openid required"}, status=400)
        self.state.refuse(str(openid))
        return web.json_response({"ok": True})

    async def expire_tokens(self, request: web.Request) -> web.Response:
        """POST /_fake/expire-tokens: every current token answers 42001."""
        self.state.expire_tokens()
        return web.json_response({"ok": True})


def build_app(state: FakeWeChatState) -> web.Application:
    """The aiohttp application serving `state`."""
    app = web.Application()
    ControlApi(state).register(app)
    app.router.add_route("*", "/{tail:.*}", _make_api_handler(FakeWeChatApi(state)))
    return app


@dataclass
class FakeWeChat:
    """A running stand-in: its base `url` (no trailing slash) and its `state`."""

    url: str
    host: str
    port: int
    state: FakeWeChatState
    runner: web.AppRunner

    async def stop(self) -> None:
        """Stop serving (calls in flight are cancelled)."""
        await self.runner.cleanup()


async def start_fake_wechat(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    appid: str = DEFAULT_APPID,
    secret: str = DEFAULT_SECRET,
) -> FakeWeChat:
    """Start the stand-in on `host:port` (port 0: a free one; see `.port`)."""
    state = FakeWeChatState(appid=appid, secret=secret)
    runner = web.AppRunner(
        build_app(state), access_log=None, handler_cancellation=True, shutdown_timeout=0.5
    )
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    real_port = int(runner.addresses[0][1])
    return FakeWeChat(f"http://{host}:{real_port}", host, real_port, state, runner)


async def serve_forever(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    appid: str = DEFAULT_APPID,
    secret: str = DEFAULT_SECRET,
) -> None:
    """Run the stand-in until cancelled or sent SIGTERM."""
    fake = await start_fake_wechat(host, port, appid=appid, secret=secret)
    print(f"微信接口模拟服务已启动：{fake.url}（按 Ctrl-C 停止）", flush=True)
    stopped = asyncio.Event()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not main thread / Windows
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    try:
        await stopped.wait()
    finally:
        await fake.stop()
        print("微信接口模拟服务已停止", flush=True)


def run_fake_wechat(
    host: str, port: int, *, appid: str = DEFAULT_APPID, secret: str = DEFAULT_SECRET
) -> None:
    """Serve the stand-in, blocking until Ctrl-C (accepting this AppID and AppSecret)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(host, port, appid=appid, secret=secret))


def main(host: str = "127.0.0.1", port: int = 8765) -> None:
    """Entry point: same as `run_fake_wechat`."""
    run_fake_wechat(host, port)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Local stand-in for the WeChat API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    main(args.host, args.port)
