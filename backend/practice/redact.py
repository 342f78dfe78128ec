"""Personal data taken out of text before it leaves for a language model (no I/O).

Nothing personal goes to the model: the trainee's name, ID-card and phone numbers,
e-mail addresses, street addresses and employers (and schools) are replaced by placeholders.
Known values (the roster's name, employers and schools from the résumé) are replaced first,
then patterns catch what the trainee typed: 18-digit ID numbers, mobile and landline numbers,
"我叫…" introductions, organisation names by their suffix (…有限公司, …医院, …大学). Over-
replacing a harmless word costs a little feedback quality; leaking a name costs more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NAME, ID_NUMBER, PHONE, EMAIL, EMPLOYER, ADDRESS = (
    "【姓名】",
    "【证件号】",
    "【电话】",
    "【邮箱】",
    "【单位】",
    "【地址】",
)

_ID = re.compile(r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}\d{7}[\dXx](?![0-9])")
_ID_LOOSE = re.compile(r"(?<![0-9])\d{15,18}[Xx]?(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0\d{2,3}[- ]?\d{7,8}(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_INTRO = re.compile(
    r"(我叫|我是|我的名字是|本人|姓名[:：]?)\s*([\u4e00-\u9fa5]{2,4})(?=[，,。.!！\s]|$)"
)
_ORG = re.compile(
    r"[^\s，。、；：！？,.;:!?“”\"'我你他她在于是的了和与及从到为任职就读]{2,30}?"
    r"(?:有限责任公司|股份有限公司|有限公司|分公司|公司|集团|医院|诊所|大学|学院|学校|中学|小学"
    r"|幼儿园|银行|酒店|宾馆|工厂|厂|超市|商场|门店|事务所|研究院|研究所|养老院|中心|店)"
)
_ADDRESS = re.compile(
    r"[\u4e00-\u9fa5]{2,12}(?:路|街|巷|大道)\d{1,5}号(?:[\u4e00-\u9fa5\d]{0,10}室)?"
)
_INTRO_WORDS = frozenset({"一名", "一个", "应届", "来自", "毕业", "学员", "求职"})


def _known(text: str, values: Iterable[str], placeholder: str) -> str:
    for value in sorted(
        {v.strip() for v in values if v and len(v.strip()) >= 2}, key=len, reverse=True
    ):
        text = text.replace(value, placeholder)
    return text


def _intro(match: re.Match[str]) -> str:
    word = match.group(2)
    if any(word.startswith(w) for w in _INTRO_WORDS):
        return match.group(0)
    return match.group(1) + NAME


def scrub(
    text: str,
    *,
    names: Iterable[str] = (),
    organisations: Iterable[str] = (),
) -> str:
    """`text` with personal data replaced by placeholders (【姓名】, 【电话】, 【单位】…)."""
    names = list(names)
    given = [n[1:] for n in names if len(n) >= 3]  # 张小明 → 小明 (how people sign off)
    text = _known(text, names, NAME)
    text = _known(text, given, NAME)
    text = _known(text, organisations, EMPLOYER)
    text = _EMAIL.sub(EMAIL, text)
    text = _ID.sub(ID_NUMBER, text)
    text = _MOBILE.sub(PHONE, text)
    text = _ID_LOOSE.sub(ID_NUMBER, text)
    text = _LANDLINE.sub(PHONE, text)
    text = _ADDRESS.sub(ADDRESS, text)
    text = _ORG.sub(EMPLOYER, text)
    return _INTRO.sub(_intro, text)
