"""Signed session tokens and short-lived signed payloads (JWT, HS256 only)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from jwt.types import Options

from backend import clock

__all__ = [
    "ACCESS_PURPOSE",
    "AccessClaims",
    "TokenError",
    "TokenExpired",
    "TokenInvalid",
    "decode_access_token",
    "issue_access_token",
    "sign_payload",
    "verify_payload",
]

ALGORITHM = "HS256"
ACCESS_PURPOSE = "access"
DEFAULT_ISSUER = "jobready"
MIN_SECRET_BYTES = 32
CLOCK_SKEW_SECONDS = 60
_ACCESS_CLAIMS = ("iss", "sub", "ver", "pur", "iat", "exp", "jti")
_PAYLOAD_CLAIMS = ("iss", "pur", "dat", "iat", "exp", "jti")


class TokenError(Exception):
    """Base class for token failures; `.reason` is a Chinese message for users."""

    reason = "凭证无效"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.reason)
        self.detail = detail


class TokenExpired(TokenError):
    """The token was valid but its lifetime is over."""

    reason = "凭证已过期，请重新获取"


class TokenInvalid(TokenError):
    """The token is malformed, forged, of the wrong kind or missing claims."""

    reason = "凭证无效"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """Verified claims of an access token."""

    user_id: int
    token_version: int
    issued_at: datetime
    expires_at: datetime
    jti: str


def _utc_now(now: datetime | None) -> datetime:
    if now is None:
        return clock.wall()  # token lifetimes run on real time
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _check_secret(secret: str) -> bytes:
    key = secret.encode()
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"token secret must be at least {MIN_SECRET_BYTES} bytes")
    return key


def _check_ttl(ttl_seconds: int) -> None:
    if isinstance(ttl_seconds, bool) or ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be a positive integer")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _encode(claims: dict[str, Any], secret: str, ttl_seconds: int, now: datetime | None) -> str:
    _check_ttl(ttl_seconds)
    issued = int(_utc_now(now).timestamp())
    claims.update(iat=issued, exp=issued + ttl_seconds, jti=secrets.token_urlsafe(16))
    return jwt.encode(claims, _check_secret(secret), algorithm=ALGORITHM)


def _decode(
    token: str,
    secret: str,
    issuer: str,
    purpose: str,
    required: tuple[str, ...],
    now: datetime | None,
) -> dict[str, Any]:
    key = _check_secret(secret)
    options: Options = {
        "require": list(required),
        "verify_exp": False,  # checked below against the injectable clock
        "verify_iat": False,
        "verify_nbf": False,
    }
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=issuer, options=options)
    except jwt.PyJWTError as exc:
        raise TokenInvalid(str(exc)) from None
    if claims.get("pur") != purpose:
        raise TokenInvalid("token purpose mismatch")
    _check_times(claims, _utc_now(now))
    return claims


def _check_times(claims: Mapping[str, Any], now: datetime) -> None:
    issued, expires = claims.get("iat"), claims.get("exp")
    if not isinstance(issued, int) or not isinstance(expires, int):
        raise TokenInvalid("iat and exp must be integers")
    if isinstance(issued, bool) or isinstance(expires, bool):
        raise TokenInvalid("iat and exp must be integers")
    if issued > now.timestamp() + CLOCK_SKEW_SECONDS:
        raise TokenInvalid("token issued in the future")
    if now.timestamp() >= expires:
        raise TokenExpired("token has expired")


def issue_access_token(
    *,
    user_id: int,
    token_version: int,
    secret: str,
    ttl_seconds: int,
    now: datetime | None = None,
    issuer: str = DEFAULT_ISSUER,
) -> str:
    """Issue a signed access token for a user at the given token version."""
    if not _is_int(user_id) or user_id <= 0:
        raise ValueError("user_id must be a positive integer")
    if not _is_int(token_version) or token_version < 0:
        raise ValueError("token_version must be a non-negative integer")
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": str(user_id),
        "ver": token_version,
        "pur": ACCESS_PURPOSE,
    }
    return _encode(claims, secret, ttl_seconds, now)


# Verified access tokens, so a phone's next request skips the signature check (PyJWT's decode
# measured ~70 us, the largest single cost of a check-in in the API process). Only tokens whose
# signature and claims verified are kept, under the key and issuer they verified with; expiry
# is checked on every use. Revocation is not a property of the token: load_actor checks it.
_VERIFIED: dict[tuple[str, str, str], tuple[Mapping[str, Any], AccessClaims]] = {}
_VERIFIED_MAX = 20_000


def decode_access_token(
    token: str, *, secret: str, issuer: str = DEFAULT_ISSUER, now: datetime | None = None
) -> AccessClaims:
    """Verify an access token and return its claims (caller must compare token_version)."""
    key = (token, secret, issuer)
    known = _VERIFIED.get(key)
    if known is not None:
        _check_times(known[0], _utc_now(now))
        return known[1]
    raw = _decode(token, secret, issuer, ACCESS_PURPOSE, _ACCESS_CLAIMS, now)
    claims = _to_access_claims(raw)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[key] = (raw, claims)
    return claims


def _to_access_claims(claims: Mapping[str, Any]) -> AccessClaims:
    sub, version, jti = claims["sub"], claims["ver"], claims["jti"]
    if not (isinstance(sub, str) and sub.isascii() and sub.isdigit() and int(sub) > 0):
        raise TokenInvalid("sub must be a positive integer string")
    if not _is_int(version) or version < 0:
        raise TokenInvalid("ver must be a non-negative integer")
    if not isinstance(jti, str) or not jti:
        raise TokenInvalid("jti must be a non-empty string")
    return AccessClaims(
        user_id=int(sub),
        token_version=version,
        issued_at=datetime.fromtimestamp(claims["iat"], UTC),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        jti=jti,
    )


def _check_purpose(purpose: str) -> None:
    if not purpose or purpose == ACCESS_PURPOSE:
        raise ValueError(f"purpose must be non-empty and not {ACCESS_PURPOSE!r}")


def sign_payload(
    payload: Mapping[str, Any],
    *,
    secret: str,
    ttl_seconds: int,
    purpose: str,
    now: datetime | None = None,
    issuer: str = DEFAULT_ISSUER,
) -> str:
    """Sign (not encrypt) a JSON payload for one purpose; never put PII in it."""
    _check_purpose(purpose)
    claims: dict[str, Any] = {"iss": issuer, "pur": purpose, "dat": dict(payload)}
    return _encode(claims, secret, ttl_seconds, now)


def verify_payload(
    token: str,
    *,
    secret: str,
    purpose: str,
    now: datetime | None = None,
    issuer: str = DEFAULT_ISSUER,
) -> dict[str, Any]:
    """Verify a token from `sign_payload` for the same purpose and return its payload."""
    _check_purpose(purpose)
    claims = _decode(token, secret, issuer, purpose, _PAYLOAD_CLAIMS, now)
    data = claims["dat"]
    if not isinstance(data, dict):
        raise TokenInvalid("payload must be an object")
    return data
