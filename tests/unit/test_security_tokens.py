"""Access tokens and purpose-bound signed payloads."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from backend.security.tokens import (
    AccessClaims,
    TokenError,
    TokenExpired,
    TokenInvalid,
    decode_access_token,
    issue_access_token,
    sign_payload,
    verify_payload,
)

SECRET = "test-secret-" + "0123456789abcdef" * 4  # 75 bytes: long enough for HS512 too
OTHER_SECRET = "other-secret-" + "fedcba9876543210" * 4
NOW = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def issue(**overrides: Any) -> str:
    params: dict[str, Any] = {
        "user_id": 42,
        "token_version": 3,
        "secret": SECRET,
        "ttl_seconds": 3600,
        "now": NOW,
    }
    params.update(overrides)
    return issue_access_token(**params)


def b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def forge(claims: dict[str, Any], *, algorithm: str = "HS256", secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def valid_claims(**overrides: Any) -> dict[str, Any]:
    stamp = int(NOW.timestamp())
    claims: dict[str, Any] = {
        "iss": "jobready",
        "sub": "42",
        "ver": 3,
        "pur": "access",
        "iat": stamp,
        "exp": stamp + 600,
        "jti": "abc",
    }
    claims.update(overrides)
    return claims


# --- access tokens --------------------------------------------------------------------------


def test_access_token_round_trips_its_claims() -> None:
    claims = decode_access_token(issue(), secret=SECRET, now=NOW + timedelta(minutes=5))
    assert isinstance(claims, AccessClaims)
    assert claims.user_id == 42
    assert claims.token_version == 3
    assert claims.issued_at == NOW
    assert claims.expires_at == NOW + timedelta(hours=1)
    assert len(claims.jti) >= 16


def test_access_claims_are_frozen() -> None:
    claims = decode_access_token(issue(), secret=SECRET, now=NOW)
    with pytest.raises(AttributeError):
        claims.user_id = 1  # type: ignore[misc]


def test_each_token_gets_a_fresh_jti() -> None:
    first = decode_access_token(issue(), secret=SECRET, now=NOW)
    second = decode_access_token(issue(), secret=SECRET, now=NOW)
    assert first.jti != second.jti


def test_token_is_accepted_until_just_before_expiry() -> None:
    token = issue(ttl_seconds=60)
    decode_access_token(token, secret=SECRET, now=NOW + timedelta(seconds=59))


def test_expired_token_is_refused() -> None:
    token = issue(ttl_seconds=60)
    with pytest.raises(TokenExpired) as caught:
        decode_access_token(token, secret=SECRET, now=NOW + timedelta(seconds=60))
    assert caught.value.reason == "凭证已过期，请重新获取"
    assert isinstance(caught.value, TokenError)


def test_expired_token_is_refused_with_the_real_clock() -> None:
    token = issue(ttl_seconds=60, now=datetime.now(UTC) - timedelta(minutes=5))
    with pytest.raises(TokenExpired):
        decode_access_token(token, secret=SECRET)


def test_a_token_verified_once_still_expires_on_its_later_uses() -> None:
    token = issue(ttl_seconds=60)
    first = decode_access_token(token, secret=SECRET, now=NOW + timedelta(seconds=1))
    assert decode_access_token(token, secret=SECRET, now=NOW + timedelta(seconds=59)) is first
    with pytest.raises(TokenExpired):
        decode_access_token(token, secret=SECRET, now=NOW + timedelta(seconds=60))
    with pytest.raises(TokenInvalid):  # nor is it accepted before it was issued
        decode_access_token(token, secret=SECRET, now=NOW - timedelta(minutes=5))


def test_a_token_verified_under_one_secret_is_refused_under_another() -> None:
    token = issue()
    decode_access_token(token, secret=SECRET, now=NOW)
    with pytest.raises(TokenInvalid):
        decode_access_token(token, secret=OTHER_SECRET, now=NOW)
    with pytest.raises(TokenInvalid):
        decode_access_token(token, secret=SECRET, issuer="another", now=NOW)


def test_token_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(TokenInvalid) as caught:
        decode_access_token(issue(secret=OTHER_SECRET), secret=SECRET, now=NOW)
    assert caught.value.reason == "凭证无效"


def test_token_with_tampered_payload_is_refused() -> None:
    header, _, signature = issue().split(".")
    forged = ".".join([header, b64url(valid_claims(sub="1")), signature])
    with pytest.raises(TokenInvalid):
        decode_access_token(forged, secret=SECRET, now=NOW)


def test_unsigned_token_with_alg_none_is_refused() -> None:
    header = b64url({"alg": "none", "typ": "JWT"})
    unsigned = f"{header}.{b64url(valid_claims())}."
    with pytest.raises(TokenInvalid):
        decode_access_token(unsigned, secret=SECRET, now=NOW)


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_token_with_another_algorithm_is_refused(algorithm: str) -> None:
    with pytest.raises(TokenInvalid):
        decode_access_token(forge(valid_claims(), algorithm=algorithm), secret=SECRET, now=NOW)


def test_hand_built_token_with_all_claims_is_accepted() -> None:
    claims = decode_access_token(forge(valid_claims()), secret=SECRET, now=NOW)
    assert claims.user_id == 42


@pytest.mark.parametrize("missing", ["iss", "sub", "ver", "pur", "iat", "exp", "jti"])
def test_token_missing_a_claim_is_refused(missing: str) -> None:
    claims = valid_claims()
    del claims[missing]
    with pytest.raises(TokenInvalid):
        decode_access_token(forge(claims), secret=SECRET, now=NOW)


@pytest.mark.parametrize(
    "bad",
    [
        {"iss": "someone-else"},
        {"sub": "abc"},
        {"sub": "0"},
        {"ver": "3"},
        {"ver": -1},
        {"ver": True},
        {"jti": ""},
        {"pur": "display"},
    ],
)
def test_token_with_a_malformed_claim_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(TokenInvalid):
        decode_access_token(forge(valid_claims(**bad)), secret=SECRET, now=NOW)


def test_token_issued_in_the_future_is_refused() -> None:
    token = issue(now=NOW + timedelta(hours=1))
    with pytest.raises(TokenInvalid):
        decode_access_token(token, secret=SECRET, now=NOW)


def test_small_clock_skew_is_tolerated() -> None:
    token = issue(now=NOW + timedelta(seconds=30))
    assert decode_access_token(token, secret=SECRET, now=NOW).user_id == 42


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "x" * 300])
def test_garbage_is_refused_as_invalid(garbage: str) -> None:
    with pytest.raises(TokenInvalid):
        decode_access_token(garbage, secret=SECRET, now=NOW)


def test_custom_issuer_must_match() -> None:
    token = issue(issuer="jobready-staging")
    assert decode_access_token(token, secret=SECRET, issuer="jobready-staging", now=NOW)
    with pytest.raises(TokenInvalid):
        decode_access_token(token, secret=SECRET, now=NOW)


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret": "short"},
        {"ttl_seconds": 0},
        {"ttl_seconds": -5},
        {"user_id": 0},
        {"token_version": -1},
        {"now": datetime(2025, 6, 1, 8, 0)},
    ],
)
def test_issuing_refuses_unsafe_arguments(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        issue(**overrides)


# --- signed payloads ------------------------------------------------------------------------


def test_signed_payload_round_trips() -> None:
    token = sign_payload(
        {"class_id": 7, "name": "周末班"}, secret=SECRET, ttl_seconds=300, purpose="display"
    )
    assert verify_payload(token, secret=SECRET, purpose="display") == {
        "class_id": 7,
        "name": "周末班",
    }


def test_signed_payload_for_another_purpose_is_refused() -> None:
    token = sign_payload({"class_id": 7}, secret=SECRET, ttl_seconds=300, purpose="display")
    with pytest.raises(TokenInvalid):
        verify_payload(token, secret=SECRET, purpose="checkin")


def test_display_link_is_not_accepted_as_login_token() -> None:
    token = sign_payload(
        {"sub": "42", "ver": 3}, secret=SECRET, ttl_seconds=300, purpose="display", now=NOW
    )
    with pytest.raises(TokenInvalid):
        decode_access_token(token, secret=SECRET, now=NOW)


def test_login_token_is_not_accepted_as_signed_payload() -> None:
    with pytest.raises(ValueError):
        verify_payload(issue(), secret=SECRET, purpose="access")
    with pytest.raises(TokenInvalid):
        verify_payload(issue(), secret=SECRET, purpose="display", now=NOW)


def test_signed_payload_cannot_claim_the_access_purpose() -> None:
    with pytest.raises(ValueError):
        sign_payload({}, secret=SECRET, ttl_seconds=60, purpose="access")
    with pytest.raises(ValueError):
        sign_payload({}, secret=SECRET, ttl_seconds=60, purpose="")


def test_expired_signed_payload_is_refused() -> None:
    token = sign_payload({"a": 1}, secret=SECRET, ttl_seconds=60, purpose="display", now=NOW)
    with pytest.raises(TokenExpired):
        verify_payload(token, secret=SECRET, purpose="display", now=NOW + timedelta(minutes=2))


def test_signed_payload_with_wrong_secret_is_refused() -> None:
    token = sign_payload({"a": 1}, secret=SECRET, ttl_seconds=60, purpose="display")
    with pytest.raises(TokenInvalid):
        verify_payload(token, secret=OTHER_SECRET, purpose="display")


def test_signed_payload_with_alg_none_is_refused() -> None:
    stamp = int(NOW.timestamp())
    claims = {"iss": "jobready", "pur": "display", "dat": {"a": 1}, "iat": stamp}
    claims |= {"exp": stamp + 60, "jti": "x"}
    unsigned = f"{b64url({'alg': 'none'})}.{b64url(claims)}."
    with pytest.raises(TokenInvalid):
        verify_payload(unsigned, secret=SECRET, purpose="display", now=NOW)
