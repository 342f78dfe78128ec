"""Administrative divisions of Fuzhou used for HR scope and job search (GB/T 2260 codes)."""

from __future__ import annotations

CITY_CODE = "350100"

DISTRICTS: dict[str, str] = {
    "350102": "鼓楼区",
    "350103": "台江区",
    "350104": "仓山区",
    "350105": "马尾区",
    "350111": "晋安区",
    "350112": "长乐区",
    "350121": "闽侯县",
    "350122": "连江县",
    "350123": "罗源县",
    "350124": "闽清县",
    "350125": "永泰县",
    "350128": "平潭县",
    "350181": "福清市",
}


def is_known_district(code: str) -> bool:
    """True for a district of the city (not the city itself)."""
    return code in DISTRICTS


def district_name(code: str | None) -> str:
    """The Chinese name of a district code, or of the whole city for None/city code."""
    if not code or code == CITY_CODE:
        return "福州市"
    return DISTRICTS.get(code, code)
