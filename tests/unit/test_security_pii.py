"""Encryption at rest, key rotation, blind indexes and masking of personal data."""

from __future__ import annotations

import base64
import os

import pytest

from backend.security.pii import (
    PiiCipher,
    PiiDecryptError,
    PiiKeyError,
    mask_id_number,
    mask_name,
    mask_phone,
)

K1 = bytes(range(32))
K2 = bytes(range(32, 64))
HASH_KEY = bytes(range(64, 96))
ID_NUMBER = "11010519491231002X"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def cipher() -> PiiCipher:
    return PiiCipher({"k1": K1}, "k1", HASH_KEY)


def flip_middle_char(token: str) -> str:
    middle = len(token) // 2
    replacement = "A" if token[middle] != "A" else "B"
    return token[:middle] + replacement + token[middle + 1 :]


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- encryption -----------------------------------------------------------------------------


def test_encrypted_value_round_trips(cipher: PiiCipher) -> None:
    token = cipher.encrypt(ID_NUMBER, context="id_number")
    assert cipher.decrypt(token, context="id_number") == ID_NUMBER


def test_chinese_text_and_empty_string_round_trip(cipher: PiiCipher) -> None:
    for value in ["张三丰", "", "福建省福州市鼓楼区"]:
        assert cipher.decrypt(cipher.encrypt(value, context="name"), context="name") == value


def test_token_is_compact_text_with_key_id_and_no_plaintext(cipher: PiiCipher) -> None:
    token = cipher.encrypt(ID_NUMBER, context="id_number")
    key_id, body = token.split(".")
    assert key_id == "k1"
    assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert ID_NUMBER not in token
    raw = unb64url(body)
    assert len(raw) == 12 + len(ID_NUMBER) + 16  # nonce + ciphertext + GCM tag


def test_same_value_encrypts_differently_each_time(cipher: PiiCipher) -> None:
    first = cipher.encrypt(ID_NUMBER, context="id_number")
    second = cipher.encrypt(ID_NUMBER, context="id_number")
    assert first != second


def test_value_cannot_be_moved_to_another_column(cipher: PiiCipher) -> None:
    token = cipher.encrypt("13800138000", context="phone")
    with pytest.raises(PiiDecryptError):
        cipher.decrypt(token, context="id_number")


def test_tampered_ciphertext_is_refused(cipher: PiiCipher) -> None:
    token = cipher.encrypt(ID_NUMBER, context="id_number")
    with pytest.raises(PiiDecryptError):
        cipher.decrypt(flip_middle_char(token), context="id_number")


def test_non_canonical_base64_spelling_is_refused(cipher: PiiCipher) -> None:
    token = cipher.encrypt(ID_NUMBER, context="id_number")  # 46 bytes: last char has spare bits
    last = token[-1]
    sibling = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    index = sibling.index(last)
    same_bytes = token[:-1] + sibling[index ^ 1]
    assert unb64url(same_bytes.split(".")[1]) == unb64url(token.split(".")[1])
    with pytest.raises(PiiDecryptError):
        cipher.decrypt(same_bytes, context="id_number")


def test_every_single_byte_change_is_detected(cipher: PiiCipher) -> None:
    token = cipher.encrypt("13800138000", context="phone")
    key_id, body = token.split(".")
    raw = bytearray(unb64url(body))
    for index in range(len(raw)):
        changed = bytearray(raw)
        changed[index] ^= 0x01
        forged = f"{key_id}." + base64.urlsafe_b64encode(bytes(changed)).decode().rstrip("=")
        with pytest.raises(PiiDecryptError):
            cipher.decrypt(forged, context="phone")


def test_relabelled_key_id_is_refused() -> None:
    both = PiiCipher({"k1": K1, "k2": K1}, "k1", HASH_KEY)  # same key: only the AAD differs
    token = both.encrypt(ID_NUMBER, context="id_number")
    with pytest.raises(PiiDecryptError):
        both.decrypt("k2" + token[2:], context="id_number")


def test_token_from_another_key_is_refused(cipher: PiiCipher) -> None:
    other = PiiCipher({"k1": K2}, "k1", HASH_KEY)
    with pytest.raises(PiiDecryptError):
        other.decrypt(cipher.encrypt(ID_NUMBER, context="id_number"), context="id_number")


@pytest.mark.parametrize(
    "token",
    ["", "k1", "k1.", ".AAAA", "k1.a.b", "k1.!!!!", "k1.AAAA", "zz." + "A" * 60, "k1.A"],
)
def test_malformed_tokens_raise_decrypt_error(cipher: PiiCipher, token: str) -> None:
    with pytest.raises(PiiDecryptError):
        cipher.decrypt(token, context="id_number")


def test_context_must_be_a_simple_label(cipher: PiiCipher) -> None:
    with pytest.raises(ValueError):
        cipher.encrypt("x", context="")
    with pytest.raises(ValueError):
        cipher.encrypt("x", context="bad context")


# --- rotation -------------------------------------------------------------------------------


def test_old_key_still_decrypts_after_rotation() -> None:
    before = PiiCipher({"k1": K1}, "k1", HASH_KEY)
    token = before.encrypt(ID_NUMBER, context="id_number")
    after = PiiCipher({"k1": K1, "k2": K2}, "k2", HASH_KEY)
    assert after.decrypt(token, context="id_number") == ID_NUMBER
    assert after.needs_rotation(token) is True
    fresh = after.encrypt(ID_NUMBER, context="id_number")
    assert fresh.startswith("k2.")
    assert after.needs_rotation(fresh) is False
    assert before.needs_rotation(token) is False


def test_rotate_re_encrypts_under_the_current_key() -> None:
    token = PiiCipher({"k1": K1}, "k1", HASH_KEY).encrypt("13800138000", context="phone")
    after = PiiCipher({"k1": K1, "k2": K2}, "k2", HASH_KEY)
    rotated = after.rotate(token, context="phone")
    assert rotated.startswith("k2.")
    assert after.decrypt(rotated, context="phone") == "13800138000"
    assert after.rotate(rotated, context="phone") == rotated


def test_retired_key_no_longer_decrypts() -> None:
    token = PiiCipher({"k1": K1}, "k1", HASH_KEY).encrypt(ID_NUMBER, context="id_number")
    only_new = PiiCipher({"k2": K2}, "k2", HASH_KEY)
    with pytest.raises(PiiDecryptError):
        only_new.decrypt(token, context="id_number")


def test_needs_rotation_refuses_malformed_token(cipher: PiiCipher) -> None:
    with pytest.raises(PiiDecryptError):
        cipher.needs_rotation("no-dot-here")


# --- blind index ----------------------------------------------------------------------------


def test_blind_index_is_deterministic_hex_of_64_chars(cipher: PiiCipher) -> None:
    first = cipher.blind_index(ID_NUMBER, context="id_number")
    assert first == cipher.blind_index(ID_NUMBER, context="id_number")
    assert len(first) == 64
    assert set(first) <= set("0123456789abcdef")


def test_blind_index_normalizes_case_and_spaces(cipher: PiiCipher) -> None:
    expected = cipher.blind_index(ID_NUMBER, context="id_number")
    assert cipher.blind_index(" 110105 19491231002x ", context="id_number") == expected


def test_blind_index_depends_on_the_hash_key(cipher: PiiCipher) -> None:
    other = PiiCipher({"k1": K1}, "k1", bytes(range(100, 132)))
    assert cipher.blind_index(ID_NUMBER, context="id_number") != other.blind_index(
        ID_NUMBER, context="id_number"
    )


def test_blind_index_does_not_depend_on_encryption_key_rotation(cipher: PiiCipher) -> None:
    rotated = PiiCipher({"k1": K1, "k2": K2}, "k2", HASH_KEY)
    assert cipher.blind_index("13800138000", context="phone") == rotated.blind_index(
        "13800138000", context="phone"
    )


def test_blind_index_depends_on_context(cipher: PiiCipher) -> None:
    assert cipher.blind_index("13800138000", context="phone") != cipher.blind_index(
        "13800138000", context="id_number"
    )


def test_blind_index_differs_for_different_values(cipher: PiiCipher) -> None:
    assert cipher.blind_index("13800138000", context="phone") != cipher.blind_index(
        "13800138001", context="phone"
    )


# --- key configuration ----------------------------------------------------------------------


def test_from_secrets_uses_first_key_as_current() -> None:
    built = PiiCipher.from_secrets(f"k1:{b64(K1)}, k2:{b64(K2)}", b64(HASH_KEY))
    assert built.current_key_id == "k1"
    assert built.key_ids == frozenset({"k1", "k2"})
    token = PiiCipher({"k2": K2}, "k2", HASH_KEY).encrypt("x", context="name")
    assert built.decrypt(token, context="name") == "x"


def test_from_secrets_honours_explicit_current_key() -> None:
    built = PiiCipher.from_secrets(f"k1:{b64(K1)},k2:{b64(K2)}", b64(HASH_KEY), current="k2")
    assert built.current_key_id == "k2"
    assert built.encrypt("x", context="name").startswith("k2.")


def test_from_secrets_accepts_urlsafe_base64_without_padding() -> None:
    encoded = base64.urlsafe_b64encode(K1).decode().rstrip("=")
    built = PiiCipher.from_secrets(f"k1:{encoded}", b64(HASH_KEY))
    assert built.key_ids == frozenset({"k1"})


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (f"k1:{b64(bytes(range(16)))}", "must decode to 32 bytes, got 16"),
        (f"k1:{b64(bytes(range(33)))}", "must decode to 32 bytes, got 33"),
        ("k1:not base64!!", "not valid base64"),
        (f"k1{b64(K1)}", "must look like"),
        (f"k1:{b64(K1)},k1:{b64(K2)}", "duplicate key id"),
        ("", "no encryption keys"),
        (f"bad.id:{b64(K1)}", "key id"),
    ],
)
def test_from_secrets_reports_clear_errors(keys: str, message: str) -> None:
    with pytest.raises(PiiKeyError, match=message):
        PiiCipher.from_secrets(keys, b64(HASH_KEY))


def test_from_secrets_refuses_short_hash_key() -> None:
    with pytest.raises(PiiKeyError, match="hash key must be at least 32 bytes"):
        PiiCipher.from_secrets(f"k1:{b64(K1)}", b64(os.urandom(16)))


def test_from_secrets_refuses_unknown_current_key() -> None:
    with pytest.raises(PiiKeyError, match="current key id"):
        PiiCipher.from_secrets(f"k1:{b64(K1)}", b64(HASH_KEY), current="k9")


def test_key_errors_never_echo_key_material() -> None:
    secret = b64(os.urandom(20))
    with pytest.raises(PiiKeyError) as caught:
        PiiCipher.from_secrets(f"k1:{secret}", b64(HASH_KEY))
    assert secret not in str(caught.value)


def test_hash_key_must_differ_from_encryption_keys() -> None:
    with pytest.raises(PiiKeyError, match="differ"):
        PiiCipher({"k1": K1}, "k1", K1)


def test_repr_shows_key_ids_only(cipher: PiiCipher) -> None:
    text = repr(cipher)
    assert "k1" in text
    assert K1.hex() not in text
    assert b64(K1) not in text


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("350102199001011234", "350102********1234"),
        ("35010219900101123x", "350102********123X"),
        (" 350102 19900101 123X ", "350102********123X"),
        ("350102900101123", "350102******123"),
        ("3501021990", "**********"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_id_number_masking(raw: str | None, masked: str) -> None:
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+86 138-0013-8000", "138****8000"),
        ("1380013", "*******"),
        ("12", "**"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_masking(raw: str | None, masked: str) -> None:
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        (" 李四 ", "李*"),
        ("张", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_name_masking(raw: str | None, masked: str) -> None:
    assert mask_name(raw) == masked


def test_masking_never_reveals_the_hidden_middle() -> None:
    for length in range(25):
        value = "9" * length
        masked_id = mask_id_number(value)
        masked_phone = mask_phone(value)
        assert len(masked_id) == length and len(masked_phone) == length
        assert masked_id.count("9") <= 10 and masked_phone.count("9") <= 7
        assert length < 11 or masked_phone.count("*") >= 4
        assert length < 15 or masked_id.count("*") >= 6
