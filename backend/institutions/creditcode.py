"""Unified social credit codes (统一社会信用代码, GB 32100-2015): shape and check character.

Pure, no I/O. 18 characters from the code's alphabet (digits and capital letters without
I, O, Z, S, V); characters 3–8 are the registering authority's division code; the 18th is a
check character computed from the first 17 with the standard's weights, modulo 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


class InvalidCreditCode(ValueError):
    """A credit code that is malformed or fails its check character; `reason` is Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_character(first17: str) -> str:
    """The 18th character the standard gives for these 17 characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """The code, upper-cased and stripped, or InvalidCreditCode with the reason."""
    code = value.strip().upper()
    if len(code) != LENGTH:
        raise InvalidCreditCode(f"应为{LENGTH}位，实际为{len(code)}位")
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        raise InvalidCreditCode("含有不允许的字符：" + "、".join(bad))
    if not code[2:8].isdigit():
        raise InvalidCreditCode("第3至8位应为登记管理机关行政区划码（数字）")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidCreditCode("校验码不正确")
    return code


def make_credit_code(first17: str) -> str:
    """A valid code from 17 characters (tests, demo data)."""
    return first17 + check_character(first17)
