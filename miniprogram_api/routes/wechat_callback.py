"""WeChat's message push (`/wechat/callback`, at the root, not under /api/v1).

GET verifies the server URL (echo ``echostr`` when the signature holds). POST receives events:
plaintext mode checks ``signature``; safe mode (``encrypt_type=aes``) also checks ``msg_signature``
and decrypts with the EncodingAESKey. A bad signature is answered 403 and logged.

The URL ``signature`` covers token, timestamp and nonce, not the body: a captured plaintext URL
could carry any body. So once an EncodingAESKey is set only encrypted pushes are taken (the
body is then signed too), a timestamp more than 5 minutes from now is refused, and each nonce
is accepted once in that window (Redis when configured, else in this process).
"""

from __future__ import annotations

import logging

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, text
from sanic_ext import openapi

from backend import clock
from backend.config import Settings
from backend.errors import Forbidden, InvalidInput
from backend.integrations.wechat import PushDecryptError, check_signature, decrypt_message
from backend.notifications.push_events import PushFormatError, apply_push, parse_push
from backend.runtime import runtime
from miniprogram_api.auth import client_ip, public

bp = Blueprint("wechat_callback")
log = logging.getLogger("jobready.wechat.callback")
PATH = "/wechat/callback"
MAX_AGE_SECONDS = 300


def _refuse(request: Request, why: str) -> Forbidden:
    log.warning("wechat callback refused: %s", why, extra={"ip": client_ip(request), "why": why})
    return Forbidden("微信消息推送签名校验失败", code="WECHAT_SIGNATURE_INVALID")


def _signed(request: Request, settings: Settings) -> bool:
    args = request.args
    return check_signature(
        settings.wechat_push_token,
        args.get("signature", ""),
        args.get("timestamp", ""),
        args.get("nonce", ""),
    )


@bp.get(PATH)
@openapi.summary("微信消息推送：服务器地址验证（原样返回 echostr）")
@public
async def verify_url(request: Request) -> HTTPResponse:
    """Answer WeChat's URL check when the signature is WeChat's."""
    if not _signed(request, runtime().settings):
        raise _refuse(request, "bad signature on URL verification")
    _check_fresh(request)
    return text(request.args.get("echostr", ""))


def _check_fresh(request: Request) -> None:
    stamp = request.args.get("timestamp", "")
    if not stamp.isdigit() or len(stamp) > 12:
        raise _refuse(request, "no usable timestamp")
    if abs(clock.now().timestamp() - int(stamp)) > MAX_AGE_SECONDS:
        raise _refuse(request, f"timestamp {stamp} is more than 5 minutes away")


async def _check_first_use(request: Request) -> None:
    nonce = request.args.get("nonce", "")
    if not nonce or not await runtime().limits.first_use(
        "wechat_push_nonce", nonce, seconds=MAX_AGE_SECONDS
    ):
        raise _refuse(request, "nonce seen before (replay)")


def _plain_message(request: Request, settings: Settings) -> str:
    body = request.body or b""
    if request.args.get("encrypt_type", "") != "aes":
        if settings.wechat_push_aes_key:  # safe mode: the body must be signed too
            raise _refuse(request, "plaintext push while an EncodingAESKey is set")
        return body.decode("utf-8", errors="replace")
    if not request.args.get("msg_signature", ""):
        raise _refuse(request, "encrypted push without msg_signature")
    if not settings.wechat_push_aes_key:
        raise _refuse(request, "encrypted push but no EncodingAESKey configured")
    try:
        return decrypt_message(
            settings.wechat_push_token,
            settings.wechat_push_aes_key,
            settings.wechat_appid,
            request.args.get("msg_signature", ""),
            request.args.get("timestamp", ""),
            request.args.get("nonce", ""),
            body,
        )
    except PushDecryptError as exc:
        raise _refuse(request, f"cannot decrypt: {exc}") from None


@bp.post(PATH)
@openapi.summary("微信消息推送：订阅消息授权、变更与发送结果事件")
@public
async def receive_push(request: Request) -> HTTPResponse:
    """Apply a pushed event to the consent ledger or a message's delivery status."""
    settings = runtime().settings
    if not _signed(request, settings):
        raise _refuse(request, "bad signature")
    _check_fresh(request)
    try:
        message = parse_push(_plain_message(request, settings))
    except PushFormatError:
        log.warning("wechat callback: unreadable message", extra={"ip": client_ip(request)})
        raise InvalidInput("无法解析的推送消息", code="WECHAT_PUSH_MALFORMED") from None
    await _check_first_use(request)
    try:
        applied = await apply_push(message)
    except BaseException:  # not applied: WeChat retries with the same nonce, which must pass
        await runtime().limits.forget_use(
            "wechat_push_nonce", request.args.get("nonce", ""), seconds=MAX_AGE_SECONDS
        )
        raise
    log.info("wechat push applied", extra={"event": message.event, "applied": applied})
    return text("success")
