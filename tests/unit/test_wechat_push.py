"""Message-push helpers: URL signature check and safe-mode encryption round trips."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import xml.etree.ElementTree as ET

import pytest

from backend.integrations.wechat.push import (
    PushDecryptError,
    check_signature,
    decrypt_message,
    encrypt_reply,
)

TOKEN = "dev-push-token"
TS, NONCE = "1700000000", "nonce1"
APPID = "wx-demo-appid"
AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")
MESSAGE = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Content><![CDATA[你好]]></Content></xml>"


def test_signature_of_token_timestamp_and_nonce_is_accepted() -> None:
    signature = hashlib.sha1("".join(sorted([TOKEN, "1700000000", "nonce1"])).encode()).hexdigest()
    assert check_signature(TOKEN, signature, "1700000000", "nonce1")
    assert not check_signature(TOKEN, signature, "1700000001", "nonce1")


def _encrypted() -> dict[str, str]:
    envelope = ET.fromstring(encrypt_reply(TOKEN, AES_KEY, APPID, MESSAGE, NONCE, TS))
    return {child.tag: child.text or "" for child in envelope}


def test_xml_message_survives_an_encrypt_decrypt_round_trip() -> None:
    parts = _encrypted()
    xml = f"<xml><Encrypt><![CDATA[{parts['Encrypt']}]]></Encrypt></xml>"
    plain = decrypt_message(
        TOKEN, AES_KEY, APPID, parts["MsgSignature"], "1700000000", "nonce1", xml
    )
    assert plain == MESSAGE


def test_json_envelope_is_decrypted_too() -> None:
    parts = _encrypted()
    body = json.dumps({"ToUserName": "gh_1", "Encrypt": parts["Encrypt"]})
    plain = decrypt_message(
        TOKEN, AES_KEY, APPID, parts["MsgSignature"], "1700000000", "nonce1", body
    )
    assert plain == MESSAGE


@pytest.mark.parametrize(
    ("token", "appid", "timestamp"),
    [("other-token", APPID, TS), (TOKEN, "wx-other", TS), (TOKEN, APPID, "1")],
)
def test_tampered_or_foreign_messages_are_rejected(token: str, appid: str, timestamp: str) -> None:
    parts = _encrypted()
    xml = f"<xml><Encrypt><![CDATA[{parts['Encrypt']}]]></Encrypt></xml>"
    with pytest.raises(PushDecryptError):
        decrypt_message(token, AES_KEY, appid, parts["MsgSignature"], timestamp, NONCE, xml)
