"""One-time invitation codes: generation, normalization and keyed hashing for storage."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "format_code",
    "generate_invitation_code",
    "hash_code",
    "is_well_formed_code",
    "normalize_code",
]

# Digits and uppercase letters without the easily confused 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
_GROUP = 4
MIN_HASH_KEY_BYTES = 32
_HASH_DOMAIN = b"jobready-invitation-code\x1f"


def format_code(code: str) -> str:
    """Group a code in blocks of four for display, e.g. 'ABCD-EFGH-JK'."""
    raw = normalize_code(code)
    return "-".join(raw[i : i + _GROUP] for i in range(0, len(raw), _GROUP))


def generate_invitation_code() -> str:
    """Return a fresh random code in display form ('ABCD-EFGH-JK', ~49.5 bits of entropy)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def normalize_code(s: str) -> str:
    """Fold full-width characters, drop dashes and whitespace, and uppercase."""
    folded = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in folded if not ch.isspace() and ch != "-").upper()


def is_well_formed_code(s: str) -> bool:
    """True if the normalized input has the right length and only allowed characters."""
    raw = normalize_code(s)
    return len(raw) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in raw)


def hash_code(code: str, *, key: bytes) -> str:
    """Keyed HMAC-SHA256 (64 hex chars) of the normalized code, for storage and lookup."""
    if len(key) < MIN_HASH_KEY_BYTES:
        raise ValueError(f"hash key must be at least {MIN_HASH_KEY_BYTES} bytes")
    message = _HASH_DOMAIN + normalize_code(code).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
