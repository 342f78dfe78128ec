"""Helpers for WeChat's message-push callback (server URL verification and safe mode crypto)."""

from __future__ import annotations

import json
import struct
from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature as _wechatpy_check_signature


class PushDecryptError(ValueError):
    """A pushed message failed its signature or could not be decrypted."""


def check_signature(token: str, signature: str, timestamp: str, nonce: str) -> bool:
    """True when `signature` is WeChat's signature of (token, timestamp, nonce)."""
    try:
        _wechatpy_check_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException:
        return False
    return True


def _envelope(xml_or_json: str | bytes) -> Any:
    text = xml_or_json.decode("utf-8") if isinstance(xml_or_json, bytes) else xml_or_json
    if text.lstrip().startswith("{"):
        return json.loads(text)  # JSON push format: {"ToUserName": ..., "Encrypt": ...}
    return text  # XML: wechatpy parses it


def decrypt_message(
    token: str,
    encoding_aes_key: str,
    appid: str,
    msg_signature: str,
    timestamp: str,
    nonce: str,
    xml_or_json: str | bytes,
) -> str:
    """Verify and decrypt a safe-mode push (XML or JSON envelope); return the plain message."""
    crypto = WeChatCrypto(token, encoding_aes_key, appid)
    try:
        plain = crypto.decrypt_message(_envelope(xml_or_json), msg_signature, timestamp, nonce)
    except (InvalidSignatureException, InvalidAppIdException) as exc:
        raise PushDecryptError(f"cannot decrypt pushed message: {exc!r}") from exc
    except (KeyError, TypeError, ValueError, struct.error, ExpatError) as exc:
        raise PushDecryptError(f"cannot decrypt pushed message: {exc!r}") from exc
    return plain.decode("utf-8") if isinstance(plain, bytes) else str(plain)


def encrypt_reply(
    token: str,
    encoding_aes_key: str,
    appid: str,
    reply: str,
    nonce: str,
    timestamp: str | None = None,
) -> str:
    """Encrypt a passive reply for safe mode; returns WeChat's XML envelope."""
    crypto = WeChatCrypto(token, encoding_aes_key, appid)
    return str(crypto.encrypt_message(reply, nonce, timestamp))
