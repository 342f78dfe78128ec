"""Rotating check-in codes: an HMAC-signed token bound to a session, a purpose and a time step.

A token reads `I1a2.2bx9kq.<16 base62 chars>`: purpose (I = check-in, O = check-out), the
session id and the time step in base 36, then the first 95 bits of an HMAC-SHA256 over
everything before it. It is at most 31 characters of `[0-9A-Za-z.]`, so it also fits the
scene of a mini-program code (≤ 32). The key is derived from SECRET_KEY for this purpose
only. Carrying the step lets the verifier tell an expired code from a forged one. Pure: no I/O.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

MAX_LENGTH = 32
_KEY_LABEL = b"jobready:attendance-qr:v1"
_B36 = string.digits + string.ascii_lowercase
_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_MAC_CHARS = 16  # 62**16 ≈ 2**95
_TOKEN = re.compile(
    r"^([IO])([1-9a-z][0-9a-z]{0,6})\.(0|[1-9a-z][0-9a-z]{0,6})\.([0-9A-Za-z]{16})$"
)


class Purpose(StrEnum):
    """What a code is for: check-in at the start of a session, check-out at its end."""

    IN = "in"
    OUT = "out"


_LETTER = {Purpose.IN: "I", Purpose.OUT: "O"}
_BY_LETTER = {v: k for k, v in _LETTER.items()}


class CodeInvalid(ValueError):
    """The token is malformed or its signature does not match (forged or altered)."""


class CodeExpired(ValueError):
    """The token was genuine, but its time step is past the grace."""


@dataclass(frozen=True)
class CodeClaims:
    """What a verified token says."""

    session_id: int
    purpose: Purpose
    step: int


@functools.lru_cache(maxsize=8)
def derive_key(secret_key: str) -> bytes:
    """The subkey that signs check-in codes (never the secret used for session tokens)."""
    return hmac.new(secret_key.encode(), _KEY_LABEL, hashlib.sha256).digest()


def step_at(moment: datetime, step_seconds: int) -> int:
    """The number of the time step containing `moment`."""
    return int(moment.timestamp()) // step_seconds


def step_starts(step: int, step_seconds: int) -> datetime:
    """When a time step begins (UTC)."""
    return datetime.fromtimestamp(step * step_seconds, UTC)


def step_ends(step: int, step_seconds: int) -> datetime:
    """When a time step ends: the next code is shown from then on."""
    return step_starts(step, step_seconds) + timedelta(seconds=step_seconds)


def _b36(n: int) -> str:
    digits = ""
    while True:
        n, r = divmod(n, 36)
        digits = _B36[r] + digits
        if n == 0:
            return digits


def _mac(key: bytes, body: str) -> str:
    n = int.from_bytes(hmac.new(key, body.encode(), hashlib.sha256).digest(), "big")
    chars = []
    for _ in range(_MAC_CHARS):
        n, r = divmod(n, 62)
        chars.append(_B62[r])
    return "".join(chars)


def issue_code(*, key: bytes, session_id: int, purpose: Purpose, step: int) -> str:
    """The token of one session, purpose and time step."""
    if session_id < 1 or step < 0:
        raise ValueError("session_id must be ≥ 1 and step ≥ 0")
    body = f"{_LETTER[purpose]}{_b36(session_id)}.{_b36(step)}"
    token = f"{body}.{_mac(key, body)}"
    if len(token) > MAX_LENGTH:
        raise ValueError("session id or step too large for a 32-character code")
    return token


def read_code(token: str, *, key: bytes) -> CodeClaims:
    """The claims of a genuine token; CodeInvalid if it is malformed or forged."""
    match = _TOKEN.match(token.strip()) if isinstance(token, str) else None
    if match is None:
        raise CodeInvalid("malformed code")
    letter, session, step, mac = match.groups()
    body = f"{letter}{session}.{step}"
    if not hmac.compare_digest(_mac(key, body), mac):
        raise CodeInvalid("signature mismatch")
    return CodeClaims(int(session, 36), _BY_LETTER[letter], int(step, 36))


def check_fresh(claims: CodeClaims, *, now_step: int, grace_steps: int) -> None:
    """Accept the current step and `grace_steps` before it; a future step is not ours."""
    if claims.step > now_step:
        raise CodeInvalid("code from the future")
    if claims.step < now_step - grace_steps:
        raise CodeExpired("code expired")


def verify_code(
    token: str, *, key: bytes, now: datetime, step_seconds: int, grace_steps: int
) -> CodeClaims:
    """Read a token and check that it is current: CodeInvalid or CodeExpired otherwise."""
    claims = read_code(token, key=key)
    check_fresh(claims, now_step=step_at(now, step_seconds), grace_steps=grace_steps)
    return claims
