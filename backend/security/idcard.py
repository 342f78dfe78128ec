"""Mainland China resident ID numbers (GB 11643-1999) and mobile phone numbers."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Literal

from backend import clock

__all__ = [
    "PROVINCE_CODES",
    "InvalidIdNumber",
    "InvalidPhoneNumber",
    "birth_date",
    "gender",
    "make_id_number",
    "normalize_id_number",
    "normalize_mobile",
    "validate_id_number",
    "validate_mobile",
]

# First two digits of the administrative division code (GB/T 2260): 31 provincial-level
# divisions plus Taiwan (71), Hong Kong (81) and Macao (82).
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip

_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_MIN_BIRTH_YEAR = 1900

_ASCII_DIGITS = re.compile(r"[0-9]+")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]+")


class InvalidIdNumber(ValueError):
    """Raised when a resident ID number is malformed; `.reason` is a Chinese message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidPhoneNumber(ValueError):
    """Raised when a mobile number is malformed; `.reason` is a Chinese message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _is_ascii_digits(s: str) -> bool:
    return _ASCII_DIGITS.fullmatch(s) is not None


def normalize_id_number(s: str) -> str:
    """Strip whitespace, fold full-width characters and uppercase a final 'x'."""
    folded = unicodedata.normalize("NFKC", s)
    return "".join(folded.split()).upper()


def _checksum_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _parse_birth(digits: str) -> date:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidIdNumber("出生日期无效") from None


def _check_birth(birth_digits: str, today: date) -> None:
    born = _parse_birth(birth_digits)
    if born.year < _MIN_BIRTH_YEAR:
        raise InvalidIdNumber("出生日期无效：年份不能早于1900年")
    if born > today:
        raise InvalidIdNumber("出生日期无效：不能晚于今天")


def _check_shape(value: str) -> None:
    if not value:
        raise InvalidIdNumber("身份证号码不能为空")
    if len(value) != 18:
        raise InvalidIdNumber("长度必须为18位")
    if not _is_ascii_digits(value[:17]):
        raise InvalidIdNumber("前17位必须为数字")
    last = value[17]
    if not (_is_ascii_digits(last) or last == "X"):
        raise InvalidIdNumber("最后一位必须为数字或X")


def validate_id_number(s: str, *, today: date | None = None) -> str:
    """Return the normalized ID number or raise InvalidIdNumber explaining the problem."""
    value = normalize_id_number(s)
    _check_shape(value)
    if value[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber("地区代码无效")
    _check_birth(value[6:14], today or clock.today())
    if _checksum_char(value[:17]) != value[17]:
        raise InvalidIdNumber("校验码错误")
    return value


def birth_date(id_number: str) -> date:
    """Return the birth date encoded in a valid ID number."""
    return _parse_birth(validate_id_number(id_number)[6:14])


def gender(id_number: str) -> Literal["male", "female"]:
    """Return the gender encoded in a valid ID number (odd 17th digit means male)."""
    value = validate_id_number(id_number)
    return "male" if int(value[16]) % 2 == 1 else "female"


def make_id_number(region: str, birth: date, seq: int) -> str:
    """Build a well-formed ID number with a correct check digit (for tests and demo data)."""
    if len(region) != 6 or not _is_ascii_digits(region):
        raise ValueError("region must be a 6-digit administrative division code")
    if region[:2] not in PROVINCE_CODES:
        raise ValueError(f"unknown province code {region[:2]!r}")
    if not 0 <= seq <= 999:
        raise ValueError("seq must be between 0 and 999 (odd = male, even = female)")
    if birth.year < _MIN_BIRTH_YEAR:
        raise ValueError("birth year must be 1900 or later")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + _checksum_char(first17)


def normalize_mobile(s: str) -> str:
    """Strip whitespace, dashes, parentheses and a +86/0086/86 country prefix."""
    value = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", s))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    if value.startswith("86") and len(value) == 13:
        return value[2:]
    return value


def validate_mobile(s: str) -> str:
    """Return the 11-digit mainland mobile number or raise InvalidPhoneNumber."""
    value = normalize_mobile(s)
    if not value:
        raise InvalidPhoneNumber("手机号码不能为空")
    if not _is_ascii_digits(value):
        raise InvalidPhoneNumber("手机号码只能包含数字")
    if len(value) != 11:
        raise InvalidPhoneNumber("手机号码必须为11位")
    if _MOBILE.fullmatch(value) is None:
        raise InvalidPhoneNumber("手机号码格式无效，应以13至19开头")
    return value
