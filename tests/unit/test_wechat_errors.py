"""Classification of WeChat errors: one table decides retry, refresh or give up."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import requests
from wechatpy.exceptions import APILimitedException, WeChatClientException

from backend.integrations.wechat.access_token import cache_ttl
from backend.integrations.wechat.errors import (
    ERRCODE_BAD_RESPONSE,
    ERRCODE_HTTP_STATUS,
    ERRCODE_HTTP_UNAVAILABLE,
    ERRCODE_NETWORK,
    ERRCODE_TIMEOUT,
    ERRCODE_TOKEN_LOCK,
    ERRCODE_TOKEN_STORE,
    ErrorKind,
    WeChatError,
    classify,
    error_from_exception,
    http_status_error,
    reason_for,
    seconds_until_quota_reset,
)

RETRY_CODES = [-1, 45009, 45011, ERRCODE_NETWORK, ERRCODE_TIMEOUT, ERRCODE_HTTP_UNAVAILABLE]
RETRY_CODES += [ERRCODE_BAD_RESPONSE, ERRCODE_TOKEN_LOCK, ERRCODE_TOKEN_STORE]
PERMANENT_CODES = [40003, 40029, 40037, 40163, 41030, 43101, 47003, 45015, ERRCODE_HTTP_STATUS]


@pytest.mark.parametrize("errcode", RETRY_CODES)
def test_busy_quota_and_network_errors_are_retried_later(errcode: int) -> None:
    assert classify(errcode) is ErrorKind.RETRY
    assert WeChatError(errcode).retry_after is not None


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_token_errors_call_for_a_refresh(errcode: int) -> None:
    assert classify(errcode) is ErrorKind.REFRESH


@pytest.mark.parametrize("errcode", [*PERMANENT_CODES, 12345, 0])
def test_everything_else_is_permanent(errcode: int) -> None:
    assert classify(errcode) is ErrorKind.PERMANENT
    assert WeChatError(errcode).retry_after is None


@pytest.mark.parametrize("errcode", PERMANENT_CODES)
def test_known_permanent_errors_have_a_chinese_reason(errcode: int) -> None:
    assert reason_for(errcode) != reason_for(12345)


def test_refused_subscription_is_explained_in_chinese() -> None:
    assert reason_for(43101) == "用户拒绝接收或订阅次数已用完"


def test_wechat_error_keeps_the_field_named_in_errmsg() -> None:
    error = WeChatError(47003, "argument invalid! data.thing1.value exceeds limit")
    assert error.kind is ErrorKind.PERMANENT
    assert "data.thing1.value" in error.errmsg
    assert "data.thing1.value" in str(error)


def test_minute_quota_suggests_waiting_a_minute() -> None:
    assert WeChatError(45011).retry_after == 60.0


def test_daily_quota_resets_at_beijing_midnight() -> None:
    noon_utc = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)  # 20:00 in Beijing
    assert seconds_until_quota_reset(noon_utc) == 4 * 3600


@pytest.mark.parametrize(
    ("status", "errcode", "kind"),
    [
        (502, ERRCODE_HTTP_UNAVAILABLE, ErrorKind.RETRY),
        (503, ERRCODE_HTTP_UNAVAILABLE, ErrorKind.RETRY),
        (429, ERRCODE_HTTP_UNAVAILABLE, ErrorKind.RETRY),
        (404, ERRCODE_HTTP_STATUS, ErrorKind.PERMANENT),
    ],
)
def test_http_statuses_map_to_pseudo_errcodes(status: int, errcode: int, kind: ErrorKind) -> None:
    error = http_status_error(status)
    assert (error.errcode, error.kind) == (errcode, kind)


def test_wechatpy_http_error_becomes_a_retry_error() -> None:
    exc = WeChatClientException(None, None, response=SimpleNamespace(status_code=502))
    assert error_from_exception(exc).errcode == ERRCODE_HTTP_UNAVAILABLE


def test_wechatpy_api_errors_keep_their_errcode_and_errmsg() -> None:
    error = error_from_exception(APILimitedException(45009, "reach max api daily quota limit"))
    assert (error.errcode, error.errmsg, error.kind) == (
        45009,
        "reach max api daily quota limit",
        ErrorKind.RETRY,
    )


@pytest.mark.parametrize(
    ("exc", "errcode"),
    [
        (requests.ReadTimeout("read timed out"), ERRCODE_TIMEOUT),
        (requests.ConnectTimeout("connect timed out"), ERRCODE_TIMEOUT),
        (requests.ConnectionError("refused"), ERRCODE_NETWORK),
    ],
)
def test_network_exceptions_are_retry_errors(exc: Exception, errcode: int) -> None:
    error = error_from_exception(exc)
    assert (error.errcode, error.kind) == (errcode, ErrorKind.RETRY)


def test_token_is_cached_until_the_refresh_margin() -> None:
    assert cache_ttl(7200, 300) == 6900


def test_short_lived_token_is_cached_for_half_its_life() -> None:
    assert cache_ttl(200, 300) == 100
    assert cache_ttl(1, 300) == 1
