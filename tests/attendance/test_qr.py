"""Rotating codes: signed, bound to session, purpose and step, short enough for a scene."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.attendance.qr import (
    MAX_LENGTH,
    CodeClaims,
    CodeExpired,
    CodeInvalid,
    Purpose,
    derive_key,
    issue_code,
    read_code,
    step_at,
    step_ends,
    verify_code,
)
from backend.integrations.wechat.connector import check_scene

KEY = derive_key("unit-test-secret-key-of-at-least-32-characters")
NOW = datetime(2026, 11, 23, 0, 50, tzinfo=UTC)


def _verify(token: str, at: datetime, grace: int = 1) -> CodeClaims:
    return verify_code(token, key=KEY, now=at, step_seconds=15, grace_steps=grace)


def test_a_code_reads_back_its_session_purpose_and_step() -> None:
    step = step_at(NOW, 15)
    token = issue_code(key=KEY, session_id=4711, purpose=Purpose.OUT, step=step)
    assert read_code(token, key=KEY) == CodeClaims(4711, Purpose.OUT, step)


def test_the_largest_ids_and_steps_still_fit_a_mini_program_scene() -> None:
    far_future = datetime(2100, 1, 1, tzinfo=UTC)
    token = issue_code(
        key=KEY, session_id=2**31 - 1, purpose=Purpose.IN, step=step_at(far_future, 1)
    )
    assert len(token) <= MAX_LENGTH == 32
    check_scene(token)  # the connector's own rule for getwxacodeunlimit scenes


def test_the_current_and_the_previous_step_are_accepted_and_older_ones_expired() -> None:
    token = issue_code(key=KEY, session_id=1, purpose=Purpose.IN, step=step_at(NOW, 15))
    assert _verify(token, NOW).session_id == 1
    assert _verify(token, NOW + timedelta(seconds=15)).session_id == 1
    with pytest.raises(CodeExpired):
        _verify(token, NOW + timedelta(seconds=30))
    with pytest.raises(CodeExpired):
        _verify(token, NOW + timedelta(seconds=15), grace=0)


def test_a_code_of_a_future_step_is_not_accepted() -> None:
    token = issue_code(key=KEY, session_id=1, purpose=Purpose.IN, step=step_at(NOW, 15) + 1)
    with pytest.raises(CodeInvalid):
        _verify(token, NOW)


def test_a_code_signed_with_another_key_is_invalid() -> None:
    other = derive_key("another-secret-key-of-at-least-32-characters!")
    token = issue_code(key=other, session_id=1, purpose=Purpose.IN, step=step_at(NOW, 15))
    with pytest.raises(CodeInvalid):
        _verify(token, NOW)


@pytest.mark.parametrize("change", ["session", "purpose", "step", "mac", "case"])
def test_altering_any_part_of_a_code_makes_it_invalid(change: str) -> None:
    token = issue_code(key=KEY, session_id=35, purpose=Purpose.IN, step=step_at(NOW, 15))
    head, step, mac = token.split(".")
    altered = {
        "session": f"I{int(head[1:], 36) + 1:x}.{step}.{mac}",
        "purpose": f"O{head[1:]}.{step}.{mac}",
        "step": f"{head}.{step[:-1]}{'0' if step[-1] != '0' else '1'}.{mac}",
        "mac": f"{head}.{step}.{mac[:-1]}{'a' if mac[-1] != 'a' else 'b'}",
        "case": token.swapcase(),
    }[change]
    assert altered != token
    with pytest.raises(CodeInvalid):
        read_code(altered, key=KEY)


@pytest.mark.parametrize(
    "junk", ["", " ", "I1.1", "I0.1." + "A" * 16, "X1.1." + "A" * 16, "I1.1." + "A" * 17]
)
def test_malformed_codes_are_invalid(junk: str) -> None:
    with pytest.raises(CodeInvalid):
        read_code(junk, key=KEY)


def test_the_key_is_derived_for_codes_only_and_differs_per_secret() -> None:
    secret = "unit-test-secret-key-of-at-least-32-characters"
    assert derive_key(secret) == KEY and len(KEY) == 32
    assert secret.encode() not in KEY
    assert derive_key(secret + "x") != KEY


def test_a_step_ends_when_the_next_one_starts() -> None:
    step = step_at(NOW + timedelta(seconds=7), 15)
    assert step_ends(step, 15) == NOW + timedelta(seconds=15)
    assert step_at(step_ends(step, 15), 15) == step + 1
