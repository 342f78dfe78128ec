"""The one place that classifies WeChat API errors.

WeChat answers failures with a JSON body ``{"errcode": n, "errmsg": "..."}``. Problems that never
reach WeChat (or get no usable answer) are mapped to negative *pseudo* errcodes below -900, which
WeChat itself never uses:

====  =======================================================  =========
code  meaning                                                  kind
====  =======================================================  =========
-901  network error: connection refused/reset, DNS failure     RETRY
-902  timeout (connect or read) waiting for WeChat             RETRY
-903  HTTP 5xx or 429 from WeChat (or a proxy in between)      RETRY
-904  any other unexpected HTTP status (4xx)                   PERMANENT
-905  an answer that is neither the expected JSON nor a file   RETRY
-906  waited too long for another process to refresh the token RETRY
-907  the token store (Redis) is unreachable                   RETRY
====  =======================================================  =========
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

import aiohttp
import requests
from wechatpy.exceptions import WeChatClientException

from backend import clock

ERRCODE_NETWORK = -901
ERRCODE_TIMEOUT = -902
ERRCODE_HTTP_UNAVAILABLE = -903
ERRCODE_HTTP_STATUS = -904
ERRCODE_BAD_RESPONSE = -905
ERRCODE_TOKEN_LOCK = -906
ERRCODE_TOKEN_STORE = -907


class ErrorKind(Enum):
    """What the caller should do about a failed call."""

    RETRY = "retry"  # transient: try the same call again later
    REFRESH = "refresh"  # the access token was rejected: refresh it, then retry once
    PERMANENT = "permanent"  # retrying the same call cannot succeed


_RETRY_CODES = frozenset(
    {
        -1,
        45009,
        45011,
        ERRCODE_NETWORK,
        ERRCODE_TIMEOUT,
        ERRCODE_HTTP_UNAVAILABLE,
        ERRCODE_BAD_RESPONSE,
        ERRCODE_TOKEN_LOCK,
        ERRCODE_TOKEN_STORE,
    }
)
_REFRESH_CODES = frozenset({40001, 40014, 42001})

REASONS: dict[int, str] = {
    -1: "微信系统繁忙，请稍后重试",
    ERRCODE_NETWORK: "无法连接微信服务器",
    ERRCODE_TIMEOUT: "请求微信服务器超时",
    ERRCODE_HTTP_UNAVAILABLE: "微信服务器暂时不可用",
    ERRCODE_HTTP_STATUS: "微信服务器返回了异常的 HTTP 状态",
    ERRCODE_BAD_RESPONSE: "微信服务器返回了无法识别的内容",
    ERRCODE_TOKEN_LOCK: "等待其他进程刷新 access_token 超时",
    ERRCODE_TOKEN_STORE: "access_token 存储（Redis）不可用",
    40001: "access_token 无效或已被刷新",
    40003: "openid 无效",
    40013: "AppID 无效",
    40014: "access_token 不合法",
    40029: "code 无效或已过期",
    40037: "模板 ID 无效",
    40097: "参数错误",
    40125: "AppSecret 无效",
    40129: "scene 参数不合法",
    40163: "code 已被使用",
    40164: "服务器 IP 不在微信接口白名单中",
    40226: "高风险用户，微信拦截了登录",
    41001: "缺少 access_token",
    41030: "page 路径不正确（页面不存在或小程序尚未发布）",
    42001: "access_token 已过期",
    43101: "用户拒绝接收或订阅次数已用完",
    43104: "appid 与 openid 不匹配",
    45009: "接口调用次数已达今日上限",
    45011: "接口调用过于频繁，请稍后再试",
    45015: "回复时间超过限制（用户 48 小时内未与公众号互动）",
    47003: "模板参数不符合要求",
    48001: "接口未获授权",
}
DEFAULT_REASON = "微信接口调用失败"

_RETRY_AFTER: dict[int, float] = {
    -1: 1.0,
    45011: 60.0,
    ERRCODE_NETWORK: 2.0,
    ERRCODE_TIMEOUT: 2.0,
    ERRCODE_HTTP_UNAVAILABLE: 5.0,
    ERRCODE_BAD_RESPONSE: 5.0,
    ERRCODE_TOKEN_LOCK: 1.0,
    ERRCODE_TOKEN_STORE: 2.0,
}


def classify(errcode: int) -> ErrorKind:
    """Tell whether an errcode (or pseudo errcode) calls for a retry, a token refresh or neither."""
    if errcode in _RETRY_CODES:
        return ErrorKind.RETRY
    if errcode in _REFRESH_CODES:
        return ErrorKind.REFRESH
    return ErrorKind.PERMANENT


def reason_for(errcode: int) -> str:
    """Short Chinese explanation of an errcode."""
    return REASONS.get(errcode, DEFAULT_REASON)


def seconds_until_quota_reset(now: dt.datetime | None = None) -> float:
    """Seconds until WeChat's daily quotas reset (midnight, Beijing time)."""
    now = clock.local(now or clock.wall())
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), clock.SHANGHAI)
    return (midnight - now).total_seconds()


def default_retry_after(errcode: int) -> float | None:
    """Suggested wait in seconds before retrying, or None when a retry makes no sense."""
    if errcode == 45009:
        return seconds_until_quota_reset()
    return _RETRY_AFTER.get(errcode)


class WeChatError(Exception):
    """A failed WeChat call, classified: see `kind`, `reason` and `retry_after`."""

    def __init__(self, errcode: int, errmsg: str = "", *, retry_after: float | None = None):
        super().__init__(errcode, errmsg)
        self.errcode = errcode
        self.errmsg = errmsg
        self.kind = classify(errcode)
        self.reason = reason_for(errcode)
        self.retry_after = retry_after if retry_after is not None else default_retry_after(errcode)

    def __str__(self) -> str:
        return f"WeChat {self.errcode} [{self.kind.name}] {self.reason}: {self.errmsg}"

    @property
    def retryable(self) -> bool:
        """True when the same call may succeed later."""
        return self.kind is ErrorKind.RETRY


def http_status_error(status: int) -> WeChatError:
    """Classify an HTTP answer that is not 200."""
    code = ERRCODE_HTTP_UNAVAILABLE if status >= 500 or status == 429 else ERRCODE_HTTP_STATUS
    return WeChatError(code, f"HTTP {status}")


def error_from_exception(exc: BaseException) -> WeChatError:
    """Turn a wechatpy, aiohttp or requests exception into a classified WeChatError."""
    if isinstance(exc, WeChatError):
        return exc
    if isinstance(exc, WeChatClientException):
        return _from_client_exception(exc)
    if isinstance(exc, TimeoutError):  # aiohttp's timeouts (ServerTimeoutError is one too)
        return WeChatError(ERRCODE_TIMEOUT, f"timeout: {type(exc).__name__} {exc}")
    if isinstance(exc, aiohttp.ClientError):
        return WeChatError(ERRCODE_NETWORK, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, requests.Timeout):
        return WeChatError(ERRCODE_TIMEOUT, f"timeout: {exc}")
    if isinstance(exc, requests.RequestException):
        return WeChatError(ERRCODE_NETWORK, f"{type(exc).__name__}: {exc}")
    return WeChatError(ERRCODE_BAD_RESPONSE, f"{type(exc).__name__}: {exc}")


def _from_client_exception(exc: WeChatClientException) -> WeChatError:
    if exc.errcode is None:  # wechatpy's raise_for_status() path: an HTTP error status
        status = getattr(exc.response, "status_code", None)
        return http_status_error(status) if status else WeChatError(ERRCODE_NETWORK, str(exc))
    return WeChatError(int(exc.errcode), str(exc.errmsg or ""))
