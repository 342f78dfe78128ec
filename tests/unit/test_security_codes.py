"""One-time invitation codes."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from backend.security.invitation_codes import (
    CODE_ALPHABET,
    format_code,
    generate_invitation_code,
    hash_code,
    is_well_formed_code,
    normalize_code,
)

KEY = bytes(range(32))


def test_alphabet_has_no_ambiguous_characters() -> None:
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 31
    assert CODE_ALPHABET.upper() == CODE_ALPHABET


def test_generated_code_is_grouped_for_display() -> None:
    code = generate_invitation_code()
    pattern = f"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{2}}"
    assert re.fullmatch(pattern, code)
    assert len(normalize_code(code)) == 10
    assert is_well_formed_code(code)


def test_generated_codes_are_unique_and_use_the_whole_alphabet() -> None:
    codes = {generate_invitation_code() for _ in range(500)}
    assert len(codes) == 500
    used = set("".join(normalize_code(code) for code in codes))
    assert used == set(CODE_ALPHABET)


@pytest.mark.parametrize(
    "typed",
    ["abcd-efgh-jk", " ABCD EFGH JK ", "abcdefghjk", "ＡＢＣＤ－ＥＦＧＨ－ＪＫ", "ABCD--EFGH\tJK"],
)
def test_typed_code_is_normalized(typed: str) -> None:
    assert normalize_code(typed) == "ABCDEFGHJK"


def test_format_code_groups_by_four() -> None:
    assert format_code("abcdefghjk") == "ABCD-EFGH-JK"


@pytest.mark.parametrize(
    "bad", ["ABCD-EFGH-J", "ABCD-EFGH-JKM", "ABCD-EFGH-J0", "OBCD-EFGH-JK", ""]
)
def test_malformed_codes_are_recognized(bad: str) -> None:
    assert not is_well_formed_code(bad)


def test_code_hash_is_keyed_hmac_hex() -> None:
    digest = hash_code("ABCD-EFGH-JK", key=KEY)
    assert len(digest) == 64
    assert set(digest) <= set("0123456789abcdef")
    assert digest != hashlib.sha256(b"ABCDEFGHJK").hexdigest()
    assert digest != hmac.new(KEY, b"ABCDEFGHJK", hashlib.sha256).hexdigest()  # domain-separated


def test_code_hash_ignores_display_formatting() -> None:
    assert hash_code("abcd efgh-jk", key=KEY) == hash_code("ABCDEFGHJK", key=KEY)


def test_code_hash_depends_on_key_and_code() -> None:
    assert hash_code("ABCDEFGHJK", key=KEY) != hash_code("ABCDEFGHJK", key=bytes(range(1, 33)))
    assert hash_code("ABCDEFGHJK", key=KEY) != hash_code("ABCDEFGHJM", key=KEY)


def test_code_hash_refuses_short_key() -> None:
    with pytest.raises(ValueError):
        hash_code("ABCDEFGHJK", key=b"short")
