"""Resident ID numbers (GB 11643) and mainland mobile numbers."""

from __future__ import annotations

from datetime import date

import pytest

from backend.security.idcard import (
    InvalidIdNumber,
    InvalidPhoneNumber,
    birth_date,
    gender,
    make_id_number,
    normalize_id_number,
    validate_id_number,
    validate_mobile,
)

TODAY = date(2025, 6, 1)
# The worked example printed in GB 11643-1999 itself (female, check character X).
STANDARD_EXAMPLE = "11010519491231002X"


def with_checksum(first17: str) -> str:
    """Independent ISO 7064 MOD 11-2 implementation used as the test oracle."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


def wrong_checksum(valid: str) -> str:
    replacement = "0" if valid[17] != "0" else "1"
    return valid[:17] + replacement


def reason_for(value: str) -> str:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(value, today=TODAY)
    return caught.value.reason


# --- valid numbers --------------------------------------------------------------------------


def test_standard_example_with_final_x_is_accepted() -> None:
    assert validate_id_number(STANDARD_EXAMPLE, today=TODAY) == STANDARD_EXAMPLE


def test_lowercase_x_and_spaces_are_normalized() -> None:
    messy = " 110105 19491231 002x "
    assert normalize_id_number(messy) == STANDARD_EXAMPLE
    assert validate_id_number(messy, today=TODAY) == STANDARD_EXAMPLE


def test_full_width_characters_are_folded() -> None:
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert validate_id_number(full_width, today=TODAY) == STANDARD_EXAMPLE


def test_generated_number_is_valid_and_matches_oracle() -> None:
    number = make_id_number("350102", date(1990, 1, 1), 123)
    assert number == with_checksum("35010219900101123")
    assert validate_id_number(number, today=TODAY) == number


def test_generated_numbers_cover_every_check_character() -> None:
    numbers = [make_id_number("440305", date(1988, 8, 8), seq) for seq in range(200)]
    assert {n[17] for n in numbers} == set("0123456789X")
    for number in numbers:
        assert validate_id_number(number, today=TODAY) == number


def test_person_born_today_is_accepted() -> None:
    number = make_id_number("310101", TODAY, 1)
    assert validate_id_number(number, today=TODAY) == number


def test_person_born_in_1900_is_accepted() -> None:
    number = make_id_number("110101", date(1900, 1, 1), 1)
    assert validate_id_number(number, today=TODAY) == number


@pytest.mark.parametrize("province", ["11", "46", "65", "71", "81", "82"])
def test_every_listed_province_code_is_accepted(province: str) -> None:
    number = make_id_number(province + "0101", date(2000, 2, 29), 7)
    assert validate_id_number(number, today=TODAY) == number


# --- each failure reason --------------------------------------------------------------------


def test_empty_id_number_is_refused() -> None:
    assert reason_for("   ") == "身份证号码不能为空"


@pytest.mark.parametrize("value", ["11010519491231002", "11010519491231002X0", "110105490101001"])
def test_id_number_with_wrong_length_is_refused(value: str) -> None:
    assert reason_for(value) == "长度必须为18位"


def test_id_number_with_letter_in_first_17_is_refused() -> None:
    assert reason_for("1101051949123100AX") == "前17位必须为数字"


def test_id_number_with_non_ascii_digit_is_refused() -> None:
    arabic_indic_three = "\u0663"
    assert reason_for("11010519491231002" + arabic_indic_three) == "最后一位必须为数字或X"
    assert reason_for(arabic_indic_three + STANDARD_EXAMPLE[1:]) == "前17位必须为数字"


def test_id_number_ending_in_other_letter_is_refused() -> None:
    assert reason_for("11010519491231002Y") == "最后一位必须为数字或X"


@pytest.mark.parametrize("province", ["00", "10", "20", "39", "72", "83", "99"])
def test_id_number_with_unknown_province_is_refused(province: str) -> None:
    assert reason_for(with_checksum(province + "010519900101001")) == "地区代码无效"


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900000", "20010229"])
def test_id_number_with_impossible_birth_date_is_refused(birth: str) -> None:
    assert reason_for(with_checksum("110105" + birth + "001")) == "出生日期无效"


def test_id_number_born_in_the_future_is_refused() -> None:
    assert reason_for(with_checksum("11010520250602001")) == "出生日期无效：不能晚于今天"


def test_id_number_born_before_1900_is_refused() -> None:
    # The standard's other worked example, born in 1880.
    assert reason_for("440524188001010014") == "出生日期无效：年份不能早于1900年"


def test_id_number_with_wrong_checksum_is_refused() -> None:
    assert reason_for(wrong_checksum(STANDARD_EXAMPLE)) == "校验码错误"
    generated = make_id_number("350102", date(1990, 1, 1), 123)
    assert reason_for(wrong_checksum(generated)) == "校验码错误"


def test_swapped_digits_are_caught_by_the_checksum() -> None:
    number = make_id_number("350102", date(1990, 1, 1), 123)
    swapped = number[:14] + number[15] + number[14] + number[16:]
    assert reason_for(swapped) == "校验码错误"


def test_invalid_id_number_is_a_value_error_with_reason_as_message() -> None:
    with pytest.raises(ValueError, match="校验码错误"):
        validate_id_number(wrong_checksum(STANDARD_EXAMPLE), today=TODAY)


# --- helpers --------------------------------------------------------------------------------


def test_birth_date_is_read_from_the_number() -> None:
    assert birth_date(STANDARD_EXAMPLE) == date(1949, 12, 31)
    assert birth_date(make_id_number("350102", date(2003, 7, 9), 5)) == date(2003, 7, 9)


def test_gender_follows_parity_of_the_17th_digit() -> None:
    assert gender(STANDARD_EXAMPLE) == "female"
    assert gender(make_id_number("350102", date(1990, 1, 1), 123)) == "male"
    assert gender(make_id_number("350102", date(1990, 1, 1), 124)) == "female"


def test_helpers_refuse_invalid_numbers() -> None:
    with pytest.raises(InvalidIdNumber):
        birth_date(wrong_checksum(STANDARD_EXAMPLE))
    with pytest.raises(InvalidIdNumber):
        gender("123")


@pytest.mark.parametrize(
    ("region", "seq"),
    [("3501", 1), ("35010A", 1), ("990101", 1), ("350102", -1), ("350102", 1000)],
)
def test_make_id_number_refuses_bad_arguments(region: str, seq: int) -> None:
    with pytest.raises(ValueError):
        make_id_number(region, date(1990, 1, 1), seq)


def test_make_id_number_refuses_birth_before_1900() -> None:
    with pytest.raises(ValueError):
        make_id_number("350102", date(1899, 12, 31), 1)


# --- mobile numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        " 138 0013 8000 ",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "008613800138000",
        "8613800138000",
        "１３８００１３８０００",
    ],
)
def test_mobile_number_is_normalized_to_11_digits(raw: str) -> None:
    assert validate_mobile(raw) == "13800138000"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_mobile_number_with_any_valid_prefix_is_accepted(prefix: str) -> None:
    assert validate_mobile(prefix + "912345678") == prefix + "912345678"


def phone_reason(value: str) -> str:
    with pytest.raises(InvalidPhoneNumber) as caught:
        validate_mobile(value)
    return caught.value.reason


def test_empty_mobile_number_is_refused() -> None:
    assert phone_reason(" - ") == "手机号码不能为空"


def test_mobile_number_with_letters_is_refused() -> None:
    assert phone_reason("1380013800a") == "手机号码只能包含数字"


@pytest.mark.parametrize("value", ["1380013800", "138001380001", "+86 1380013800"])
def test_mobile_number_with_wrong_length_is_refused(value: str) -> None:
    assert phone_reason(value) == "手机号码必须为11位"


@pytest.mark.parametrize("value", ["12800138000", "10800138000", "23800138000"])
def test_mobile_number_with_invalid_prefix_is_refused(value: str) -> None:
    assert phone_reason(value) == "手机号码格式无效，应以13至19开头"


def test_invalid_phone_number_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="手机号码"):
        validate_mobile("110")
