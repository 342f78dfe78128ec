"""Subscribe-message field limits: fitting values and finding what WeChat would refuse."""

from __future__ import annotations

import pytest

from backend.integrations.wechat.limits import (
    ELLIPSIS,
    fit_template_data,
    kind_of,
    validate_template_data,
)


def test_kind_is_inferred_from_the_key_name() -> None:
    assert [kind_of(k) for k in ("thing1", "character_string12", "phrase3", "first")] == [
        "thing",
        "character_string",
        "phrase",
        None,
    ]


def test_long_thing_is_shortened_to_20_chars_with_an_ellipsis() -> None:
    fitted = fit_template_data({"thing1": "城市就业技能培训计划第二期面试技巧与简历写作专题课程"})
    assert len(fitted["thing1"]) == 20
    assert fitted["thing1"].endswith(ELLIPSIS)
    assert validate_template_data(fitted) == []


def test_short_values_are_left_alone() -> None:
    data = {"thing1": "简历写作", "time2": "2025年3月1日 14:00", "amount3": "¥12.50"}
    assert fit_template_data(data) == data
    assert validate_template_data(data) == []


def test_line_breaks_and_control_characters_are_removed() -> None:
    assert fit_template_data({"thing1": "第一行\n第二行\t\x00完"}) == {"thing1": "第一行 第二行 完"}


def test_phrase_keeps_only_five_chinese_characters() -> None:
    assert fit_template_data({"phrase1": "已报名 OK 成功啦啦"}) == {"phrase1": "已报名成功"}


@pytest.mark.parametrize(
    ("key", "value", "fitted"),
    [
        ("number1", "共 12.5 小时", "12.5"),
        ("letter1", "abc-123 def", "abcdef"),
        ("symbol1", "a+b-c*d/e%f", "+-*/%"),
        ("character_string1", "订单 AB-" + "9" * 40, "AB-" + "9" * 29),
        ("name1", "欧阳娜娜娜娜娜娜娜娜娜", "欧阳娜娜娜娜娜娜娜娜"),
        ("name1", "Alexander Hamilton-Burr Jr", "Alexander Hamilton-B"),
    ],
)
def test_values_are_stripped_of_disallowed_characters_and_shortened(
    key: str, value: str, fitted: str
) -> None:
    assert fit_template_data({key: value}) == {key: fitted}
    assert validate_template_data({key: fitted}) == []


def test_explicit_kinds_override_the_key_name() -> None:
    assert fit_template_data({"remark": "x" * 30}, kinds={"remark": "thing"})["remark"] == (
        "x" * 19 + ELLIPSIS
    )


def test_numbers_and_amounts_are_never_truncated() -> None:
    data = {"number1": "1" * 40, "amount2": "¥12345678901"}
    assert fit_template_data(data) == data
    assert validate_template_data(data) == [
        "data.number1.value exceeds limit",
        "data.amount2.value invalid",
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"thing1": "一" * 21}, "data.thing1.value exceeds limit"),
        ({"thing1": "  "}, "data.thing1.value is empty"),
        ({"phrase2": "OK"}, "data.phrase2.value invalid"),
        ({"time3": "下午两点"}, "data.time3.value invalid"),
        ({"phone_number4": "1" * 18}, "data.phone_number4.value exceeds limit"),
        ({"name5": "张" * 11}, "data.name5.value exceeds limit"),
    ],
)
def test_validation_names_the_offending_field(data: dict[str, str], problem: str) -> None:
    assert validate_template_data(data) == [problem]


def test_validation_accepts_wechat_wrapped_values_and_time_ranges() -> None:
    data = {
        "date1": {"value": "2025-03-01 14:00 ~ 2025-03-01 16:00"},
        "time2": {"value": "15:01"},
        "car_number3": {"value": "粤A12345"},
        "keyword1": {"value": "unknown kinds pass" * 10},
    }
    assert validate_template_data(data) == []
