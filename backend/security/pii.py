"""Encryption at rest, blind indexes and display masking for personal data."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .idcard import normalize_mobile

__all__ = [
    "PiiCipher",
    "PiiDecryptError",
    "PiiKeyError",
    "mask_id_number",
    "mask_name",
    "mask_phone",
]

KEY_BYTES = 32
MIN_HASH_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_FORMAT_VERSION = "v1"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_CONTEXT = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


class PiiKeyError(ValueError):
    """Raised when the key configuration is invalid (never contains key material)."""


class PiiDecryptError(Exception):
    """Raised when a token cannot be decrypted (unknown key, tampered, wrong context)."""


def _check_context(context: str) -> str:
    if _CONTEXT.fullmatch(context) is None:
        raise ValueError("context must be 1-64 chars of [A-Za-z0-9_.:-], e.g. 'id_number'")
    return context


def _aad(key_id: str, context: str) -> bytes:
    return f"jobready-pii:{_FORMAT_VERSION}:{key_id}:{context}".encode()


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    if _B64URL.fullmatch(text) is None:
        raise PiiDecryptError("malformed token body")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise PiiDecryptError("malformed token body") from None
    if _b64url_encode(raw) != text:  # refuse non-canonical spellings of the same bytes
        raise PiiDecryptError("malformed token body")
    return raw


def _decode_secret(name: str, text: str) -> bytes:
    cleaned = text.strip()
    padded = cleaned + "=" * (-len(cleaned) % 4)
    altchars = b"-_" if ("-" in cleaned or "_" in cleaned) else None
    try:
        return base64.b64decode(padded, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        raise PiiKeyError(f"{name} is not valid base64") from None


def _split_token(token: str) -> tuple[str, str]:
    key_id, sep, body = token.partition(".")
    if not sep or not key_id or not body or "." in body:
        raise PiiDecryptError("malformed token: expected '<kid>.<base64url>'")
    return key_id, body


def _normalize_for_index(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value)
    return "".join(folded.split()).upper()


class PiiCipher:
    """AES-256-GCM field encryption with key rotation plus HMAC blind indexes."""

    def __init__(self, keys: Mapping[str, bytes], current_key_id: str, hash_key: bytes) -> None:
        """Validate keys (32 bytes each) and remember which one encrypts new values."""
        if not keys:
            raise PiiKeyError("at least one encryption key is required")
        for key_id, key in keys.items():
            self._check_key(key_id, key)
        if current_key_id not in keys:
            raise PiiKeyError(f"current key id {current_key_id!r} is not among the keys")
        if len(hash_key) < MIN_HASH_KEY_BYTES:
            raise PiiKeyError(f"hash key must be at least {MIN_HASH_KEY_BYTES} bytes")
        if any(hmac.compare_digest(hash_key, key) for key in keys.values()):
            raise PiiKeyError("hash key must differ from every encryption key")
        self._aeads = MappingProxyType({kid: AESGCM(bytes(k)) for kid, k in keys.items()})
        self._current_key_id = current_key_id
        self._hash_key = bytes(hash_key)

    @staticmethod
    def _check_key(key_id: str, key: bytes) -> None:
        if _KEY_ID.fullmatch(key_id) is None:
            raise PiiKeyError(f"key id {key_id!r} must be 1-32 chars of [A-Za-z0-9_-]")
        if len(key) != KEY_BYTES:
            raise PiiKeyError(f"key {key_id!r} must be {KEY_BYTES} bytes, got {len(key)}")

    @classmethod
    def from_secrets(
        cls, encryption_keys: str, hash_key: str, *, current: str | None = None
    ) -> PiiCipher:
        """Build a cipher from settings like 'k1:<base64>,k2:<base64>' and a base64 hash key."""
        keys = _parse_key_list(encryption_keys)
        current_key_id = current if current is not None else next(iter(keys))
        return cls(keys, current_key_id, _decode_secret("hash key", hash_key))

    @property
    def current_key_id(self) -> str:
        """Key id used for new encryptions."""
        return self._current_key_id

    @property
    def key_ids(self) -> frozenset[str]:
        """All key ids that can decrypt."""
        return frozenset(self._aeads)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Encrypt a value into '<kid>.<base64url(nonce||ciphertext)>' bound to `context`."""
        aad = _aad(self._current_key_id, _check_context(context))
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[self._current_key_id].encrypt(nonce, plaintext.encode(), aad)
        return f"{self._current_key_id}.{_b64url_encode(nonce + sealed)}"

    def decrypt(self, token: str, *, context: str) -> str:
        """Decrypt a token produced by `encrypt` with the same context (any known key)."""
        key_id, body = _split_token(token)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise PiiDecryptError(f"unknown key id {key_id!r}")
        raw = _b64url_decode(body)
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise PiiDecryptError("token too short")
        aad = _aad(key_id, _check_context(context))
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad).decode("utf-8")
        except InvalidTag:
            raise PiiDecryptError(
                "authentication failed (tampered, wrong key or context)"
            ) from None
        except UnicodeDecodeError:
            raise PiiDecryptError("decrypted value is not UTF-8") from None

    def needs_rotation(self, token: str) -> bool:
        """True if the token was not encrypted with the current key (malformed: PiiDecryptError)."""
        key_id, _ = _split_token(token)
        return key_id != self._current_key_id

    def rotate(self, token: str, *, context: str) -> str:
        """Re-encrypt a token under the current key (returns it unchanged if already current)."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, context=context), context=context)

    def blind_index(self, value: str, *, context: str) -> str:
        """Keyed HMAC-SHA256 (64 hex chars) of the normalized value, for equality lookups."""
        message = f"{_check_context(context)}\x1f{_normalize_for_index(value)}".encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        """Show key ids only, never key material."""
        return f"PiiCipher(key_ids={sorted(self._aeads)!r}, current={self._current_key_id!r})"


def _parse_key_list(text: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for entry in text.split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or not encoded.strip():
            raise PiiKeyError("encryption keys must look like 'k1:<base64>,k2:<base64>'")
        if key_id in keys:
            raise PiiKeyError(f"duplicate key id {key_id!r}")
        key = _decode_secret(f"encryption key {key_id!r}", encoded)
        if len(key) != KEY_BYTES:
            raise PiiKeyError(
                f"encryption key {key_id!r} must decode to {KEY_BYTES} bytes, got {len(key)}"
            )
        keys[key_id] = key
    if not keys:
        raise PiiKeyError("no encryption keys configured")
    return keys


def _compact(value: str | None) -> str:
    if not value:
        return ""
    return "".join(unicodedata.normalize("NFKC", value).split())


def mask_id_number(value: str | None) -> str:
    """Mask an ID number as '350102********123X'; anything unusual is fully masked."""
    text = _compact(value).upper()
    if len(text) >= 18:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) == 15:  # legacy 15-digit ID: hide the 6-digit birth date
        return text[:6] + "******" + text[-3:]
    return "*" * len(text)


def mask_phone(value: str | None) -> str:
    """Mask a mobile number as '138****8000'; shorter input is fully masked."""
    text = normalize_mobile(value) if value else ""
    if len(text) >= 11:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * len(text)


def mask_name(value: str | None) -> str:
    """Mask a name keeping only its first character ('张三丰' -> '张**', '张' -> '*')."""
    text = _compact(value)
    if len(text) <= 1:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 1)
