"""WeChat subscribe-message field limits, as data, and helpers that fit values to them.

A field's kind is its key without the trailing number: ``thing1`` → ``thing``. The stand-in
server validates with `validate_template_data` too, so the two always agree.

Shortening is only done where it keeps the meaning readable (free text, names, codes). Numbers,
amounts, phone and car numbers, times and dates are never truncated: a shortened amount would be
wrong, so such values are only cleaned and `validate_template_data` reports what still breaks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

ELLIPSIS = "…"


@dataclass(frozen=True)
class FieldLimit:
    """One subscribe-message field kind: maximum length and what it may contain."""

    kind: str
    max_length: int | None  # None: checked by pattern instead of length
    allowed: str  # description of the allowed characters
    truncate: bool  # may fit_template_data shorten it?
    ellipsis: bool  # end shortened values with "…"?


LIMITS: dict[str, FieldLimit] = {
    lim.kind: lim
    for lim in (
        FieldLimit("thing", 20, "Chinese, letters, digits, symbols", True, True),
        FieldLimit("short_thing", 5, "Chinese, letters, digits, symbols", True, True),
        FieldLimit("phrase", 5, "Chinese only", True, False),
        FieldLimit("number", 32, "digits, optional decimal point", False, False),
        FieldLimit("letter", 32, "letters only", True, False),
        FieldLimit("symbol", 5, "symbols only", True, False),
        FieldLimit("character_string", 32, "digits, letters, symbols (no Chinese)", True, False),
        FieldLimit("name", 20, "≤ 10 Chinese characters, or ≤ 20 letters/symbols", True, False),
        FieldLimit("phone_number", 17, "digits and symbols", False, False),
        FieldLimit("car_number", 8, "letters and digits; first/last may be Chinese", False, False),
        FieldLimit("amount", None, "currency symbol + ≤ 10 digits (decimals, 元 ok)", False, False),
        FieldLimit("time", None, "24-hour time, optionally with date; ranges with ~", False, False),
        FieldLimit("date", None, "date, optionally with 24-hour time; ranges with ~", False, False),
    )
}
NAME_CJK_MAX = 10

_DATE = r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
_POINT = rf"(?:(?:{_DATE})(?:\s*{_TIME})?|{_TIME})"
_DATETIME = re.compile(rf"^{_POINT}(?:\s*~\s*{_POINT})?$")
_AMOUNT = re.compile(r"^[¥￥$€£]?[0-9]{1,10}(?:\.[0-9]{1,2})?元?$")
_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
_CAR = re.compile(r"^[\u4e00-\u9fff]?[A-Za-z0-9]{1,7}[\u4e00-\u9fff]?$")


def is_cjk(char: str) -> bool:
    """True for a CJK ideograph (a 'Chinese character')."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _is_symbol(char: str) -> bool:
    return not char.isalnum() and not char.isspace() and unicodedata.category(char)[0] in "PS"


def _is_ascii_visible(char: str) -> bool:
    return "!" <= char <= "~"


_ALLOWED: dict[str, Callable[[str], bool]] = {
    "phrase": is_cjk,
    "number": lambda c: c.isascii() and (c.isdigit() or c == "."),
    "letter": lambda c: c.isascii() and c.isalpha(),
    "symbol": _is_symbol,
    "character_string": _is_ascii_visible,
    "phone_number": lambda c: _is_ascii_visible(c) and not c.isalpha(),
    "car_number": lambda c: is_cjk(c) or (c.isascii() and c.isalnum()),
    "amount": lambda c: (c.isascii() and c.isdigit()) or c in ".¥￥$€£元",
}


def kind_of(key: str) -> str | None:
    """Field kind from a key name (``thing1`` → ``thing``), None when unknown."""
    kind = key.rstrip("0123456789")
    return kind if kind in LIMITS else None


def _clean_text(value: str) -> str:
    """Drop control characters and collapse whitespace (WeChat rejects line breaks)."""
    if not value.isprintable():  # rare: only then look at each character
        value = "".join(" " if c.isspace() else c for c in value if c.isprintable() or c.isspace())
    return " ".join(value.split())


def _shorten(value: str, limit: int, ellipsis: bool) -> str:
    if len(value) <= limit:
        return value
    return value[: limit - 1].rstrip() + ELLIPSIS if ellipsis else value[:limit]


def _name_limit(value: str) -> int:
    return NAME_CJK_MAX if any(is_cjk(c) for c in value) else LIMITS["name"].max_length or 20


def _fit_name(value: str) -> str:
    if any(is_cjk(c) for c in value):
        value = "".join(c for c in value if is_cjk(c) or c == "·")
    return _shorten(value, _name_limit(value), ellipsis=False)


def fit_value(value: str, kind: str | None) -> str:
    """One value made to fit its kind: cleaned, stripped of disallowed chars, maybe shortened."""
    value = _clean_text(str(value))
    limit = LIMITS.get(kind or "")
    if limit is None or kind is None:
        return value
    if kind in _ALLOWED:
        value = "".join(c for c in value if _ALLOWED[kind](c))
    if kind == "name":
        return _fit_name(value)
    if limit.truncate and limit.max_length:
        return _shorten(value, limit.max_length, limit.ellipsis)
    return value


def fit_template_data(
    data: Mapping[str, str], kinds: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Copy of `data` whose values fit WeChat's limits (kinds from `kinds` or the key names)."""
    kinds = kinds or {}
    return {key: fit_value(value, kinds.get(key) or kind_of(key)) for key, value in data.items()}


def _problem(key: str, value: str, kind: str) -> str | None:
    limit = LIMITS[kind]
    if not value.strip():
        return f"data.{key}.value is empty"
    if kind in _ALLOWED and not all(_ALLOWED[kind](c) for c in value):
        return f"data.{key}.value invalid"
    if kind in ("time", "date") and not _DATETIME.match(value.strip()):
        return f"data.{key}.value invalid"
    if (kind == "amount" and not _AMOUNT.match(value)) or (
        kind == "number" and not _NUMBER.match(value)
    ):
        return f"data.{key}.value invalid"
    if kind == "car_number" and not _CAR.match(value):
        return f"data.{key}.value invalid"
    max_length = _name_limit(value) if kind == "name" else limit.max_length
    if max_length is not None and len(value) > max_length:
        return f"data.{key}.value exceeds limit"
    return None


def _plain(value: str | Mapping[str, str]) -> str:
    return str(value.get("value", "")) if isinstance(value, Mapping) else str(value)


def validate_template_data(
    data: Mapping[str, str | Mapping[str, str]], kinds: Mapping[str, str] | None = None
) -> list[str]:
    """Problems WeChat would report (``data.thing1.value exceeds limit`` …); empty when valid.

    Accepts plain ``{key: value}`` or WeChat's ``{key: {"value": value}}``; unknown kinds pass.
    """
    kinds = kinds or {}
    problems = []
    for key, raw in data.items():
        kind = kinds.get(key) or kind_of(key)
        problem = _problem(key, _plain(raw), kind) if kind else None
        if problem:
            problems.append(problem)
    return problems
